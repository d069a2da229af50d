"""The SQLite history: schema migrations, runs that never finished, rows committed as they are recorded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from netmox_cli.engine.executor import ChangeOutcome, ChangeStatus
from netmox_cli.errors import ConfigError
from netmox_cli.history import HistoryRecorder, HistoryStore, RunStart, change_rows, history_path
from netmox_cli.model.plan import Action, Change, Direction, Issue, PropertyChange
from netmox_cli.model.state import ObjectKind, Side

START = RunStart(user="alice", host="box", origin="terminal", command="netmox apply", prefer="netbox")


def update_change() -> Change:
    return Change(
        id="lab/qemu/101#proxmox",
        connection="lab",
        kind=ObjectKind.QEMU,
        key="101",
        name="web",
        issue=Issue.MISMATCH,
        action=Action.UPDATE,
        target=Side.PROXMOX,
        properties=[
            PropertyChange(name="memory", netbox=4096, proxmox=2048, direction=Direction.NETBOX_TO_PROXMOX),
            PropertyChange(name="status", netbox="offline", proxmox="running", direction=Direction.NETBOX_TO_PROXMOX),
            PropertyChange(name="node", netbox="pve1", proxmox="pve2", direction=Direction.PROXMOX_TO_NETBOX),
            PropertyChange(name="vcpus", netbox=1.5, proxmox=2, direction=Direction.SKIP, reason="cannot apply"),
        ],
        basis="sha256:0",
    )


def test_a_new_database_is_migrated_to_the_current_schema_once(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "history.sqlite"
    with HistoryStore(path) as store:
        assert store.schema_version() == 1
    with HistoryStore(path) as store:
        assert store.schema_version() == 1
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM schema_migrations").fetchone() == (1,)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_run_that_never_finished_is_shown_as_interrupted(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        run_id = store.start_run(START)
    with HistoryStore(tmp_path / "h.sqlite") as store:
        run = store.run(run_id)
        assert run is not None
        assert (run.finished, run.state) == (None, "interrupted")
        store.finish_run(run_id, "succeeded")
        assert store.run(run_id).state == "succeeded"


def test_recorded_changes_are_visible_to_another_reader_at_once(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with HistoryStore(path) as writer:
        run_id = writer.start_run(START)
        HistoryRecorder(writer, run_id).record(ChangeOutcome(update_change(), ChangeStatus.APPLIED))
        with HistoryStore(path) as reader:
            assert [(c.property, c.status) for c in reader.changes(run_id)] == [
                ("memory", "applied"),
                ("status", "applied"),
            ]
            assert reader.runs()[0].changes == 1


def test_one_row_per_written_property_with_before_and_after_in_target_words() -> None:
    rows = change_rows(update_change(), "applied", None)
    assert [(r.property, r.before, r.after) for r in rows] == [("memory", 2048, 4096), ("status", "running", "stopped")]
    assert {(r.connection, r.target, r.action, r.kind, r.key) for r in rows} == {
        ("lab", "proxmox", "update", "qemu", "101")
    }


def test_a_change_without_written_properties_gets_one_row() -> None:
    delete = update_change().model_copy(update={"action": Action.DELETE, "properties": []})
    [row] = change_rows(delete, "failed", "boom")
    assert (row.property, row.status, row.error) == (None, "failed", "boom")


def test_history_path_precedence_flag_env_config_default(tmp_path: Path) -> None:
    flag, env, configured = tmp_path / "f", tmp_path / "e", tmp_path / "c"
    assert history_path(flag, configured, {"NETMOX_HISTORY": str(env)}) == flag
    assert history_path(None, configured, {"NETMOX_HISTORY": str(env)}) == env
    assert history_path(None, configured, {}) == configured
    assert history_path(None, None, {}).name == "history.sqlite"
    assert history_path(None, None, {}).parent.name == "netmox"


def test_an_unreadable_database_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    path.write_text("not a database, just text that is long enough to have a header" * 10)
    with pytest.raises(ConfigError, match="cannot open the history database"):
        HistoryStore(path)
