"""The property registry: equality, conversion and write limits of every synchronizable property."""

from __future__ import annotations

import pytest

from netmox_cli.model.state import ObjectKind, Side
from netmox_cli.planner import REGISTRY

QEMU, LXC, NODE = ObjectKind.QEMU, ObjectKind.LXC, ObjectKind.NODE


def prop(name: str, kind: ObjectKind = QEMU):
    return REGISTRY.get(name, kind)


def nic(name="net0", mac="BC:24:11:00:00:01", bridge="vmbr0", vlan=10, ips=("10.0.0.5/24",), guest_name=None):
    return {"name": name, "mac": mac, "bridge": bridge, "vlan": vlan, "ips": list(ips) if ips is not None else None,
            "guest_name": guest_name}  # fmt: skip


def disk(name="scsi0", size=32768, storage="local-lvm"):
    return {"name": name, "size_mib": size, "storage": storage}


class TestDeclarations:
    def test_guest_properties_are_the_documented_set(self):
        assert {p.name for p in REGISTRY.for_kind(QEMU)} == {
            "name", "description", "status", "vcpus", "memory", "disks", "interfaces", "tags", "ostype",
            "start_on_boot", "node", "cpu",
        }  # fmt: skip
        qemu_only, lxc_only = {"cpu"}, {"swap"}
        qemu = {p.name for p in REGISTRY.for_kind(QEMU)}
        assert {p.name for p in REGISTRY.for_kind(LXC)} == qemu - qemu_only | lxc_only

    def test_node_properties_are_status_and_description(self):
        assert {p.name for p in REGISTRY.for_kind(NODE)} == {"status", "description"}

    def test_memory_and_swap_display_in_mib(self):
        assert prop("memory").unit == "MiB"
        assert prop("swap", LXC).unit == "MiB"

    def test_swap_does_not_apply_to_qemu(self):
        with pytest.raises(KeyError):
            REGISTRY.get("swap", QEMU)


class TestGuestStatus:
    @pytest.mark.parametrize(("netbox", "proxmox"), [("active", "running"), ("offline", "stopped")])
    def test_equivalent_statuses_are_equal(self, netbox, proxmox):
        assert prop("status").equal(netbox, proxmox)

    @pytest.mark.parametrize(("netbox", "proxmox"), [("active", "stopped"), ("offline", "running")])
    def test_opposite_statuses_are_a_mismatch(self, netbox, proxmox):
        assert not prop("status").equal(netbox, proxmox)

    @pytest.mark.parametrize("netbox", ["planned", "staged", "failed", "decommissioning", "inventory", None])
    @pytest.mark.parametrize("proxmox", ["running", "stopped"])
    def test_netbox_statuses_outside_the_shared_vocabulary_never_mismatch(self, netbox, proxmox):
        assert prop("status").equal(netbox, proxmox)

    @pytest.mark.parametrize("proxmox", ["unknown", "paused", "prelaunch", None])
    @pytest.mark.parametrize("netbox", ["active", "offline"])
    def test_proxmox_statuses_outside_the_shared_vocabulary_never_mismatch(self, netbox, proxmox):
        assert prop("status").equal(netbox, proxmox)

    @pytest.mark.parametrize(
        ("value", "to_side", "expected"),
        [
            ("active", Side.PROXMOX, "running"),
            ("offline", Side.PROXMOX, "stopped"),
            ("running", Side.NETBOX, "active"),
            ("stopped", Side.NETBOX, "offline"),
            ("planned", Side.PROXMOX, None),
            ("paused", Side.NETBOX, None),
        ],
    )
    def test_conversion_translates_to_the_target_vocabulary(self, value, to_side, expected):
        assert prop("status").convert(value, to_side) == expected


class TestNodeStatus:
    @pytest.mark.parametrize(("netbox", "proxmox"), [("active", "online"), ("offline", "offline")])
    def test_equivalent_node_statuses_are_equal(self, netbox, proxmox):
        assert prop("status", NODE).equal(netbox, proxmox)

    def test_active_device_on_offline_node_is_a_mismatch(self):
        assert not prop("status", NODE).equal("active", "offline")

    @pytest.mark.parametrize(("netbox", "proxmox"), [("planned", "online"), ("active", "unknown")])
    def test_node_statuses_outside_the_shared_vocabulary_never_mismatch(self, netbox, proxmox):
        assert prop("status", NODE).equal(netbox, proxmox)

    def test_node_status_converts_both_ways(self):
        assert prop("status", NODE).convert("online", Side.NETBOX) == "active"
        assert prop("status", NODE).convert("active", Side.PROXMOX) == "online"

    def test_proxmox_node_status_is_not_writable(self):
        reason = prop("status", NODE).cannot_write("active", Side.PROXMOX)
        assert reason is not None and reason.startswith("cannot apply:")

    def test_netbox_device_status_is_writable(self):
        assert prop("status", NODE).cannot_write("active", Side.NETBOX) is None


