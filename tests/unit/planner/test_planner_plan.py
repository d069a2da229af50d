"""plan_connection / build_plan: pairing, issues, actions, conflicts, ids and the summary."""

from __future__ import annotations

from planner_builders import by_id, mirrored, netbox, netbox_twin, only, plan, proxmox, px_guest, px_node

from netmox_cli.model.fingerprint import fingerprint
from netmox_cli.model.plan import Action, ConnectionInfo, Direction, Issue
from netmox_cli.model.state import Side
from netmox_cli.planner import build_plan, resolve_policy
from netmox_cli.planner.registry import REGISTRY


class TestInSync:
    def test_identical_sides_give_no_changes_and_count_every_object(self):
        nb, px = mirrored(px_node("pve1"), px_node("pve2"), px_guest(101), px_guest(102, "lxc"))
        result = plan(nb, px, prefer="netbox")
        assert result.changes == []
        assert result.in_sync == 4

    def test_equivalent_statuses_are_in_sync(self):
        nb, px = mirrored(px_guest(101, status="stopped"), px_node("pve1", status="offline"))
        assert nb.guests[0].status == "offline" and nb.nodes[0].status == "offline"
        assert plan(nb, px, prefer="netbox").changes == []

    def test_a_planned_netbox_vm_running_in_proxmox_is_not_a_mismatch(self):
        nb, px = mirrored(px_guest(101))
        nb.guests[0].status = "planned"
        assert plan(nb, px, prefer="netbox").changes == []


class TestMismatch:
    def test_a_difference_goes_to_the_side_that_is_not_preferred(self):
        nb, px = mirrored(px_node(), px_guest(101))
        nb.guests[0].memory_mib = 4096
        change = only(plan(nb, px, prefer="netbox"))
        assert (change.id, change.issue, change.action, change.target) == (
            "lab/qemu/101#proxmox",
            Issue.MISMATCH,
            Action.UPDATE,
            Side.PROXMOX,
        )
        [memory] = change.properties
        assert (memory.name, memory.netbox, memory.proxmox, memory.direction) == (
            "memory",
            4096,
            2048,
            Direction.NETBOX_TO_PROXMOX,
        )

    def test_per_property_direction_splits_a_mismatch_into_one_update_per_target(self):
        nb, px = mirrored(px_node(), px_guest(101))
        nb.guests[0].memory_mib = 4096
        px.guests[0].status = "stopped"
        changes = by_id(plan(nb, px, prefer="netbox", properties={"status": "proxmox->netbox"}))
        assert sorted(changes) == ["lab/qemu/101#netbox", "lab/qemu/101#proxmox"]
        assert [p.name for p in changes["lab/qemu/101#netbox"].properties] == ["status"]
        assert [p.name for p in changes["lab/qemu/101#proxmox"].properties] == ["memory"]

    def test_a_property_that_cannot_be_written_is_carried_by_an_ignore_change(self):
        nb, px = mirrored(px_node(), px_guest(101))
        nb.guests[0].vcpus = 1.5
        nb.guests[0].memory_mib = 4096
        changes = by_id(plan(nb, px, prefer="netbox"))
        ignored = changes["lab/qemu/101#ignore"]
        assert ignored.action is Action.IGNORE and ignored.target is None
        [vcpus] = ignored.properties
        assert (vcpus.direction, vcpus.reason) == (
            Direction.SKIP,
            "cannot apply: NetBox value 1.5 is not a whole number of cores",
        )
        assert ignored.reason == vcpus.reason
        assert [p.name for p in changes["lab/qemu/101#proxmox"].properties] == ["memory"]

    def test_without_a_preferred_side_differences_are_listed_but_ignored(self):
        nb, px = mirrored(px_node(), px_guest(101))
        nb.guests[0].memory_mib = 4096
        change = only(plan(nb, px))
        assert change.action is Action.IGNORE
        assert change.properties[0].reason == "no preferred side: pass --prefer or set policy.prefer"

    def test_a_reordered_guest_is_not_drift(self):
        guest = px_guest(101, tags=["a", "b"])
        nb, px = mirrored(px_node(), guest)
        nb.guests[0].interfaces = list(reversed(nb.guests[0].interfaces))
        nb.guests[0].tags = ["b", "a"]
        assert plan(nb, px, prefer="netbox").changes == []

    def test_unknown_ips_while_the_agent_is_down_are_not_drift(self):
        nb, px = mirrored(px_node(), px_guest(101))
        px.guests[0].interfaces[0].ips = None
        assert plan(nb, px, prefer="netbox").changes == []

    def test_qemu_ip_difference_towards_proxmox_cannot_apply(self):
        nb, px = mirrored(px_node(), px_guest(101))
        nb.guests[0].interfaces[0].ips = ["10.0.0.99/24"]
        change = only(plan(nb, px, prefer="netbox"))
        assert change.action is Action.IGNORE
        assert change.reason == (
            "cannot apply: QEMU IP addresses come from the guest agent; configure them inside the guest"
        )


