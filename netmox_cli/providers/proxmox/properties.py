"""Each property's Proxmox VE handlers, in one table: how it is read from a guest's config, what it puts into
the ``POST`` that creates a guest, and how an update writes it (``PUT …/config`` values, deletes, resizes).

The table is keyed by the property names ``planner/registry.py`` declares and checked against them at
import. ``None`` says the property is not a config key: ``status`` is power (start/shutdown, done by the
writer after the create or update), ``node`` is where a create is POSTed and is never migrated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from netmox_cli.config.schema import ProxmoxDefaults
from netmox_cli.declared import require
from netmox_cli.errors import ConfigError
from netmox_cli.model.kinds import KINDS
from netmox_cli.model.state import Disk, Guest, Node, ObjectKind
from netmox_cli.planner.registry import REGISTRY
from netmox_cli.providers.proxmox import parse
from netmox_cli.providers.proxmox.configs import (
    ConfigChange,
    disks_update,
    interfaces_update,
    lxc_net_value,
    new_disk_value,
    numbered,
    qemu_cpu,
    qemu_net_value,
    set_or_delete,
    whole_cpus,
)


@dataclass(frozen=True)
class Subject:
    """What a handler works on: the guest's kind, its raw config (``{}`` on create) and the desired values."""

    kind: str
    raw: Mapping[str, Any]
    current: Guest | None
    desired: Guest
    defaults: ProxmoxDefaults

    @property
    def qemu(self) -> bool:
        return self.kind == "qemu"


Read = Callable[[Mapping[str, Any], Mapping[str, Any], bool], Any]  # (resources row, config, qemu) -> value
Create = Callable[[dict[str, Any], Subject, list[str]], None]  # adds POST parameters
Update = Callable[[ConfigChange, Subject], None]  # adds config values, deletes, resizes, warnings


@dataclass(frozen=True)
class Handlers:
    read: Read
    create: Create | None
    update: Update | None


# ------------------------------------------------------------------ reads


def _read_name(row: Mapping[str, Any], config: Mapping[str, Any], qemu: bool) -> str | None:
    return (config.get("name") if qemu else config.get("hostname")) or row.get("name") or None


def _read_memory(row: Mapping[str, Any], config: Mapping[str, Any], qemu: bool) -> int | None:
    # Absent keys take PVE's schema defaults: memory 512 MiB (both kinds).
    return parse.memory_mib(config.get("memory", 512)) if qemu else parse.to_int(config.get("memory", 512))


def _read_interfaces(row: Mapping[str, Any], config: Mapping[str, Any], qemu: bool) -> list:
    return [
        parse.qemu_interface(key, config[key]) if qemu else parse.lxc_interface(key, config[key])[0]
        for key in parse.net_keys(config)
    ]


# ---------------------------------------------------------------- creates


def _create_interfaces(params: dict[str, Any], guest: Subject, warnings: list[str]) -> None:
    desired = guest.desired
    names = numbered([i.name for i in desired.interfaces], parse.NET_KEY, "net")
    for name, interface in zip(names, desired.interfaces, strict=True):
        interface = interface.model_copy(update={"name": name})
        params[name] = (
            qemu_net_value(interface, None, guest.defaults.bridge)
            if guest.qemu
            else lxc_net_value(interface, None, guest.defaults.bridge, warnings)
        )


def _create_disks(params: dict[str, Any], guest: Subject, warnings: list[str]) -> None:
    """QEMU disks as ``scsiN``; LXC: the ``rootfs`` disk (or the first one; 8 GiB if none) and ``mpN``.
    Each on the storage NetBox documents for it, else ``defaults.storage``."""
    desired, kind, defaults = guest.desired, guest.kind, guest.defaults
    if guest.qemu:
        for name, disk in zip(
            numbered([d.name for d in desired.disks], parse.QEMU_DISK_KEY, "scsi"), desired.disks, strict=True
        ):
            params[name] = new_disk_value(kind, disk.model_copy(update={"name": name}), defaults)
        return
    disks = sorted(desired.disks, key=lambda disk: disk.name != "rootfs")
    root = disks[0] if disks else Disk(name="rootfs", size_mib=8192)
    params["rootfs"] = new_disk_value(kind, root.model_copy(update={"name": "rootfs"}), defaults)
    for name, disk in zip(numbered([d.name for d in disks[1:]], parse.MOUNT_POINT_KEY, "mp"), disks[1:], strict=True):
        params[name] = new_disk_value(kind, disk.model_copy(update={"name": name}), defaults)


def _create_ostype(params: dict[str, Any], guest: Subject, warnings: list[str]) -> None:
    ostype = guest.desired.ostype
    if guest.qemu:
        params["ostype"] = ostype if ostype in parse.QEMU_OSTYPES else guest.defaults.qemu_ostype
    elif ostype in parse.LXC_OSTYPES:
        params["ostype"] = ostype


