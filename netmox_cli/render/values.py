"""Property values as people read them: units, quoting, keyed lists shown entry by entry.

Shared by the text and Markdown views, so that both say the same thing about a property. Free text is
quoted by ``safe.quoted``; the views pass every assembled line through ``safe.safe``.
"""

from __future__ import annotations

from typing import Any

from netmox_cli.model.plan import Action, Change, Direction, PropertyChange
from netmox_cli.model.state import Side
from netmox_cli.planner.registry import REGISTRY
from netmox_cli.render.safe import quoted

UNSET = "(unset)"


def unit(name: str) -> str | None:
    """The unit property ``name`` declares (``planner/registry.py``)."""
    prop = REGISTRY.named(name)
    return prop.unit if prop is not None else None


def entry_fields(name: str) -> tuple[str, ...]:
    """The compared fields of keyed-list property ``name`` (disks, interfaces); () for others."""
    prop = REGISTRY.named(name)
    return prop.entry_fields if prop is not None else ()


def _free_text(name: str) -> bool:
    prop = REGISTRY.named(name)
    return prop is not None and prop.free_text


def plain(value: Any) -> str:
    """One value without unit: None is ``(unset)``, lists are comma-joined, free text is quoted."""
    if value is None:
        return UNSET
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        if not value:
            return "(none)"
        return ", ".join(entry(item) if isinstance(item, dict) else plain(item) for item in value)
    return str(value)


def one(name: str, value: Any) -> str:
    """A property value with its unit or quotes."""
    if value is None:
        return UNSET
    if _free_text(name) and isinstance(value, str):
        return quoted(value)
    shown = unit(name)
    return f"{plain(value)} {shown}" if shown else plain(value)


def entry(item: dict[str, Any]) -> str:
    """A disk or interface in one short phrase: ``scsi0 32768 MiB local-lvm``."""
    words = [str(item.get("name"))]
    for key, value in item.items():
        if key == "name" or value is None or value == []:
            continue
        if key == "size_mib":
            words.append(f"{value} MiB")
        elif key == "vlan":
            words.append(f"vlan {value}")
        elif key == "ips":
            words.append(" ".join(value))
        elif key == "guest_name":
            continue
        else:
            words.append(str(value))
    return " ".join(words)


def pair(name: str, before: Any, after: Any) -> str:
    """``2048 → 4096 MiB``: one unit for the pair when both sides have it."""
    shown = unit(name)
    if shown and before is not None and after is not None:
        return f"{plain(before)} → {plain(after)} {shown}"
    return f"{one(name, before)} → {one(name, after)}"


def entry_differences(name: str, before: list[dict] | None, after: list[dict] | None) -> list[str]:
    """Keyed-list changes as ``+ entry``, ``- entry``, ``~ net0 bridge: vmbr0 → vmbr1`` lines."""
    old = {item["name"]: item for item in before or []}
    new = {item["name"]: item for item in after or []}
    lines: list[str] = []
    for key in sorted(old.keys() | new.keys()):
        if key not in old:
            lines.append(f"+ {entry(new[key])}")
        elif key not in new:
            lines.append(f"- {entry(old[key])}")
        else:
            for field in entry_fields(name):
                a, b = old[key].get(field), new[key].get(field)
                if a is not None and b is not None and a != b:
                    shown = (f"{plain(a)} → {plain(b)} MiB") if field == "size_mib" else f"{plain(a)} → {plain(b)}"
                    lines.append(f"~ {key} {field}: {shown}")
    return lines


def fill_lines(name: str, before: list[dict] | None, after: list[dict] | None) -> list[str]:
    """``+ fill net0 mac BC:24:11:00:00:01``: one line per blank field that a fill sets."""
    old = {item["name"]: item for item in before or []}
    lines = []
    for item in after or []:
        for field in entry_fields(name):
            if old.get(item["name"], {}).get(field) is None and item.get(field) is not None:
                lines.append(f"+ fill {item['name']} {field} {plain(item[field])}")
    return lines


def is_keyed_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) and "name" in item for item in value)


def before_after(change: Change, prop: PropertyChange) -> tuple[Any, Any]:
    """The target's current value and the value it gets (the plan's ``after``), for a written property."""
    target = prop.direction.target
    assert target is not None
    return getattr(prop, target.value), prop.after


def flow(direction: Direction) -> str:
    """``(NetBox → Proxmox VE)``."""
    target = direction.target
    assert target is not None
    return f"({target.other.label} → {target.label})"


def property_lines(change: Change, prop: PropertyChange) -> list[str]:
    """The lines one property takes: a headline and, for keyed lists, one line per differing entry."""
    if prop.notify:  # what netmox would do, marked as only reported
        lines = property_lines(change, prop.model_copy(update={"notify": False}))
        return [f"{lines[0]} — notify only, not applied", *lines[1:]]
    if prop.direction is Direction.SKIP:
        both = f"{Side.NETBOX.label} {one(prop.name, prop.netbox)}, {Side.PROXMOX.label} {one(prop.name, prop.proxmox)}"
        word = "conflict" if change.action is Action.CONFLICT else "skipped"  # refused by the target, or not chosen
        return [f"{prop.name}: {both} — {word}: {prop.reason or 'no direction chosen'}"]
    before, after = before_after(change, prop)
    if prop.fill:
        # A gap filled: NetBox's blanks get Proxmox VE's values (``+ fill net0 mac BC:24:11:…``).
        if not isinstance(after, list):
            return [f"{prop.name}: + fill {one(prop.name, after)}"]
        return [f"{prop.name}: {line}" for line in fill_lines(prop.name, before, after)]
    if change.action is Action.CREATE or (before is None and not is_keyed_list(after)):
        if is_keyed_list(after):
            return [f"{prop.name}: {flow(prop.direction)}", *(f"  + {entry(item)}" for item in after)]
        return [f"{prop.name}: {one(prop.name, after)} {flow(prop.direction)}"]
    if is_keyed_list(before) or is_keyed_list(after):
        details = entry_differences(prop.name, before, after)
        return [f"{prop.name}: {flow(prop.direction)}", *(f"  {line}" for line in details)]
    return [f"{prop.name}: {pair(prop.name, before, after)} {flow(prop.direction)}"]
