"""What netmox writes on NetBox, object by object: devices for nodes, virtual machines (with custom fields,
interfaces, MAC and IP addresses, virtual disks, tags, platform) for guests. Only differing attributes are
PATCHed. How the writes travel (in chunks, stage by stage, with per-object retries) is ``batch.py``."""

from __future__ import annotations

from typing import Any

from netmox_cli.config.schema import NetboxSide
from netmox_cli.model.state import Disk, Guest, Interface, Node, ObjectKind
from netmox_cli.planner.registry import REGISTRY
from netmox_cli.providers.base import WriteRequest
from netmox_cli.providers.netbox.client import NetboxClient
from netmox_cli.providers.netbox.mapping import (
    PlatformTable,
    device_payload,
    vm_custom_fields,
    vm_payload,
)
from netmox_cli.providers.netbox.refs import References
from netmox_cli.providers.netbox.schema import CF_STORAGE

VMINTERFACE = "virtualization.vminterface"
# The NetBox object type each kind is written as (journal entries are assigned to it).
OBJECT_TYPES = {
    ObjectKind.NODE: "dcim.device",
    ObjectKind.QEMU: "virtualization.virtualmachine",
    ObjectKind.LXC: "virtualization.virtualmachine",
}


class Steps:
    """What a write has done so far, for the error message when a later step fails."""

    def __init__(self) -> None:
        self.done: list[str] = []
        self.warnings: list[str] = []

    def add(self, step: str) -> None:
        self.done.append(step)


class NetboxWriter:
    """The payloads of netmox's NetBox writes, per object: what to POST for a new device or VM, what to
    PATCH for the properties a change writes. ``batch.Batch`` decides how they travel (chunks, stages)."""

    def __init__(self, client: NetboxClient, refs: References, section: NetboxSide, platforms: PlatformTable) -> None:
        self.client = client
        self.api = client.api
        self.refs = refs
        self.section = section
        self.platforms = platforms

    # --- nodes (devices) ------------------------------------------------------------------------------------

    def node_create_payload(self, node: Node) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "name": node.name,
            "role": self.refs.device_role().id,
            "device_type": self.refs.device_type().id,
            "site": self.refs.site().id,
            "cluster": self.refs.cluster_id(),
            "status": "active",  # NetBox's own default, for a node whose status is unknown
            **device_payload(node, [p.name for p in REGISTRY.for_kind(ObjectKind.NODE)]),
        }
        if self.refs.tenant():
            payload["tenant"] = self.refs.tenant().id
        return payload

    def node_patch(self, current: Node, desired: Node, fields: list[str]) -> dict[str, Any]:
        """The device attributes among ``fields`` whose value differs from the re-read device."""
        wanted, present = device_payload(desired, fields), device_payload(current, fields)
        return {key: value for key, value in wanted.items() if present.get(key) != value}

    # --- guests (virtual machines) ----------------------------------------------------------------------------

    def vm_create_payload(self, desired: Guest, steps: Steps) -> dict[str, Any]:
        """Every property: the desired object holds exactly what the plan writes (skipped ones unset)."""
        names = [p.name for p in REGISTRY.for_kind(ObjectKind(desired.kind))]
        payload = {
            **vm_payload(desired, names, _Resolver(self, steps)),
            "cluster": self.refs.cluster_id(),
            "custom_fields": vm_custom_fields(desired),
        }
        payload.setdefault("status", "active")
        if self.refs.tenant():
            payload["tenant"] = self.refs.tenant().id
        return payload

    def _guest_patch(self, current: Guest, desired: Guest, fields: list[str], steps: Steps) -> dict[str, Any]:
        """The VM attributes among ``fields`` whose desired value differs from the current one."""
        changed = [f for f in fields if _guest_value(desired, f) != _guest_value(current, f)]
        return vm_payload(desired, changed, _Resolver(self, steps))

    # --- interfaces and virtual disks -------------------------------------------------------------------------

    def _interface_attrs(self, guest: Guest, interface: Interface, steps: Steps) -> dict[str, Any]:
        vlan_id = self.refs.vlan_id(interface.vlan)
        if interface.vlan is not None and vlan_id is None:
            steps.warnings.append(
                f"VLAN {interface.vlan} of {guest.vmid}/{interface.name} does not exist (or is ambiguous) in NetBox"
            )
        return {
            "mode": "access" if vlan_id else None,
            "untagged_vlan": vlan_id,
        }

    def interface_create_payload(self, vm_id: int, guest: Guest, interface: Interface, steps: Steps) -> dict[str, Any]:
        attrs = self._interface_attrs(guest, interface, steps)
        return {"virtual_machine": vm_id, "name": interface.name, **{k: v for k, v in attrs.items() if v is not None}}

    def interface_patch(self, record: Any, guest: Guest, interface: Interface, steps: Steps) -> dict[str, Any]:
        attrs = self._interface_attrs(guest, interface, steps)
        current = {
            "mode": record.mode.value if record.mode else None,
            "untagged_vlan": record.untagged_vlan.id if record.untagged_vlan else None,
        }
        return {k: v for k, v in attrs.items() if v != current[k]}


