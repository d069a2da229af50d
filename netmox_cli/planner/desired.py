"""What the target-side object should become when a change is applied.

The engine calls this at apply time with both sides' objects freshly re-read, so the values written
are the source side's current values (the basis check has already refused anything that changed),
converted to the target's vocabulary by the registry.
"""

from __future__ import annotations

from netmox_cli.model.plan import Action, Change, Direction
from netmox_cli.model.state import Guest, Node, ObjectKind, Side
from netmox_cli.planner.registry import REGISTRY


def write_fields(change: Change) -> list[str]:
    """Names of the properties an update writes to its target (``WriteRequest.fields``)."""
    if change.target is None:
        return []
    return [p.name for p in change.properties if p.direction.target is change.target]


def desired_object(change: Change, netbox: Node | Guest | None, proxmox: Node | Guest | None) -> Node | Guest | None:
    """The target object after ``change``: None for a delete; raises for changes that write nothing."""
    if change.action is Action.DELETE:
        return None
    if change.action not in (Action.CREATE, Action.UPDATE) or change.target is None:
        raise ValueError(f"{change.id}: a {change.action.value} change writes nothing")
    target = change.target
    source, current = (netbox, proxmox) if target is Side.PROXMOX else (proxmox, netbox)
    if source is None:
        raise ValueError(f"{change.id}: {target.other.label} no longer has the object")
    if change.action is Action.UPDATE:
        if current is None:
            raise ValueError(f"{change.id}: {target.label} no longer has the object")
        return _updated(change, source, current, target)
    return _created(change, source, target)


def _updated(change: Change, source: Node | Guest, current: Node | Guest, target: Side) -> Node | Guest:
    obj = current.model_copy(deep=True)
    for planned in change.properties:
        if planned.direction.target is not target:
            continue
        prop = REGISTRY.get(planned.name, change.kind)
        if planned.after is not None:
            value = planned.after
        else:
            value = prop.convert(prop.read(source), target, current=prop.read(current), kind=change.kind)
        prop.assign(obj, value)
    return obj


def _created(change: Change, source: Node | Guest, target: Side) -> Node | Guest:
    """The source object in the target's vocabulary, holding only what the target can hold."""
    skipped = {p.name for p in change.properties if p.direction is Direction.SKIP}
    after = {p.name: p.after for p in change.properties if p.after is not None}
    if isinstance(source, Node):
        obj: Node | Guest = Node(name=source.name)
    else:
        obj = Guest(vmid=source.vmid, kind=source.kind)
    for prop in REGISTRY.for_kind(change.kind if change.kind is ObjectKind.NODE else ObjectKind(source.kind)):
        if prop.name in skipped:
            continue
        value = after.get(prop.name)
        if value is None:
            value = prop.convert(prop.read(source), target, kind=change.kind)
        prop.assign(obj, value)
    return obj
