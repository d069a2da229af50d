"""Pure translation between NetBox API objects (JSON dicts) and the state model, both ways.

No I/O here, so every rule of docs/mapping.md ("## NetBox") is unit-testable on plain dicts.
Units: NetBox's memory/disk "MB" fields hold netmox's MiB one to one.
"""

from __future__ import annotations

import re
from typing import Any

from netmox_cli.model.state import Disk, Guest, Interface, Node
from netmox_cli.providers.netbox.schema import CF_STORAGE, CF_SWAP, CF_TYPE, CF_VMID

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


def node_from_device(device: dict[str, Any]) -> Node:
    return Node(
        name=device["name"],
        status=_value(device.get("status")),
        description=_text(device.get("description")),
        revision=device.get("last_updated"),
        remote_id=device["id"],
    )


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


def guest_from_vm(
    vm: dict[str, Any],
    platforms: PlatformTable,
    interfaces: list[Interface] | None = None,
    disks: list[Disk] | None = None,
) -> Guest:
    """A NetBox virtual machine (REST JSON) with its interfaces and disks; the VM must have a VMID."""
    custom = vm.get("custom_fields") or {}
    kind = custom.get(CF_TYPE) or "qemu"
    vcpus = vm.get("vcpus")
    platform = vm.get("platform") or {}
    return Guest(
        vmid=vmid_of(vm),
        kind=kind,
        name=vm.get("name"),
        node=(vm.get("device") or {}).get("name"),
        description=_text(vm.get("description")),
        status=_value(vm.get("status")),
        vcpus=float(vcpus) if vcpus is not None else None,
        memory_mib=vm.get("memory"),
        swap_mib=custom.get(CF_SWAP) if kind == "lxc" else None,
        disks=sorted(disks or [], key=lambda d: d.name),
        interfaces=sorted(interfaces or [], key=lambda i: i.name),
        tags=[tag["name"] for tag in vm.get("tags") or []],
        ostype=platforms.ostype(platform.get("name")),
        start_on_boot=START_ON_BOOT.get(_value(vm.get("start_on_boot"))),
        revision=vm.get("last_updated"),
        remote_id=vm["id"],
    )


def vcpus_value(vcpus: float | None) -> float | int | None:
    """Whole numbers go out as ints (NetBox stores a decimal either way)."""
    if vcpus is None:
        return None
    return int(vcpus) if float(vcpus).is_integer() else vcpus


def start_on_boot_value(value: bool | None) -> str | None:
    if value is None:
        return None
    return "on" if value else "off"


GUEST_SCALAR_FIELDS = ("name", "description", "status", "vcpus", "memory", "start_on_boot")


def vm_scalar_payload(guest: Guest, fields: list[str]) -> dict[str, Any]:
    """The plain VM attributes among ``fields``, in NetBox's wire form (references are resolved elsewhere)."""
    payload: dict[str, Any] = {}
    if "name" in fields:
        payload["name"] = guest.name
    if "description" in fields:
        payload["description"] = guest.description or ""
    if "status" in fields and guest.status is not None:
        payload["status"] = guest.status
    if "vcpus" in fields:
        payload["vcpus"] = vcpus_value(guest.vcpus)
    if "memory" in fields:
        payload["memory"] = guest.memory_mib
    if "start_on_boot" in fields and guest.start_on_boot is not None:
        payload["start_on_boot"] = start_on_boot_value(guest.start_on_boot)
    return payload


def vm_custom_fields(guest: Guest, fields: list[str] | None = None) -> dict[str, Any]:
    """netmox's custom fields for a guest; on update only swap can change (VMID and type are the identity)."""
    values: dict[str, Any] = {}
    if fields is None:
        values[CF_VMID] = guest.vmid
        values[CF_TYPE] = guest.kind
    if (fields is None or "swap" in fields) and guest.kind == "lxc":
        values[CF_SWAP] = guest.swap_mib
    return values
