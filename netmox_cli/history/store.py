"""The SQLite history store: one row per run, one row per change property, each committed at once.

A run row is inserted whole when the run starts and gets its end and outcome when it finishes; a run
that never finished (the process died) has no end and is shown as ``interrupted``. Change rows are
committed one by one, in the same step as the write they record, so a crash loses nothing applied.
The database is marked as netmox's (``PRAGMA application_id``) and its schema version is
``PRAGMA user_version`` (also kept, as before, in ``schema_migrations``): netmox never adds its tables
to a database that is not its own, and never opens one written by a newer netmox. A database made
before the marker existed (``schema_migrations`` and ``runs``, no marker) is recognised and marked.
Readers (``netmox history``) open an existing database without creating, migrating or marking
anything; WAL lets them read while an apply writes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from netmox_cli.errors import HistoryError
from netmox_cli.os_errors import describe_os_error
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
    [
        # What started a run beyond the command line: netmox watch's NetBox request id and NetBox user.
        "ALTER TABLE runs ADD COLUMN request_id TEXT",
        "ALTER TABLE runs ADD COLUMN netbox_user TEXT",
    ],
    [
        # The notify differences already reported, per channel, with the fingerprint of both values then.
        """CREATE TABLE notices (
            connection TEXT NOT NULL,
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            property TEXT NOT NULL,
            channel TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            notified TEXT NOT NULL,
            run_id INTEGER,
            PRIMARY KEY (connection, kind, key, property, channel)
        )""",
    ],
]
SENT = "sent"  # a change's request went out; its outcome is not known (yet)
INTERRUPTED = "interrupted"  # a run cut short by a signal, or that never finished (the process died)
APPLICATION_ID = 0x6E6D7868  # "nmxh": this SQLite file is a netmox history
SCHEMA_VERSION = len(MIGRATIONS)
HINT = "pass --history or set NETMOX_HISTORY to netmox's own history database"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class RunStart(BaseModel):
    """What is known about a run when it starts."""

    user: str
    host: str
    origin: str = Field(description="terminal / ci / cron for the command line, watch for netmox watch.")
    command: str
    prefer: str | None = None
    policy: dict[str, Any] = Field(default_factory=dict)
    plan_digest: str | None = None
    request_id: str | None = Field(default=None, description="The NetBox request that caused a watch run.")
    netbox_user: str | None = Field(default=None, description="The NetBox user who made that change.")


class RunRecord(RunStart):
    id: int
    started: str
    finished: str | None = None
    outcome: str | None = Field(
        default=None, description="succeeded / failed / interrupted; None while running or if the process died."
    )
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
    """The history database at ``path``; ``read_only`` opens an existing one and changes nothing in it."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        try:
            if read_only:
                # mode=rw: never creates the file; closing the last connection removes WAL side files.
                self._db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=rw", uri=True, isolation_level=None)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(path, isolation_level=None)
            self._db.execute("PRAGMA busy_timeout=5000")
            version = self._existing_version()
            self._empty = version == 0  # a reader of a database with no tables yet sees no runs
            self._version = version
            if not read_only:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA foreign_keys=ON")
                self._migrate(version)
                self._empty, self._version = False, SCHEMA_VERSION
        except sqlite3.DatabaseError as exc:
            raise HistoryError(f"{path}: cannot open the history database ({exc})", HINT) from None
        except OSError as exc:
            raise HistoryError(
                f"{path}: cannot create the history database ({describe_os_error(exc)})",
                "pass --history or set NETMOX_HISTORY to a path netmox can create",
            ) from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _tables(self) -> set[str]:
        rows = self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows if not name.startswith("sqlite_")}

    def _existing_version(self) -> int:
        """The schema version already there (0: an empty database); HistoryError if it is not netmox's."""
        application_id = self._db.execute("PRAGMA application_id").fetchone()[0]
        if application_id == APPLICATION_ID:
            version = self.schema_version()
        elif application_id != 0:
            raise HistoryError(f"{self.path}: not a netmox history database (application_id {application_id:#x})", HINT)
        else:
            tables = self._tables()
            if not tables:
                version = 0
            elif {"schema_migrations", "runs", "changes"} <= tables or tables == {"schema_migrations"}:
                # netmox before the marker (or one that stopped before its first migration)
                version = self._db.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] or 0
            else:
                listed = ", ".join(sorted(tables)[:5])
                raise HistoryError(f"{self.path}: not a netmox history database (it has tables {listed})", HINT)
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"{self.path}: the history database was written by a newer netmox (schema {version};"
                f" this netmox knows up to {SCHEMA_VERSION})",
                "upgrade netmox, or pass --history to use another database",
            )
        return version

    def _migrate(self, current: int) -> None:
        """Mark the database as netmox's, then apply each later migration in a transaction of its own.

        Every step re-reads the version under the write lock, so two runs opening a new database at
        once never apply a migration twice.
        """
        with self._transaction():
            if self._db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                version = self._existing_version()
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)"
                )
                self._db.execute(f"PRAGMA user_version = {version}")
                self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        for version, statements in enumerate(MIGRATIONS, start=1):
            if version <= current:
                continue
            with self._transaction():
                if self.schema_version() >= version:
                    continue
                for statement in statements:
                    self._db.execute(statement)
                self._db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, _now()))
                self._db.execute(f"PRAGMA user_version = {version}")

    @property
    def db(self) -> sqlite3.Connection:
        """The open database, for the tables kept by other history modules (``history/notices.py``)."""
        return self._db

    def transaction(self) -> AbstractContextManager[None]:
        """One ``BEGIN IMMEDIATE`` transaction: committed on success, rolled back on any exception."""
        return self._transaction()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def observe_orphans(
        self,
        connection: str,
        keys: set[tuple[str, str, str]],
        now: datetime,
        within: set[tuple[str, str]] | None = None,
    ) -> dict[tuple[str, str, str], datetime]:
        """When each one-sided object of ``connection`` was first seen so; forgets objects no longer one-sided.

        ``keys`` are ``(kind, key, side that has it)``; an object that was paired again in between starts
        its grace period anew, because the rule is "one-sided in every plan for that long". ``within``
        (``(kind, key)`` pairs) limits what a scoped run looked at: objects outside it are not forgotten.
        """
        with self._transaction():
            rows = self._db.execute(
                "SELECT kind, key, side, first_seen FROM orphans WHERE connection = ?", (connection,)
            ).fetchall()
            known = {(kind, key, side): datetime.fromisoformat(seen) for kind, key, side, seen in rows}
            for gone in set(known) - keys:
                if within is not None and gone[:2] not in within:
                    continue
                self._db.execute(
                    "DELETE FROM orphans WHERE connection = ? AND kind = ? AND key = ? AND side = ?",
                    (connection, *gone),
                )
                del known[gone]
            stamp = now.isoformat(timespec="seconds")
            for new in keys - set(known):
                self._db.execute("INSERT INTO orphans VALUES (?, ?, ?, ?, ?)", (connection, *new, stamp))
                known[new] = datetime.fromisoformat(stamp)
        return known

    def start_run(self, run: RunStart) -> int:
        run = RunStart.model_validate(REDACTOR.redact_value(run.model_dump()))  # no secret in the database
        cursor = self._db.execute(
            "INSERT INTO runs (started, user, host, origin, command, prefer, policy, plan_digest, request_id,"
            " netbox_user) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                _now(),
                run.user,
                run.host,
                run.origin,
                run.command,
                run.prefer,
                json.dumps(run.policy),
                run.plan_digest,
                run.request_id,
                run.netbox_user,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish_run(self, run_id: int, outcome: str) -> None:
        self._db.execute("UPDATE runs SET finished = ?, outcome = ? WHERE id = ?", (_now(), outcome, run_id))

    def record(self, run_id: int, rows: list[ChangeRecord]) -> None:
        """Store one change's rows in one transaction, committed before returning."""
        rows = [ChangeRecord.model_validate(REDACTOR.redact_value(row.model_dump())) for row in rows]  # no secrets
        with self._transaction():
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

    def complete(self, run_id: int, change_id: str, status: str, error: str | None) -> bool:
        """Give a change's ``sent`` rows their outcome; False if it has none (it was never sent)."""
        with self._transaction():
            cursor = self._db.execute(
                "UPDATE changes SET status = ?, error = ?, recorded = ?"
                " WHERE run_id = ? AND change_id = ? AND status = 'sent'",
                (status, error, _now(), run_id, change_id),
            )
        return cursor.rowcount > 0

    _RUN_COLUMNS = (
        "runs.id, started, finished, user, host, origin, command, prefer, policy, plan_digest, outcome,"
        " (SELECT count(DISTINCT change_id) FROM changes WHERE changes.run_id = runs.id), "
    )

    @property
    def _run_columns(self) -> str:
        """A reader leaves an older database as it is: columns added since read as NULL."""
        return self._RUN_COLUMNS + ("request_id, netbox_user" if self._version >= 3 else "NULL, NULL")

    @staticmethod
    def _run(row: tuple[Any, ...]) -> RunRecord:
        keys = ("id", "started", "finished", "user", "host", "origin", "command", "prefer", "policy", "plan_digest")
        data = dict(zip(keys, row, strict=False))
        data["policy"] = json.loads(data["policy"] or "{}")
        return RunRecord(**data, outcome=row[10], changes=row[11], request_id=row[12], netbox_user=row[13])

    def runs(self, limit: int = 20) -> list[RunRecord]:
        """The most recent runs, newest first."""
        if self._empty:
            return []
        rows = self._db.execute(f"SELECT {self._run_columns} FROM runs ORDER BY id DESC LIMIT ?", (limit,))
        return [self._run(row) for row in rows]

    def run(self, run_id: int) -> RunRecord | None:
        if self._empty:
            return None
        row = self._db.execute(f"SELECT {self._run_columns} FROM runs WHERE id = ?", (run_id,)).fetchone()
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
