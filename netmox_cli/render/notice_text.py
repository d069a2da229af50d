"""What a ``notify`` difference says to a person (the NetBox journal entry): what differs, what netmox would do.

Drawn only from the plan's change, like the other views: ``memory: NetBox 4096 MiB, Proxmox VE 2048 MiB;
netmox would write 4096 MiB to Proxmox VE``.
"""

from __future__ import annotations

from netmox_cli.model.plan import Change, PropertyChange
from netmox_cli.model.state import Side
from netmox_cli.render.safe import safe
from netmox_cli.render.values import one

HEADLINE = "not applied (policy: notify)"


def would(prop: PropertyChange) -> str:
    """What netmox would do about one property, were it not only notifying."""
    target = prop.direction.target
    if target is None:
        return f"netmox would skip it ({prop.reason or 'no direction chosen'})"
    return f"netmox would write {one(prop.name, prop.after)} to {target.label}"


def property_notice(prop: PropertyChange) -> str:
    both = f"{Side.NETBOX.label} {one(prop.name, prop.netbox)}, {Side.PROXMOX.label} {one(prop.name, prop.proxmox)}"
    return f"{prop.name}: {both}; {would(prop)}"


def notice_text(change: Change, run_id: int | None) -> str:
    """The journal entry for one object's notify change (its properties: the ones reported now)."""
    prefix = f"netmox run {run_id}" if run_id is not None else "netmox"
    if not change.properties:  # an object only one side has: the reason names what netmox would do
        where = "NetBox" if change.issue.value == "netbox-only" else "Proxmox VE"
        return safe(f"{prefix}: {HEADLINE}: only in {where}; {change.reason or ''}".rstrip("; "))
    lines = [f"{prefix}: differs between NetBox and Proxmox VE, {HEADLINE}:"]
    lines += [f"- {property_notice(prop)}" for prop in change.properties]
    return "\n".join(safe(line) for line in lines)
