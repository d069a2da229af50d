"""Finding the object a change is about in one side's state."""

from __future__ import annotations

from netmox_cli.model.state import ClusterState, Guest, Node, ObjectKind


def find_object(state: ClusterState, kind: ObjectKind, key: str) -> Node | Guest | None:
    """The node named ``key``, or the guest with VMID ``key`` (preferring one of ``kind``)."""
    if kind is ObjectKind.NODE:
        return state.node(key)
    matches = [guest for guest in state.guests if str(guest.vmid) == key]
    return next((g for g in matches if g.kind == kind.value), matches[0] if matches else None)
