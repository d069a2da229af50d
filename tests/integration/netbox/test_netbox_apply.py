"""Apply against a real NetBox: each kind of write, then a fresh snapshot shows the result."""

from __future__ import annotations

import pytest

from netmox_cli.errors import ConflictError
from netmox_cli.model.state import Disk, Guest, Interface, Node
from netmox_cli.providers.base import ApplyContext, WriteRequest
from netmox_cli.providers.netbox import NetboxProvider
from tests.integration.netbox.seed import (
    ensure_platform,
    ensure_tag,
    ensure_vlan,
    seed_device,
    seed_disk,
    seed_interface,
    seed_vm,
)

pytestmark = pytest.mark.netbox


def write(provider: NetboxProvider, action: str, current=None, desired=None, fields=(), run_id=None):
    obj = desired or current
    kind = "node" if isinstance(obj, Node) else obj.kind
    request = WriteRequest(
        change_id=f"c/{kind}/{getattr(obj, 'vmid', getattr(obj, 'name', ''))}#netbox",
        action=action,
        kind=kind,
        current=current,
        desired=desired,
        fields=list(fields),
        context=ApplyContext(run_id=run_id, source_label="Proxmox VE"),
    )
    return provider.apply(request)


def guest(provider: NetboxProvider, vmid: int) -> Guest:
    found = [g for g in provider.snapshot().guests if g.vmid == vmid]
    assert len(found) == 1, found
    return found[0]


def same(a: Guest, b: Guest) -> bool:
    exclude = {"revision", "remote_id"}
    return a.model_dump(exclude=exclude) == b.model_dump(exclude=exclude)


def full_guest(net: str) -> Guest:
    return Guest(
        vmid=101,
        kind="qemu",
        name="web01",
        node="pve1",
        description="front end",
        status="active",
        vcpus=2.0,
        memory_mib=2048,
        disks=[Disk(name="scsi0", size_mib=32768), Disk(name="scsi1", size_mib=1024)],
        interfaces=[
            Interface(name="net0", mac="BC:24:11:00:00:01", ips=[f"{net}.5/24"]),
            Interface(name="net1", mac="BC:24:11:00:00:02", vlan=30, ips=[]),
        ],
        tags=["netmox-new-tag", "prod"],
        ostype="l26",
        start_on_boot=True,
    )


# --- nodes --------------------------------------------------------------------------------------------------


def test_create_node_uses_the_configured_defaults_and_the_clusters_site(provider, nb, cluster):
    write(provider, "create", desired=Node(name="pve9", status="active", description="new"))
    node = provider.snapshot().node("pve9")
    assert (node.status, node.description) == ("active", "new")
    device = nb.dcim.devices.get(node.remote_id)
    assert (device.site.name, device.role.slug, device.device_type.slug) == (cluster, "pve-node", "server")


def test_update_node_patches_status_and_description(provider, nb, cluster):
    seed_device(nb, cluster, "pve1")
    current = provider.snapshot().node("pve1")
    write(provider, "update", current, current.model_copy(update={"status": "offline"}), ["status"])
    assert provider.snapshot().node("pve1").status == "offline"


def test_delete_node_removes_the_device(provider, nb, cluster):
    seed_device(nb, cluster, "pve1")
    write(provider, "delete", current=provider.snapshot().node("pve1"))
    assert provider.snapshot().nodes == []


def test_a_node_that_still_has_vms_is_never_deleted(provider, nb, cluster):
    device = seed_device(nb, cluster, "pve1")
    seed_vm(nb, cluster, 101, "web01", device=device.id)
    with pytest.raises(ConflictError, match="still has 1 virtual machine"):
        write(provider, "delete", current=provider.snapshot().node("pve1"))
    assert provider.snapshot().node("pve1") is not None


def test_preflight_reports_missing_node_defaults_before_any_write(initialized, cluster):
    section = initialized.section(defaults={"site": "no-such-site", "device_role": "pve-node"})
    provider = NetboxProvider(section, cluster=cluster)
    create = WriteRequest(change_id="c/node/pve9#netbox", action="create", kind="node", desired=Node(name="pve9"))
    problems = provider.preflight([create])
    assert "site 'no-such-site' named in netbox.defaults.site does not exist" in problems["c/node/pve9#netbox"]
    assert "netbox.defaults.device_type is not set" in problems["c/node/pve9#netbox"]


