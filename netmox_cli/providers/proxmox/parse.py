"""Every Proxmox VE config value netmox reads, parsed in one place.

PVE answers with property strings (``virtio=BC:24:11:…,bridge=vmbr0,tag=10``), numbers that may arrive
as strings, sizes with unit suffixes and flags spelled ``0``/``1``. These functions turn them into the
common model's values and never raise on something unexpected: an unknown key is ignored, an
unreadable value becomes ``None`` (unknown), never a guess.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from netmox_cli.model.state import Disk, Interface

# Models a qemu ``netN`` value may start with; the model's value is the MAC.
QEMU_NIC_MODELS = frozenset(
    {
        "e1000",
        "e1000-82540em",
        "e1000-82544gc",
        "e1000-82545em",
        "e1000e",
        "i82551",
        "i82557b",
        "i82559er",
        "ne2k_isa",
        "ne2k_pci",
        "pcnet",
        "rtl8139",
        "virtio",
        "vmxnet3",
    }
)
QEMU_DISK_KEY = re.compile(r"^(ide|sata|scsi|virtio)\d+$")
LXC_DISK_KEY = re.compile(r"^(rootfs|mp\d+)$")
MOUNT_POINT_KEY = re.compile(r"^mp\d+$")
NET_KEY = re.compile(r"^net(\d+)$")
MAC = re.compile(r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")
SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)B?\s*$", re.IGNORECASE)
UNIT_MIB = {"": 1 / (1024 * 1024), "K": 1 / 1024, "M": 1, "G": 1024, "T": 1024 * 1024}
QEMU_OSTYPES = frozenset(
    {"other", "wxp", "w2k", "w2k3", "w2k8", "wvista", "win7", "win8", "win10", "win11", "l24", "l26", "solaris"}
)
LXC_OSTYPES = frozenset(
    {
        "debian",
        "devuan",
        "ubuntu",
        "centos",
        "fedora",
        "opensuse",
        "archlinux",
        "alpine",
        "gentoo",
        "nixos",
        "unmanaged",
    }
)


# ----------------------------------------------------------------- scalars


def to_int(value: Any) -> int | None:
    """An integer from an int, a float or a numeric string ("4", "4.0"); None if it is none of these."""
    if value is None or isinstance(value, bool):
        return int(value) if isinstance(value, bool) else None
    if isinstance(value, int):
        return value
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def to_float(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def to_bool(value: Any) -> bool | None:
    """PVE's boolean spellings (1/0, "1"/"0", yes/no, on/off, true/false); None when unreadable."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "yes", "on", "true"):
        return True
    if text in ("0", "no", "off", "false"):
        return False
    return None


def split_props(text: Any) -> tuple[str | None, dict[str, str]]:
    """``('first bare item' or None, {key: value})`` of a comma-separated property string."""
    first: str | None = None
    props: dict[str, str] = {}
    for index, part in enumerate(str(text or "").split(",")):
        key, eq, val = part.partition("=")
        if eq:
            props[key.strip()] = val.strip()
        elif part.strip() and index == 0:
            first = part.strip()
    return first, props


def join_props(first: str | None, props: Mapping[str, Any]) -> str:
    """The inverse of :func:`split_props`, keeping the given key order."""
    parts = [first] if first else []
    parts += [f"{key}={value}" for key, value in props.items() if value is not None]
    return ",".join(parts)


def size_mib(text: Any) -> int | None:
    """MiB in a PVE size (``32G``, ``512M``, ``4T``, ``528K``; no unit = bytes), rounded up; None if unreadable."""
    match = SIZE.match(str(text)) if text is not None else None
    if not match:
        return None
    mib = float(match.group(1)) * UNIT_MIB[match.group(2).upper()]
    return math.ceil(round(mib, 6))


def memory_mib(value: Any) -> int | None:
    """qemu ``memory``: an int (PVE <= 8.0), ``"4096"`` or ``"current=4096"`` (newer schemas)."""
    if value is None:
        return None
    first, props = split_props(value)
    return to_int(props.get("current", first))


