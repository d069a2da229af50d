"""Policy resolution: which action each (object kind, issue) gets, and each property's direction.

Layers, each over the one before: ``prefer`` fills the whole matrix (no preferred side: everything is
ignored), ``policy.matrix`` overrides single cells, and ``policy.properties`` fixes the direction of
single properties of mismatched objects. Two rules sit on top: deletion is never implied (a delete
is ignored unless ``allow_delete``), and Proxmox VE nodes cannot be created or deleted through its
API (manual action).

``notify`` (a matrix cell or a property) reports a difference to a person instead of applying it. What
netmox *would* do is still decided — by the layers without that ``notify`` — so the report can say it.
"""

from __future__ import annotations

from dataclasses import dataclass

from netmox_cli.config.schema import PolicyConfig
from netmox_cli.errors import ConfigError
from netmox_cli.model.kinds import KINDS
from netmox_cli.model.plan import NOTIFY, Action, Direction, Issue, Policy, PropertyRule
from netmox_cli.model.state import ObjectKind, Side
from netmox_cli.planner.registry import REGISTRY

NO_PREFERENCE = "no preferred side: pass --prefer or set policy.prefer"
WOULD_DELETE = "would delete (enable with allow_delete / --allow-delete)"
MANUAL_NODE_CREATE = "manual action needed: install the node in Proxmox VE (netmox cannot create nodes)"
MANUAL_NODE_DELETE = "manual action needed: remove the node from Proxmox VE (netmox cannot delete nodes)"

DIFFERENCES = (Issue.NETBOX_ONLY, Issue.PROXMOX_ONLY, Issue.MISMATCH)
UPDATE = {Side.NETBOX: "update-netbox", Side.PROXMOX: "update-proxmox"}


@dataclass(frozen=True)
class Decision:
    """What happens to one object: the action, on which side, and why when nothing is written."""

    action: Action
    target: Side | None
    reason: str | None = None


@dataclass(frozen=True)
class Cell:
    action: str  # update-netbox | update-proxmox | ignore: what netmox does (with notify: would do)
    reason: str | None = None
    notify: bool = False  # report the difference to a person instead of applying it

    @property
    def recorded(self) -> str:
        return NOTIFY if self.notify else self.action


@dataclass(frozen=True)
class ResolvedPolicy:
    """A policy ready for the planner, plus the record the plan carries."""

    cells: dict[tuple[ObjectKind, Issue], Cell]
    properties: dict[str, PropertyRule]
    allow_delete: bool
    rename_duplicates: bool
    record: Policy
    max_deletes: int = 10
    delete_after: int = 0
    fill_gaps: tuple[str, ...] = ()

    def explicit(self, name: str) -> bool:
        """Whether ``policy.properties`` sets the direction of property ``name`` explicitly."""
        return self.properties.get(name, NOTIFY) != NOTIFY

    def notifies(self, kind: ObjectKind, name: str) -> bool:
        """Whether a difference in property ``name`` of a mismatched ``kind`` is reported, not applied."""
        if name in self.properties:
            return self.properties[name] == NOTIFY
        return self.cells[(kind, Issue.MISMATCH)].notify

    def gap_fields(self, name: str) -> tuple[str, ...]:
        """The entry fields of property ``name`` whose gaps are filled (``policy.fill_gaps``)."""
        return tuple(f for p, _, f in (gap.partition(".") for gap in self.fill_gaps) if p == name)

    def decide(self, kind: ObjectKind, issue: Issue) -> Decision:
        """The action for an object of ``kind`` with ``issue`` (not for in-sync objects)."""
        cell = self.cells[(kind, issue)]
        decision = self._decide(kind, issue, cell)
        if not cell.notify:
            return decision
        if decision.action.writes and decision.target is not None:
            would = f"{decision.action.value} it on {decision.target.label}"
            return Decision(Action.NOTIFY, decision.target, f"{notify_reason(kind, issue)}; netmox would {would}")
        return Decision(Action.NOTIFY, None, f"{notify_reason(kind, issue)}; netmox would not: {decision.reason}")

    def _decide(self, kind: ObjectKind, issue: Issue, cell: Cell) -> Decision:
        if cell.action == "ignore":
            return Decision(Action.IGNORE, None, cell.reason)
        target = Side.NETBOX if cell.action == "update-netbox" else Side.PROXMOX
        if issue is Issue.MISMATCH:
            return Decision(Action.UPDATE, target)
        holder = Side.NETBOX if issue is Issue.NETBOX_ONLY else Side.PROXMOX
        action = Action.DELETE if target is holder else Action.CREATE
        if action is Action.DELETE and not self.allow_delete:
            return Decision(Action.IGNORE, None, WOULD_DELETE)
        if target is Side.PROXMOX and not KINDS[kind].created_on_proxmox:
            return Decision(
                Action.MANUAL, target, MANUAL_NODE_CREATE if action is Action.CREATE else MANUAL_NODE_DELETE
            )
        return Decision(action, target)

    def direction(self, kind: ObjectKind, name: str) -> tuple[Direction, str | None]:
        """The direction of one differing property of a mismatched object, and why when skipped."""
        rule = self.properties.get(name, NOTIFY)
        if rule != NOTIFY:
            direction = Direction(rule)
            reason = f"policy: properties.{name} = skip" if direction is Direction.SKIP else None
            return direction, reason
        cell = self.cells[(kind, Issue.MISMATCH)]
        if cell.action == "ignore":
            return Direction.SKIP, cell.reason
        return Direction.towards(Side.NETBOX if cell.action == "update-netbox" else Side.PROXMOX), None


