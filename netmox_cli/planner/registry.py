"""The property registry: every synchronizable property, declared once.

A declaration says which object kinds the property applies to, how to read it (in the plan's JSON
form), when a NetBox value and a Proxmox VE value count as equal, how a value is converted to the
other side's vocabulary, and when a value cannot be written to a side ("cannot apply: …"), so the
plan says so instead of the write failing at apply time. Adding a property is one declaration here
plus its tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from netmox_cli.model.state import Guest, Node, ObjectKind, Side
from netmox_cli.planner import bounds, entries, statuses

NODE = frozenset({ObjectKind.NODE})
GUESTS = frozenset({ObjectKind.QEMU, ObjectKind.LXC})
LXC = frozenset({ObjectKind.LXC})
QEMU = frozenset({ObjectKind.QEMU})

Equal = Callable[[Any, Any], bool]
Convert = Callable[[Any, Side, Any, ObjectKind | None], Any]
Limit = Callable[[Any, Side, Any, ObjectKind | None, bool], str | None]

INTERFACE_FIELDS = ("mac", "bridge", "vlan", "ips")
DISK_FIELDS = ("size_mib", "storage")
# The gap of a plain (non-list) property: the value itself, named in policy.fill_gaps by the property alone.
WHOLE = ""


@dataclass(frozen=True)
class NetboxDefault:
    """A NetBox value that is only NetBox's default, not a decision anyone documented.

    ``value`` is the model value (JSON form), ``shown`` how NetBox shows it, ``why`` where it comes from.
    Such a value is not written to Proxmox VE unless ``policy.properties`` names the property explicitly.
    """

    value: Any
    shown: str
    why: str

    def reason(self, name: str) -> str:
        return f"NetBox's {name} is {self.shown}, {self.why}; set policy.properties.{name} to push it"


def _plain_equal(netbox: Any, proxmox: Any) -> bool:
    return netbox == proxmox


def _same(value: Any, to_side: Side, current: Any, kind: ObjectKind | None) -> Any:
    return value


def _no_limit(value: Any, to_side: Side, current: Any, kind: ObjectKind | None, creating: bool) -> str | None:
    return None


@dataclass(frozen=True)
class Property:
    """One synchronizable property of nodes or guests."""

    name: str
    kinds: frozenset[ObjectKind]
    attribute: str  # the model attribute (Node/Guest) holding the value
    unit: str | None = None  # shown after values (plans, journal entries)
    entry_fields: tuple[str, ...] = ()  # compared fields of a keyed entry list (interfaces, disks)
    free_text: bool = False  # shown quoted (names, descriptions)
    clearable: bool = False  # whether a None/empty source value is written (clears the target)
    equal_values: Equal = field(default=_plain_equal, repr=False)
    to_side: Convert = field(default=_same, repr=False)
    limit: Limit = field(default=_no_limit, repr=False)
    # The NetBox value that is only NetBox's default (None: every NetBox value is documentation).
    netbox_default: NetboxDefault | None = None
    # Entry fields NetBox may leave blank that Proxmox VE fills in (gaps: policy.fill_gaps); WHOLE for
    # a plain value NetBox leaves blank.
    gaps: tuple[str, ...] = ()

    def applies_to(self, kind: ObjectKind) -> bool:
        return kind in self.kinds

    def read(self, obj: Node | Guest) -> Any:
        """The value in the plan's JSON form (entry lists sorted by name)."""
        value = getattr(obj, self.attribute)
        if isinstance(value, list) and value and isinstance(value[0], BaseModel):
            return sorted((item.model_dump(mode="json") for item in value), key=lambda e: e["name"])
        return list(value) if isinstance(value, list) else value

    def default_only(self, netbox: Any) -> str | None:
        """Why NetBox's value is not pushed to Proxmox VE without an explicit policy; None when it is."""
        if self.netbox_default is not None and netbox == self.netbox_default.value:
            return self.netbox_default.reason(self.name)
        return None

    def filled(self, netbox: Any, proxmox: Any, fields: tuple[str, ...]) -> list[dict] | None:
        """NetBox's entries with the blanks among ``fields`` filled from Proxmox VE's same-named entries;
        None when there is no such gap (or the entry lists are not the same set of names). For a plain
        value (``fields`` holds WHOLE): Proxmox VE's value where NetBox has none."""
        if WHOLE in fields and not isinstance(netbox, list):
            return proxmox if netbox is None and proxmox is not None else None
        if not fields or not isinstance(netbox, list) or not isinstance(proxmox, list):
            return None
        theirs = entries.by_name(proxmox)
        if set(theirs) != {e["name"] for e in netbox}:
            return None
        result, any_filled = [], False
        for entry in netbox:
            new = dict(entry)
            for name in fields:
                if new.get(name) is None and theirs[entry["name"]].get(name) is not None:
                    new[name] = theirs[entry["name"]][name]
                    any_filled = True
            result.append(new)
        return sorted(result, key=lambda e: e["name"]) if any_filled else None

    def equal(self, netbox: Any, proxmox: Any) -> bool:
        """Whether NetBox's and Proxmox VE's values agree (values in JSON form)."""
        return self.equal_values(netbox, proxmox)

    def convert(self, value: Any, to_side: Side, *, current: Any = None, kind: ObjectKind | None = None) -> Any:
        """The other side's value in ``to_side``'s vocabulary, merged over ``current`` where needed."""
        return self.to_side(value, to_side, current, kind)

    def written(self, netbox: Any, proxmox: Any, target: Side, kind: ObjectKind | None) -> Any:
        """The exact value a write to ``target`` sets: the other side's value in ``target``'s vocabulary,
        merged over ``target``'s current value where the property needs it (NIC settings, disks)."""
        values = {Side.NETBOX: netbox, Side.PROXMOX: proxmox}
        return self.convert(values[target.other], target, current=values[target], kind=kind)

    def cannot_write(
        self,
        value: Any,
        to_side: Side,
        *,
        current: Any = None,
        kind: ObjectKind | None = None,
        creating: bool = False,
    ) -> str | None:
        """Why ``value`` (from the other side) cannot be written to ``to_side``; None when it can."""
        if value is None and not self.clearable:
            return None if creating else f"cannot apply: {to_side.other.label} has no {self.name} value"
        return self.limit(value, to_side, current, kind, creating)

    def assign(self, obj: Node | Guest, value: Any) -> None:
        """Set the (converted) value on a model object."""
        setattr(obj, self.attribute, value)


