"""Waiting for Proxmox VE worker tasks: the one place that turns a UPID into success or an error.

Every call that answers with a UPID (start, shutdown, create, delete, resize …) is only done when its
task has stopped. The task runs on the node named inside the UPID, so its status is polled there,
whichever node the request went to. ``OK`` is success, ``WARNINGS: n`` success with a warning; any
other exit status is a failure that carries the last lines of the task log.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from netmox_cli.errors import NetmoxError, RemoteError
from netmox_cli.providers.proxmox.client import PveClient
from netmox_cli.providers.proxmox.parse import upid_node

LOG_LINES = 5


class TaskFailed(RemoteError):
    """A worker task ended with an exit status other than OK / WARNINGS."""

    def __init__(self, message: str, hint: str | None, exitstatus: str) -> None:
        super().__init__(message, hint)
        self.exitstatus = exitstatus


class TaskWaiter:
    """Polls task status with a growing interval until the task stops or the timeout passes."""

    def __init__(
        self,
        client: PveClient,
        timeout: float,
        *,
        first_interval: float = 0.1,
        max_interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._timeout = timeout
        self._first = first_interval
        self._max = max_interval
        self._clock = clock
        self._sleep = sleep

    def wait(self, upid: str, what: str) -> list[str]:
        """Block until the task stops; return warnings, raise ``TaskFailed`` on failure.

        ``what`` names the operation for messages ("start of qemu 101").
        """
        node = upid_node(upid)
        path = f"/nodes/{node}/tasks/{upid}"
        deadline = self._clock() + self._timeout
        interval = self._first
        while True:
            status = self._client.get(f"{path}/status") or {}
            if status.get("status") == "stopped":
                break
            if self._clock() >= deadline:
                raise RemoteError(
                    f"{what}: task {upid} still running after {self._timeout:g} s",
                    "it may still finish; check the task log on the node, or raise task_timeout",
                )
            self._sleep(interval)
            interval = min(interval * 2, self._max)
        exitstatus = str(status.get("exitstatus") or "")
        if exitstatus == "OK":
            return []
        if exitstatus.startswith("WARNINGS"):
            return [f"{what}: task finished with {exitstatus.lower()}"]
        lines = self.last_log_lines(path)
        hint = "task log: " + " | ".join(lines) if lines else None
        raise TaskFailed(f"{what} failed on node {node}: {exitstatus or 'unknown exit status'}", hint, exitstatus)

    def last_log_lines(self, path: str) -> list[str]:
        """The last lines of a task's log (best effort: an unreadable log gives none)."""
        try:
            entries = self._client.get(f"{path}/log", start=0, limit=1000) or []
        except NetmoxError:
            return []
        lines = [str(entry.get("t", "")) for entry in entries if isinstance(entry, dict)]
        return [line for line in lines if line.strip()][-LOG_LINES:]
