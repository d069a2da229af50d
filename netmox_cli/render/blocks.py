"""One block per object: a plan's changes grouped by the object they belong to, for the views.

The plan (the JSON contract) keeps one change per target, plus an ``ignore`` change for an object's
skipped properties and a ``conflict`` change for the ones its target would refuse. A person reads
objects: this module groups those changes by ``(connection, kind, key)`` so that the text and Markdown
views draw each object once — its header with the most significant action, then every property with
its direction, skip reason or conflict. Drawn only from the ``Plan`` type.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from netmox_cli.model.plan import Action, Change, PropertyChange
from netmox_cli.model.state import ObjectKind, Side

# The block's symbol is its most significant action: what apply does to the object first (terraform's
# symbol), then what keeps it from being done.
SIGNIFICANCE = (
    Action.DELETE,
    Action.CREATE,
    Action.UPDATE,
    Action.CONFLICT,
    Action.NOTIFY,
    Action.MANUAL,
    Action.IGNORE,
)


@dataclass(frozen=True)
class Block:
    """Every change of one object, in plan order (writes per target, then conflicts, then skips)."""

    changes: tuple[Change, ...]

    @property
    def head(self) -> Change:
        """The change that names the object (all of them agree on connection, kind, key, name and node)."""
        return self.changes[0]

    @property
    def kind(self) -> ObjectKind:
        return self.head.kind

    @property
    def action(self) -> Action:
        present = {change.action for change in self.changes}
        return next(action for action in SIGNIFICANCE if action in present)

    @property
    def writes(self) -> list[Change]:
        return [change for change in self.changes if change.action.writes]

    @property
    def only(self) -> Change | None:
        """The object's single change, when it has just one (then the header reads as that change's)."""
        return self.changes[0] if len(self.changes) == 1 else None

    def properties(self) -> Iterable[tuple[Change, PropertyChange]]:
        """Each property with the change that carries it (its direction, skip or conflict)."""
        for change in self.changes:
            for prop in change.properties:
                yield change, prop


def blocks(changes: Iterable[Change]) -> list[Block]:
    """``changes`` grouped by object, objects in the order of their first change."""
    groups: dict[tuple[str, ObjectKind, str], list[Change]] = {}
    for change in changes:
        groups.setdefault(change.object_key, []).append(change)
    return [Block(tuple(group)) for group in groups.values()]


def sides(targets: Iterable[Side]) -> str:
    """``NetBox``, ``Proxmox VE`` or ``NetBox and Proxmox VE``."""
    present = set(targets)
    return " and ".join(side.label for side in Side if side in present)


def writes_verb(block: Block) -> str:
    """``update on NetBox and Proxmox VE``: every write of the object, one phrase per action."""
    phrases = []
    for action in SIGNIFICANCE:
        targets = [c.target for c in block.writes if c.action is action and c.target is not None]
        if targets:
            phrases.append(f"{action.value} on {sides(targets)}")
    return "; ".join(phrases)
