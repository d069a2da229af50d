"""Sending one stage's objects to NetBox: in chunks of list requests, a refused chunk object by object.

NetBox runs a bulk request in one transaction: one invalid object fails the whole list and nothing is
written. The chunk's objects are then sent again one by one, so the error is pinned to the object that
caused it and the others land. A failure that is not about the objects (NetBox unreachable, token refused,
an answer that is not NetBox's) is not retried: the lost answer may hide a write that happened.
Each change is reported ``sent`` before the first request that carries it goes out (write-ahead), and
``done`` with its error as soon as one of its objects fails; ``batch.Batch`` decides what to send.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from netmox_cli.errors import (
    AuthenticationFailed,
    ConnectionFailed,
    InvalidResponse,
    NetmoxError,
    PermissionDenied,
)
from netmox_cli.model.state import Guest
from netmox_cli.providers.base import WriteEvents, WriteRequest, WriteResult
from netmox_cli.providers.netbox.client import NetboxClient
from netmox_cli.providers.netbox.writes import VMINTERFACE, Steps, _guest

log = logging.getLogger(__name__)

NOT_RETRIED = (ConnectionFailed, AuthenticationFailed, PermissionDenied, InvalidResponse)
SECONDS_PER_OBJECT = 0.5
"""Added to ``netbox.timeout`` per object of a list request: NetBox spends 0.1-0.15 s on each VM it creates
(measured on 4.7.3, 2 cores), so 200 of them take longer than one request is given."""
QUERY_BUDGET = 3000
"""Characters of filter values per list read: gunicorn refuses request lines over 4094 bytes."""


@dataclass
class Op:
    """One object written in one stage, on behalf of one change."""

    work: Work
    body: dict[str, Any]
    what: str  # names the object in its error: "creating interface net0 of VM 101"
    step: str | None = None
    then: Callable[[dict[str, Any] | None], None] | None = None


@dataclass
class Work:
    """One change of the batch and what its earlier stages have produced."""

    request: WriteRequest
    steps: Steps = field(default_factory=Steps)
    later: list[str] = field(default_factory=list)
    object_id: int | None = None
    sent: bool = False
    error: NetmoxError | None = None
    sync_interfaces: bool = False
    sync_disks: bool = False
    interfaces: dict[str, Any] = field(default_factory=dict)  # existing interface records by name
    ips: dict[int, dict[str, Any]] = field(default_factory=dict)  # existing IP records by interface id, address
    macs: dict[int, Any] = field(default_factory=dict)  # existing MAC record by interface id
    disks: dict[str, Any] = field(default_factory=dict)  # existing disk records by name
    interface_ids: dict[str, int] = field(default_factory=dict)
    mac_ids: dict[str, int] = field(default_factory=dict)
    ip_ids: dict[str, int] = field(default_factory=dict)  # addresses assigned by this apply, by address

    @property
    def alive(self) -> bool:
        return self.error is None

    @property
    def guest(self) -> Guest:
        return _guest(self.request.desired)


def assignment(interface_id: int) -> dict[str, Any]:
    return {"assigned_object_type": VMINTERFACE, "assigned_object_id": interface_id}


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def query_chunks(name: str, values: list[Any]) -> Iterator[list[Any]]:
    """``values`` split so that each ``name=v1&name=v2…`` fits the query budget."""
    chunk: list[Any] = []
    length = 0
    for value in values:
        cost = len(name) + len(quote(str(value), safe="")) + 2
        if chunk and length + cost > QUERY_BUDGET:
            yield chunk
            chunk, length = [], 0
        chunk.append(value)
        length += cost
    if chunk:
        yield chunk


class Sender:
    """Sends ops stage by stage for one batch, and reports each change's fate to ``events``."""

    def __init__(self, client: NetboxClient, chunk_size: int, events: WriteEvents, timeout: float) -> None:
        self.client = client
        self.chunk_size = chunk_size
        self.events = events
        self.timeout = timeout

    # --- requests -------------------------------------------------------------------------------------------

    def _write(self, path: str, ops: list[Op], noun: str) -> None:
        """Creates (no ``id`` in the body) as one POST per chunk, updates as one PATCH per chunk."""
        self._send("POST", path, [op for op in ops if "id" not in op.body], noun)
        self._send("PATCH", path, [op for op in ops if "id" in op.body], noun)

    def _send(self, method: str, path: str, ops: list[Op], noun: str) -> None:
        """Send ``ops`` in chunks; a refused chunk is sent again object by object."""
        for chunk in chunks(ops, self.chunk_size):
            chunk = [op for op in chunk if op.work.alive]
            if not chunk:
                continue
            for op in chunk:
                self._mark_sent(op.work)
            if len(chunk) == 1:
                self._send_one(method, path, chunk[0])
                continue
            try:
                answers = self._request(method, path, chunk, f"{method} of {len(chunk)} {noun}")
            except NetmoxError as error:
                if isinstance(error, NOT_RETRIED):
                    for op in chunk:
                        self._fail(op.work, error)
                    continue
                log.debug("bulk %s of %d %s refused (%s): one by one", method, len(chunk), noun, error.one_line())
                for op in chunk:
                    if op.work.alive:
                        self._send_one(method, path, op)
                continue
            for op, answer in zip(chunk, answers, strict=True):
                self._landed(op, answer)

    def _send_one(self, method: str, path: str, op: Op) -> None:
        try:
            answer = self._request(method, path, [op], op.what)[0]
        except NetmoxError as error:
            self._fail(op.work, error)
            return
        self._landed(op, answer)

    def _request(self, method: str, path: str, ops: list[Op], what: str) -> list[dict[str, Any] | None]:
        """One request for ``ops``: a list body for several, the object's own URL (or a plain object body for
        a create) for one, so NetBox's error is the object's own."""
        if len(ops) == 1:
            body = dict(ops[0].body)
            object_id = body.pop("id", None)
            url = path if object_id is None else f"{path}{object_id}/"
            answer = self.client.send(method, url, None if method == "DELETE" else body, what)
            answers: list[Any] = [answer]
        else:
            timeout = self.timeout + SECONDS_PER_OBJECT * len(ops)
            answer = self.client.send(method, path, [op.body for op in ops], what, timeout)
            answers = [None] * len(ops) if method == "DELETE" else answer
        if method == "DELETE":
            return [None] * len(ops)
        if not isinstance(answers, list) or len(answers) != len(ops):
            raise InvalidResponse(f"NetBox at {self.client.url} answered {what} with a list of another length")
        for item in answers:
            if not isinstance(item, dict) or not isinstance(item.get("id"), int):
                raise InvalidResponse(f"NetBox at {self.client.url} answered {what} with an object without an id")
        return answers

    def _landed(self, op: Op, answer: dict[str, Any] | None) -> None:
        if op.then is not None:
            op.then(answer)
        if op.step:
            op.work.steps.add(op.step)

    def _mark_sent(self, work: Work) -> None:
        if not work.sent:
            work.sent = True
            self.events.sent(work.request.change_id)  # write-ahead: before the request that carries it

    def _fail(self, work: Work, error: NetmoxError) -> None:
        if not work.alive:
            return
        notes = ""
        if work.steps.done:
            notes += f" (already written: {'; '.join(work.steps.done)})"
        if work.later:
            notes += f" (not attempted: {', '.join(work.later)})"
        if notes:
            error = copy.copy(error)
            error.message += notes
            error.args = (error.message,)
        work.error = error
        self.events.done(work.request.change_id, None, error)

    def _try(self, work: Work, build: Callable[[], list[Op]]) -> list[Op]:
        """The ops ``build`` makes for ``work``; a lookup that fails while building fails the work."""
        if not work.alive:
            return []
        try:
            return build()
        except NetmoxError as error:
            self._fail(work, error)
            return []

    @staticmethod
    def _passed(works: list[Work], stage: str) -> None:
        """``stage`` is under way: a failure from now on no longer lists it as not attempted."""
        for work in works:
            if stage in work.later:
                work.later.remove(stage)


class Collected:
    """Events that only keep the outcomes (``NetboxProvider.apply`` of a single request)."""

    def __init__(self) -> None:
        self.outcomes: list[tuple[str, WriteResult | None, Exception | None]] = []

    def sent(self, change_id: str) -> None:
        """Nothing to record: the caller of a single write records it."""

    def done(self, change_id: str, result: WriteResult | None, error: Exception | None) -> None:
        self.outcomes.append((change_id, result, error))