class TestPairing:
    def test_a_guest_on_another_node_is_an_update_of_its_node(self):
        nb, px = mirrored(px_node("pve1"), px_node("pve2"), px_guest(101, node="pve2"))
        nb.guests[0].node = "pve1"
        change = only(plan(nb, px, prefer="proxmox"))
        assert (change.action, change.target, change.node) == (Action.UPDATE, Side.NETBOX, "pve2")
        assert [(p.name, p.netbox, p.proxmox) for p in change.properties] == [("node", "pve1", "pve2")]

    def test_netbox_cannot_move_a_guest_in_proxmox(self):
        nb, px = mirrored(px_node("pve1"), px_node("pve2"), px_guest(101, node="pve2"))
        nb.guests[0].node = "pve1"
        change = only(plan(nb, px, prefer="netbox"))
        assert change.action is Action.IGNORE
        assert change.reason == "cannot apply: netmox does not migrate guests; move it in Proxmox VE"

    def test_a_vmid_twice_on_one_side_is_a_conflict_and_nothing_else(self):
        nb, px = mirrored(px_node(), px_guest(101))
        px.guests.append(px_guest(101, name="clone", memory_mib=1))
        change = only(plan(nb, px, prefer="netbox"))
        assert (change.id, change.action) == ("lab/qemu/101#conflict", Action.CONFLICT)
        assert change.reason == "VMID 101 appears 2 times on Proxmox VE (vm101, clone)"

    def test_the_same_vmid_as_different_kinds_is_a_conflict(self):
        nb, px = mirrored(px_node(), px_guest(101))
        nb.guests[0] = netbox_twin(px_guest(101, kind="lxc"))
        change = only(plan(nb, px, prefer="netbox"))
        assert change.action is Action.CONFLICT
        assert change.reason == "VMID 101 is an LXC container on NetBox but a QEMU VM on Proxmox VE"


