"""Guards against acting on a partial view: the last pass over one connection's changes.

A delete is only as trustworthy as the read that did not find the object. These rules turn deletes
(and creates that could collide with unseen guests) into conflicts or ignores, in this order:

1. a side that may not see everything (``ClusterState.blind_spot``): its absences prove nothing;
2. an empty side (no guests, while the other side has some): never a reason to delete the other's;
3. the orphan grace (``policy.delete_after``): a one-sided object is deleted only once it has been
   one-sided in every plan for that long;
4. the mass-change limit (``policy.max_deletes``): more deletes than that, and none of them happen.

Pure: the orphan sightings and the current time come in as arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from netmox_cli.model.kinds import KINDS, collections, kind_of
from netmox_cli.model.plan import Action, Change, Issue
from netmox_cli.model.state import ClusterState, Side

OrphanKey = tuple[str, str, str]  # (kind, key, side that still has the object)
BLIND_CONSEQUENCE = ": a guest it cannot see is not gone"


def orphan_key(change: Change) -> OrphanKey | None:
    """The sighting key of a one-sided object's change; None for objects both sides have."""
    if change.issue is Issue.NETBOX_ONLY:
        return (change.kind.value, change.key, Side.NETBOX.value)
    if change.issue is Issue.PROXMOX_ONLY:
        return (change.kind.value, change.key, Side.PROXMOX.value)
    return None


def one_sided(netbox: ClusterState, proxmox: ClusterState) -> set[OrphanKey]:
    """Every object only one side has, as sighting keys (the orphan clock runs for these)."""
    keys: set[OrphanKey] = set()
    for side, state, other in ((Side.NETBOX, netbox, proxmox), (Side.PROXMOX, proxmox, netbox)):
        for spec, *_ in collections().values():  # the kinds of one collection share its key space
            theirs = {spec.key_of(obj) for obj in spec.objects(other)}
            keys |= {
                (kind_of(obj).value, spec.key_of(obj), side.value)
                for obj in spec.objects(state)
                if spec.key_of(obj) not in theirs
            }
    return keys


def guard(
    changes: list[Change],
    netbox: ClusterState,
    proxmox: ClusterState,
    *,
    max_deletes: int,
    delete_after: int = 0,
    first_seen: Mapping[OrphanKey, datetime] | None = None,
    now: datetime | None = None,
) -> list[Change]:
    """``changes`` with every delete (or create) that a partial view could have caused held back."""
    states = {Side.NETBOX: netbox, Side.PROXMOX: proxmox}
    changes = [_blind(change, states) or change for change in changes]
    changes = [_empty(change, states) or change for change in changes]
    if delete_after > 0 and now is not None:
        changes = [_young(change, first_seen or {}, delete_after, now) or change for change in changes]
    return _limit(changes, max_deletes)


def _conflict(change: Change, reason: str) -> Change:
    return change.model_copy(update={"action": Action.CONFLICT, "reason": reason})


def _blind(change: Change, states: Mapping[Side, ClusterState]) -> Change | None:
    """A side that may not list every guest: a guest missing there may exist, and a VMID may be taken."""
    if not KINDS[change.kind].may_be_hidden or change.target is None:
        return None
    if change.action is Action.DELETE:
        blind = states[change.target.other].blind_spot  # the object is missing from the other side
        if blind:
            cause = blind.removesuffix(BLIND_CONSEQUENCE)
            return _conflict(change, f"not deleted on {change.target.label}: {cause}{BLIND_CONSEQUENCE}")
    if change.action is Action.CREATE:
        blind = states[change.target].blind_spot
        if blind:
            cause = blind.removesuffix(BLIND_CONSEQUENCE)
            return _conflict(
                change,
                f"not created on {change.target.label}: {cause}: VMID {change.key} may belong to a guest it cannot see",
            )
    return None


def _empty(change: Change, states: Mapping[Side, ClusterState]) -> Change | None:
    """An empty listing is far likelier a wrong cluster, token or proxy than a cluster that lost everything."""
    if change.action is not Action.DELETE or change.target is None:
        return None
    reader = states[change.target.other]  # the side that no longer lists the object
    holder = states[change.target]
    spec = KINDS[change.kind]
    empty, held, what = not spec.objects(reader), len(spec.objects(holder)), spec.collection
    if not empty or not held:
        return None
    return _conflict(
        change,
        f"not deleted on {change.target.label}: {change.target.other.label} lists no {what} while "
        f"{change.target.label} has {held}; an empty side never deletes the other's — check the connection",
    )


def _young(change: Change, first_seen: Mapping[OrphanKey, datetime], delete_after: int, now: datetime) -> Change | None:
    """An orphan still inside its grace period is ignored, with the date it becomes deletable."""
    key = orphan_key(change)
    if change.action is not Action.DELETE or key is None:
        return None
    since = first_seen.get(key, now)
    due = since + timedelta(seconds=delete_after)
    if now >= due:
        return None
    reason = (
        f"orphan since {since:%Y-%m-%d %H:%M} UTC, deleted after {due:%Y-%m-%d %H:%M} UTC "
        f"(policy.delete_after = {_duration(delete_after)})"
    )
    return change.model_copy(update={"action": Action.IGNORE, "reason": reason})


def _limit(changes: list[Change], max_deletes: int) -> list[Change]:
    """Past the limit no delete happens: a person looks at the plan first."""
    deletes = sum(1 for change in changes if change.action is Action.DELETE)
    if deletes <= max_deletes:
        return changes
    reason = (
        f"{deletes} deletes in one run exceed policy.max_deletes = {max_deletes}; review the plan, then raise "
        f"max_deletes or pass --max-deletes {deletes}"
    )
    return [_conflict(change, reason) if change.action is Action.DELETE else change for change in changes]


def _duration(seconds: int) -> str:
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
