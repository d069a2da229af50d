"""Workflow 3, drift: changes made by hand on both sides are found exactly, and a policy applies them both ways."""

from __future__ import annotations

import json
from dataclasses import dataclass
from subprocess import CompletedProcess

import pytest

from tests.e2e.conftest import Lab, words
from tests.e2e.seeding import cluster_id, seed_pve, unused_prefix
from tests.support.fakepve_lab import LabPve

pytestmark = [pytest.mark.e2e, pytest.mark.netbox, pytest.mark.fakepve]

DRIFT_POLICY = """\
# Runtime facts come from Proxmox VE; what people decided is in NetBox.
prefer = "netbox"

[properties]
status = "proxmox->netbox"
memory = "proxmox->netbox"
"""


@dataclass
class Drifted:
    lab: Lab
    pve: LabPve
    plan_text: CompletedProcess[str]
    plan: dict
    apply: CompletedProcess[str]
    plan_after: CompletedProcess[str]


@pytest.fixture(scope="module")
def drifted(new_lab, new_pve) -> Drifted:
    lab: Lab = new_lab("drift")
    nb = lab.netbox.api()
    pve: LabPve = new_pve()
    seed_pve(pve, unused_prefix(nb))
    connection = lab.add("lab", pve)
    lab.netmox("apply", "--prefer", "proxmox", "--auto-approve")  # documented and in sync

    web = pve.vm(100)  # someone resizes memory and edits the description in the Proxmox VE GUI
    web.config["memory"] = "4096"
    web.config["description"] = "public web server, resized for the sale"
    db = pve.vm(101)  # the VM crashes
    db.status = db.qmpstatus = "stopped"
    db.started_at = None
    build = nb.virtualization.virtual_machines.get(name="build01", cluster_id=cluster_id(nb, connection.cluster))
    build.update({"name": "build02"})  # renamed in NetBox

    (lab.root / "drift-policy.toml").write_text(DRIFT_POLICY, encoding="utf-8")
    policy = ("--policy", "drift-policy.toml")
    plan_text = lab.netmox("plan", *policy)
    lab.netmox("plan", *policy, "--out", "plan.json")
    plan = json.loads((lab.root / "plan.json").read_text(encoding="utf-8"))
    apply = lab.netmox("apply", *policy, "--auto-approve")
    return Drifted(
        lab=lab,
        pve=pve,
        plan_text=plan_text,
        plan=plan,
        apply=apply,
        plan_after=lab.netmox("plan", *policy, "--detailed-exitcode"),
    )


def test_plan_shows_exactly_the_four_differences_with_their_directions(drifted: Drifted):
    found = {
        (change["key"], prop["name"], prop["direction"])
        for change in drifted.plan["changes"]
        for prop in change["properties"]
        if change["action"] != "ignore"
    }
    assert found == {
        ("100", "memory", "proxmox->netbox"),
        ("100", "description", "netbox->proxmox"),
        ("101", "status", "proxmox->netbox"),
        ("102", "name", "netbox->proxmox"),
    }
    assert drifted.plan["summary"]["netbox"]["update"] == 2
    assert drifted.plan["summary"]["proxmox"]["update"] == 2


def test_plan_text_names_each_difference_and_where_it_goes(drifted: Drifted):
    text = words(drifted.plan_text.stdout)
    assert "memory: 2048 → 4096 MiB (Proxmox VE → NetBox)" in text
    assert 'description: "public web server, resized for the sale" → "public web server" (NetBox → Proxmox VE)' in text
    assert "status: active → offline (Proxmox VE → NetBox)" in text
    assert 'name: "build01" → "build02" (NetBox → Proxmox VE)' in text


def test_one_apply_writes_both_ways(drifted: Drifted):
    assert "Apply complete: 4 applied, 0 stale, 0 failed." in drifted.apply.stdout
    nb = drifted.lab.netbox.api()
    cid = cluster_id(nb, drifted.lab.connections[0].cluster)
    vms = {vm.custom_fields["proxmox_vmid"]: vm for vm in nb.virtualization.virtual_machines.filter(cluster_id=cid)}
    assert vms[100].memory == 4096  # Proxmox VE -> NetBox
    assert vms[101].status.value == "offline"  # Proxmox VE -> NetBox: the crash is documented, not undone
    assert drifted.pve.vm(101).status == "stopped"
    assert drifted.pve.vm(100).config["description"] == "public web server"  # NetBox -> Proxmox VE
    assert drifted.pve.vm(102).config["name"] == "build02"  # NetBox -> Proxmox VE
    assert vms[100].description == "public web server"


def test_after_the_apply_both_sides_agree(drifted: Drifted):
    assert drifted.plan_after.returncode == 0, drifted.plan_after.stdout
