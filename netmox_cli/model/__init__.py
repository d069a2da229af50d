"""The common state model and the plan (changeset) types: the contract every other part builds on."""

from netmox_cli.model.fingerprint import fingerprint
from netmox_cli.model.plan import (
    FORMAT_VERSION,
    Action,
    Change,
    ConnectionInfo,
    Direction,
    Issue,
    Plan,
    Policy,
    PropertyChange,
    Summary,
    TargetCounts,
)
from netmox_cli.model.state import ClusterState, Disk, Guest, GuestKind, Interface, Node, ObjectKind, Side

__all__ = [
    "FORMAT_VERSION",
    "Action",
    "Change",
    "ClusterState",
    "ConnectionInfo",
    "Direction",
    "Disk",
    "Guest",
    "GuestKind",
    "Interface",
    "Issue",
    "Node",
    "ObjectKind",
    "Plan",
    "Policy",
    "PropertyChange",
    "Side",
    "Summary",
    "TargetCounts",
    "fingerprint",
]
