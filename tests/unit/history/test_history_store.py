"""The SQLite history: schema migrations, runs that never finished, rows committed as they are recorded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from netmox_cli.errors import HistoryError
from netmox_cli.history import HistoryRecorder, HistoryStore, RunStart, change_rows, history_path
from netmox_cli.history.store import APPLICATION_ID, MIGRATIONS
from netmox_cli.model.outcomes import ChangeOutcome, ChangeStatus
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
            PropertyChange(name="memory", netbox=4096, proxmox=2048, direction=Direction.NETBOX_TO_PROXMOX, after=4096),
            PropertyChange(
                name="status",
                netbox="offline",
                proxmox="running",
                direction=Direction.NETBOX_TO_PROXMOX,
                after="stopped",
            ),
            PropertyChange(
                name="node", netbox="pve1", proxmox="pve2", direction=Direction.PROXMOX_TO_NETBOX, after="pve2"
            ),
            PropertyChange(name="vcpus", netbox=1.5, proxmox=2, direction=Direction.SKIP, reason="cannot apply"),
        ],
        basis="sha256:0",
    )


def test_a_new_database_is_migrated_to_the_current_schema_once(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "history.sqlite"
    with HistoryStore(path) as store:
        assert store.schema_version() == len(MIGRATIONS)
    with HistoryStore(path) as store:
        assert store.schema_version() == len(MIGRATIONS)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM schema_migrations").fetchone() == (len(MIGRATIONS),)
        assert db.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
        assert db.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
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
        HistoryRecorder(writer, run_id).finished(ChangeOutcome(update_change(), ChangeStatus.APPLIED))
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


def test_an_unreadable_database_is_a_history_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    path.write_text("not a database, just text that is long enough to have a header" * 10)
    with pytest.raises(HistoryError, match="cannot open the history database"):
        HistoryStore(path)


def test_netmox_never_adds_its_tables_to_someone_elses_database(tmp_path: Path) -> None:
    path = tmp_path / "photos.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE albums (id INTEGER)")
    with pytest.raises(HistoryError) as caught:
        HistoryStore(path)
    assert caught.value.one_line() == (
        f"{path}: not a netmox history database (it has tables albums); "
        "pass --history or set NETMOX_HISTORY to netmox's own history database"
    )
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("albums",)]


def test_a_database_marked_by_another_application_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA application_id = 1234")
    with pytest.raises(HistoryError, match=r"not a netmox history database \(application_id 0x4d2\)"):
        HistoryStore(path)


def test_a_database_from_a_newer_netmox_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    HistoryStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    for read_only in (False, True):
        with pytest.raises(HistoryError) as caught:
            HistoryStore(path, read_only=read_only)
        assert caught.value.one_line() == (
            f"{path}: the history database was written by a newer netmox (schema {len(MIGRATIONS) + 1}; "
            f"this netmox knows up to {len(MIGRATIONS)}); upgrade netmox, or pass --history to use another database"
        )


def test_a_database_of_the_previous_netmox_opens_keeps_its_runs_and_gets_marked(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with sqlite3.connect(path, isolation_level=None) as db:  # what netmox wrote before the marker: schema 1
        db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)")
        for statement in MIGRATIONS[0]:
            db.execute(statement)
        db.execute("INSERT INTO schema_migrations VALUES (1, '2026-01-01T00:00:00+00:00')")
        db.execute(
            "INSERT INTO runs (started, finished, user, host, origin, command, policy, outcome)"
            " VALUES ('2026-01-01', '2026-01-01', 'alice', 'box', 'cron', 'netmox apply', '{}', 'succeeded')"
        )
    with HistoryStore(path, read_only=True) as reader:  # a reader sees the old runs and changes nothing
        assert [run.user for run in reader.runs()] == ["alice"]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA application_id").fetchone() == (0,)
    with HistoryStore(path) as store:
        assert store.schema_version() == len(MIGRATIONS)
        assert [run.user for run in store.runs()] == ["alice"]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
        assert db.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall() == [
            (v,) for v in range(1, len(MIGRATIONS) + 1)
        ]
        assert "orphans" in {name for (name,) in db.execute("SELECT name FROM sqlite_master")}


def test_a_reader_creates_nothing_where_there_is_no_database(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="cannot open"):
        HistoryStore(tmp_path / "typo" / "h.sqlite", read_only=True)
    assert list(tmp_path.iterdir()) == []


def test_a_history_path_under_a_regular_file_says_which_file_is_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    with pytest.raises(HistoryError) as caught:
        HistoryStore(tmp_path / "afile" / "h.sqlite")
    assert f"({tmp_path / 'afile'} is a file, not a folder)" in caught.value.message


def test_a_change_is_written_ahead_as_sent_and_completed_in_place(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        run_id = store.start_run(START)
        recorder = HistoryRecorder(store, run_id)
        recorder.sent(update_change())
        assert [(c.property, c.status) for c in store.changes(run_id)] == [("memory", "sent"), ("status", "sent")]
        recorder.finished(ChangeOutcome(update_change(), ChangeStatus.FAILED, "VM 101: storage full"))
        assert [(c.property, c.status, c.error) for c in store.changes(run_id)] == [
            ("memory", "failed", "VM 101: storage full"),
            ("status", "failed", "VM 101: storage full"),
        ]


def test_a_change_never_sent_gets_its_rows_with_the_outcome(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        run_id = store.start_run(START)
        HistoryRecorder(store, run_id).finished(ChangeOutcome(update_change(), ChangeStatus.STALE, "stale: changed"))
        assert {c.status for c in store.changes(run_id)} == {"stale"}
        assert len(store.changes(run_id)) == 2


def test_a_reader_of_an_empty_file_sees_no_runs_and_leaves_it_empty(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    path.touch()
    with HistoryStore(path, read_only=True) as reader:
        assert reader.runs() == [] and reader.run(1) is None
    assert path.read_bytes() == b""
