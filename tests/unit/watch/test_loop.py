"""The watch loop with a stand-in run: batches per connection, retries with backoff, periodic reconciles."""

from __future__ import annotations

import json

import pytest

from netmox_cli.config.schema import NetmoxConfig
from netmox_cli.watch.events import BadEvent
from netmox_cli.watch.loop import Watcher, backoff
from netmox_cli.watch.runner import Job
from netmox_cli.watch.status import RunSummary
from tests.unit.watch.test_events import FakeLookup

CONFIG = NetmoxConfig.model_validate(
    {
        "connections": {
            "lab": {
                "cluster": "nb-lab",
                "netbox": {"type": "file", "path": "nb.json"},
                "proxmox": {"type": "file", "path": "px.json"},
            }
        }
    }
)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def vm_body(vmid: int) -> bytes:
    data = {"id": vmid, "cluster": {"id": 1, "name": "nb-lab"}, "custom_fields": {"proxmox_vmid": vmid}}
    return json.dumps({"event": "updated", "object_type": "virtualization.virtualmachine", "data": data}).encode()


def make(outcomes: list[bool], interval: float = 900.0) -> tuple[Watcher, Clock, list[Job]]:
    clock = Clock()
    jobs: list[Job] = []

    def run(job: Job) -> RunSummary:
        jobs.append(job)
        ok = outcomes.pop(0) if outcomes else True
        return RunSummary(
            job.connection,
            "scoped" if job.targets else "reconcile",
            clock.now,
            0.1,
            ok=ok,
            error=None if ok else "NetBox at x: connection refused",
        )

    watcher = Watcher(CONFIG, run, FakeLookup(), debounce=2.0, interval=interval, clock=clock)
    return watcher, clock, jobs


def accept(watcher: Watcher, body: bytes) -> None:
    watcher.accept(body)
    watcher.resolve(watcher.inbox.get_nowait())


def test_reconcile_at_start_then_events_batched_per_connection() -> None:
    watcher, clock, jobs = make([])
    watcher.step(wait=0)
    assert [j.targets for j in jobs] == [[]]  # the start-up reconcile
    accept(watcher, vm_body(101))
    accept(watcher, vm_body(102))
    accept(watcher, vm_body(101))
    watcher.step(wait=0)
    assert len(jobs) == 1  # still debouncing
    clock.now += 2.0
    watcher.step(wait=0)
    assert sorted(t.vmid for t in jobs[1].targets) == [101, 102]
    assert len(jobs[1].origins) == 3
    clock.now += 900.0
    watcher.step(wait=0)
    assert jobs[2].targets == []  # the periodic reconcile


def test_a_failed_run_is_retried_with_backoff_and_reported_until_it_succeeds() -> None:
    watcher, clock, jobs = make([True, False, False, True])
    watcher.step(wait=0)
    accept(watcher, vm_body(101))
    clock.now += 2.0
    watcher.step(wait=0)
    assert watcher.status.health()[0] == 503
    clock.now += backoff(1) - 0.1
    watcher.step(wait=0)
    assert len(jobs) == 2  # waiting out the backoff
    clock.now += 0.2
    watcher.step(wait=0)
    assert len(jobs) == 3 and watcher.status.health()[0] == 503
    clock.now += backoff(2)
    watcher.step(wait=0)
    assert len(jobs) == 4 and [t.vmid for t in jobs[3].targets] == [101]
    code, body = watcher.status.health()
    assert code == 200 and body["last_runs"]["lab"]["ok"] is True
    assert watcher.status.counter("runs_failed_total") == 2


def test_events_for_other_clusters_are_ignored_and_bad_bodies_raise() -> None:
    watcher, _, _ = make([])
    other = json.loads(vm_body(5))
    other["data"]["cluster"]["name"] = "elsewhere"
    accept(watcher, json.dumps(other).encode())
    assert watcher.debouncer.depth() == 0
    assert watcher.status.counter("events_ignored_total") == 1
    with pytest.raises(BadEvent, match="not a JSON object"):
        watcher.accept(b"[]")


def test_backoff_doubles_up_to_five_minutes() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 16.0]
    assert backoff(20) == 300.0
