"""What ``netmox watch`` tells its operator: ``/healthz`` (the last run's summary; 503 while degraded) and
``/metrics`` (Prometheus text format). Counters only go up; a connection is degraded from a failed run
until its next successful one."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

PREFIX = "netmox_watch_"
COUNTERS = {
    "events_received_total": "Webhook requests received on /webhook/netbox.",
    "events_rejected_total": "Webhook requests refused: bad signature (403) or unreadable body (400).",
    "events_ignored_total": "Webhook events about nothing netmox syncs (other clusters, untracked VMs).",
    "plans_total": "Plans made (scoped runs and full reconciles).",
    "changes_applied_total": "Changes applied.",
    "changes_failed_total": "Changes that failed (or were stale).",
    "runs_failed_total": "Runs that could not plan (a side unreachable or unreadable); retried with backoff.",
}


@dataclass
class RunSummary:
    """One run, as ``/healthz`` shows it."""

    connection: str
    kind: str  # "scoped" or "reconcile"
    started: float
    seconds: float
    ok: bool
    objects: list[str] = field(default_factory=list)
    applied: int = 0
    failed: int = 0
    planned: int = 0  # changes the plan would write
    full_read: bool = False
    history_run: int | None = None
    error: str | None = None
    full_read_reason: str | None = None

    def read_in_full(self, why: str) -> None:
        """Told by the scoped reader when the run had to read everything, and why."""
        self.full_read, self.full_read_reason = True, why


class Status:
    """Thread-safe counters, the last run of each connection, and whether any connection is degraded."""

    def __init__(self, queue_depth: Callable[[], int] = lambda: 0) -> None:
        self._lock = threading.Lock()
        self._counters = dict.fromkeys(COUNTERS, 0)
        self._last: dict[str, RunSummary] = {}
        self._last_success: float | None = None
        self._queue_depth = queue_depth
        self.started = time.time()

    def count(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self._counters[name] += amount

    def counter(self, name: str) -> int:
        with self._lock:
            return self._counters[name]

    def record(self, summary: RunSummary) -> None:
        with self._lock:
            self._counters["plans_total"] += 0 if summary.error else 1
            self._counters["changes_applied_total"] += summary.applied
            self._counters["changes_failed_total"] += summary.failed
            self._counters["runs_failed_total"] += 1 if summary.error else 0
            self._last[summary.connection] = summary
            if summary.ok:
                self._last_success = summary.started + summary.seconds

    def degraded(self) -> list[str]:
        with self._lock:
            return sorted(name for name, run in self._last.items() if not run.ok)

    def health(self) -> tuple[int, dict[str, Any]]:
        """``/healthz``: the HTTP status and its JSON body."""
        degraded = self.degraded()
        with self._lock:
            body = {
                "status": "degraded" if degraded else "ok",
                "degraded": degraded,
                "queue_depth": self._queue_depth(),
                "last_success": self._last_success,
                "last_runs": {name: asdict(run) for name, run in sorted(self._last.items())},
            }
        return (503 if degraded else 200), body

    def metrics(self) -> str:
        """``/metrics`` in the Prometheus text exposition format."""
        lines: list[str] = []
        with self._lock:
            for name, help_text in COUNTERS.items():
                lines += [f"# HELP {PREFIX}{name} {help_text}", f"# TYPE {PREFIX}{name} counter"]
                lines.append(f"{PREFIX}{name} {self._counters[name]}")
            gauges = {
                "queue_depth": ("Objects waiting to be planned.", self._queue_depth()),
                "degraded": (
                    "1 while a connection's last run failed.",
                    int(any(not r.ok for r in self._last.values())),
                ),
                "last_success_timestamp_seconds": ("Unix time of the last successful run.", self._last_success or 0),
            }
        for name, (help_text, value) in gauges.items():
            lines += [f"# HELP {PREFIX}{name} {help_text}", f"# TYPE {PREFIX}{name} gauge", f"{PREFIX}{name} {value}"]
        return "\n".join(lines) + "\n"
