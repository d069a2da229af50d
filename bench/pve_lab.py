"""The Proxmox VE side of a benchmark lab: a fakepve served over HTTPS on loopback, seeded from a ClusterState.

Two things are changed in the fake, both only so that it measures netmox and not itself:

* guest lookup by VMID is indexed (stock fakepve scans a list per request, which at 10,000 guests costs
  more CPU than the client under test);
* requests are counted by kind (config reads, runtime address reads, the rest) and by method instead of
  being kept.

The per-request latency is fakepve's own ``slow_network`` (it needs ``time_scale`` > 0 to sleep).
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fakepve import FakePve
from fakepve.certs import make_cert

from netmox_cli.model.state import ClusterState, Guest

HOST = "127.0.0.1"
USER = "root@pam"
TOKEN_NAME = "bench"
TOKEN_SECRET = "0d7c3f3e-bench-bench-bench-000000000000"
START_TIMEOUT = 60
_CONFIG = re.compile(r"/nodes/[^/]+/(qemu|lxc)/\d+/config$")
_RUNTIME = re.compile(r"/nodes/[^/]+/(qemu/\d+/agent/network-get-interfaces|lxc/\d+/interfaces)$")


class BenchPve(FakePve):
    """fakepve with indexed guest lookups and a request counter."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.counts: Counter[str] = Counter()
        self._index_key: tuple[int, int] | None = None
        self._vm_index: dict[int, Any] = {}
        self._ct_index: dict[int, Any] = {}

    def _reindex(self) -> None:
        key = (len(self.vms), len(self.cts))
        if key == self._index_key:
            return
        old_vms, old_cts = self._index_key or (0, 0)
        if key[0] >= old_vms and key[1] >= old_cts:  # only appended (seeding): index the new tail
            self._vm_index.update((vm.vmid, vm) for vm in self.vms[old_vms:])
            self._ct_index.update((ct.vmid, ct) for ct in self.cts[old_cts:])
        else:
            self._vm_index = {vm.vmid: vm for vm in self.vms}
            self._ct_index = {ct.vmid: ct for ct in self.cts}
        self._index_key = key

    def vm(self, vmid: int) -> Any:
        self._reindex()
        return self._vm_index.get(vmid)

    def ct(self, vmid: int) -> Any:
        self._reindex()
        return self._ct_index.get(vmid)

    def _record(self, request: Any, body: bytes) -> None:
        path = request.path
        if _CONFIG.search(path) and request.method == "GET":
            kind = "config"
        elif _RUNTIME.search(path):
            kind = "runtime"
        else:
            kind = "other"
        self.counts[kind] += 1
        self.counts["total"] += 1
        self.counts[f"method {request.method}"] += 1  # the apply rows show reads and writes apart

    def reset_counts(self) -> Counter[str]:
        counts, self.counts = self.counts, Counter()
        return counts


def _size(mib: int | None) -> str:
    mib = mib or 8192
    return f"{mib // 1024}G" if mib % 1024 == 0 else f"{mib}M"


def qemu_config(guest: Guest, agent: bool) -> dict[str, Any]:
    config: dict[str, Any] = {
        "name": guest.name,
        "cores": int(guest.vcpus or 1),
        "sockets": 1,
        "memory": str(guest.memory_mib or 512),
        "ostype": guest.ostype or "l26",
        "onboot": 1 if guest.start_on_boot else 0,
        "agent": "1" if agent else "0",
        "scsihw": "virtio-scsi-single",
    }
    for disk in guest.disks:
        config[disk.name] = f"{disk.storage or 'local-lvm'}:vm-{guest.vmid}-disk-0,size={_size(disk.size_mib)}"
    for nic in guest.interfaces:
        config[nic.name] = f"virtio={nic.mac},bridge={nic.bridge or 'vmbr0'}"
    if guest.tags:
        config["tags"] = ";".join(guest.tags)
    if guest.description:
        config["description"] = guest.description
    return config


