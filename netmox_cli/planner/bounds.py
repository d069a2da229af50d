"""The values each side refuses, declared once: the plan says "cannot apply" with the limit quoted,
instead of the write failing at apply time (or, worse, succeeding with an absurd value).

Proxmox VE limits come from its API schema (pve-docs 9.1.3 ``apidata.js``; the unit tests cross-check
them against ``../shared/pve-api/`` when it is there) and, where the schema says "N", from the check
Proxmox VE makes itself; NetBox limits from its models (NetBox 4.7: ``VirtualMachine``, ``VirtualDisk``,
``VMInterface``, ``Tag``). Each function returns why a value cannot be written to ``side``, or None.
"""

from __future__ import annotations

import math
import re
from typing import Any

from netmox_cli.model.state import Guest, ObjectKind, Side

# --- Proxmox VE ----------------------------------------------------------------------------------
PVE_VMID_MIN = 100  # pve-vmid: "<integer> (100 - 999999999)"
PVE_VMID_MAX = 999_999_999
PVE_MEMORY_MIN_MIB = 16  # qemu memory "current" and lxc memory: minimum 16
# The schema's qemu maximum is "N"; PVE::QemuServer::Memory::get_max_mem caps it at 4 TiB.
PVE_QEMU_MEMORY_MAX_MIB = 4 * 1024 * 1024
PVE_VCPUS_MIN = 1  # qemu cores/vcpus and lxc cores: minimum 1
PVE_LXC_CORES_MAX = 8192  # lxc cores: "<integer> (1 - 8192)"
# QEMU's schema maximum is "N" (Proxmox VE refuses more vCPUs than the node has at start); netmox
# takes LXC's 8192, which no node reaches, so an absurd value is refused at plan time.
PVE_QEMU_VCPUS_MAX = 8192
PVE_SWAP_MIN_MIB = 0  # lxc swap: "<integer> (0 - N)"
# Sizes without a schema maximum (lxc memory and swap, disk sizes) are byte counts Proxmox VE keeps in
# a signed 64-bit integer: 2^63 bytes, in MiB.
PVE_BYTES_MAX_MIB = 2**63 // 2**20 - 1
PVE_DESCRIPTION_MAX = 8192  # description: maxLength 8192
PVE_HOSTNAME_MAX = 255  # lxc hostname: format dns-name, maxLength 255
PVE_VLAN_MIN, PVE_VLAN_MAX = 1, 4094  # netN tag
# format dns-name (PVE::JSONSchema $DNS_NAME_REGEX): dot-separated labels of letters, digits and
# inner hyphens.
_DNS_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9\-]*[a-zA-Z0-9])?"
PVE_DNS_NAME = re.compile(rf"^(?:{_DNS_LABEL}\.)*{_DNS_LABEL}$")
# format pve-tag (PVE::JSONSchema): stored lowercased.
PVE_TAG = re.compile(r"^[a-z0-9_][a-z0-9_\-+.]*$", re.IGNORECASE)
# qemu cpu, format pve-vm-cpu-conf: "[cputype=]<string>[,flags=…]". The cputype is a built-in model
# (kvm64, host, x86-64-v2-AES, EPYC-Rome … — the list grows with each QEMU) or "custom-<name>" from
# cpu-models.conf; Proxmox VE checks it exists. netmox checks the shape only: one model name, so that a
# documented value cannot smuggle other options ("host,hidden=1") into the property string.
PVE_CPU_TYPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")

# --- NetBox --------------------------------------------------------------------------------------
NETBOX_NAME_MAX = 64  # VirtualMachine.name, VMInterface.name, VirtualDisk.name: max_length 64
NETBOX_DESCRIPTION_MAX = 200  # PrimaryModel.description: max_length 200
NETBOX_TAG_MAX = 100  # Tag.name: max_length 100
NETBOX_INTEGER_MAX = 2**31 - 1  # PositiveIntegerField (VirtualMachine.memory, VirtualDisk.size)
NETBOX_VCPUS_MIN, NETBOX_VCPUS_MAX = 0.01, 9999.99  # DecimalField(max_digits=6, decimal_places=2)
NETBOX_VMID_MIN = 1  # custom field proxmox_vmid: validation_minimum 1
NETBOX_SWAP_MIN = 0  # custom field proxmox_swap: validation_minimum 0


