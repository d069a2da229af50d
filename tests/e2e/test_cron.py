"""Workflow 5, cron: unattended applies with examples/cron/policy.toml — no prompts, no colour, one run at a time."""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from tests.e2e.conftest import Lab
from tests.e2e.seeding import cluster_id
from tests.support.fakepve_lab import LabPve

pytestmark = [pytest.mark.e2e, pytest.mark.netbox, pytest.mark.fakepve]

POLICY = Path(__file__).resolve().parents[2] / "examples" / "cron" / "policy.toml"
CRON = ("apply", "--auto-approve", "--policy", str(POLICY))


@dataclass
class Cron:
    lab: Lab
    pve: LabPve
    first: CompletedProcess[str]
    after_delete: CompletedProcess[str]


@pytest.fixture(scope="module")
def cron(new_lab, new_pve) -> Cron:
    lab: Lab = new_lab("cron")
    pve: LabPve = new_pve()
    pve.add_node("pve1")
    pve.add_vm(400, "app01", node="pve1", status="running", config={"cores": 2, "memory": 2048})
    pve.add_vm(401, "old01", node="pve1", status="stopped", config={"cores": 1, "memory": 512})
    lab.add("lab", pve)
    first = lab.netmox(*CRON)
    pve.vms.remove(pve.vm(401))  # someone deletes a VM in Proxmox VE
    after_delete = lab.netmox(*CRON)
    return Cron(lab, pve, first, after_delete)


def netbox_vms(lab: Lab) -> list[str]:
    nb = lab.netbox.api()
    cid = cluster_id(nb, lab.connections[0].cluster)
    return sorted(vm.name for vm in nb.virtualization.virtual_machines.filter(cluster_id=cid))


def test_an_unattended_apply_asks_nothing_prints_no_colour_and_documents_proxmox_in_netbox(cron: Cron):
    assert "Apply complete: 3 applied, 0 stale, 0 failed." in cron.first.stdout
    assert "\x1b[" not in cron.first.stdout + cron.first.stderr
    assert "Apply these changes?" not in cron.first.stdout  # --auto-approve: no question asked
    assert cron.first.stderr == ""


def test_history_records_the_runs_with_origin_cron(cron: Cron):
    runs = json.loads(cron.lab.netmox("history", "--json").stdout)
    assert runs and {run["origin"] for run in runs} == {"cron"}
    first = min(runs, key=lambda run: run["id"])
    assert first["command"] == f"netmox apply --policy {POLICY} --auto-approve"


def test_a_vm_deleted_in_proxmox_stays_in_netbox_while_the_policy_does_not_allow_deletes(cron: Cron):
    assert "old01" in netbox_vms(cron.lab)
    assert "would delete (enable with allow_delete / --allow-delete)" in cron.after_delete.stdout


def test_a_policy_that_allows_deletes_removes_the_vm_from_netbox(cron: Cron):
    deleting = cron.lab.root / "policy-delete.toml"
    deleting.write_text(POLICY.read_text().replace("allow_delete = false", "allow_delete = true"), encoding="utf-8")
    result = cron.lab.netmox("apply", "--auto-approve", "--policy", str(deleting))
    assert 'lab/qemu 401 "old01": delete on NetBox: applied' in result.stdout
    assert netbox_vms(cron.lab) == ["app01"]


def test_a_second_run_waits_for_the_lock_then_exits_naming_the_holder(cron: Cron):
    lab, pve = cron.lab, cron.pve
    lock_file = lab.root / "locks" / "lab.lock"
    runs: list[subprocess.Popen[str]] = []
    pve.time_scale, pve.network["latency"] = 1.0, 0.5  # a slow Proxmox VE keeps the first run busy
    try:
        holder = lab.start(*CRON)
        runs.append(holder)
        deadline = time.monotonic() + 30
        while f'"pid": {holder.pid}' not in (lock_file.read_text() if lock_file.exists() else ""):
            assert holder.poll() is None and time.monotonic() < deadline, "the first run never took the lock"
            time.sleep(0.05)
        started = time.monotonic()
        second = lab.netmox(*CRON, "--lock-timeout", "1", expect=1)
        waited = time.monotonic() - started
        patient = lab.start(*CRON, "--lock-timeout", "120")
        runs.append(patient)
        time.sleep(0.5)
        assert holder.poll() is None, "the holder finished too early for the test to mean anything"
        holder.communicate(timeout=120)
        pve.time_scale, pve.network["latency"] = 0.0, 0.0
        out, err = patient.communicate(timeout=120)
    finally:
        pve.time_scale, pve.network["latency"] = 0.0, 0.0
        for run in runs:
            if run.poll() is None:
                run.kill()
                run.wait()
    assert waited >= 1
    assert f"connection 'lab' is locked by pid {holder.pid}" in second.stderr
    assert "--lock-timeout" in second.stderr
    assert patient.returncode == 0, out + err  # the patient run waited for the lock, then ran