class TestCreateAndDelete:
    def test_a_create_lists_every_property_with_the_source_value_towards_the_target(self):
        nb, px = netbox(), proxmox(px_node(), px_guest(102, "lxc"))
        nb.nodes.append(netbox_twin(px.nodes[0]))
        change = only(plan(nb, px, prefer="proxmox"))
        assert (change.id, change.action, change.issue) == ("lab/lxc/102#netbox", Action.CREATE, Issue.PROXMOX_ONLY)
        assert [p.name for p in change.properties] == [p.name for p in REGISTRY.for_kind(change.kind)]
        assert all(p.direction is Direction.PROXMOX_TO_NETBOX and p.netbox is None for p in change.properties)
        assert {p.name: p.proxmox for p in change.properties}["memory"] == 2048

    def test_a_delete_lists_no_properties(self):
        nb, px = mirrored(px_node(), px_guest(101))
        px.guests.append(px_guest(105))
        change = only(plan(nb, px, prefer="netbox", allow_delete=True))
        assert (change.id, change.action, change.properties) == ("lab/qemu/105#proxmox", Action.DELETE, [])

    def test_a_delete_is_ignored_unless_deletion_is_allowed(self):
        nb, px = mirrored(px_node())
        px.guests.append(px_guest(105))
        change = only(plan(nb, px, prefer="netbox"))
        assert (change.action, change.reason) == (
            Action.IGNORE,
            "would delete (enable with allow_delete / --allow-delete)",
        )

    def test_a_protected_proxmox_guest_cannot_be_deleted(self):
        nb, px = mirrored(px_node())
        px.guests.append(px_guest(105, protected=True))
        change = only(plan(nb, px, prefer="netbox", allow_delete=True))
        assert change.action is Action.CONFLICT
        assert "protected" in change.reason

    def test_a_guest_whose_netbox_vm_has_no_node_cannot_be_created_in_proxmox(self):
        nb, px = mirrored(px_node())
        nb.guests.append(netbox_twin(px_guest(105, node=None)))
        change = only(plan(nb, px, prefer="netbox"))
        assert (change.action, change.reason) == (
            Action.CONFLICT,
            "the NetBox VM has no node; assign one to create the guest in Proxmox VE",
        )

    def test_a_guest_on_a_node_proxmox_lacks_cannot_be_created_in_proxmox(self):
        nb, px = mirrored(px_node())
        nb.guests.append(netbox_twin(px_guest(105, node="pve7")))
        change = by_id(plan(nb, px, prefer="netbox", matrix={"node": {"netbox-only": "ignore"}}))[
            "lab/qemu/105#conflict"
        ]
        assert change.reason == "node pve7 is not a Proxmox VE node of the cluster"

    def test_a_guest_can_be_created_in_proxmox_on_one_of_its_nodes(self):
        nb, px = mirrored(px_node())
        nb.guests.append(netbox_twin(px_guest(105)))
        change = only(plan(nb, px, prefer="netbox"))
        assert (change.action, change.target, change.node) == (Action.CREATE, Side.PROXMOX, "pve1")

    def test_a_vm_cannot_be_created_on_netbox_without_its_device(self):
        nb, px = netbox(), proxmox(px_node("pve1"), px_guest(101))
        change = by_id(plan(nb, px, prefer="proxmox", matrix={"node": {"proxmox-only": "ignore"}}))
        assert change["lab/qemu/101#conflict"].reason == (
            "node pve1 is not a NetBox device of the cluster and this plan does not create it"
        )

    def test_a_vm_can_be_created_on_netbox_with_the_device_created_by_the_same_plan(self):
        nb, px = netbox(), proxmox(px_node("pve1"), px_guest(101))
        changes = by_id(plan(nb, px, prefer="proxmox"))
        assert list(changes) == ["lab/node/pve1#netbox", "lab/qemu/101#netbox"]
        assert {p.name: p.proxmox for p in changes["lab/node/pve1#netbox"].properties}["status"] == "online"

    def test_a_node_cannot_be_created_in_proxmox(self):
        nb, px = netbox(netbox_twin(px_node("pve9"))), proxmox()
        change = only(plan(nb, px, prefer="netbox"))
        assert (change.id, change.action) == ("lab/node/pve9#proxmox", Action.MANUAL)
        assert change.reason.startswith("manual action needed: install the node")

    def test_a_node_cannot_be_deleted_from_proxmox(self):
        change = only(plan(netbox(), proxmox(px_node("pve9")), prefer="netbox", allow_delete=True))
        assert change.action is Action.MANUAL
        assert change.reason.startswith("manual action needed: remove the node")

    def test_a_netbox_device_keeping_vms_is_not_deleted(self):
        nb = netbox(netbox_twin(px_node("pve9")), netbox_twin(px_guest(105, node="pve9")))
        result = plan(nb, proxmox(), prefer="proxmox", allow_delete=True, matrix={"qemu": {"netbox-only": "ignore"}})
        change = by_id(result)["lab/node/pve9#conflict"]
        assert change.reason == "the NetBox device still has VMs that this plan does not delete (VMID 105)"

    def test_a_netbox_device_is_deleted_with_its_vms_in_the_same_plan(self):
        nb = netbox(
            netbox_twin(px_node("pve1")),
            netbox_twin(px_guest(101)),
            netbox_twin(px_node("pve9")),
            netbox_twin(px_guest(105, node="pve9")),
        )
        changes = by_id(plan(nb, proxmox(px_node("pve1"), px_guest(101)), prefer="proxmox", allow_delete=True))
        assert [c.action for c in changes.values()] == [Action.DELETE, Action.DELETE]

    def test_a_netbox_device_whose_vms_move_away_in_the_same_plan_is_deleted(self):
        nb = netbox(netbox_twin(px_node("pve1")), netbox_twin(px_node("pve9")), netbox_twin(px_guest(105, node="pve9")))
        px = proxmox(px_node("pve1"), px_guest(105, node="pve1"))
        changes = by_id(plan(nb, px, prefer="proxmox", allow_delete=True))
        assert changes["lab/node/pve9#netbox"].action is Action.DELETE
        assert changes["lab/qemu/105#netbox"].properties[0].name == "node"


