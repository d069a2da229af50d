"""Plan entries under construction, and how one object's properties become plan changes.

The planner first makes one ``Draft`` per paired object (what should happen, with which property
differences), lets the conflict pass amend the drafts, then turns each draft into changes. The
grouping rule lives here so that the planner and ``regroup`` (interactive re-choice) agree: one
``update`` change per target for properties going that way, one ``ignore`` change for the skipped
ones, one ``conflict`` change for properties the target would reject, one ``notify`` change for the
ones reported instead of applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from netmox_cli.model.fingerprint import fingerprint
from netmox_cli.model.kinds import KINDS
from netmox_cli.model.plan import Action, Change, Direction, Issue, PropertyChange
from netmox_cli.model.state import Guest, ObjectKind, Side
from netmox_cli.planner.pairing import Pair

_SUFFIX_ORDER = {"netbox": 0, "proxmox": 1, "manual": 2, "conflict": 3, "notify": 4, "ignore": 5}


def change_id(connection: str, kind: ObjectKind, key: str, target: Side | None, action: Action) -> str:
    """``lab/qemu/101#proxmox``; a notify entry is ``#notify`` whatever side it would write."""
    suffix = target.value if target is not None and action is not Action.NOTIFY else action.value
    return f"{connection}/{kind.value}/{key}#{suffix}"


def sort_key(change: Change) -> tuple:
    """Connection, the kind's sort key (nodes before guests, guests by VMID), then a fixed order of the entries
    of one object."""
    suffix = change.id.rsplit("#", 1)[1]
    return (change.connection, KINDS[change.kind].sort_key(change.key), _SUFFIX_ORDER.get(suffix, 9), change.id)


@dataclass
class Head:
    """What every change of one object shares."""

    connection: str
    kind: ObjectKind
    key: str
    name: str | None
    node: str | None
    issue: Issue
    basis: str

    def change(
        self, action: Action, target: Side | None, properties: list[PropertyChange], reason: str | None
    ) -> Change:
        return Change(
            id=change_id(self.connection, self.kind, self.key, target, action),
            connection=self.connection,
            kind=self.kind,
            key=self.key,
            name=self.name,
            node=self.node,
            issue=self.issue,
            action=action,
            target=target,
            properties=properties,
            reason=reason,
            basis=self.basis,
        )

    @classmethod
    def of(cls, change: Change) -> Head:
        return cls(change.connection, change.kind, change.key, change.name, change.node, change.issue, change.basis)


NOTIFY_REASON = "reported, not applied (policy: notify); each property says what netmox would do"


def joined_reasons(properties: list[PropertyChange]) -> str | None:
    reasons = list(dict.fromkeys(p.reason for p in properties if p.reason))
    return "; ".join(reasons) if reasons else None


def mismatch_changes(head: Head, properties: list[PropertyChange], conflicted: list[PropertyChange]) -> list[Change]:
    """The changes of a mismatched object: one update per target, then the skipped and the conflicting."""
    changes = []
    applied = [p for p in properties if not p.notify]
    for target in Side:
        going = [p for p in applied if p.direction.target is target]
        if going:
            changes.append(head.change(Action.UPDATE, target, going, None))
    skipped = [p for p in applied if p.direction is Direction.SKIP]
    if skipped:
        changes.append(head.change(Action.IGNORE, None, skipped, joined_reasons(skipped)))
    if conflicted:
        changes.append(head.change(Action.CONFLICT, None, conflicted, joined_reasons(conflicted)))
    notified = [p for p in properties if p.notify]
    if notified:
        changes.append(head.change(Action.NOTIFY, None, notified, NOTIFY_REASON))
    return changes


@dataclass
class Draft:
    """What the planner intends for one paired object, before it becomes plan changes."""

    pair: Pair
    issue: Issue
    action: Action  # UPDATE for a mismatch (its properties say which way); else the object's action
    target: Side | None = None
    reason: str | None = None
    properties: list[PropertyChange] = field(default_factory=list)
    conflicted: list[PropertyChange] = field(default_factory=list)

    @property
    def guest_netbox(self) -> Guest | None:
        return self.pair.netbox if isinstance(self.pair.netbox, Guest) else None

    @property
    def guest_proxmox(self) -> Guest | None:
        return self.pair.proxmox if isinstance(self.pair.proxmox, Guest) else None

    def writes(self, target: Side, name: str) -> PropertyChange | None:
        """The property ``name`` if this draft writes it to ``target``."""
        if self.action in (Action.CREATE, Action.UPDATE) and (self.action is Action.UPDATE or self.target is target):
            going = (p for p in self.properties if p.name == name and p.direction.target is target and not p.notify)
            return next(going, None)
        return None

    def drop(self, name: str) -> None:
        self.properties = [p for p in self.properties if p.name != name]

    def conflict(self, reason: str) -> None:
        self.action, self.target, self.reason = Action.CONFLICT, None, reason

    def conflict_property(self, name: str, reason: str) -> None:
        for prop in [p for p in self.properties if p.name == name]:
            self.drop(name)
            self.conflicted.append(prop.model_copy(update={"direction": Direction.SKIP, "reason": reason}))

    @property
    def in_sync(self) -> bool:
        return (
            self.issue is Issue.MISMATCH and self.action is Action.UPDATE and not (self.properties or self.conflicted)
        )

    def head(self, connection: str) -> Head:
        nb, px = self.pair.netbox, self.pair.proxmox
        name = (nb.name if nb is not None else None) or (px.name if px is not None else None)
        node = KINDS[self.pair.kind].placement(self.pair.key, [px, nb])
        return Head(connection, self.pair.kind, self.pair.key, name, node, self.issue, fingerprint(nb, px))

    def changes(self, connection: str) -> list[Change]:
        head = self.head(connection)
        if self.issue is Issue.MISMATCH and self.action is Action.UPDATE:
            return mismatch_changes(head, self.properties, self.conflicted)
        return [head.change(self.action, self.target, self.properties, self.reason)]
