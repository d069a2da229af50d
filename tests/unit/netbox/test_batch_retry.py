"""The retry rule of a refused NetBox chunk, on a stand-in client: objects are re-sent one by one only when
NetBox refused them; an unreachable NetBox (whose answer may have been lost after the write) is not retried."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from netmox_cli.errors import ConflictError, ConnectionFailed
from netmox_cli.model.state import Guest
from netmox_cli.providers.base import WriteRequest, WriteResult
from netmox_cli.providers.netbox.batch import Batch


class Client:
    """Answers each DELETE with ``answer(body)``: None for done, or an exception to raise."""

    url = "https://netbox.example"
    api = None

    def __init__(self, answer) -> None:
        self.answer = answer
        self.sent: list[tuple[str, str, Any]] = []

    def send(self, method: str, path: str, body: Any, what: str, timeout: float | None = None) -> Any:
        self.sent.append((method, path, body))
        error = self.answer(path, body)
        if error is not None:
            raise error
        return None


class Events:
    def __init__(self) -> None:
        self.log: list[tuple[str, str, str | None]] = []

    def sent(self, change_id: str) -> None:
        self.log.append(("sent", change_id, None))

    def done(self, change_id: str, result: WriteResult | None, error: Exception | None) -> None:
        self.log.append(("done", change_id, str(error) if error else None))


def batch(client: Client, events: Events) -> Batch:
    refs = SimpleNamespace(preload=lambda **_: None)
    writer = SimpleNamespace(client=client, refs=refs, section=SimpleNamespace(journal=True, timeout=30.0))
    return Batch(writer, 200, events)  # type: ignore[arg-type]


def deletes(count: int) -> list[WriteRequest]:
    return [
        WriteRequest(
            change_id=f"c/{vmid}",
            action="delete",
            kind="qemu",
            current=Guest(vmid=vmid, kind="qemu", name=f"vm{vmid}", remote_id=vmid),
        )
        for vmid in range(1, count + 1)
    ]


def test_a_refused_chunk_is_sent_again_object_by_object():
    def answer(path, body):
        if isinstance(body, list):
            return ConflictError("1 of 3 objects could not be deleted")
        return ConflictError("VM 2 is protected") if path.endswith("/2/") else None

    client, events = Client(answer), Events()
    batch(client, events).run(deletes(3))
    assert [path for _, path, _ in client.sent] == [
        "virtualization/virtual-machines/",
        "virtualization/virtual-machines/1/",
        "virtualization/virtual-machines/2/",
        "virtualization/virtual-machines/3/",
    ]
    done = {cid: error for kind, cid, error in events.log if kind == "done"}
    assert done == {"c/1": None, "c/2": "VM 2 is protected", "c/3": None}
    assert [kind for kind, _, _ in events.log[:3]] == ["sent"] * 3  # all sent before the chunk request


def test_an_unreachable_netbox_fails_the_chunk_without_retrying_it():
    client, events = Client(lambda path, body: ConnectionFailed("cannot reach NetBox")), Events()
    batch(client, events).run(deletes(3))
    assert len(client.sent) == 1
    assert [(cid, error) for kind, cid, error in events.log if kind == "done"] == [
        ("c/1", "cannot reach NetBox"),
        ("c/2", "cannot reach NetBox"),
        ("c/3", "cannot reach NetBox"),
    ]