def lxc_config(guest: Guest) -> dict[str, Any]:
    config: dict[str, Any] = {
        "hostname": guest.name,
        "cores": int(guest.vcpus or 1),
        "memory": guest.memory_mib or 512,
        "swap": guest.swap_mib if guest.swap_mib is not None else 512,
        "ostype": guest.ostype or "debian",
        "arch": "amd64",
        "onboot": 1 if guest.start_on_boot else 0,
        "unprivileged": 1,
    }
    for disk in guest.disks:
        config[disk.name] = f"{disk.storage or 'local-lvm'}:vm-{guest.vmid}-disk-0,size={_size(disk.size_mib)}"
    for index, nic in enumerate(guest.interfaces):
        ip = (nic.ips or ["dhcp"])[0]
        config[nic.name] = f"name=eth{index},bridge={nic.bridge or 'vmbr0'},hwaddr={nic.mac},ip={ip},type=veth"
    if guest.tags:
        config["tags"] = ";".join(guest.tags)
    if guest.description:
        config["description"] = guest.description
    return config


def agent_interfaces(guest: Guest) -> list[dict[str, Any]]:
    """What the guest agent reports: loopback, then each NIC with its addresses."""
    rows: list[dict[str, Any]] = [
        {
            "name": "lo",
            "hardware-address": "00:00:00:00:00:00",
            "ip-addresses": [{"ip-address": "127.0.0.1", "ip-address-type": "ipv4", "prefix": 8}],
        }
    ]
    for index, nic in enumerate(guest.interfaces):
        addresses = []
        for cidr in nic.ips or []:
            address, _, prefix = cidr.partition("/")
            addresses.append({"ip-address": address, "ip-address-type": "ipv4", "prefix": int(prefix or 32)})
        rows.append({"name": f"eth{index}", "hardware-address": (nic.mac or "").lower(), "ip-addresses": addresses})
    return rows


def seed(pve: FakePve, state: ClusterState, *, agent: bool = True) -> None:
    """Add the nodes and guests of ``state`` to ``pve`` (QEMU guests get an answering agent when ``agent``)."""
    pve.nodes.clear()
    for node in state.nodes:
        pve.add_node(node.name, online=node.status != "offline")
    for guest in state.guests:
        node = guest.node or state.nodes[0].name
        if guest.kind == "qemu":
            vm = pve.add_vm(
                guest.vmid, guest.name, node=node, status=guest.status or "stopped", config=qemu_config(guest, agent)
            )
            if agent:
                vm.agent = {"interfaces": agent_interfaces(guest)}
        else:
            pve.add_ct(guest.vmid, guest.name, node=node, status=guest.status or "stopped", config=lxc_config(guest))


@dataclass
class Endpoint:
    """Where a served fake is and how to log in (for netmox.toml and proxmoxer)."""

    host: str
    port: int
    cafile: Path
    user: str = USER
    token_name: str = TOKEN_NAME
    token_value: str = TOKEN_SECRET

    @property
    def hostport(self) -> str:
        return f"{self.host}:{self.port}"

    def section(self) -> dict[str, str]:
        """The ``[connections.NAME.proxmox]`` table that reaches this fake."""
        return {
            "type": "proxmox",
            "host": self.hostport,
            "user": self.user,
            "token_name": self.token_name,
            "token_value": self.token_value,
            "ca_bundle": str(self.cafile),
        }


class ServedPve:
    """A BenchPve on its own event loop in a daemon thread (as fakepve's pytest plugin does)."""

    def __init__(self, state: ClusterState, *, agent: bool = True, workdir: Path | None = None) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="bench-pve-", dir=workdir)
        certfile, keyfile, _ = make_cert(self._tmp.name, hosts=(HOST,))
        self.pve = BenchPve(user=USER, password="secret", host=HOST, port=0)
        self.pve.time_scale = 1.0  # latency sleeps only when time_scale > 0; reads start no tasks
        self.pve.apitokens[f"{USER}!{TOKEN_NAME}"] = TOKEN_SECRET
        seed(self.pve, state, agent=agent)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="bench-fakepve", daemon=True)
        self.thread.start()
        self._call(self.pve.start(certfile, keyfile))
        self.endpoint = Endpoint(host=HOST, port=self.pve.port, cafile=Path(certfile))

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(START_TIMEOUT)

    def set_latency(self, seconds: float) -> None:
        self.pve.slow_network(seconds)

    def close(self) -> None:
        try:
            self._call(self.pve.stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(START_TIMEOUT)
            self._tmp.cleanup()

    def __enter__(self) -> ServedPve:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
