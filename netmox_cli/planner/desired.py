"""What the target-side object should become when a change is applied.

The values written are exactly the plan's ``PropertyChange.after``: the value the plan showed, the
confirmation listed and the history records. Nothing here recomputes them; the engine has already
re-derived the plan from fresh reads and refused every object whose state moved since.
"""

from __future__ import annotations

from netmox_cli.model.plan import Action, Change
from netmox_cli.model.state import Guest, Node, Side
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
        if planned.direction.target is target:
            REGISTRY.get(planned.name, change.kind).assign(obj, planned.after)
    return obj


def _created(change: Change, source: Node | Guest, target: Side) -> Node | Guest:
    """A new object holding exactly the plan's written values (skipped properties stay unset)."""
    if isinstance(source, Node):
        obj: Node | Guest = Node(name=source.name)
    else:
        obj = Guest(vmid=source.vmid, kind=source.kind)
    for planned in change.properties:
        if planned.direction.target is target:
            REGISTRY.get(planned.name, change.kind).assign(obj, planned.after)
    return obj
