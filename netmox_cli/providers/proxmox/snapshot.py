"""Reading one Proxmox VE cluster in bulk: ``O(1)`` requests plus one config read per guest.

The request pattern is fixed so that a cluster of hundreds of guests reads in seconds:

* ``/version``, ``/cluster/status``, ``/nodes``, ``/cluster/resources?type=vm`` and
  ``/access/permissions`` (can the token see every guest?) once each;
* ``/nodes/{node}/config`` once per online node (the node description);
* ``…/{qemu|lxc}/{vmid}/config`` once per guest, on a bounded thread pool;
* plus, for addresses only: ``…/lxc/{vmid}/interfaces`` per *running* container and
  ``…/agent/network-get-interfaces`` per *running* VM whose agent is enabled.

Every answer is shape-checked (``responses``): a cluster-level answer that is not what its endpoint
returns fails the connection (``InvalidResponse``), never reads as "no guests". Guests on an offline
node, and guests whose config read fails or is not a config, are listed from their
``/cluster/resources`` row only, ``incomplete`` with the reason; ``meta["incomplete"]`` names them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from threading import Lock
from typing import Any, TypeVar

from netmox_cli.errors import InvalidResponse, NetmoxError, PermissionDenied, RemoteError
from netmox_cli.model.state import ClusterState, Guest, Node, Side
from netmox_cli.providers.base import Progress
from netmox_cli.providers.proxmox import checks, parse, properties, responses
from netmox_cli.providers.proxmox.client import PveClient

log = logging.getLogger("netmox.proxmox")
GUEST_TYPES = ("qemu", "lxc")
# Failures of one guest's config read that leave that guest incomplete: an answer that is not a config,
# a refusal or a server error about that guest (it vanished meanwhile, its config file is broken).
# Everything else (rejected token, refused connection or timeouts after retries, TLS) fails the connection.
GUEST_FAILURES = (InvalidResponse, RemoteError, PermissionDenied)
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
        client = self._client
        version = client.read("/version", responses.VERSION)
        status = client.read("/cluster/status", responses.CLUSTER_STATUS)
        node_rows = client.read("/nodes", responses.NODES)
        rows = [row for row in client.read("/cluster/resources", responses.RESOURCES, type="vm") if self.wanted(row)]
        blind_spot = checks.blind_spot(client.read("/access/permissions", responses.PERMISSIONS))
        online = {row["node"] for row in node_rows if row.get("status") == "online"}

        nodes = self._pooled(self._read_node, sorted(node_rows, key=lambda row: row["node"]), online)
        done = Counter(len(rows), say)
        guests = self._pooled(lambda row, on: done.tick(self.read_guest(row, on)), rows, online)

        cluster = next((row for row in status if row.get("type") == "cluster"), None)
        quorate = parse.to_bool(cluster.get("quorate")) if cluster else True  # a single node is its own quorum
        meta = {
            "version": str(version.get("version", "")),
            "release": str(version.get("release", "")),
            "quorate": "yes" if quorate else "no",
            "nodes_online": f"{len(online)}/{len(node_rows)}",
        }
        incomplete = sorted(guest.vmid for guest in guests if guest.incomplete)
        if incomplete:
            meta["incomplete"] = ",".join(str(vmid) for vmid in incomplete)
        return ClusterState(
            side=Side.PROXMOX,
            name=str(cluster["name"]) if cluster and cluster.get("name") else None,
            nodes=nodes,
            guests=sorted(guests, key=lambda guest: (guest.vmid, guest.kind)),
            meta=meta,
            identity=identity(client.location, cluster, status, node_rows),
            blind_spot=blind_spot,
        )

    # ---------------------------------------------------------------- pieces

    def wanted(self, row: Mapping[str, Any]) -> bool:
        """A guest row we model (qemu/lxc; the shape check made sure it has a vmid and node); templates
        only when configured."""
        if row.get("type") not in GUEST_TYPES:
            return False
        return self._include_templates or not parse.to_bool(row.get("template"))

    def _pooled(self, job: Callable[[T, set[str]], R], items: Iterable[T], online: set[str]) -> list[R]:
        items = list(items)
        if not items:
            return []
        with ThreadPoolExecutor(max_workers=min(self._workers, len(items)), thread_name_prefix="pve") as pool:
            return list(pool.map(lambda item: job(item, online), items))

    def _read_node(self, row: Mapping[str, Any], online: set[str]) -> Node:
        config = (
            self._client.read(f"/nodes/{row['node']}/config", responses.NODE_CONFIG) if row["node"] in online else None
        )
        return properties.node_from_config(row, config)

    def read_guest(self, row: Mapping[str, Any], online: set[str]) -> Guest:
        if row["node"] not in online:
            return incomplete(row, f"node {row['node']} is offline: the guest's configuration cannot be read")
        base = f"/nodes/{row['node']}/{row['type']}/{row['vmid']}"
        try:
            config = self._client.read(f"{base}/config", responses.CONFIG)
        except GUEST_FAILURES as error:
            return incomplete(row, f"its config could not be read: {error.message}")
        guest = properties.guest_from_config(row, config)
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
            answer = self._client.read(f"{base}/agent/network-get-interfaces", responses.AGENT)
        except NetmoxError as error:  # agent not running, or an answer that is not an interface list
            log.debug("qemu %s: addresses unknown: %s", guest.vmid, error.message)
            return
        found = parse.runtime_addresses(answer["result"])
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
                found = parse.runtime_addresses(self._client.read(f"{base}/interfaces", responses.LXC_INTERFACES))
            except NetmoxError as error:
                log.debug("lxc %s: live addresses unknown: %s", guest.vmid, error.message)
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


def incomplete(row: Mapping[str, Any], reason: str) -> Guest:
    """A guest known only from its ``/cluster/resources`` row: the planner compares and changes nothing for it."""
    guest = properties.guest_from_config(row, None)
    guest.incomplete = True
    guest.incomplete_reason = reason
    return guest


def identity(
    location: str,
    cluster: Mapping[str, Any] | None,
    status: list[Mapping[str, Any]],
    node_rows: list[Mapping[str, Any]],
) -> str:
    """``Proxmox VE cluster NAME at URL``, or ``Proxmox VE node NAME at URL`` for a node without a cluster."""
    if cluster and cluster.get("name"):
        return f"Proxmox VE cluster {cluster['name']} at {location}"
    local = next((row.get("name") for row in status if row.get("type") == "node" and row.get("name")), None)
    node = local or next((row["node"] for row in node_rows), None) or "?"
    return f"Proxmox VE node {node} at {location}"


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