def resolve_policy(
    config: PolicyConfig | None = None,
    *,
    prefer: Side | None = None,
    allow_delete: bool | None = None,
) -> ResolvedPolicy:
    """Resolve ``[policy]`` plus command-line overrides (``--prefer``, ``--allow-delete``)."""
    config = config or PolicyConfig()
    overrides: dict[str, object] = {}
    if prefer is not None:
        overrides["prefer"] = prefer
    if allow_delete is not None:
        overrides["allow_delete"] = allow_delete
    if overrides:
        config = config.merged(PolicyConfig(**overrides))
    _check_properties(config)
    _check_fill_gaps(config)

    cells: dict[tuple[ObjectKind, Issue], Cell] = {}
    for kind in ObjectKind:
        for issue in DIFFERENCES:
            # The preferred side wins: the other one is updated.
            cell = Cell("ignore", NO_PREFERENCE) if config.prefer is None else Cell(UPDATE[config.prefer.other])
            override = config.matrix.get(kind.value, {}).get(issue.value)
            if override == NOTIFY:  # reported, and the report says what the cell would be without it
                cell = Cell(cell.action, cell.reason, notify=True)
            elif override is not None:
                reason = f"policy: matrix.{kind.value}.{issue.value} = ignore" if override == "ignore" else None
                cell = Cell(override, reason)
            cells[(kind, issue)] = cell
    scalars = ("prefer", "allow_delete", "allow_stop", "shutdown_timeout", "rename_duplicates")
    record = Policy(
        **config.model_dump(include={*scalars, "max_deletes", "delete_after"}),
        matrix={k.value: {i.value: cells[(k, i)].recorded for i in DIFFERENCES} for k in ObjectKind},
        overrides={kind: dict(cells_) for kind, cells_ in config.matrix.items()},
        properties=dict(config.properties),
        fill_gaps=list(config.fill_gaps),
    )
    return ResolvedPolicy(
        cells,
        dict(config.properties),
        config.allow_delete,
        config.rename_duplicates,
        record,
        max_deletes=config.max_deletes,
        delete_after=config.delete_after,
        fill_gaps=tuple(config.fill_gaps),
    )


def notify_reason(kind: ObjectKind, issue: Issue) -> str:
    return f"policy: matrix.{kind.value}.{issue.value} = notify"


def recorded_policy(record: Policy, limits: PolicyConfig) -> PolicyConfig:
    """The policy a saved plan was made with, bounded by the limits in force now.

    A plan file can ask for no more than the config allows at apply time: deletes only if both allow
    them, hard stops likewise, the smaller delete limit and the longer orphan grace.
    """
    return PolicyConfig(
        prefer=record.prefer,
        allow_delete=record.allow_delete and limits.allow_delete,
        allow_stop=record.allow_stop and limits.allow_stop,
        shutdown_timeout=record.shutdown_timeout,
        rename_duplicates=record.rename_duplicates,
        max_deletes=min(record.max_deletes, limits.max_deletes),
        delete_after=max(record.delete_after, limits.delete_after),
        matrix=record.overrides,  # type: ignore[arg-type]  # validated by PolicyConfig
        properties=record.properties,
        fill_gaps=record.fill_gaps,
    )


def _check_properties(config: PolicyConfig) -> None:
    unknown = sorted(set(config.properties) - REGISTRY.names())
    if unknown:
        raise ConfigError(
            f"policy.properties: unknown property {', '.join(repr(n) for n in unknown)}",
            hint=f"expected one of {', '.join(sorted(REGISTRY.names()))}",
        )


def fillable_gaps() -> list[str]:
    """Every '<property>.<field>' (or '<property>' for a plain value) a declaration marks as a gap NetBox may
    leave blank."""
    return sorted({f"{p.name}.{f}" if f else p.name for p in REGISTRY for f in p.gaps})


def _check_fill_gaps(config: PolicyConfig) -> None:
    unknown = [gap for gap in config.fill_gaps if gap not in fillable_gaps()]
    if unknown:
        raise ConfigError(
            f"policy.fill_gaps: {', '.join(repr(g) for g in unknown)} is not a gap netmox fills",
            hint=f"expected some of {', '.join(fillable_gaps())}, or [] to fill nothing",
        )