class Registry:
    """The declared properties, looked up by object kind and name."""

    def __init__(self, properties: list[Property]) -> None:
        self._properties = properties
        # Looked up for every object of every plan: computed once (10,000 guests in the benchmark).
        self._by_kind = {kind: tuple(p for p in properties if p.applies_to(kind)) for kind in ObjectKind}
        for kind, declared in self._by_kind.items():
            names = [p.name for p in declared]
            if len(names) != len(set(names)):
                raise ValueError(f"property declared twice for {kind.value}: {names}")
        # Views and journals name a property without its kind: one name must mean one attribute and unit.
        self._by_name: dict[str, Property] = {}
        for prop in properties:
            first = self._by_name.setdefault(prop.name, prop)
            shown = (first.attribute, first.unit, first.entry_fields, first.free_text)
            if shown != (prop.attribute, prop.unit, prop.entry_fields, prop.free_text):
                raise ValueError(f"property {prop.name!r} is declared with two attributes or units")

    def __iter__(self) -> Iterator[Property]:
        return iter(self._properties)

    def for_kind(self, kind: ObjectKind) -> tuple[Property, ...]:
        return self._by_kind[kind]

    def get(self, name: str, kind: ObjectKind) -> Property:
        for prop in self._properties:
            if prop.name == name and prop.applies_to(kind):
                return prop
        raise KeyError(f"no property {name!r} for {kind.value}")

    def names(self) -> set[str]:
        return {p.name for p in self._properties}

    def named(self, name: str) -> Property | None:
        """The declaration of ``name`` for any kind (attribute, unit and entry fields agree across kinds)."""
        return self._by_name.get(name)


# --- per-property rules ------------------------------------------------------------------------


def _description_equal(netbox: str | None, proxmox: str | None) -> bool:
    return (netbox or None) == (proxmox or None)


def _status_rules(vocabulary: dict[Side, dict[str, str]]) -> tuple[Equal, Convert]:
    def equal(netbox: str | None, proxmox: str | None) -> bool:
        return statuses.statuses_equal(vocabulary, netbox, proxmox)

    def convert(value: str | None, to_side: Side, current: Any, kind: ObjectKind | None) -> str | None:
        return statuses.translate(vocabulary, value, to_side)

    return equal, convert


_guest_status_equal, _guest_status_convert = _status_rules(statuses.GUEST_STATUS)
_node_status_equal, _node_status_convert = _status_rules(statuses.NODE_STATUS)


