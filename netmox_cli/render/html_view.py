"""The comparison page: one self-contained HTML file showing each object side by side.

``netmox plan --format html > plan.html`` (or ``netmox show PLAN.json --format html``). Drawn only from
the ``Plan`` type, like the text and Markdown views. One block per object (its changes for both targets
merged), a table of its properties with the NetBox and Proxmox VE values, the direction as an arrow, the
value written (``PropertyChange.after``) or the skip reason. Filters by kind, issue and action, also read
from the URL hash (``plan.html#kind=lxc&action=update``), so a link can open a filtered view.

The page loads nothing: inline CSS, a little inline JS, no URL at all. Every value from either side goes
through ``safe`` (control and bidi characters shown escaped) and then ``html.escape``; a Content Security
Policy allows no source but the page's own script (by its hash) and styles, so even markup that slipped
through could not load or run anything.
"""

from __future__ import annotations

import base64
import hashlib
import html
from dataclasses import dataclass, field
from typing import Any

from netmox_cli.model.kinds import KINDS
from netmox_cli.model.plan import Action, Change, ConnectionInfo, Direction, Issue, Plan, PropertyChange
from netmox_cli.model.state import ObjectKind, Side
from netmox_cli.render.safe import safe
from netmox_cli.render.values import UNSET, entry, entry_fields, is_keyed_list, one

ARROWS = {Direction.NETBOX_TO_PROXMOX: "→", Direction.PROXMOX_TO_NETBOX: "←", Direction.SKIP: "·"}
FILTERS = {
    "kind": [kind.value for kind in ObjectKind],
    "issue": [issue.value for issue in Issue if issue is not Issue.IN_SYNC],
    "action": [action.value for action in Action],
}


def esc(value: object) -> str:
    """Any value as HTML text: control characters escaped visibly first, then HTML's specials."""
    return html.escape(safe(value), quote=True)


@dataclass
class ObjectView:
    """One object of one connection: every change the plan has for it."""

    connection: str
    kind: ObjectKind
    key: str
    name: str | None = None
    node: str | None = None
    changes: list[Change] = field(default_factory=list)

    @property
    def issue(self) -> Issue:
        return self.changes[0].issue

    @property
    def actions(self) -> list[str]:
        return sorted({change.action.value for change in self.changes})


def objects(plan: Plan) -> list[ObjectView]:
    """The plan's changes grouped per object, in plan order."""
    seen: dict[tuple[str, str, str], ObjectView] = {}
    for change in plan.changes:
        ident = (change.connection, change.kind.value, change.key)
        view = seen.setdefault(ident, ObjectView(change.connection, change.kind, change.key))
        view.name = view.name or change.name
        view.node = view.node or change.node
        view.changes.append(change)
    return list(seen.values())


def differs(name: str, item: dict[str, Any], other: Any) -> bool:
    """Whether a disk or interface differs from the other side's entry of that name (a blank is unknown)."""
    match = next((o for o in other if isinstance(o, dict) and o.get("name") == item.get("name")), None)
    if match is None:
        return True
    fields = entry_fields(name)
    return any(item.get(f) is not None and match.get(f) is not None and item[f] != match[f] for f in fields)


def value_cell(name: str, value: Any, other: Any = None) -> str:
    """A property value; disks and interfaces one entry per line, those that differ from ``other`` marked."""
    if is_keyed_list(value):
        return "<br>".join(
            f"<mark>{esc(entry(item))}</mark>"
            if isinstance(other, list) and differs(name, item, other)
            else esc(entry(item))
            for item in value
        )
    return esc(one(name, value))


def verb(change: Change) -> str:
    if change.action.writes:
        target = change.target.label if change.target else "?"
        text = f"{change.action.value} on {target}"
    elif change.action is Action.MANUAL and (change.reason or "").startswith("manual action"):
        return change.reason or ""
    else:
        words = {
            Action.IGNORE: "ignored",
            Action.CONFLICT: "conflict",
            Action.MANUAL: "manual action",
            Action.NOTIFY: "notify",
        }
        text = words.get(change.action, change.action.value)
    return text + (f": {change.reason}" if change.reason else "")


