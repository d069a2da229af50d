"""Which ``notify`` differences were already reported, so that each is reported once per channel.

A difference is keyed by connection, kind, object key and property (``""`` for a whole object that
only one side has) and remembered with the fingerprint of both sides' values when it was reported: it
is reported again only when that fingerprint changes. A difference no longer in the plan (resolved, or
no longer under ``notify``) is forgotten, so it is reported afresh if it comes back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from netmox_cli.history.store import HistoryStore

NoticeKey = tuple[str, str, str, str]  # (connection, kind, key, property)


class NoticeLedger:
    """The ``notices`` table of the history database."""

    def __init__(self, store: HistoryStore) -> None:
        self.store = store

    def reported(self, channel: str, keys: Iterable[NoticeKey]) -> dict[NoticeKey, str]:
        """The fingerprint each of ``keys`` was last reported with on ``channel`` (absent: never)."""
        wanted = set(keys)
        rows = self.store.db.execute(
            "SELECT connection, kind, key, property, fingerprint FROM notices WHERE channel = ?", (channel,)
        )
        return {(c, k, key, p): fp for c, k, key, p, fp in rows if (c, k, key, p) in wanted}

    def remember(self, channel: str, notices: dict[NoticeKey, str], run_id: int | None) -> None:
        """Record ``notices`` (key → fingerprint) as reported on ``channel`` now."""
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        with self.store.transaction():
            for (connection, kind, key, prop), fingerprint in notices.items():
                self.store.db.execute(
                    "INSERT OR REPLACE INTO notices VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (connection, kind, key, prop, channel, fingerprint, stamp, run_id),
                )

    def forget_others(self, connection: str, current: set[NoticeKey], within: set[tuple[str, str]] | None) -> int:
        """Forget the differences of ``connection`` not in ``current`` (only objects ``within`` a scoped
        run's ``(kind, key)`` pairs, when given); returns how many rows went."""
        with self.store.transaction():
            rows = self.store.db.execute(
                "SELECT DISTINCT kind, key, property FROM notices WHERE connection = ?", (connection,)
            ).fetchall()
            gone = [
                (kind, key, prop)
                for kind, key, prop in rows
                if (connection, kind, key, prop) not in current and (within is None or (kind, key) in within)
            ]
            for kind, key, prop in gone:
                self.store.db.execute(
                    "DELETE FROM notices WHERE connection = ? AND kind = ? AND key = ? AND property = ?",
                    (connection, kind, key, prop),
                )
        return len(gone)
