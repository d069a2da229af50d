"""``netmox init``: create the NetBox custom fields netmox needs, on every connection with a NetBox server;
with ``--webhook URL``, also the webhook and event rule that drive ``netmox watch``."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

import typer
from rich.text import Text

from netmox_cli.commands import options
from netmox_cli.commands._common import console, load
from netmox_cli.config.schema import NetboxSide
from netmox_cli.engine.session import select_connections
from netmox_cli.errors import ConfigError
from netmox_cli.model.state import Side
from netmox_cli.providers.factory import build_provider
from netmox_cli.watch.events import OBJECT_TYPES

WEBHOOK_HELP = (
    "Also create (or correct) the NetBox webhook to `netmox watch` at URL, e.g. http://host:8787/webhook/netbox."
)


def check_webhook_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise ConfigError(
            f"--webhook {url!r} is not an http(s) URL", "e.g. --webhook http://watch-host:8787/webhook/netbox"
        )
    return url


def command(
    config: options.ConfigOption = None,
    connection: options.ConnectionOption = None,
    webhook: Annotated[str | None, typer.Option("--webhook", metavar="URL", help=WEBHOOK_HELP)] = None,
) -> None:
    """Prepare NetBox for netmox (custom fields; with --webhook, netmox watch's webhook); safe to run again."""
    cfg = load(config)
    out = console()
    if webhook is not None:
        check_webhook_url(webhook)
        if cfg.watch.secret is None:
            raise ConfigError(
                "--webhook needs [watch] secret: NetBox signs each webhook with it",
                'set [watch] secret = "${NETMOX_WEBHOOK_SECRET}"',
            )
    names = [n for n in select_connections(cfg, connection) if isinstance(cfg.connections[n].netbox, NetboxSide)]
    if not names:
        out.print(Text('No selected connection has a NetBox server (type = "netbox"); nothing to initialize.'))
        return
    hooked: set[str] = set()
    for name in names:
        provider = build_provider(name, cfg.connections[name], Side.NETBOX)
        try:
            messages = provider.initialize()  # type: ignore[attr-defined]
            if webhook is not None and cfg.watch.secret is not None and provider.location not in hooked:
                hooked.add(provider.location)  # one webhook per NetBox, whatever the number of its clusters
                secret = cfg.watch.secret.get_secret_value()
                done = provider.ensure_webhook(webhook, secret, OBJECT_TYPES)  # type: ignore[attr-defined]
                messages += done or [f"webhook to {webhook} and its event rule already in place"]
        finally:
            provider.close()
        for message in messages or ["already initialized"]:
            out.print(Text(f"{name}: {message}"))
