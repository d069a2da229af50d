"""Where the history database lives: ``--history`` > ``$NETMOX_HISTORY`` > config ``history`` > XDG data dir."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from netmox_cli.environment import NETMOX_HISTORY, default_history_path


def history_path(flag: Path | None, configured: Path | None, environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    if flag is not None:
        return flag
    if environ.get(NETMOX_HISTORY):
        return Path(environ[NETMOX_HISTORY])
    if configured is not None:
        return configured
    return default_history_path()
