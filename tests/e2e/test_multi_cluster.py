"""Workflow 6, multi-cluster: one config, several connections planned concurrently; one failing does not stop the rest.

Also here: name conflicts (one name on two clusters, or twice in one cluster) never break a run.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from subprocess import CompletedProcess

import pytest

from tests.e2e.conftest import Lab, words
from tests.e2e.seeding import cluster_id
from tests.support.fakepve_lab import LabPve

pytestmark = [pytest.mark.e2e, pytest.mark.netbox, pytest.mark.fakepve]


def record_times(pve: LabPve) -> list[float]:
    """Note when fakepve answers each request (fakepve keeps the requests but not their times)."""
    times: list[float] = []
    record = pve._record

    def timed(request, body):
        times.append(time.monotonic())
        record(request, body)

    pve._record = timed  # type: ignore[method-assign]
    return times


def slow(pve: LabPve, latency: float) -> None:
    pve.time_scale, pve.network["latency"] = (1.0, latency) if latency else (0.0, 0.0)


@dataclass
class Clusters:
    lab: Lab
    east: LabPve
    west: LabPve
    both: CompletedProcess[str]
    times: dict[str, list[float]]
    narrowed: CompletedProcess[str]
    with_broken: CompletedProcess[str]


@pytest.fixture(scope="module")
def clusters(new_lab, new_pve) -> Clusters:
    lab: Lab = new_lab("multi-cluster")
    east, west, broken = new_pve(), new_pve(), new_pve()
    for pve, vmid in ((east, 500), (west, 600)):
        pve.add_node("pve1")
        pve.add_vm(vmid, "web01", node="pve1", status="running", config={"cores": 1, "memory": 1024})
    east.add_vm(510, "dup", node="pve1", status="stopped", config={"cores": 1, "memory": 512})
    east.add_vm(511, "dup", node="pve1", status="stopped", config={"cores": 1, "memory": 512})
    broken.apitokens.clear()  # a connection whose token the server does not know
    lab.add("east", east)
    lab.add("west", west)

    times = {"east": record_times(east), "west": record_times(west)}
    for pve in (east, west):
        slow(pve, 0.3)
    try:
        both = lab.netmox("plan", "--prefer", "proxmox")
    finally:
        for pve in (east, west):
            slow(pve, 0)
    narrowed = lab.netmox("plan", "--prefer", "proxmox", "--connection", "west")
    lab.add("broken", broken)
    with_broken = lab.netmox("plan", "--prefer", "proxmox", expect=1)
    return Clusters(lab, east, west, both, times, narrowed, with_broken)


def test_one_plan_covers_every_connection(clusters: Clusters):
    text = words(clusters.both.stdout)
    assert text.count("(cluster e2e-east-") == 1 and text.count("(cluster e2e-west-") == 1
    assert '+ qemu 500 "web01": create on NetBox' in text
    assert '+ qemu 600 "web01": create on NetBox' in text  # the same name on another cluster is no conflict


def test_connections_are_snapshotted_concurrently(clusters: Clusters):
    east, west = clusters.times["east"], clusters.times["west"]
    assert east and west
    assert east[0] < west[-1] and west[0] < east[-1]  # the two request periods overlap


def test_connection_option_narrows_the_plan_to_one_connection(clusters: Clusters):
    text = clusters.narrowed.stdout
    assert "e2e-west-" in text and "e2e-east-" not in text


def test_a_failing_connection_is_reported_and_the_others_still_plan(clusters: Clusters):
    result = clusters.with_broken
    assert result.returncode == 1
    assert result.stderr.startswith("error: broken: ")
    assert "e2e-east-" in result.stdout and "e2e-west-" in result.stdout
    assert '+ qemu 600 "web01": create on NetBox' in words(result.stdout)


def test_a_name_twice_in_one_cluster_is_a_conflict_in_the_plan_and_the_rest_is_applied(clusters: Clusters):
    lab = clusters.lab
    result = lab.netmox("apply", "--prefer", "proxmox", "--auto-approve", "--connection", "east")
    assert "0 ignored, 1 conflict, 0 manual." in result.stdout
    assert "Apply complete: 3 applied, 0 stale, 0 failed." in result.stdout
    nb = lab.netbox.api()
    names = sorted(
        vm.name
        for vm in nb.virtualization.virtual_machines.filter(cluster_id=cluster_id(nb, lab.connections[0].cluster))
    )
    assert names == ["dup", "web01"]
    plan = json.loads(lab.netmox("plan", "--prefer", "proxmox", "--connection", "east", "--json").stdout)
    [conflict] = [c for c in plan["changes"] if c["action"] == "conflict"]
    assert conflict["name"] == "dup" and conflict["reason"]


def test_rename_duplicates_creates_the_second_vm_as_name_dash_vmid(clusters: Clusters):
    lab = clusters.lab
    (lab.root / "rename.toml").write_text("rename_duplicates = true\n", encoding="utf-8")
    lab.netmox("apply", "--prefer", "proxmox", "--auto-approve", "--connection", "east", "--policy", "rename.toml")
    nb = lab.netbox.api()
    vms = nb.virtualization.virtual_machines.filter(cluster_id=cluster_id(nb, lab.connections[0].cluster))
    assert sorted((vm.name, vm.custom_fields["proxmox_vmid"]) for vm in vms) == [
        ("dup", 510),
        ("dup-511", 511),
        ("web01", 500),
    ]
