"""A bounded set of worker threads for writes that wait on remote tasks (Proxmox VE guests).

Daemon threads, not a ``ThreadPoolExecutor``: when Ctrl-C stops an apply while a worker polls a Proxmox VE
task, the process must end at once (the history already says ``sent``), not wait for the task; an executor's
workers are joined at interpreter exit. Results come back to the calling thread, so whatever records them
(the SQLite history) is only ever used from that one thread.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def bounded(
    items: list[T], workers: int, call: Callable[[T], R], start: Callable[[T], None] | None = None
) -> Iterator[tuple[T, R]]:
    """``(item, call(item))`` for every item as each finishes, at most ``workers`` calls at a time.

    ``start(item)`` runs in the caller's thread just before the item's call is handed to a worker; ``call``
    must not raise (return the failure instead)."""
    results: queue.Queue[tuple[T, R]] = queue.Queue()
    waiting = list(reversed(items))
    running = 0

    def work(item: T) -> None:
        results.put((item, call(item)))

    while waiting or running:
        while waiting and running < max(workers, 1):
            item = waiting.pop()
            if start is not None:
                start(item)
            threading.Thread(target=work, args=(item,), daemon=True, name="netmox-write").start()
            running += 1
        item, result = results.get()
        running -= 1
        yield item, result
