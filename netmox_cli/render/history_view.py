"""``netmox history`` views: the run list and one run with its changes, as text or JSON.

What the database holds came from either side (names, errors) or a command line: every text line goes
through ``safe``; the JSON form escapes control characters by itself (``json.dumps``)."""

from __future__ import annotations

import json
from pathlib import Path

from rich.text import Text

from netmox_cli.history.store import SENT, ChangeRecord, RunRecord
from netmox_cli.render.safe import quoted, safe
from netmox_cli.render.values import one


def run_line(run: RunRecord) -> str:
    prefer = f" prefer={run.prefer}" if run.prefer else ""
    return (
        f"{run.id:>4}  {run.started}  {run.state:<11}  {run.changes:>3} changes  "
        f"{run.user}@{run.host} ({run.origin}){prefer}  {run.command}"
    )


def runs_text(runs: list[RunRecord], missing: Path | None = None) -> list[Text]:
    """The run table; ``missing`` is the path of a database that does not exist yet."""
    if missing is not None:
        return [Text(f"No runs recorded yet: there is no history database at {missing} (apply creates it).")]
    if not runs:
        return [Text("No runs recorded yet.")]
    header = Text(f"{'RUN':>4}  {'STARTED':<25}  {'OUTCOME':<11}  {'CHANGES':>11}  WHO / COMMAND", style="bold")
    return [header, *(Text(safe(run_line(run))) for run in runs)]


def change_line(record: ChangeRecord) -> str:
    target = {"netbox": "NetBox", "proxmox": "Proxmox VE"}.get(record.target or "", "?")
    name = f" {quoted(record.name)}" if record.name else ""
    what = f"{record.connection}/{record.kind} {record.key}{name}: {record.action} on {target}"
    if record.property:
        what += f", {record.property}: {one(record.property, record.before)} → {one(record.property, record.after)}"
    error = f" ({record.error})" if record.error else ""
    if record.status == SENT:  # the request went out; the run ended before its answer came back
        error = " (outcome unknown: check the target)"
    return safe(f"{record.status:<8} {what}{error}")


def run_text(run: RunRecord, changes: list[ChangeRecord]) -> list[Text]:
    lines = [
        Text(safe(f"Run {run.id}: {run.state}"), style="bold"),
        Text(safe(f"  started   {run.started}")),
        Text(safe(f"  finished  {run.finished or '-'}")),
        Text(safe(f"  by        {run.user}@{run.host} ({run.origin})")),
        *_asked(run),
        Text(safe(f"  command   {run.command}")),
        Text(safe(f"  prefer    {run.prefer or '-'}")),
        Text(safe(f"  policy    {json.dumps(run.policy, sort_keys=True)}")),
        Text(safe(f"  plan      {run.plan_digest or '-'}")),
        Text(""),
    ]
    if not changes:
        lines.append(Text("No changes recorded."))
    lines.extend(Text(change_line(change)) for change in changes)
    return lines


def _asked(run: RunRecord) -> list[Text]:
    """A run that a NetBox change caused (``netmox watch``) names that change's request and user."""
    if not (run.request_id or run.netbox_user):
        return []
    return [Text(safe(f"  netbox    request {run.request_id or '-'} by {run.netbox_user or '-'}"))]


def runs_json(runs: list[RunRecord]) -> str:
    return json.dumps([{**run.model_dump(), "state": run.state} for run in runs], indent=2) + "\n"


def run_json(run: RunRecord, changes: list[ChangeRecord]) -> str:
    data = {"run": {**run.model_dump(), "state": run.state}, "changes": [c.model_dump() for c in changes]}
    return json.dumps(data, indent=2) + "\n"
