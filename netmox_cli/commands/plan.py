"""``netmox plan``: snapshot both sides of every connection and show what apply would do."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from netmox_cli.commands import options
from netmox_cli.commands._common import (
    build_policy,
    choose_format,
    load,
    orphan_ledger,
    print_plan,
    spinner,
    write_plan,
)
from netmox_cli.engine.planning import make_plan
from netmox_cli.engine.session import open_providers, select_connections
from netmox_cli.model.plan import Plan
from netmox_cli.render.safe import safe

EXIT_IN_SYNC, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


def report_connection_errors(plan: Plan) -> bool:
    """Name every connection that could not be planned on stderr; True when there was one."""
    failed = [info for info in plan.connections if info.error]
    for info in failed:
        print(f"error: {safe(info.error)}", file=sys.stderr)
    return bool(failed)


def command(
    config: options.ConfigOption = None,
    connection: options.ConnectionOption = None,
    prefer: options.PreferOption = None,
    allow_delete: options.AllowDeleteOption = False,
    policy_file: options.PolicyOption = None,
    max_deletes: options.MaxDeletesOption = None,
    history: options.HistoryOption = None,
    out: Annotated[Path | None, typer.Option("--out", help="Save the plan as JSON for netmox apply.")] = None,
    as_json: options.JsonOption = False,
    fmt: options.FormatOption = None,
    detailed_exitcode: Annotated[
        bool, typer.Option("--detailed-exitcode", help="Exit 0 when in sync, 2 when there are changes, 1 on error.")
    ] = False,
    no_color: options.NoColorOption = False,
) -> None:
    """Show the differences between NetBox and Proxmox VE and what apply would do about them."""
    view = choose_format(fmt, as_json)
    cfg = load(config)
    policy = build_policy(cfg, policy_file, prefer, allow_delete, max_deletes)
    names = select_connections(cfg, connection)
    with (
        orphan_ledger(policy, history, cfg) as orphans,
        open_providers(cfg, names) as providers,
        spinner("Reading NetBox and Proxmox VE") as progress,
    ):
        plan, _snapshots = make_plan(cfg, providers, policy, progress, orphans=orphans)
    if out is not None:
        write_plan(plan, out)
    print_plan(plan, view, no_color=no_color)
    if report_connection_errors(plan):
        raise typer.Exit(EXIT_ERROR)
    if detailed_exitcode and plan.summary.changes:
        raise typer.Exit(EXIT_CHANGES)
