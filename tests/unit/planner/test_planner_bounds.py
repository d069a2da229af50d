"""Bounds: a value either side would refuse is "cannot apply" in the plan, with the limit quoted.

The Proxmox VE limits are cross-checked against the API schema in ``../shared/pve-api/`` when it is
there (the test skips otherwise). The NetBox limits are those of NetBox 4.7's models.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from planner_builders import mirrored, plan, px_guest, px_node

from netmox_cli.model.plan import Action
from netmox_cli.model.state import Guest, ObjectKind, Side
from netmox_cli.planner import bounds

PVE_API = Path(__file__).resolve().parents[3] / ".." / "shared" / "pve-api" / "pve-api-netmox-subset.json"


@pytest.fixture(scope="module")
def pve_schema() -> dict:
    if not PVE_API.exists():
        pytest.skip(f"{PVE_API} is not there")
    return json.loads(PVE_API.read_text(encoding="utf-8"))["paths"]


def parameter(schema: dict, path: str, method: str, name: str) -> dict:
    return schema[path][method]["parameters"]["properties"][name]


def test_the_proxmox_limits_are_the_api_schemas(pve_schema: dict) -> None:
    for path, method in (("/nodes/{node}/qemu", "POST"), ("/nodes/{node}/lxc/{vmid}/config", "PUT")):
        vmid = parameter(pve_schema, path, method, "vmid")
        assert (vmid["minimum"], vmid["maximum"]) == (bounds.PVE_VMID_MIN, bounds.PVE_VMID_MAX)
        assert parameter(pve_schema, path, method, "description")["maxLength"] == bounds.PVE_DESCRIPTION_MAX
        assert parameter(pve_schema, path, method, "tags")["format"] == "pve-tag-list"
        assert parameter(pve_schema, path, method, "cores")["minimum"] == bounds.PVE_VCPUS_MIN
    qemu_memory = parameter(pve_schema, "/nodes/{node}/qemu/{vmid}/config", "PUT", "memory")
    assert qemu_memory["format"]["current"]["minimum"] == bounds.PVE_MEMORY_MIN_MIB
    assert "maximum" not in qemu_memory["format"]["current"]  # hence get_max_mem's 4 TiB cap
    lxc = "/nodes/{node}/lxc/{vmid}/config"
    assert parameter(pve_schema, lxc, "PUT", "memory")["minimum"] == bounds.PVE_MEMORY_MIN_MIB
    assert parameter(pve_schema, lxc, "PUT", "swap")["minimum"] == bounds.PVE_SWAP_MIN_MIB
    assert parameter(pve_schema, lxc, "PUT", "cores")["maximum"] == bounds.PVE_LXC_CORES_MAX
    hostname = parameter(pve_schema, lxc, "PUT", "hostname")
    assert (hostname["format"], hostname["maxLength"]) == ("dns-name", bounds.PVE_HOSTNAME_MAX)
    assert parameter(pve_schema, "/nodes/{node}/qemu", "POST", "name")["format"] == "dns-name"


@pytest.mark.parametrize(
    ("value", "kind", "side", "reason"),
    [
        (10**30, ObjectKind.QEMU, Side.PROXMOX, "memory 1e+30 MiB is above Proxmox VE's maximum of 4194304 MiB"),
        (8, ObjectKind.LXC, Side.PROXMOX, "memory 8 MiB is below Proxmox VE's minimum of 16 MiB"),
        (-1, ObjectKind.QEMU, Side.NETBOX, "memory -1 MiB is below NetBox's minimum of 0 MiB"),
        (2**31, ObjectKind.QEMU, Side.NETBOX, "memory 2147483648 MiB is above NetBox's maximum of 2147483647 MiB"),
        (4 * 1024 * 1024, ObjectKind.QEMU, Side.PROXMOX, None),
        (16, ObjectKind.LXC, Side.PROXMOX, None),
    ],
)
def test_memory_bounds(value: int, kind: ObjectKind, side: Side, reason: str | None) -> None:
    assert bounds.memory(value, side, kind) == reason


@pytest.mark.parametrize(
    ("name", "side", "ok"),
    [
        ("web-01", Side.PROXMOX, True),
        ("web01.example.com", Side.PROXMOX, True),
        ("web_01", Side.PROXMOX, False),
        ("-web", Side.PROXMOX, False),
        ("web-", Side.PROXMOX, False),
        ("web 01", Side.PROXMOX, False),
        ("web\nfake", Side.PROXMOX, False),
        ("x" * 64, Side.NETBOX, True),
        ("x" * 65, Side.NETBOX, False),
        ("web_01 (old)", Side.NETBOX, True),
    ],
)
def test_guest_names(name: str, side: Side, ok: bool) -> None:
    assert (bounds.name(name, side, ObjectKind.QEMU) is None) is ok


def test_vmids_outside_proxmox_ves_range() -> None:
    assert bounds.vmid(99, Side.PROXMOX) == "VMID 99 is below Proxmox VE's minimum of 100"
    assert bounds.vmid(1_000_000_000, Side.PROXMOX) == "VMID 1000000000 is above Proxmox VE's maximum of 999999999"
    assert bounds.vmid(99, Side.NETBOX) is None


def test_an_absurd_memory_update_is_cannot_apply_with_the_limit_quoted() -> None:
    nb, px = mirrored(px_node(), px_guest(101))
    nb.guests[0].memory_mib = 10**30
    [change] = plan(nb, px, prefer="netbox").changes
    assert change.action is Action.IGNORE
    assert change.reason == "cannot apply: memory 1e+30 MiB is above Proxmox VE's maximum of 4194304 MiB"


def test_a_huge_vcpu_count_is_cannot_apply_not_a_whole_number_question() -> None:
    nb, px = mirrored(px_node(), px_guest(101))
    nb.guests[0].vcpus = 1e308
    [change] = plan(nb, px, prefer="netbox").changes
    assert change.reason == "cannot apply: vcpus 1e+308 is above Proxmox VE's maximum of 8192"


def test_a_create_that_breaks_a_bound_is_refused_whole_not_made_half_right() -> None:
    nb, px = mirrored(px_node())
    nb.guests.append(
        Guest(vmid=1_000_000_000, kind="qemu", name="bad_name", node="pve1", memory_mib=1024, vcpus=1, status="active")
    )
    [change] = [c for c in plan(nb, px, prefer="netbox").changes if c.key == "1000000000"]
    assert change.action is Action.IGNORE and change.properties == []
    assert change.reason == (
        "cannot apply: VMID 1000000000 is above Proxmox VE's maximum of 999999999; name 'bad_name' is not a DNS name, "
        "which Proxmox VE requires (letters, digits and inner hyphens, in dot-separated labels)"
    )


def test_a_proxmox_guest_netbox_cannot_hold_is_not_created_there() -> None:
    nb, px = mirrored(px_node())
    px.guests.append(px_guest(150, name="x" * 70))
    [change] = [c for c in plan(nb, px, prefer="proxmox").changes if c.key == "150"]
    assert change.action is Action.IGNORE
    assert change.reason == "cannot apply: the name is 70 characters long; NetBox takes at most 64"


def test_infinite_or_nan_vcpus_in_a_snapshot_are_refused_by_the_model() -> None:
    with pytest.raises(ValueError, match="finite number"):
        Guest(vmid=101, kind="qemu", vcpus=float("inf"))
