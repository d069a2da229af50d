"""The SQLite history store: one row per run, one row per change property, each committed at once.

A run row is inserted whole when the run starts and gets its end and outcome when it finishes; a run
that never finished (the process died) has no end and is shown as ``interrupted``. Change rows are
committed one by one, in the same step as the write they record, so a crash loses nothing applied.
The schema is versioned by the ``schema_migrations`` table; WAL lets ``netmox history`` read while an
apply writes.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from netmox_cli.errors import ConfigError
from netmox_cli.redact import REDACTOR

MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started TEXT NOT NULL,
            finished TEXT,
            user TEXT NOT NULL,
            host TEXT NOT NULL,
            origin TEXT NOT NULL,
            command TEXT NOT NULL,
            prefer TEXT,
            policy TEXT NOT NULL,
            plan_digest TEXT,
            outcome TEXT
        )""",
        """CREATE TABLE changes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            recorded TEXT NOT NULL,
            change_id TEXT NOT NULL,
            connection TEXT NOT NULL,
            target TEXT,
            action TEXT NOT NULL,
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            name TEXT,
            property TEXT,
            before TEXT,
            after TEXT,
            status TEXT NOT NULL,
            error TEXT
        )""",
        "CREATE INDEX changes_by_run ON changes(run_id)",
    ],
    [
        # When a plan first saw each object on one side only (policy.delete_after's orphan grace).
        """CREATE TABLE orphans (
            connection TEXT NOT NULL,
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            side TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            PRIMARY KEY (connection, kind, key, side)
        )""",
    ],
]
INTERRUPTED = "interrupted"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class RunStart(BaseModel):
    """What is known about a run when it starts."""

    user: str
    host: str
    origin: str
    command: str
    prefer: str | None = None
    policy: dict[str, Any] = Field(default_factory=dict)
    plan_digest: str | None = None


class RunRecord(RunStart):
    id: int
    started: str
    finished: str | None = None
    outcome: str | None = Field(default=None, description="succeeded / failed; None while running or if interrupted.")
    changes: int = 0

    @property
    def state(self) -> str:
        return self.outcome if self.finished else INTERRUPTED


class ChangeRecord(BaseModel):
    """One property of one change, as applied (or not)."""

    change_id: str
    connection: str
    target: str | None
    action: str
    kind: str
    key: str
    name: str | None = None
    property: str | None = None
    before: Any = None
    after: Any = None
    status: str
    error: str | None = None
    recorded: str | None = None


class HistoryStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise ConfigError(
                f"{path}: cannot open the history database ({exc})", "check --history / NETMOX_HISTORY"
            ) from None
        except OSError as exc:
            raise ConfigError(f"{path}: cannot create the history database ({exc.strerror})") from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def schema_version(self) -> int:
        row = self._db.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return row[0] or 0

    def _migrate(self) -> None:
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)"
        )
        current = self.schema_version()
        for version, statements in enumerate(MIGRATIONS, start=1):
            if version <= current:
                continue
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for statement in statements:
                    self._db.execute(statement)
                self._db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, _now()))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def start_run(self, run: RunStart) -> int:
        run = RunStart.model_validate(REDACTOR.redact_value(run.model_dump()))  # no secret in the database
        cursor = self._db.execute(
            "INSERT INTO runs (started, user, host, origin, command, prefer, policy, plan_digest)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (_now(), run.user, run.host, run.origin, run.command, run.prefer, json.dumps(run.policy), run.plan_digest),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish_run(self, run_id: int, outcome: str) -> None:
        self._db.execute("UPDATE runs SET finished = ?, outcome = ? WHERE id = ?", (_now(), outcome, run_id))

    def record(self, run_id: int, rows: list[ChangeRecord]) -> None:
        """Store one change's rows in one transaction, committed before returning."""
        rows = [ChangeRecord.model_validate(REDACTOR.redact_value(row.model_dump())) for row in rows]  # no secrets
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for row in rows:
                self._db.execute(
                    "INSERT INTO changes (run_id, recorded, change_id, connection, target, action, kind, key, name,"
                    " property, before, after, status, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        run_id,
                        _now(),
                        row.change_id,
                        row.connection,
                        row.target,
                        row.action,
                        row.kind,
                        row.key,
                        row.name,
                        row.property,
                        json.dumps(row.before),
                        json.dumps(row.after),
                        row.status,
                        row.error,
                    ),
                )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    _RUN_COLUMNS = (
        "runs.id, started, finished, user, host, origin, command, prefer, policy, plan_digest, outcome,"
        " (SELECT count(DISTINCT change_id) FROM changes WHERE changes.run_id = runs.id)"
    )

    @staticmethod
    def _run(row: tuple[Any, ...]) -> RunRecord:
        keys = ("id", "started", "finished", "user", "host", "origin", "command", "prefer", "policy", "plan_digest")
        data = dict(zip(keys, row, strict=False))
        data["policy"] = json.loads(data["policy"] or "{}")
        return RunRecord(**data, outcome=row[10], changes=row[11])

    def runs(self, limit: int = 20) -> list[RunRecord]:
        """The most recent runs, newest first."""
        rows = self._db.execute(f"SELECT {self._RUN_COLUMNS} FROM runs ORDER BY id DESC LIMIT ?", (limit,))
        return [self._run(row) for row in rows]

    def run(self, run_id: int) -> RunRecord | None:
        row = self._db.execute(f"SELECT {self._RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone()
        return self._run(row) if row else None

    def changes(self, run_id: int) -> list[ChangeRecord]:
        rows = self._db.execute(
            "SELECT change_id, connection, target, action, kind, key, name, property, before, after, status, error,"
            " recorded FROM changes WHERE run_id = ? ORDER BY id",
            (run_id,),
        )
        keys = ("change_id", "connection", "target", "action", "kind", "key", "name", "property", "before", "after")
        records = []
        for row in rows:
            data = dict(zip(keys, row, strict=False))
            data["before"], data["after"] = json.loads(row[8]), json.loads(row[9])
            records.append(ChangeRecord(**data, status=row[10], error=row[11], recorded=row[12]))
        return records
