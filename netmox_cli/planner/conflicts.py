"""Conflicts: changes the target would reject, found at plan time instead of mid-apply.

Each check amends the drafts: a whole object becomes a ``conflict`` (a create that cannot succeed, a
delete that must not happen), or a single property moves to the object's conflict entry (a rename
that would collide). The checks run in dependency order: per-object checks, NetBox names, which
NetBox devices exist after the plan, then devices that would be deleted from under their VMs.
"""

from __future__ import annotations

from collections import defaultdict

from netmox_cli.model.fingerprint import fingerprint
from netmox_cli.model.kinds import KINDS
from netmox_cli.model.plan import Action, Change, Issue
from netmox_cli.model.state import ClusterState, Guest, Side
from netmox_cli.planner import bounds
from netmox_cli.planner.drafts import Draft, Head
from netmox_cli.planner.pairing import Duplicate

RENAME_HINT = "set policy.rename_duplicates to name it '<name>-<vmid>' on NetBox"


def duplicate_changes(connection: str, duplicates: list[Duplicate]) -> list[Change]:
    """One conflict entry per key held twice on a side; nothing else happens to that key."""
    changes = []
    for dup in duplicates:
        spec = KINDS[dup.kind]
        what = spec.key_label
        reason = "; ".join(
            f"{what} {dup.key} appears {len(objs)} times on {side.label} ({', '.join(str(o.name) for o in objs)})"
            for side, objs in ((Side.NETBOX, dup.netbox), (Side.PROXMOX, dup.proxmox))
            if len(objs) > 1
        )
        if dup.netbox and dup.proxmox:
            issue = Issue.MISMATCH
        else:
            issue = Issue.NETBOX_ONLY if dup.netbox else Issue.PROXMOX_ONLY
        nb = dup.netbox[0] if dup.netbox else None
        px = dup.proxmox[0] if dup.proxmox else None
        name = next((o.name for o in dup.netbox + dup.proxmox if o.name), None)
        node = spec.placement(dup.key, [px, nb])
        head = Head(connection, dup.kind, dup.key, name, node, issue, fingerprint(nb, px))
        changes.append(head.change(Action.CONFLICT, None, [], reason))
    return changes


def check_conflicts(drafts: list[Draft], netbox: ClusterState, proxmox: ClusterState, rename_duplicates: bool) -> None:
    """Amend ``drafts`` in place with every conflict the targets would report."""
    proxmox_nodes = {node.name for node in proxmox.nodes}
    guests = {int(d.pair.key): d for d in drafts if KINDS[d.pair.kind].collection == "guests"}  # by VMID
    for draft in guests.values():
        _check_guest(draft, proxmox_nodes)
    _check_netbox_names(guests, netbox, rename_duplicates)
    nodes = [d for d in drafts if KINDS[d.pair.kind].collection == "nodes"]
    _check_netbox_devices(guests, nodes)
    _check_device_deletes(guests, nodes, netbox)


def _deletes_from_netbox(draft: Draft | None) -> bool:
    return draft is not None and draft.action is Action.DELETE and draft.target is Side.NETBOX


def _creates_on(draft: Draft, side: Side) -> bool:
    return draft.action is Action.CREATE and draft.target is side


def _kind(guest: Guest) -> str:
    return "a QEMU VM" if guest.kind == "qemu" else "an LXC container"


def _check_guest(draft: Draft, proxmox_nodes: set[str]) -> None:
    nb, px = draft.guest_netbox, draft.guest_proxmox
    if nb is not None and px is not None and nb.kind != px.kind:
        draft.conflict(f"VMID {nb.vmid} is {_kind(nb)} on NetBox but {_kind(px)} on Proxmox VE")
    elif draft.action is Action.DELETE and draft.target is Side.PROXMOX and px is not None and px.protected:
        draft.conflict("the Proxmox VE guest is protected; remove its protection in Proxmox VE to delete it")
    elif _creates_on(draft, Side.PROXMOX) and nb is not None and nb.node is None:
        draft.conflict("the NetBox VM has no node; assign one to create the guest in Proxmox VE")
    elif _creates_on(draft, Side.PROXMOX) and nb is not None and nb.node not in proxmox_nodes:
        draft.conflict(f"node {nb.node} is not a Proxmox VE node of the cluster")
    elif _creates_on(draft, Side.NETBOX) and px is not None and not px.name:
        draft.conflict("the Proxmox VE guest has no name; NetBox needs one")
    elif draft.action is Action.CREATE and draft.target is not None:
        source = nb if draft.target is Side.PROXMOX else px
        problems = bounds.guest_problems(source, draft.target) if source is not None else []
        if problems:  # refused whole: a guest made without its memory or name would be made wrong
            draft.action, draft.target, draft.properties = Action.IGNORE, None, []
            draft.reason = "cannot apply: " + "; ".join(problems)


