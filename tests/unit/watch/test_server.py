"""The webhook endpoint over real HTTP on a loopback port: signature first, then the parser; /healthz, /metrics."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from netmox_cli.watch.events import BadEvent, parse
from netmox_cli.watch.server import WatchServer
from netmox_cli.watch.signature import HEADER, sign
from netmox_cli.watch.status import RunSummary, Status

SECRET = "unit-secret"
BODY = json.dumps({"event": "created", "object_type": "virtualization.virtualmachine", "data": {"id": 1}}).encode()


@pytest.fixture
def served() -> Iterator[tuple[str, Status, list[bytes]]]:
    accepted: list[bytes] = []
    status = Status(lambda: len(accepted))

    def accept(body: bytes) -> str:
        parse(body)  # raises BadEvent
        accepted.append(body)
        return "accepted"

    server = WatchServer(("127.0.0.1", 0), SECRET, status, accept)
    server.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", status, accepted
    finally:
        server.shutdown()
        server.server_close()


def post(base: str, body: bytes, signature: str | None) -> int:
    headers = {HEADER: signature} if signature is not None else {}
    request = urllib.request.Request(base + "/webhook/netbox", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def get(base: str, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(base + path, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_only_correctly_signed_bodies_reach_the_parser(served, caplog) -> None:
    base, status, accepted = served
    assert post(base, BODY, None) == 403
    assert post(base, BODY, sign(BODY, "wrong")) == 403
    assert accepted == []
    assert post(base, BODY, sign(BODY, SECRET)) == 202
    assert accepted == [BODY]
    assert status.counter("events_received_total") == 3
    assert status.counter("events_rejected_total") == 2
    assert sum("refused (403)" in r.getMessage() for r in caplog.records) == 2
    assert SECRET not in caplog.text


def test_a_signed_but_malformed_body_is_400(served) -> None:
    base, status, accepted = served
    body = b'{"event": "nope"}'
    assert post(base, body, sign(body, SECRET)) == 400
    assert accepted == [] and status.counter("events_rejected_total") == 1
    with pytest.raises(BadEvent):
        parse(body)


def test_healthz_is_503_while_degraded_and_metrics_are_prometheus_text(served) -> None:
    base, status, _ = served
    assert get(base, "/healthz")[0] == 200
    status.record(RunSummary("lab", "scoped", 100.0, 0.5, ok=False, error="NetBox at x refused the connection"))
    code, text = get(base, "/healthz")
    assert code == 503 and json.loads(text)["degraded"] == ["lab"]
    status.record(RunSummary("lab", "scoped", 200.0, 0.5, ok=True, applied=2))
    code, text = get(base, "/healthz")
    assert code == 200 and json.loads(text)["last_runs"]["lab"]["applied"] == 2
    code, metrics = get(base, "/metrics")
    assert code == 200
    assert "# TYPE netmox_watch_plans_total counter" in metrics
    assert "netmox_watch_plans_total 1\n" in metrics
    assert "netmox_watch_runs_failed_total 1\n" in metrics
    assert "netmox_watch_changes_applied_total 2\n" in metrics
    assert "netmox_watch_last_success_timestamp_seconds 200.5\n" in metrics
    assert "netmox_watch_queue_depth 0\n" in metrics
    assert get(base, "/other")[0] == 404
