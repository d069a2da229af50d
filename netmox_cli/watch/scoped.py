"""The reader of a watch run: only the scope's guests when that gives the same plan, else everything.

The planner judges some changes against the whole cluster: a delete against the other side's whole
listing (an empty side never deletes, ``max_deletes``, the orphan grace), a NetBox name against every
VM name in the cluster, a node against every VM on it. A scoped read cannot see those, so it is trusted
only when every change of the scope is one decided from the scope alone: updates of a guest both sides
have (not of its name) and creates on Proxmox VE (whose guest names need not be unique). Anything else —
a one-sided guest that is not simply created on Proxmox VE (a deleted NetBox VM among them), a rename,
a node — is read in full. Either way
the engine then plans the scope only (``Scope.narrow``), so the result is the full plan restricted to the
scope (tests/e2e/test_watch.py compares them) and watching never deletes what ``netmox apply`` would not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from netmox_cli.config.schema import NetmoxConfig, PolicyConfig
from netmox_cli.engine.operation import Reader
from netmox_cli.engine.planning import Scope, plan_snapshots
from netmox_cli.engine.session import ConnectionSnapshot, Providers, connection_info, take_snapshots
from netmox_cli.errors import NetmoxError
from netmox_cli.model.plan import Action, Change, Issue
from netmox_cli.model.state import ObjectKind, Side
from netmox_cli.providers.base import Progress
from netmox_cli.render.safe import safe

log = logging.getLogger("netmox_cli.watch")


def read_scope(config: NetmoxConfig, name: str, providers: Providers, vmids: frozenset[int]) -> ConnectionSnapshot:
    """Both sides' scoped reads of one connection (every node, these guests), or the error that stopped them."""
    info = connection_info(config, name, providers)
    snapshot = ConnectionSnapshot(name=name, info=info)
    try:
        snapshot.netbox = providers.netbox.read_guests(vmids)
        snapshot.proxmox = providers.proxmox.read_guests(vmids)
        snapshot.info = info.model_copy(
            update={"netbox_identity": snapshot.netbox.identity, "proxmox_identity": snapshot.proxmox.identity}
        )
    except NetmoxError as error:
        snapshot.error = error
        snapshot.info = info.model_copy(update={"error": f"{name}: {error.one_line()}"})
    return snapshot


def needs_full_read(changes: list[Change]) -> str | None:
    """Why these (scoped) changes cannot be trusted from a scoped read (see the module docstring), or None."""
    for change in changes:
        if change.kind is ObjectKind.NODE:
            return f"{change.ref}: a node is judged against every guest on it"
        if change.issue is not Issue.MISMATCH and not (
            change.action is Action.CREATE and change.target is Side.PROXMOX
        ):
            return f"{change.ref} is on one side only and is not simply created on Proxmox VE"
        if change.issue is Issue.MISMATCH and any(prop.name == "name" for prop in change.properties):
            return f"{change.ref}: a rename is judged against every name in the cluster"
    return None


def scope_vmids(scope: Scope, connection: str) -> frozenset[int]:
    return frozenset(int(key) for c, is_node, key in scope.refs if c == connection and not is_node and key.isdigit())


def scoped_reader(
    config: NetmoxConfig, policy: PolicyConfig, scope: Scope, full: Callable[[str], None] = lambda _why: None
) -> Reader:
    """A reader for ``ApplyOperation``: scoped snapshots, or full ones when a scoped plan could differ.

    ``full`` hears why a full read was needed (the run's summary and log say so).
    """

    def read(providers: dict[str, Providers], progress: Progress | None) -> list[ConnectionSnapshot]:
        if any(is_node for _, is_node, _ in scope.refs):
            full("a node is judged against every guest on it")
            return take_snapshots(config, providers, progress)
        snapshots = [read_scope(config, name, p, scope_vmids(scope, name)) for name, p in providers.items()]
        if any(snapshot.error is not None for snapshot in snapshots):
            return snapshots  # the engine reports the connection's error; nothing is applied
        trial = plan_snapshots(snapshots, policy, scope=scope)  # no orphan ledger: this is a partial view
        why = needs_full_read(trial.changes)
        if why is None:
            return snapshots
        log.info("planning from a full read: %s", safe(why))
        full(why)
        return take_snapshots(config, providers, progress)

    return read
