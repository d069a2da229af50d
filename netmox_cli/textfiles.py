"""Reading the files a user hands netmox (config, policy, plan, snapshot): one line for every way they are bad.

A file that is missing, not UTF-8, not JSON or nested beyond reason is a ``ConfigError`` naming the file
and what to do, never an ``unexpected UnicodeDecodeError`` / ``RecursionError`` that stops the run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from netmox_cli.errors import ConfigError


def not_utf8(path: Path, error: UnicodeDecodeError, what: str) -> ConfigError:
    return ConfigError(
        f"{path}: the {what} is not UTF-8 text (byte {error.start} is {error.object[error.start]:#04x})",
        "save it as UTF-8",
    )


def read_utf8(path: Path, what: str, missing_hint: str) -> str:
    """The file's text; ConfigError when it is missing, unreadable or not UTF-8."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such {what}", missing_hint) from None
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc, what) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the {what} ({exc.strerror})") from None


def parse_json(path: Path, text: str, what: str) -> Any:
    """The JSON value of ``text``; ConfigError for invalid JSON or nesting deeper than Python's stack."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not a {what} (invalid JSON at line {exc.lineno})") from None
    except RecursionError:
        raise too_deep(path, what) from None


def too_deep(path: Path, what: str) -> ConfigError:
    return ConfigError(f"{path}: not a {what} (JSON nested too deeply)", f"make the {what} again with netmox")
