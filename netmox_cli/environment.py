"""What netmox reads from its environment: variable names, the run's origin, who and where.

Every environment variable netmox reads is named here, so help texts and the README can cite one list.
"""

from __future__ import annotations

import getpass
import os
import re
import socket
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import platformdirs

from netmox_cli.config.loader import ENV_CONFIG

NETMOX_CONFIG = ENV_CONFIG
NETMOX_HISTORY = "NETMOX_HISTORY"
NETMOX_LOCK_DIR = "NETMOX_LOCK_DIR"
NETMOX_DEBUG = "NETMOX_DEBUG"
NO_COLOR = "NO_COLOR"

# Set by the CI systems netmox is likely to run under; any of them marks a run as "ci".
CI_VARIABLES = (
    "CI",
    "GITHUB_ACTIONS",
    "GITLAB_CI",
    "BUILDKITE",
    "CIRCLECI",
    "JENKINS_URL",
    "TF_BUILD",
    "TEAMCITY_VERSION",
    "DRONE",
    "WOODPECKER_CI",
    "BITBUCKET_BUILD_NUMBER",
)

Origin = Literal["terminal", "ci", "cron"]

_SECRET_OPTION = re.compile(r"(token|password|secret|passwd|key)", re.IGNORECASE)
_SECRET_ASSIGNMENT = re.compile(r"^(?P<name>[^=]*(token|password|secret|passwd)[^=]*)=.*$", re.IGNORECASE)
_FALSE_WORDS = {"", "0", "false", "no", "off"}


def flag_set(environ: Mapping[str, str], name: str) -> bool:
    """A boolean environment flag: set and not one of 0/false/no/off."""
    return environ.get(name, "").strip().lower() not in _FALSE_WORDS


def detect_origin(environ: Mapping[str, str] | None = None, stdin_tty: bool | None = None) -> Origin:
    """``ci`` under a CI system, ``cron`` when nobody is at a terminal, else ``terminal``."""
    environ = os.environ if environ is None else environ
    if any(flag_set(environ, name) for name in CI_VARIABLES):
        return "ci"
    if stdin_tty is None:
        stdin_tty = stdin_is_interactive()
    return "terminal" if stdin_tty else "cron"


def stdin_is_interactive() -> bool:
    """True when a person can answer a prompt (stdin is a terminal)."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


def host_name() -> str:
    return socket.gethostname()


def command_line(argv: Sequence[str] | None = None) -> str:
    """The command line as typed, with the value of anything that looks like a secret replaced by ``***``."""
    argv = list(sys.argv if argv is None else argv)
    words: list[str] = []
    hide_next = False
    for index, word in enumerate(argv):
        if index == 0:
            words.append(Path(word).name)
            continue
        if hide_next:
            words.append("***")
            hide_next = False
            continue
        if word.startswith("--") and _SECRET_OPTION.search(word.split("=", 1)[0]):
            if "=" in word:
                words.append(word.split("=", 1)[0] + "=***")
            else:
                words.append(word)
                hide_next = True
            continue
        match = _SECRET_ASSIGNMENT.match(word)
        words.append(f"{match.group('name')}=***" if match else word)
    return " ".join(words)


def default_history_path() -> Path:
    return platformdirs.user_data_path("netmox") / "history.sqlite"


def default_lock_dir() -> Path:
    return platformdirs.user_state_path("netmox") / "locks"
