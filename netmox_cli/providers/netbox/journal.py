"""The text of the NetBox journal entry netmox writes with each change, so the audit trail shows inside NetBox:
"netmox run 42: memory 2048 → 4096 MiB, from Proxmox VE"."""

from __future__ import annotations

from typing import Any

from netmox_cli.model.state import Disk, Guest, Interface, Node
from netmox_cli.planner.registry import REGISTRY
from netmox_cli.providers.base import WriteRequest


def _show(value: Any) -> str:
    if value is None or value == []:
        return "none"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(_show_item(v) for v in value)
    return str(value)


def _show_item(item: Any) -> str:
    if isinstance(item, Interface):
        parts = [item.name, item.mac or "", *(item.ips or [])]
        return " ".join(p for p in parts if p)
    if isinstance(item, Disk):
        size = f"{item.size_mib} MiB" if item.size_mib is not None else ""
        return " ".join(p for p in (item.name, size, item.storage or "") if p)
    return str(item)


def property_change(name: str, before: Any, after: Any) -> str:
    """``memory 2048 → 4096 MiB``; lists (tags, disks, interfaces) are shown item by item."""
    prop = REGISTRY.named(name)
    unit = f" {prop.unit}" if prop is not None and prop.unit else ""
    return f"{name} {_show(before)} → {_show(after)}{unit}"


def journal_text(request: WriteRequest) -> str:
    context = request.context
    prefix = f"netmox run {context.run_id}" if context.run_id is not None else "netmox"
    source = f", from {context.source_label}" if context.source_label else ""
    if request.action == "create":
        return f"{prefix}: created{source}"
    if request.action == "delete":
        return f"{prefix}: deleted{source}"
    current, desired = request.current, request.desired
    parts = []
    for name in request.fields:
        before, after = _value(current, name), _value(desired, name)
        if before != after:
            parts.append(property_change(name, before, after))
    return f"{prefix}: {'; '.join(parts) or 'updated'}{source}"


def _value(obj: Node | Guest | None, name: str) -> Any:
    prop = REGISTRY.named(name)
    return getattr(obj, prop.attribute if prop is not None else name, None) if obj is not None else None
