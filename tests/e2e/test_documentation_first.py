"""Workflow 1, documentation first: guests documented in NetBox are created (and started) on Proxmox VE."""

from __future__ import annotations

import json
from dataclasses import dataclass
from subprocess import CompletedProcess

import pytest

from tests.e2e.conftest import Lab, words
from tests.e2e.seeding import seed_device, seed_netbox_vm, unused_prefix
from tests.support.fakepve_lab import OSTEMPLATE_FILE, LabPve

pytestmark = [pytest.mark.e2e, pytest.mark.netbox, pytest.mark.fakepve]


@dataclass
class Documented:
    lab: Lab
    pve: LabPve
    net: str
    plan: CompletedProcess[str]
    apply: CompletedProcess[str]
    plan_after: CompletedProcess[str]
    history: CompletedProcess[str]
    history_run: CompletedProcess[str]


@pytest.fixture(scope="module")
def documented(new_lab, new_pve) -> Documented:
    """An admin documents a VM and a container in NetBox, plans, applies, plans again, reads the history."""
    lab: Lab = new_lab("documentation-first")
    pve: LabPve = new_pve()
    for node in ("pve1", "pve2"):
        pve.add_node(node)
    pve.store_file("local", OSTEMPLATE_FILE, 128 * 1024**2, content="vztmpl")
    connection = lab.add("lab", pve)

    nb = lab.netbox.api()
    net = unused_prefix(nb)
    for node in ("pve1", "pve2"):
        seed_device(nb, connection.cluster, node)
    seed_netbox_vm(
        nb,
        connection.cluster,
        vmid=110,
        kind="qemu",
        name="app01",
        node="pve1",
        vcpus=2,
        memory=2048,
        disk=("scsi0", 16 * 1024),
        nic=("net0", "BC:24:11:AA:01:10", [f"{net}.10/24"]),
        tags=["prod", "app"],
        platform="Linux",
        description="order service",
    )
    seed_netbox_vm(
        nb,
        connection.cluster,
        vmid=210,
        kind="lxc",
        name="proxy01",
        node="pve2",
        vcpus=1,
        memory=512,
        swap=512,
        disk=("rootfs", 8 * 1024),
        nic=("net0", "BC:24:11:AA:02:10", [f"{net}.20/24"]),
        tags=["prod"],
        platform="Debian",
    )
    plan = lab.netmox("plan", "--prefer", "netbox")
    apply = lab.netmox("apply", "--prefer", "netbox", "--auto-approve")
    return Documented(
        lab=lab,
        pve=pve,
        net=net,
        plan=plan,
        apply=apply,
        plan_after=lab.netmox("plan", "--prefer", "netbox", "--detailed-exitcode"),
        history=lab.netmox("history"),
        history_run=lab.netmox("history", "show", "1"),
    )


def test_plan_shows_the_documented_vm_and_container_as_to_be_created_on_proxmox(documented: Documented):
    text = words(documented.plan.stdout)
    assert '+ qemu 110 "app01": create on Proxmox VE' in text
    assert '+ lxc 210 "proxy01": create on Proxmox VE' in text
    assert (
        "Plan: 2 to create, 0 to update, 0 to delete on Proxmox VE; 0 to create, 0 to update, 0 to delete on NetBox"
        in text
    )


def test_apply_creates_the_vm_with_the_documented_sizes_nic_disk_and_tags_and_starts_it(documented: Documented):
    vm = documented.pve.vm(110)
    assert vm is not None
    assert (vm.name, vm.node, vm.status) == ("app01", "pve1", "running")
    config = vm.config
    assert int(config["memory"]) == 2048
    assert int(config.get("sockets", 1)) * int(config["cores"]) == 2
    assert "BC:24:11:AA:01:10" in config["net0"].upper()
    assert "bridge=vmbr0" in config["net0"]
    assert config["scsi0"].startswith("local-lvm:") and "size=16G" in config["scsi0"]
    assert sorted(config["tags"].replace(",", ";").split(";")) == ["app", "prod"]
    assert config["ostype"] == "l26"
    assert config["description"] == "order service"


def test_apply_creates_the_container_with_its_address_swap_and_rootfs_and_starts_it(documented: Documented):
    ct = documented.pve.ct(210)
    assert ct is not None
    assert (ct.name, ct.node, ct.status) == ("proxy01", "pve2", "running")
    config = ct.config
    assert (int(config["memory"]), int(config["swap"]), int(config["cores"])) == (512, 512, 1)
    assert f"ip={documented.net}.20/24" in config["net0"]
    assert "BC:24:11:AA:02:10" in config["net0"].upper()
    assert "size=8G" in config["rootfs"]
    assert config["ostype"] == "debian"


def test_after_apply_the_next_plan_is_empty(documented: Documented):
    # two creates, and two fills: the storage (defaults.storage) each disk was created on, written to NetBox
    assert "Apply complete: 4 applied, 0 stale, 0 failed." in documented.apply.stdout
    assert "update on NetBox: applied (updated disk rootfs: custom_fields)" in documented.apply.stdout
    assert documented.plan_after.returncode == 0
    assert "No changes. NetBox and Proxmox VE are in sync." in documented.plan_after.stdout


def test_history_shows_who_ran_what_and_when(documented: Documented):
    runs = [line for line in documented.history.stdout.splitlines()[1:] if line.strip()]
    assert len(runs) == 1
    fields = words(runs[0]).split()
    assert fields[0] == "1" and fields[1].startswith("20")  # run number, ISO start time
    assert "succeeded" in runs[0] and "prefer=netbox" in runs[0]
    assert "netmox apply --prefer netbox --auto-approve" in runs[0]
    detail = documented.history_run.stdout
    assert "  by        " in detail and "(cron)" in detail  # user@host, no TTY: origin cron
    assert 'lab/qemu 110 "app01": create on Proxmox VE' in detail
    assert 'lab/lxc 210 "proxy01": create on Proxmox VE' in detail


def test_history_json_names_the_user_and_host(documented: Documented):
    runs = json.loads(documented.lab.netmox("history", "--json").stdout)
    assert runs[0]["user"] and runs[0]["host"]
    assert runs[0]["outcome"] == "succeeded"
