"""The typed changeset: what `netmox plan` decides and `netmox apply` carries out.

A plan is plain data. Every change names the object (connection, kind, key), *why* it is in the plan
(``issue``), *what* would happen (``action`` on ``target``), every property difference with its
chosen direction, and a ``basis``: the fingerprint of both sides' state of the object when the plan
was made, so that applying a saved plan can refuse objects that changed since.

The human view, the JSON output and the Markdown summary are all drawn from this one type.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from netmox_cli.model.state import ObjectKind, Side

FORMAT_VERSION = 4  # 4: the notify action (changes, properties, summary); 3: the summary counts objects
# What Proxmox VE generates for a guest documented without it: NIC MACs, the storage a disk landed on;
# NetBox cannot know these until they are written back. "cpu" (the CPU model, kvm64 unless set) is a gap
# too, but filled only when asked for: it is a choice someone may document, not a generated value, and
# filling it by default would write every QEMU VM once on the first plan after an upgrade.
DEFAULT_FILL_GAPS = ("interfaces.mac", "disks.storage")


class Issue(StrEnum):
    """How the two sides disagree about one object."""

    IN_SYNC = "in-sync"
    NETBOX_ONLY = "netbox-only"
    PROXMOX_ONLY = "proxmox-only"
    MISMATCH = "mismatch"


class Action(StrEnum):
    """What applying the change does on its target."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    IGNORE = "ignore"  # nothing happens; ``reason`` says why (policy, would delete, cannot apply)
    CONFLICT = "conflict"  # the target would reject it; ``reason`` says why
    MANUAL = "manual"  # netmox cannot do it through the API (e.g. install a Proxmox VE node)
    NOTIFY = "notify"  # reported to a person (NetBox journal, [notify] url), not applied; ``reason`` says
    # what netmox would do; ``target`` is the side it would write, if any

    @property
    def writes(self) -> bool:
        return self in (Action.CREATE, Action.UPDATE, Action.DELETE)


class Direction(StrEnum):
    NETBOX_TO_PROXMOX = "netbox->proxmox"
    PROXMOX_TO_NETBOX = "proxmox->netbox"
    SKIP = "skip"

    @property
    def target(self) -> Side | None:
        if self is Direction.NETBOX_TO_PROXMOX:
            return Side.PROXMOX
        if self is Direction.PROXMOX_TO_NETBOX:
            return Side.NETBOX
        return None

    @classmethod
    def towards(cls, target: Side) -> Direction:
        return cls.NETBOX_TO_PROXMOX if target is Side.PROXMOX else cls.PROXMOX_TO_NETBOX


NOTIFY: Literal["notify"] = "notify"
PropertyRule = Direction | Literal["notify"]
"""What ``policy.properties`` may set for one property: a direction, ``skip``, or ``notify``."""


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PropertyChange(_Data):
    """One property of one object: both sides' values (JSON form) and where the value goes."""

    name: str
    netbox: Any = None
    proxmox: Any = None
    direction: Direction
    reason: str | None = Field(default=None, description="Why the property is skipped, when it is.")
    after: Any = Field(
        default=None,
        description="Exactly the value written to the target (the source value in the target's vocabulary: "
        "tags lowercased for Proxmox VE, statuses translated, NIC and disk entries merged over the target's; a "
        "duplicate NetBox name made unique as '<name>-<vmid>'); null when the property is skipped.",
    )
    fill: bool = Field(
        default=False,
        description="A gap filled: NetBox left blank what Proxmox VE has (a generated MAC); written to NetBox "
        "whatever the preference (policy.fill_gaps), after = NetBox's entries with the blanks filled.",
    )
    notify: bool = Field(
        default=False,
        description="Reported, not applied (policy action notify): direction and after say what netmox would "
        "do; carried by the object's notify change.",
    )


class Change(_Data):
    """One object's entry in the plan, for one target.

    An object whose properties go both ways appears twice (one change per target), and properties
    that are skipped are carried by an ``ignore`` change of the same object (the views draw them as
    one block per object; ``object_key`` groups them).
    """

    id: str = Field(description="Stable identifier: connection/kind/key#target-or-action.")
    connection: str
    kind: ObjectKind
    key: str = Field(description="Node name, or the guest's VMID as a string.")
    name: str | None = None
    node: str | None = Field(default=None, description="The node the guest is on (or goes to).")
    issue: Issue
    action: Action
    target: Side | None = None
    properties: list[PropertyChange] = Field(default_factory=list)
    reason: str | None = None
    basis: str = Field(description="Fingerprint of both sides' state of the object at plan time.")

    @property
    def object_key(self) -> tuple[str, ObjectKind, str]:
        """The object this change belongs to: every change of one object shares it."""
        return (self.connection, self.kind, self.key)

    @property
    def ref(self) -> str:
        """How the object is named in messages: ``connection/key``."""
        return f"{self.connection}/{self.key}"


