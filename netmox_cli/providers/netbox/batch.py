"""A phase's NetBox writes in few requests: one list request per object type and stage, ``chunk_size``
objects at a time, ids taken from the create answers instead of reading objects back.

Stages, in order (each needs the ids of the ones before it; removal before addition, so an address or a
name that moves is free when it is written again):

    VM deletes → devices → VMs → IP, interface and disk deletes → interfaces → MAC addresses →
    interfaces' primary MAC → IP addresses → new VMs' primary IPs → virtual disks → device deletes →
    journal entries

A refused chunk is sent again object by object (``chunked.Sender``). A change that failed at one stage is
not carried into the later ones: its error says what was already written and what was not attempted.
"""

from __future__ import annotations

import logging
from typing import Any

from netmox_cli.declared import require
from netmox_cli.errors import ConflictError, NetmoxError, RemoteError
from netmox_cli.model.kinds import KINDS
from netmox_cli.model.state import Guest, ObjectKind
from netmox_cli.providers.base import WriteEvents, WriteRequest, WriteResult
from netmox_cli.providers.netbox.chunked import Op, Sender, Work, assignment, query_chunks
from netmox_cli.providers.netbox.journal import journal_text
from netmox_cli.providers.netbox.writes import (
    OBJECT_TYPES,
    NetboxWriter,
    _disk_attrs,
    _guest,
    _node,
    describe,
    disk_patch,
)

log = logging.getLogger(__name__)

VMS = "virtualization/virtual-machines/"
DEVICES = "dcim/devices/"
INTERFACES = "virtualization/interfaces/"
MACS = "dcim/mac-addresses/"
IPS = "ipam/ip-addresses/"
DISKS = "virtualization/virtual-disks/"
JOURNAL = "extras/journal-entries/"


# What a guest change may still have ahead of it, named as its error names what was not attempted.
LATER_INTERFACES, LATER_MACS, LATER_IPS, LATER_PRIMARY_IPS, LATER_DISKS, LATER_JOURNAL = (
    "interfaces",
    "MAC addresses",
    "IP addresses",
    "primary IP addresses",
    "virtual disks",
    "journal entry",
)


# Which stage group writes each object kind (tests/unit/test_declarations.py checks every kind has one).
KIND_STAGES: dict[ObjectKind, str] = {
    ObjectKind.NODE: "devices",
    ObjectKind.QEMU: "virtual machines",
    ObjectKind.LXC: "virtual machines",
}
require("NetBox writes", KIND_STAGES, KINDS)