def parse_tags(value: Any) -> list[str]:
    """Tags stored ``;``-separated; older or hand-edited configs use ``,`` or spaces."""
    return sorted({tag for tag in re.split(r"[;,\s]+", str(value or "")) if tag})


def format_tags(tags: Iterable[str]) -> str:
    return ";".join(sorted(set(tags)))


def agent_enabled(value: Any) -> bool:
    """qemu ``agent``: ``1``, ``"1,fstrim_cloned_disks=1"`` or ``"enabled=1,type=virtio"``."""
    first, props = split_props(value)
    return bool(to_bool(props.get("enabled", first)))


def qemu_vcpus(config: Mapping[str, Any]) -> float | None:
    """The vCPU count: ``vcpus`` when set, else sockets x cores (each defaults to 1)."""
    vcpus = to_int(config.get("vcpus"))
    if vcpus:
        return float(vcpus)
    sockets = to_int(config.get("sockets", 1))
    cores = to_int(config.get("cores", 1))
    if not sockets or not cores:
        return None
    return float(sockets * cores)


QEMU_DEFAULT_CPU_TYPE = "kvm64"  # cpu: cputype's schema default (qemu-server CPUConfig), when cpu is unset


def qemu_cpu_type(config: Mapping[str, Any]) -> str:
    """The emulated CPU model of a qemu ``cpu`` value (``[cputype=]<model>[,flags=…]``); unset: kvm64."""
    first, props = split_props(config.get("cpu"))
    return props.get("cputype") or first or QEMU_DEFAULT_CPU_TYPE


def with_cpu_type(current: Any, cpu_type: str) -> str:
    """The qemu ``cpu`` value with its model replaced and its other options (flags, hidden …) kept."""
    _, props = split_props(current)
    props.pop("cputype", None)
    return join_props(cpu_type, props)


def lxc_vcpus(config: Mapping[str, Any]) -> float | None:
    """LXC ``cores``; a container without it may use every host core, which has no count: None."""
    cores = to_int(config.get("cores"))
    return float(cores) if cores else None


def upid_node(upid: str) -> str:
    """The node named in a UPID (``UPID:<node>:<pid>:…``), where its task status must be polled."""
    parts = upid.split(":")
    if len(parts) < 3 or parts[0] != "UPID" or not parts[1]:
        raise ValueError(f"not a task id: {upid!r}")
    return parts[1]


