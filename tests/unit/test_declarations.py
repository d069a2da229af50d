"""Every declared object kind (and property) has a handler in every provider (issue 11, point 4).

The providers' tables are checked when their modules are imported (``netmox_cli.declared.require``);
these tests name each table, so a missing handler fails here with the table and the name, and they show
that the check itself fails on an incomplete table.
"""

from __future__ import annotations

import pytest

from netmox_cli import declared
from netmox_cli.model.kinds import KINDS, collections, has_children, kind_of
from netmox_cli.model.state import ClusterState, Guest, Node, ObjectKind, Side
from netmox_cli.planner.registry import REGISTRY
from netmox_cli.providers.file import FileProvider
from netmox_cli.providers.netbox.batch import KIND_STAGES
from netmox_cli.providers.netbox.mapping import GUEST_HANDLERS as NETBOX_GUEST_HANDLERS
from netmox_cli.providers.netbox.mapping import NODE_HANDLERS as NETBOX_NODE_HANDLERS
from netmox_cli.providers.netbox.writes import OBJECT_TYPES
from netmox_cli.providers.proxmox.properties import GUEST_HANDLERS as PROXMOX_GUEST_HANDLERS
from netmox_cli.providers.proxmox.properties import NODE_HANDLERS as PROXMOX_NODE_HANDLERS
from netmox_cli.providers.proxmox.writes import Writer

KIND_TABLES = {
    "file provider writes": FileProvider.KIND_WRITERS,
    "NetBox writes": KIND_STAGES,
    "NetBox object types": OBJECT_TYPES,
    "Proxmox VE writes": Writer.KIND_WRITERS,
}


@pytest.mark.parametrize("table", sorted(KIND_TABLES))
def test_every_declared_kind_has_a_write_handler_in_every_provider(table):
    assert declared.missing(KIND_TABLES[table], KINDS) == []


def test_the_check_fails_on_an_incomplete_table():
    incomplete = {kind: handler for kind, handler in FileProvider.KIND_WRITERS.items() if kind is not ObjectKind.LXC}
    assert declared.missing(incomplete, KINDS) == ["lxc"]
    with pytest.raises(RuntimeError, match=r"^file provider writes: no handler for lxc$"):
        declared.require("file provider writes", incomplete, KINDS)


GUEST_PROPERTY_TABLES = {"NetBox": NETBOX_GUEST_HANDLERS, "Proxmox VE": PROXMOX_GUEST_HANDLERS}
GUEST_KINDS = [kind for kind, spec in KINDS.items() if spec.collection == "guests"]


@pytest.mark.parametrize("kind", GUEST_KINDS)
@pytest.mark.parametrize("provider", sorted(GUEST_PROPERTY_TABLES))
def test_every_declared_guest_property_has_handlers_in_netbox_and_proxmox(provider, kind):
    declared_names = [prop.name for prop in REGISTRY.for_kind(kind)]
    assert declared.missing(GUEST_PROPERTY_TABLES[provider], declared_names) == []


NODE_PROPERTY_TABLES = {"NetBox": NETBOX_NODE_HANDLERS, "Proxmox VE": PROXMOX_NODE_HANDLERS}


@pytest.mark.parametrize("provider", sorted(NODE_PROPERTY_TABLES))
def test_every_declared_node_property_has_handlers_in_netbox_and_proxmox(provider):
    declared_names = [prop.name for prop in REGISTRY.for_kind(ObjectKind.NODE)]
    assert declared.missing(NODE_PROPERTY_TABLES[provider], declared_names) == []


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_file_provider_holds_every_declared_property_as_its_model_attribute(kind):
    """The snapshot file is the model: a property is handled by the file provider when its declared
    attribute is a field of the kind's model (what ``_copy_fields`` writes and ``read_snapshot`` reads)."""
    model = Node if KINDS[kind].collection == "nodes" else Guest
    assert [p.name for p in REGISTRY.for_kind(kind) if p.attribute not in model.model_fields] == []


def test_a_property_without_a_handler_fails_the_check():
    incomplete = {name: h for name, h in PROXMOX_GUEST_HANDLERS.items() if name != "memory"}
    names = [prop.name for prop in REGISTRY.for_kind(ObjectKind.QEMU)]
    assert declared.missing(incomplete, names) == ["memory"]
    with pytest.raises(RuntimeError, match=r"^Proxmox VE guest properties: no handler for memory$"):
        declared.require("Proxmox VE guest properties", incomplete, names)


def test_every_object_kind_is_declared():
    assert set(KINDS) == set(ObjectKind)


class TestKindDeclarations:
    def test_nodes_are_written_before_their_guests_and_deleted_after_them(self):
        node, guest = KINDS[ObjectKind.NODE], KINDS[ObjectKind.QEMU]
        order = [node.phase(False), guest.phase(True), guest.phase(False), node.phase(True)]
        assert order == sorted(order) and len(set(order)) == 4

    def test_keys_sort_as_their_type(self):
        qemu = KINDS[ObjectKind.QEMU]
        assert sorted(["10", "9", "100"], key=qemu.sort_key) == ["9", "10", "100"]
        assert KINDS[ObjectKind.NODE].sort_key("pve9") < qemu.sort_key("1")  # nodes first

    def test_guests_share_one_key_space_and_find_prefers_their_own_kind(self):
        state = ClusterState(
            side=Side.PROXMOX,
            nodes=[Node(name="pve1")],
            guests=[Guest(vmid=101, kind="qemu"), Guest(vmid=101, kind="lxc")],
        )
        assert KINDS[ObjectKind.LXC].find(state, "101").kind == "lxc"
        assert KINDS[ObjectKind.QEMU].find(state, "101").kind == "qemu"
        assert KINDS[ObjectKind.NODE].find(state, "pve1").name == "pve1"
        assert KINDS[ObjectKind.NODE].find(state, "101") is None
        assert [spec.kind for spec in collections()["guests"]] == [ObjectKind.QEMU, ObjectKind.LXC]

    def test_find_sees_every_change_to_the_state_it_indexed(self):
        qemu = KINDS[ObjectKind.QEMU]
        state = ClusterState(side=Side.PROXMOX, guests=[Guest(vmid=101, kind="qemu")])
        other = ClusterState(side=Side.NETBOX, guests=[Guest(vmid=102, kind="qemu")])
        assert qemu.find(state, "101") is state.guests[0] and qemu.find(other, "101") is None
        state.guests.append(Guest(vmid=103, kind="qemu"))
        assert qemu.find(state, "103") is state.guests[1]
        state.guests[1] = Guest(vmid=104, kind="qemu")
        assert qemu.find(state, "103") is None and qemu.find(state, "104") is state.guests[1]

    def test_placement_parent_and_kind_of(self):
        guest = Guest(vmid=101, kind="lxc", node="pve2")
        assert KINDS[ObjectKind.LXC].placement("101", [None, guest]) == "pve2"
        assert KINDS[ObjectKind.NODE].placement("pve1", [Node(name="pve1")]) == "pve1"
        assert kind_of(guest) is ObjectKind.LXC and kind_of(Node(name="pve1")) is ObjectKind.NODE
        assert has_children(ObjectKind.NODE) and not has_children(ObjectKind.QEMU)
