"""NetBox JSON <-> state model: the rules of docs/mapping.md ("## NetBox"), on plain dicts."""

from __future__ import annotations

from netmox_cli.model.state import Guest, Node
from netmox_cli.providers.netbox.mapping import (
    PlatformTable,
    device_payload,
    disk_from_graphql,
    guest_from_vm,
    interface_from_graphql,
    node_from_device,
    slugify,
    vm_custom_fields,
    vm_scalar_payload,
    vmid_of,
)


def vm_json(**overrides):
    vm = {
        "id": 7,
        "name": "web01",
        "status": {"value": "active", "label": "Active"},
        "vcpus": 2.0,
        "memory": 2048,
        "description": "",
        "device": {"id": 3, "name": "pve1"},
        "platform": {"id": 1, "name": "Linux"},
        "tags": [{"name": "prod"}, {"name": "web"}],
        "start_on_boot": {"value": "on", "label": "On"},
        "custom_fields": {"proxmox_vmid": 101, "proxmox_type": "qemu", "proxmox_swap_mb": None},
        "last_updated": "2025-01-01T10:00:00.000000Z",
    }
    vm.update(overrides)
    return vm


def test_platform_table_maps_l26_to_linux_both_ways():
    table = PlatformTable()
    assert table.platform("l26") == "Linux"
    assert table.ostype("Linux") == "l26"
    assert table.ostype("linux") == "l26"


def test_platform_overrides_win_over_builtin_table_both_ways():
    table = PlatformTable({"l26": "Debian GNU/Linux"})
    assert table.platform("l26") == "Debian GNU/Linux"
    assert table.ostype("Debian GNU/Linux") == "l26"


def test_unknown_platform_is_an_unknown_ostype():
    assert PlatformTable().ostype("Plan 9") is None
    assert PlatformTable().ostype(None) is None


def test_slugify_follows_netbox_slug_rules():
    assert slugify("Windows 11") == "windows-11"
    assert slugify("Team: Ops/West") == "team-ops-west"


def test_device_becomes_node_with_wire_status_and_revision():
    node = node_from_device(
        {"id": 3, "name": "pve1", "status": {"value": "offline"}, "description": "", "last_updated": "X"}
    )
    assert node.model_dump() == {
        "name": "pve1",
        "status": "offline",
        "description": None,
        "revision": "X",
        "remote_id": 3,
    }


def test_device_payload_writes_the_named_node_properties_and_never_an_unknown_status():
    assert device_payload(Node(name="pve1", status="offline", description=None), ["status", "description"]) == {
        "status": "offline",
        "description": "",
    }
    assert device_payload(Node(name="pve1"), ["status"]) == {}


def test_vm_becomes_guest_with_float_vcpus_and_platform_as_ostype():
    guest = guest_from_vm(vm_json(), PlatformTable())
    assert guest.vmid == 101
    assert guest.kind == "qemu"
    assert guest.node == "pve1"
    assert guest.status == "active"
    assert guest.vcpus == 2.0
    assert guest.memory_mib == 2048
    assert guest.ostype == "l26"
    assert guest.tags == ["prod", "web"]
    assert guest.start_on_boot is True
    assert guest.description is None
    assert guest.revision == "2025-01-01T10:00:00.000000Z"
    assert guest.remote_id == 7
    assert guest.swap_mib is None


def test_lxc_swap_comes_from_the_custom_field():
    guest = guest_from_vm(
        vm_json(custom_fields={"proxmox_vmid": 200, "proxmox_type": "lxc", "proxmox_swap_mb": 512}), PlatformTable()
    )
    assert (guest.kind, guest.swap_mib) == ("lxc", 512)


def test_start_on_boot_laststate_is_unknown():
    guest = guest_from_vm(vm_json(start_on_boot={"value": "laststate"}), PlatformTable())
    assert guest.start_on_boot is None


def test_vm_without_vmid_has_none():
    assert vmid_of(vm_json(custom_fields={"proxmox_vmid": None})) is None
    assert vmid_of(vm_json(custom_fields={})) is None


def test_interface_carries_mac_vlan_and_ips_but_no_bridge():
    interface = interface_from_graphql(
        {
            "name": "net0",
            "description": "vmbr0",
            "primary_mac_address": {"mac_address": "bc:24:11:00:00:01"},
            "untagged_vlan": {"vid": 20},
            "ip_addresses": [{"address": "10.0.0.5/24"}, {"address": "2001:db8::5/64"}],
        }
    )
    assert interface.model_dump() == {
        "name": "net0",
        "mac": "BC:24:11:00:00:01",
        "bridge": None,
        "vlan": 20,
        "ips": ["10.0.0.5/24", "2001:db8::5/64"],
        "guest_name": None,
    }


def test_interface_without_addresses_is_known_to_have_none():
    interface = interface_from_graphql(
        {"name": "net1", "description": "", "primary_mac_address": None, "untagged_vlan": None, "ip_addresses": []}
    )
    assert (interface.mac, interface.vlan, interface.bridge, interface.ips) == (None, None, None, [])


def test_disk_storage_is_netmoxs_custom_field_not_the_description():
    disk = disk_from_graphql({"name": "scsi0", "size": 32768, "description": "local-lvm"})
    assert (disk.name, disk.size_mib, disk.storage) == ("scsi0", 32768, None)
    blank = disk_from_graphql({"name": "scsi0", "size": 1, "custom_fields": {"proxmox_storage": ""}})
    assert blank.storage is None  # blank: a gap, not a storage named ""
    stored = disk_from_graphql({"name": "scsi0", "size": 1, "custom_fields": {"proxmox_storage": "ceph-pool"}})
    assert stored.storage == "ceph-pool"


def test_scalar_payload_contains_only_the_requested_fields_in_wire_form():
    guest = Guest(vmid=101, kind="qemu", name="web01", vcpus=4.0, memory_mib=4096, start_on_boot=False)
    assert vm_scalar_payload(guest, ["vcpus", "memory", "start_on_boot"]) == {
        "vcpus": 4,
        "memory": 4096,
        "start_on_boot": "off",
    }
    assert vm_scalar_payload(guest, ["description"]) == {"description": ""}


def test_fractional_vcpus_are_written_as_they_are():
    assert vm_scalar_payload(Guest(vmid=1, kind="qemu", vcpus=1.5), ["vcpus"]) == {"vcpus": 1.5}


def test_custom_fields_on_create_carry_identity_and_lxc_swap():
    lxc = Guest(vmid=200, kind="lxc", swap_mib=512)
    assert vm_custom_fields(lxc) == {"proxmox_vmid": 200, "proxmox_type": "lxc", "proxmox_swap_mb": 512}
    assert vm_custom_fields(Guest(vmid=101, kind="qemu")) == {"proxmox_vmid": 101, "proxmox_type": "qemu"}


def test_custom_fields_on_update_write_only_swap():
    assert vm_custom_fields(Guest(vmid=200, kind="lxc", swap_mib=1024), ["swap"]) == {"proxmox_swap_mb": 1024}
    assert vm_custom_fields(Guest(vmid=200, kind="lxc", swap_mib=1024), ["memory"]) == {}
