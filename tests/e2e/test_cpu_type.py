"""The CPU-type property (issue 11, the proof of "one declaration, one handler per provider"), through the
``netmox`` command against the real NetBox test server and fakepve:

* a model NetBox documents in ``proxmox_cpu_type`` is written to the VM's ``cpu`` under ``--prefer netbox``,
  with the other ``cpu`` options (flags) kept, and the next plan is in sync;
* a model Proxmox VE changed is documented under ``--prefer proxmox``; a NetBox blank is unknown (in sync)
  unless ``policy.fill_gaps`` names ``cpu``, and then it is a ``+ fill`` whatever the preference;
* documentation first: a documented model is the one the VM is created with, and with ``cpu`` in
  ``fill_gaps`` NetBox learns Proxmox VE's default for a VM documented without one;
* an import writes every VM's model into NetBox.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Lab, words
from tests.e2e.seeding import cluster_id, document_vm, seed_device
from tests.support.fakepve_lab import LabPve

pytestmark = [pytest.mark.e2e, pytest.mark.netbox, pytest.mark.fakepve]

FILL_CPU = 'fill_gaps = ["interfaces.mac", "disks.storage", "cpu"]\n'


def vm_config(vmid: int, **extra: Any) -> dict[str, Any]:
    return {
        "cores": 1,
        "memory": "1024",
        "scsi0": f"local-lvm:vm-{vmid}-disk-0,size=8G",
        "net0": f"virtio={pve_mac(vmid)},bridge=vmbr0",
        "ostype": "l26",
        **extra,
    }


def document(
    nb: Any, cluster: str, vmid: int, name: str, cpu_type: str | None, *, mac: bool = True, status: str = "active"
) -> Any:
    """A NetBox VM as an admin documents it (the MAC too when it exists already), its CPU type or none."""
    return document_vm(
        nb,
        cluster,
        vmid,
        name,
        mac=pve_mac(vmid) if mac else None,
        storage="local-lvm",
        status=status,
        custom={"proxmox_cpu_type": cpu_type},
    )


def pve_mac(vmid: int) -> str:
    return f"BC:24:11:60:{vmid // 256:02X}:{vmid % 256:02X}"


def netbox_cpu_type(nb: Any, vm_id: int) -> str | None:
    return nb.virtualization.virtual_machines.get(vm_id).custom_fields.get("proxmox_cpu_type")


def lab_with_one_vm(
    new_lab: Any, new_pve: Any, name: str, cpu: str | None, *, vm: bool = True
) -> tuple[Lab, LabPve, Any]:
    """A lab with node pve1 on both sides and, with ``vm``, QEMU VM 601 on Proxmox VE (``cpu`` its cpu option)."""
    lab: Lab = new_lab(name)
    pve: LabPve = new_pve()
    pve.add_node("pve1")
    if vm:
        config = vm_config(601, **({"cpu": cpu} if cpu else {}))
        pve.add_vm(601, "cpu601", node="pve1", status="stopped", config=config)
    connection = lab.add("lab", pve)
    nb = lab.netbox.api()
    seed_device(nb, connection.cluster, "pve1")
    return lab, pve, nb


def test_a_documented_model_is_written_to_proxmox_keeping_its_flags(new_lab, new_pve):
    lab, pve, nb = lab_with_one_vm(new_lab, new_pve, "cpu-to-pve", "cputype=kvm64,flags=+aes")
    document(nb, lab.connections[0].cluster, 601, "cpu601", "x86-64-v2-AES", status="offline")

    plan = lab.netmox("plan", "--prefer", "netbox")
    assert "cpu: kvm64 → x86-64-v2-AES (NetBox → Proxmox VE)" in words(plan.stdout), plan.stdout
    lab.netmox("apply", "--prefer", "netbox", "--auto-approve")
    assert pve.vm(601).config["cpu"] == "x86-64-v2-AES,flags=+aes"
    assert "in sync" in lab.netmox("plan", "--prefer", "netbox", "--detailed-exitcode", expect=0).stdout


def test_a_model_proxmox_has_is_documented_and_a_blank_is_filled_only_when_asked(new_lab, new_pve):
    lab, pve, nb = lab_with_one_vm(new_lab, new_pve, "cpu-to-netbox", "host")
    vm = document(nb, lab.connections[0].cluster, 601, "cpu601", None, status="offline")

    # NetBox's blank is unknown, not "no CPU type": nothing to do, whichever side is preferred.
    for prefer in ("netbox", "proxmox"):
        assert "in sync" in lab.netmox("plan", "--prefer", prefer, "--detailed-exitcode", expect=0).stdout

    lab.root.joinpath("policy.toml").write_text(FILL_CPU, encoding="utf-8")
    plan = lab.netmox("plan", "--prefer", "netbox", "--policy", "policy.toml")
    assert "cpu: + fill host" in words(plan.stdout), plan.stdout
    lab.netmox("apply", "--prefer", "netbox", "--policy", "policy.toml", "--auto-approve")
    assert netbox_cpu_type(nb, vm.id) == "host"
    assert "cpu" not in pve.vm(601).config or pve.vm(601).config["cpu"] == "host"  # Proxmox VE untouched

    # Changed on Proxmox VE: documented under prefer proxmox.
    pve.vm(601).config["cpu"] = "x86-64-v3"
    plan = lab.netmox("plan", "--prefer", "proxmox")
    assert "cpu: host → x86-64-v3 (Proxmox VE → NetBox)" in words(plan.stdout), plan.stdout
    lab.netmox("apply", "--prefer", "proxmox", "--auto-approve")
    assert netbox_cpu_type(nb, vm.id) == "x86-64-v3"


def test_documentation_first_creates_with_the_documented_model_and_learns_the_default(new_lab, new_pve):
    lab, pve, nb = lab_with_one_vm(new_lab, new_pve, "cpu-create", None, vm=False)
    cluster = lab.connections[0].cluster
    document(nb, cluster, 611, "chosen01", "EPYC-Rome", mac=False)
    blank = document(nb, cluster, 612, "blank01", None, mac=False)
    lab.root.joinpath("policy.toml").write_text(FILL_CPU, encoding="utf-8")

    plan = lab.netmox("plan", "--prefer", "netbox", "--policy", "policy.toml")
    assert "cpu: EPYC-Rome (NetBox → Proxmox VE)" in words(plan.stdout), plan.stdout
    lab.netmox("apply", "--prefer", "netbox", "--policy", "policy.toml", "--auto-approve")
    assert pve.vm(611).config["cpu"] == "EPYC-Rome"
    assert "cpu" not in pve.vm(612).config  # Proxmox VE's default, kvm64
    assert netbox_cpu_type(nb, blank.id) == "kvm64"
    after = lab.netmox("plan", "--prefer", "netbox", "--policy", "policy.toml", "--detailed-exitcode", expect=0)
    assert "in sync" in after.stdout


def test_an_import_documents_every_vms_model(new_lab, new_pve):
    lab, _, nb = lab_with_one_vm(new_lab, new_pve, "cpu-import", "cputype=host,hidden=1")
    lab.netmox("apply", "--prefer", "proxmox", "--auto-approve")
    [vm] = nb.virtualization.virtual_machines.filter(cluster_id=cluster_id(nb, lab.connections[0].cluster))
    assert netbox_cpu_type(nb, vm.id) == "host"
    assert "in sync" in lab.netmox("plan", "--prefer", "proxmox", "--detailed-exitcode", expect=0).stdout
