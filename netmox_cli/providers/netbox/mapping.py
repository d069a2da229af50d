"""Pure translation between NetBox API objects (JSON dicts) and the state model, both ways.

No I/O here, so every rule of docs/mapping.md ("## NetBox") is unit-testable on plain dicts.
Units: NetBox's memory/disk "MB" fields hold netmox's MiB one to one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from netmox_cli.declared import require
from netmox_cli.model.state import Disk, Guest, Interface, Node, ObjectKind
from netmox_cli.planner.registry import REGISTRY
from netmox_cli.providers.netbox.schema import CF_CPU_TYPE, CF_STORAGE, CF_SWAP, CF_TYPE, CF_VMID

# Proxmox VE ostype -> NetBox platform name; `defaults.platforms` in netmox.toml is merged over it.
BUILTIN_PLATFORMS: dict[str, str] = {
    "l26": "Linux",
    "l24": "Linux 2.4",
    "win11": "Windows 11",
    "win10": "Windows 10",
    "win8": "Windows 8",
    "win7": "Windows 7",
    "wvista": "Windows Vista",
    "wxp": "Windows XP",
    "w2k8": "Windows Server 2008",
    "w2k3": "Windows Server 2003",
    "w2k": "Windows 2000",
    "solaris": "Solaris",
    "other": "Other",
    # LXC ostypes
    "debian": "Debian",
    "ubuntu": "Ubuntu",
    "centos": "CentOS",
    "fedora": "Fedora",
    "opensuse": "openSUSE",
    "archlinux": "Arch Linux",
    "alpine": "Alpine Linux",
    "gentoo": "Gentoo",
    "nixos": "NixOS",
    "unmanaged": "Unmanaged",
}

START_ON_BOOT = {"on": True, "off": False}  # NetBox "laststate" has no Proxmox counterpart: unknown


class PlatformTable:
    """ostype <-> platform name, case-insensitive on the NetBox side."""

    def __init__(self, overrides: dict[str, str] | None = None) -> None:
        self.to_platform = {**BUILTIN_PLATFORMS, **(overrides or {})}
        self.to_ostype: dict[str, str] = {}
        # Overrides first, so a user's mapping wins when two ostypes share one platform name.
        for ostype, platform in [*(overrides or {}).items(), *BUILTIN_PLATFORMS.items()]:
            self.to_ostype.setdefault(platform.lower(), ostype)

    def ostype(self, platform_name: str | None) -> str | None:
        return self.to_ostype.get(platform_name.lower()) if platform_name else None

    def platform(self, ostype: str | None) -> str | None:
        return self.to_platform.get(ostype) if ostype else None


def slugify(text: str) -> str:
    """NetBox's slug rule: lowercase letters, digits, dashes and underscores."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-")
    return slug or "x"


def _value(choice: Any) -> Any:
    """NetBox choice fields arrive as ``{"value": …, "label": …}``."""
    return choice.get("value") if isinstance(choice, dict) else choice


def _text(value: str | None) -> str | None:
    return value or None


@dataclass(frozen=True)
class NodeHandlers:
    """How one node property is read from a NetBox device and what a create or update sets for it."""

    read: Callable[[dict[str, Any]], Any]
    write: Callable[[Node], dict[str, Any]]


# The one table of NetBox handlers for node properties (devices), keyed by the names the registry declares.
NODE_HANDLERS: dict[str, NodeHandlers] = {
    "status": NodeHandlers(lambda d: _value(d.get("status")), lambda n: _when("status", n.status)),
    "description": NodeHandlers(lambda d: _text(d.get("description")), lambda n: {"description": n.description or ""}),
}


def node_from_device(device: dict[str, Any]) -> Node:
    node = Node(name=device["name"], revision=device.get("last_updated"), remote_id=device["id"])
    for prop in REGISTRY.for_kind(ObjectKind.NODE):
        setattr(node, prop.attribute, NODE_HANDLERS[prop.name].read(device))
    return node


def device_payload(node: Node, fields: list[str]) -> dict[str, Any]:
    """The device attributes among ``fields`` in NetBox's wire form."""
    payload: dict[str, Any] = {}
    for name in fields:
        payload.update(NODE_HANDLERS[name].write(node))
    return payload


