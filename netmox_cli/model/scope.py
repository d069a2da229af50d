"""A scope: the few objects of one connection that a run reads and plans, instead of the whole cluster.

``netmox watch`` turns NetBox events into scopes. A scoped read holds every *node* of the cluster on each
side (a handful of rows, needed to judge placements) and only the *guests* whose VMID is in the scope;
the plan of a scoped read is then restricted to the scope (``watch/scoped.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from netmox_cli.model.plan import Change
from netmox_cli.model.state import ClusterState, ObjectKind


@dataclass(frozen=True)
class Scope:
    """Guests by VMID and nodes by name; an empty scope holds nothing."""

    vmids: frozenset[int] = field(default_factory=frozenset)
    nodes: frozenset[str] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return bool(self.vmids or self.nodes)

    def union(self, other: Scope) -> Scope:
        return Scope(self.vmids | other.vmids, self.nodes | other.nodes)

    def holds(self, change: Change) -> bool:
        """Whether a plan change is about an object of this scope."""
        if change.kind is ObjectKind.NODE:
            return change.key in self.nodes
        return change.key.isdigit() and int(change.key) in self.vmids

    def restrict(self, state: ClusterState) -> ClusterState:
        """``state`` with every node and only the scope's guests: what a scoped read returns."""
        return state.model_copy(update={"guests": [g for g in state.guests if g.vmid in self.vmids]}, deep=True)
