"""The terraform-like human view of a plan, grouped by connection → node → guest, one block per object.

Drawn only from the ``Plan`` type (never from raw state), so it says exactly what ``--json`` says.
Lines are ``rich.text.Text`` with a style; the console decides whether colour is shown. Every line is
assembled, then passed through ``safe``: names, reasons and errors from either side cannot steer the
terminal or start a line of their own.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.text import Text

from netmox_cli.model.kinds import KINDS
from netmox_cli.model.plan import Action, Change, ConnectionInfo, Direction, Plan, Summary
from netmox_cli.model.state import Side
from netmox_cli.render.blocks import Block, blocks, writes_verb
from netmox_cli.render.safe import quoted, safe
from netmox_cli.render.values import property_lines

SYMBOLS = {
    Action.CREATE: "+",
    Action.DELETE: "-",
    Action.UPDATE: "~",
    Action.CONFLICT: "!",
    Action.MANUAL: "?",
    Action.IGNORE: "·",
    Action.NOTIFY: "*",
}
STYLES = {
    Action.CREATE: "green",
    Action.DELETE: "bold red",
    Action.UPDATE: "yellow",
    Action.CONFLICT: "red",
    Action.MANUAL: "magenta",
    Action.IGNORE: "dim",
    Action.NOTIFY: "cyan",
}
NO_NODE = "(no node)"


def object_label(change: Change) -> str:
    """``node pve1`` or ``qemu 101 "web-01"``: the kind and key, and the name where the kind shows it."""
    name = f" {quoted(change.name)}" if change.name and KINDS[change.kind].shows_name else ""
    return f"{change.kind.value} {safe(change.key)}{name}"


def verb(change: Change) -> str:
    """What happens to the object, in words."""
    target = change.target.label if change.target else "?"
    if change.action.writes:
        return f"{change.action.value} on {target}"
    if change.action is Action.IGNORE:
        return f"ignored: {change.reason}" if change.reason else "not synchronized"
    if change.action is Action.CONFLICT:
        return f"conflict: {change.reason}" if change.reason else "conflict"
    if change.action is Action.NOTIFY:
        return f"notify: {change.reason}" if change.reason else "notify"
    reason = change.reason or ""
    return reason if reason.startswith("manual action needed") else f"manual action needed: {reason}".rstrip(": ")


def is_destructive(change: Change) -> bool:
    """Deletes, and writes that stop a running guest, are shown in red and called out before apply."""
    if change.action is Action.DELETE:
        return True
    if change.action is not Action.UPDATE or change.target is not Side.PROXMOX:
        return False  # (a node's status is never written to Proxmox VE: its limit refuses it)
    return any(
        prop.name == "status" and prop.direction.target is Side.PROXMOX and prop.netbox == "offline"
        for prop in change.properties
    )


def block_verb(block: Block) -> str:
    """What happens to the object, in words: ``update on NetBox and Proxmox VE``, and any conflict.

    An object with one change reads as that change; skipped properties are named on their own lines.
    """
    if block.only is not None:
        return verb(block.only)
    conflicts = [c for c in block.changes if c.action is Action.CONFLICT]
    words = writes_verb(block)
    if not words:  # nothing written: the most significant of the rest speaks for the object
        lead = next(c for c in block.changes if c.action is block.action)
        return verb(lead)
    for conflict in conflicts:
        if conflict.properties:
            n = len(conflict.properties)
            words += f"; {n} {'property' if n == 1 else 'properties'} in conflict"
        else:
            words += f"; {verb(conflict)}"
    for notice in (c for c in block.changes if c.action is Action.NOTIFY):
        n = len(notice.properties)
        words += f"; {n} {'property' if n == 1 else 'properties'} to notify"
    return words


def is_destructive_block(block: Block) -> bool:
    return any(is_destructive(change) for change in block.changes)


def block_lines(block: Block, indent: int) -> Iterator[Text]:
    """The object's header once, then each property: its direction, its skip reason or its conflict."""
    style = "bold red" if is_destructive_block(block) else STYLES[block.action]
    pad = " " * indent
    yield Text(safe(f"{pad}{SYMBOLS[block.action]} {object_label(block.head)}: {block_verb(block)}"), style=style)
    for change, prop in block.properties():
        if change.action is Action.CONFLICT and prop.direction is Direction.SKIP:
            style = STYLES[Action.CONFLICT]  # the target would refuse this property: shown like a conflict
        elif prop.notify:
            style = STYLES[Action.NOTIFY]
        else:
            style = "dim" if prop.direction is Direction.SKIP else ""
        for line in property_lines(change, prop):
            yield Text(f"{pad}    {safe(line)}", style=style)


