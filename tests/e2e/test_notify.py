"""Policy action notify, end to end: a difference is reported (one NetBox journal entry, one POST) per
difference across runs, not applied; when the difference changes, it is reported again."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.e2e.conftest import Lab
from tests.e2e.seeding import cluster_id, seed_pve, unused_prefix
from tests.support.fakepve_lab import LabPve

pytestmark = [pytest.mark.e2e, pytest.mark.netbox, pytest.mark.fakepve]

SECRET_PATH = "/hooks/s3cr3t-notify-token"


class Receiver(ThreadingHTTPServer):
    """A local HTTP server that keeps every JSON body POSTed to it."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.paths: list[str] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{SECRET_PATH}"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.paths.append(self.path)
        self.server.bodies.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet: the test reads the bodies."""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def warnings_on(lab: Lab, vm_id: int) -> list[str]:
    entries = lab.netbox.api().extras.journal_entries.filter(
        assigned_object_type="virtualization.virtualmachine", assigned_object_id=vm_id, kind="warning"
    )
    return [entry.comments for entry in entries]


def test_a_notify_difference_is_reported_once_and_again_when_it_changes(new_lab, new_pve, receiver: Receiver):
    lab: Lab = new_lab("notify")
    nb = lab.netbox.api()
    pve: LabPve = new_pve()
    seed_pve(pve, unused_prefix(nb))
    connection = lab.add("lab", pve)
    lab.netmox("apply", "--prefer", "proxmox", "--auto-approve")  # documented and in sync

    lab.policy = 'prefer = "netbox"\n[policy.properties]\nmemory = "notify"'
    lab.write_config()
    with lab.config.open("a", encoding="utf-8") as config:
        config.write(f'\n[notify]\nurl = "{receiver.url}"\n')
    pve.vm(100).config["memory"] = "4096"  # resized in the Proxmox VE GUI: a person should decide
    vm = nb.virtualization.virtual_machines.get(name="web01", cluster_id=cluster_id(nb, connection.cluster))

    plan = lab.netmox("plan", "--detailed-exitcode", expect=2)
    assert "memory: 4096 → 2048 MiB (NetBox → Proxmox VE) — notify only, not applied" in plan.stdout
    assert "1 to notify." in plan.stdout
    first = lab.netmox("apply")  # nothing is written: no confirmation needed, even without a terminal
    assert "notified (NetBox journal entry, POST to the [notify] url)" in first.stdout
    assert first.stdout.splitlines()[-1] == "Apply complete: 0 applied, 0 stale, 0 failed, 1 notified."
    assert receiver.url not in first.stdout + first.stderr and "s3cr3t" not in first.stdout + first.stderr
    second = lab.netmox("apply")
    assert "notified" not in second.stdout

    assert pve.vm(100).config["memory"] == "4096"  # reported, not applied
    (entry,) = warnings_on(lab, vm.id)
    assert "memory: NetBox 2048 MiB, Proxmox VE 4096 MiB; netmox would write 2048 MiB to Proxmox VE" in entry
    assert len(receiver.bodies) == 1 and receiver.paths == [SECRET_PATH]
    (change,) = receiver.bodies[0]["changes"]
    assert (change["key"], change["action"], [p["name"] for p in change["properties"]]) == ("100", "notify", ["memory"])
    assert change["properties"][0]["notify"] is True and change["properties"][0]["proxmox"] == 4096

    pve.vm(100).config["memory"] = "8192"  # the difference changes: reported again
    lab.netmox("apply")
    assert len(warnings_on(lab, vm.id)) == 2 and len(receiver.bodies) == 2
    assert receiver.bodies[1]["changes"][0]["properties"][0]["proxmox"] == 8192
    history = lab.netmox("history")
    assert history.stdout.count("netmox apply") >= 3
