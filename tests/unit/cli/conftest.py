"""Fixtures for CLI tests: an isolated environment, the netmox command in-process, a copy of the example."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_cases import EXAMPLE, Netmox
from typer.testing import CliRunner, Result

from netmox_cli.cli import app
from netmox_cli.environment import CI_VARIABLES


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """History and locks in tmp_path; no CI, colour or debug settings leaking in from the real environment."""
    monkeypatch.setenv("NETMOX_HISTORY", str(tmp_path / "history.sqlite"))
    monkeypatch.setenv("NETMOX_LOCK_DIR", str(tmp_path / "locks"))
    for name in ("NETMOX_CONFIG", "NO_COLOR", "NETMOX_DEBUG", *CI_VARIABLES):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def netmox() -> Netmox:
    """Run the netmox command in-process: ``netmox("plan", "--config", path, input="yes\\n")``."""

    def run(*args: object, input: str | None = None) -> Result:
        return CliRunner().invoke(app, [str(arg) for arg in args], input=input, catch_exceptions=False)

    return run


@pytest.fixture
def homelab(tmp_path: Path) -> Path:
    """A writable copy of examples/homelab; returns its netmox.toml."""
    target = tmp_path / "homelab"
    shutil.copytree(EXAMPLE, target)
    return target / "netmox.toml"