class TestNetboxNames:
    def setup_states(self):
        nb, px = mirrored(px_node(), px_guest(101, name="web"))
        px.guests.append(px_guest(102, name="Web"))
        return nb, px

    def test_creating_a_netbox_vm_with_a_name_another_vm_keeps_is_a_conflict(self):
        nb, px = self.setup_states()
        change = only(plan(nb, px, prefer="proxmox"))
        assert (change.id, change.action) == ("lab/qemu/102#conflict", Action.CONFLICT)
        assert change.reason.startswith("NetBox VM name 'Web' is already taken in the cluster by VMID 101")

    def test_rename_duplicates_creates_the_vm_as_name_dash_vmid(self):
        nb, px = self.setup_states()
        change = only(plan(nb, px, prefer="proxmox", rename_duplicates=True))
        assert change.action is Action.CREATE
        name = next(p for p in change.properties if p.name == "name")
        assert (name.proxmox, name.after) == ("Web", "Web-102")

    def test_a_vm_already_named_name_dash_vmid_is_in_sync(self):
        nb, px = self.setup_states()
        nb.guests.append(netbox_twin(px.guests[1].model_copy(update={"name": "Web-102"})))
        for prefer in ("proxmox", "netbox"):
            assert plan(nb, px, prefer=prefer, rename_duplicates=True).changes == []

    def test_two_creates_with_one_name_conflict_for_the_higher_vmid(self):
        nb, px = mirrored(px_node())
        px.guests += [px_guest(103, name="db"), px_guest(102, name="db")]
        changes = by_id(plan(nb, px, prefer="proxmox"))
        assert changes["lab/qemu/102#netbox"].action is Action.CREATE
        assert changes["lab/qemu/103#conflict"].reason.startswith("NetBox VM name 'db' is already taken")

    def test_renaming_a_netbox_vm_to_a_taken_name_conflicts_only_for_the_name(self):
        nb, px = mirrored(px_node(), px_guest(101, name="web"), px_guest(102, name="db"))
        px.guests[1].name = "web"
        px.guests[1].memory_mib = 8192
        changes = by_id(plan(nb, px, prefer="proxmox"))
        assert [p.name for p in changes["lab/qemu/102#netbox"].properties] == ["memory"]
        conflict = changes["lab/qemu/102#conflict"]
        assert [(p.name, p.direction) for p in conflict.properties] == [("name", Direction.SKIP)]

    def test_swapping_two_names_is_not_a_conflict(self):
        nb, px = mirrored(px_node(), px_guest(101, name="a"), px_guest(102, name="b"))
        px.guests[0].name, px.guests[1].name = "b", "a"
        changes = plan(nb, px, prefer="proxmox").changes
        assert [c.action for c in changes] == [Action.UPDATE, Action.UPDATE]


