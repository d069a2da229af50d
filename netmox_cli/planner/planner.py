"""The planner: a pure function from both sides' state and a policy to plan changes.

Structural pass (pairing), property pass (the registry decides what differs), policy (which way
each difference goes), conflict pass (what the target would reject). No I/O: everything it needs
is in its arguments, so the same inputs always give the same plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from netmox_cli.config.schema import PolicyConfig
from netmox_cli.model.plan import (
    Action,
    Change,
    ConnectionInfo,
    Direction,
    Issue,
    Plan,
    Policy,
    PropertyChange,
    Summary,
)
from netmox_cli.model.state import ClusterState, Guest, Side
from netmox_cli.planner.conflicts import check_conflicts, duplicate_changes
from netmox_cli.planner.drafts import Draft, sort_key
from netmox_cli.planner.guards import OrphanKey, guard
from netmox_cli.planner.pairing import Pair, pair_all
from netmox_cli.planner.policy import ResolvedPolicy, resolve_policy
from netmox_cli.planner.registry import REGISTRY, Property


@dataclass
class ConnectionPlan:
    """The changes of one connection, and how many objects need none."""

    changes: list[Change] = field(default_factory=list)
    in_sync: int = 0


def plan_connection(
    connection: str,
    netbox: ClusterState,
    proxmox: ClusterState,
    policy: PolicyConfig | ResolvedPolicy,
    *,
    first_seen: Mapping[OrphanKey, datetime] | None = None,
    now: datetime | None = None,
) -> ConnectionPlan:
    """Compare one connection's two sides and decide, per object, what applying would do.

    ``first_seen``/``now`` feed the orphan grace (``policy.delete_after``): when each one-sided object
    was first seen so, and the time of this plan.
    """
    resolved = policy if isinstance(policy, ResolvedPolicy) else resolve_policy(policy)
    pairing = pair_all(netbox, proxmox)
    drafts = [draft_for(pair, resolved) for pair in pairing.pairs]
    check_conflicts(drafts, netbox, proxmox, resolved.rename_duplicates)
    changes = duplicate_changes(connection, pairing.duplicates)
    in_sync = 0
    for draft in drafts:
        if draft.in_sync:
            in_sync += 1
        else:
            changes.extend(draft.changes(connection))
    guarded = guard(
        changes,
        netbox,
        proxmox,
        max_deletes=resolved.max_deletes,
        delete_after=resolved.delete_after,
        first_seen=first_seen,
        now=now,
    )
    return ConnectionPlan(sorted(guarded, key=sort_key), in_sync)


def build_plan(
    connection_plans: dict[str, ConnectionPlan] | list[ConnectionPlan],
    connection_infos: list[ConnectionInfo],
    policy: Policy | ResolvedPolicy | PolicyConfig,
    netmox_version: str,
) -> Plan:
    """Assemble the plan of every connection, with its summary."""
    plans = list(connection_plans.values()) if isinstance(connection_plans, dict) else list(connection_plans)
    if isinstance(policy, PolicyConfig):
        policy = resolve_policy(policy)
    record = policy.record if isinstance(policy, ResolvedPolicy) else policy
    changes = sorted((c for p in plans for c in p.changes), key=sort_key)
    plan = Plan(
        netmox_version=netmox_version,
        policy=record,
        connections=connection_infos,
        summary=Summary(in_sync=sum(p.in_sync for p in plans)),
        changes=changes,
    )
    return plan.summarize()


def draft_for(pair: Pair, policy: ResolvedPolicy) -> Draft:
    """What should happen to one paired object, before conflicts are checked."""
    incomplete = next((g for g in (pair.proxmox, pair.netbox) if isinstance(g, Guest) and g.incomplete), None)
    if incomplete is not None:
        issue = (
            Issue.MISMATCH
            if pair.netbox is not None and pair.proxmox is not None
            else (Issue.NETBOX_ONLY if pair.netbox is not None else Issue.PROXMOX_ONLY)
        )
        reason = (
            incomplete.incomplete_reason
            or f"node {incomplete.node} is offline: the guest's configuration cannot be read"
        )
        return Draft(pair, issue, Action.IGNORE, None, reason)
    if pair.netbox is not None and pair.proxmox is not None:
        return Draft(pair, Issue.MISMATCH, Action.UPDATE, properties=differences(pair, policy))
    issue = Issue.NETBOX_ONLY if pair.netbox is not None else Issue.PROXMOX_ONLY
    decision = policy.decide(pair.kind, issue)
    properties: list[PropertyChange] = []
    if decision.action is Action.CREATE and decision.target is not None:
        properties = create_properties(pair, decision.target)
    return Draft(pair, issue, decision.action, decision.target, decision.reason, properties)


def differences(pair: Pair, policy: ResolvedPolicy) -> list[PropertyChange]:
    """Every property the two sides disagree on, with its direction (or why it is skipped)."""
    assert pair.netbox is not None and pair.proxmox is not None
    changes = []
    for prop in REGISTRY.for_kind(pair.kind):
        if getattr(pair.netbox, prop.attribute) == getattr(pair.proxmox, prop.attribute):
            continue  # identical stored values always agree; skips the JSON form for most properties
        values = {Side.NETBOX: prop.read(pair.netbox), Side.PROXMOX: prop.read(pair.proxmox)}
        if prop.equal(values[Side.NETBOX], values[Side.PROXMOX]):
            # Agreeing, but NetBox may leave blank what Proxmox VE has: a gap. A property whose direction
            # policy.properties sets to skip is not filled either.
            fields = () if policy.properties.get(prop.name) is Direction.SKIP else policy.gap_fields(prop.name)
            if (fill := gap_fill(prop, values[Side.NETBOX], values[Side.PROXMOX], fields)) is not None:
                changes.append(fill)
            continue
        direction, reason = policy.direction(pair.kind, prop.name)
        notify = policy.notifies(pair.kind, prop.name)  # reported with what netmox would do, not applied
        target = direction.target
        after = None
        # A value that is only NetBox's default documents nothing: pushed only when asked for (nor reported).
        default = prop.default_only(values[Side.NETBOX]) if target is Side.PROXMOX else None
        if default is not None and not policy.explicit(prop.name):
            direction, reason, target, notify = Direction.SKIP, default, None, False
        if target is not None:
            reason = prop.cannot_write(values[target.other], target, current=values[target], kind=pair.kind)
            if reason is not None:
                direction = Direction.SKIP
            else:
                after = prop.written(values[Side.NETBOX], values[Side.PROXMOX], target, pair.kind)
        changes.append(
            PropertyChange(
                name=prop.name,
                netbox=values[Side.NETBOX],
                proxmox=values[Side.PROXMOX],
                direction=direction,
                reason=reason,
                after=after,
                notify=notify,
            )
        )
    return changes


def gap_fill(prop: Property, netbox: Any, proxmox: Any, fields: tuple[str, ...]) -> PropertyChange | None:
    """A property both sides agree on where NetBox leaves blank what Proxmox VE has (a generated MAC):
    a fill towards NetBox, whatever the preference, for the entry ``fields`` (``policy.fill_gaps``).

    ``after`` is NetBox's own entries with the blanks filled, exactly what the write sets.
    """
    filled = prop.filled(netbox, proxmox, fields)
    if filled is None or prop.cannot_write(filled, Side.NETBOX, current=netbox) is not None:
        return None
    return PropertyChange(
        name=prop.name, netbox=netbox, proxmox=proxmox, direction=Direction.PROXMOX_TO_NETBOX, after=filled, fill=True
    )


def gap_fills(netbox: Guest, proxmox: Guest, fill_gaps: tuple[str, ...] | list[str]) -> list[PropertyChange]:
    """Every gap of one guest (after a create: the values Proxmox VE generated for it)."""
    fields = {p: tuple(f for q, _, f in (g.partition(".") for g in fill_gaps) if q == p) for p in REGISTRY.names()}
    found = []
    for prop in REGISTRY.for_kind(netbox.kind):
        if prop.gaps and (fill := gap_fill(prop, prop.read(netbox), prop.read(proxmox), fields[prop.name])):
            found.append(fill)
    return found


def create_properties(pair: Pair, target: Side) -> list[PropertyChange]:
    """Every property of an object to create, with the source value, towards the target."""
    source = pair.side(target.other)
    assert source is not None
    changes = []
    for prop in REGISTRY.for_kind(pair.kind):
        value = prop.read(source)
        reason = prop.cannot_write(value, target, kind=pair.kind, creating=True)
        values = {target.other: value, target: None}
        changes.append(
            PropertyChange(
                name=prop.name,
                netbox=values[Side.NETBOX],
                proxmox=values[Side.PROXMOX],
                direction=Direction.SKIP if reason else Direction.towards(target),
                reason=reason,
                after=None if reason else prop.written(values[Side.NETBOX], values[Side.PROXMOX], target, pair.kind),
            )
        )
    return changes
