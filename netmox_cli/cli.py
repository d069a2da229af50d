"""The ``netmox`` command: the typer app, its global options, and the one place errors become exit codes.

Every command is wrapped by ``guarded``: a ``NetmoxError`` becomes one line on stderr and its exit code;
anything unexpected becomes one line too, with the traceback only under ``--debug`` / ``NETMOX_DEBUG=1``.
Usage errors (unknown option, bad value) exit 1 as terraform's do, never click's 2: under
``plan --detailed-exitcode`` 2 means "changes present", and a CI gate must not read a typo as drift.
Both pass through the redactor (netmox_cli/redact.py), as does everything on stdout, stderr and the log.
"""

from __future__ import annotations

import functools
import logging
import signal
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperGroup

from netmox_cli import __version__
from netmox_cli.commands import _common, apply, check, history, init, plan, show, snapshot, watch
from netmox_cli.environment import NETMOX_DEBUG
from netmox_cli.errors import Interrupted, NetmoxError
from netmox_cli.redact import REDACTOR, guard_streams, install_logging, redact, redacted_traceback
from netmox_cli.render.safe import safe

try:  # typer >= 0.20 vendors click; older versions use click itself
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover
    from click.exceptions import ClickException, NoArgsIsHelpError, UsageError  # type: ignore[no-redef]

F = TypeVar("F", bound=Callable[..., Any])
USAGE_EXIT_CODE = 1


def usage_line(error: UsageError) -> str:
    """Click's multi-line usage complaint as one line naming the flag and where the help is."""
    message = " ".join(error.format_message().split()).replace("Value error, ", "").rstrip(".")
    where = error.ctx.command_path if error.ctx is not None else "netmox"
    return f"{message}; see {where} --help"


class NetmoxGroup(TyperGroup):
    """The root command: parses as typer does, but a usage error is one stderr line and exit 1."""

    def main(self, args: Any = None, prog_name: str | None = None, *more: Any, **extra: Any) -> Any:
        standalone = extra.pop("standalone_mode", True)
        try:
            code = super().main(args, prog_name, *more, standalone_mode=False, **extra)
        except NoArgsIsHelpError as error:
            error.show()
            code = USAGE_EXIT_CODE
        except UsageError as error:
            print(f"error: {usage_line(error)}", file=sys.stderr)
            code = USAGE_EXIT_CODE
        except ClickException as error:
            print(f"error: {' '.join(error.format_message().split())}", file=sys.stderr)
            code = USAGE_EXIT_CODE
        except typer.Abort:
            print("error: aborted", file=sys.stderr)
            code = 1
        if not standalone:
            return code
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    name="netmox",
    cls=NetmoxGroup,
    help="Keep NetBox and Proxmox VE in agreement: snapshot both, plan the differences, apply them.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def fail(message: str, code: int) -> typer.Exit:
    """The user's error line: secrets masked, and text quoted from either side unable to forge a line."""
    print(f"error: {safe(redact(message))}", file=sys.stderr)
    return typer.Exit(code)


def guarded(function: F) -> F:
    """Turn expected failures into one stderr line and an exit code; tracebacks only when debugging."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except NetmoxError as error:
            if _common.GLOBAL.debug:
                sys.stderr.write(redacted_traceback())
            raise fail(error.one_line(), error.exit_code) from None
        except KeyboardInterrupt as error:
            signum = error.signum if isinstance(error, Interrupted) else signal.SIGINT
            raise fail(f"interrupted ({signal.Signals(signum).name})", 128 + signum) from None
        except Exception as error:
            if _common.GLOBAL.debug:  # printed here, not by Python, so that the redactor sees it
                sys.stderr.write(redacted_traceback())
                raise fail(f"unexpected {type(error).__name__}: {error}", 1) from None
            raise fail(f"unexpected {type(error).__name__}: {error} (run with --debug for the traceback)", 1) from None

    return wrapper  # type: ignore[return-value]


def _print_version(value: bool) -> None:
    if value:
        print(f"netmox {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    debug: Annotated[bool, typer.Option("--debug", envvar=NETMOX_DEBUG, help="Show tracebacks.")] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colour (also when NO_COLOR is set).")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """netmox: plan first, then apply."""
    REDACTOR.clear()  # secrets are registered by this run's config load
    guard_streams()
    install_logging()
    # --debug shows netmox's own debug records (contained failures with their tracebacks), redacted.
    logging.getLogger("netmox_cli").setLevel(logging.DEBUG if debug else logging.NOTSET)
    _common.GLOBAL.debug = debug
    _common.GLOBAL.no_color = no_color


app.command("plan")(guarded(plan.command))
app.command("show")(guarded(show.command))
app.command("apply")(guarded(apply.command))
app.command("check")(guarded(check.command))
app.command("init")(guarded(init.command))
app.command("snapshot")(guarded(snapshot.command))
app.command("watch")(guarded(watch.command))
history_app = typer.Typer(
    help="Past apply runs and the changes they made.", pretty_exceptions_enable=False, rich_markup_mode=None
)
history_app.callback(invoke_without_command=True)(guarded(history.list_runs))
history_app.command("show")(guarded(history.show_run))
app.add_typer(history_app, name="history")


def _terminated(signum: int, frame: object) -> None:
    raise Interrupted(signum)


def main() -> None:
    signal.signal(signal.SIGTERM, _terminated)  # end like Ctrl-C: history run interrupted, locks released
    app(prog_name="netmox")
