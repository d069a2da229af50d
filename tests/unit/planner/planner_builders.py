"""Builders for planner tests: small states in each side's vocabulary, and a one-call planner."""

from __future__ import annotations

from typing import Any

from netmox_cli.config.schema import PolicyConfig
from netmox_cli.model.plan import Change
from netmox_cli.model.state import ClusterState, Disk, Guest, Interface, Node, Side
from netmox_cli.planner import ConnectionPlan, plan_connection

CONNECTION = "lab"
NETBOX_STATUS = {"running": "active", "stopped": "offline", "online": "active", "offline": "offline"}


def px_node(name: str = "pve1", **fields: Any) -> Node:
    return Node(name=name, **{"status": "online", **fields})


def px_guest(vmid: int = 101, kind: str = "qemu", **fields: Any) -> Guest:
    defaults: dict[str, Any] = {
        "name": f"vm{vmid}",
        "node": "pve1",
        "status": "running",
        "vcpus": 2.0,
        "memory_mib": 2048,
        "disks": [Disk(name="scsi0" if kind == "qemu" else "rootfs", size_mib=32768, storage="local-lvm")],
        "interfaces": [Interface(name="net0", mac="BC:24:11:00:00:01", bridge="vmbr0", vlan=10, ips=["10.0.0.5/24"])],
        "tags": ["prod"],
        "ostype": "l26",
        "start_on_boot": True,
        "description": "a guest",
    }
    if kind == "lxc":
        defaults["swap_mib"] = 512
    return Guest(vmid=vmid, kind=kind, **{**defaults, **fields})


def netbox_twin(obj: Node | Guest) -> Node | Guest:
    """The same object as NetBox would hold it (NetBox vocabulary; no bridge or guest name)."""
    twin = obj.model_copy(deep=True)
    twin.status = NETBOX_STATUS.get(obj.status) if obj.status else None
    twin.revision = None
    if isinstance(twin, Guest):
        twin.protected = False
        twin.template = False
        twin.interfaces = [i.model_copy(update={"bridge": None, "guest_name": None}) for i in twin.interfaces]
    return twin


def state(side: Side, *objects: Node | Guest) -> ClusterState:
    return ClusterState(
        side=side,
        name="lab",
        nodes=[o for o in objects if isinstance(o, Node)],
        guests=[o for o in objects if isinstance(o, Guest)],
    )


def netbox(*objects: Node | Guest) -> ClusterState:
    return state(Side.NETBOX, *objects)


def proxmox(*objects: Node | Guest) -> ClusterState:
    return state(Side.PROXMOX, *objects)


def mirrored(*proxmox_objects: Node | Guest) -> tuple[ClusterState, ClusterState]:
    """Both sides holding the same objects."""
    return netbox(*(netbox_twin(o) for o in proxmox_objects)), proxmox(*proxmox_objects)


def plan(nb: ClusterState, px: ClusterState, **policy: Any) -> ConnectionPlan:
    return plan_connection(CONNECTION, nb, px, PolicyConfig(**policy))


def by_id(result: ConnectionPlan | list[Change]) -> dict[str, Change]:
    changes = result.changes if isinstance(result, ConnectionPlan) else result
    return {c.id: c for c in changes}


def only(result: ConnectionPlan) -> Change:
    assert len(result.changes) == 1, [c.id for c in result.changes]
    return result.changes[0]
