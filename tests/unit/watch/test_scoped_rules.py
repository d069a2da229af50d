"""When a scoped read is not enough: every change a whole-cluster check could alter sends the run to a full read."""

from __future__ import annotations

from netmox_cli.model.plan import Action, Change, Direction, Issue, PropertyChange
from netmox_cli.model.state import ObjectKind, Side
from netmox_cli.watch.scoped import needs_full_read


def change(
    issue: Issue, action: Action, target: Side | None, props: tuple[str, ...] = (), kind=ObjectKind.QEMU
) -> Change:
    properties = [PropertyChange(name=p, netbox=1, proxmox=2, direction=Direction.NETBOX_TO_PROXMOX) for p in props]
    key = "pve1" if kind is ObjectKind.NODE else "101"
    return Change(
        id=f"lab/{kind.value}/{key}",
        connection="lab",
        kind=kind,
        key=key,
        issue=issue,
        action=action,
        target=target,
        properties=properties,
        basis="x",
    )


def test_updates_and_creates_on_proxmox_are_decided_by_the_scope() -> None:
    assert needs_full_read([]) is None
    assert needs_full_read([change(Issue.MISMATCH, Action.UPDATE, Side.PROXMOX, ("memory",))]) is None
    assert needs_full_read([change(Issue.MISMATCH, Action.UPDATE, Side.NETBOX, ("memory",))]) is None
    assert needs_full_read([change(Issue.NETBOX_ONLY, Action.CREATE, Side.PROXMOX, ("name",))]) is None


def test_deletes_one_sided_outcomes_renames_and_nodes_need_the_cluster() -> None:
    assert "one side only" in needs_full_read([change(Issue.PROXMOX_ONLY, Action.DELETE, Side.PROXMOX)])
    assert "one side only" in needs_full_read([change(Issue.PROXMOX_ONLY, Action.CONFLICT, Side.PROXMOX)])
    assert "one side only" in needs_full_read([change(Issue.PROXMOX_ONLY, Action.CREATE, Side.NETBOX)])
    assert "one side only" in needs_full_read([change(Issue.NETBOX_ONLY, Action.IGNORE, None)])
    assert "rename" in needs_full_read([change(Issue.MISMATCH, Action.UPDATE, Side.PROXMOX, ("name",))])
    assert "node" in needs_full_read([change(Issue.MISMATCH, Action.UPDATE, Side.NETBOX, kind=ObjectKind.NODE)])
