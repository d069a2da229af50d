"""Turning desired model values into Proxmox VE config values (pure functions, no I/O).

The inverse of ``parse.py``: the building blocks ``properties.py``'s handlers write with — NIC and disk
values, the vCPU rule, keys to set or delete — keeping every option netmox does not model
(``firewall=1``, ``gw=``, ``mtu=`` …) as it was.

vCPU rule (qemu): the count is written as ``cores``. ``sockets`` stays as it is when it is above 1 and
divides the count (``cores = vcpus / sockets``); otherwise ``sockets`` becomes 1 and ``cores`` the
count. A ``vcpus`` key (hotplug limit) is removed, so that sockets x cores is the count read back.
A fractional count (NetBox allows 1.5) is rounded up.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from netmox_cli.config.schema import ProxmoxDefaults
from netmox_cli.errors import ConfigError, ConflictError
from netmox_cli.model.state import Disk, Guest, Interface
from netmox_cli.providers.proxmox import parse


@dataclass
class ConfigChange:
    """What one update writes: ``PUT …/config`` values, keys to delete, disks to grow (MiB)."""

    values: dict[str, Any] = field(default_factory=dict)
    deletes: list[str] = field(default_factory=list)
    resizes: list[tuple[str, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.values or self.deletes or self.resizes)


def whole_cpus(vcpus: float) -> int:
    return max(1, math.ceil(vcpus))


def gib(size_mib: int) -> str:
    """``STORAGE:SIZE`` takes GiB; fractions are allowed (``0.5``)."""
    if size_mib % 1024 == 0:
        return str(size_mib // 1024)
    return f"{size_mib / 1024:.4f}".rstrip("0").rstrip(".")


def qemu_cpu(raw: Mapping[str, Any], vcpus: float) -> tuple[dict[str, int], list[str]]:
    """``cores``/``sockets`` values and deletes for a qemu vCPU count (see the module docstring)."""
    count = whole_cpus(vcpus)
    sockets = parse.to_int(raw.get("sockets", 1)) or 1
    deletes = ["vcpus"] if "vcpus" in raw else []
    if sockets > 1 and count % sockets == 0:
        return {"cores": count // sockets}, deletes
    values = {"cores": count}
    if sockets != 1:
        values["sockets"] = 1
    return values, deletes


def set_or_delete(change: ConfigChange, raw: Mapping[str, Any], key: str, value: Any) -> None:
    """Write ``value`` under ``key`` if it differs; an empty value deletes the key."""
    if value in (None, "", []):
        if key in raw:
            change.deletes.append(key)
    elif str(raw.get(key, "")) != str(value):
        change.values[key] = value


# ----------------------------------------------------------------- network


def qemu_net_value(interface: Interface, old: str | None, default_bridge: str) -> str:
    """A qemu ``netN`` value: ``model=MAC`` first, then bridge/tag, other options kept from ``old``."""
    _, props = parse.split_props(old) if old else (None, {})
    model = next((key for key in props if key in parse.QEMU_NIC_MODELS), None)
    mac = interface.mac or (props.get(model) if model else None) or props.get("macaddr")
    rest = {key: value for key, value in props.items() if key not in (model, "macaddr", "model", "bridge", "tag")}
    model = model or props.get("model") or "virtio"
    head = {model: mac} if mac else {}
    tail = {"bridge": interface.bridge or props.get("bridge") or default_bridge}
    if interface.vlan is not None:
        tail["tag"] = str(interface.vlan)
    return parse.join_props(None if mac else model, {**head, **tail, **rest})


def _first_of_family(ips: list[str], version: int) -> str | None:
    for cidr in ips:
        try:
            if ipaddress.ip_interface(cidr).version == version:
                return cidr
        except ValueError:
            continue
    return None


def lxc_net_value(interface: Interface, old: str | None, default_bridge: str, warnings: list[str]) -> str:
    """An LXC ``netN`` value. Addresses are written only when known: the first IPv4 as ``ip=``, the first
    IPv6 as ``ip6=``; a family without a desired address keeps ``dhcp``/``auto``/``manual``, loses a static one."""
    _, props = parse.split_props(old) if old else (None, {})
    index = interface.name[3:] if interface.name.startswith("net") else "0"
    values: dict[str, Any] = {"name": interface.guest_name or props.get("name") or f"eth{index}"}
    values["bridge"] = interface.bridge or props.get("bridge") or default_bridge
    if interface.mac or props.get("hwaddr"):
        values["hwaddr"] = interface.mac or props.get("hwaddr")
    for key in ("ip", "ip6", "gw", "gw6"):
        if props.get(key):
            values[key] = props[key]
    if interface.ips is not None:
        for key, version in (("ip", 4), ("ip6", 6)):
            wanted = _first_of_family(interface.ips, version)
            if wanted:
                values[key] = wanted
            elif values.get(key) not in ("dhcp", "auto", "manual"):
                values.pop(key, None)
                values.pop("gw" if version == 4 else "gw6", None)
        if len(interface.ips) > sum(1 for key in ("ip", "ip6") if values.get(key) in interface.ips):
            warnings.append(f"{interface.name}: LXC takes one address per family; wrote {values.get('ip')}")
    if interface.vlan is not None:
        values["tag"] = str(interface.vlan)
    rest = {key: value for key, value in props.items() if key not in values and key != "tag"}
    return parse.join_props(None, {**values, **rest})


def interfaces_update(change: ConfigChange, kind: str, raw: Mapping[str, Any], desired: Guest, bridge: str) -> None:
    wanted = {interface.name: interface for interface in desired.interfaces}
    for name, interface in sorted(wanted.items()):
        if not parse.NET_KEY.match(name):
            change.warnings.append(f"interface {name!r} is not a Proxmox VE netN key; skipped")
            continue
        old = raw.get(name)
        value = (
            qemu_net_value(interface, old, bridge)
            if kind == "qemu"
            else lxc_net_value(interface, old, bridge, change.warnings)
        )
        if old is None or parse.split_props(value) != parse.split_props(old):
            change.values[name] = value
    change.deletes += [key for key in parse.net_keys(raw) if key not in wanted]


# ------------------------------------------------------------------- disks


def new_disk_value(kind: str, disk: Disk, defaults: ProxmoxDefaults) -> str:
    """``STORAGE:GiB`` for a disk to allocate (LXC mount points get ``mp=/mnt/<name>``)."""
    storage = disk.storage or defaults.storage
    if not storage:
        raise ConfigError(
            f"disk {disk.name} has no storage", "set defaults.storage in the connection's proxmox section"
        )
    if not disk.size_mib:
        raise ConflictError(f"disk {disk.name} has no size; Proxmox VE needs one to allocate it")
    value = f"{storage}:{gib(disk.size_mib)}"
    if kind == "lxc" and disk.name != "rootfs":
        value += f",mp=/mnt/{disk.name}"
    return value


def disks_update(change: ConfigChange, kind: str, current: Guest, desired: Guest, defaults: ProxmoxDefaults) -> None:
    existing = {disk.name: disk for disk in current.disks}
    key = parse.QEMU_DISK_KEY if kind == "qemu" else parse.LXC_DISK_KEY
    for disk in desired.disks:
        old = existing.get(disk.name)
        if old is None:
            if not key.match(disk.name) or disk.name == "rootfs":
                change.warnings.append(f"disk {disk.name!r} cannot be added to a {kind} guest; skipped")
                continue
            change.values[disk.name] = new_disk_value(kind, disk, defaults)
            continue
        if disk.size_mib is None or old.size_mib is None or disk.size_mib == old.size_mib:
            pass
        elif disk.size_mib > old.size_mib:
            change.resizes.append((disk.name, disk.size_mib))
        else:
            raise ConflictError(
                f"disk {disk.name} of {kind} {current.vmid} would shrink from {old.size_mib} to {disk.size_mib} MiB",
                "Proxmox VE only grows disks; fix the size on the other side",
            )
        if disk.storage and old.storage and disk.storage != old.storage:
            change.warnings.append(f"disk {disk.name}: moving from {old.storage} to {disk.storage} is not done")
    for name in existing.keys() - {disk.name for disk in desired.disks}:
        change.warnings.append(f"disk {name} is not detached: netmox never removes guest disks")


# ----------------------------------------------------------------- names


def numbered(names: list[str], pattern: Any, prefix: str) -> list[str]:
    """Keep names that are valid keys, give the others the next free ``<prefix>N``."""
    taken = {name for name in names if pattern.match(name)}
    out, counter = [], 0
    for name in names:
        if pattern.match(name):
            out.append(name)
            continue
        while f"{prefix}{counter}" in taken:
            counter += 1
        taken.add(f"{prefix}{counter}")
        out.append(f"{prefix}{counter}")
    return out
