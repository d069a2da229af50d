"""Configuration: the netmox.toml schema and its loader."""

from netmox_cli.config.loader import find_config, load_config, load_policy
from netmox_cli.config.schema import (
    ConnectionConfig,
    FileSide,
    NetboxDefaults,
    NetboxSide,
    NetmoxConfig,
    PolicyConfig,
    ProxmoxDefaults,
    ProxmoxSide,
)

__all__ = [
    "ConnectionConfig",
    "FileSide",
    "NetboxDefaults",
    "NetboxSide",
    "NetmoxConfig",
    "PolicyConfig",
    "ProxmoxDefaults",
    "ProxmoxSide",
    "find_config",
    "load_config",
    "load_policy",
]
