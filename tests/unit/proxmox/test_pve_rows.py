"""Which /cluster/resources rows become guests."""

from __future__ import annotations

import pytest

from netmox_cli.providers.proxmox import responses
from netmox_cli.providers.proxmox.snapshot import Snapshotter


@pytest.mark.parametrize(
    ("row", "wanted"),
    [
        ({"type": "qemu", "vmid": 100, "node": "pve1"}, True),
        ({"type": "lxc", "vmid": "200", "node": "pve1", "template": 0}, True),
        ({"type": "qemu", "vmid": 9000, "node": "pve1", "template": 1}, False),
        ({"type": "network", "id": "network/pve1/zone/z1", "network": "z1"}, False),
        ({"type": "openvz", "vmid": 300, "node": "pve1"}, False),
    ],
)
def test_only_qemu_and_lxc_rows_become_guests(row: dict[str, object], wanted: bool) -> None:
    assert Snapshotter(client=None, include_templates=False).wanted(row) is wanted  # type: ignore[arg-type]


@pytest.mark.parametrize("row", [{"type": "qemu", "node": "pve1"}, {"type": "lxc", "vmid": 200}, "garbage"])
def test_a_guest_row_without_vmid_or_node_is_not_skipped_but_refused(row: object) -> None:
    """Skipping it would read the guest as gone; the whole listing is not to be trusted."""
    with pytest.raises(responses.ShapeError):
        responses.check(responses.RESOURCES, [row])


def test_templates_become_guests_when_configured() -> None:
    row = {"type": "qemu", "vmid": 9000, "node": "pve1", "template": 1}
    assert Snapshotter(client=None, include_templates=True).wanted(row) is True  # type: ignore[arg-type]
