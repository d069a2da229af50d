"""The watch loop: the HTTP server's threads accept events; one worker thread plans and applies, one run at
a time, the objects whose debounce is over and, every ``interval``, each whole connection.

Nothing here exits on a bad event or an unreachable side: a malformed body is refused (400), an event
that cannot be resolved waits for the next reconcile, and a run that cannot read a side is retried with
exponential backoff while ``/healthz`` reports the connection degraded.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from itertools import groupby

from netmox_cli.config.schema import NetmoxConfig
from netmox_cli.errors import ConfigError, NetmoxError
from netmox_cli.render.safe import safe
from netmox_cli.watch import events
from netmox_cli.watch.debounce import Debouncer, Pending
from netmox_cli.watch.runner import Job
from netmox_cli.watch.status import RunSummary, Status

log = logging.getLogger("netmox_cli.watch")
BACKOFF_FIRST = 2.0
BACKOFF_MAX = 300.0
RESOLVERS = 4  # threads mapping events; each mapping is at most one NetBox GET


def backoff(attempt: int) -> float:
    """Seconds before retry number ``attempt`` (1, 2, …): 2, 4, 8 … up to five minutes."""
    return min(BACKOFF_FIRST * 2 ** (attempt - 1), BACKOFF_MAX)


class Watcher:
    """Accepts events (any thread) and runs jobs (its worker thread)."""

    def __init__(
        self,
        config: NetmoxConfig,
        run: Callable[[Job], RunSummary],
        lookup: events.Lookup,
        *,
        debounce: float,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.connections = {connection.netbox_cluster: name for name, connection in config.connections.items()}
        self.run = run
        self.lookup = lookup
        self.interval = interval
        self.clock = clock
        self.debouncer = Debouncer(debounce, clock=clock)
        # Verified events wait here for their mapping (which may read NetBox): the webhook is answered at
        # once, so NetBox's single RQ worker is never held up by netmox's reads.
        self.inbox: queue.Queue[events.Event | None] = queue.Queue()
        self.status = Status(lambda: self.debouncer.depth() + self.inbox.qsize())
        self.stopping = threading.Event()
        now = clock()
        # A reconcile at start catches what changed while watch was not running; then every interval.
        self.reconcile_at: dict[str, float] = {name: now for name in config.connections} if interval > 0 else {}
        self.reconcile_attempts: dict[str, int] = {}

    # ------------------------------------------------------------ events (HTTP threads)

    def accept(self, body: bytes) -> str:
        """Parse a verified body and queue it for mapping; raises ``events.BadEvent``."""
        self.inbox.put(events.parse(body))
        return "accepted"

    def resolve_forever(self) -> None:
        """A resolver thread: map each accepted event to its objects and queue those (debounced)."""
        while (event := self.inbox.get()) is not None:
            try:
                self.resolve(event)
            except Exception as error:  # a bug costs one event and one line, never the thread
                log.error("event %s: unexpected %s: %s", safe(event.origin.describe()), type(error).__name__, error)
                log.debug("traceback", exc_info=True)

    def resolve(self, event: events.Event) -> str:
        what = safe(event.origin.describe())
        remember = getattr(self.lookup, "remember", None)
        vm_id = event.data.get("id")
        if remember is not None and event.origin.object_type == events.VM and isinstance(vm_id, int):
            cluster = event.data.get("cluster")
            remember(
                vm_id, events.VmRef(cluster.get("name") if isinstance(cluster, dict) else None, events.vmid(event.data))
            )
        try:
            found = events.targets(event, self.connections, self.lookup)
        except NetmoxError as error:
            log.warning("event %s: cannot tell what it concerns (%s); the next reconcile catches up", what, error)
            self.status.count("events_ignored_total")
            return "accepted, not resolved"
        if not found:
            self.status.count("events_ignored_total")
            log.debug("event %s: about nothing a connection covers; ignored", what)
            return "ignored"
        for target in found:
            self.debouncer.add(target, event.origin)
        log.info("event %s: queued %s", what, "; ".join(str(t) for t in found))
        return "queued"

    # ------------------------------------------------------------ the worker thread

    def work(self) -> None:
        while not self.stopping.is_set():
            try:
                self.step()
            except Exception as error:  # a bug in one run must not end the watch: one line, then on
                log.error("watch loop: unexpected %s: %s", type(error).__name__, error)
                log.debug("traceback", exc_info=True)
                self.stopping.wait(1.0)

    def step(self, wait: float = 1.0) -> None:
        """One turn: the due reconciles, then the objects whose debounce is over (waiting up to ``wait``)."""
        now = self.clock()
        for name, due in sorted(self.reconcile_at.items()):
            if due <= now and not self.stopping.is_set():
                self._reconcile(name)
        soonest = min(self.reconcile_at.values(), default=now + wait)
        batch = self.debouncer.take(max(0.0, min(wait, soonest - self.clock())))
        for name, group in groupby(sorted(batch, key=lambda p: p.target.connection), key=lambda p: p.target.connection):
            self._scoped(name, list(group))

    def _reconcile(self, name: str) -> None:
        summary = self._record(self.run(Job(name)))
        if summary.error is None:
            self.reconcile_attempts.pop(name, None)
            self.reconcile_at[name] = self.clock() + self.interval
            return
        attempt = self.reconcile_attempts.get(name, 0) + 1
        self.reconcile_attempts[name] = attempt
        self.reconcile_at[name] = self.clock() + min(backoff(attempt), self.interval)

    def _scoped(self, name: str, pending: list[Pending]) -> None:
        origins = [origin for item in pending for origin in item.origins]
        summary = self._record(self.run(Job(name, [item.target for item in pending], origins)))
        if summary.error is None:
            return
        for item in pending:  # the objects wait again, longer each time; their events stay with them
            attempt = item.attempt + 1
            self.debouncer.add(item.target, delay=backoff(attempt), attempt=attempt)
            for origin in item.origins:
                self.debouncer.add(item.target, origin, delay=backoff(attempt), attempt=attempt)

    def _record(self, summary: RunSummary) -> RunSummary:
        self.status.record(summary)
        what = f"{summary.connection}: {summary.kind}" + (
            f" of {', '.join(summary.objects)}" if summary.objects else ""
        )
        if summary.error is not None:
            log.warning("%s failed, retrying with backoff: %s", what, safe(summary.error))
        else:
            read = "full read" if summary.full_read else "scoped read"
            log.info(
                "%s: %d to apply, %d applied, %d failed (%s, %.1fs)",
                what,
                summary.planned,
                summary.applied,
                summary.failed,
                read,
                summary.seconds,
            )
        return summary

    def stop(self) -> None:
        self.stopping.set()
        self.debouncer.close()
        for _ in range(RESOLVERS):
            self.inbox.put(None)


def serve(config: NetmoxConfig, run: Callable[[Job], RunSummary], lookup: events.Lookup) -> None:
    """Serve the webhook and run jobs until interrupted (Ctrl-C, SIGTERM): the foreground process."""
    from netmox_cli.watch.server import WatchServer

    settings = config.watch
    assert settings.secret is not None  # checked by the command
    watcher = Watcher(config, run, lookup, debounce=settings.debounce, interval=float(settings.interval))
    host, _, port = settings.listen.rpartition(":")
    try:
        server = WatchServer(
            (host.strip("[]"), int(port)), settings.secret.get_secret_value(), watcher.status, watcher.accept
        )
    except OSError as error:
        raise ConfigError(f"cannot listen on {settings.listen}: {error.strerror}", "change [watch] listen") from None
    worker = threading.Thread(target=watcher.work, name="watch-worker", daemon=True)
    bound = f"{server.server_address[0]}:{server.server_address[1]}"
    covered = ", ".join(f"{name} (cluster {cluster})" for cluster, name in watcher.connections.items())
    every = f"every {settings.interval}s" if settings.interval else "never (interval = 0)"
    log.info("netmox watch: listening on http://%s (POST /webhook/netbox, GET /healthz, GET /metrics)", bound)
    log.info("connections: %s; debounce %.1fs; full reconcile %s", covered, settings.debounce, every)
    server.start()
    for n in range(RESOLVERS):
        threading.Thread(target=watcher.resolve_forever, name=f"watch-resolve-{n}", daemon=True).start()
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.5)
    finally:
        log.info("netmox watch: stopping (a run in progress finishes first)")
        watcher.stop()
        server.shutdown()
        server.server_close()
        worker.join(timeout=float(config.policy.shutdown_timeout) + 60.0)
