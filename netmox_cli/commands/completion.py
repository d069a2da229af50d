"""Shell completion helpers (typer's ``--install-completion`` / ``--show-completion``).

Completers run inside the user's shell on every <Tab>: they must be quick, print nothing and never fail.
The connection names are read straight from the config's TOML (``--config`` on the command line so far,
else ``$NETMOX_CONFIG``, else ``./netmox.toml``) without resolving ``${ENV}`` references or validating
anything, so no secret is read; a missing or broken config completes nothing.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import typer

from netmox_cli.config.loader import find_config


def connection_names(config: Path | None, incomplete: str = "") -> list[str]:
    """The ``[connections.NAME]`` of the config that start with ``incomplete``; [] when it cannot be read."""
    try:
        with find_config(config).open("rb") as handle:
            connections = tomllib.load(handle).get("connections")
    except (OSError, ValueError):  # missing, unreadable, not UTF-8, not TOML
        return []
    if not isinstance(connections, dict):
        return []
    return sorted(name for name in connections if name.startswith(incomplete))


def plan_files(incomplete: str = "") -> list[str]:
    """``*.json`` files (and folders, to descend into) whose path starts with ``incomplete``."""
    folder, slash, prefix = incomplete.rpartition("/")
    lead = folder + slash  # "" | "plans/" | "/" (as typed, so the shell can replace the word)
    base = Path(lead or ".")
    try:
        entries = sorted(os.scandir(base), key=lambda e: e.name)
    except OSError:
        return []
    found = []
    for item in entries:
        if not item.name.startswith(prefix) or (item.name.startswith(".") and not prefix.startswith(".")):
            continue
        try:
            if item.is_dir():
                found.append(f"{lead}{item.name}/")
            elif item.name.endswith(".json"):
                found.append(f"{lead}{item.name}")
        except OSError:
            continue
    return found


def complete_connection(ctx: typer.Context, incomplete: str) -> list[str]:
    config: Any = ctx.params.get("config")
    return connection_names(Path(config) if config else None, incomplete)


def complete_plan_file(incomplete: str) -> list[str]:
    return plan_files(incomplete)
