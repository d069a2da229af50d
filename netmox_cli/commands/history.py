"""``netmox history`` (list runs) and ``netmox history show RUN_ID`` (one run and its changes)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from netmox_cli.commands import options
from netmox_cli.commands._common import console, load
from netmox_cli.config import find_config
from netmox_cli.errors import ConfigError
from netmox_cli.history import HistoryStore, history_path
from netmox_cli.render.history_view import run_json, run_text, runs_json, runs_text


def open_store(flag: Path | None, config: Path | None) -> HistoryStore:
    """The history database; the config is read only to learn its ``history`` path, and only if it exists."""
    configured = None
    if flag is None:
        path = find_config(config)
        if config is not None or path.exists():
            configured = load(path).history
    return HistoryStore(history_path(flag, configured))


def list_runs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many runs to show, newest first.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print the runs as JSON.")] = False,
    history: options.HistoryOption = None,
    config: options.ConfigOption = None,
) -> None:
    """List recent runs, newest first."""
    ctx.obj = {"history": history, "config": config}
    if ctx.invoked_subcommand is not None:
        return
    with open_store(history, config) as store:
        runs = store.runs(limit)
    if as_json:
        sys.stdout.write(runs_json(runs))
        return
    out = console()
    for line in runs_text(runs):
        out.print(line)


def show_run(
    ctx: typer.Context,
    run_id: Annotated[int, typer.Argument(metavar="RUN_ID", help="A run number from netmox history.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the run and its changes as JSON.")] = False,
    history: options.HistoryOption = None,
) -> None:
    """Show one run and every change it recorded."""
    parent = ctx.obj or {}
    with open_store(history or parent.get("history"), parent.get("config")) as store:
        run = store.run(run_id)
        if run is None:
            raise ConfigError(f"no run {run_id} in {store.path}", "list the runs with netmox history")
        changes = store.changes(run_id)
    if as_json:
        sys.stdout.write(run_json(run, changes))
        return
    out = console()
    for line in run_text(run, changes):
        out.print(line)
