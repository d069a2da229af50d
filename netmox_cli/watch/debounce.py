"""Gathering events per object: saving one VM form fires several webhooks (the VM, its interfaces, their
MACs and IPs), and an API script may fire fifty. Each object waits until no event has come for it for
``delay`` seconds (at most ``max_delay`` after its first), then all that are due go out as one batch."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from netmox_cli.watch.events import Origin, Target


@dataclass
class Pending:
    """One object waiting to be planned, with every event that asked for it."""

    target: Target
    first: float
    deadline: float
    origins: list[Origin] = field(default_factory=list)
    attempt: int = 0  # how many runs for it have failed (for the retry backoff)


class Debouncer:
    """A thread-safe set of pending objects keyed by target."""

    def __init__(self, delay: float, max_delay: float | None = None, clock: Callable[[], float] = time.monotonic):
        self.delay = delay
        self.max_delay = max_delay if max_delay is not None else max(10 * delay, 10.0)
        self._clock = clock
        self._pending: dict[Target, Pending] = {}
        self._changed = threading.Condition()
        self._closed = False

    def add(
        self, target: Target, origin: Origin | None = None, *, delay: float | None = None, attempt: int = 0
    ) -> None:
        """Ask for ``target`` to be planned; coalesced with what is already waiting for it."""
        now = self._clock()
        wait = self.delay if delay is None else delay
        with self._changed:
            pending = self._pending.get(target)
            if pending is None:
                pending = self._pending[target] = Pending(target, now, now + wait, attempt=attempt)
            else:
                pending.deadline = min(max(pending.deadline, now + wait), pending.first + max(self.max_delay, wait))
                pending.attempt = max(pending.attempt, attempt)
            if origin is not None:
                pending.origins.append(origin)
            self._changed.notify_all()

    def depth(self) -> int:
        with self._changed:
            return len(self._pending)

    def due(self) -> list[Pending]:
        """Remove and return every object whose wait is over (oldest first)."""
        now = self._clock()
        with self._changed:
            ready = sorted((p for p in self._pending.values() if p.deadline <= now), key=lambda p: p.first)
            for pending in ready:
                del self._pending[pending.target]
            return ready

    def take(self, timeout: float) -> list[Pending]:
        """Wait up to ``timeout`` seconds for objects to be due; empty when none are, or when closed."""
        end = self._clock() + timeout
        with self._changed:
            while not self._closed:
                ready = self.due()
                if ready:
                    return ready
                now = self._clock()
                soonest = min((p.deadline for p in self._pending.values()), default=end)
                wait = min(soonest, end) - now
                if wait <= 0 and soonest >= end:
                    return []
                self._changed.wait(max(wait, 0.01))
            return []

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()