class TestScalars:
    def test_empty_description_equals_no_description(self):
        assert prop("description").equal("", None)
        assert prop("description", NODE).equal(None, "")
        assert not prop("description").equal("web", "")

    def test_description_can_be_cleared(self):
        assert prop("description").cannot_write(None, Side.PROXMOX) is None

    def test_vcpus_compare_numerically(self):
        assert prop("vcpus").equal(2.0, 2)
        assert not prop("vcpus").equal(1.5, 2)

    def test_fractional_vcpus_cannot_be_written_to_proxmox(self):
        assert (
            prop("vcpus").cannot_write(1.5, Side.PROXMOX)
            == "cannot apply: NetBox value 1.5 is not a whole number of cores"
        )

    def test_fractional_vcpus_can_be_written_to_netbox(self):
        assert prop("vcpus").cannot_write(1.5, Side.NETBOX) is None

    def test_whole_vcpus_can_be_written_to_proxmox(self):
        assert prop("vcpus").cannot_write(4.0, Side.PROXMOX) is None

    @pytest.mark.parametrize("name", ["name", "memory", "ostype", "start_on_boot", "vcpus", "node"])
    def test_an_unknown_source_value_is_not_written_over_a_known_one(self, name):
        reason = prop(name).cannot_write(None, Side.NETBOX, current="x")
        assert reason == f"cannot apply: Proxmox VE has no {name} value"

    def test_an_unknown_value_is_simply_left_unset_on_create(self):
        assert prop("memory").cannot_write(None, Side.PROXMOX, creating=True) is None

    def test_moving_a_guest_to_another_node_in_proxmox_cannot_apply(self):
        assert (
            prop("node").cannot_write("pve2", Side.PROXMOX, current="pve1")
            == "cannot apply: netmox does not migrate guests; move it in Proxmox VE"
        )

    def test_the_node_of_a_guest_created_in_proxmox_is_its_placement(self):
        assert prop("node").cannot_write("pve2", Side.PROXMOX, creating=True) is None

    def test_the_node_of_a_netbox_vm_can_be_updated(self):
        assert prop("node").cannot_write("pve2", Side.NETBOX, current="pve1") is None


class TestTags:
    def test_reordered_tags_are_equal(self):
        assert prop("tags").equal(["b", "a"], ["a", "b"])

    def test_tags_compare_case_insensitively_because_proxmox_lowercases_them(self):
        assert prop("tags").equal(["Prod"], ["prod"])

    def test_a_missing_tag_is_a_mismatch(self):
        assert not prop("tags").equal(["a"], ["a", "b"])

    def test_tags_can_be_cleared(self):
        assert prop("tags").cannot_write([], Side.PROXMOX) is None

    def test_a_tag_proxmox_cannot_store_cannot_apply(self):
        assert prop("tags").cannot_write(["web", "my tag"], Side.PROXMOX) == (
            "cannot apply: 'my tag' is not a valid Proxmox VE tag"
        )

    def test_tags_written_to_proxmox_are_lowercased(self):
        assert prop("tags").convert(["Prod", "web"], Side.PROXMOX) == ["prod", "web"]


