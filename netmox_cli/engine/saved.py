"""Applying a saved plan: re-derive it from fresh reads and keep only what the file and netmox agree on.

A plan file is a request, not an instruction. ``apply PLAN.json`` re-reads both sides and plans again
with the plan's recorded policy (bounded by the config's limits now); a saved change is applied only
when the re-derived one is identical — action, target, every property with its direction and written
value, and the basis. Everything else in the file is refused with a reason, and changes that appear
only in the re-derived plan are not applied (they were never shown). A connection whose identity
(NetBox URL and cluster id, Proxmox VE cluster and host, a file's path) differs from the plan's is
refused whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from netmox_cli.engine.session import ConnectionSnapshot
from netmox_cli.model.fingerprint import fingerprint
from netmox_cli.model.plan import Change, ConnectionInfo, Plan
from netmox_cli.model.state import Side
from netmox_cli.planner import find_object
from netmox_cli.redact import REDACTOR

RUN_PLAN_AGAIN = "run netmox plan again"


@dataclass(frozen=True)
class Refusal:
    """A saved change that is not applied, and why; ``stale`` when its object changed since the plan."""

    change: Change
    reason: str
    stale: bool = False


@dataclass
class Rederived:
    """The saved plan reduced to what is still true, plus every refusal."""

    plan: Plan
    refused: list[Refusal] = field(default_factory=list)


def rederive(saved: Plan, fresh: Plan, basis_now: Callable[[Change], str]) -> Rederived:
    """The changes of ``saved`` that ``fresh`` (planned now, with the saved policy) derives identically.

    ``basis_now`` fingerprints a change's object as it is now, so that an object that moved is called
    stale rather than tampered with.
    """
    fresh_infos = {info.name: info for info in fresh.connections}
    moved = {
        info.name: reason
        for info in saved.connections
        if (reason := _identity_moved(info, fresh_infos.get(info.name))) is not None
    }
    fresh_changes = {change.id: change for change in fresh.changes}
    by_object: dict[tuple[str, str, str], Change] = {}
    for change in fresh.changes:
        by_object.setdefault((change.connection, change.kind.value, change.key), change)
    accepted: list[Change] = []
    refused: list[Refusal] = []
    for change in saved.changes:
        if change.connection in moved:
            if change.action.writes:
                refused.append(Refusal(change, moved[change.connection]))
            continue
        now = fresh_changes.get(change.id) or by_object.get((change.connection, change.kind.value, change.key))
        if now is not None and _as_saved(now) == change:
            accepted.append(now)
        elif change.action.writes and basis_now(change) != change.basis:
            refused.append(
                Refusal(change, f"stale: {change.ref} changed since the plan was made; {RUN_PLAN_AGAIN}", True)
            )
        elif change.action.writes:
            refused.append(Refusal(change, "refused: " + _difference(change, _as_saved(now) if now else None)))
    connections = [fresh_infos.get(info.name, info) for info in saved.connections]
    plan = fresh.model_copy(update={"changes": accepted, "connections": connections}).summarize()
    return Rederived(plan, refused)


def basis_now(snapshots: list[ConnectionSnapshot]) -> Callable[[Change], str]:
    """The fingerprint a change's object has in ``snapshots`` (to tell stale from tampered)."""
    by_name = {snapshot.name: snapshot for snapshot in snapshots}

    def of(change: Change) -> str:
        snapshot = by_name.get(change.connection)
        if snapshot is None or snapshot.error is not None:
            return change.basis  # the executor reports the connection's error
        return fingerprint(
            find_object(snapshot.state(Side.NETBOX), change.kind, change.key),
            find_object(snapshot.state(Side.PROXMOX), change.kind, change.key),
        )

    return of


def _as_saved(change: Change) -> Change:
    """``change`` as a plan file holds it: with every configured secret masked (plan files are redacted)."""
    return Change.model_validate(REDACTOR.redact_value(change.model_dump(mode="json")))


def _identity_moved(saved: ConnectionInfo, fresh: ConnectionInfo | None) -> str | None:
    if fresh is None:
        return f"connection {saved.name} is not in the config any more; {RUN_PLAN_AGAIN}"
    if fresh.error:
        return None  # the executor reports the connection's error for each of its changes
    for label, before, after in (
        ("NetBox", saved.netbox_identity, fresh.netbox_identity),
        ("Proxmox VE", saved.proxmox_identity, fresh.proxmox_identity),
    ):
        if before != after:
            return (
                f"the plan was made against {before or f'an unidentified {label}'}, but connection {saved.name} "
                f"now reads {after or f'an unidentified {label}'}; {RUN_PLAN_AGAIN} against this target"
            )
    return None


def _difference(saved: Change, now: Change | None) -> str:
    """Why a saved change is not what netmox plans now, in the words a reviewer needs."""
    asked = f"{saved.action.value}{f' on {saved.target.label}' if saved.target else ''}"
    if now is None:
        return f"the plan file asks for {asked}, netmox plans nothing of the kind now; {RUN_PLAN_AGAIN}"
    if now.basis != saved.basis:
        return f"the plan file's basis for {saved.ref} is not the object's; {RUN_PLAN_AGAIN}"
    planned = f"{now.action.value}{f' on {now.target.label}' if now.target else ''}"
    if (now.action, now.target) != (saved.action, saved.target):
        because = f" ({now.reason})" if now.reason else ""
        return f"the plan file asks for {asked}, netmox plans {planned} now{because}"
    ours = {p.name: p for p in now.properties}
    for prop in saved.properties:
        mine = ours.get(prop.name)
        if mine is None:
            return f"the plan file writes {prop.name}, netmox does not plan to now"
        if mine != prop:
            return (
                f"the plan file's {prop.name} ({prop.direction.value}, writes {prop.after!r}) differs from what "
                f"netmox plans now ({mine.direction.value}, writes {mine.after!r})"
            )
    missing = sorted(set(ours) - {p.name for p in saved.properties})
    if missing:
        return f"the plan file leaves out {', '.join(missing)}, which netmox plans to write now"
    return f"the plan file's entry differs from what netmox plans now; {RUN_PLAN_AGAIN}"
