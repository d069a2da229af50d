"""``netmox init``: create the NetBox custom fields netmox needs, on every connection with a NetBox server."""

from __future__ import annotations

from rich.text import Text

from netmox_cli.commands import options
from netmox_cli.commands._common import console, load
from netmox_cli.config.schema import NetboxSide
from netmox_cli.engine.session import select_connections
from netmox_cli.model.state import Side
from netmox_cli.providers.factory import build_provider


def command(
    config: options.ConfigOption = None,
    connection: options.ConnectionOption = None,
) -> None:
    """Prepare NetBox for netmox (custom fields); safe to run again."""
    cfg = load(config)
    out = console()
    names = [n for n in select_connections(cfg, connection) if isinstance(cfg.connections[n].netbox, NetboxSide)]
    if not names:
        out.print(Text('No selected connection has a NetBox server (type = "netbox"); nothing to initialize.'))
        return
    for name in names:
        provider = build_provider(name, cfg.connections[name], Side.NETBOX)
        try:
            messages = provider.initialize()  # type: ignore[attr-defined]
        finally:
            provider.close()
        for message in messages or ["already initialized"]:
            out.print(Text(f"{name}: {message}"))