def _node_status_limit(value: Any, to_side: Side, current: Any, kind: ObjectKind | None, creating: bool) -> str | None:
    if to_side is Side.PROXMOX:
        return "cannot apply: a Proxmox VE node's status is not set through its API"
    return None


def _number_equal(netbox: float | None, proxmox: float | None) -> bool:
    if netbox is None or proxmox is None:
        return netbox is proxmox
    return float(netbox) == float(proxmox)


def _vcpus_convert(value: float | None, to_side: Side, current: Any, kind: ObjectKind | None) -> float | None:
    if value is not None and to_side is Side.PROXMOX and float(value).is_integer():
        return float(int(value))
    return value


def _cannot(reason: str | None) -> str | None:
    return f"cannot apply: {reason}" if reason else None


def _vcpus_limit(value: float, to_side: Side, current: Any, kind: ObjectKind | None, creating: bool) -> str | None:
    if to_side is Side.PROXMOX and math.isfinite(value) and not float(value).is_integer():
        return f"cannot apply: NetBox value {value:g} is not a whole number of cores"
    return _cannot(bounds.vcpus(value, to_side, kind))


def _name_limit(value: str, to_side: Side, current: Any, kind: ObjectKind | None, creating: bool) -> str | None:
    return _cannot(bounds.name(value, to_side, kind))


def _description_limit(
    value: str | None, to_side: Side, current: Any, kind: ObjectKind | None, creating: bool
) -> str | None:
    return _cannot(bounds.description(value, to_side))


def _memory_limit(value: int, to_side: Side, current: Any, kind: ObjectKind | None, creating: bool) -> str | None:
    return _cannot(bounds.memory(value, to_side, kind))


def _swap_limit(value: int, to_side: Side, current: Any, kind: ObjectKind | None, creating: bool) -> str | None:
    return _cannot(bounds.swap(value, to_side))


def _known_equal(netbox: Any, proxmox: Any) -> bool:
    """NetBox's blank is unknown, not a value: it agrees with anything (a gap to fill, never a clear)."""
    return netbox is None or netbox == proxmox


def _cpu_type_limit(value: str, to_side: Side, current: Any, kind: ObjectKind | None, creating: bool) -> str | None:
    return _cannot(bounds.cpu_type(value, to_side))


def _tags_equal(netbox: list[str], proxmox: list[str]) -> bool:
    return {t.lower() for t in netbox or []} == {t.lower() for t in proxmox or []}


def _tags_convert(value: list[str] | None, to_side: Side, current: Any, kind: ObjectKind | None) -> list[str]:
    tags = value or []
    return sorted({t.lower() for t in tags}) if to_side is Side.PROXMOX else sorted(set(tags))


def _tags_limit(value: list[str], to_side: Side, current: Any, kind: ObjectKind | None, creating: bool) -> str | None:
    return _cannot(bounds.tags(value, to_side))


def _node_limit(value: str, to_side: Side, current: Any, kind: ObjectKind | None, creating: bool) -> str | None:
    if to_side is Side.PROXMOX and not creating:
        return "cannot apply: netmox does not migrate guests; move it in Proxmox VE"
    return None


def _interfaces_equal(netbox: list[dict], proxmox: list[dict]) -> bool:
    return entries.entries_equal(netbox, proxmox, INTERFACE_FIELDS)


def _interfaces_convert(value: list[dict], to_side: Side, current: Any, kind: ObjectKind | None) -> list[dict]:
    if to_side is Side.NETBOX:
        return entries.merge_entries(value, current, cleared=("bridge", "guest_name"))
    # QEMU addresses come from the guest agent: Proxmox VE keeps its own.
    from_current = ("ips",) if kind is ObjectKind.QEMU else ()
    return entries.merge_entries(value, current, from_current=from_current)


def _interfaces_limit(
    value: list[dict], to_side: Side, current: Any, kind: ObjectKind | None, creating: bool
) -> str | None:
    if to_side is Side.PROXMOX and kind is ObjectKind.QEMU and current is not None:
        fields_but_ips = tuple(f for f in INTERFACE_FIELDS if f != "ips")
        if entries.entries_equal(value, current, fields_but_ips) and not _interfaces_equal(value, current):
            return "cannot apply: QEMU IP addresses come from the guest agent; configure them inside the guest"
    return _cannot(bounds.interfaces(value, to_side))


