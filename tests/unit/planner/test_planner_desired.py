"""desired_object, write_fields, find_object and regroup: from a plan entry to the write it makes."""

from __future__ import annotations

import pytest
from planner_builders import by_id, mirrored, netbox, netbox_twin, only, plan, proxmox, px_guest, px_node

from netmox_cli.model.plan import Action, Direction
from netmox_cli.model.state import Guest, Node, ObjectKind
from netmox_cli.planner import desired_object, find_object, regroup, write_fields
from netmox_cli.planner.regroup import SKIPPED_BY_CHOICE


class TestDesiredUpdate:
    def test_an_update_sets_only_its_properties_converted_to_the_target(self):
        nb, px = mirrored(px_node(), px_guest(101, revision="digest-1"))
        nb.guests[0].status = "offline"
        nb.guests[0].memory_mib = 4096
        nb.guests[0].description = "changed in netbox"
        change = by_id(plan(nb, px, prefer="netbox", properties={"description": "skip"}))["lab/qemu/101#proxmox"]
        desired = desired_object(change, nb.guests[0], px.guests[0])
        assert (desired.status, desired.memory_mib) == ("stopped", 4096)
        assert desired.description == "a guest"  # skipped: Proxmox keeps its own
        assert desired.revision == "digest-1"  # the target's object, updated
        assert px.guests[0].memory_mib == 2048  # the input is not modified
        assert write_fields(change) == ["status", "memory"]

    def test_an_update_writes_the_plans_after_value_and_nothing_recomputed(self):
        nb, px = mirrored(px_node(), px_guest(101))
        nb.guests[0].memory_mib = 4096
        nb.guests[0].tags = ["Prod", "web"]
        change = only(plan(nb, px, prefer="netbox"))
        written = {p.name: p.after for p in change.properties}
        assert written == {"memory": 4096, "tags": ["prod", "web"]}  # tags as Proxmox VE stores them
        fresh = nb.guests[0].model_copy(update={"memory_mib": 8192})
        desired = desired_object(change, fresh, px.guests[0])
        assert (desired.memory_mib, desired.tags) == (4096, ["prod", "web"])

    def test_a_qemu_interface_update_keeps_the_agent_ips(self):
        nb, px = mirrored(px_node(), px_guest(101))
        nb.guests[0].interfaces[0].mac = "BC:24:11:00:00:99"
        nb.guests[0].interfaces[0].ips = ["10.9.9.9/24"]
        change = only(plan(nb, px, prefer="netbox"))
        [nic] = desired_object(change, nb.guests[0], px.guests[0]).interfaces
        assert (nic.mac, nic.ips, nic.bridge) == ("BC:24:11:00:00:99", ["10.0.0.5/24"], "vmbr0")

    def test_a_deduplicated_name_is_written_as_planned(self):
        nb, px = mirrored(px_node(), px_guest(101, name="web"), px_guest(102, name="db"))
        px.guests[1].name = "web"
        change = only(plan(nb, px, prefer="proxmox", rename_duplicates=True))
        assert desired_object(change, nb.guests[1], px.guests[1]).name == "web-102"

    def test_a_node_description_update(self):
        nb, px = mirrored(px_node(description="rack 1"))
        nb.nodes[0].description = "rack 2"
        change = only(plan(nb, px, prefer="netbox"))
        assert desired_object(change, nb.nodes[0], px.nodes[0]) == px.nodes[0].model_copy(
            update={"description": "rack 2"}
        )


class TestDesiredCreate:
    def test_a_proxmox_bound_create_is_the_netbox_vm_in_proxmox_vocabulary(self):
        nb = netbox(netbox_twin(px_node()), netbox_twin(px_guest(105, "lxc", status="stopped")))
        nb.guests[0].remote_id, nb.guests[0].revision, nb.guests[0].vcpus = 17, "2025-01-01", 1.5
        change = only(plan(nb, proxmox(px_node()), prefer="netbox"))
        desired = desired_object(change, nb.guests[0], None)
        assert isinstance(desired, Guest) and (desired.vmid, desired.kind, desired.node) == (105, "lxc", "pve1")
        assert desired.status == "stopped"
        assert desired.vcpus is None  # 1.5 cannot apply: left to the provider's default
        assert (desired.remote_id, desired.revision) == (None, None)
        assert desired.interfaces[0].ips == ["10.0.0.5/24"]  # LXC addresses are written

    def test_a_netbox_bound_create_keeps_only_what_netbox_holds(self):
        guest = px_guest(105, protected=True, revision="digest")
        guest.interfaces[0].guest_name = "eth0"
        px = proxmox(px_node(), guest)
        nb = netbox(netbox_twin(px_node()))
        change = only(plan(nb, px, prefer="proxmox"))
        desired = desired_object(change, None, guest)
        assert desired.status == "active"
        assert (desired.interfaces[0].bridge, desired.interfaces[0].guest_name) == (None, None)
        assert desired.disks[0].storage == "local-lvm" and desired.disks[0].size_mib == 32768  # NetBox's custom field
        assert (desired.protected, desired.revision) == (False, None)
        assert desired == netbox_twin(guest).model_copy(update={"protected": False, "revision": None})

    def test_a_netbox_bound_node_create(self):
        change = only(plan(netbox(), proxmox(px_node("pve3", description="new")), prefer="proxmox"))
        assert desired_object(change, None, px_node("pve3", description="new")) == Node(
            name="pve3", status="active", description="new"
        )


