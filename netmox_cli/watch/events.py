"""A NetBox webhook body, and the netmox objects it concerns.

NetBox 4.x sends ``{"event": "created"|"updated"|"deleted", "timestamp", "object_type": "app.model",
"data": {the object as the REST API serializes it}, "request": {"id", "user", …}, "snapshots":
{"prechange", "postchange"}}`` (``extras/webhooks.py``); older releases sent ``model`` (without the app),
``username`` and ``request_id``. Both are read. ``data`` nests related objects as ``{"id", "name", …}``;
the snapshots hold plain ids. An update can move an object (a VM to another cluster or VMID, an interface
to another VM): the object *before* the change is a target too, so nothing is left behind.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from netmox_cli.engine.planning import ObjectRef
from netmox_cli.model.state import ObjectKind

VM = "virtualization.virtualmachine"
VM_INTERFACE = "virtualization.vminterface"
VIRTUAL_DISK = "virtualization.virtualdisk"
MAC_ADDRESS = "dcim.macaddress"
IP_ADDRESS = "ipam.ipaddress"
DEVICE = "dcim.device"
OBJECT_TYPES = (VM, VM_INTERFACE, VIRTUAL_DISK, MAC_ADDRESS, IP_ADDRESS, DEVICE)
EVENTS = ("created", "updated", "deleted")
_BARE = {object_type.split(".")[1]: object_type for object_type in OBJECT_TYPES}  # NetBox 3.x "model"
CF_VMID = "proxmox_vmid"


class BadEvent(ValueError):
    """A body that is not a NetBox webhook netmox can read; the message says what is wrong, in one line."""


@dataclass(frozen=True)
class Origin:
    """Who changed what in NetBox: carried into the history of the run the event causes."""

    event: str
    object_type: str
    object_id: int | None
    request_id: str | None
    user: str | None

    def describe(self) -> str:
        who = f" by {self.user}" if self.user else ""
        request = f" (request {self.request_id})" if self.request_id else ""
        return f"{self.object_type} {self.object_id} {self.event}{who}{request}"


@dataclass(frozen=True)
class Event:
    origin: Origin
    data: Mapping[str, Any]
    prechange: Mapping[str, Any] | None


@dataclass(frozen=True)
class Target:
    """One object of one connection: a guest by VMID or a node by name."""

    connection: str
    vmid: int | None = None
    node: str | None = None

    @property
    def ref(self) -> ObjectRef:
        """The engine's name for it (a guest's kind is not known from NetBox: the engine matches any)."""
        if self.vmid is not None:
            return (self.connection, ObjectKind.QEMU, str(self.vmid))
        return (self.connection, ObjectKind.NODE, str(self.node))

    def __str__(self) -> str:
        return (
            f"{self.connection}: VMID {self.vmid}" if self.vmid is not None else f"{self.connection}: node {self.node}"
        )


@dataclass(frozen=True)
class VmRef:
    """What mapping needs of a NetBox VM: its cluster's name and its VMID (None when netmox does not track it)."""

    cluster: str | None
    vmid: int | None


class Lookup(Protocol):
    """The NetBox reads an event may need (an interface's payload names its VM only by id)."""

    def vm(self, vm_id: int) -> VmRef | None: ...

    def cluster(self, cluster_id: int) -> str | None: ...


def parse(body: bytes) -> Event:
    """The event in ``body``; raises ``BadEvent`` for anything else."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        raise BadEvent(f"body is not JSON ({error})") from None
    if not isinstance(payload, dict):
        raise BadEvent("body is not a JSON object")
    event = payload.get("event")
    if event not in EVENTS:
        raise BadEvent(f"event {event!r} is not one of {', '.join(EVENTS)}")
    object_type = payload.get("object_type") or _BARE.get(str(payload.get("model")), payload.get("model"))
    if not isinstance(object_type, str) or not object_type:
        raise BadEvent("no object_type (or model)")
    data = payload.get("data")
    if not isinstance(data, dict):
        raise BadEvent("data is not an object")
    request = payload.get("request") if isinstance(payload.get("request"), dict) else {}
    snapshots = payload.get("snapshots") if isinstance(payload.get("snapshots"), dict) else {}
    prechange = snapshots.get("prechange")
    user = request.get("user") or payload.get("username")
    request_id = request.get("id") or payload.get("request_id")
    origin = Origin(
        event=event,
        object_type=object_type,
        object_id=data.get("id") if isinstance(data.get("id"), int) else None,
        request_id=str(request_id) if request_id else None,
        user=str(user) if user else None,
    )
    return Event(origin, data, prechange if isinstance(prechange, dict) else None)


def _id(value: Any) -> int | None:
    """A related object's id: nested ``{"id": …}`` in ``data``, a plain int in a snapshot."""
    if isinstance(value, dict):
        value = value.get("id")
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def vmid(obj: Mapping[str, Any]) -> int | None:
    fields = obj.get("custom_fields")
    value = fields.get(CF_VMID) if isinstance(fields, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _cluster_name(value: Any, lookup: Lookup) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return value["name"]
    cluster_id = _id(value)
    return lookup.cluster(cluster_id) if cluster_id is not None else None


def _vm_refs(event: Event, lookup: Lookup) -> list[VmRef]:
    """The NetBox VMs the event touches, before and after the change."""
    object_type, data, before = event.origin.object_type, event.data, event.prechange
    if object_type == VM:
        refs = [VmRef(_cluster_name(data.get("cluster"), lookup), vmid(data))]
        if before is not None and (
            _id(before.get("cluster")) != _id(data.get("cluster")) or vmid(before) != vmid(data)
        ):
            refs.append(VmRef(_cluster_name(before.get("cluster"), lookup), vmid(before)))
        return refs
    vm_ids: list[int | None] = []
    if object_type in (VM_INTERFACE, VIRTUAL_DISK):
        vm_ids = [_id(data.get("virtual_machine")), _id(before.get("virtual_machine")) if before else None]
    elif object_type in (MAC_ADDRESS, IP_ADDRESS):
        assigned = data.get("assigned_object")
        if data.get("assigned_object_type") == VM_INTERFACE and isinstance(assigned, dict):
            vm_ids = [_id(assigned.get("virtual_machine"))]
    refs = []
    for vm_id in dict.fromkeys(i for i in vm_ids if i is not None):
        ref = lookup.vm(vm_id)
        if ref is not None:
            refs.append(ref)
    return refs


def targets(event: Event, connections: Mapping[str, str], lookup: Lookup) -> list[Target]:
    """The objects of covered connections the event concerns; ``connections`` maps NetBox cluster → connection.

    Empty for object types netmox does not sync, for VMs without a VMID, and for clusters no connection covers.
    """
    object_type, data, before = event.origin.object_type, event.data, event.prechange
    found: list[Target] = []
    if object_type == DEVICE:
        places = [(_cluster_name(data.get("cluster"), lookup), data.get("name"))]
        if before is not None and (
            _id(before.get("cluster")) != _id(data.get("cluster")) or before.get("name") != data.get("name")
        ):
            places.append((_cluster_name(before.get("cluster"), lookup), before.get("name")))
        for cluster, name in places:
            if cluster in connections and isinstance(name, str) and name:
                found.append(Target(connections[cluster], node=name))
    elif object_type in OBJECT_TYPES:
        for ref in _vm_refs(event, lookup):
            if ref.cluster in connections and ref.vmid is not None:
                found.append(Target(connections[ref.cluster], vmid=ref.vmid))
    return list(dict.fromkeys(found))