class TestPlanShape:
    def test_changes_are_sorted_nodes_first_then_guests_by_vmid(self):
        nb, px = netbox(), proxmox(px_node("pve2"), px_node("pve1"), px_guest(1000), px_guest(99), px_guest(100))
        ids = [c.id for c in plan(nb, px, prefer="proxmox").changes]
        assert ids == ["lab/node/pve1#netbox", "lab/node/pve2#netbox", "lab/qemu/99#netbox", "lab/qemu/100#netbox",
                       "lab/qemu/1000#netbox"]  # fmt: skip

    def test_planning_twice_gives_the_same_changes(self):
        nb, px = mirrored(px_node(), px_guest(101), px_guest(102, "lxc"))
        nb.guests[0].memory_mib = 1
        px.guests[1].tags = ["other"]
        assert plan(nb, px, prefer="netbox").changes == plan(nb, px, prefer="netbox").changes

    def test_basis_is_the_fingerprint_of_both_sides(self):
        nb, px = mirrored(px_node(), px_guest(101))
        nb.guests[0].memory_mib = 1
        assert only(plan(nb, px, prefer="netbox")).basis == fingerprint(nb.guests[0], px.guests[0])

    def test_the_change_name_is_netboxs(self):
        nb, px = mirrored(px_node(), px_guest(101, name="pve-name"))
        nb.guests[0].name = "netbox-name"
        assert only(plan(nb, px, prefer="netbox")).name == "netbox-name"

    def test_build_plan_counts_actions_per_target(self):
        nb, px = mirrored(px_node(), px_guest(101), px_guest(102))
        nb.guests[0].memory_mib = 4096  # update proxmox
        nb.guests[1].vcpus = 1.5  # ignored (cannot apply)
        nb.guests.append(netbox_twin(px_guest(103)))  # create on proxmox
        px.guests.append(px_guest(104))  # would delete: ignored
        nb.nodes.append(netbox_twin(px_node("pve9")))  # manual
        policy = resolve_policy(prefer=Side.NETBOX)
        info = ConnectionInfo(name="lab", cluster="lab", netbox="nb.json", proxmox="pve.json")
        result = build_plan({"lab": plan(nb, px, prefer="netbox")}, [info], policy, "0.1.0")
        summary = result.summary
        assert (summary.proxmox.create, summary.proxmox.update, summary.proxmox.delete) == (1, 1, 0)
        assert (summary.netbox.create, summary.netbox.update) == (0, 0)
        assert (summary.ignored, summary.manual, summary.conflicts, summary.in_sync) == (2, 1, 0, 1)
        assert summary.changes is True
        assert result.policy.prefer is Side.NETBOX and result.connections == [info]

    def test_a_plan_without_writes_says_so(self):
        nb, px = mirrored(px_node(), px_guest(101))
        result = build_plan([plan(nb, px, prefer="netbox")], [], resolve_policy(), "0.1.0")
        assert result.summary.changes is False and result.summary.in_sync == 2


class TestIncompleteGuests:
    def test_a_guest_on_an_offline_node_is_ignored_not_treated_as_drift(self):
        nb, px = mirrored(px_guest(101))
        px.guests[0] = px.guests[0].model_copy(
            update={"incomplete": True, "status": "unknown", "disks": [], "interfaces": [], "node": "pve2"}
        )
        (change,) = plan(nb, px, prefer="proxmox").changes
        assert change.action is Action.IGNORE
        assert change.properties == []
        assert change.reason == "node pve2 is offline: the guest's configuration cannot be read"

    def test_an_incomplete_proxmox_only_guest_is_not_created_in_netbox(self):
        guest = px_guest(101).model_copy(update={"incomplete": True})
        (change,) = plan(netbox(), proxmox(guest), prefer="proxmox").changes
        assert change.action is Action.IGNORE
        assert change.issue is Issue.PROXMOX_ONLY


class TestDeduplicatedNamesStay:
    def test_a_name_made_unique_earlier_is_not_rewritten_while_the_original_still_collides(self):
        nb = netbox(netbox_twin(px_node("pve1")), netbox_twin(px_guest(105, name="mail-105")))
        px = proxmox(
            px_node("pve1"), px_node("pve2"), px_guest(103, name="mail", node="pve2"), px_guest(105, name="mail")
        )
        changes = by_id(plan(nb, px, prefer="proxmox", rename_duplicates=True))
        assert "lab/qemu/105#netbox" not in changes  # in sync: NetBox already holds 'mail-105'
