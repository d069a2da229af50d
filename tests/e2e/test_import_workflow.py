"""Workflow 2, deployment first: a cluster exists only on Proxmox VE; one apply documents it all in NetBox."""

from __future__ import annotations

from dataclasses import dataclass
from subprocess import CompletedProcess

import pytest

from tests.e2e.conftest import Lab
from tests.e2e.seeding import cluster_journal, seed_pve, unused_prefix, v6

pytestmark = [pytest.mark.e2e, pytest.mark.netbox, pytest.mark.fakepve]


@dataclass
class Imported:
    lab: Lab
    net: str
    apply: CompletedProcess[str]
    plan_after: CompletedProcess[str]
    journal_after_import: int
    rerun: CompletedProcess[str]
    journal_after_rerun: int
    history: CompletedProcess[str]


@pytest.fixture(scope="module")
def imported(new_lab, new_pve) -> Imported:
    """The admin's steps: apply --prefer proxmox, plan again, apply again, look at the history."""
    lab: Lab = new_lab("import")
    nb = lab.netbox.api()
    net = unused_prefix(nb)
    pve = new_pve()
    seed_pve(pve, net)
    connection = lab.add("lab", pve)
    apply = lab.netmox("apply", "--prefer", "proxmox", "--auto-approve")
    plan_after = lab.netmox("plan", "--prefer", "proxmox", "--detailed-exitcode")
    journal = len(cluster_journal(nb, connection.cluster))
    rerun = lab.netmox("apply", "--prefer", "proxmox", "--auto-approve")
    return Imported(
        lab=lab,
        net=net,
        apply=apply,
        plan_after=plan_after,
        journal_after_import=journal,
        rerun=rerun,
        journal_after_rerun=len(cluster_journal(nb, connection.cluster)),
        history=lab.netmox("history"),
    )


def test_import_documents_the_node_devices_with_their_descriptions(imported: Imported):
    nb = imported.lab.netbox.api()
    cluster = nb.virtualization.clusters.get(name=imported.lab.connections[0].cluster)
    devices = {d.name: d for d in nb.dcim.devices.filter(cluster_id=cluster.id)}
    assert sorted(devices) == ["pve1", "pve2", "pve3"]
    assert devices["pve1"].description == "rack A, slot 1"
    assert {d.site.name for d in devices.values()} == {cluster.name}


def test_import_documents_vms_and_containers_with_vmid_sizes_status_node_and_tags(imported: Imported):
    nb = imported.lab.netbox.api()
    cluster = nb.virtualization.clusters.get(name=imported.lab.connections[0].cluster)
    vms = {vm.name: vm for vm in nb.virtualization.virtual_machines.filter(cluster_id=cluster.id)}
    assert sorted(vms) == ["build01", "cache01", "db01", "dns01", "web01"]  # the template is not imported
    web = vms["web01"]
    assert (web.custom_fields["proxmox_vmid"], web.custom_fields["proxmox_type"]) == (100, "qemu")
    assert (web.status.value, web.vcpus, web.memory, web.device.name) == ("active", 2.0, 2048, "pve1")
    assert web.description == "public web server"
    assert web.platform.name == "Linux"
    assert sorted(t.name for t in web.tags) == ["prod", "web"]
    assert (vms["db01"].vcpus, vms["db01"].memory) == (4.0, 8192)  # 2 sockets x 2 cores
    assert vms["build01"].status.value == "offline"
    dns = vms["dns01"]
    assert (dns.custom_fields["proxmox_type"], dns.custom_fields["proxmox_swap_mb"]) == ("lxc", 256)


def test_import_documents_interfaces_with_macs_ips_vlans_and_disks(imported: Imported):
    nb, net = imported.lab.netbox.api(), imported.net
    cluster = nb.virtualization.clusters.get(name=imported.lab.connections[0].cluster)
    vm = {vm.name: vm for vm in nb.virtualization.virtual_machines.filter(cluster_id=cluster.id)}

    [nic] = nb.virtualization.interfaces.filter(virtual_machine_id=vm["web01"].id)
    assert (nic.name, nic.primary_mac_address.mac_address.upper()) == ("net0", "BC:24:11:00:01:00")
    ips = sorted(ip.address for ip in nb.ipam.ip_addresses.filter(vminterface_id=nic.id))
    assert ips == [f"{net}.11/24", f"{v6(net, 0x11)}/64"]  # from the guest agent; loopback left out
    disks = {d.name: d.size for d in nb.virtualization.virtual_disks.filter(virtual_machine_id=vm["web01"].id)}
    assert disks == {"scsi0": 32 * 1024}

    [build_nic] = nb.virtualization.interfaces.filter(virtual_machine_id=vm["build01"].id)
    assert build_nic.untagged_vlan.vid == 30
    dns_ips = [ip.address for ip in nb.ipam.ip_addresses.filter(virtual_machine_id=vm["dns01"].id)]
    assert dns_ips == [f"{net}.5/24"]  # the container's static address from its config
    rootfs = nb.virtualization.virtual_disks.get(virtual_machine_id=vm["dns01"].id, name="rootfs")
    assert rootfs.size == 8 * 1024


def test_after_import_the_next_plan_is_empty(imported: Imported):
    assert imported.apply.returncode == 0
    assert imported.plan_after.returncode == 0  # --detailed-exitcode: 0 = in sync
    assert "No changes. NetBox and Proxmox VE are in sync." in imported.plan_after.stdout


def test_rerunning_the_import_is_a_no_op_including_the_journal(imported: Imported):
    assert "No changes" in imported.rerun.stdout
    assert imported.journal_after_import == 8  # one per created node and guest
    assert imported.journal_after_rerun == imported.journal_after_import
    runs = [line for line in imported.history.stdout.splitlines()[1:] if line.strip()]
    assert len(runs) == 1  # the no-op re-run recorded no run


def test_import_writes_one_journal_entry_per_object_naming_the_run_and_the_source(imported: Imported):
    nb = imported.lab.netbox.api()
    cluster = nb.virtualization.clusters.get(name=imported.lab.connections[0].cluster)
    web = nb.virtualization.virtual_machines.get(name="web01", cluster_id=cluster.id)
    entries = nb.extras.journal_entries.filter(
        assigned_object_type="virtualization.virtualmachine", assigned_object_id=web.id
    )
    assert [entry.comments for entry in entries] == ["netmox run 1: created, from Proxmox VE"]
