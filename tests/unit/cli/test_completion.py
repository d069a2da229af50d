"""Shell completion: connection names from the config for --connection, saved plans for apply/show; a broken
or missing config completes nothing and never fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netmox_cli.cli import app
from netmox_cli.commands.completion import connection_names, plan_files

CONFIG = """
[connections.east]
netbox = { type = "file", path = "nb.json" }
proxmox = { type = "file", path = "pve.json", token_value = "${UNSET_SECRET_VARIABLE}" }
[connections.west]
netbox = { type = "file", path = "nb.json" }
proxmox = { type = "file", path = "pve.json" }
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NETMOX_CONFIG", raising=False)
    (tmp_path / "netmox.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def test_connection_names_come_from_the_config_unresolved(workdir: Path) -> None:
    assert connection_names(None) == ["east", "west"]  # ./netmox.toml; ${…} never resolved
    assert connection_names(None, "w") == ["west"]
    assert connection_names(workdir / "netmox.toml", "e") == ["east"]


def test_netmox_config_is_used_when_no_config_option(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = workdir / "other.toml"
    other.write_text("[connections.north]\n", encoding="utf-8")
    monkeypatch.setenv("NETMOX_CONFIG", str(other))
    assert connection_names(None) == ["north"]


@pytest.mark.parametrize("content", [b"[connections\n", b"connections = 3\n", b"\xff\xfe not utf-8", None], ids=str)
def test_a_broken_or_missing_config_completes_nothing(workdir: Path, content: bytes | None) -> None:
    path = workdir / "netmox.toml"
    if content is None:
        path.unlink()
    else:
        path.write_bytes(content)
    assert connection_names(None) == []
    assert connection_names(workdir / "no-such-dir" / "netmox.toml") == []


def test_plan_files_are_json_files_and_folders(workdir: Path) -> None:
    (workdir / "plan.json").write_text("{}")
    (workdir / "notes.txt").write_text("")
    (workdir / "plans").mkdir()
    (workdir / "plans" / "monday.json").write_text("{}")
    (workdir / ".hidden.json").write_text("{}")
    assert plan_files("") == ["plan.json", "plans/"]
    assert plan_files("plans/") == ["plans/monday.json"]
    assert plan_files("plans/m") == ["plans/monday.json"]
    assert plan_files("nothing/") == []
    assert plan_files(".h") == [".hidden.json"]
    assert plan_files(str(workdir) + "/pl") == [f"{workdir}/plan.json", f"{workdir}/plans/"]


def complete(args: str, cwd: Path, **env: str) -> list[str]:
    """What bash would get on <Tab> after ``args``: typer's completion protocol, through the real command."""
    words = f"netmox {args}"
    environment = {key: value for key, value in os.environ.items() if key != "NETMOX_CONFIG"}
    environment.update(_NETMOX_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=str(len(words.split(" ")) - 1))
    environment.update(env)
    netmox = shutil.which("netmox", path=str(Path(sys.executable).parent)) or "netmox"
    done = subprocess.run([netmox], cwd=cwd, env=environment, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return done.stdout.split()


def test_bash_completion_offers_the_configs_connection_names(workdir: Path) -> None:
    assert complete("plan --connection ", workdir) == ["east", "west"]
    assert complete("check --connection w", workdir) == ["west"]
    (workdir / "lab.toml").write_text("[connections.lab]\n", encoding="utf-8")
    assert complete("apply --config lab.toml --connection ", workdir) == ["lab"]
    assert complete("init --connection ", workdir, NETMOX_CONFIG="lab.toml") == ["lab"]
    (workdir / "netmox.toml").write_text("[connections", encoding="utf-8")
    assert complete("plan --connection ", workdir) == []


def test_bash_completion_offers_saved_plans_for_show_and_apply(workdir: Path) -> None:
    (workdir / "plan.json").write_text("{}")
    assert complete("show ", workdir) == ["plan.json"]
    assert complete("apply p", workdir) == ["plan.json"]


def test_show_completion_prints_the_bash_script(monkeypatch: pytest.MonkeyPatch) -> None:
    # typer's switch that makes the shell an argument rather than detected from the process tree; read when
    # the command is built, before CliRunner's env= applies
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    result = CliRunner().invoke(app, ["--show-completion", "bash"], prog_name="netmox")
    assert result.exit_code == 0
    assert "_NETMOX_COMPLETE=complete_bash" in result.stdout
    assert "complete -o default -F _netmox_completion netmox" in result.stdout
