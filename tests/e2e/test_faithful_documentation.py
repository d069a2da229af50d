"""Faithful documentation (issue 11): NetBox's defaults are not intent, values Proxmox VE generates reach NetBox.

Through the ``netmox`` command against the real NetBox test server and fakepve:

* a cluster whose NetBox VMs never set ``start_on_boot`` (NetBox reads ``off``) plans no autostart change
  under ``--prefer netbox``, and apply leaves ``onboot: 1`` alone; the explicit policy still pushes it;
* a documentation-first guest created without a MAC plans in sync afterwards *with* the MAC Proxmox VE
  generated in NetBox (MAC object on the interface, set as its primary MAC), recorded in the history;
* a MAC NetBox leaves blank on a guest that exists on both sides is a ``+ fill`` whatever the preference;
* the same for the disk storage (``proxmox_storage`` on the virtual disk), and a storage NetBox documents is
  the one the disk is created on.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.e2e.conftest import Lab, words
from tests.e2e.seeding import document_vm, seed_device
from tests.support.fakepve_lab import LabPve

pytestmark = [pytest.mark.e2e, pytest.mark.netbox, pytest.mark.fakepve]

DEFAULT_REASON = (
    "skipped: NetBox's start_on_boot is off, its default for VMs that never set it; "
    "set policy.properties.start_on_boot to push it"
)


def netbox_storage(nb: Any, vm_id: int, disk: str = "scsi0") -> str | None:
    return nb.virtualization.virtual_disks.get(virtual_machine_id=vm_id, name=disk).custom_fields["proxmox_storage"]


def netbox_mac(nb: Any, vm_id: int, nic: str = "net0") -> str | None:
    interface = nb.virtualization.interfaces.get(virtual_machine_id=vm_id, name=nic)
    primary = interface.primary_mac_address
    return str(nb.dcim.mac_addresses.get(primary.id).mac_address).upper() if primary else None


def pve_mac(config: dict[str, Any], nic: str = "net0") -> str:
    found = re.search(r"=([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})", config[nic])
    assert found, config[nic]
    return found.group(1).upper()


def test_netbox_vms_that_never_set_start_on_boot_do_not_turn_autostart_off(new_lab, new_pve):
    lab: Lab = new_lab("start-on-boot-default")
    pve: LabPve = new_pve()
    pve.add_node("pve1")
    for vmid in (301, 302):
        pve.add_vm(
            vmid,
            f"auto{vmid}",
            node="pve1",
            status="running",
            config={
                "cores": 1,
                "memory": "1024",
                "scsi0": f"local-lvm:vm-{vmid}-disk-0,size=8G",
                "net0": f"virtio=BC:24:11:30:00:{vmid - 300:02X},bridge=vmbr0",
                "onboot": 1,
            },
        )
    connection = lab.add("lab", pve)
    nb = lab.netbox.api()
    seed_device(nb, connection.cluster, "pve1")
    for vmid in (301, 302):
        mac = f"BC:24:11:30:00:{vmid - 300:02X}"
        vm = document_vm(nb, connection.cluster, vmid, f"auto{vmid}", mac=mac, platform=None, storage="local-lvm")
        assert nb.virtualization.virtual_machines.get(vm.id).start_on_boot.value == "off"  # NetBox's default

    plan = lab.netmox("plan", "--prefer", "netbox", "--detailed-exitcode", expect=0)
    text = words(plan.stdout)
    assert f"start_on_boot: NetBox no, Proxmox VE yes — {DEFAULT_REASON}" in text
    assert "No changes. 2 ignored, 0 conflicts, 0 manual." in text

    lab.netmox("apply", "--prefer", "netbox", "--auto-approve")
    assert [int(pve.vm(vmid).config["onboot"]) for vmid in (301, 302)] == [1, 1]

    # Asked for explicitly, NetBox's off is pushed.
    lab.root.joinpath("policy.toml").write_text('[properties]\nstart_on_boot = "netbox->proxmox"\n', encoding="utf-8")
    pushed = lab.netmox("plan", "--prefer", "netbox", "--policy", "policy.toml", "--json")
    changes = [c for c in json.loads(pushed.stdout)["changes"] if c["action"] == "update"]
    assert sorted(c["key"] for c in changes) == ["301", "302"]
    assert all(c["properties"][0]["after"] is False for c in changes)


def test_a_guest_documented_without_a_mac_is_created_and_netbox_learns_the_generated_mac(new_lab, new_pve):
    lab: Lab = new_lab("generated-mac")
    pve: LabPve = new_pve()
    pve.add_node("pve1")
    connection = lab.add("lab", pve)
    nb = lab.netbox.api()
    seed_device(nb, connection.cluster, "pve1")
    vm = document_vm(nb, connection.cluster, 410, "nomac01")
    assert netbox_mac(nb, vm.id) is None

    applied = lab.netmox("apply", "--prefer", "netbox", "--auto-approve")
    generated = pve_mac(pve.vm(410).config)
    assert netbox_mac(nb, vm.id) == generated
    assert pve.vm(410).config["scsi0"].startswith("local-lvm:")  # defaults.storage: NetBox documented none
    assert netbox_storage(nb, vm.id) == "local-lvm"
    assert "Apply complete: 2 applied, 0 stale, 0 failed." in applied.stdout, applied.stdout

    after = lab.netmox("plan", "--prefer", "netbox", "--detailed-exitcode", expect=0)
    assert "No changes. NetBox and Proxmox VE are in sync." in after.stdout

    [run] = json.loads(lab.netmox("history", "--json", "--limit", "1").stdout)
    history = json.loads(lab.netmox("history", "show", str(run["id"]), "--json").stdout)
    fills = {row["property"]: row["after"] for row in history["changes"] if row["change_id"] == "lab/qemu/410#netbox"}
    assert fills["interfaces"][0]["mac"] == generated and fills["disks"][0]["storage"] == "local-lvm"


def test_the_storage_netbox_documents_is_the_one_the_disk_is_created_on(new_lab, new_pve):
    lab: Lab = new_lab("documented-storage")
    pve: LabPve = new_pve()
    pve.add_node("pve1")
    pve.add_ceph_storage("ceph-pool")
    connection = lab.add("lab", pve)
    nb = lab.netbox.api()
    seed_device(nb, connection.cluster, "pve1")
    vm = document_vm(nb, connection.cluster, 420, "ceph01", storage="ceph-pool")

    plan = lab.netmox("plan", "--prefer", "netbox")
    assert "+ scsi0 8192 MiB ceph-pool" in words(plan.stdout)
    lab.netmox("apply", "--prefer", "netbox", "--auto-approve")
    assert pve.vm(420).config["scsi0"].startswith("ceph-pool:vm-420-disk-")
    assert netbox_storage(nb, vm.id) == "ceph-pool"
    assert "in sync" in lab.netmox("plan", "--prefer", "netbox").stdout


@pytest.mark.parametrize("prefer", ["netbox", "proxmox"])
def test_a_mac_netbox_leaves_blank_is_filled_whatever_the_preference(new_lab, new_pve, prefer):
    lab: Lab = new_lab(f"fill-{prefer}")
    pve: LabPve = new_pve()
    pve.add_node("pve1")
    pve.add_vm(
        501,
        "blank01",
        node="pve1",
        status="running",
        config={
            "cores": 1,
            "memory": "1024",
            "scsi0": "local-lvm:vm-501-disk-0,size=8G",
            "net0": "virtio=BC:24:11:50:00:01,bridge=vmbr0",
            "ostype": "l26",
        },
    )
    connection = lab.add("lab", pve)
    nb = lab.netbox.api()
    seed_device(nb, connection.cluster, "pve1")
    vm = document_vm(nb, connection.cluster, 501, "blank01")

    plan = lab.netmox("plan", "--prefer", prefer)
    assert "interfaces: + fill net0 mac BC:24:11:50:00:01" in words(plan.stdout)
    assert "disks: + fill scsi0 storage local-lvm" in words(plan.stdout)
    lab.netmox("apply", "--prefer", prefer, "--auto-approve")
    assert netbox_mac(nb, vm.id) == "BC:24:11:50:00:01"
    assert netbox_storage(nb, vm.id) == "local-lvm"
    assert "in sync" in lab.netmox("plan", "--prefer", prefer).stdout

    # policy.fill_gaps = [] turns filling off
    nb.virtualization.interfaces.get(virtual_machine_id=vm.id, name="net0").update({"primary_mac_address": None})
    nb.virtualization.virtual_disks.get(virtual_machine_id=vm.id).update({"custom_fields": {"proxmox_storage": None}})
    lab.root.joinpath("policy.toml").write_text("fill_gaps = []\n", encoding="utf-8")
    assert "in sync" in lab.netmox("plan", "--prefer", prefer, "--policy", "policy.toml").stdout
