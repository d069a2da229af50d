"""``netmox snapshot``: save one side of one connection as a snapshot file (for tests, bug reports, offline plans)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from netmox_cli.commands import options
from netmox_cli.commands._common import SideName, console, load, spinner
from netmox_cli.engine.session import select_connections
from netmox_cli.model.state import Side
from netmox_cli.providers.factory import build_provider


def command(
    connection: Annotated[str, typer.Option("--connection", help="The connection to read.")],
    side: Annotated[SideName, typer.Option("--side", case_sensitive=False, help="netbox or proxmox.")],
    out_file: Annotated[Path, typer.Option("--out", help="The snapshot file to write (JSON).")],
    config: options.ConfigOption = None,
) -> None:
    """Write one side of one connection to a snapshot file (docs/snapshot-format.md)."""
    from netmox_cli.providers.file import write_snapshot

    cfg = load(config)
    [name] = select_connections(cfg, [connection])
    which = Side(side.value)
    provider = build_provider(name, cfg.connections[name], which)
    try:
        with spinner(f"Reading {which.label}") as progress:
            state = provider.snapshot(progress)
    finally:
        provider.close()
    write_snapshot(state, out_file)
    counts = f"{len(state.nodes)} nodes, {len(state.guests)} guests"
    console().print(Text(f"Wrote the {which.label} side of {name} ({counts}) to {out_file}"))
