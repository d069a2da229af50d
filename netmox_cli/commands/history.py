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


def store_path(flag: Path | None, config: Path | None) -> Path:
    """The history database's path; the config is read only to learn its ``history`` path, if it exists."""
    configured = None
    if flag is None:
        path = find_config(config)
        if config is not None or path.exists():
            configured = load(path).history
    return history_path(flag, configured)


def open_store(path: Path) -> HistoryStore | None:
    """The database, opened read-only; None where there is none yet (reading never creates one)."""
    return HistoryStore(path, read_only=True) if path.exists() else None


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
    path = store_path(history, config)
    store = open_store(path)
    runs = []
    if store is not None:
        with store:
            runs = store.runs(limit)
    if as_json:
        sys.stdout.write(runs_json(runs))
        return
    out = console()
    for line in runs_text(runs, None if store is not None else path):
        out.print(line)


def show_run(
    ctx: typer.Context,
    run_id: Annotated[int, typer.Argument(metavar="RUN_ID", help="A run number from netmox history.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the run and its changes as JSON.")] = False,
    history: options.HistoryOption = None,
) -> None:
    """Show one run and every change it recorded."""
    parent = ctx.obj or {}
    path = store_path(history or parent.get("history"), parent.get("config"))
    store = open_store(path)
    if store is None:
        raise ConfigError(f"no run {run_id}: there is no history database at {path} yet", "check --history")
    with store:
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