def property_row(change: Change, prop: PropertyChange) -> str:
    target = prop.direction.target
    cells = {}
    for side in (Side.NETBOX, Side.PROXMOX):
        css = "target" if side is target else "source" if target else "skipped"
        shown = value_cell(prop.name, getattr(prop, side.value), getattr(prop, side.other.value))
        cells[side] = f'<td class="{css}">{shown}</td>'
    note = " <em>(notify only, not applied)</em>" if prop.notify else ""  # what netmox would do, reported
    if target is None:
        outcome = f'<td class="reason">skipped: {esc(prop.reason or "no direction chosen")}{note}</td>'
    else:
        outcome = f'<td class="written">{value_cell(prop.name, prop.after, getattr(prop, target.value))}{note}</td>'
    arrow = f'<td class="arrow" title="{esc(prop.direction.value)}">{ARROWS.get(prop.direction, "·")}</td>'
    row = f'<th scope="row">{esc(prop.name)}</th>{cells[Side.NETBOX]}{arrow}{cells[Side.PROXMOX]}{outcome}'
    return f'<tr class="{"skip" if target is None else "diff"}">{row}</tr>'


def object_block(view: ObjectView) -> str:
    spec = KINDS[view.kind]
    name = f" <q>{esc(view.name)}</q>" if view.name and spec.shows_name else ""
    node = f' <span class="node">on {esc(view.node)}</span>' if view.node and spec.parent is not None else ""
    badges = "".join(f'<li class="act {esc(change.action.value)}">{esc(verb(change))}</li>' for change in view.changes)
    rows = "".join(property_row(change, prop) for change in view.changes for prop in change.properties)
    table = (
        '<table><colgroup><col class="c-prop"><col class="c-side"><col class="c-arrow"><col class="c-side">'
        '<col class="c-out"></colgroup><thead><tr><th>property</th><th>NetBox</th><th></th>'
        "<th>Proxmox VE</th><th>written / reason</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else ""
    )
    actions = " ".join(view.actions)
    data = f'data-kind="{esc(view.kind.value)}" data-issue="{esc(view.issue.value)}" data-action="{esc(actions)}"'
    return (
        f'<section class="obj" {data}><h3><span class="kind">{esc(view.kind.value)}</span> {esc(view.key)}{name}'
        f'{node} <span class="issue">{esc(view.issue.value)}</span> <span class="conn">{esc(view.connection)}</span>'
        f'</h3><ul class="acts">{badges}</ul>{table}</section>'
    )


def connection_line(info: ConnectionInfo) -> str:
    cluster = f" (cluster {esc(info.cluster)})" if info.cluster and info.cluster != info.name else ""
    line = f"<b>{esc(info.name)}</b>{cluster}: NetBox {esc(info.netbox)}, Proxmox VE {esc(info.proxmox)}"
    if info.error:
        line += f' <span class="error">error: {esc(info.error)}</span>'
    return f"<li>{line}</li>"


def summary_table(plan: Plan) -> str:
    s = plan.summary
    rows = "".join(
        f"<tr><th>{side.label}</th><td>{c.create}</td><td>{c.update}</td><td>{c.delete}</td></tr>"
        for side, c in ((Side.PROXMOX, s.proxmox), (Side.NETBOX, s.netbox))
    )
    return (
        '<table class="summary"><thead><tr><th>target</th><th>create</th><th>update</th><th>delete</th></tr>'
        f"</thead><tbody>{rows}</tbody></table><p>{s.ignored} ignored · {s.conflicts} conflicts · "
        f"{s.manual} manual · {f'{s.notify} to notify · ' if s.notify else ''}{s.in_sync} in sync</p>"
    )


def filter_controls() -> str:
    selects = []
    for name, values in FILTERS.items():
        options = "".join(f'<option value="{value}">{value}</option>' for value in values)
        selects.append(f'<label>{name} <select id="f-{name}"><option value="">all</option>{options}</select></label>')
    legend = (
        "<p class=\"legend\">→ NetBox's value is written to Proxmox VE; ← Proxmox VE's value is written to NetBox; "
        '· skipped (reason shown); <span class="swatch target">changes</span> <mark>differing entry</mark></p>'
    )
    return f'<nav class="filters">{"".join(selects)} <span id="shown"></span>{legend}</nav>'