def _disks_equal(netbox: list[dict], proxmox: list[dict]) -> bool:
    return entries.entries_equal(netbox, proxmox, DISK_FIELDS)


def _disks_convert(value: list[dict], to_side: Side, current: Any, kind: ObjectKind | None) -> list[dict]:
    if to_side is Side.NETBOX:
        return entries.merge_entries(value, current)
    return entries.merge_entries(value, current, keep_current_only=True)


def _disks_limit(value: list[dict], to_side: Side, current: Any, kind: ObjectKind | None, creating: bool) -> str | None:
    if (beyond := bounds.disks(value, to_side)) is not None:
        return f"cannot apply: {beyond}"
    if to_side is not Side.PROXMOX:
        return None
    existing = entries.by_name(current or [])
    problems: list[str] = []
    for disk in value:
        old = existing.get(disk["name"])
        if old is None:
            if disk.get("size_mib") is None:
                problems.append(f"disk {disk['name']} has no size on NetBox")
            continue
        if None not in (old.get("size_mib"), disk.get("size_mib")) and disk["size_mib"] < old["size_mib"]:
            problems.append(
                f"disk {disk['name']} would shrink from {old['size_mib']} to {disk['size_mib']} MiB; "
                "Proxmox VE disks can only grow"
            )
        if None not in (old.get("storage"), disk.get("storage")) and old["storage"] != disk["storage"]:
            problems.append(
                f"disk {disk['name']} is on {old['storage']}, NetBox documents {disk['storage']}; "
                "netmox does not move disks between storages"
            )
    missing = sorted(set(existing) - {d["name"] for d in value})
    if missing:
        problems.append(f"netmox does not remove disks from Proxmox VE ({', '.join(missing)} not on NetBox)")
    return "cannot apply: " + "; ".join(problems) if problems else None


REGISTRY = Registry(
    [
        Property(
            "status",
            NODE,
            "status",
            equal_values=_node_status_equal,
            to_side=_node_status_convert,
            limit=_node_status_limit,
        ),
        Property(
            "description",
            NODE,
            "description",
            free_text=True,
            clearable=True,
            equal_values=_description_equal,
            limit=_description_limit,
        ),
        Property("name", GUESTS, "name", free_text=True, limit=_name_limit),
        Property(
            "description",
            GUESTS,
            "description",
            free_text=True,
            clearable=True,
            equal_values=_description_equal,
            limit=_description_limit,
        ),
        Property("status", GUESTS, "status", equal_values=_guest_status_equal, to_side=_guest_status_convert),
        Property("vcpus", GUESTS, "vcpus", equal_values=_number_equal, to_side=_vcpus_convert, limit=_vcpus_limit),
        Property("memory", GUESTS, "memory_mib", unit="MiB", limit=_memory_limit),
        Property("swap", LXC, "swap_mib", unit="MiB", limit=_swap_limit),
        Property(
            "disks",
            GUESTS,
            "disks",
            entry_fields=DISK_FIELDS,  # sizes in MiB
            equal_values=_disks_equal,
            to_side=_disks_convert,
            limit=_disks_limit,
            gaps=("storage",),  # the storage a disk lives on, which NetBox cannot know until it is documented
        ),
        Property(
            "interfaces",
            GUESTS,
            "interfaces",
            entry_fields=INTERFACE_FIELDS,
            equal_values=_interfaces_equal,
            to_side=_interfaces_convert,
            limit=_interfaces_limit,
            gaps=("mac",),  # a MAC Proxmox VE generated for a NIC documented without one
        ),
        Property(
            "tags", GUESTS, "tags", clearable=True, equal_values=_tags_equal, to_side=_tags_convert, limit=_tags_limit
        ),
        Property("ostype", GUESTS, "ostype"),
        Property(
            "start_on_boot",
            GUESTS,
            "start_on_boot",
            # NetBox 4.x added start_on_boot with default "off" (migration virtualization.0050): every VM
            # documented before, or by a form or tool that never set it, reads off. See docs/mapping.md.
            netbox_default=NetboxDefault(False, "off", "its default for VMs that never set it"),
        ),
        Property("node", GUESTS, "node", limit=_node_limit),
        Property(
            "cpu",
            QEMU,
            "cpu_type",
            equal_values=_known_equal,
            limit=_cpu_type_limit,
            gaps=(WHOLE,),  # Proxmox VE's model (kvm64 unless set) for a VM documented without one
        ),
    ]
)
