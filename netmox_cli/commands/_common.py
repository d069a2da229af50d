"""What several commands share: consoles, config and policy loading, the snapshot spinner, plan files."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum, StrEnum
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console

from netmox_cli.config import find_config, load_config, load_policy
from netmox_cli.config.schema import NetmoxConfig, PolicyConfig
from netmox_cli.environment import NETMOX_LOCK_DIR, NO_COLOR, command_line, default_lock_dir
from netmox_cli.errors import ConfigError
from netmox_cli.history import HistoryStore, history_path
from netmox_cli.model.plan import FORMAT_VERSION, Plan
from netmox_cli.model.state import Side
from netmox_cli.providers.base import Progress
from netmox_cli.redact import redact
from netmox_cli.render.html_view import render_html
from netmox_cli.render.json_view import render_json
from netmox_cli.render.markdown import render_markdown
from netmox_cli.render.text import plan_lines
from netmox_cli.textfiles import parse_json, read_utf8, too_deep


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    HTML = "html"


class SideName(StrEnum):
    NETBOX = "netbox"
    PROXMOX = "proxmox"


@dataclass
class GlobalOptions:
    """Options of the ``netmox`` command itself, set by the root callback before any command runs."""

    debug: bool = False
    no_color: bool = False


GLOBAL = GlobalOptions()


def console(*, stderr: bool = False, no_color: bool = False) -> Console:
    """A console that never interprets user data as markup; colour only on a terminal, never with NO_COLOR."""
    stream = sys.stderr if stderr else sys.stdout
    plain = no_color or GLOBAL.no_color or NO_COLOR in os.environ or not stream.isatty()
    return Console(
        file=stream,
        markup=False,
        highlight=False,
        emoji=False,
        soft_wrap=True,
        no_color=plain,
        color_system=None if plain else "auto",
        stderr=stderr,
    )


def invocation(ctx: typer.Context) -> str:
    """The command line as netmox understood it (options that differ from their defaults), secrets masked.

    Rebuilt from the parsed parameters rather than ``sys.argv``, so it is the same however netmox was started.
    """
    words = ctx.command_path.split()
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if value is None or value is False or value == [] or value == param.default:
            continue
        values = value if isinstance(value, list | tuple) else [value]
        texts = [str(v.value if isinstance(v, Enum) else v) for v in values]
        if param.param_type_name == "argument":
            words.extend(texts)
        elif getattr(param, "is_flag", False):
            words.append(param.opts[0])
        else:
            for text in texts:
                words.extend([param.opts[0], text])
    return command_line(words)


def load(config_path: Path | None) -> NetmoxConfig:
    return load_config(find_config(config_path))


def build_policy(
    config: NetmoxConfig,
    policy_file: Path | None,
    prefer: SideName | None,
    allow_delete: bool | None,
    max_deletes: int | None = None,
) -> PolicyConfig:
    """Config ``[policy]``, then ``--policy FILE``, then the command-line flags, each winning over the last."""
    policy = config.policy
    if policy_file is not None:
        policy = policy.merged(load_policy(policy_file))
    flags: dict[str, object] = {}
    if prefer is not None:
        flags["prefer"] = Side(prefer.value)
    if allow_delete:
        flags["allow_delete"] = True
    if max_deletes is not None:
        flags["max_deletes"] = max_deletes
    return policy.merged(PolicyConfig(**flags)) if flags else policy


def lock_dir(config: NetmoxConfig) -> Path:
    if os.environ.get(NETMOX_LOCK_DIR):
        return Path(os.environ[NETMOX_LOCK_DIR])
    return config.lock_dir or default_lock_dir()


@contextmanager
def spinner(message: str) -> Iterator[Progress]:
    """A spinner on stderr while snapshots are taken (only on a terminal); yields the progress callback."""
    err = console(stderr=True)
    if not err.is_terminal:
        yield lambda _text: None
        return
    with err.status(message) as status:
        yield lambda text: status.update(f"{message} {text}")


def print_plan(plan: Plan, fmt: Format, *, no_color: bool = False) -> None:
    if fmt is Format.JSON:
        sys.stdout.write(render_json(plan))
    elif fmt is Format.MARKDOWN:
        sys.stdout.write(render_markdown(plan))
    elif fmt is Format.HTML:
        sys.stdout.write(render_html(plan))
    else:
        out = console(no_color=no_color)
        for line in plan_lines(plan):
            out.print(line)


def choose_format(fmt: Format | None, as_json: bool) -> Format:
    if as_json:
        if fmt not in (None, Format.JSON):
            raise ConfigError("--json and --format conflict", "use one of them")
        return Format.JSON
    return fmt or Format.TEXT


def read_plan(path: Path) -> Plan:
    """A saved plan; anything else (missing, not JSON, other format version, wrong shape) is a ConfigError."""
    raw = read_utf8(path, "plan file", "save one with netmox plan --out FILE")
    data = parse_json(path, raw, "plan file")
    if not isinstance(data, dict) or "format_version" not in data:
        raise ConfigError(f"{path}: not a plan file (no format_version)", "save one with netmox plan --out FILE")
    if data["format_version"] != FORMAT_VERSION:
        raise ConfigError(
            f"{path}: plan format_version {data['format_version']!r} is not supported (expected {FORMAT_VERSION})",
            "make the plan again with this netmox version",
        )
    try:
        return Plan.model_validate(data)
    except RecursionError:
        raise too_deep(path, "plan file") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"{path}: not a valid plan ({where}: {first['msg']})") from None


def write_plan(plan: Plan, path: Path) -> None:
    """The plan file, with every configured secret masked (an error message in it may quote one)."""
    try:
        path.write_text(redact(render_json(plan)), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the plan ({exc.strerror})") from None


@contextmanager
def orphan_ledger(policy: PolicyConfig, history: Path | None, config: NetmoxConfig) -> Iterator[HistoryStore | None]:
    """The database that remembers orphans, opened only when ``policy.delete_after`` needs it.

    Without an orphan grace a plan writes nothing anywhere; with one, remembering when each object was
    first seen one-sided is the feature.
    """
    if policy.delete_after <= 0:
        yield None
        return
    with HistoryStore(history_path(history, config.history)) as store:
        yield store
