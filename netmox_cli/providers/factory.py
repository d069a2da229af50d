"""Build the provider for one side of one connection from its config section.

Provider packages are imported lazily, so that a file-only run never imports pynetbox or proxmoxer.
"""

from __future__ import annotations

from netmox_cli.config.schema import ConnectionConfig, FileSide, NetboxSide, ProxmoxSide
from netmox_cli.model.state import Side
from netmox_cli.providers.base import Provider


def build_provider(connection_name: str, connection: ConnectionConfig, side: Side) -> Provider:
    section = connection.netbox if side is Side.NETBOX else connection.proxmox
    if isinstance(section, FileSide):
        from netmox_cli.providers.file import FileProvider

        return FileProvider(section, side=side, cluster=connection.netbox_cluster)
    if isinstance(section, NetboxSide):
        from netmox_cli.providers.netbox import NetboxProvider

        return NetboxProvider(section, cluster=connection.netbox_cluster)
    if isinstance(section, ProxmoxSide):
        from netmox_cli.providers.proxmox import ProxmoxProvider

        return ProxmoxProvider(section)
    raise TypeError(f"unknown side section {type(section).__name__}")
