"""Read a few guests of one Proxmox VE cluster: the scoped read ``netmox watch`` plans from.

Four cluster-level requests (``/cluster/status``, ``/nodes``, ``/cluster/resources?type=vm`` — which
says on which node each guest is — and ``/access/permissions`` for the blind spot), then each scoped
guest's config (and addresses) exactly as the full read takes them (``Snapshotter.read_guest``). Nodes
carry their name and status only: a scoped plan never changes a node (``watch/scoped.py``).
"""

from __future__ import annotations

from netmox_cli.model.state import ClusterState, Node, Side
from netmox_cli.providers.proxmox import checks, responses
from netmox_cli.providers.proxmox.client import PveClient
from netmox_cli.providers.proxmox.snapshot import Snapshotter, identity


def read_guests(client: PveClient, snapshotter: Snapshotter, vmids: frozenset[int]) -> ClusterState:
    """Every node (name and status) and the guests whose VMID is in ``vmids``, wherever they run."""
    status = client.read("/cluster/status", responses.CLUSTER_STATUS)
    node_rows = client.read("/nodes", responses.NODES)
    rows = client.read("/cluster/resources", responses.RESOURCES, type="vm")
    blind_spot = checks.blind_spot(client.read("/access/permissions", responses.PERMISSIONS))
    online = {row["node"] for row in node_rows if row.get("status") == "online"}
    wanted = [row for row in rows if snapshotter.wanted(row) and int(row["vmid"]) in vmids]
    guests = [snapshotter.read_guest(row, online) for row in wanted]
    cluster = next((row for row in status if row.get("type") == "cluster"), None)
    return ClusterState(
        side=Side.PROXMOX,
        name=str(cluster["name"]) if cluster and cluster.get("name") else None,
        nodes=[
            Node(name=row["node"], status=row.get("status") or None)
            for row in sorted(node_rows, key=lambda r: r["node"])
        ],
        guests=sorted(guests, key=lambda guest: (guest.vmid, guest.kind)),
        identity=identity(client.location, cluster, status, node_rows),
        blind_spot=blind_spot,
    )
