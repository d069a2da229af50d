"""Option declarations shared by several commands, so each flag reads and behaves the same everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from netmox_cli.commands._common import Format, SideName
from netmox_cli.commands.completion import complete_connection, complete_plan_file
from netmox_cli.environment import NETMOX_CONFIG, NETMOX_HISTORY

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help=f"netmox.toml to use [env: {NETMOX_CONFIG}; default: ./netmox.toml]."),
]
ConnectionOption = Annotated[
    list[str] | None,
    typer.Option(
        "--connection",
        metavar="NAME",
        help="Work on this connection only (repeatable); default: all.",
        autocompletion=complete_connection,
    ),
]
PreferOption = Annotated[
    SideName | None,
    typer.Option("--prefer", case_sensitive=False, help="Which side wins by default (overrides the policy)."),
]
AllowDeleteOption = Annotated[
    bool, typer.Option("--allow-delete", help="Let the plan delete objects missing on the preferred side.")
]
MaxDeletesOption = Annotated[
    int | None,
    typer.Option(
        "--max-deletes",
        min=0,
        help="Most deletes per connection in one run; more turn all of them into conflicts [default: 10].",
    ),
]
PolicyOption = Annotated[
    Path | None, typer.Option("--policy", help="A policy TOML file merged over the config's [policy].")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the plan as JSON (same as --format json).")]
FormatOption = Annotated[
    Format | None, typer.Option("--format", case_sensitive=False, help="text, json, markdown or html.")
]
NoColorOption = Annotated[bool, typer.Option("--no-color", help="No colour (also: NO_COLOR set, or not a terminal).")]
HistoryOption = Annotated[
    Path | None,
    typer.Option("--history", help=f"History database [env: {NETMOX_HISTORY}; default: config, then user data dir]."),
]
PlanFileArgument = Annotated[
    Path,
    typer.Argument(metavar="PLAN.json", help="A plan saved by netmox plan --out.", autocompletion=complete_plan_file),
]
