"""`netmox check`, `init`, `snapshot` and `history`: output and exit codes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from cli_cases import EXAMPLE, Netmox

from netmox_cli.history import HistoryStore, RunStart
from netmox_cli.model.state import Side
from netmox_cli.providers.file import read_snapshot


def test_check_reports_each_side_of_each_connection_and_exits_0(netmox: Netmox) -> None:
    result = netmox("check", "--config", EXAMPLE / "netmox.toml")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ok   homelab NetBox ")
    assert any(line.startswith("ok   homelab Proxmox VE ") for line in lines)


def test_check_exits_1_and_says_what_failed_when_a_side_cannot_be_read(netmox: Netmox, homelab: Path) -> None:
    (homelab.parent / "proxmox.json").unlink()
    result = netmox("check", "--config", homelab)
    assert result.exit_code == 1
    assert any(line.startswith("ok   homelab NetBox ") for line in result.stdout.splitlines())
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAIL homelab Proxmox VE ")]
    assert failed and "proxmox.json: no such snapshot file" in failed[0]


def test_init_without_a_netbox_server_has_nothing_to_do(netmox: Netmox) -> None:
    result = netmox("init", "--config", EXAMPLE / "netmox.toml")
    assert result.exit_code == 0
    assert result.stdout == 'No selected connection has a NetBox server (type = "netbox"); nothing to initialize.\n'


def test_snapshot_writes_a_file_the_file_provider_reads_back(netmox: Netmox, tmp_path: Path) -> None:
    out = tmp_path / "pve.json"
    result = netmox(
        "snapshot", "--config", EXAMPLE / "netmox.toml", "--connection", "homelab", "--side", "proxmox", "--out", out
    )
    assert result.exit_code == 0
    assert result.stdout == f"Wrote the Proxmox VE side of homelab (3 nodes, 16 guests) to {out}\n"
    written = read_snapshot(out, Side.PROXMOX)
    assert written.identity == f"file {(EXAMPLE / 'proxmox.json').resolve()}"  # where it was read from
    assert written.model_copy(update={"identity": None}) == read_snapshot(EXAMPLE / "proxmox.json", Side.PROXMOX)


def test_snapshot_of_an_unknown_connection_is_an_error(netmox: Netmox, tmp_path: Path) -> None:
    result = netmox(
        "snapshot",
        "--config",
        EXAMPLE / "netmox.toml",
        "--connection",
        "x",
        "--side",
        "netbox",
        "--out",
        tmp_path / "x.json",
    )
    assert result.exit_code == 1
    assert result.stderr == "error: unknown connection 'x'; the config defines: homelab\n"


def test_history_with_no_runs_says_so(netmox: Netmox, tmp_path: Path) -> None:
    HistoryStore(tmp_path / "history.sqlite").close()
    result = netmox("history")
    assert (result.exit_code, result.stdout) == (0, "No runs recorded yet.\n")
    assert netmox("history", "--json").stdout == "[]\n"


def test_history_where_there_is_no_database_says_so_and_creates_nothing(netmox: Netmox, tmp_path: Path) -> None:
    result = netmox("history", "--history", tmp_path / "typo" / "x.sqlite")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        f"No runs recorded yet: there is no history database at {tmp_path / 'typo' / 'x.sqlite'} (apply creates it).\n"
    )
    assert netmox("history", "--history", tmp_path / "typo" / "x.sqlite", "--json").stdout == "[]\n"
    shown = netmox("history", "--history", tmp_path / "typo" / "x.sqlite", "show", "1")
    assert (shown.exit_code, shown.stderr) == (
        1,
        f"error: no run 1: there is no history database at {tmp_path / 'typo' / 'x.sqlite'} yet; check --history\n",
    )
    assert not (tmp_path / "typo").exists()


def test_history_refuses_a_database_that_is_not_netmox_and_leaves_it_alone(netmox: Netmox, tmp_path: Path) -> None:
    other = tmp_path / "photos.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE albums (id INTEGER)")
    before = other.read_bytes()
    result = netmox("history", "--history", other)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: {other}: not a netmox history database (it has tables albums); "
        "pass --history or set NETMOX_HISTORY to netmox's own history database\n"
    )
    assert other.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["photos.sqlite"]


def test_history_show_of_an_unknown_run_is_an_error(netmox: Netmox, tmp_path: Path) -> None:
    HistoryStore(tmp_path / "history.sqlite").close()
    result = netmox("history", "show", "7")
    assert result.exit_code == 1
    assert result.stderr == f"error: no run 7 in {tmp_path / 'history.sqlite'}; list the runs with netmox history\n"


def test_history_limit_shows_the_newest_runs_first(netmox: Netmox, tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "history.sqlite") as store:
        for _ in range(3):
            store.finish_run(store.start_run(RunStart(user="u", host="h", origin="cron", command="netmox apply")), "ok")
    runs = json.loads(netmox("history", "--limit", "2", "--json").stdout)
    assert [run["id"] for run in runs] == [3, 2]
    assert len(netmox("history").stdout.splitlines()) == 4  # header + 3 runs


def test_history_option_names_the_database(netmox: Netmox, homelab: Path, tmp_path: Path) -> None:
    custom = tmp_path / "elsewhere.sqlite"
    netmox("apply", "--config", homelab, "--auto-approve", "--history", custom)
    assert "succeeded" in netmox("history", "--history", custom).stdout
    assert netmox("history").stdout.startswith("No runs recorded yet: there is no history database at ")


def test_init_reports_an_unreachable_netbox_in_one_line(netmox: Netmox, tmp_path: Path) -> None:
    config = tmp_path / "netmox.toml"
    config.write_text(
        "[connections.lab]\n"
        'netbox = { type = "netbox", url = "http://127.0.0.1:9", token = "0123456789abcdef0123456789abcdef01234567" }\n'
        'proxmox = { type = "file", path = "proxmox.json" }\n'
    )
    result = netmox("init", "--config", config)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot reach NetBox at http://127.0.0.1:9 ")
    assert result.stderr.count("\n") == 1


def test_reading_commands_create_no_file_or_folder(netmox: Netmox, homelab: Path, tmp_path: Path) -> None:
    plan_file = tmp_path / "saved-plan.json"
    netmox("plan", "--config", homelab, "--out", plan_file)  # the one write asked for
    before = sorted(p for p in tmp_path.rglob("*"))
    for args in (
        ("plan", "--config", homelab),
        ("plan", "--config", homelab, "--json"),
        ("plan", "--config", homelab, "--format", "markdown", "--detailed-exitcode"),
        ("show", plan_file),
        ("check", "--config", homelab),
        ("history",),
        ("history", "--history", tmp_path / "typo" / "x.sqlite"),
        ("history", "show", "1"),
    ):
        netmox(*args)
    assert sorted(p for p in tmp_path.rglob("*")) == before
    assert not (tmp_path / "history.sqlite").exists() and not (tmp_path / "locks").exists()
