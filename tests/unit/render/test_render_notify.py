"""A notify entry in every plan view: its own symbol and action, what netmox would do, counted in the summary."""

from __future__ import annotations

import json

from netmox_cli.model.plan import Action, Change, ConnectionInfo, Direction, Issue, Plan, PropertyChange
from netmox_cli.model.state import ObjectKind, Side
from netmox_cli.render.html_view import render_html
from netmox_cli.render.json_view import render_json
from netmox_cli.render.markdown import render_markdown
from netmox_cli.render.notice_text import notice_text
from netmox_cli.render.text import render_text

MEMORY = PropertyChange(
    name="memory", netbox=2048, proxmox=4096, direction=Direction.NETBOX_TO_PROXMOX, after=2048, notify=True
)


def notify_plan() -> Plan:
    notice = Change(
        id="lab/qemu/101#notify",
        connection="lab",
        kind=ObjectKind.QEMU,
        key="101",
        name="web-01",
        node="pve1",
        issue=Issue.MISMATCH,
        action=Action.NOTIFY,
        properties=[MEMORY],
        reason="reported, not applied (policy: notify)",
        basis="sha256:0",
    )
    info = ConnectionInfo(name="lab", netbox="nb", proxmox="pve")
    return Plan(netmox_version="t", connections=[info], changes=[notice]).summarize()


def test_the_text_view_draws_notify_as_its_own_action_with_what_netmox_would_do():
    lines = render_text(notify_plan()).splitlines()
    assert lines[2] == '    * qemu 101 "web-01": notify: reported, not applied (policy: notify)'
    assert lines[3] == "        memory: 4096 → 2048 MiB (NetBox → Proxmox VE) — notify only, not applied"
    assert lines[-1].endswith("0 ignored, 0 conflicts, 0 manual, 1 to notify.")


def test_markdown_html_and_json_carry_the_notify_entry():
    plan = notify_plan()
    assert "1 to notify" in render_markdown(plan) and "`*`" in render_markdown(plan)
    assert 'class="act notify"' in render_html(plan) and "notify only, not applied" in render_html(plan)
    data = json.loads(render_json(plan))
    assert data["summary"]["notify"] == 1 and data["summary"]["changes"] is True
    assert data["changes"][0]["action"] == "notify" and data["changes"][0]["properties"][0]["notify"] is True


def test_the_journal_text_says_what_differs_and_what_netmox_would_do():
    text = notice_text(notify_plan().changes[0], 7)
    assert text == (
        "netmox run 7: differs between NetBox and Proxmox VE, not applied (policy: notify):\n"
        "- memory: NetBox 2048 MiB, Proxmox VE 4096 MiB; netmox would write 2048 MiB to Proxmox VE"
    )
    assert Side.PROXMOX.label in text
