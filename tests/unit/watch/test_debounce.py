"""Debounce: events for one object coalesce until it has been quiet for ``delay`` (at most ``max_delay``)."""

from __future__ import annotations

import threading
import time

from netmox_cli.watch.debounce import Debouncer
from netmox_cli.watch.events import Origin, Target


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def origin(n: int) -> Origin:
    return Origin("updated", "virtualization.vminterface", n, f"req-{n}", "alice")


def test_fifty_events_for_one_vm_are_one_pending_object() -> None:
    clock = Clock()
    debouncer = Debouncer(2.0, clock=clock)
    vm = Target("lab", vmid=110)
    for n in range(50):
        debouncer.add(vm, origin(n))
        clock.now += 0.05
    assert debouncer.depth() == 1
    assert debouncer.due() == []  # the last event came 0.05 s ago
    clock.now += 2.0
    [pending] = debouncer.due()
    assert pending.target == vm
    assert [o.object_id for o in pending.origins] == list(range(50))
    assert debouncer.depth() == 0


def test_each_object_waits_for_its_own_quiet_time() -> None:
    clock = Clock()
    debouncer = Debouncer(2.0, clock=clock)
    debouncer.add(Target("lab", vmid=1))
    clock.now += 1.5
    debouncer.add(Target("lab", vmid=2))
    clock.now += 0.6
    assert [p.target.vmid for p in debouncer.due()] == [1]
    clock.now += 1.5
    assert [p.target.vmid for p in debouncer.due()] == [2]


def test_a_steady_stream_still_goes_out_after_max_delay() -> None:
    clock = Clock()
    debouncer = Debouncer(2.0, max_delay=10.0, clock=clock)
    vm = Target("lab", vmid=1)
    for _ in range(20):
        debouncer.add(vm)
        clock.now += 1.0
        if debouncer.due():
            break
    assert clock.now - 1000.0 <= 11.0


def test_a_retry_waits_its_backoff_and_keeps_its_attempt() -> None:
    clock = Clock()
    debouncer = Debouncer(2.0, clock=clock)
    debouncer.add(Target("lab", vmid=1), delay=8.0, attempt=3)
    clock.now += 7.9
    assert debouncer.due() == []
    clock.now += 0.2
    [pending] = debouncer.due()
    assert pending.attempt == 3


def test_take_blocks_until_due_and_close_releases_it() -> None:
    debouncer = Debouncer(0.05)
    debouncer.add(Target("lab", vmid=1))
    started = time.monotonic()
    assert [p.target.vmid for p in debouncer.take(5.0)] == [1]
    assert 0.04 <= time.monotonic() - started < 2.0
    assert debouncer.take(0.05) == []
    threading.Timer(0.1, debouncer.close).start()
    started = time.monotonic()
    assert debouncer.take(5.0) == []
    assert time.monotonic() - started < 2.0
