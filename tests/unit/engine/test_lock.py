"""Connection locks: two runs on one connection never overlap; the waiting one names the holder."""

from __future__ import annotations

import multiprocessing
import time

import pytest

from netmox_cli.engine.lock import connection_lock, connection_locks
from netmox_cli.errors import LockTimeout


def _hold(lock_dir, ready, release):
    with connection_lock(lock_dir, "lab", timeout=5):
        ready.set()
        release.wait(10)


@pytest.fixture
def held_by_other_process(tmp_path):
    context = multiprocessing.get_context("fork")
    ready, release = context.Event(), context.Event()
    process = context.Process(target=_hold, args=(tmp_path, ready, release))
    process.start()
    assert ready.wait(10)
    yield process
    if process.is_alive():
        release.set()
        process.join(10)


def test_a_second_run_waits_then_fails_naming_the_holder(tmp_path, held_by_other_process):
    started = time.monotonic()
    with pytest.raises(LockTimeout) as caught, connection_lock(tmp_path, "lab", timeout=0.5):
        pass
    assert time.monotonic() - started >= 0.5
    assert f"pid {held_by_other_process.pid}" in caught.value.message
    assert "--lock-timeout" in caught.value.hint


def test_the_lock_is_free_again_after_the_holder_ends(tmp_path, held_by_other_process):
    held_by_other_process.kill()
    held_by_other_process.join(10)
    with connection_lock(tmp_path, "lab", timeout=2):
        pass


def test_other_connections_are_not_blocked(tmp_path, held_by_other_process):
    with connection_locks(tmp_path, ["other", "third"], timeout=0.2):
        pass