def _create_if(key: str | Callable[[bool], str], value: Callable[[Guest], Any]) -> Create:
    """A create handler that sets ``key`` to ``value(desired)`` unless that is None or empty."""

    def create(params: dict[str, Any], guest: Subject, warnings: list[str]) -> None:
        found = value(guest.desired)
        if found is not None and found != "":
            params[key(guest.qemu) if callable(key) else key] = found

    return create


# ---------------------------------------------------------------- updates


def _name_key(qemu: bool) -> str:
    return "name" if qemu else "hostname"


def _update_name(change: ConfigChange, guest: Subject) -> None:
    set_or_delete(change, guest.raw, _name_key(guest.qemu), guest.desired.name)


def _update_description(change: ConfigChange, guest: Subject) -> None:
    set_or_delete(change, guest.raw, "description", guest.desired.description)


def _update_vcpus(change: ConfigChange, guest: Subject) -> None:
    vcpus = guest.desired.vcpus
    if vcpus is None:
        return
    if vcpus != whole_cpus(vcpus):
        change.warnings.append(f"vcpus {vcpus:g} rounded up to {whole_cpus(vcpus)}")
    if guest.qemu:
        values, deletes = qemu_cpu(guest.raw, vcpus)
        change.values.update(values)
        change.deletes += deletes
    else:
        set_or_delete(change, guest.raw, "cores", whole_cpus(vcpus))


def _update_memory(change: ConfigChange, guest: Subject) -> None:
    if guest.desired.memory_mib is not None:
        change.values["memory"] = guest.desired.memory_mib


def _update_swap(change: ConfigChange, guest: Subject) -> None:
    if guest.desired.swap_mib is None:
        return
    if guest.qemu:
        change.warnings.append("swap is an LXC setting; not written to a qemu guest")
    else:
        change.values["swap"] = guest.desired.swap_mib


def _update_tags(change: ConfigChange, guest: Subject) -> None:
    set_or_delete(change, guest.raw, "tags", parse.format_tags(guest.desired.tags))


def _update_ostype(change: ConfigChange, guest: Subject) -> None:
    if guest.desired.ostype:
        change.values["ostype"] = guest.desired.ostype


def _update_onboot(change: ConfigChange, guest: Subject) -> None:
    if guest.desired.start_on_boot is not None:
        change.values["onboot"] = int(guest.desired.start_on_boot)


def _update_cpu(change: ConfigChange, guest: Subject) -> None:
    cpu_type = guest.desired.cpu_type
    if cpu_type and cpu_type != parse.qemu_cpu_type(guest.raw):
        change.values["cpu"] = parse.with_cpu_type(guest.raw.get("cpu"), cpu_type)


def _update_interfaces(change: ConfigChange, guest: Subject) -> None:
    interfaces_update(change, guest.kind, guest.raw, guest.desired, guest.defaults.bridge)


def _update_disks(change: ConfigChange, guest: Subject) -> None:
    assert guest.current is not None
    disks_update(change, guest.kind, guest.current, guest.desired, guest.defaults)


# ------------------------------------------------------------------ table

GUEST_HANDLERS: dict[str, Handlers] = {
    "name": Handlers(_read_name, _create_if(_name_key, lambda g: g.name or None), _update_name),
    "description": Handlers(
        lambda row, config, qemu: str(config.get("description") or ""),
        _create_if("description", lambda g: g.description or None),
        _update_description,
    ),
    "vcpus": Handlers(
        lambda row, config, qemu: parse.qemu_vcpus(config) if qemu else parse.lxc_vcpus(config),
        _create_if("cores", lambda g: whole_cpus(g.vcpus) if g.vcpus else None),
        _update_vcpus,
    ),
    "memory": Handlers(_read_memory, _create_if("memory", lambda g: g.memory_mib or None), _update_memory),
    "swap": Handlers(  # LXC only (the declaration's kinds); PVE's default is 512 MiB
        lambda row, config, qemu: None if qemu else parse.to_int(config.get("swap", 512)),
        _create_if("swap", lambda g: g.swap_mib),
        _update_swap,
    ),
    "tags": Handlers(
        lambda row, config, qemu: parse.parse_tags(config.get("tags", row.get("tags"))),
        _create_if("tags", lambda g: parse.format_tags(g.tags)),
        _update_tags,
    ),
    "ostype": Handlers(
        lambda row, config, qemu: str(config["ostype"]) if config.get("ostype") else None,
        _create_ostype,
        _update_ostype,
    ),
    "start_on_boot": Handlers(
        lambda row, config, qemu: bool(parse.to_bool(config.get("onboot", 0))),
        _create_if("onboot", lambda g: None if g.start_on_boot is None else int(g.start_on_boot)),
        _update_onboot,
    ),
    "interfaces": Handlers(_read_interfaces, _create_interfaces, _update_interfaces),
    "disks": Handlers(
        lambda row, config, qemu: parse.qemu_disks(config) if qemu else parse.lxc_disks(config),
        _create_disks,
        _update_disks,
    ),
    "cpu": Handlers(  # QEMU only (the declaration's kinds); the model of "cpu", PVE's default kvm64 when unset
        lambda row, config, qemu: parse.qemu_cpu_type(config),
        _create_if("cpu", lambda g: g.cpu_type),
        _update_cpu,
    ),
    "status": Handlers(lambda row, config, qemu: row.get("status") or None, None, None),
    "node": Handlers(lambda row, config, qemu: row.get("node") or None, None, None),
}
CONFIG_FIELDS = frozenset(name for name, handlers in GUEST_HANDLERS.items() if handlers.update is not None)

