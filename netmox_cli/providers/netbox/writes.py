"""Carry out one WriteRequest on NetBox: devices for nodes, virtual machines (with custom fields, interfaces,
MAC and IP addresses, virtual disks, tags, platform) for guests. Only differing attributes are PATCHed; a
device that still has VMs is never deleted. When a multi-step write fails half way, the error names what was
already written, so nothing half-applied goes unrecorded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from netmox_cli.config.schema import NetboxSide
from netmox_cli.declared import require
from netmox_cli.errors import ConflictError, NetmoxError, RemoteError
from netmox_cli.model.kinds import KINDS
from netmox_cli.model.state import Disk, Guest, Interface, Node, ObjectKind
from netmox_cli.planner.registry import REGISTRY
from netmox_cli.providers.base import WriteRequest, WriteResult
from netmox_cli.providers.netbox.client import NetboxClient
from netmox_cli.providers.netbox.journal import journal_text
from netmox_cli.providers.netbox.mapping import (
    PlatformTable,
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
    def __init__(self, client: NetboxClient, refs: References, section: NetboxSide, platforms: PlatformTable) -> None:
        self.client = client
        self.api = client.api
        self.refs = refs
        self.section = section
        self.platforms = platforms

    # --- entry point ----------------------------------------------------------------------------------------

    def apply(self, request: WriteRequest) -> WriteResult:
        steps = Steps()
        try:
            object_id = self.KIND_WRITERS[request.kind](self, request, steps)
        except NetmoxError as exc:
            if steps.done:
                exc.message = f"{exc.message} (already written: {'; '.join(steps.done)})"
                exc.args = (exc.message,)
            raise
        if object_id is not None and self.section.journal and request.action != "delete" and steps.done:
            self._journal(request, object_id, steps)
        return WriteResult(message="; ".join(steps.done), warnings=steps.warnings)

    def _journal(self, request: WriteRequest, object_id: int, steps: Steps) -> None:
        object_type = OBJECT_TYPES[request.kind]
        with self.client.guard(f"journal entry on {describe(request)}"):
            self.api.extras.journal_entries.create(
                assigned_object_type=object_type,
                assigned_object_id=object_id,
                kind="info",
                comments=journal_text(request),
            )

    # --- nodes (devices) ------------------------------------------------------------------------------------

    def _apply_node(self, request: WriteRequest, steps: Steps) -> int | None:
        devices = self.api.dcim.devices
        what = describe(request)
        if request.action == "create":
            node = _node(request.desired)
            problems = self.refs.node_defaults_problems()
            if problems:
                raise RemoteError(f"cannot create {what} in NetBox: {problems[0]}", "fix netbox.defaults")
            payload: dict[str, Any] = {
                "name": node.name,
                "role": self.refs.device_role().id,
                "device_type": self.refs.device_type().id,
                "site": self.refs.site().id,
                "cluster": self.refs.cluster_id(),
                "status": node.status or "active",
                "description": node.description or "",
            }
            if self.refs.tenant():
                payload["tenant"] = self.refs.tenant().id
            with self.client.guard(f"creating {what}"):
                record = devices.create(payload)
            self.refs.forget_device(node.name)
            steps.add(f"created device {node.name} (id {record.id})")
            return record.id
        current = _node(request.current)
        if current.remote_id is None:
            raise RemoteError(f"{what} has no NetBox id; re-run `netmox plan`")
        if request.action == "delete":
            with self.client.guard(f"VMs on {what}"):
                remaining = self.api.virtualization.virtual_machines.count(device_id=current.remote_id)
            if remaining:
                raise ConflictError(
                    f"{what} still has {remaining} virtual machine(s) in NetBox; not deleted",
                    "delete or move its guests first",
                )
            with self.client.guard(f"deleting {what}"):
                devices.delete([current.remote_id])
            self.refs.forget_device(current.name)
            steps.add(f"deleted device {current.name}")
            return None
        desired = _node(request.desired)
        payload = {}
        if "status" in request.fields and desired.status and desired.status != current.status:
            payload["status"] = desired.status
        if "description" in request.fields and (desired.description or "") != (current.description or ""):
            payload["description"] = desired.description or ""
        if payload:
            with self.client.guard(f"updating {what}"):
                devices.update([{"id": current.remote_id, **payload}])
            steps.add(f"updated device {current.name}: {', '.join(payload)}")
        return current.remote_id

    # --- guests (virtual machines) ----------------------------------------------------------------------------

    def _apply_guest(self, request: WriteRequest, steps: Steps) -> int | None:
        vms = self.api.virtualization.virtual_machines
        what = describe(request)
        if request.action == "delete":
            current = _guest(request.current)
            if current.remote_id is None:
                raise RemoteError(f"{what} has no NetBox id; re-run `netmox plan`")
            with self.client.guard(f"deleting {what}"):
                vms.delete([current.remote_id])
            steps.add(f"deleted VM {current.name or current.vmid}")
            return None
        desired = _guest(request.desired)
        if request.action == "create":
            payload = {
                # every property: the desired object holds exactly what the plan writes (skipped ones unset)
                **vm_payload(desired, [p.name for p in REGISTRY.for_kind(request.kind)], _Resolver(self, steps)),
                "cluster": self.refs.cluster_id(),
                "custom_fields": vm_custom_fields(desired),
            }
            payload.setdefault("status", "active")
            if self.refs.tenant():
                payload["tenant"] = self.refs.tenant().id
            with self.client.guard(f"creating {what}"):
                record = vms.create(payload)
            steps.add(f"created VM {desired.name} (id {record.id})")
            self._sync_interfaces(record.id, desired, steps)
            self._sync_disks(record.id, desired, steps)
            return record.id
        current = _guest(request.current)
        if current.remote_id is None:
            raise RemoteError(f"{what} has no NetBox id; re-run `netmox plan`")
        payload = self._guest_patch(current, desired, request.fields, steps)
        if payload:
            with self.client.guard(f"updating {what}"):
                vms.update([{"id": current.remote_id, **payload}])
            steps.add(f"updated VM {current.name or current.vmid}: {', '.join(payload)}")
        if "interfaces" in request.fields and desired.interfaces != current.interfaces:
            self._sync_interfaces(current.remote_id, desired, steps)
        if "disks" in request.fields and desired.disks != current.disks:
            self._sync_disks(current.remote_id, desired, steps)
        return current.remote_id

    # One write handler per object kind (tests/unit/test_declarations.py checks that every kind has one).
    KIND_WRITERS: ClassVar[dict[ObjectKind, Callable[[NetboxWriter, WriteRequest, Steps], int | None]]] = {
        ObjectKind.NODE: _apply_node,
        ObjectKind.QEMU: _apply_guest,
        ObjectKind.LXC: _apply_guest,
    }

    def _guest_patch(self, current: Guest, desired: Guest, fields: list[str], steps: Steps) -> dict[str, Any]:
        """The VM attributes among ``fields`` whose desired value differs from the current one."""
        changed = [f for f in fields if _guest_value(desired, f) != _guest_value(current, f)]
        return vm_payload(desired, changed, _Resolver(self, steps))

    # --- interfaces, MAC and IP addresses ---------------------------------------------------------------------

    def _sync_interfaces(self, vm_id: int, guest: Guest, steps: Steps) -> None:
        api = self.api
        with self.client.guard(f"interfaces of VM {guest.vmid}"):
            existing = {i.name: i for i in api.virtualization.interfaces.filter(virtual_machine_id=vm_id)}
            ips: dict[int, dict[str, Any]] = {}
            for ip in api.ipam.ip_addresses.filter(virtual_machine_id=vm_id):
                ips.setdefault(ip.assigned_object_id, {})[ip.address] = ip
            macs: dict[int, Any] = {}
            for mac in api.dcim.mac_addresses.filter(virtual_machine_id=vm_id):
                macs.setdefault(mac.assigned_object_id, mac)
        wanted = {i.name: i for i in guest.interfaces}
        self._delete_unwanted("interface", existing, wanted, guest, steps)
        for name, interface in wanted.items():
            record = existing.get(name)
            if record is None:
                record = self._create_interface(vm_id, guest, interface, steps)
            else:
                self._update_interface(record, guest, interface, steps)
            self._sync_mac(record, guest, interface, macs.get(record.id), steps)
            self._sync_ips(record.id, guest, interface, ips.get(record.id, {}), steps)

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

    def _create_interface(self, vm_id: int, guest: Guest, interface: Interface, steps: Steps) -> Any:
        attrs = self._interface_attrs(guest, interface, steps)
        with self.client.guard(f"creating interface {interface.name} of VM {guest.vmid}"):
            record = self.api.virtualization.interfaces.create(
                virtual_machine=vm_id, name=interface.name, **{k: v for k, v in attrs.items() if v is not None}
            )
        steps.add(f"created interface {interface.name}")
        return record

    def _update_interface(self, record: Any, guest: Guest, interface: Interface, steps: Steps) -> None:
        attrs = self._interface_attrs(guest, interface, steps)
        current = {
            "mode": record.mode.value if record.mode else None,
            "untagged_vlan": record.untagged_vlan.id if record.untagged_vlan else None,
        }
        patch = {k: v for k, v in attrs.items() if v != current[k]}
        if patch:
            with self.client.guard(f"updating interface {interface.name} of VM {guest.vmid}"):
                self.api.virtualization.interfaces.update([{"id": record.id, **patch}])
            steps.add(f"updated interface {interface.name}: {', '.join(patch)}")

    def _sync_mac(self, record: Any, guest: Guest, interface: Interface, mac: Any, steps: Steps) -> None:
        """One MAC address object per interface, set as its primary MAC (NetBox >= 4.2)."""
        if interface.mac is None:
            return  # unknown: leave NetBox as it is
        where = f"MAC address of {guest.vmid}/{interface.name}"
        if mac is not None:
            if str(mac.mac_address).upper() != interface.mac:
                with self.client.guard(f"updating {where}"):
                    self.api.dcim.mac_addresses.update([{"id": mac.id, "mac_address": interface.mac}])
                steps.add(f"set MAC of {interface.name} to {interface.mac}")
            mac_id = mac.id
        else:
            with self.client.guard(f"creating {where}"):
                mac_id = self.api.dcim.mac_addresses.create(
                    mac_address=interface.mac, assigned_object_type=VMINTERFACE, assigned_object_id=record.id
                ).id
            steps.add(f"created MAC {interface.mac} on {interface.name}")
        primary = getattr(record, "primary_mac_address", None)
        if primary is None or primary.id != mac_id:
            with self.client.guard(f"setting primary {where}"):
                self.api.virtualization.interfaces.update([{"id": record.id, "primary_mac_address": mac_id}])

    def _sync_ips(self, interface_id: int, guest: Guest, interface: Interface, current: dict[str, Any], steps: Steps):
        if interface.ips is None:
            return  # unknown (guest agent down): leave NetBox as it is
        for address, record in current.items():
            if address not in interface.ips:
                with self.client.guard(f"deleting IP {address} of {guest.vmid}/{interface.name}"):
                    record.delete()
                steps.add(f"deleted IP {address}")
        for address in interface.ips:
            if address in current:
                continue
            with self.client.guard(f"IP address {address} of {guest.vmid}/{interface.name}"):
                free = [
                    ip for ip in self.api.ipam.ip_addresses.filter(address=address) if ip.assigned_object_id is None
                ]
                if free:
                    self.api.ipam.ip_addresses.update(
                        [{"id": free[0].id, "assigned_object_type": VMINTERFACE, "assigned_object_id": interface_id}]
                    )
                else:
                    self.api.ipam.ip_addresses.create(
                        address=address,
                        status="active",
                        assigned_object_type=VMINTERFACE,
                        assigned_object_id=interface_id,
                    )
            steps.add(f"assigned IP {address} to {interface.name}")

    def _delete_unwanted(
        self, what: str, existing: dict[str, Any], wanted: dict[str, Any], guest: Guest, steps: Steps
    ) -> None:
        """Delete the VM's records (interfaces, disks) that the desired guest no longer has."""
        for name, record in existing.items():
            if name not in wanted:
                with self.client.guard(f"deleting {what} {name} of VM {guest.vmid}"):
                    record.delete()
                steps.add(f"deleted {what} {name}")

    # --- virtual disks --------------------------------------------------------------------------------------

    def _sync_disks(self, vm_id: int, guest: Guest, steps: Steps) -> None:
        endpoint = self.api.virtualization.virtual_disks
        with self.client.guard(f"virtual disks of VM {guest.vmid}"):
            existing = {d.name: d for d in endpoint.filter(virtual_machine_id=vm_id)}
        wanted = {d.name: d for d in guest.disks}
        self._delete_unwanted("disk", existing, wanted, guest, steps)
        for name, disk in wanted.items():
            record = existing.get(name)
            attrs = _disk_attrs(disk)
            if record is None:
                if disk.size_mib is None:
                    steps.warnings.append(f"disk {guest.vmid}/{name} has no known size; not created in NetBox")
                    continue
                with self.client.guard(f"creating disk {name} of VM {guest.vmid}"):
                    endpoint.create(virtual_machine=vm_id, name=name, **attrs)
                steps.add(f"created disk {name}")
                continue
            patch = {k: v for k, v in attrs.items() if v != _disk_current(record)[k]}
            if patch:
                with self.client.guard(f"updating disk {name} of VM {guest.vmid}"):
                    endpoint.update([{"id": record.id, **patch}])
                steps.add(f"updated disk {name}: {', '.join(patch)}")


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


require("NetBox writes", NetboxWriter.KIND_WRITERS, KINDS)
