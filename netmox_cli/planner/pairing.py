"""The structural pass: which NetBox object and which Proxmox VE object are the same thing.

Nodes pair by name; guests pair by VMID across the whole cluster, so a guest that moved to another
node is one pair whose ``node`` differs (an update), not a delete plus a create. A key that appears
more than once on one side cannot be paired: it is reported as a duplicate, for a conflict entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from netmox_cli.model.kinds import Collection, collections, kind_of
from netmox_cli.model.state import ClusterState, Guest, Node, ObjectKind, Side

T = TypeVar("T", Node, Guest)


@dataclass(frozen=True)
class Pair:
    """One object as each side has it (None where the side lacks it)."""

    kind: ObjectKind
    key: str
    netbox: Node | Guest | None
    proxmox: Node | Guest | None

    def side(self, side: Side) -> Node | Guest | None:
        return self.netbox if side is Side.NETBOX else self.proxmox


@dataclass(frozen=True)
class Duplicate:
    """A key held by more than one object on at least one side."""

    kind: ObjectKind
    key: str
    netbox: list[Node | Guest] = field(default_factory=list)
    proxmox: list[Node | Guest] = field(default_factory=list)


@dataclass(frozen=True)
class Pairing:
    pairs: list[Pair]
    duplicates: list[Duplicate]


def _group(objects: Iterable[T], key: Callable[[T], str]) -> dict[str, list[T]]:
    grouped: dict[str, list[T]] = {}
    for obj in objects:
        grouped.setdefault(key(obj), []).append(obj)
    return grouped


def _pair(netbox: dict[str, list], proxmox: dict[str, list]) -> Pairing:
    pairs: list[Pair] = []
    duplicates: list[Duplicate] = []
    for key in sorted(netbox.keys() | proxmox.keys()):
        nb, px = netbox.get(key, []), proxmox.get(key, [])
        kind = kind_of((px or nb)[0])
        if len(nb) > 1 or len(px) > 1:
            duplicates.append(Duplicate(kind, key, nb, px))
        else:
            pairs.append(Pair(kind, key, nb[0] if nb else None, px[0] if px else None))
    return Pairing(pairs, duplicates)


def pair_collection(netbox: ClusterState, proxmox: ClusterState, collection: Collection) -> Pairing:
    """The objects of one collection (nodes, guests) paired by the key its kinds declare, in plan order."""
    spec = collections()[collection][0]  # the kinds of one collection share key and order
    result = _pair(_group(spec.objects(netbox), spec.key_of), _group(spec.objects(proxmox), spec.key_of))
    pairs = sorted(result.pairs, key=lambda p: spec.sort_key(p.key))
    duplicates = sorted(result.duplicates, key=lambda d: spec.sort_key(d.key))
    return Pairing(pairs, duplicates)


def pair_all(netbox: ClusterState, proxmox: ClusterState) -> Pairing:
    """Every declared collection paired, nodes first."""
    pairings = [pair_collection(netbox, proxmox, collection) for collection in collections()]
    return Pairing([p for r in pairings for p in r.pairs], [d for r in pairings for d in r.duplicates])
