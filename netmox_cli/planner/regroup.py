"""Rebuilding a plan's mismatch entries after the user re-chose directions (`apply --interactive`).

The CLI edits ``PropertyChange.direction`` of mismatched objects (take the NetBox value, take the
Proxmox VE value, skip); ``regroup`` turns the edited properties back into the planner's shape: one
update per target, one ignore for the skipped. A choice that cannot be written becomes a skip with
its "cannot apply" reason, exactly as the planner would have decided.
"""

from __future__ import annotations

from netmox_cli.model.plan import Action, Change, Direction, Issue, PropertyChange
from netmox_cli.planner.drafts import Head, mismatch_changes, sort_key
from netmox_cli.planner.registry import REGISTRY

SKIPPED_BY_CHOICE = "skipped by choice"


def regroup(changes: list[Change]) -> list[Change]:
    """The plan changes with every mismatched object's update/ignore entries rebuilt from its properties."""
    groups: dict[tuple[str, str, str], list[Change]] = {}
    result: list[Change] = []
    for change in changes:
        if change.issue is Issue.MISMATCH and change.action in (Action.UPDATE, Action.IGNORE):
            groups.setdefault((change.connection, change.kind.value, change.key), []).append(change)
        else:
            result.append(change)
    for group in groups.values():
        properties = _rechecked(group)
        result.extend(mismatch_changes(Head.of(group[0]), properties, []))
    return sorted(result, key=sort_key)


def _rechecked(group: list[Change]) -> list[PropertyChange]:
    seen: dict[str, PropertyChange] = {}
    for change in group:
        for planned in change.properties:
            if planned.name not in seen:
                seen[planned.name] = _recheck(change, planned)
    return list(seen.values())


def _recheck(change: Change, planned: PropertyChange) -> PropertyChange:
    target = planned.direction.target
    if target is None:
        return planned.model_copy(update={"reason": planned.reason or SKIPPED_BY_CHOICE, "after": None, "fill": False})
    prop = REGISTRY.get(planned.name, change.kind)
    values = {"netbox": planned.netbox, "proxmox": planned.proxmox}
    reason = prop.cannot_write(values[target.other.value], target, current=values[target.value], kind=change.kind)
    if reason is not None:
        return planned.model_copy(update={"direction": Direction.SKIP, "reason": reason, "after": None, "fill": False})
    # The planner's value stands when the direction is unchanged (it may be a unique name, not the source's).
    # (A fill stays a fill only towards NetBox: turned round, it is an ordinary write.)
    if change.target is target and planned.after is not None:
        return planned.model_copy(update={"reason": None})
    after = prop.written(planned.netbox, planned.proxmox, target, change.kind)
    return planned.model_copy(update={"reason": None, "after": after, "fill": False})
