"""``netmox apply [PLAN.json]``: carry out a plan, under the connection locks, recording every change.

Without a file: plan, show, confirm (only ``yes``), then re-read both sides so the basis check sees what
is there *now*. With a file: re-read both sides, plan again with the file's recorded policy (bounded by
the config's limits), and apply only the saved changes netmox derives identically now; every other
saved change is refused with its reason (``engine/saved.py``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from netmox_cli import environment
from netmox_cli.commands import options
from netmox_cli.commands._common import (
    Format,
    build_policy,
    console,
    invocation,
    load,
    lock_dir,
    print_plan,
    read_plan,
    spinner,
)
from netmox_cli.commands.completion import complete_plan_file
from netmox_cli.commands.interactive import choose_directions
from netmox_cli.commands.plan import report_connection_errors
from netmox_cli.config.schema import NetmoxConfig, PolicyConfig
from netmox_cli.engine.executor import ApplyReport, Executor
from netmox_cli.engine.lock import connection_locks
from netmox_cli.engine.planning import make_plan
from netmox_cli.engine.saved import Refusal, rederive
from netmox_cli.engine.session import ConnectionSnapshot, Providers, open_providers, select_connections
from netmox_cli.engine.session import take_snapshots as snapshot_all
from netmox_cli.errors import Aborted, ConfigError
from netmox_cli.history import HistoryRecorder, HistoryStore, RunStart, history_path
from netmox_cli.history.store import INTERRUPTED
from netmox_cli.model.fingerprint import fingerprint
from netmox_cli.model.plan import Change, Plan
from netmox_cli.model.state import Side
from netmox_cli.planner import find_object
from netmox_cli.planner.policy import recorded_policy
from netmox_cli.providers.base import ApplyContext
from netmox_cli.render.apply_view import ProgressView, destructive_warning, final_line, print_stderr_summary
from netmox_cli.render.json_view import plan_digest

PROMPT = "Apply these changes? Only 'yes' is accepted: "
DEFAULT_LOCK_TIMEOUT = 60.0


NO_TERMINAL_HINT = (
    "pass --auto-approve (to review first: netmox plan --out FILE, then netmox apply FILE --auto-approve)"
)
SAVED_NO_TERMINAL_HINT = "pass --auto-approve to apply the saved plan without a prompt"


def confirm(out: Console, hint: str = NO_TERMINAL_HINT) -> None:
    if not environment.stdin_is_interactive():
        raise Aborted("apply needs a confirmation, but stdin is not a terminal", hint)
    answer = out.input(PROMPT)
    if answer.strip() != "yes":
        raise Aborted("Apply cancelled.")


def fresh_snapshots(config: NetmoxConfig, providers: dict[str, Providers]) -> list[ConnectionSnapshot]:
    with spinner("Re-reading NetBox and Proxmox VE") as progress:
        return snapshot_all(config, providers, progress)


def saved_plan_connections(config: NetmoxConfig, plan: Plan) -> list[str]:
    names = list(dict.fromkeys([info.name for info in plan.connections] + [c.connection for c in plan.changes]))
    return select_connections(config, names)


def execute(
    plan: Plan,
    snapshots: list[ConnectionSnapshot],
    providers: dict[str, Providers],
    policy: PolicyConfig,
    store: HistoryStore,
    out: Console,
    command: str,
    refused: list[Refusal] | None = None,
) -> ApplyReport:
    """Run the executor inside a history run; the run row gets its outcome even if the executor raises."""
    user = environment.os_user()
    run_id = store.start_run(
        RunStart(
            user=user,
            host=environment.host_name(),
            origin=environment.detect_origin(),
            command=command,
            prefer=plan.policy.prefer.value if plan.policy.prefer else None,
            policy=plan.policy.model_dump(mode="json"),
            plan_digest=plan_digest(plan),
        )
    )
    outcome = "failed"
    try:
        context = ApplyContext(
            run_id=run_id, user=user, allow_stop=policy.allow_stop, shutdown_timeout=policy.shutdown_timeout
        )
        total = sum(1 for change in plan.changes if change.action.writes) + len(refused or [])
        with ProgressView(out, total) as view:
            recorder = HistoryRecorder(store, run_id)
            executor = Executor(providers, {s.name: s for s in snapshots}, context, recorder, view)
            report = executor.run(plan, refused or [])
        if report.ok and not any(s.error for s in snapshots):
            outcome = "succeeded"
        return report
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: what was sent is in the history as "sent"
        outcome = INTERRUPTED
        raise
    finally:
        store.finish_run(run_id, outcome)


def plan_and_confirm(
    config: NetmoxConfig,
    providers: dict[str, Providers],
    policy: PolicyConfig,
    store: HistoryStore,
    out: Console,
    *,
    interactive: bool,
    auto_approve: bool,
    no_color: bool,
) -> tuple[Plan, list[ConnectionSnapshot]]:
    """Plan, let the user re-choose directions, show, confirm; then re-read both sides for the basis check."""
    with spinner("Reading NetBox and Proxmox VE") as progress:
        plan, snapshots = make_plan(config, providers, policy, progress, orphans=store)
    if interactive:
        plan = choose_directions(plan, out)
    print_plan(plan, Format.TEXT, no_color=no_color)
    if not plan.summary.changes:
        raise typer.Exit(1 if report_connection_errors(plan) else 0)
    warning = destructive_warning(plan)
    if warning is not None:
        out.print(warning)
    if auto_approve:
        return plan, snapshots
    confirm(out)
    return plan, fresh_snapshots(config, providers)


def confirm_saved(
    config: NetmoxConfig,
    providers: dict[str, Providers],
    saved: Plan,
    plan_file: Path,
    policy: PolicyConfig,
    store: HistoryStore,
    out: Console,
    *,
    auto_approve: bool,
    no_color: bool,
) -> tuple[Plan, list[ConnectionSnapshot], list[Refusal]]:
    """Re-derive the saved plan, show what is still true and what is refused, confirm, then re-read."""
    with spinner("Reading NetBox and Proxmox VE") as progress:
        fresh, snapshots = make_plan(config, providers, policy, progress, orphans=store)
    result = rederive(saved, fresh, basis_now(snapshots))
    print_plan(result.plan, Format.TEXT, no_color=no_color)
    for refusal in result.refused:
        out.print(Text(f"{refusal.change.ref}: not applied: {refusal.reason}", style="bold red"))
    saved_writes = sum(1 for change in saved.changes if change.action.writes)
    if not result.plan.summary.changes:
        if result.refused:  # nothing to write: no confirmation needed to record what was refused
            return result.plan, snapshots, result.refused
        raise typer.Exit(1 if report_connection_errors(result.plan) else 0)
    warning = destructive_warning(result.plan)
    if warning is not None:
        out.print(warning)
    still = sum(1 for change in result.plan.changes if change.action.writes)
    out.print(
        Text(f"Applying {plan_file} (made {saved.created:%Y-%m-%d %H:%M} UTC): {still} of {saved_writes} changes")
    )
    if auto_approve:
        return result.plan, snapshots, result.refused
    confirm(out, SAVED_NO_TERMINAL_HINT)
    return result.plan, fresh_snapshots(config, providers), result.refused


def basis_now(snapshots: list[ConnectionSnapshot]) -> Callable[[Change], str]:
    """The fingerprint a change's object has in ``snapshots`` (to tell stale from tampered)."""
    by_name = {snapshot.name: snapshot for snapshot in snapshots}

    def of(change: Change) -> str:
        snapshot = by_name.get(change.connection)
        if snapshot is None or snapshot.error is not None:
            return change.basis  # the executor reports the connection's error
        return fingerprint(
            find_object(snapshot.state(Side.NETBOX), change.kind, change.key),
            find_object(snapshot.state(Side.PROXMOX), change.kind, change.key),
        )

    return of


