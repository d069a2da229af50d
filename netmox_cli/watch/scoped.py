"""Planning a scope: read only its guests, plan, keep the scope's changes — or, when the answer could depend
on objects outside the scope, read everything and keep the scope's changes of the full plan.

The planner judges some changes against the whole cluster: a delete against the other side's whole
listing (an empty side never deletes, ``max_deletes``, the orphan grace), a NetBox name against every
VM name in the cluster, a node against every VM on it. A scoped read cannot see those, so a scoped plan
is trusted only when every change of the scope is one it decides from the scope alone: updates of a
guest both sides have (not its name) and creates on Proxmox VE. Anything else — a one-sided guest that
is not simply created on Proxmox VE (a deleted NetBox VM among them), a rename, a node — is planned from
a full read. Either way the result is the full plan restricted to the scope (tests/integration/
test_watch_scoped.py compares them), so watching never deletes what ``netmox apply`` would not.
"""

from __future__ import annotations

from dataclasses import dataclass

from netmox_cli.config.schema import NetmoxConfig, PolicyConfig
from netmox_cli.engine.planning import OrphanLedger, plan_snapshots, preflight
from netmox_cli.engine.session import ConnectionSnapshot, Providers, connection_info, take_snapshots
from netmox_cli.errors import NetmoxError
from netmox_cli.model.plan import Action, Change, Issue, Plan
from netmox_cli.model.scope import Scope
from netmox_cli.model.state import Side


@dataclass
class ScopedPlan:
    plan: Plan
    snapshots: list[ConnectionSnapshot]
    full_read: str | None  # why the plan came from a full read; None when the scoped read sufficed


def read_scope(config: NetmoxConfig, name: str, providers: Providers, scope: Scope) -> ConnectionSnapshot:
    """Both sides' scoped reads of one connection, or the error that prevented them."""
    info = connection_info(config, name, providers)
    snapshot = ConnectionSnapshot(name=name, info=info)
    try:
        snapshot.netbox = providers.netbox.read_guests(scope.vmids)
        snapshot.proxmox = providers.proxmox.read_guests(scope.vmids)
        snapshot.info = info.model_copy(
            update={"netbox_identity": snapshot.netbox.identity, "proxmox_identity": snapshot.proxmox.identity}
        )
    except NetmoxError as error:
        snapshot.error = error
        snapshot.info = info.model_copy(update={"error": f"{name}: {error.one_line()}"})
    return snapshot


def restrict(plan: Plan, scope: Scope) -> Plan:
    """The plan's changes about the scope's objects only."""
    changes = [change for change in plan.changes if scope.holds(change)]
    return plan.model_copy(update={"changes": changes}).summarize()


def needs_full_read(changes: list[Change], scope: Scope) -> str | None:
    """Why the scope's changes cannot be trusted from a scoped read (see the module docstring), or None."""
    if scope.nodes:
        return "a node is judged against every guest on it"
    for change in changes:
        if change.issue is not Issue.MISMATCH and not (
            change.action is Action.CREATE and change.target is Side.PROXMOX
        ):
            return f"{change.ref} is on one side only and is not simply created on Proxmox VE"
        if any(prop.name == "name" for prop in change.properties):
            return f"{change.ref}: a name is judged against every name in the cluster"
    return None


def plan_scope(
    config: NetmoxConfig,
    name: str,
    providers: Providers,
    scope: Scope,
    policy: PolicyConfig,
    orphans: OrphanLedger | None,
) -> ScopedPlan:
    """The full plan of connection ``name`` restricted to ``scope``, read as cheaply as that allows."""
    full_read = needs_full_read([], scope)
    if full_read is None:
        snapshot = read_scope(config, name, providers, scope)
        if snapshot.error is not None:  # the plan carries the connection's error; nothing is applied
            return ScopedPlan(plan_snapshots([snapshot], policy), [snapshot], None)
        plan = restrict(plan_snapshots([snapshot], policy), scope)  # no orphan ledger: this is a partial view
        full_read = needs_full_read(plan.changes, scope)
        if full_read is None:
            return ScopedPlan(preflight(plan, {name: providers}, [snapshot], policy), [snapshot], None)
    snapshots = take_snapshots(config, {name: providers})
    full = restrict(plan_snapshots(snapshots, policy, orphans=orphans), scope)
    return ScopedPlan(preflight(full, {name: providers}, snapshots, policy), snapshots, full_read)
