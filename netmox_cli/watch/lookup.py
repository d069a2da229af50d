"""The NetBox reads an event may need: an interface's, disk's, MAC's or IP's payload names its VM only by
id, and a snapshot names a cluster only by id. One GET each, only for those events, on the connections'
NetBox servers (the first that knows the id answers)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from netmox_cli.config.schema import NetboxSide, NetmoxConfig
from netmox_cli.providers.netbox.client import NetboxClient
from netmox_cli.providers.netbox.schema import CF_VMID
from netmox_cli.watch.events import VmRef


class NetboxLookup:
    """``events.Lookup`` against the NetBox servers of the config (one client per distinct URL)."""

    def __init__(self, config: NetmoxConfig) -> None:
        self._clients: dict[str, NetboxClient] = {}
        for connection in config.connections.values():
            side = connection.netbox
            if isinstance(side, NetboxSide):
                client = NetboxClient(side)
                self._clients.setdefault(client.url, client)

    def _get(self, endpoint: str, object_id: int) -> Any:
        for client in self._clients.values():
            app, name = endpoint.split(".")
            with client.guard(f"{endpoint} {object_id}"):
                record = getattr(getattr(client.api, app), name).get(object_id)
            if record is not None:
                return record
        return None

    def vm(self, vm_id: int) -> VmRef | None:
        record = self._get("virtualization.virtual_machines", vm_id)
        if record is None:
            return None
        cluster = record.cluster.name if record.cluster else None
        vmid = (record.custom_fields or {}).get(CF_VMID)
        return VmRef(cluster, int(vmid) if isinstance(vmid, int) else None)

    def cluster(self, cluster_id: int) -> str | None:
        record = self._get("virtualization.clusters", cluster_id)
        return record.name if record is not None else None

    def close(self) -> None:
        for client in self._clients.values():
            client.session.close()


class CachedLookup:
    """A lookup that remembers each VM for ``ttl`` seconds: saving one VM fires an event for each of its
    interfaces, MACs, IPs and disks, and every one of them names the same VM. VM events refresh the entry
    (their payload carries the cluster and VMID), so a move is seen at once."""

    def __init__(self, inner: Any, ttl: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._inner = inner
        self._ttl = ttl
        self._clock = clock
        self._vms: dict[int, tuple[float, VmRef | None]] = {}
        self._lock = threading.Lock()

    def remember(self, vm_id: int, ref: VmRef) -> None:
        with self._lock:
            self._vms[vm_id] = (self._clock(), ref)

    def vm(self, vm_id: int) -> VmRef | None:
        with self._lock:
            cached = self._vms.get(vm_id)
        if cached is not None and self._clock() - cached[0] < self._ttl:
            return cached[1]
        ref = self._inner.vm(vm_id)
        with self._lock:
            self._vms[vm_id] = (self._clock(), ref)
        return ref

    def cluster(self, cluster_id: int) -> str | None:
        return self._inner.cluster(cluster_id)