class ConnectionInfo(_Data):
    """A connection as the plan records it: names, addresses and identities, never credentials."""

    name: str
    cluster: str | None = None
    netbox: str = Field(description="Where the NetBox side came from (URL or file).")
    proxmox: str = Field(description="Where the Proxmox VE side came from (host or file).")
    netbox_identity: str | None = Field(
        default=None,
        description="What the NetBox side was (URL and cluster id, or a file's path); a saved plan "
        "is applied only where this still holds.",
    )
    proxmox_identity: str | None = Field(
        default=None, description="What the Proxmox VE side was (cluster name and host, or a file's path)."
    )
    error: str | None = Field(default=None, description="Set when this connection could not be planned.")


class TargetCounts(_Data):
    """Objects created, updated and deleted on one side (an object written both ways counts on each)."""

    create: int = 0
    update: int = 0
    delete: int = 0


class Summary(_Data):
    """Counts of objects (not of changes): what the text view's one block per object adds up to."""

    netbox: TargetCounts = Field(default_factory=TargetCounts)
    proxmox: TargetCounts = Field(default_factory=TargetCounts)
    ignored: int = Field(
        default=0,
        description="Objects nothing happens to, only ignored (an object written with some properties skipped "
        "counts as written, not here).",
    )
    conflicts: int = Field(default=0, description="Objects with a conflict, whole or in some property.")
    manual: int = Field(default=0, description="Objects that need a manual action.")
    notify: int = Field(default=0, description="Objects with a difference to report, not apply (policy: notify).")
    in_sync: int = 0
    changes: bool = Field(default=False, description="True when apply would write or notify anything.")


class Policy(_Data):
    """The policy the plan was made with: it explains a saved plan, and applying one re-plans with it."""

    prefer: Side | None = None
    allow_delete: bool = False
    allow_stop: bool = False
    shutdown_timeout: int = 120
    rename_duplicates: bool = False
    max_deletes: int = 10
    delete_after: int = Field(default=0, description="Orphan grace period in seconds.")
    matrix: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="The resolved action of every kind and issue (for reading)."
    )
    overrides: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="The policy.matrix cells that were set explicitly (for re-planning)."
    )
    properties: dict[str, PropertyRule] = Field(default_factory=dict)
    fill_gaps: list[str] = Field(
        default_factory=lambda: list(DEFAULT_FILL_GAPS),
        description="The gaps ('<property>.<field>', or '<property>' for a plain value) filled into NetBox "
        "whatever the preference.",
    )


class Plan(_Data):
    format_version: int = FORMAT_VERSION
    netmox_version: str
    created: datetime = Field(default_factory=lambda: datetime.now(UTC))
    policy: Policy = Field(default_factory=Policy)
    connections: list[ConnectionInfo] = Field(default_factory=list)
    summary: Summary = Field(default_factory=Summary)
    changes: list[Change] = Field(default_factory=list)

    def summarize(self) -> Plan:
        """Recompute ``summary`` from ``changes`` (the summary is never edited by hand).

        Counts objects: one object's changes (one per target, plus its skipped and conflicting
        properties) are counted once per side it writes, once if it has a conflict or a manual action,
        and as ignored only when nothing else happens to it.
        """
        summary = Summary(in_sync=self.summary.in_sync)
        objects: dict[tuple[str, ObjectKind, str], list[Change]] = {}
        for change in self.changes:
            objects.setdefault(change.object_key, []).append(change)
        for changes in objects.values():
            written = {(c.target, c.action) for c in changes if c.action.writes and c.target is not None}
            for target, action in written:
                counts = summary.netbox if target is Side.NETBOX else summary.proxmox
                setattr(counts, action.value, getattr(counts, action.value) + 1)
            actions = {c.action for c in changes}
            summary.conflicts += int(Action.CONFLICT in actions)
            summary.manual += int(Action.MANUAL in actions)
            summary.notify += int(Action.NOTIFY in actions)
            summary.ignored += int(actions == {Action.IGNORE})
        summary.changes = any(c.action.writes or c.action is Action.NOTIFY for c in self.changes)
        self.summary = summary
        return self