def test_preflight_finds_nothing_wrong_with_good_defaults(provider):
    create = WriteRequest(change_id="c/node/pve9#netbox", action="create", kind="node", desired=Node(name="pve9"))
    assert provider.preflight([create]) == {}


# --- guests -------------------------------------------------------------------------------------------------


def test_create_vm_with_interfaces_macs_ips_disks_tags_and_platform(provider, nb, cluster, net):
    seed_device(nb, cluster, "pve1")
    ensure_vlan(nb, 30)
    write(provider, "create", desired=full_guest(net), run_id=7)

    created = guest(provider, 101)
    assert same(created, full_guest(net)), created
    entries = list(
        nb.extras.journal_entries.filter(
            assigned_object_type="virtualization.virtualmachine", assigned_object_id=created.remote_id
        )
    )
    assert [e.comments for e in entries] == ["netmox run 7: created, from Proxmox VE"]


def test_create_lxc_keeps_type_and_swap_in_custom_fields(provider):
    ct = Guest(vmid=300, kind="lxc", name="ct01", status="offline", memory_mib=512, swap_mib=256, ostype="debian")
    write(provider, "create", desired=ct)
    assert same(guest(provider, 300), ct.model_copy(update={"start_on_boot": False}))


def test_duplicate_name_in_the_cluster_is_a_clear_conflict(provider, nb, cluster):
    seed_vm(nb, cluster, 101, "web01")
    with pytest.raises(ConflictError, match=r"creating VM 102 \(web01\).*unique"):
        write(provider, "create", desired=Guest(vmid=102, kind="qemu", name="web01"))


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("memory", {"memory_mib": 4096}),
        ("vcpus", {"vcpus": 4.0}),
        ("name", {"name": "web01-renamed"}),
        ("description", {"description": "changed"}),
        ("status", {"status": "offline"}),
        ("tags", {"tags": ["prod", "brand-new-tag"]}),
        ("ostype", {"ostype": "win11"}),
        ("start_on_boot", {"start_on_boot": False}),
        ("node", {"node": "pve2"}),
    ],
)
def test_update_vm_property(provider, nb, cluster, field, change):
    pve1 = seed_device(nb, cluster, "pve1")
    seed_device(nb, cluster, "pve2")
    seed_vm(
        nb, cluster, 101, "web01", status="active", vcpus=2, memory=2048, device=pve1.id, start_on_boot="on",
        platform=ensure_platform(nb, "Linux"), tags=[ensure_tag(nb, "prod")],
    )  # fmt: skip
    current = guest(provider, 101)
    desired = Guest.model_validate({**current.model_dump(), **change})

    write(provider, "update", current, desired, [field], run_id=42)

    assert same(guest(provider, 101), desired)


def test_update_writes_a_journal_entry_with_before_and_after(provider, nb, cluster):
    seed_vm(nb, cluster, 101, "web01", memory=2048)
    current = guest(provider, 101)
    write(provider, "update", current, current.model_copy(update={"memory_mib": 4096}), ["memory"], run_id=42)
    entries = list(
        nb.extras.journal_entries.filter(
            assigned_object_type="virtualization.virtualmachine", assigned_object_id=current.remote_id
        )
    )
    assert [e.comments for e in entries] == ["netmox run 42: memory 2048 → 4096 MiB, from Proxmox VE"]


def test_update_patches_only_fields_that_differ(provider, nb, cluster):
    seed_vm(nb, cluster, 101, "web01", memory=2048, vcpus=2)
    current = guest(provider, 101)
    methods: list[str] = []
    provider.client.session.hooks["response"].append(lambda r, *a, **k: methods.append(r.request.method))
    result = write(provider, "update", current, current.model_copy(update={"vcpus": 2.0}), ["vcpus", "memory"])
    assert "PATCH" not in methods
    assert result.message == ""


def test_lxc_swap_update(provider):
    ct = Guest(vmid=300, kind="lxc", name="ct01", swap_mib=256)
    write(provider, "create", desired=ct)
    current = guest(provider, 300)
    write(provider, "update", current, current.model_copy(update={"swap_mib": 1024}), ["swap"])
    assert guest(provider, 300).swap_mib == 1024