def is_upid(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("UPID:")


# --------------------------------------------------------------- addresses


def usable_address(cidr: str) -> bool:
    """False for loopback and link-local addresses, which never describe a guest's network."""
    try:
        address = ipaddress.ip_interface(cidr).ip
    except ValueError:
        return False
    return not (address.is_loopback or address.is_link_local or address.is_unspecified)


def to_cidr(address: Any, prefix: Any) -> str | None:
    """``address/prefix`` normalised by the ipaddress module, or None if it is not an address."""
    try:
        return str(ipaddress.ip_interface(f"{address}/{prefix}") if prefix is not None else address)
    except ValueError:
        return None


# ---------------------------------------------------------------- network


def qemu_interface(key: str, value: Any) -> Interface:
    """qemu ``netN``: ``virtio=BC:24:11:3A:8C:01,bridge=vmbr0,firewall=1,tag=20`` (model=MAC first)."""
    _, props = split_props(value)
    mac = props.get("macaddr")
    for name in props:
        if name in QEMU_NIC_MODELS:
            mac = props[name] or mac
            break
    return Interface(
        name=key,
        mac=mac if mac and MAC.match(mac) else None,
        bridge=props.get("bridge") or None,
        vlan=to_int(props.get("tag")),
    )


def lxc_static_ips(props: Mapping[str, str]) -> tuple[list[str], bool]:
    """(static CIDRs from ``ip=``/``ip6=``, whether any family is dynamic: dhcp, auto or manual)."""
    static: list[str] = []
    dynamic = False
    for key in ("ip", "ip6"):
        value = props.get(key)
        if not value:
            continue
        if value in ("dhcp", "auto", "manual"):
            dynamic = True
        elif "/" in value:
            cidr = to_cidr(value, None)
            if cidr and usable_address(cidr):
                static.append(cidr)
    return static, dynamic


def lxc_interface(key: str, value: Any) -> tuple[Interface, list[str], bool]:
    """LXC ``netN``: ``name=eth0,bridge=vmbr0,gw=…,hwaddr=…,ip=10.1.1.3/24,type=veth`` (or ``ip=dhcp``).

    Returns the interface (ips unset), its static addresses and whether it has a dynamic family.
    """
    _, props = split_props(value)
    mac = props.get("hwaddr")
    static, dynamic = lxc_static_ips(props)
    interface = Interface(
        name=key,
        mac=mac if mac and MAC.match(mac) else None,
        bridge=props.get("bridge") or None,
        vlan=to_int(props.get("tag")),
        guest_name=props.get("name") or None,
    )
    return interface, static, dynamic


def runtime_addresses(entries: Any) -> dict[str, list[str]]:
    """Usable CIDRs per lowercased MAC (and per ``name:<ifname>``) from an agent or LXC interface list.

    Both ``…/agent/network-get-interfaces`` (``result`` list) and ``…/lxc/{vmid}/interfaces`` use
    ``hardware-address`` and ``ip-addresses: [{ip-address, prefix}]``; LXC rows may carry only
    ``inet``/``inet6`` CIDRs.
    """
    found: dict[str, list[str]] = {}
    if not isinstance(entries, list):
        return found
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        cidrs: list[str] = []
        for item in entry.get("ip-addresses") or []:
            if isinstance(item, dict):
                cidr = to_cidr(item.get("ip-address"), item.get("prefix"))
                if cidr:
                    cidrs.append(cidr)
        for key in ("inet", "inet6"):
            if entry.get(key):
                cidr = to_cidr(entry[key], None)
                if cidr:
                    cidrs.append(cidr)
        usable = sorted({cidr for cidr in cidrs if usable_address(cidr)})
        mac = str(entry.get("hardware-address") or entry.get("hwaddr") or "").lower()
        if mac and mac != "00:00:00:00:00:00":
            found.setdefault(mac, []).extend(usable)
        if entry.get("name"):
            found.setdefault(f"name:{entry['name']}", []).extend(usable)
    return found


def net_keys(config: Mapping[str, Any]) -> list[str]:
    return sorted((key for key in config if NET_KEY.match(key)), key=lambda key: int(key[3:]))


# ------------------------------------------------------------------ disks


def _natural(key: str) -> tuple[str, int]:
    match = re.fullmatch(r"(\D+)(\d*)", key)
    return (match.group(1), int(match.group(2) or -1)) if match else (key, 0)


def volume_storage(volume: str | None) -> str | None:
    """``local-lvm`` in ``local-lvm:vm-100-disk-0``; None for paths and keywords."""
    if not volume or volume.startswith("/") or ":" not in volume:
        return None
    return volume.split(":", 1)[0]


def qemu_disks(config: Mapping[str, Any]) -> list[Disk]:
    """ide/sata/scsi/virtioN disks; CD-ROMs (``media=cdrom``, ``none``, ``cdrom``) are not disks.

    ``efidisk0``, ``tpmstate0`` and ``unusedN`` are left out: firmware state and detached volumes.
    """
    disks = []
    for key in sorted((k for k in config if QEMU_DISK_KEY.match(k)), key=_natural):
        volume, props = split_props(config[key])
        volume = volume or props.get("file")
        if props.get("media") == "cdrom" or not volume or volume in ("none", "cdrom"):
            continue
        disks.append(Disk(name=key, size_mib=size_mib(props.get("size")), storage=volume_storage(volume)))
    return disks


def lxc_disks(config: Mapping[str, Any]) -> list[Disk]:
    """``rootfs`` and ``mpN`` volumes; bind mounts (``/host/path``) and devices are not disks."""
    disks = []
    for key in sorted((k for k in config if LXC_DISK_KEY.match(k)), key=lambda k: (k != "rootfs", _natural(k))):
        volume, props = split_props(config[key])
        volume = volume or props.get("volume")
        if not volume or volume.startswith("/"):
            continue
        disks.append(Disk(name=key, size_mib=size_mib(props.get("size")), storage=volume_storage(volume)))
    return disks