def _check_netbox_names(guests: dict[int, Draft], netbox: ClusterState, rename_duplicates: bool) -> None:
    """NetBox VM names are unique per cluster (case-insensitive): creates and renames must not collide."""
    held: dict[str, set[int]] = defaultdict(set)
    for guest in netbox.guests:
        draft = guests.get(guest.vmid)
        if guest.name and not _deletes_from_netbox(draft) and (draft is None or not draft.writes(Side.NETBOX, "name")):
            held[guest.name.lower()].add(guest.vmid)

    def holder(name: str, vmid: int) -> int | None:
        return min(held.get(name.lower(), set()) - {vmid}, default=None)

    if rename_duplicates:
        # A NetBox name already made unique as '<name>-<vmid>' agrees with Proxmox VE's '<name>'.
        for vmid, draft in guests.items():
            nb, px = draft.guest_netbox, draft.guest_proxmox
            deduplicated = nb and px and px.name and nb.name == f"{px.name}-{vmid}" and holder(px.name, vmid)
            if deduplicated and any(p.name == "name" for p in draft.properties):
                draft.drop("name")
                held[nb.name.lower()].add(vmid)

    for vmid in sorted(guests):
        draft = guests[vmid]
        prop = draft.writes(Side.NETBOX, "name")
        px = draft.guest_proxmox
        if prop is None or px is None or not px.name:
            continue
        taken_by = holder(px.name, vmid)
        if taken_by is None:
            held[px.name.lower()].add(vmid)
            continue
        alternative = f"{px.name}-{vmid}"
        if rename_duplicates and holder(alternative, vmid) is None:
            held[alternative.lower()].add(vmid)
            nb = draft.guest_netbox
            if nb is not None and nb.name == alternative:
                draft.drop("name")  # NetBox already has the unique name: nothing to write
            else:
                prop.after = alternative
            continue
        reason = f"NetBox VM name {px.name!r} is already taken in the cluster by VMID {taken_by}"
        if draft.action is Action.CREATE:
            draft.conflict(reason if rename_duplicates else f"{reason}; {RENAME_HINT}")
        else:
            draft.conflict_property("name", reason if rename_duplicates else f"{reason}; {RENAME_HINT}")


def _netbox_devices_after(nodes: list[Draft]) -> set[str]:
    return {
        d.pair.key
        for d in nodes
        if (d.pair.netbox is not None and not _deletes_from_netbox(d)) or _creates_on(d, Side.NETBOX)
    }


def _check_netbox_devices(guests: dict[int, Draft], nodes: list[Draft]) -> None:
    """A VM placed on NetBox needs its node's device, existing or created by the same plan."""
    devices = _netbox_devices_after(nodes)
    for draft in guests.values():
        px = draft.guest_proxmox
        if px is None or px.node is None or px.node in devices:
            continue
        reason = f"node {px.node} is not a NetBox device of the cluster and this plan does not create it"
        if _creates_on(draft, Side.NETBOX):
            draft.conflict(reason)
        elif draft.writes(Side.NETBOX, "node"):
            draft.conflict_property("node", reason)


def _check_device_deletes(guests: dict[int, Draft], nodes: list[Draft], netbox: ClusterState) -> None:
    """A NetBox device is never deleted from under VMs that stay on it."""
    staying: dict[str, list[str]] = defaultdict(list)
    for guest in netbox.guests:
        draft = guests.get(guest.vmid)
        if _deletes_from_netbox(draft):
            continue
        node = guest.node
        if draft is not None and draft.writes(Side.NETBOX, "node") and draft.guest_proxmox is not None:
            node = draft.guest_proxmox.node
        if node is not None:
            staying[node].append(str(guest.vmid))
    for draft in guests.values():
        if _creates_on(draft, Side.NETBOX) and draft.guest_proxmox is not None and draft.guest_proxmox.node:
            staying[draft.guest_proxmox.node].append(str(draft.guest_proxmox.vmid))
    for draft in nodes:
        if _deletes_from_netbox(draft) and staying.get(draft.pair.key):
            vmids = ", ".join(sorted(set(staying[draft.pair.key]), key=int))
            draft.conflict(f"the NetBox device still has VMs that this plan does not delete (VMID {vmids})")