class Batch(Sender):
    """Carries out one batch of write requests and reports each change to ``events``."""

    def __init__(self, writer: NetboxWriter, chunk_size: int, events: WriteEvents) -> None:
        super().__init__(writer.client, chunk_size, events, writer.section.timeout)
        self.writer = writer
        self.api = writer.client.api

    # --- the flow -------------------------------------------------------------------------------------------

    def run(self, requests: list[WriteRequest]) -> None:
        works = [Work(request) for request in requests]
        nodes = [w for w in works if KIND_STAGES[w.request.kind] == "devices"]
        guests = [w for w in works if KIND_STAGES[w.request.kind] == "virtual machines"]
        for work in guests:
            self._plan_guest(work)
        try:
            self._preload(guests)
        except NetmoxError as error:
            for work in works:
                self._fail(work, error)
            return
        self._send("DELETE", VMS, [op for w in guests if (op := self._vm_delete(w))], "VMs")
        self._send_nodes(nodes)
        self._send_vms(guests)
        self._read_existing([w for w in guests if w.alive and (w.sync_interfaces or w.sync_disks)])
        self._send("DELETE", IPS, [op for w in guests for op in self._ip_deletes(w)], "IP addresses")
        self._send("DELETE", INTERFACES, [op for w in guests for op in self._interface_deletes(w)], "interfaces")
        self._send("DELETE", DISKS, [op for w in guests for op in self._disk_deletes(w)], "virtual disks")
        self._passed(guests, LATER_INTERFACES)
        self._write(INTERFACES, [op for w in guests for op in self._interface_writes(w)], "interfaces")
        self._passed(guests, LATER_MACS)
        self._write(MACS, [op for w in guests for op in self._mac_writes(w)], "MAC addresses")
        self._send("PATCH", INTERFACES, [op for w in guests for op in self._primary_macs(w)], "primary MACs")
        self._passed(guests, LATER_IPS)
        self._write(IPS, self._ip_writes(guests), "IP addresses")
        self._passed(guests, LATER_PRIMARY_IPS)
        self._send("PATCH", VMS, [op for w in guests if (op := self._primary_ips(w))], "primary IPs")
        self._passed(guests, LATER_DISKS)
        self._write(DISKS, [op for w in guests for op in self._disk_writes(w)], "virtual disks")
        self._send("DELETE", DEVICES, self._node_deletes(nodes), "devices")
        self._passed(works, LATER_JOURNAL)
        self._send("POST", JOURNAL, [op for w in works if (op := self._journal(w))], "journal entries")
        for work in works:
            if work.alive:
                self.events.done(
                    work.request.change_id,
                    WriteResult(message="; ".join(work.steps.done), warnings=work.steps.warnings),
                    None,
                )

    def _plan_guest(self, work: Work) -> None:
        request = work.request
        if request.action == "delete":
            return
        desired = work.guest
        current = request.current if isinstance(request.current, Guest) else None
        create = request.action == "create"
        work.sync_interfaces = create or (
            "interfaces" in request.fields and current is not None and desired.interfaces != current.interfaces
        )
        work.sync_disks = create or (
            "disks" in request.fields and current is not None and desired.disks != current.disks
        )
        if work.sync_interfaces and desired.interfaces:
            work.later.append(LATER_INTERFACES)
            if any(i.mac for i in desired.interfaces):
                work.later.append(LATER_MACS)
            if any(i.ips for i in desired.interfaces):
                work.later.append(LATER_IPS)
                if create:
                    work.later.append(LATER_PRIMARY_IPS)
        if work.sync_disks and (desired.disks or not create):
            work.later.append(LATER_DISKS)
        if self.writer.section.journal:
            work.later.append(LATER_JOURNAL)

    def _preload(self, guests: list[Work]) -> None:
        """Every reference the guests' payloads will name, one list read per type."""
        nodes: set[str] = set()
        vlans: set[int] = set()
        platforms: set[str] = set()
        tags: set[str] = set()
        for work in guests:
            if work.request.action == "delete":
                continue
            guest, fields = work.guest, work.request.fields
            create = work.request.action == "create"
            if guest.node and (create or "node" in fields):
                nodes.add(guest.node)
            if create or "ostype" in fields:
                platform = self.writer.platforms.platform(guest.ostype)
                if platform:
                    platforms.add(platform)
            if create or "tags" in fields:
                tags.update(guest.tags)
            if work.sync_interfaces:
                vlans.update(i.vlan for i in guest.interfaces if i.vlan is not None)
        if guests:
            self.writer.refs.preload(nodes=nodes, vlans=vlans, platforms=platforms, tags=tags)

    # --- nodes (devices) ------------------------------------------------------------------------------------

    def _send_nodes(self, nodes: list[Work]) -> None:
        ops: list[Op] = []
        creates = [w for w in nodes if w.request.action == "create"]
        problems = self.writer.refs.node_defaults_problems() if creates else []
        for work in nodes:
            request = work.request
            what = describe(request)
            if request.action == "create":
                if problems:
                    error = RemoteError(f"cannot create {what} in NetBox: {problems[0]}", "fix netbox.defaults")
                    self._fail(work, error)
                    continue
                ops += self._try(work, lambda w=work, what=what: [self._node_create(w, what)])
            elif request.action == "update":
                current, desired = _node(request.current), _node(request.desired)
                if current.remote_id is None:
                    self._fail(work, RemoteError(f"{what} has no NetBox id; re-run `netmox plan`"))
                    continue
                work.object_id = current.remote_id
                payload = self.writer.node_patch(current, desired, request.fields)
                if payload:
                    step = f"updated device {current.name}: {', '.join(payload)}"
                    ops.append(Op(work, {"id": current.remote_id, **payload}, f"updating {what}", step))
        self._write(DEVICES, ops, "devices")

    def _node_create(self, work: Work, what: str) -> Op:
        node = _node(work.request.desired)

        def created(answer: dict[str, Any] | None) -> None:
            assert answer is not None
            work.object_id = answer["id"]
            work.steps.add(f"created device {node.name} (id {answer['id']})")
            self.writer.refs.forget_device(node.name)

        return Op(work, self.writer.node_create_payload(node), f"creating {what}", then=created)

    def _node_deletes(self, nodes: list[Work]) -> list[Op]:
        ops = []
        for work in nodes:
            if work.request.action != "delete" or not work.alive:
                continue
            current = _node(work.request.current)
            what = describe(work.request)
            if current.remote_id is None:
                self._fail(work, RemoteError(f"{what} has no NetBox id; re-run `netmox plan`"))
                continue
            try:
                with self.client.guard(f"VMs on {what}"):
                    remaining = self.api.virtualization.virtual_machines.count(device_id=current.remote_id)
            except NetmoxError as error:
                self._fail(work, error)
                continue
            if remaining:
                self._fail(
                    work,
                    ConflictError(
                        f"{what} still has {remaining} virtual machine(s) in NetBox; not deleted",
                        "delete or move its guests first",
                    ),
                )
                continue
            name = current.name
            ops.append(
                Op(work, {"id": current.remote_id}, f"deleting {what}", f"deleted device {name}",
                   then=lambda _answer, name=name: self.writer.refs.forget_device(name))
            )  # fmt: skip
        return ops

    # --- guests (virtual machines) ----------------------------------------------------------------------------

    def _vm_delete(self, work: Work) -> Op | None:
        if work.request.action != "delete":
            return None
        current = _guest(work.request.current)
        what = describe(work.request)
        if current.remote_id is None:
            self._fail(work, RemoteError(f"{what} has no NetBox id; re-run `netmox plan`"))
            return None
        return Op(work, {"id": current.remote_id}, f"deleting {what}", f"deleted VM {current.name or current.vmid}")

    def _send_vms(self, guests: list[Work]) -> None:
        ops: list[Op] = []
        for work in guests:
            if work.request.action == "create":
                ops += self._try(work, lambda w=work: [self._vm_create(w)])
            elif work.request.action == "update":
                ops += self._try(work, lambda w=work: self._vm_update(w))
        self._write(VMS, ops, "VMs")

    def _vm_create(self, work: Work) -> Op:
        desired = work.guest

        def created(answer: dict[str, Any] | None) -> None:
            assert answer is not None
            work.object_id = answer["id"]
            work.steps.add(f"created VM {desired.name} (id {answer['id']})")

        payload = self.writer.vm_create_payload(desired, work.steps)
        return Op(work, payload, f"creating {describe(work.request)}", then=created)

    def _vm_update(self, work: Work) -> list[Op]:
        current, desired = _guest(work.request.current), work.guest
        what = describe(work.request)
        if current.remote_id is None:
            raise RemoteError(f"{what} has no NetBox id; re-run `netmox plan`")
        work.object_id = current.remote_id
        payload = self.writer._guest_patch(current, desired, work.request.fields, work.steps)
        if not payload:
            return []
        step = f"updated VM {current.name or current.vmid}: {', '.join(payload)}"
        return [Op(work, {"id": current.remote_id, **payload}, f"updating {what}", step)]

    def _read_existing(self, works: list[Work]) -> None:
        """The interfaces, MAC and IP addresses and disks of the VMs being updated, a few list reads for all."""
        by_vm = {w.object_id: w for w in works if w.request.action == "update" and w.object_id is not None}
        if not by_vm:
            return
        api = self.api
        page = self.writer.section.page_size
        interfaces_of = [vm for vm, w in by_vm.items() if w.sync_interfaces]
        disks_of = [vm for vm, w in by_vm.items() if w.sync_disks]
        try:
            with self.client.guard("interfaces, MAC and IP addresses and disks of the VMs being updated"):
                owner: dict[int, Work] = {}
                for ids in query_chunks("virtual_machine_id", interfaces_of):
                    for record in api.virtualization.interfaces.filter(virtual_machine_id=ids, limit=page):
                        work = by_vm[record.virtual_machine.id]
                        work.interfaces[record.name] = record
                        owner[record.id] = work
                    for ip in api.ipam.ip_addresses.filter(virtual_machine_id=ids, limit=page):
                        if ip.assigned_object_id in owner:
                            owner[ip.assigned_object_id].ips.setdefault(ip.assigned_object_id, {})[ip.address] = ip
                    for mac in api.dcim.mac_addresses.filter(virtual_machine_id=ids, limit=page):
                        if mac.assigned_object_id in owner:
                            owner[mac.assigned_object_id].macs.setdefault(mac.assigned_object_id, mac)
                for ids in query_chunks("virtual_machine_id", disks_of):
                    for disk in api.virtualization.virtual_disks.filter(virtual_machine_id=ids, limit=page):
                        by_vm[disk.virtual_machine.id].disks[disk.name] = disk
        except NetmoxError as error:
            for work in by_vm.values():
                self._fail(work, error)

    # --- interfaces, MAC and IP addresses ---------------------------------------------------------------------

    def _ip_deletes(self, work: Work) -> list[Op]:
        if not work.alive or not work.sync_interfaces:
            return []
        guest, ops = work.guest, []
        for interface in guest.interfaces:
            record = work.interfaces.get(interface.name)
            if record is None or interface.ips is None:
                continue  # new interface, or addresses unknown (guest agent down): left as they are
            for address, ip in work.ips.get(record.id, {}).items():
                if address not in interface.ips:
                    where = f"IP {address} of {guest.vmid}/{interface.name}"
                    ops.append(Op(work, {"id": ip.id}, f"deleting {where}", f"deleted IP {address}"))
        return ops

    def _interface_deletes(self, work: Work) -> list[Op]:
        if not work.alive or not work.sync_interfaces:
            return []
        wanted = {i.name for i in work.guest.interfaces}
        return [
            Op(work, {"id": r.id}, f"deleting interface {n} of VM {work.guest.vmid}", f"deleted interface {n}")
            for n, r in work.interfaces.items()
            if n not in wanted
        ]

    def _disk_deletes(self, work: Work) -> list[Op]:
        if not work.alive or not work.sync_disks:
            return []
        wanted = {d.name for d in work.guest.disks}
        return [
            Op(work, {"id": r.id}, f"deleting disk {n} of VM {work.guest.vmid}", f"deleted disk {n}")
            for n, r in work.disks.items()
            if n not in wanted
        ]

    def _interface_writes(self, work: Work) -> list[Op]:
        if not work.alive or not work.sync_interfaces or work.object_id is None:
            return []
        return self._try(work, lambda: self._interface_ops(work))

    def _interface_ops(self, work: Work) -> list[Op]:
        guest, ops = work.guest, []
        for interface in guest.interfaces:
            name = interface.name
            record = work.interfaces.get(name)
            if record is None:
                payload = self.writer.interface_create_payload(work.object_id or 0, guest, interface, work.steps)

                def created(answer: dict[str, Any] | None, name: str = name) -> None:
                    assert answer is not None
                    work.interface_ids[name] = answer["id"]

                where = f"interface {name} of VM {guest.vmid}"
                ops.append(Op(work, payload, f"creating {where}", f"created interface {name}", created))
                continue
            work.interface_ids[name] = record.id
            patch = self.writer.interface_patch(record, guest, interface, work.steps)
            if patch:
                step = f"updated interface {name}: {', '.join(patch)}"
                ops.append(Op(work, {"id": record.id, **patch}, f"updating interface {name} of VM {guest.vmid}", step))
        return ops

    def _mac_writes(self, work: Work) -> list[Op]:
        """One MAC address object per interface (NetBox >= 4.2); an unknown MAC leaves NetBox as it is."""
        if not work.alive or not work.sync_interfaces:
            return []
        guest, ops = work.guest, []
        for interface in guest.interfaces:
            interface_id = work.interface_ids.get(interface.name)
            if interface.mac is None or interface_id is None:
                continue
            where = f"MAC address of {guest.vmid}/{interface.name}"
            mac = work.macs.get(interface_id)
            if mac is not None:
                work.mac_ids[interface.name] = mac.id
                if str(mac.mac_address).upper() != interface.mac:
                    step = f"set MAC of {interface.name} to {interface.mac}"
                    ops.append(Op(work, {"id": mac.id, "mac_address": interface.mac}, f"updating {where}", step))
                continue

            def created(answer: dict[str, Any] | None, name: str = interface.name) -> None:
                assert answer is not None
                work.mac_ids[name] = answer["id"]

            body = {"mac_address": interface.mac, **assignment(interface_id)}
            step = f"created MAC {interface.mac} on {interface.name}"
            ops.append(Op(work, body, f"creating {where}", step, created))
        return ops

    def _primary_macs(self, work: Work) -> list[Op]:
        if not work.alive:
            return []
        ops = []
        for name, mac_id in work.mac_ids.items():
            record = work.interfaces.get(name)
            primary = getattr(record, "primary_mac_address", None) if record is not None else None
            if primary is None or primary.id != mac_id:
                body = {"id": work.interface_ids[name], "primary_mac_address": mac_id}
                ops.append(Op(work, body, f"setting primary MAC address of {work.guest.vmid}/{name}"))
        return ops

    def _ip_writes(self, works: list[Work]) -> list[Op]:
        """New addresses: an existing unassigned one is taken over (NetBox keeps addresses unique), else created."""
        wanted: list[tuple[Work, str, int, str]] = []
        for work in works:
            if not work.alive or not work.sync_interfaces:
                continue
            for interface in work.guest.interfaces:
                interface_id = work.interface_ids.get(interface.name)
                if interface.ips is None or interface_id is None:
                    continue
                current = work.ips.get(interface_id, {})
                new = [address for address in interface.ips if address not in current]
                wanted += [(work, address, interface_id, interface.name) for address in new]
        free = self._free_addresses(sorted({address for _, address, _, _ in wanted}), [w for w, *_ in wanted])
        ops = []
        for work, address, interface_id, name in wanted:
            if not work.alive:
                continue
            assign = assignment(interface_id)
            pool = free.get(address)
            body = {"id": pool.pop(0), **assign} if pool else {"address": address, "status": "active", **assign}
            where = f"IP address {address} of {work.guest.vmid}/{name}"

            def assigned(answer: dict[str, Any] | None, work: Work = work, address: str = address) -> None:
                assert answer is not None
                work.ip_ids[address] = answer["id"]

            ops.append(Op(work, body, where, f"assigned IP {address} to {name}", assigned))
        return ops

    def _primary_ips(self, work: Work) -> Op | None:
        """A VM netmox creates gets a primary IPv4 and IPv6 address, as a VM typed into NetBox would: the
        first address of each family, interfaces in order. A VM that exists keeps the primaries people chose."""
        if not work.alive or work.request.action != "create" or work.object_id is None:
            return None
        chosen: dict[str, str] = {}  # "primary_ip4" / "primary_ip6" -> address
        for interface in work.guest.interfaces:
            for address in interface.ips or []:
                if address in work.ip_ids:
                    chosen.setdefault("primary_ip6" if ":" in address else "primary_ip4", address)
        if not chosen:
            return None
        body = {"id": work.object_id, **{family: work.ip_ids[address] for family, address in chosen.items()}}
        step = f"set primary IP {', '.join(chosen.values())}"
        return Op(work, body, f"setting primary IPs of {describe(work.request)}", step)

    def _free_addresses(self, addresses: list[str], works: list[Work]) -> dict[str, list[int]]:
        """Ids of the unassigned IP address records of these addresses, a few list reads for all."""
        free: dict[str, list[int]] = {}
        if not addresses:
            return free
        try:
            with self.client.guard("existing IP addresses"):
                for chunk in query_chunks("address", addresses):
                    for ip in self.api.ipam.ip_addresses.filter(address=chunk, limit=self.writer.section.page_size):
                        if ip.assigned_object_id is None:
                            free.setdefault(str(ip.address), []).append(ip.id)
        except NetmoxError as error:
            for work in works:
                self._fail(work, error)
        return free

    # --- virtual disks and journal entries --------------------------------------------------------------------

    def _disk_writes(self, work: Work) -> list[Op]:
        if not work.alive or not work.sync_disks or work.object_id is None:
            return []
        guest, ops = work.guest, []
        for disk in guest.disks:
            name = disk.name
            record = work.disks.get(name)
            where = f"disk {name} of VM {guest.vmid}"
            if record is None:
                if disk.size_mib is None:
                    work.steps.warnings.append(f"disk {guest.vmid}/{name} has no known size; not created in NetBox")
                    continue
                body = {"virtual_machine": work.object_id, "name": name, **_disk_attrs(disk)}
                ops.append(Op(work, body, f"creating {where}", f"created disk {name}"))
                continue
            patch = disk_patch(record, disk)
            if patch:
                step = f"updated disk {name}: {', '.join(patch)}"
                ops.append(Op(work, {"id": record.id, **patch}, f"updating {where}", step))
        return ops

    def _journal(self, work: Work) -> Op | None:
        """A journal entry on each object a change wrote, so the audit trail shows inside NetBox."""
        request = work.request
        if not work.alive or work.object_id is None or request.action == "delete" or not work.steps.done:
            return None
        if not self.writer.section.journal:
            return None
        body = {
            "assigned_object_type": OBJECT_TYPES.get(request.kind, "virtualization.virtualmachine"),
            "assigned_object_id": work.object_id,
            "kind": "info",
            "comments": journal_text(request),
        }
        return Op(work, body, f"journal entry on {describe(request)}")
