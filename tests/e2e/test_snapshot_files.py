"""``netmox snapshot`` writes a live side as a snapshot file that plans exactly like the live system."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import Lab
from tests.e2e.seeding import seed_device, seed_netbox_vm, seed_pve, unused_prefix
from tests.support.fakepve_lab import LabPve

pytestmark = [pytest.mark.e2e, pytest.mark.netbox, pytest.mark.fakepve]


def comparable(plan: dict) -> dict:
    """A plan without what differs by construction: when it was made and where (and what) each side was read from."""
    plan = dict(plan)
    plan.pop("created")
    where = ("netbox", "proxmox", "netbox_identity", "proxmox_identity")
    plan["connections"] = [{k: v for k, v in c.items() if k not in where} for c in plan["connections"]]
    return plan


def test_snapshots_of_both_sides_plan_identically_to_the_live_systems(new_lab, new_pve):
    lab: Lab = new_lab("snapshot")
    nb = lab.netbox.api()
    net = unused_prefix(nb)
    pve: LabPve = new_pve()
    seed_pve(pve, net)
    connection = lab.add("lab", pve)
    seed_device(nb, connection.cluster, "pve1", description="rack A, slot 1")
    seed_netbox_vm(  # documented with other sizes than it has
        nb,
        connection.cluster,
        vmid=100,
        kind="qemu",
        name="web01",
        node="pve1",
        vcpus=4,
        memory=1024,
        disk=("scsi0", 32 * 1024),
        nic=("net0", "BC:24:11:00:01:00", [f"{net}.11/24"]),
        tags=["prod"],
    )
    seed_netbox_vm(  # documented, not deployed yet
        nb,
        connection.cluster,
        vmid=120,
        kind="lxc",
        name="new01",
        node="pve1",
        vcpus=1,
        memory=256,
        swap=0,
        disk=("rootfs", 2048),
        nic=("net0", "BC:24:11:00:01:20", [f"{net}.120/24"]),
        tags=[],
    )
    live = json.loads(lab.netmox("plan", "--prefer", "netbox", "--json").stdout)

    for side in ("netbox", "proxmox"):
        written = lab.netmox("snapshot", "--connection", "lab", "--side", side, "--out", f"{side}.json")
        assert f"to {side}.json" in written.stdout
    offline = lab.root / "offline.toml"
    offline.write_text(
        f'[connections.lab]\ncluster = "{connection.cluster}"\n'
        'netbox = { type = "file", path = "netbox.json" }\nproxmox = { type = "file", path = "proxmox.json" }\n',
        encoding="utf-8",
    )
    replayed = json.loads(lab.netmox("plan", "--config", str(offline), "--prefer", "netbox", "--json").stdout)

    assert live["summary"]["changes"] is True
    assert comparable(replayed) == comparable(live)
    assert json.loads((lab.root / "netbox.json").read_text())["side"] == "netbox"