SCRIPT = """
const keys = ["kind", "issue", "action"];
function apply() {
  const want = {};
  keys.forEach(k => { want[k] = document.getElementById("f-" + k).value; });
  let shown = 0, all = 0;
  document.querySelectorAll("section.obj").forEach(el => {
    all++;
    const ok = keys.every(k => !want[k] || el.dataset[k].split(" ").includes(want[k]));
    el.hidden = !ok;
    if (ok) shown++;
  });
  document.getElementById("shown").textContent = shown + " of " + all + " objects";
  const hash = keys.filter(k => want[k]).map(k => k + "=" + want[k]).join("&");
  history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
}
function fromHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  keys.forEach(k => {
    const select = document.getElementById("f-" + k), value = params.get(k) || "";
    if ([...select.options].some(o => o.value === value)) select.value = value;
  });
  apply();
}
keys.forEach(k => document.getElementById("f-" + k).addEventListener("change", apply));
window.addEventListener("hashchange", fromHash);
fromHash();
"""

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1d2330;background:#fff}
h1{font-size:1.4em;margin:0 0 .3em}h3{font-size:1.05em;margin:0 0 .3em}
.filters{position:sticky;top:0;background:#f4f6fa;padding:.5em;border:1px solid #d5dae3;border-radius:4px;z-index:1}
.filters label{margin-right:1em}#shown{color:#555}.legend{margin:.3em 0 0;color:#555;font-size:.9em}
.swatch{padding:0 .3em}.swatch.target{background:#fff1c9}
.obj{border:1px solid #d5dae3;border-radius:4px;padding:.6em .8em;margin:.8em 0}
.kind{font-family:monospace;background:#e7ecf5;padding:0 .3em;border-radius:3px}
.node,.conn{color:#666;font-weight:normal}.conn{float:right}
.issue{font-size:.8em;font-weight:normal;border:1px solid #99a;border-radius:8px;padding:0 .4em}
.acts{list-style:none;padding:0;margin:0 0 .4em}.act{display:inline-block;margin:0 .4em .2em 0;padding:0 .4em;
border-radius:3px;background:#eee}.act.create{background:#d9f2dd}.act.update{background:#fcefc7}
.act.delete{background:#f8d3d3;font-weight:bold}.act.conflict{background:#f8d3d3}.act.manual{background:#ecdcf5}
.act.ignore{color:#555}.act.notify{background:#d7eef5}
table{border-collapse:collapse;width:100%;table-layout:fixed}.c-prop{width:9em}.c-arrow{width:2em}.c-out{width:28%}
th,td{border:1px solid #e0e3ea;padding:.2em .5em;text-align:left;
vertical-align:top;font-family:ui-monospace,monospace;font-size:.92em;word-break:break-word}
thead th{background:#f4f6fa;font-family:system-ui,sans-serif}
tr.diff td.target{background:#fff1c9}tr.diff td.source{background:#e6f4ea}
td.written{background:#fff1c9;font-weight:bold}td.arrow{text-align:center;font-size:1.2em}
tr.skip td{color:#666}td.reason{font-family:system-ui,sans-serif;font-style:italic}
.summary{width:auto;table-layout:auto}mark{background:#ffd36b;color:inherit;padding:0 .15em}
.error{color:#b00020;font-weight:bold}
"""


def render_html(plan: Plan) -> str:
    script_hash = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    csp = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'"
    views = objects(plan)
    body = "".join(object_block(view) for view in views) or "<p>No differences.</p>"
    connections = "".join(connection_line(info) for info in plan.connections)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>netmox plan</title><style>{STYLE}</style></head><body>"
        f"<h1>netmox plan</h1><p>made {esc(plan.created.isoformat(timespec='seconds'))} by netmox "
        f"{esc(plan.netmox_version)}; prefer {esc(plan.policy.prefer.label if plan.policy.prefer else UNSET)}</p>"
        f"<ul>{connections}</ul>{summary_table(plan)}{filter_controls()}<main>{body}</main>"
        f"<script>{SCRIPT}</script></body></html>\n"
    )
