"""Values Proxmox VE would refuse are "cannot apply" in the plan, limit quoted, and never sent.

NetBox takes them (its memory field goes to 2^31-1 MiB, its VM names allow underscores, its VMID custom
field has no upper bound); Proxmox VE would refuse them, or worse, store them. The plan says so instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from subprocess import CompletedProcess

import pytest

from tests.e2e.conftest import Lab
from tests.e2e.seeding import seed_netbox_vm, unused_prefix
from tests.support.fakepve_lab import LabPve

pytestmark = [pytest.mark.e2e, pytest.mark.netbox, pytest.mark.fakepve]


@dataclass
class Bounded:
    lab: Lab
    pve: LabPve
    plan: CompletedProcess[str]
    apply: CompletedProcess[str]


@pytest.fixture(scope="module")
def bounded(new_lab, new_pve) -> Bounded:
    lab: Lab = new_lab("bounds")
    pve: LabPve = new_pve()
    pve.add_node("pve1")
    pve.add_vm(330, "batch", node="pve1", status="running", config={"cores": 1, "memory": 1024})
    connection = lab.add("lab", pve)
    lab.netmox("apply", "--prefer", "proxmox", "--auto-approve")  # documented
    nb = lab.netbox.api()
    vm = nb.virtualization.virtual_machines.get(name="batch", cluster=connection.cluster)
    vm.update({"memory": 5_000_000})  # 4.8 TiB: NetBox takes it, Proxmox VE caps QEMU memory at 4 TiB
    seed_netbox_vm(
        nb,
        connection.cluster,
        vmid=1_000_000_000,
        kind="qemu",
        name="web_01",
        node="pve1",
        vcpus=1,
        memory=512,
        disk=("scsi0", 1024),
        nic=("net0", "BC:24:11:AA:33:01", [f"{unused_prefix(nb)}.10/24"]),
        tags=[],
    )
    plan = lab.netmox("plan", "--prefer", "netbox", "--detailed-exitcode", expect=0)
    apply = lab.netmox("apply", "--prefer", "netbox", "--auto-approve")
    return Bounded(lab, pve, plan, apply)


def test_the_plan_says_cannot_apply_with_the_limit_and_has_no_changes(bounded: Bounded):
    lines = bounded.plan.stdout.splitlines()
    assert (
        '    · qemu 330 "batch": ignored: '
        "cannot apply: memory 5000000 MiB is above Proxmox VE's maximum of 4194304 MiB"
    ) in lines
    assert (
        '    · qemu 1000000000 "web_01": ignored: cannot apply: VMID 1000000000 is above Proxmox VE\'s maximum of '
        "999999999; name 'web_01' is not a DNS name, which Proxmox VE requires (letters, digits and inner hyphens, "
        "in dot-separated labels)"
    ) in lines


def test_nothing_is_sent_to_proxmox_ve(bounded: Bounded):
    assert bounded.apply.stdout.splitlines()[-1].startswith("No changes.")
    assert bounded.pve.vm(330).config["memory"] in (1024, "1024")
    assert bounded.pve.vm(1_000_000_000) is None
