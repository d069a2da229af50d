"""Ctrl-C and SIGTERM mid-apply keep the history promise: what was sent is recorded, the run is interrupted.

A real ``netmox apply`` subprocess is stopped while it waits on a Proxmox VE task that is still running
(fakepve's ``task_delay``). The change reached Proxmox VE, so the history must hold it: as ``sent`` (its
outcome unknown), in a run marked ``interrupted``; ``history show`` says to check the target.
"""

from __future__ import annotations

import json
import signal
import time
from dataclasses import dataclass

import pytest

from tests.e2e.conftest import Lab
from tests.support.fakepve_lab import LabPve

pytestmark = [pytest.mark.e2e, pytest.mark.netbox, pytest.mark.fakepve]


@dataclass
class Interrupted:
    lab: Lab
    pve: LabPve
    returncode: int
    stderr: str


def interrupt_while_a_task_runs(lab: Lab, pve: LabPve, signum: int) -> Interrupted:
    """Document a stopped VM, mark it active in NetBox, and stop the apply that starts it mid-task."""
    nb = lab.netbox.api()
    cluster = lab.connections[0].cluster
    lab.netmox("apply", "--prefer", "proxmox", "--auto-approve")
    vm = nb.virtualization.virtual_machines.get(name="batch", cluster=cluster)
    vm.update({"status": "active"})
    pve.task_delay = 60.0
    process = lab.start("apply", "--prefer", "netbox", "--auto-approve")
    deadline = time.monotonic() + 60
    while not pve.running_tasks():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no Proxmox VE task started"
        time.sleep(0.1)
    time.sleep(0.5)  # netmox is now polling the task
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    pve.task_delay = 0.0  # the task Proxmox VE was running finishes: the change did happen there
    while pve.running_tasks():
        assert time.monotonic() < deadline, "the Proxmox VE task did not finish"
        time.sleep(0.1)
    return Interrupted(lab, pve, process.returncode, stderr)


@pytest.fixture(scope="module", params=[signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def interrupted(request, new_lab, new_pve) -> Interrupted:
    lab: Lab = new_lab(f"interrupt-{request.param.name.lower()}")
    pve: LabPve = new_pve()
    pve.add_node("pve1")
    pve.add_vm(320, "batch", node="pve1", status="stopped", config={"cores": 1, "memory": 512})
    lab.add("lab", pve)
    return interrupt_while_a_task_runs(lab, pve, request.param)


def test_the_interrupted_apply_exits_128_plus_the_signal_with_one_line(interrupted: Interrupted):
    signum = signal.SIGINT if interrupted.returncode == 130 else signal.SIGTERM
    assert interrupted.returncode == 128 + signum
    assert interrupted.stderr.splitlines()[-1] == f"error: interrupted ({signum.name})"
    assert "Traceback" not in interrupted.stderr


def test_the_run_is_interrupted_and_the_change_sent_to_proxmox_has_a_sent_row(interrupted: Interrupted):
    runs = json.loads(interrupted.lab.netmox("history", "--json").stdout)
    assert [run["state"] for run in runs] == ["interrupted", "succeeded"]
    shown = json.loads(interrupted.lab.netmox("history", "show", str(runs[0]["id"]), "--json").stdout)
    assert [(c["key"], c["target"], c["property"], c["after"], c["status"]) for c in shown["changes"]] == [
        ("320", "proxmox", "status", "running", "sent")
    ]


def test_the_change_netmox_has_a_sent_row_for_did_happen_on_proxmox_ve(interrupted: Interrupted):
    assert interrupted.pve.vm(320).status == "running"


def test_history_show_says_the_outcome_is_unknown_and_where_to_look(interrupted: Interrupted):
    run_id = json.loads(interrupted.lab.netmox("history", "--json").stdout)[0]["id"]
    lines = interrupted.lab.netmox("history", "show", str(run_id)).stdout.splitlines()
    assert lines[0] == f"Run {run_id}: interrupted"
    assert (
        'sent     lab/qemu 320 "batch": update on Proxmox VE, status: stopped → running '
        "(outcome unknown: check the target)"
    ) in lines
