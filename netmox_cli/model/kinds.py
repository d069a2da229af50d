"""The object kinds netmox synchronizes, each declared once: identity, parent, apply order, wording.

Code that needs to know how nodes and guests differ asks the kind's declaration (which key identifies
it, in which collection of a ``ClusterState`` it lives, which kind it belongs to, when it is written)
instead of branching on "a node, or else a guest". A new kind is one entry in ``KINDS`` plus a write
handler in every provider (``tests/unit/test_declarations.py`` fails until each has one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from netmox_cli.model.state import ClusterState, Guest, Node, ObjectKind

Collection = Literal["nodes", "guests"]


@dataclass(frozen=True)
class Kind:
    """One object kind."""

    kind: ObjectKind
    # The ClusterState list holding these objects; kinds of one collection share its key space (a VMID is
    # a qemu or an lxc guest, never both).
    collection: Collection
    key_field: str  # the identity attribute of the model object
    key_type: type[str] | type[int]  # plans carry keys as text; this is what they are
    key_label: str  # how messages name the key ("node name", "VMID")
    # The kind an object of this kind belongs to, and the attribute naming it (a guest's node); a child is
    # written after its parent is created and before it is deleted, and is skipped when its parent's write
    # failed.
    parent: ObjectKind | None
    parent_field: str | None
    write_phase: int  # apply order of creates and updates (low first)
    delete_phase: int  # apply order of deletes
    sort_order: int  # position in a plan (nodes before guests)
    shows_name: bool  # whether a label adds the object's name to its key (a VMID alone says little)
    created_on_proxmox: bool  # whether netmox creates and deletes these on Proxmox VE (nodes: by hand)
    may_be_hidden: bool  # whether a side's blind spot (a token that sees a filtered list) can hide them

    def key_of(self, obj: Node | Guest) -> str:
        return str(getattr(obj, self.key_field))

    def typed_key(self, key: str) -> str | int:
        return self.key_type(key)

    def sort_key(self, key: str) -> tuple[int, str | int]:
        """Where an object of this kind goes in a plan; keys compare as their type (VMID 9 before 10)."""
        return (self.sort_order, self.typed_key(key))

    def phase(self, deleting: bool) -> int:
        return self.delete_phase if deleting else self.write_phase

    def objects(self, state: ClusterState) -> list[Node] | list[Guest]:
        return getattr(state, self.collection)

    def find(self, state: ClusterState, key: str) -> Node | Guest | None:
        """The object with ``key`` on one side, preferring one of this kind where the key space is shared."""
        matches = _index(state, self).get(key, [])
        if any(self.key_of(obj) != key for obj in matches):  # a key changed in place: index afresh
            matches = _index(state, self, fresh=True).get(key, [])
        return next((obj for obj in matches if kind_of(obj) is self.kind), matches[0] if matches else None)

    def placement(self, key: str, objects: list[Node | Guest | None]) -> str | None:
        """The parent object's key an object is shown under (its own key for a top-level kind)."""
        if self.parent_field is None:
            return key
        return next((value for obj in objects if obj is not None and (value := getattr(obj, self.parent_field))), None)


# The lists indexed last: plan and apply look up every change's object on both sides (a scan each was
# 0.2 s of a 1,000-guest plan). An index is reused while its list holds the very same objects (compared by
# identity, in C); a changed list rebuilds it. Keys are identities, never changed in place (a hit whose key
# moved rebuilds it all the same). A few lists are kept: both sides of a connection, for a few connections.
_INDEXES: dict[int, tuple[list, tuple[int, ...], dict[str, list]]] = {}
_KEPT = 8


def _index(state: ClusterState, kind: Kind, *, fresh: bool = False) -> dict[str, list]:
    objects = kind.objects(state)
    identity = tuple(map(id, objects))
    cached = _INDEXES.get(id(objects))
    if not fresh and cached is not None and cached[0] is objects and cached[1] == identity:
        return cached[2]
    index: dict[str, list] = {}
    for obj in objects:
        index.setdefault(kind.key_of(obj), []).append(obj)
    if len(_INDEXES) >= _KEPT:
        _INDEXES.pop(next(iter(_INDEXES)))
    _INDEXES[id(objects)] = (objects, identity, index)
    return index


_GUEST = {
    "collection": "guests",
    "key_field": "vmid",
    "key_type": int,
    "key_label": "VMID",
    "parent": ObjectKind.NODE,
    "parent_field": "node",
    "write_phase": 2,
    "delete_phase": 1,  # before creates: a VMID freed by a delete can be taken by a create
    "sort_order": 1,
    "shows_name": True,
    "created_on_proxmox": True,
    "may_be_hidden": True,
}

KINDS: dict[ObjectKind, Kind] = {
    ObjectKind.NODE: Kind(
        ObjectKind.NODE,
        collection="nodes",
        key_field="name",
        key_type=str,
        key_label="node name",
        parent=None,
        parent_field=None,
        write_phase=0,  # before its guests are created or moved onto it
        delete_phase=3,  # after its guests are gone
        sort_order=0,
        shows_name=False,
        created_on_proxmox=False,
        may_be_hidden=False,
    ),
    ObjectKind.QEMU: Kind(ObjectKind.QEMU, **_GUEST),  # type: ignore[arg-type]
    ObjectKind.LXC: Kind(ObjectKind.LXC, **_GUEST),  # type: ignore[arg-type]
}

_undeclared = set(ObjectKind) - set(KINDS)
if _undeclared:  # checked at import: an undeclared kind would be planned with another kind's rules
    raise RuntimeError(f"object kinds without a declaration: {sorted(_undeclared)}")


def kind_of(obj: Node | Guest) -> ObjectKind:
    """The kind of a model object."""
    return ObjectKind(obj.kind) if isinstance(obj, Guest) else ObjectKind.NODE


def has_children(kind: ObjectKind) -> bool:
    """Whether objects of another kind belong to objects of ``kind`` (a node has guests)."""
    return any(spec.parent is kind for spec in KINDS.values())


def collections() -> dict[Collection, tuple[Kind, ...]]:
    """The declared kinds grouped by the collection (and key space) they share."""
    grouped: dict[Collection, tuple[Kind, ...]] = {}
    for spec in KINDS.values():
        grouped[spec.collection] = (*grouped.get(spec.collection, ()), spec)
    return grouped
