"""``netmox show PLAN.json``: render a saved plan."""

from __future__ import annotations

from netmox_cli.commands import options
from netmox_cli.commands._common import choose_format, print_plan, read_plan


def command(
    plan_file: options.PlanFileArgument,
    as_json: options.JsonOption = False,
    fmt: options.FormatOption = None,
    no_color: options.NoColorOption = False,
) -> None:
    """Show a saved plan (--json re-emits it)."""
    print_plan(read_plan(plan_file), choose_format(fmt, as_json), no_color=no_color)
