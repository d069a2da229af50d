"""Run origin detection and secret-free command lines, as recorded with every run."""

from __future__ import annotations

import io
import sys

from netmox_cli.commands import plan as plan_command
from netmox_cli.commands._common import console
from netmox_cli.environment import command_line, detect_origin


def test_origin_is_ci_under_a_ci_system_whatever_the_terminal() -> None:
    assert detect_origin({"GITHUB_ACTIONS": "true"}, stdin_tty=True) == "ci"
    assert detect_origin({"GITLAB_CI": "true"}, stdin_tty=False) == "ci"
    assert detect_origin({"CI": "1"}, stdin_tty=True) == "ci"


def test_origin_is_cron_without_a_terminal_and_terminal_with_one() -> None:
    assert detect_origin({}, stdin_tty=False) == "cron"
    assert detect_origin({"CI": "false"}, stdin_tty=True) == "terminal"


def test_command_line_masks_secret_values() -> None:
    argv = ["/usr/bin/netmox", "apply", "--token", "abc", "--password=xyz", "NETBOX_TOKEN=t", "--prefer", "netbox"]
    assert command_line(argv) == "netmox apply --token *** --password=*** NETBOX_TOKEN=*** --prefer netbox"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(sys, "stdout", _Terminal())
    assert console().color_system is not None
    assert console(no_color=True).color_system is None
    monkeypatch.setenv("NO_COLOR", "1")
    assert console().color_system is None
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    monkeypatch.delenv("NO_COLOR")
    assert console().color_system is None


def test_an_unexpected_error_is_one_line_without_debug_and_a_traceback_with_it(netmox, monkeypatch) -> None:
    from cli_cases import EXAMPLE

    def broken(*args, **kwargs):
        raise RuntimeError("planner bug")

    monkeypatch.setattr(plan_command, "make_plan", broken)
    result = netmox("plan", "--config", EXAMPLE / "netmox.toml")
    assert result.exit_code == 1
    assert result.stderr == "error: unexpected RuntimeError: planner bug (run with --debug for the traceback)\n"
    monkeypatch.setenv("NETMOX_DEBUG", "1")
    result = netmox("plan", "--config", EXAMPLE / "netmox.toml")
    assert result.exit_code == 1
    assert result.stderr.startswith("Traceback (most recent call last)")  # printed by netmox, through the redactor
    assert result.stderr.endswith("RuntimeError: planner bug\nerror: unexpected RuntimeError: planner bug\n")