for _kind in KINDS.values():
    if _kind.collection == "guests":
        require("Proxmox VE guest properties", GUEST_HANDLERS, [p.name for p in REGISTRY.for_kind(_kind.kind)])


# ------------------------------------------------------------------ nodes


@dataclass(frozen=True)
class NodeHandlers:
    """How one node property is read (its ``/nodes`` row and ``…/config``, None when the node is offline)
    and what ``PUT /nodes/{node}/config`` sets for it (None: not settable through the API)."""

    read: Callable[[Mapping[str, Any], Mapping[str, Any] | None], Any]
    update: Callable[[Node], dict[str, Any]] | None


NODE_HANDLERS: dict[str, NodeHandlers] = {
    "status": NodeHandlers(lambda row, config: row.get("status") or None, None),
    "description": NodeHandlers(
        lambda row, config: None if config is None else str(config.get("description") or ""),
        lambda node: {"description": node.description or ""},
    ),
}
require("Proxmox VE node properties", NODE_HANDLERS, [p.name for p in REGISTRY.for_kind(ObjectKind.NODE)])


def node_from_config(row: Mapping[str, Any], config: Mapping[str, Any] | None) -> Node:
    """One node from its ``/nodes`` row and its config (None: offline, its config unknown)."""
    node = Node(name=row["node"], revision=str(config["digest"]) if config and config.get("digest") else None)
    for prop in REGISTRY.for_kind(ObjectKind.NODE):
        setattr(node, prop.attribute, NODE_HANDLERS[prop.name].read(row, config))
    return node


def node_config_values(desired: Node, fields: list[str]) -> dict[str, Any]:
    """The ``PUT /nodes/{node}/config`` values for ``fields``; ValueError naming those the API cannot set."""
    unsettable = sorted(name for name in fields if NODE_HANDLERS[name].update is None)
    if unsettable:
        raise ValueError(", ".join(unsettable))
    values: dict[str, Any] = {}
    for name in fields:
        values.update(NODE_HANDLERS[name].update(desired))  # type: ignore[misc]
    return values


# ---------------------------------------------------------------- entry points


def guest_from_config(row: Mapping[str, Any], config: Mapping[str, Any] | None) -> Guest:
    """One guest from its ``/cluster/resources`` row and its config (None: config unreadable).

    Interface addresses are left unknown here; the snapshot fills them from the runtime sources.
    """
    kind = row["type"]
    guest = Guest(
        vmid=int(row["vmid"]),
        kind=kind,
        name=row.get("name") or None,
        node=row.get("node") or None,
        status=row.get("status") or None,
        template=bool(parse.to_bool(row.get("template"))),
    )
    if config is None:
        return guest
    for prop in REGISTRY.for_kind(ObjectKind(kind)):
        setattr(guest, prop.attribute, GUEST_HANDLERS[prop.name].read(row, config, kind == "qemu"))
    guest.template = guest.template or bool(parse.to_bool(config.get("template", 0)))
    guest.protected = bool(parse.to_bool(config.get("protection", 0)))
    guest.revision = str(config["digest"]) if config.get("digest") else None
    return guest


def update_change(
    kind: str, raw: Mapping[str, Any], current: Guest, desired: Guest, fields: set[str], defaults: ProxmoxDefaults
) -> ConfigChange:
    """The config write that makes ``raw`` carry ``desired``'s values for ``fields``."""
    change = ConfigChange()
    guest = Subject(kind, raw, current, desired, defaults)
    for name, handlers in GUEST_HANDLERS.items():
        if name in fields and handlers.update is not None:
            handlers.update(change, guest)
    return change


def create_params(kind: str, desired: Guest, defaults: ProxmoxDefaults) -> dict[str, Any]:
    """The ``POST /nodes/{node}/{qemu|lxc}`` parameters for a new guest (without starting it)."""
    params: dict[str, Any] = {"vmid": desired.vmid}
    if kind == "qemu":
        params["sockets"] = 1
    else:
        if not defaults.lxc_ostemplate:
            raise ConfigError(
                f"creating LXC container {desired.vmid} needs an OS template",
                "set defaults.lxc_ostemplate (e.g. 'local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst')",
            )
        params["ostemplate"] = defaults.lxc_ostemplate
        params["unprivileged"] = 1
    guest = Subject(kind, {}, None, desired, defaults)
    warnings: list[str] = []
    for prop in REGISTRY.for_kind(ObjectKind(kind)):
        create = GUEST_HANDLERS[prop.name].create
        if create is not None:
            create(params, guest, warnings)
    return params