class TestInterfaces:
    def test_reordered_interfaces_are_equal(self):
        assert prop("interfaces").equal([nic("net0"), nic("net1", mac="BC:24:11:00:00:02")],
                                        [nic("net1", mac="BC:24:11:00:00:02"), nic("net0")])  # fmt: skip

    def test_unknown_ips_are_not_drift(self):
        assert prop("interfaces").equal([nic(ips=["10.0.0.5/24"])], [nic(ips=None)])

    def test_known_empty_ips_differ_from_known_ips(self):
        assert not prop("interfaces").equal([nic(ips=["10.0.0.5/24"])], [nic(ips=[])])

    def test_a_bridge_netbox_does_not_know_is_not_drift(self):
        assert prop("interfaces").equal([nic(bridge=None)], [nic(bridge="vmbr1")])

    def test_a_different_mac_is_drift(self):
        assert not prop("interfaces").equal([nic(mac="BC:24:11:00:00:09")], [nic()])

    def test_a_missing_interface_is_drift(self):
        assert not prop("interfaces").equal([nic()], [nic(), nic("net1")])

    def test_qemu_interfaces_differing_only_in_ips_cannot_be_written_to_proxmox(self):
        reason = prop("interfaces").cannot_write([nic(ips=["10.0.0.9/24"])], Side.PROXMOX, current=[nic()], kind=QEMU)
        assert reason == "cannot apply: QEMU IP addresses come from the guest agent; configure them inside the guest"

    def test_lxc_interface_ips_can_be_written_to_proxmox(self):
        value, current = [nic(ips=["10.0.0.9/24"])], [nic()]
        assert prop("interfaces", LXC).cannot_write(value, Side.PROXMOX, current=current, kind=LXC) is None
        converted = prop("interfaces", LXC).convert(value, Side.PROXMOX, current=current, kind=LXC)
        assert converted[0]["ips"] == ["10.0.0.9/24"]

    def test_qemu_interfaces_written_to_proxmox_keep_the_agent_ips(self):
        value, current = [nic(mac="BC:24:11:00:00:09", ips=["10.0.0.9/24"])], [nic()]
        assert prop("interfaces").cannot_write(value, Side.PROXMOX, current=current, kind=QEMU) is None
        converted = prop("interfaces").convert(value, Side.PROXMOX, current=current, kind=QEMU)
        assert converted == [nic(mac="BC:24:11:00:00:09")]

    def test_interfaces_written_to_proxmox_keep_the_bridge_netbox_does_not_know(self):
        converted = prop("interfaces", LXC).convert([nic(bridge=None)], Side.PROXMOX, current=[nic(bridge="vmbr1")])
        assert converted[0]["bridge"] == "vmbr1"

    def test_interfaces_written_to_netbox_drop_what_netbox_cannot_hold(self):
        converted = prop("interfaces").convert([nic(guest_name="eth0")], Side.NETBOX, current=None)
        assert converted == [nic(bridge=None, guest_name=None)]


class TestDisks:
    def test_reordered_disks_are_equal(self):
        assert prop("disks").equal([disk("scsi1"), disk("scsi0")], [disk("scsi0"), disk("scsi1")])

    def test_storage_netbox_does_not_know_is_not_drift(self):
        assert prop("disks").equal([disk(storage=None)], [disk()])

    def test_a_different_size_is_drift(self):
        assert not prop("disks").equal([disk(size=65536)], [disk()])

    def test_a_disk_can_grow_on_proxmox(self):
        assert prop("disks").cannot_write([disk(size=65536, storage=None)], Side.PROXMOX, current=[disk()]) is None

    def test_a_disk_cannot_shrink_on_proxmox(self):
        reason = prop("disks").cannot_write([disk(size=16384, storage=None)], Side.PROXMOX, current=[disk()])
        assert reason == (
            "cannot apply: disk scsi0 would shrink from 32768 to 16384 MiB; Proxmox VE disks can only grow"
        )

    def test_an_update_does_not_delete_a_proxmox_disk_netbox_lacks(self):
        current = [disk(), disk("scsi1")]
        reason = prop("disks").cannot_write([disk(storage=None)], Side.PROXMOX, current=current)
        assert reason == "cannot apply: netmox does not remove disks from Proxmox VE (scsi1 not on NetBox)"

    def test_a_new_disk_without_size_cannot_be_added_to_proxmox(self):
        reason = prop("disks").cannot_write([disk(), disk("scsi1", size=None)], Side.PROXMOX, current=[disk()])
        assert reason == "cannot apply: disk scsi1 has no size on NetBox"

    def test_disks_written_to_proxmox_keep_their_storage(self):
        converted = prop("disks").convert([disk(size=65536, storage=None)], Side.PROXMOX, current=[disk()])
        assert converted == [disk(size=65536)]

    def test_disks_can_shrink_or_disappear_on_netbox(self):
        assert prop("disks").cannot_write([], Side.NETBOX, current=[disk()]) is None
        assert prop("disks").convert([disk()], Side.NETBOX) == [disk()]  # the storage goes to its custom field

    def test_a_disk_on_another_storage_than_netbox_documents_is_not_moved(self):
        reason = prop("disks").cannot_write([disk(storage="ceph")], Side.PROXMOX, current=[disk()])
        assert reason == (
            "cannot apply: disk scsi0 is on local-lvm, NetBox documents ceph; "
            "netmox does not move disks between storages"
        )
        assert prop("disks").cannot_write([disk(storage=None)], Side.PROXMOX, current=[disk()]) is None


def test_assign_sets_the_model_attribute_from_the_json_form():
    from netmox_cli.model.state import Guest

    guest = Guest(vmid=100, kind="qemu")
    prop("disks").assign(guest, [disk()])
    prop("memory").assign(guest, 4096)
    assert guest.disks[0].size_mib == 32768
    assert guest.memory_mib == 4096
    assert prop("disks").read(guest) == [disk()]