def number(value: float) -> str:
    """A number as the plan shows it: whole numbers in full up to 15 digits, larger ones as 1e+30."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if abs(value) >= 10**15:
        return f"{float(value):.3g}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _range(what: str, value: float, side: Side, low: float | None, high: float | None, unit: str = "") -> str | None:
    suffix = f" {unit}" if unit else ""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{what} {value} is not a number {side.label} can store"
    if low is not None and value < low:
        return f"{what} {number(value)}{suffix} is below {side.label}'s minimum of {number(low)}{suffix}"
    if high is not None and value > high:
        return f"{what} {number(value)}{suffix} is above {side.label}'s maximum of {number(high)}{suffix}"
    return None


def _text_length(what: str, value: str | None, side: Side, limit: int) -> str | None:
    if value is not None and len(value) > limit:
        return f"{what} is {len(value)} characters long; {side.label} takes at most {limit}"
    return None


def vmid(value: int, side: Side) -> str | None:
    if side is Side.PROXMOX:
        return _range("VMID", value, side, PVE_VMID_MIN, PVE_VMID_MAX)
    return _range("VMID", value, side, NETBOX_VMID_MIN, None)


def memory(value: int | None, side: Side, kind: ObjectKind | None) -> str | None:
    if value is None:
        return None
    if side is Side.PROXMOX:
        high = PVE_QEMU_MEMORY_MAX_MIB if kind is ObjectKind.QEMU else PVE_BYTES_MAX_MIB
        return _range("memory", value, side, PVE_MEMORY_MIN_MIB, high, "MiB")
    return _range("memory", value, side, 0, NETBOX_INTEGER_MAX, "MiB")


def swap(value: int | None, side: Side) -> str | None:
    if value is None:
        return None
    if side is Side.PROXMOX:
        return _range("swap", value, side, PVE_SWAP_MIN_MIB, PVE_BYTES_MAX_MIB, "MiB")
    return _range("swap", value, side, NETBOX_SWAP_MIN, None, "MiB")


def vcpus(value: float | None, side: Side, kind: ObjectKind | None) -> str | None:
    if value is None:
        return None
    if side is Side.PROXMOX:
        high = PVE_LXC_CORES_MAX if kind is ObjectKind.LXC else PVE_QEMU_VCPUS_MAX
        return _range("vcpus", value, side, PVE_VCPUS_MIN, high)
    return _range("vcpus", value, side, NETBOX_VCPUS_MIN, NETBOX_VCPUS_MAX)


def name(value: str | None, side: Side, kind: ObjectKind | None) -> str | None:
    if value is None:
        return None
    if side is Side.NETBOX:
        return _text_length("the name", value, side, NETBOX_NAME_MAX)
    if not PVE_DNS_NAME.match(value):
        return (
            f"name {value!r} is not a DNS name, which Proxmox VE requires "
            "(letters, digits and inner hyphens, in dot-separated labels)"
        )
    if kind is ObjectKind.LXC:
        return _text_length("the name", value, side, PVE_HOSTNAME_MAX)
    return None


def description(value: str | None, side: Side) -> str | None:
    limit = PVE_DESCRIPTION_MAX if side is Side.PROXMOX else NETBOX_DESCRIPTION_MAX
    return _text_length("the description", value, side, limit)


def tags(values: list[str] | None, side: Side) -> str | None:
    values = values or []
    if side is Side.PROXMOX:
        bad = [t for t in values if not PVE_TAG.match(t)]
        if bad:
            return f"{', '.join(repr(t) for t in bad)} is not a valid Proxmox VE tag"
        return None
    long = [t for t in values if len(t) > NETBOX_TAG_MAX]
    if long:
        return f"tag {long[0][:20]!r}… is {len(long[0])} characters long; NetBox takes at most {NETBOX_TAG_MAX}"
    return None


def disks(entries: list[dict[str, Any]] | None, side: Side) -> str | None:
    for disk in entries or []:
        size = disk.get("size_mib")
        if side is Side.NETBOX and (problem := _text_length("a disk name", disk["name"], side, NETBOX_NAME_MAX)):
            return problem
        if size is not None:
            high = PVE_BYTES_MAX_MIB if side is Side.PROXMOX else NETBOX_INTEGER_MAX
            if problem := _range(f"disk {disk['name']} size", size, side, 1, high, "MiB"):
                return problem
    return None


def interfaces(entries: list[dict[str, Any]] | None, side: Side) -> str | None:
    for interface in entries or []:
        if side is Side.NETBOX and (
            problem := _text_length("an interface name", interface["name"], side, NETBOX_NAME_MAX)
        ):
            return problem
        vlan = interface.get("vlan")
        if (
            side is Side.PROXMOX
            and vlan is not None
            and (problem := _range(f"{interface['name']} VLAN", vlan, side, PVE_VLAN_MIN, PVE_VLAN_MAX))
        ):
            return problem
    return None


def cpu_type(value: str | None, side: Side) -> str | None:
    if value is None or side is not Side.PROXMOX or PVE_CPU_TYPE.match(value):
        return None
    return f"CPU type {value!r} is not a Proxmox VE CPU model name (e.g. x86-64-v2-AES, host, custom-<name>)"


def guest_problems(guest: Guest, side: Side) -> list[str]:
    """Every bound the guest breaks on ``side``: a create is refused whole rather than made half right."""
    kind = ObjectKind(guest.kind)
    json_entries = {
        "disks": [d.model_dump(mode="json") for d in guest.disks],
        "interfaces": [i.model_dump(mode="json") for i in guest.interfaces],
    }
    checks = [
        vmid(guest.vmid, side),
        name(guest.name, side, kind),
        description(guest.description, side),
        vcpus(guest.vcpus, side, kind),
        memory(guest.memory_mib, side, kind),
        swap(guest.swap_mib, side) if kind is ObjectKind.LXC else None,
        disks(json_entries["disks"], side),
        interfaces(json_entries["interfaces"], side),
        tags(guest.tags, side),
        cpu_type(guest.cpu_type, side) if kind is ObjectKind.QEMU else None,
    ]
    return [problem for problem in checks if problem is not None]