def disk_patch(record: Any, disk: Disk) -> dict[str, Any]:
    current = _disk_current(record)
    return {k: v for k, v in _disk_attrs(disk).items() if v != current[k]}


def _disk_attrs(disk: Disk) -> dict[str, Any]:
    """The size, and the Proxmox VE storage in netmox's custom field; unknown values are left as they are."""
    attrs: dict[str, Any] = {"size": disk.size_mib} if disk.size_mib is not None else {}
    if disk.storage is not None:
        attrs["custom_fields"] = {CF_STORAGE: disk.storage}  # NetBox merges custom fields on PATCH
    return attrs


def _disk_current(record: Any) -> dict[str, Any]:
    """A stored virtual disk in the shape of ``_disk_attrs``, to PATCH only what differs."""
    stored = (record.custom_fields or {}).get(CF_STORAGE)
    return {"size": record.size, "custom_fields": {CF_STORAGE: stored}}


def _guest_value(guest: Guest, field: str) -> Any:
    return getattr(guest, REGISTRY.get(field, ObjectKind(guest.kind)).attribute)


class _Resolver:
    """The NetBox ids of one write's referenced objects; what cannot be found is a warning of the write."""

    def __init__(self, writer: NetboxWriter, steps: Steps) -> None:
        self.writer, self.steps = writer, steps

    def tag_ids(self, tags: list[str]) -> list[int]:
        return self.writer.refs.tag_ids(tags)

    def platform_for(self, ostype: str | None) -> int | None:
        platform = self.writer.platforms.platform(ostype)
        if ostype and platform is None:
            self.steps.warnings.append(f"no NetBox platform is mapped to ostype {ostype!r}; platform cleared")
        return self.writer.refs.platform_id(platform)

    def device_for(self, node: str | None) -> int | None:
        device_id = self.writer.refs.device_id(node)
        if node and device_id is None:
            self.steps.warnings.append(f"node {node!r} is not a device of the cluster in NetBox; VM left unplaced")
        return device_id


def _node(value: Node | Guest | None) -> Node:
    if not isinstance(value, Node):
        raise TypeError("a node write needs Node objects")
    return value


def _guest(value: Node | Guest | None) -> Guest:
    if not isinstance(value, Guest):
        raise TypeError("a guest write needs Guest objects")
    return value


def describe(request: WriteRequest) -> str:
    """How messages name the object: ``node pve1`` or ``VM 101 (web01)``."""
    obj = request.desired or request.current
    if isinstance(obj, Node):
        return f"node {obj.name}"
    if isinstance(obj, Guest):
        return f"VM {obj.vmid} ({obj.name})" if obj.name else f"VM {obj.vmid}"
    return request.change_id
