"""One written value: what the plan shows as ``after`` is what the history records and what the target holds.

Against the real NetBox and fakepve, both directions: properties edited on one side are planned into a
file, the file is applied, and for every written property the plan's ``after``, the history row's
``after`` and the value read back from the target afterwards are the same.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from netmox_cli.model.state import ObjectKind, Side
from netmox_cli.planner import REGISTRY, find_object
from netmox_cli.providers.file import read_snapshot
from tests.e2e.conftest import Lab
from tests.e2e.seeding import cluster_id, ensure_tag, seed_pve, unused_prefix
from tests.support.fakepve_lab import LabPve

pytestmark = [pytest.mark.e2e, pytest.mark.netbox, pytest.mark.fakepve]


def imported_lab(new_lab, new_pve, name: str) -> tuple[Lab, LabPve]:
    lab: Lab = new_lab(name)
    pve: LabPve = new_pve()
    seed_pve(pve, unused_prefix(lab.netbox.api()))
    lab.add("lab", pve)
    lab.netmox("apply", "--prefer", "proxmox", "--auto-approve")
    return lab, pve


def apply_saved(lab: Lab, prefer: str) -> tuple[dict[str, Any], dict[str, Any]]:
    lab.netmox("plan", "--prefer", prefer, "--out", "plan.json")
    plan = json.loads((lab.root / "plan.json").read_text(encoding="utf-8"))
    lab.netmox("apply", "plan.json", "--auto-approve")
    [run] = json.loads(lab.netmox("history", "--json", "--limit", "1").stdout)
    history = json.loads(lab.netmox("history", "show", str(run["id"]), "--json").stdout)
    return plan, history


def assert_one_written_value(lab: Lab, plan: dict[str, Any], history: dict[str, Any], side: Side) -> set[str]:
    lab.netmox("snapshot", "--connection", "lab", "--side", side.value, "--out", "after.json")
    target = read_snapshot(lab.root / "after.json", side)
    recorded = {(row["change_id"], row["property"]): row["after"] for row in history["changes"]}
    written: set[str] = set()
    for change in plan["changes"]:
        if change["action"] != "update" or change["target"] != side.value:
            continue
        kind = ObjectKind(change["kind"])
        obj = find_object(target, kind, change["key"])
        for prop in change["properties"]:
            if prop["direction"] == "skip":
                continue
            declared = REGISTRY.get(prop["name"], kind)
            assert recorded[(change["id"], prop["name"])] == prop["after"], (change["id"], prop["name"])
            assert declared.read(obj) == prop["after"], (change["id"], prop["name"])
            written.add(prop["name"])
    return written


def test_netbox_to_proxmox_writes_exactly_the_planned_values(new_lab, new_pve) -> None:
    lab, _pve = imported_lab(new_lab, new_pve, "written-nb")
    nb = lab.netbox.api()
    vm = nb.virtualization.virtual_machines.get(name="web01", cluster_id=cluster_id(nb, lab.connections[0].cluster))
    vm.update(
        {
            "memory": 3072,
            "vcpus": 4,
            "description": "edited in NetBox",
            "tags": [ensure_tag(nb, "Stage-A"), ensure_tag(nb, "web")],  # Proxmox VE stores tags lowercased
        }
    )
    plan, history = apply_saved(lab, "netbox")
    written = assert_one_written_value(lab, plan, history, Side.PROXMOX)
    assert {"memory", "vcpus", "description", "tags"} <= written
    tags = next(p for c in plan["changes"] if c["key"] == "100" for p in c["properties"] if p["name"] == "tags")
    assert tags["after"] == ["stage-a", "web"]


def test_proxmox_to_netbox_writes_exactly_the_planned_values(new_lab, new_pve) -> None:
    lab, pve = imported_lab(new_lab, new_pve, "written-px")
    web = pve.vm(100)
    web.config["memory"] = "6144"
    web.config["description"] = "edited in the Proxmox VE GUI"
    web.config["tags"] = "cache;prod;web"
    web.config["net0"] = "virtio=BC:24:11:00:01:99,bridge=vmbr0,firewall=1"  # a new MAC
    plan, history = apply_saved(lab, "proxmox")
    written = assert_one_written_value(lab, plan, history, Side.NETBOX)
    assert {"memory", "description", "tags", "interfaces"} <= written
