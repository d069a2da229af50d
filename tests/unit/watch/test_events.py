"""Webhook bodies → the netmox objects they concern (connection by cluster, guest by VMID, node by name)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from netmox_cli.watch.events import BadEvent, Target, VmRef, parse, targets

CONNECTIONS = {"nb-lab": "lab", "nb-prod": "prod"}


class FakeLookup:
    """The two NetBox reads mapping may make; records them, so tests see when NetBox is (not) asked."""

    def __init__(self, vms: dict[int, VmRef] | None = None, clusters: dict[int, str] | None = None) -> None:
        self.vms = vms or {}
        self.clusters = clusters or {}
        self.asked: list[tuple[str, int]] = []

    def vm(self, vm_id: int) -> VmRef | None:
        self.asked.append(("vm", vm_id))
        return self.vms.get(vm_id)

    def cluster(self, cluster_id: int) -> str | None:
        self.asked.append(("cluster", cluster_id))
        return self.clusters.get(cluster_id)


def body(object_type: str, data: dict[str, Any], event: str = "updated", prechange: Any = None, **extra: Any) -> bytes:
    payload = {
        "event": event,
        "timestamp": "2026-12-03T06:00:00+00:00",
        "object_type": object_type,
        "data": data,
        "request": {"id": "5b1c", "user": "alice", "path": "/api/", "method": "PATCH"},
        "snapshots": {"prechange": prechange, "postchange": None},
        **extra,
    }
    return json.dumps(payload).encode()


def vm(vmid: int | None, cluster: str = "nb-lab", cluster_id: int = 7, id: int = 40) -> dict[str, Any]:
    return {
        "id": id,
        "name": "app01",
        "cluster": {"id": cluster_id, "name": cluster},
        "custom_fields": {"proxmox_vmid": vmid},
    }


def test_vm_event_maps_by_cluster_and_vmid_without_reading_netbox() -> None:
    lookup = FakeLookup()
    event = parse(body("virtualization.virtualmachine", vm(110), event="created"))
    assert targets(event, CONNECTIONS, lookup) == [Target("lab", vmid=110)]
    assert lookup.asked == []
    assert (event.origin.user, event.origin.request_id, event.origin.event) == ("alice", "5b1c", "created")


def test_vm_moved_to_another_cluster_and_vmid_concerns_both() -> None:
    lookup = FakeLookup(clusters={8: "nb-prod"})
    before = {"cluster": 8, "custom_fields": {"proxmox_vmid": 99}}
    event = parse(body("virtualization.virtualmachine", vm(110), prechange=before))
    assert targets(event, CONNECTIONS, lookup) == [Target("lab", vmid=110), Target("prod", vmid=99)]


def test_vm_without_vmid_or_in_an_uncovered_cluster_is_ignored() -> None:
    assert targets(parse(body("virtualization.virtualmachine", vm(None))), CONNECTIONS, FakeLookup()) == []
    other = parse(body("virtualization.virtualmachine", vm(110, cluster="elsewhere")))
    assert targets(other, CONNECTIONS, FakeLookup()) == []


def test_deleted_vm_maps_from_its_last_serialization() -> None:
    event = parse(body("virtualization.virtualmachine", vm(120), event="deleted", prechange={"cluster": 7}))
    assert targets(event, CONNECTIONS, FakeLookup()) == [Target("lab", vmid=120)]


@pytest.mark.parametrize("object_type", ["virtualization.vminterface", "virtualization.virtualdisk"])
def test_interface_and_disk_events_read_their_vm(object_type: str) -> None:
    lookup = FakeLookup(vms={40: VmRef("nb-lab", 110), 41: VmRef("nb-lab", 111)})
    data = {"id": 3, "name": "net0", "virtual_machine": {"id": 40, "name": "app01"}}
    assert targets(parse(body(object_type, data)), CONNECTIONS, lookup) == [Target("lab", vmid=110)]
    assert lookup.asked == [("vm", 40)]
    moved = parse(body(object_type, data, prechange={"virtual_machine": 41}))
    assert targets(moved, CONNECTIONS, lookup) == [Target("lab", vmid=110), Target("lab", vmid=111)]


@pytest.mark.parametrize("object_type", ["dcim.macaddress", "ipam.ipaddress"])
def test_mac_and_ip_count_only_on_a_vm_interface(object_type: str) -> None:
    lookup = FakeLookup(vms={40: VmRef("nb-lab", 110)})
    on_vm = {
        "id": 9,
        "assigned_object_type": "virtualization.vminterface",
        "assigned_object": {"id": 3, "name": "net0", "virtual_machine": {"id": 40, "name": "app01"}},
    }
    assert targets(parse(body(object_type, on_vm)), CONNECTIONS, lookup) == [Target("lab", vmid=110)]
    on_device = {**on_vm, "assigned_object_type": "dcim.interface", "assigned_object": {"id": 3, "device": {"id": 1}}}
    assert targets(parse(body(object_type, on_device)), CONNECTIONS, lookup) == []
    unassigned = {"id": 9, "assigned_object_type": None, "assigned_object": None}
    assert targets(parse(body(object_type, unassigned)), CONNECTIONS, lookup) == []


def test_interface_of_a_vm_netbox_no_longer_has_is_ignored() -> None:
    data = {"id": 3, "name": "net0", "virtual_machine": {"id": 40}}
    assert targets(parse(body("virtualization.vminterface", data, event="deleted")), CONNECTIONS, FakeLookup()) == []


def test_device_in_a_cluster_is_a_node() -> None:
    data = {"id": 5, "name": "pve1", "cluster": {"id": 7, "name": "nb-lab"}}
    assert targets(parse(body("dcim.device", data)), CONNECTIONS, FakeLookup()) == [Target("lab", node="pve1")]
    renamed = parse(body("dcim.device", data, prechange={"cluster": 7, "name": "pve-old"}))
    lookup = FakeLookup(clusters={7: "nb-lab"})
    assert targets(renamed, CONNECTIONS, lookup) == [Target("lab", node="pve1"), Target("lab", node="pve-old")]
    no_cluster = {"id": 5, "name": "pve1", "cluster": None}
    assert targets(parse(body("dcim.device", no_cluster)), CONNECTIONS, FakeLookup()) == []


def test_other_object_types_are_ignored() -> None:
    assert targets(parse(body("dcim.site", {"id": 1, "name": "x"})), CONNECTIONS, FakeLookup()) == []


def test_older_netbox_keys_model_username_request_id() -> None:
    payload = {"event": "created", "model": "virtualmachine", "username": "bob", "request_id": "r-1", "data": vm(130)}
    event = parse(json.dumps(payload).encode())
    assert event.origin.object_type == "virtualization.virtualmachine"
    assert (event.origin.user, event.origin.request_id) == ("bob", "r-1")
    assert targets(event, CONNECTIONS, FakeLookup()) == [Target("lab", vmid=130)]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"event": "exploded", "object_type": "x", "data": {}}', "event 'exploded'"),
        (b'{"event": "created", "data": {}}', "no object_type"),
        (b'{"event": "created", "object_type": "virtualization.virtualmachine", "data": []}', "data is not an object"),
    ],
)
def test_malformed_bodies_are_bad_events(raw: bytes, message: str) -> None:
    with pytest.raises(BadEvent, match=message):
        parse(raw)


def test_odd_nested_values_map_to_nothing_rather_than_fail() -> None:
    weird = {"id": 1, "cluster": "nb-lab", "custom_fields": {"proxmox_vmid": "110"}}
    assert targets(parse(body("virtualization.virtualmachine", weird)), CONNECTIONS, FakeLookup()) == []
    flag = {"id": 1, "cluster": {"id": 7, "name": "nb-lab"}, "custom_fields": {"proxmox_vmid": True}}
    assert targets(parse(body("virtualization.virtualmachine", flag)), CONNECTIONS, FakeLookup()) == []
