"""A plan summary fit for a pull-request comment or ``$GITHUB_STEP_SUMMARY``: counts table, then each object.

One item per object, as in the text view (``render/blocks.py``): its header, then each property."""

from __future__ import annotations

import re

from netmox_cli.model.plan import Plan
from netmox_cli.model.state import Side
from netmox_cli.render.blocks import Block, blocks
from netmox_cli.render.safe import safe
from netmox_cli.render.text import SYMBOLS, block_verb, object_label, summary_line
from netmox_cli.render.values import property_lines

# Markdown and HTML punctuation, table cell separators, and ``&`` (an entity such as ``&#x202e;`` would
# bring back the bidi override that ``safe`` escaped).
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


def escape(text: str) -> str:
    """User data (names, descriptions, reasons) must not turn into Markdown or HTML, nor control the
    terminal or the page: control characters are escaped first (``safe``), then Markdown's."""
    return _SPECIAL.sub(r"\\\1", safe(text))


def _block_item(block: Block) -> list[str]:
    what = escape(f"{object_label(block.head)}: {block_verb(block)}")
    lines = [f"- `{SYMBOLS[block.action]}` **{escape(block.head.connection)}** {what}"]
    for change, prop in block.properties():
        for line in property_lines(change, prop):
            nested = line.startswith("  ")
            lines.append(f"{'    ' if nested else '  '}- {escape(line.strip())}")
    return lines


def render_markdown(plan: Plan) -> str:
    summary = plan.summary
    lines = ["### netmox plan", ""]
    lines += [
        "| Target | Create | Update | Delete |",
        "|---|---:|---:|---:|",
    ]
    for side, counts in ((Side.PROXMOX, summary.proxmox), (Side.NETBOX, summary.netbox)):
        lines.append(f"| {side.label} | {counts.create} | {counts.update} | {counts.delete} |")
    lines += [
        "",
        f"{summary.ignored} ignored · {summary.conflicts} conflicts · {summary.manual} manual · "
        + (f"{summary.notify} to notify · " if summary.notify else "")
        + f"{summary.in_sync} in sync",
        "",
    ]
    for info in plan.connections:
        if info.error:
            lines.append(f"**{escape(info.name)}**: error: {escape(info.error)}")
    objects = blocks(plan.changes)
    if objects:
        lines += [f"<details><summary>{len(objects)} {'object' if len(objects) == 1 else 'objects'}</summary>", ""]
        for block in objects:
            lines.extend(_block_item(block))
        lines += ["", "</details>", ""]
    failed = sum(1 for info in plan.connections if info.error)
    lines.append(f"**{escape(summary_line(summary, failed))}**")
    return "\n".join(lines) + "\n"
