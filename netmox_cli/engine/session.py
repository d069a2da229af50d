"""Taking snapshots of every selected connection, concurrently.

A connection that fails (unreachable host, wrong token …) is reported on its own; the others still
plan. The failing connection appears in ``Plan.connections`` with its ``error`` set.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from netmox_cli.config.schema import NetmoxConfig
from netmox_cli.errors import ConfigError, NetmoxError
from netmox_cli.model.plan import ConnectionInfo
from netmox_cli.model.state import ClusterState, Side
from netmox_cli.providers.base import Progress, Provider
from netmox_cli.providers.factory import build_provider


@dataclass
class ConnectionSnapshot:
    """Both sides of one connection at one moment, or the error that prevented reading them."""

    name: str
    info: ConnectionInfo
    netbox: ClusterState | None = None
    proxmox: ClusterState | None = None
    error: NetmoxError | None = None

    def state(self, side: Side) -> ClusterState:
        state = self.netbox if side is Side.NETBOX else self.proxmox
        if state is None:
            raise RuntimeError(f"connection {self.name} has no {side.value} snapshot")
        return state


@dataclass
class Providers:
    """The two open providers of one connection."""

    netbox: Provider
    proxmox: Provider

    def of(self, side: Side) -> Provider:
        return self.netbox if side is Side.NETBOX else self.proxmox


def select_connections(config: NetmoxConfig, names: list[str] | None) -> list[str]:
    """The connections to work on: the named ones (each must exist), else all, in config order."""
    if not names:
        return list(config.connections)
    unknown = [name for name in names if name not in config.connections]
    if unknown:
        known = ", ".join(config.connections) or "none"
        raise ConfigError(f"unknown connection {unknown[0]!r}", f"the config defines: {known}")
    return list(dict.fromkeys(names))


@contextmanager
def open_providers(config: NetmoxConfig, names: list[str]) -> Iterator[dict[str, Providers]]:
    """Build both providers of every named connection and close them all afterwards."""
    opened: dict[str, Providers] = {}
    try:
        for name in names:
            connection = config.connections[name]
            opened[name] = Providers(
                netbox=build_provider(name, connection, Side.NETBOX),
                proxmox=build_provider(name, connection, Side.PROXMOX),
            )
        yield opened
    finally:
        for providers in opened.values():
            providers.netbox.close()
            providers.proxmox.close()


def connection_info(config: NetmoxConfig, name: str, providers: Providers | None) -> ConnectionInfo:
    connection = config.connections[name]
    return ConnectionInfo(
        name=name,
        cluster=connection.cluster,
        netbox=providers.netbox.location if providers else connection.netbox.type,
        proxmox=providers.proxmox.location if providers else connection.proxmox.type,
    )


def _snapshot_one(
    name: str, providers: Providers, info: ConnectionInfo, progress: Progress | None
) -> ConnectionSnapshot:
    snapshot = ConnectionSnapshot(name=name, info=info)
    try:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix=f"snapshot-{name}") as pool:
            netbox = pool.submit(providers.netbox.snapshot, progress)
            proxmox = pool.submit(providers.proxmox.snapshot, progress)
            snapshot.netbox = netbox.result()
            snapshot.proxmox = proxmox.result()
        snapshot.info = info.model_copy(
            update={"netbox_identity": snapshot.netbox.identity, "proxmox_identity": snapshot.proxmox.identity}
        )
    except NetmoxError as error:
        snapshot.error = error
        snapshot.info = info.model_copy(update={"error": f"{name}: {error.one_line()}"})
    return snapshot


def take_snapshots(
    config: NetmoxConfig,
    providers: dict[str, Providers],
    progress: Progress | None = None,
) -> list[ConnectionSnapshot]:
    """Snapshot every connection in ``providers`` (both sides of all of them at once), in config order."""
    names = list(providers)
    if not names:
        return []
    with ThreadPoolExecutor(max_workers=min(8, len(names)), thread_name_prefix="connection") as pool:
        futures = [
            pool.submit(_snapshot_one, name, providers[name], connection_info(config, name, providers[name]), progress)
            for name in names
        ]
        return [future.result() for future in futures]
