"""``netmox check``: reach both sides of every connection and report what was found; exit 1 if anything is wrong."""

from __future__ import annotations

import typer
from rich.text import Text

from netmox_cli.commands import options
from netmox_cli.commands._common import console, load
from netmox_cli.config.schema import NetmoxConfig
from netmox_cli.engine.session import select_connections
from netmox_cli.errors import NetmoxError
from netmox_cli.model.state import Side
from netmox_cli.providers.base import CheckResult
from netmox_cli.providers.factory import build_provider
from netmox_cli.render.safe import safe


def check_side(config: NetmoxConfig, name: str, side: Side) -> list[CheckResult]:
    """One side's check lines; a provider that cannot even be built or reached is one failed line."""
    try:
        provider = build_provider(name, config.connections[name], side)
    except NetmoxError as error:
        return [CheckResult(label="config", ok=False, detail=error.one_line())]
    try:
        return provider.check()
    except NetmoxError as error:
        return [CheckResult(label="connect", ok=False, detail=error.one_line())]
    finally:
        provider.close()


def result_line(name: str, side: Side, result: CheckResult) -> Text:
    mark = "ok  " if result.ok else "FAIL"
    detail = f": {result.detail}" if result.detail else ""
    line = safe(f"{mark} {name} {side.label} {result.label}{detail}")  # details quote the servers' answers
    return Text(line, style="green" if result.ok else "bold red")


def command(
    config: options.ConfigOption = None,
    connection: options.ConnectionOption = None,
    no_color: options.NoColorOption = False,
) -> None:
    """Check that every connection's NetBox and Proxmox VE can be reached and read."""
    cfg = load(config)
    out = console(no_color=no_color)
    all_ok = True
    for name in select_connections(cfg, connection):
        for side in (Side.NETBOX, Side.PROXMOX):
            for result in check_side(cfg, name, side):
                all_ok &= result.ok
                out.print(result_line(name, side, result))
    if not all_ok:
        raise typer.Exit(1)