class TestDesiredOther:
    def test_a_delete_has_no_desired_object(self):
        nb, px = mirrored(px_node(), px_guest(101))
        px.guests.append(px_guest(105))
        change = only(plan(nb, px, prefer="netbox", allow_delete=True))
        assert desired_object(change, None, px.guests[1]) is None

    def test_a_change_that_writes_nothing_has_no_desired_object(self):
        nb, px = mirrored(px_node())
        px.guests.append(px_guest(105))
        change = only(plan(nb, px, prefer="netbox"))
        with pytest.raises(ValueError, match="writes nothing"):
            desired_object(change, None, px.guests[0])

    def test_find_object_finds_nodes_by_name_and_guests_by_vmid(self):
        px = proxmox(px_node("pve1"), px_guest(101), px_guest(102, "lxc"))
        assert find_object(px, ObjectKind.NODE, "pve1") is px.nodes[0]
        assert find_object(px, ObjectKind.LXC, "102") is px.guests[1]
        assert find_object(px, ObjectKind.QEMU, "999") is None
        assert find_object(px, ObjectKind.NODE, "pve9") is None


class TestRegroup:
    def mismatch(self):
        nb, px = mirrored(px_node(), px_guest(101), px_guest(102))
        nb.guests[0].memory_mib = 4096
        nb.guests[0].vcpus = 1.5
        nb.guests[0].description = "netbox text"
        px.guests.append(px_guest(103))  # proxmox-only: passes through
        return nb, px

    def test_regrouping_an_unedited_plan_changes_nothing(self):
        nb, px = self.mismatch()
        changes = plan(nb, px, prefer="netbox").changes
        assert regroup(changes) == changes

    def test_a_re_chosen_direction_moves_the_property_to_the_other_target(self):
        nb, px = self.mismatch()
        changes = plan(nb, px, prefer="netbox").changes
        for change in changes:
            for prop in change.properties:
                if prop.name == "description":
                    prop.direction = Direction.PROXMOX_TO_NETBOX
        result = by_id(regroup(changes))
        assert [p.name for p in result["lab/qemu/101#netbox"].properties] == ["description"]
        assert [p.name for p in result["lab/qemu/101#proxmox"].properties] == ["memory"]
        assert "lab/qemu/103#ignore" in result

    def test_a_skipped_property_goes_to_the_ignore_change_with_a_reason(self):
        nb, px = self.mismatch()
        changes = plan(nb, px, prefer="netbox").changes
        for change in changes:
            for prop in change.properties:
                if prop.name == "memory":
                    prop.direction = Direction.SKIP
        result = by_id(regroup(changes))
        ignored = {p.name: p.reason for p in result["lab/qemu/101#ignore"].properties}
        assert ignored["memory"] == SKIPPED_BY_CHOICE
        assert [p.name for p in result["lab/qemu/101#proxmox"].properties] == ["description"]

    def test_an_unwritable_choice_becomes_a_skip_with_its_reason(self):
        nb, px = self.mismatch()
        changes = plan(nb, px).changes  # no preferred side: everything ignored
        for change in changes:
            for prop in change.properties:
                prop.direction = Direction.NETBOX_TO_PROXMOX
        result = by_id(regroup(changes))
        assert [p.name for p in result["lab/qemu/101#proxmox"].properties] == ["description", "memory"]
        assert all(p.reason is None for p in result["lab/qemu/101#proxmox"].properties)
        [vcpus] = result["lab/qemu/101#ignore"].properties
        assert vcpus.reason == "cannot apply: NetBox value 1.5 is not a whole number of cores"
        assert result["lab/qemu/103#ignore"].action is Action.IGNORE