def command(
    ctx: typer.Context,
    plan_file: Annotated[
        Path | None,
        typer.Argument(metavar="[PLAN.json]", help="Apply exactly this saved plan.", autocompletion=complete_plan_file),
    ] = None,
    config: options.ConfigOption = None,
    connection: options.ConnectionOption = None,
    prefer: options.PreferOption = None,
    allow_delete: options.AllowDeleteOption = False,
    policy_file: options.PolicyOption = None,
    max_deletes: options.MaxDeletesOption = None,
    auto_approve: Annotated[bool, typer.Option("--auto-approve", help="Apply without asking for 'yes'.")] = False,
    interactive: Annotated[
        bool, typer.Option("--interactive", "-i", help="Choose NetBox value / Proxmox value / skip per difference.")
    ] = False,
    lock_timeout: Annotated[
        float, typer.Option("--lock-timeout", min=0, help="Seconds to wait for another run's connection lock.")
    ] = DEFAULT_LOCK_TIMEOUT,
    history: options.HistoryOption = None,
    no_color: options.NoColorOption = False,
) -> None:
    """Apply the plan: make NetBox and Proxmox VE agree."""
    cfg = load(config)
    out = console(no_color=no_color)
    if interactive and not environment.stdin_is_interactive():
        raise Aborted("--interactive needs a terminal", "run it from a terminal, or drop --interactive")
    saved: Plan | None = None
    refused: list[Refusal] = []
    if plan_file is not None:
        if prefer or policy_file or interactive or connection:
            raise ConfigError(
                "a saved plan is applied with the policy it was made with",
                "--prefer, --policy, --connection and --interactive apply to netmox plan",
            )
        saved = read_plan(plan_file)
        # The file's policy, bounded by what the config (and --allow-delete / --max-deletes) allow now.
        policy = recorded_policy(saved.policy, build_policy(cfg, None, None, allow_delete, max_deletes))
        names = saved_plan_connections(cfg, saved)
    else:
        policy = build_policy(cfg, policy_file, prefer, allow_delete, max_deletes)
        names = select_connections(cfg, connection)
    with (
        HistoryStore(history_path(history, cfg.history)) as store,
        connection_locks(lock_dir(cfg), names, lock_timeout),
        open_providers(cfg, names) as providers,
    ):
        if saved is not None and plan_file is not None:
            plan, snapshots, refused = confirm_saved(
                cfg, providers, saved, plan_file, policy, store, out, auto_approve=auto_approve, no_color=no_color
            )
        else:
            plan, snapshots = plan_and_confirm(
                cfg,
                providers,
                policy,
                store,
                out,
                interactive=interactive,
                auto_approve=auto_approve,
                no_color=no_color,
            )
        report = execute(plan, snapshots, providers, policy, store, out, invocation(ctx), refused)
    out.print(Text(final_line(report), style="bold" if report.ok else "bold red"))
    print_stderr_summary(report)
    unreadable = [snapshot.info.error for snapshot in snapshots if snapshot.error is not None]
    for error in unreadable:
        print(f"error: {error}", file=sys.stderr)
    if not report.ok or unreadable:
        raise typer.Exit(1)
