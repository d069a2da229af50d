"""``netmox apply [PLAN.json]``: carry out a plan, under the connection locks, recording every change.

Without a file: plan, show, confirm (only ``yes``), then re-read both sides so the basis check sees what
is there *now*. With a file: re-read both sides, plan again with the file's recorded policy (bounded by
the config's limits), and apply only the saved changes netmox derives identically now; every other
saved change is refused with its reason (``engine/saved.py``). The workflow is the engine's
(``engine/operation.py``); this command supplies the terminal's part: the prompt and what is printed.
"""

from __future__ import annotations

import sys
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
from netmox_cli.config.schema import NetmoxConfig
from netmox_cli.engine.operation import ApplyOperation, ApplyRequest, Approval, Decide, Proposal, RunOrigin
from netmox_cli.engine.session import open_providers, select_connections
from netmox_cli.errors import Aborted, ConfigError
from netmox_cli.history import HistoryStore, history_path
from netmox_cli.model.plan import Plan
from netmox_cli.planner.policy import recorded_policy
from netmox_cli.render.apply_view import ProgressView, destructive_warning, final_line, print_stderr_summary

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


def saved_plan_connections(config: NetmoxConfig, plan: Plan) -> list[str]:
    names = list(dict.fromkeys([info.name for info in plan.connections] + [c.connection for c in plan.changes]))
    return select_connections(config, names)


def terminal_decision(
    out: Console, *, auto_approve: bool, interactive: bool, no_color: bool, plan_file: Path | None = None
) -> Decide:
    """Show the plan (a saved plan: what is still true, and what is refused), warn, ask for ``yes``."""

    def decide(proposal: Proposal) -> Approval | None:
        plan = choose_directions(proposal.plan, out) if interactive else proposal.plan
        print_plan(plan, Format.TEXT, no_color=no_color)
        for refusal in proposal.refused:
            out.print(Text(f"{refusal.change.ref}: not applied: {refusal.reason}", style="bold red"))
        if not plan.summary.changes and not proposal.refused:
            return None
        if not any(change.action.writes for change in plan.changes):
            # nothing to write: no confirmation needed to report differences or record what was refused
            return Approval(plan)
        warning = destructive_warning(plan)
        if warning is not None:
            out.print(warning)
        saved = proposal.saved
        if saved is not None:
            still = sum(1 for change in plan.changes if change.action.writes)
            total = sum(1 for change in saved.changes if change.action.writes)
            out.print(
                Text(f"Applying {plan_file} (made {saved.created:%Y-%m-%d %H:%M} UTC): {still} of {total} changes")
            )
        if auto_approve:
            return Approval(plan)
        confirm(out, NO_TERMINAL_HINT if saved is None else SAVED_NO_TERMINAL_HINT)
        return Approval(plan, waited=True)

    return decide


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
    decide = terminal_decision(
        out, auto_approve=auto_approve, interactive=interactive, no_color=no_color, plan_file=plan_file
    )
    request = ApplyRequest(
        policy=policy, command=invocation(ctx), origin=RunOrigin.command_line(), decide=decide, saved=saved
    )
    with (
        HistoryStore(history_path(history, cfg.history)) as store,
        open_providers(cfg, names) as providers,
    ):
        operation = ApplyOperation(
            cfg,
            providers,
            store,
            lock_dir=lock_dir(cfg),
            lock_timeout=lock_timeout,
            subscribers=[ProgressView(out)],
            progress=spinner,
        )
        result = operation.run(request)
    if result.report is None:
        raise typer.Exit(1 if report_connection_errors(result.plan) else 0)
    report = result.report
    out.print(Text(final_line(report), style="bold" if report.ok else "bold red"))
    print_stderr_summary(report)
    for error in result.unreadable:
        print(f"error: {error}", file=sys.stderr)
    if not result.ok:
        raise typer.Exit(1)
