"""Finding the object a change is about in one side's state."""

from __future__ import annotations

from netmox_cli.model.kinds import KINDS
from netmox_cli.model.state import ClusterState, Guest, Node, ObjectKind


def find_object(state: ClusterState, kind: ObjectKind, key: str) -> Node | Guest | None:
    """The object of ``kind``'s collection with ``key`` (the node named ``key``, the guest with VMID ``key``)."""
    return KINDS[kind].find(state, key)