def vmid_of(vm: dict[str, Any]) -> int | None:
    vmid = (vm.get("custom_fields") or {}).get(CF_VMID)
    return int(vmid) if vmid is not None else None


def interface_from_graphql(record: dict[str, Any]) -> Interface:
    """A VM interface as the snapshot's GraphQL query returns it (MAC, VLAN and IPs nested).

    NetBox has no place for the Proxmox bridge: ``bridge`` stays unknown (the description is the user's).
    """
    mac = (record.get("primary_mac_address") or {}).get("mac_address")
    vlan = (record.get("untagged_vlan") or {}).get("vid")
    return Interface(
        name=record["name"],
        mac=mac,
        vlan=int(vlan) if vlan is not None else None,
        ips=[ip["address"] for ip in record.get("ip_addresses") or []],
    )


def disk_from_graphql(record: dict[str, Any]) -> Disk:
    """A virtual disk; the Proxmox VE storage is netmox's custom field (blank: unknown, a gap to fill)."""
    storage = (record.get("custom_fields") or {}).get(CF_STORAGE)
    return Disk(name=record["name"], size_mib=record.get("size"), storage=storage or None)


@dataclass(frozen=True)
class VmRecord:
    """A NetBox VM as the snapshot read it: the REST JSON with its interfaces and disks (GraphQL)."""

    vm: dict[str, Any]
    platforms: PlatformTable
    interfaces: list[Interface]
    disks: list[Disk]

    @property
    def custom(self) -> dict[str, Any]:
        return self.vm.get("custom_fields") or {}

    @property
    def kind(self) -> str:
        return self.custom.get(CF_TYPE) or "qemu"


class Resolver(Protocol):
    """NetBox ids the writer looks up for referenced objects (tags, platform, device)."""

    def tag_ids(self, tags: list[str]) -> list[int]: ...

    def platform_for(self, ostype: str | None) -> int | None: ...

    def device_for(self, node: str | None) -> int | None: ...


@dataclass(frozen=True)
class Handlers:
    """How one property is read from a NetBox VM and what a create or update PATCHes for it.

    ``write`` returns the VM payload fragment (custom fields under ``custom_fields``, merged); None means
    the property is written as related objects (interfaces with MACs and IPs, virtual disks)."""

    read: Callable[[VmRecord], Any]
    write: Callable[[Guest, Resolver | None], dict[str, Any]] | None


def vcpus_value(vcpus: float | None) -> float | int | None:
    """Whole numbers go out as ints (NetBox stores a decimal either way)."""
    if vcpus is None:
        return None
    return int(vcpus) if float(vcpus).is_integer() else vcpus


def start_on_boot_value(value: bool | None) -> str | None:
    if value is None:
        return None
    return "on" if value else "off"


def _vcpus(record: VmRecord) -> float | None:
    vcpus = record.vm.get("vcpus")
    return float(vcpus) if vcpus is not None else None


def _when(key: str, value: Any) -> dict[str, Any]:
    return {key: value} if value is not None else {}


def _resolved(resolve: Callable[[Resolver], Any], key: str) -> Callable[[Guest, Resolver | None], dict[str, Any]]:
    def write(guest: Guest, refs: Resolver | None) -> dict[str, Any]:
        return {key: resolve(refs, guest)} if refs is not None else {}  # type: ignore[call-arg]

    return write


