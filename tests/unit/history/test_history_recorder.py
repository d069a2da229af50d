"""History rows of a create hold the values it sets, not the properties the source leaves unset."""

from __future__ import annotations

from netmox_cli.history.recorder import change_rows
from netmox_cli.model.plan import Action, Change, Direction, Issue, PropertyChange
from netmox_cli.model.state import ObjectKind, Side


def test_a_create_records_only_the_properties_it_sets():
    change = Change(
        id="lab/lxc/210#proxmox",
        connection="lab",
        kind=ObjectKind.LXC,
        key="210",
        name="proxy01",
        issue=Issue.NETBOX_ONLY,
        action=Action.CREATE,
        target=Side.PROXMOX,
        basis="sha256:0",
        properties=[
            PropertyChange(name="name", netbox="proxy01", direction=Direction.NETBOX_TO_PROXMOX, after="proxy01"),
            PropertyChange(name="description", netbox=None, direction=Direction.NETBOX_TO_PROXMOX),
            PropertyChange(name="tags", netbox=[], direction=Direction.NETBOX_TO_PROXMOX, after=[]),
        ],
    )
    rows = change_rows(change, "applied", None)
    assert [(row.property, row.before, row.after) for row in rows] == [("name", None, "proxy01")]
