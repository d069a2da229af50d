"""Reading one Proxmox VE cluster in bulk: ``O(1)`` requests plus one config read per guest.

The request pattern is fixed so that a cluster of hundreds of guests reads in seconds:

* ``/version``, ``/cluster/status``, ``/nodes``, ``/cluster/resources?type=vm`` once each;
* ``/nodes/{node}/config`` once per online node (the node description);
* ``…/{qemu|lxc}/{vmid}/config`` once per guest, on a bounded thread pool;
* plus, for addresses only: ``…/lxc/{vmid}/interfaces`` per *running* container and
  ``…/agent/network-get-interfaces`` per *running* VM whose agent is enabled.

Guests on an offline node are listed from their ``/cluster/resources`` row only (their config cannot
be read); ``meta["incomplete"]`` names them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from threading import Lock
from typing import Any, TypeVar

from netmox_cli.errors import NetmoxError
from netmox_cli.model.state import ClusterState, Guest, Node, Side
from netmox_cli.providers.base import Progress
from netmox_cli.providers.proxmox import parse
from netmox_cli.providers.proxmox.client import PveClient

GUEST_TYPES = ("qemu", "lxc")
T = TypeVar("T")
R = TypeVar("R")


class Snapshotter:
    """Takes one ``ClusterState`` of the Proxmox VE side."""

    def __init__(
        self, client: PveClient, *, workers: int = 8, include_templates: bool = False, guest_agent: bool = True
    ) -> None:
        self._client = client
        self._workers = workers
        self._include_templates = include_templates
        self._guest_agent = guest_agent

    def take(self, progress: Progress | None = None) -> ClusterState:
        say = progress or (lambda _message: None)
        say("reading Proxmox VE cluster")
        version = self._client.get("/version") or {}
        status = self._client.get("/cluster/status") or []
        node_rows = [row for row in self._client.get("/nodes") or [] if isinstance(row, dict) and row.get("node")]
        rows = [row for row in self._client.get("/cluster/resources", type="vm") or [] if self._wanted(row)]
        online = {row["node"] for row in node_rows if row.get("status") == "online"}

        nodes = self._pooled(self._read_node, sorted(node_rows, key=lambda row: row["node"]), online)
        done = Counter(len(rows), say)
        guests = self._pooled(lambda row, on: done.tick(self._read_guest(row, on)), rows, online)

        cluster = next((row for row in status if isinstance(row, dict) and row.get("type") == "cluster"), None)
        quorate = parse.to_bool(cluster.get("quorate")) if cluster else True  # a single node is its own quorum
        meta = {
            "version": str(version.get("version", "")),
            "release": str(version.get("release", "")),
            "quorate": "yes" if quorate else "no",
            "nodes_online": f"{len(online)}/{len(node_rows)}",
        }
        incomplete = sorted(row["vmid"] for row in rows if row.get("node") not in online)
        if incomplete:
            meta["incomplete"] = ",".join(str(vmid) for vmid in incomplete)
        return ClusterState(
            side=Side.PROXMOX,
            name=str(cluster["name"]) if cluster and cluster.get("name") else None,
            nodes=nodes,
            guests=sorted(guests, key=lambda guest: (guest.vmid, guest.kind)),
            meta=meta,
        )

    # ---------------------------------------------------------------- pieces

    def _wanted(self, row: Any) -> bool:
        """A guest row we model: qemu/lxc with a vmid and node; templates only when configured."""
        if not isinstance(row, dict) or row.get("type") not in GUEST_TYPES:
            return False
        if parse.to_int(row.get("vmid")) is None or not row.get("node"):
            return False
        return self._include_templates or not parse.to_bool(row.get("template"))

    def _pooled(self, job: Callable[[T, set[str]], R], items: Iterable[T], online: set[str]) -> list[R]:
        items = list(items)
        if not items:
            return []
        with ThreadPoolExecutor(max_workers=min(self._workers, len(items)), thread_name_prefix="pve") as pool:
            return list(pool.map(lambda item: job(item, online), items))

    def _read_node(self, row: Mapping[str, Any], online: set[str]) -> Node:
        node = Node(name=row["node"], status=row.get("status") or None)
        if row["node"] in online:
            config = self._client.get(f"/nodes/{row['node']}/config") or {}
            node.description = str(config.get("description") or "")
            node.revision = str(config["digest"]) if config.get("digest") else None
        return node

    def _read_guest(self, row: Mapping[str, Any], online: set[str]) -> Guest:
        if row["node"] not in online:
            guest = parse.guest_from_config(row, None)
            guest.incomplete = True
            return guest
        base = f"/nodes/{row['node']}/{row['type']}/{row['vmid']}"
        config = self._client.get(f"{base}/config") or {}
        guest = parse.guest_from_config(row, config)
        if row["type"] == "qemu":
            self._qemu_addresses(guest, config, base)
        else:
            self._lxc_addresses(guest, config, base)
        return guest

    def _qemu_addresses(self, guest: Guest, config: Mapping[str, Any], base: str) -> None:
        """From the guest agent, best effort: an agent that does not answer leaves the IPs unknown."""
        if not self._guest_agent or guest.status != "running" or not parse.agent_enabled(config.get("agent")):
            return
        try:
            answer = self._client.get(f"{base}/agent/network-get-interfaces")
        except NetmoxError:
            return
        result = answer.get("result") if isinstance(answer, dict) else None
        if not isinstance(result, list):  # {"error": {"class": "Unsupported", …}}
            return
        found = parse.runtime_addresses(result)
        for interface in guest.interfaces:
            if interface.mac:
                interface.ips = found.get(interface.mac.lower(), [])

    def _lxc_addresses(self, guest: Guest, config: Mapping[str, Any], base: str) -> None:
        """Static ``ip=``/``ip6=`` from the config, plus the live addresses of a running container.

        The live read (one request) is made only when some interface has a dynamic address (dhcp, auto,
        manual): with static addresses only, the config already says everything.
        """
        addressing = {
            interface.name: parse.lxc_static_ips(parse.split_props(config.get(interface.name))[1])
            for interface in guest.interfaces
        }
        found: dict[str, list[str]] | None = None
        if guest.status == "running" and any(dynamic for _, dynamic in addressing.values()):
            try:
                found = parse.runtime_addresses(self._client.get(f"{base}/interfaces"))
            except NetmoxError:
                found = None
        for interface in guest.interfaces:
            static, dynamic = addressing[interface.name]
            live = None
            if found is not None:
                live = found.get((interface.mac or "").lower()) or found.get(f"name:{interface.guest_name}")
            if live is not None:
                interface.ips = static + live
            elif found is not None or not dynamic:
                interface.ips = static
            else:
                interface.ips = None


class Counter:
    """Thread-safe progress over the guest reads."""

    def __init__(self, total: int, say: Callable[[str], None]) -> None:
        self._total = total
        self._done = 0
        self._say = say
        self._lock = Lock()

    def tick(self, value: T) -> T:
        with self._lock:
            self._done += 1
            done = self._done
        if done == self._total or done % 25 == 0:
            self._say(f"read {done}/{self._total} guest configs")
        return value
