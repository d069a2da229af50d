"""Per-connection run locks, so that two applies on one connection never overlap (cron, CI, a human).

A lock is an ``fcntl`` advisory lock on ``<lock_dir>/<connection>.lock``; the kernel releases it when
the process dies, so a crashed run never leaves a stale lock. The holder writes who it is into the
file, so a waiting run can name it.
"""

from __future__ import annotations

import fcntl
import getpass
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from netmox_cli.environment import NETMOX_LOCK_DIR
from netmox_cli.errors import ConfigError, LockTimeout
from netmox_cli.os_errors import describe_os_error
from netmox_cli.redact import redact

_POLL_SECONDS = 0.2


def _holder_description(handle: IO[str]) -> str:
    handle.seek(0)
    try:
        holder = json.loads(handle.read() or "{}")
    except json.JSONDecodeError:
        return "another netmox run"
    if not holder:
        return "another netmox run"
    return f"pid {holder.get('pid')} ({holder.get('user')}@{holder.get('host')}, since {holder.get('since')})"


def _open_lock_file(lock_dir: Path, path: Path) -> IO[str]:
    """The lock file, opened for appending; a folder that cannot be made or written is a config error."""
    try:
        lock_dir.mkdir(parents=True, exist_ok=True)
        return path.open("a+", encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot create the lock file ({describe_os_error(exc)})",
            f"set lock_dir in the config or {NETMOX_LOCK_DIR} to a folder netmox can write",
        ) from None


@contextmanager
def connection_lock(lock_dir: Path, connection: str, timeout: float) -> Iterator[None]:
    """Hold the lock of one connection; wait up to ``timeout`` seconds, then raise ``LockTimeout``."""
    path = lock_dir / f"{connection}.lock"
    with _open_lock_file(lock_dir, path) as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(
                        f"connection {connection!r} is locked by {_holder_description(handle)}",
                        f"wait for it to finish or raise --lock-timeout (lock file {path})",
                    ) from None
                time.sleep(_POLL_SECONDS)
        handle.seek(0)
        handle.truncate()
        holder = {
            "pid": os.getpid(),
            "user": getpass.getuser(),
            "host": socket.gethostname(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        handle.write(redact(json.dumps(holder)))  # every file netmox writes passes the redactor
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def connection_locks(lock_dir: Path, connections: list[str], timeout: float) -> Iterator[None]:
    """Hold the locks of several connections, taken in sorted order so two runs cannot deadlock."""
    with ExitStack() as stack:
        for connection in sorted(connections):
            stack.enter_context(connection_lock(lock_dir, connection, timeout))
        yield
