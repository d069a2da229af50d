"""Policy action ``notify``: reported with what netmox would do, never written; in the matrix and per property."""

from __future__ import annotations

from planner_builders import by_id, mirrored, netbox, netbox_twin, only, plan, proxmox, px_guest, px_node

from netmox_cli.config.schema import PolicyConfig
from netmox_cli.model.plan import Action, Direction, Issue, Plan
from netmox_cli.model.state import ObjectKind, Side
from netmox_cli.planner import build_plan, resolve_policy
from netmox_cli.planner.policy import recorded_policy


def drifted():
    """vm101 whose memory and description differ between the sides."""
    nb, px = mirrored(px_node(), px_guest(101))
    nb.guests[0].memory_mib = 4096
    nb.guests[0].description = "documented"
    return nb, px


def test_a_notify_property_is_reported_with_what_netmox_would_write_and_the_rest_applies():
    nb, px = drifted()
    result = by_id(plan(nb, px, prefer="netbox", properties={"memory": "notify"}))
    assert set(result) == {"lab/qemu/101#proxmox", "lab/qemu/101#notify"}
    update, notice = result["lab/qemu/101#proxmox"], result["lab/qemu/101#notify"]
    assert [p.name for p in update.properties] == ["description"]
    assert notice.action is Action.NOTIFY and not notice.action.writes and notice.target is None
    (memory,) = notice.properties
    assert (memory.name, memory.notify, memory.direction, memory.after) == (
        "memory",
        True,
        Direction.NETBOX_TO_PROXMOX,
        4096,
    )


def test_a_notify_matrix_cell_reports_every_difference_of_the_kind():
    nb, px = drifted()
    notice = only(plan(nb, px, prefer="proxmox", matrix={"qemu": {"mismatch": "notify"}}))
    assert notice.id == "lab/qemu/101#notify"
    assert {p.name: p.direction for p in notice.properties} == {
        "memory": Direction.PROXMOX_TO_NETBOX,
        "description": Direction.PROXMOX_TO_NETBOX,
    }
    assert all(p.notify for p in notice.properties)


def test_an_explicit_property_direction_wins_over_a_notify_cell():
    nb, px = drifted()
    result = by_id(
        plan(nb, px, prefer="netbox", matrix={"qemu": {"mismatch": "notify"}}, properties={"memory": "netbox->proxmox"})
    )
    assert [p.name for p in result["lab/qemu/101#proxmox"].properties] == ["memory"]
    assert [p.name for p in result["lab/qemu/101#notify"].properties] == ["description"]


def test_without_a_preferred_side_a_notify_says_netmox_would_skip():
    nb, px = drifted()
    result = by_id(plan(nb, px, properties={"memory": "notify"}))
    (memory,) = result["lab/qemu/101#notify"].properties
    assert memory.direction is Direction.SKIP and memory.reason.startswith("no preferred side")


def test_a_one_sided_object_under_notify_names_what_netmox_would_do():
    nb = netbox(netbox_twin(px_node()), netbox_twin(px_guest(102)))
    px = proxmox(px_node())
    notice = only(plan(nb, px, prefer="netbox", matrix={"qemu": {"netbox-only": "notify"}}))
    assert (notice.id, notice.action, notice.issue, notice.target) == (
        "lab/qemu/102#notify",
        Action.NOTIFY,
        Issue.NETBOX_ONLY,
        Side.PROXMOX,
    )
    assert notice.reason == "policy: matrix.qemu.netbox-only = notify; netmox would create it on Proxmox VE"
    without_delete = only(plan(nb, px, prefer="proxmox", matrix={"qemu": {"netbox-only": "notify"}}))
    assert without_delete.target is None and "netmox would not: would delete" in (without_delete.reason or "")


def test_notify_counts_as_a_change_in_the_summary_and_survives_a_saved_plan():
    nb, px = drifted()
    policy = PolicyConfig(prefer="netbox", properties={"memory": "notify"}, matrix={"lxc": {"mismatch": "notify"}})
    resolved = resolve_policy(policy)
    assert resolved.record.matrix["lxc"]["mismatch"] == "notify" and resolved.record.properties == {"memory": "notify"}
    only_notify = plan(nb, px, prefer="netbox", matrix={"qemu": {"mismatch": "notify"}})
    summary = build_plan([only_notify], [], resolved, "test").summary
    assert (summary.notify, summary.changes, summary.proxmox.update) == (1, True, 0)
    saved = Plan.model_validate_json(build_plan([only_notify], [], resolved, "test").model_dump_json())
    again = resolve_policy(recorded_policy(saved.policy, PolicyConfig()))
    assert again.notifies(ObjectKind.QEMU, "memory") and again.notifies(ObjectKind.LXC, "tags")
    assert not again.notifies(ObjectKind.QEMU, "tags")