# The one table of NetBox handlers for guest properties, keyed by the names planner/registry.py declares.
GUEST_HANDLERS: dict[str, Handlers] = {
    "name": Handlers(lambda r: r.vm.get("name"), lambda g, refs: {"name": g.name}),
    "description": Handlers(
        lambda r: _text(r.vm.get("description")), lambda g, refs: {"description": g.description or ""}
    ),
    "status": Handlers(lambda r: _value(r.vm.get("status")), lambda g, refs: _when("status", g.status)),
    "vcpus": Handlers(_vcpus, lambda g, refs: {"vcpus": vcpus_value(g.vcpus)}),
    "memory": Handlers(lambda r: r.vm.get("memory"), lambda g, refs: {"memory": g.memory_mib}),
    "swap": Handlers(
        lambda r: r.custom.get(CF_SWAP) if r.kind == "lxc" else None,
        lambda g, refs: {"custom_fields": {CF_SWAP: g.swap_mib}} if g.kind == "lxc" else {},
    ),
    "cpu": Handlers(  # QEMU only (the declaration's kinds); blank reads unknown (a gap Proxmox VE fills)
        lambda r: r.custom.get(CF_CPU_TYPE) or None,
        lambda g, refs: {"custom_fields": {CF_CPU_TYPE: g.cpu_type}} if g.cpu_type else {},
    ),
    "start_on_boot": Handlers(
        lambda r: START_ON_BOOT.get(_value(r.vm.get("start_on_boot"))),
        lambda g, refs: _when("start_on_boot", start_on_boot_value(g.start_on_boot)),
    ),
    "tags": Handlers(
        lambda r: [tag["name"] for tag in r.vm.get("tags") or []],
        _resolved(lambda refs, g: refs.tag_ids(g.tags), "tags"),
    ),
    "ostype": Handlers(
        lambda r: r.platforms.ostype((r.vm.get("platform") or {}).get("name")),
        _resolved(lambda refs, g: refs.platform_for(g.ostype), "platform"),
    ),
    "node": Handlers(
        lambda r: (r.vm.get("device") or {}).get("name"),
        _resolved(lambda refs, g: refs.device_for(g.node), "device"),
    ),
    "disks": Handlers(lambda r: sorted(r.disks, key=lambda d: d.name), None),
    "interfaces": Handlers(lambda r: sorted(r.interfaces, key=lambda i: i.name), None),
}


def guest_from_vm(
    vm: dict[str, Any],
    platforms: PlatformTable,
    interfaces: list[Interface] | None = None,
    disks: list[Disk] | None = None,
) -> Guest:
    """A NetBox virtual machine (REST JSON) with its interfaces and disks; the VM must have a VMID."""
    record = VmRecord(vm, platforms, interfaces or [], disks or [])
    guest = Guest(vmid=vmid_of(vm), kind=record.kind, revision=vm.get("last_updated"), remote_id=vm["id"])
    for prop in REGISTRY.for_kind(ObjectKind(guest.kind)):
        setattr(guest, prop.attribute, GUEST_HANDLERS[prop.name].read(record))
    return guest


def vm_payload(guest: Guest, fields: list[str], refs: Resolver | None = None) -> dict[str, Any]:
    """The VM attributes among ``fields`` in NetBox's wire form; references only when ``refs`` resolves them."""
    payload: dict[str, Any] = {}
    for name in fields:
        write = GUEST_HANDLERS[name].write
        for key, value in (write(guest, refs) if write is not None else {}).items():
            if key == "custom_fields":
                payload.setdefault("custom_fields", {}).update(value)
            else:
                payload[key] = value
    return payload


def vm_scalar_payload(guest: Guest, fields: list[str]) -> dict[str, Any]:
    """The plain VM attributes among ``fields`` (no references, no custom fields)."""
    payload = vm_payload(guest, fields)
    payload.pop("custom_fields", None)
    return payload


def vm_custom_fields(guest: Guest, fields: list[str] | None = None) -> dict[str, Any]:
    """netmox's custom fields for a guest: on create the identity (VMID, type) and every property's; on update
    only those of ``fields`` (VMID and type are the identity and never change)."""
    values: dict[str, Any] = {CF_VMID: guest.vmid, CF_TYPE: guest.kind} if fields is None else {}
    names = [p.name for p in REGISTRY.for_kind(ObjectKind(guest.kind))] if fields is None else fields
    values.update(vm_payload(guest, names).get("custom_fields", {}))
    return values


for _kind in (ObjectKind.QEMU, ObjectKind.LXC):
    require("NetBox guest properties", GUEST_HANDLERS, [p.name for p in REGISTRY.for_kind(_kind)])
require("NetBox node properties", NODE_HANDLERS, [p.name for p in REGISTRY.for_kind(ObjectKind.NODE)])