def _node_of(block: Block) -> str:
    head = block.head
    return head.key if KINDS[head.kind].parent is None else (head.node or NO_NODE)


def connection_lines(info: ConnectionInfo, changes: list[Change]) -> Iterator[Text]:
    cluster = f" (cluster {info.cluster})" if info.cluster and info.cluster != info.name else ""
    yield Text(safe(f"{info.name}{cluster}: NetBox {info.netbox}, Proxmox VE {info.proxmox}"), style="bold")
    if info.error:
        yield Text(f"  error: {safe(info.error)}", style="bold red")
        return
    if not changes:
        yield Text("  no differences")
        return
    nodes: dict[str, list[Block]] = {}
    for block in blocks(changes):
        nodes.setdefault(_node_of(block), []).append(block)
    for node in sorted(nodes, key=lambda n: (n == NO_NODE, n)):
        group = nodes[node]
        node_blocks = [b for b in group if KINDS[b.kind].parent is None]
        guests = sorted((b for b in group if KINDS[b.kind].parent is not None), key=_guest_order)
        if node_blocks:
            for block in node_blocks:
                yield from block_lines(block, 2)
        else:
            yield Text(f"  node {safe(node)}")
        for block in guests:
            yield from block_lines(block, 4)


def _guest_order(block: Block) -> tuple[int, str | int]:
    return KINDS[block.kind].sort_key(block.head.key)


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 or word in ("ignored", "manual") else f"{n} {word}s"


def summary_line(summary: Summary, failed_connections: int = 0) -> str:
    """``Plan: 1 to create, … on Proxmox VE; … on NetBox. 4 ignored, 1 conflict, 2 manual.``

    A plan with connections that could not be read never claims that the sides are in sync.
    """
    others = (
        f"{_count(summary.ignored, 'ignored')}, {_count(summary.conflicts, 'conflict')}, "
        f"{_count(summary.manual, 'manual')}."
    )
    if summary.notify:
        others = others.removesuffix(".") + f", {summary.notify} to notify."
    if failed_connections:
        others += f" {_count(failed_connections, 'connection')} could not be read."
    if not summary.changes:
        if summary.ignored or summary.conflicts or summary.manual or failed_connections:
            return f"No changes. {others}"
        return "No changes. NetBox and Proxmox VE are in sync."
    parts = [
        f"{counts.create} to create, {counts.update} to update, {counts.delete} to delete on {side.label}"
        for side, counts in ((Side.PROXMOX, summary.proxmox), (Side.NETBOX, summary.netbox))
    ]
    return f"Plan: {'; '.join(parts)}. {others}"


def plan_lines(plan: Plan) -> Iterator[Text]:
    """The whole view: every connection's changes, then the summary line."""
    by_connection: dict[str, list[Change]] = {}
    for change in plan.changes:
        by_connection.setdefault(change.connection, []).append(change)
    known = {info.name for info in plan.connections}
    infos = list(plan.connections) + [
        ConnectionInfo(name=name, netbox="?", proxmox="?") for name in by_connection if name not in known
    ]
    for info in infos:
        yield from connection_lines(info, by_connection.get(info.name, []))
        yield Text("")
    failed = sum(1 for info in plan.connections if info.error)
    yield Text(summary_line(plan.summary, failed), style="bold")


def render_text(plan: Plan) -> str:
    """The view as plain text (golden files, tests)."""
    return "\n".join(line.plain for line in plan_lines(plan)) + "\n"
