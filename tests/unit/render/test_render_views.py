"""The plan views: exact lines for each kind of change, the summary sentence, Markdown escaping, the schema doc."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from netmox_cli.model.plan import (
    Action,
    Change,
    ConnectionInfo,
    Direction,
    Issue,
    Plan,
    PropertyChange,
    Summary,
    TargetCounts,
)
from netmox_cli.model.state import ObjectKind, Side
from netmox_cli.render.json_view import plan_digest, render_json
from netmox_cli.render.markdown import escape, render_markdown
from netmox_cli.render.plan_schema import plan_format_markdown, plan_schema, schema_from_markdown
from netmox_cli.render.text import render_text, summary_line

DOCS = Path(__file__).resolve().parents[3] / "docs" / "plan-format.md"


def change(action: Action, *props: PropertyChange, kind=ObjectKind.QEMU, key="101", **extra) -> Change:
    defaults = {
        "id": f"lab/{kind.value}/{key}#{action.value}",
        "connection": "lab",
        "kind": kind,
        "key": key,
        "name": "web-01" if kind is not ObjectKind.NODE else key,
        "node": "pve1" if kind is not ObjectKind.NODE else None,
        "issue": Issue.MISMATCH,
        "action": action,
        "target": Side.PROXMOX if action.writes else None,
        "properties": list(props),
        "basis": "sha256:0",
    }
    return Change(**{**defaults, **extra})


def plan_of(*changes: Change) -> Plan:
    info = ConnectionInfo(name="lab", netbox="nb.json", proxmox="pve.json")
    return Plan(netmox_version="0", connections=[info], changes=list(changes)).summarize()


def memory(netbox: int, proxmox: int) -> PropertyChange:
    return PropertyChange(
        name="memory", netbox=netbox, proxmox=proxmox, direction=Direction.NETBOX_TO_PROXMOX, after=netbox
    )


def test_an_update_shows_one_line_per_property_with_unit_and_direction() -> None:
    text = render_text(plan_of(change(Action.UPDATE, memory(4096, 2048))))
    assert text.splitlines()[:4] == [
        "lab: NetBox nb.json, Proxmox VE pve.json",
        "  node pve1",
        '    ~ qemu 101 "web-01": update on Proxmox VE',
        "        memory: 2048 → 4096 MiB (NetBox → Proxmox VE)",
    ]


def test_a_status_is_shown_in_the_target_side_words() -> None:
    status = PropertyChange(
        name="status", netbox="offline", proxmox="running", direction=Direction.NETBOX_TO_PROXMOX, after="stopped"
    )
    assert "        status: running → stopped (NetBox → Proxmox VE)" in render_text(
        plan_of(change(Action.UPDATE, status))
    )


def test_a_skipped_property_shows_both_values_and_the_reason() -> None:
    vcpus = PropertyChange(name="vcpus", netbox=1.5, proxmox=2, direction=Direction.SKIP, reason="cannot apply: 1.5")
    text = render_text(plan_of(change(Action.IGNORE, vcpus, reason="cannot apply: 1.5")))
    assert '    · qemu 101 "web-01": ignored: cannot apply: 1.5' in text.splitlines()
    assert "        vcpus: NetBox 1.5, Proxmox VE 2 — skipped: cannot apply: 1.5" in text.splitlines()


def test_keyed_lists_show_only_the_entries_that_differ() -> None:
    disks = PropertyChange(
        name="disks",
        netbox=[
            {"name": "scsi0", "size_mib": 4096, "storage": None},
            {"name": "scsi1", "size_mib": 10, "storage": None},
        ],
        proxmox=[{"name": "scsi0", "size_mib": 2048, "storage": "local"}],
        direction=Direction.NETBOX_TO_PROXMOX,
        after=[  # merged over Proxmox VE's: the storage it has is kept
            {"name": "scsi0", "size_mib": 4096, "storage": "local"},
            {"name": "scsi1", "size_mib": 10, "storage": None},
        ],
    )
    lines = render_text(plan_of(change(Action.UPDATE, disks))).splitlines()
    assert lines[3:6] == [
        "        disks: (NetBox → Proxmox VE)",
        "          ~ scsi0 size_mib: 2048 → 4096 MiB",
        "          + scsi1 10 MiB",
    ]


def test_every_action_has_its_symbol_and_guests_group_under_their_node() -> None:
    plan = plan_of(
        change(Action.CREATE, key="105", name="new", issue=Issue.NETBOX_ONLY),
        change(Action.DELETE, key="106", name="old", issue=Issue.PROXMOX_ONLY),
        change(Action.CONFLICT, key="108", name="app", reason="name taken"),
        change(Action.MANUAL, kind=ObjectKind.NODE, key="pve4", reason="install the node"),
        change(Action.UPDATE, kind=ObjectKind.NODE, key="pve1", target=Side.NETBOX),
    )
    assert render_text(plan).splitlines()[1:8] == [
        "  ~ node pve1: update on NetBox",
        '    + qemu 105 "new": create on Proxmox VE',
        '    - qemu 106 "old": delete on Proxmox VE',
        '    ! qemu 108 "app": conflict: name taken',
        "  ? node pve4: manual action needed: install the node",
        "",
        "Plan: 1 to create, 0 to update, 1 to delete on Proxmox VE; 0 to create, 1 to update, 0 to delete on NetBox. "
        "0 ignored, 1 conflict, 1 manual.",
    ]


def test_summary_sentence_matches_the_documented_wording() -> None:
    summary = Summary(
        proxmox=TargetCounts(create=1, update=3),
        netbox=TargetCounts(create=2, update=1),
        ignored=4,
        conflicts=1,
        manual=2,
        changes=True,
    )
    assert summary_line(summary) == (
        "Plan: 1 to create, 3 to update, 0 to delete on Proxmox VE; 2 to create, 1 to update, 0 to delete on NetBox. "
        "4 ignored, 1 conflict, 2 manual."
    )
    assert summary_line(Summary()) == "No changes. NetBox and Proxmox VE are in sync."
    assert summary_line(Summary(ignored=2)) == "No changes. 2 ignored, 0 conflicts, 0 manual."


def test_a_plan_with_an_unreadable_connection_never_claims_to_be_in_sync():
    assert summary_line(Summary(), failed_connections=1) == (
        "No changes. 0 ignored, 0 conflicts, 0 manual. 1 connection could not be read."
    )


def test_a_connection_error_is_shown_instead_of_its_changes() -> None:
    plan = Plan(netmox_version="0", connections=[ConnectionInfo(name="lab", netbox="a", proxmox="b", error="boom")])
    assert render_text(plan).splitlines()[:2] == ["lab: NetBox a, Proxmox VE b", "  error: boom"]


def test_markdown_escapes_user_data() -> None:
    assert escape("a|b *c* [x](y) <img>") == r"a\|b \*c\* \[x\](y) \<img\>"
    description = PropertyChange(
        name="description", netbox="<script>|", proxmox=None, direction=Direction.NETBOX_TO_PROXMOX
    )
    markdown = render_markdown(plan_of(change(Action.UPDATE, description)))
    assert "<script>" not in markdown
    assert "| Proxmox VE | 0 | 1 | 0 |" in markdown


def test_json_view_is_the_plan_model_and_validates_against_its_schema() -> None:
    plan = plan_of(change(Action.UPDATE, memory(4096, 2048)))
    data = json.loads(render_json(plan))
    assert Plan.model_validate(data) == plan
    jsonschema.validate(data, plan_schema())
    assert plan_digest(plan) == plan_digest(Plan.model_validate(data))
    assert plan_digest(plan) != plan_digest(plan_of())


def test_the_published_plan_format_doc_is_current() -> None:
    assert DOCS.read_text(encoding="utf-8") == plan_format_markdown(), "run scripts/gen-plan-schema"
    assert schema_from_markdown(DOCS.read_text(encoding="utf-8")) == json.loads(json.dumps(plan_schema()))


def test_a_value_the_planner_rewrote_is_shown_as_written() -> None:
    name = PropertyChange(
        name="name", netbox=None, proxmox="app", after="app-109", direction=Direction.PROXMOX_TO_NETBOX
    )
    created = change(Action.CREATE, name, key="109", name="app", target=Side.NETBOX, issue=Issue.PROXMOX_ONLY)
    assert '        name: "app-109" (Proxmox VE → NetBox)' in render_text(plan_of(created)).splitlines()


# One block per object: an object's changes (one per target, its skipped and its conflicting
# properties) are drawn under one header and counted once.


def both_ways() -> tuple[Change, Change, Change]:
    """qemu 101: memory to NetBox, description to Proxmox VE, vCPUs skipped — three changes, one object."""
    to_netbox = change(
        Action.UPDATE,
        PropertyChange(name="memory", netbox=2048, proxmox=4096, direction=Direction.PROXMOX_TO_NETBOX, after=4096),
        target=Side.NETBOX,
        id="lab/qemu/101#netbox",
    )
    description = PropertyChange(
        name="description", netbox="new", proxmox="old", direction=Direction.NETBOX_TO_PROXMOX, after="new"
    )
    to_proxmox = change(Action.UPDATE, description, id="lab/qemu/101#proxmox")
    vcpus = PropertyChange(name="vcpus", netbox=1.5, proxmox=2, direction=Direction.SKIP, reason="cannot apply: 1.5")
    skipped = change(Action.IGNORE, vcpus, reason="cannot apply: 1.5", id="lab/qemu/101#ignore")
    return to_netbox, to_proxmox, skipped


def test_an_object_written_both_ways_with_a_skip_is_one_block() -> None:
    lines = render_text(plan_of(*both_ways())).splitlines()
    assert lines[1:6] == [
        "  node pve1",
        '    ~ qemu 101 "web-01": update on NetBox and Proxmox VE',
        "        memory: 2048 → 4096 MiB (Proxmox VE → NetBox)",
        '        description: "old" → "new" (NetBox → Proxmox VE)',
        "        vcpus: NetBox 1.5, Proxmox VE 2 — skipped: cannot apply: 1.5",
    ]
    assert sum("qemu 101" in line for line in lines) == 1


def test_the_summary_counts_objects_once_per_side_written_and_a_skip_is_not_an_ignored_object() -> None:
    summary = plan_of(*both_ways()).summary
    assert (summary.netbox.update, summary.proxmox.update, summary.ignored) == (1, 1, 0)
    assert summary_line(summary).endswith("0 ignored, 0 conflicts, 0 manual.")
    only_ignored = plan_of(both_ways()[2], change(Action.IGNORE, key="102", reason="would delete")).summary
    assert (only_ignored.ignored, only_ignored.changes) == (2, False)


def test_a_property_in_conflict_is_named_in_the_header_and_shown_with_its_reason() -> None:
    taken = "name 'app' is taken"
    name = PropertyChange(name="name", netbox="db", proxmox="app", direction=Direction.SKIP, reason=taken)
    plan = plan_of(
        change(Action.UPDATE, memory(4096, 2048), id="lab/qemu/101#proxmox"),
        change(Action.CONFLICT, name, reason=taken, id="lab/qemu/101#conflict"),
    )
    assert render_text(plan).splitlines()[2:5] == [
        '    ~ qemu 101 "web-01": update on Proxmox VE; 1 property in conflict',
        "        memory: 2048 → 4096 MiB (NetBox → Proxmox VE)",
        '        name: NetBox "db", Proxmox VE "app" — conflict: name \'app\' is taken',
    ]
    assert (plan.summary.proxmox.update, plan.summary.conflicts, plan.summary.ignored) == (1, 1, 0)


def test_an_object_that_is_only_ignored_and_in_conflict_shows_the_conflict_symbol() -> None:
    vcpus = PropertyChange(name="vcpus", netbox=1.5, proxmox=2, direction=Direction.SKIP, reason="cannot apply: 1.5")
    name = PropertyChange(name="name", netbox="db", proxmox="app", direction=Direction.SKIP, reason="taken")
    plan = plan_of(
        change(Action.CONFLICT, name, reason="taken", id="lab/qemu/101#conflict"),
        change(Action.IGNORE, vcpus, reason="cannot apply: 1.5", id="lab/qemu/101#ignore"),
    )
    lines = render_text(plan).splitlines()
    assert lines[2] == '    ! qemu 101 "web-01": conflict: taken'
    assert lines[3:5] == [
        '        name: NetBox "db", Proxmox VE "app" — conflict: taken',
        "        vcpus: NetBox 1.5, Proxmox VE 2 — skipped: cannot apply: 1.5",
    ]
    assert (plan.summary.conflicts, plan.summary.ignored) == (1, 0)


def test_a_block_that_stops_a_guest_is_red_as_a_whole() -> None:
    from netmox_cli.render.text import plan_lines

    status = PropertyChange(
        name="status", netbox="offline", proxmox="running", direction=Direction.NETBOX_TO_PROXMOX, after="stopped"
    )
    to_netbox = change(Action.UPDATE, memory(1, 2), target=Side.NETBOX, id="lab/qemu/101#netbox")
    plan = plan_of(to_netbox, change(Action.UPDATE, status, id="lab/qemu/101#proxmox"))
    header = next(line for line in plan_lines(plan) if "qemu 101" in line.plain)
    assert header.plain == '    ~ qemu 101 "web-01": update on NetBox and Proxmox VE'
    assert str(header.style) == "bold red"


def test_markdown_has_one_item_per_object_and_counts_objects() -> None:
    markdown = render_markdown(plan_of(*both_ways(), change(Action.CREATE, key="105", name="new")))
    items = [line for line in markdown.splitlines() if line.startswith("- ")]
    assert items == [
        '- `~` **lab** qemu 101 "web-01": update on NetBox and Proxmox VE',
        '- `+` **lab** qemu 105 "new": create on Proxmox VE',
    ]
    assert "<details><summary>2 objects</summary>" in markdown
    assert "  - vcpus: NetBox 1.5, Proxmox VE 2 — skipped: cannot apply: 1.5" in markdown
    assert "| NetBox | 0 | 1 | 0 |" in markdown and "| Proxmox VE | 1 | 1 | 0 |" in markdown