def test_interfaces_are_added_changed_and_removed(provider, nb, cluster, net):
    ensure_vlan(nb, 30)
    vm = seed_vm(nb, cluster, 101, "web01")
    seed_interface(nb, vm.id, "net0", mac="bc:24:11:00:00:01", ips=[f"{net}.5/24", f"{net}.6/24"])
    seed_interface(nb, vm.id, "net1", mac="bc:24:11:00:00:02")
    current = guest(provider, 101)
    desired = current.model_copy(
        update={
            "interfaces": [
                Interface(name="net0", mac="BC:24:11:00:00:09", vlan=30, ips=[f"{net}.6/24", f"{net}.7/24"]),
                Interface(name="net2", mac="BC:24:11:00:00:03", ips=[f"{net}.201/24"]),
            ]
        }
    )

    write(provider, "update", current, desired, ["interfaces"])

    assert guest(provider, 101).interfaces == desired.interfaces
    assert nb.ipam.ip_addresses.get(address=f"{net}.5/24") is None  # removed IP is deleted, not orphaned
    macs = sorted(str(m.mac_address) for m in nb.dcim.mac_addresses.filter(virtual_machine_id=vm.id))
    assert macs == ["BC:24:11:00:00:03", "BC:24:11:00:00:09"]  # net1's MAC object went with net1


def test_unknown_ips_leave_netbox_addresses_alone(provider, nb, cluster, net):
    ensure_vlan(nb, 30)
    vm = seed_vm(nb, cluster, 101, "web01")
    seed_interface(nb, vm.id, "net0", ips=[f"{net}.5/24"])
    current = guest(provider, 101)
    desired = current.model_copy(update={"interfaces": [Interface(name="net0", vlan=30, ips=None)]})
    write(provider, "update", current, desired, ["interfaces"])
    assert guest(provider, 101).interfaces == [Interface(name="net0", vlan=30, ips=[f"{net}.5/24"])]


def test_disks_are_added_resized_and_removed(provider, nb, cluster):
    vm = seed_vm(nb, cluster, 101, "web01")
    seed_disk(nb, vm.id, "scsi0", 1024)
    seed_disk(nb, vm.id, "scsi1", 2048)
    current = guest(provider, 101)
    desired = current.model_copy(
        update={"disks": [Disk(name="scsi0", size_mib=4096), Disk(name="virtio0", size_mib=512)]}
    )
    write(provider, "update", current, desired, ["disks"])
    assert guest(provider, 101).disks == desired.disks


def test_delete_vm_removes_it_with_its_interfaces_and_addresses(provider, nb, cluster, net):
    vm = seed_vm(nb, cluster, 101, "web01")
    seed_interface(nb, vm.id, "net0", mac="bc:24:11:00:00:05", ips=[f"{net}.5/24"])
    write(provider, "delete", current=guest(provider, 101))
    assert provider.snapshot().guests == []
    assert nb.ipam.ip_addresses.get(address=f"{net}.5/24") is None


def test_journal_can_be_switched_off(initialized, cluster, nb):
    seed_vm(nb, cluster, 101, "web01", memory=2048)
    provider = NetboxProvider(initialized.section(journal=False), cluster=cluster)
    current = guest(provider, 101)
    write(provider, "update", current, current.model_copy(update={"memory_mib": 4096}), ["memory"], run_id=1)
    entries = nb.extras.journal_entries.filter(
        assigned_object_type="virtualization.virtualmachine", assigned_object_id=current.remote_id
    )
    assert list(entries) == []
    assert guest(provider, 101).memory_mib == 4096


def test_a_half_applied_create_names_what_was_already_written(provider, nb, cluster, net):
    other = seed_vm(nb, cluster, 900, "holder")
    seed_interface(nb, other.id, "net0", ips=[f"{net}.9/24"])
    taken = Guest(vmid=101, kind="qemu", name="web01", interfaces=[Interface(name="net0", ips=[f"{net}.9/24"])])
    with pytest.raises(ConflictError) as caught:
        write(provider, "create", desired=taken)
    assert f"Duplicate IP address found in global table: {net}.9/24" in caught.value.message
    assert "(already written: created VM web01 (id " in caught.value.message
    assert "created interface net0)" in caught.value.message
