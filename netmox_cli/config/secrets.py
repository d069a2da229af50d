"""A loaded config's secrets: defaulted from the environment (vetted like config values) and registered with
the redactor, so that no secret reaches a header, a message or a file in a form netmox did not vet."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from pydantic import SecretStr

from netmox_cli.config.schema import NetboxSide, NetmoxConfig, ProxmoxSide
from netmox_cli.config.vetting import check_url, clean_secret
from netmox_cli.errors import ConfigError
from netmox_cli.redact import register_secret

ENV_URL = "NETBOX_URL"
ENV_TOKEN = "NETBOX_TOKEN"


def _from_environment(path: Path, name: str, key: str, check: Callable[[object], object]) -> str | None:
    """A default from the environment, checked like the config key it stands in for."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        return str(check(raw))
    except ValueError as error:
        raise ConfigError(f"{path}: ${name} (the default of {key}): {error}", f"fix ${name}") from None


def apply_environment_defaults(config: NetmoxConfig, path: Path) -> None:
    """``$NETBOX_URL``/``$NETBOX_TOKEN`` for a NetBox side that does not set ``url``/``token``, vetted now."""
    for name, connection in config.connections.items():
        side = connection.netbox
        if not isinstance(side, NetboxSide):
            continue
        key = f"connections.{name}.netbox"
        if side.url is None:
            side.url = _from_environment(path, ENV_URL, f"{key}.url", check_url)
        if side.token is None:
            token = _from_environment(path, ENV_TOKEN, f"{key}.token", clean_secret)
            side.token = SecretStr(token) if token is not None else None


def register_secrets(config: NetmoxConfig) -> None:
    """Tell the redactor every secret of the config, so that it can mask them in everything netmox writes."""
    if config.watch.secret is not None:
        register_secret(config.watch.secret.get_secret_value())
    for connection in config.connections.values():
        for side in (connection.netbox, connection.proxmox):
            if isinstance(side, NetboxSide) and side.token is not None:
                register_secret(side.token.get_secret_value())
            elif isinstance(side, ProxmoxSide):
                register_secret(side.token_value.get_secret_value())
    if config.notify.url is not None:  # a webhook URL often carries its token in the path or query
        register_secret(config.notify.url.get_secret_value())
