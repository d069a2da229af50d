"""``netmox watch`` end to end: NetBox's own RQ worker delivers the webhooks (created by ``netmox init
--webhook``) to a ``netmox watch`` subprocess, which plans and applies against fakepve.

The watch reaches NetBox through a ``Gate`` (a TCP forwarder) so that the NetBox outage test can cut
watch off from NetBox while the shared server and its webhook deliveries go on. The latency from the
NetBox save to the guest existing on Proxmox VE is printed (run with ``-s``); it is measured, not asserted.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from netmox_cli.watch.signature import HEADER, sign
from tests.e2e.conftest import NETMOX, Lab
from tests.e2e.seeding import cluster_id, seed_device, seed_netbox_vm, unused_prefix
from tests.support.fakepve_lab import LabPve
from tests.support.tcp_gate import Gate

pytestmark = [pytest.mark.e2e, pytest.mark.netbox, pytest.mark.fakepve]

SECRET = "watch-e2e-3f9c1d2b7a"
WAIT = 60.0  # bound on every wait for something watch should do


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], Any], timeout: float = WAIT, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}", pytrace=False)


@dataclass
class Watching:
    lab: Lab
    pve: LabPve
    cluster: str
    net: str
    base: str  # http://127.0.0.1:PORT of the watch process
    gate: Gate
    log: Path
    init: list[subprocess.CompletedProcess[str]]

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, body: bytes, signature: str | None) -> int:
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers[HEADER] = signature
        request = urllib.request.Request(self.base + "/webhook/netbox", data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def metric(self, name: str) -> float:
        _, text = self.get("/metrics")
        for line in text.splitlines():
            if line.startswith(f"netmox_watch_{name} "):
                return float(line.split()[1])
        raise AssertionError(f"no metric {name}")

    def health(self) -> tuple[int, dict[str, Any]]:
        code, text = self.get("/healthz")
        return code, json.loads(text)

    def quiet(self) -> None:
        """Wait until nothing is queued and the last run is over (no run is started by a queued object)."""
        wait_until(lambda: self.metric("queue_depth") == 0, what="an empty queue")
        time.sleep(0.5)  # a batch just taken off the queue finishes its run
        runs = self.metric("plans_total") + self.metric("runs_failed_total")
        wait_until(
            lambda: (
                self.metric("queue_depth") == 0
                and self.metric("plans_total") + self.metric("runs_failed_total") == runs
            ),
            what="watch to go quiet",
        )

    def history_runs(self) -> list[dict[str, Any]]:
        result = self.lab.netmox("history", "--json", NETMOX_WEBHOOK_SECRET=SECRET)
        return json.loads(result.stdout)

    def rule(self, enabled: bool) -> None:
        """Switch the event rule: seeding with it off documents a VM without telling watch."""
        nb = self.lab.netbox.api()
        rule = nb.extras.event_rules.get(name=f"netmox watch {self.base}/webhook/netbox")
        rule.update({"enabled": enabled})


def vm_event(nb: Any, cluster: str, vmid: int, event: str = "updated", request_id: str = "e2e") -> bytes:
    """A webhook body as NetBox sends it for the VM with ``vmid`` (its REST serialization as ``data``)."""
    vm = nb.virtualization.virtual_machines.get(cf_proxmox_vmid=vmid, cluster_id=cluster_id(nb, cluster))
    data = json.loads(json.dumps(dict(vm), default=str))
    payload = {
        "event": event,
        "timestamp": "2026-12-03T06:00:00+00:00",
        "object_type": "virtualization.virtualmachine",
        "data": data,
        "request": {"id": request_id, "user": "e2e-tester", "path": "/api/", "method": "PATCH"},
        "snapshots": {"prechange": None, "postchange": None},
    }
    return json.dumps(payload).encode()


def created(pve: LabPve, vmid: int) -> bool:
    """The guest exists on fakepve with its config written (the create task is done)."""
    vm = pve.vm(vmid)
    return vm is not None and "memory" in vm.config


def document(watching: Watching, vmid: int, name: str, memory: int = 1024) -> Any:
    return seed_netbox_vm(
        watching.lab.netbox.api(),
        watching.cluster,
        vmid=vmid,
        kind="qemu",
        name=name,
        node="pve1",
        vcpus=1,
        memory=memory,
        disk=("scsi0", 8 * 1024),
        nic=("net0", f"BC:24:11:AA:{vmid // 100:02d}:{vmid % 100:02d}", [f"{watching.net}.{vmid % 250}/24"]),
        tags=["watch"],
    )


@pytest.fixture(scope="module")
def watching(new_lab, new_pve) -> Iterator[Watching]:
    lab: Lab = new_lab("watch")
    pve: LabPve = new_pve()
    for node in ("pve1", "pve2"):
        pve.add_node(node)
    lab.policy = 'prefer = "netbox"'
    connection = lab.add("lab", pve)
    nb = lab.netbox.api()
    for node in ("pve1", "pve2"):
        seed_device(nb, connection.cluster, node)
    upstream = lab.netbox.url.removeprefix("http://").rstrip("/")
    host, port = upstream.split(":")
    gate = Gate(host, int(port))
    listen = free_port()
    base = f"http://127.0.0.1:{listen}"
    text = lab.config.read_text().replace(f'url = "{lab.netbox.url}"', f'url = "{gate.url}"')
    text += f'\n[watch]\nlisten = "127.0.0.1:{listen}"\nsecret = "${{NETMOX_WEBHOOK_SECRET}}"\n'
    lab.config.write_text(text, encoding="utf-8")
    hook = f"{base}/webhook/netbox"
    init = [lab.netmox("init", "--webhook", hook, NETMOX_WEBHOOK_SECRET=SECRET) for _ in range(2)]
    log = lab.root / "watch.log"
    with log.open("w") as err:
        process = subprocess.Popen(
            [str(NETMOX), "watch"],
            cwd=lab.root,
            env=lab.env(NETMOX_WEBHOOK_SECRET=SECRET),
            stdin=subprocess.DEVNULL,
            stdout=err,
            stderr=err,
        )
    watching = Watching(lab, pve, connection.cluster, unused_prefix(nb), base, gate, log, init)

    def started() -> bool:
        try:
            return process.poll() is not None or watching.metric("plans_total") >= 1  # the start-up reconcile
        except OSError:  # not listening yet
            return False

    try:
        wait_until(started, what="watch to start")
        assert process.poll() is None, log.read_text()
        yield watching
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        for endpoint in (nb.extras.event_rules, nb.extras.webhooks):  # the shared worker must stop calling us
            record = endpoint.get(name=f"netmox watch {hook}")
            if record is not None:
                record.delete()
        gate.shut()
        if lab.transcript is not None:
            lab.transcript.with_suffix(".watch.log").write_text(log.read_text(), encoding="utf-8")


def test_init_webhook_creates_the_webhook_and_rule_once(watching: Watching):
    first, second = watching.init
    assert "created webhook 'netmox watch" in first.stdout
    assert "created event rule 'netmox watch" in first.stdout
    assert "already in place" in second.stdout and "created" not in second.stdout
    nb = watching.lab.netbox.api()
    webhook = nb.extras.webhooks.get(name=f"netmox watch {watching.base}/webhook/netbox")
    assert webhook.secret == SECRET and webhook.ssl_verification is True
    assert SECRET not in first.stdout + first.stderr + watching.log.read_text()


def test_a_vm_documented_in_netbox_is_created_on_proxmox_within_seconds(watching: Watching):
    watching.quiet()
    nb = watching.lab.netbox.api()
    vm = nb.virtualization.virtual_machines.create(
        name="watched01",
        cluster=cluster_id(nb, watching.cluster),
        device=nb.dcim.devices.get(name="pve1", cluster_id=cluster_id(nb, watching.cluster)).id,
        status="active",
        vcpus=1,
        memory=1536,
        custom_fields={"proxmox_vmid": 201, "proxmox_type": "qemu"},
    )
    saved = time.monotonic()  # the VM is saved; its disk follows, as a second form would add it
    nb.virtualization.virtual_disks.create(virtual_machine=vm.id, name="scsi0", size=8 * 1024)
    last_saved = time.monotonic()
    wait_until(lambda: created(watching.pve, 201), what="guest 201 on fakepve")
    done = time.monotonic()
    print(
        f"\nnetmox watch latency, NetBox save -> Proxmox VE create: {done - saved:.2f} s "
        f"({done - last_saved:.2f} s after the last save; debounce 2 s)"
    )
    assert watching.pve.vm(201).config["memory"] in (1536, "1536")
    watching.quiet()
    runs = [r for r in watching.history_runs() if r["origin"] == "watch" and "VMID 201" in r["command"]]
    assert runs and runs[0]["netbox_user"] == "netmox-admin"
    assert runs[0]["request_id"]
    code, health = watching.health()
    assert code == 200 and health["status"] == "ok"


def test_a_forged_signature_changes_nothing(watching: Watching):
    watching.rule(False)
    try:
        document(watching, 202, "forged02")
    finally:
        watching.rule(True)
    watching.quiet()
    body = vm_event(watching.lab.netbox.api(), watching.cluster, 202, "created")
    runs_before = len(watching.history_runs())
    rejected = watching.metric("events_rejected_total")
    assert watching.post(body, None) == 403
    assert watching.post(body, sign(body, "not-the-secret")) == 403
    assert watching.post(body, sign(body + b" ", SECRET)) == 403
    time.sleep(4)  # twice the debounce: anything accepted would have been planned by now
    assert watching.metric("events_rejected_total") == rejected + 3
    assert watching.pve.vm(202) is None
    assert len(watching.history_runs()) == runs_before
    assert "refused (403): unsigned" in watching.log.read_text()
    # The same body, signed with the secret, is what creates the guest: the refusal is what kept it out.
    assert watching.post(body, sign(body, SECRET)) == 202
    wait_until(lambda: created(watching.pve, 202), what="guest 202 after a signed event")


def test_fifty_events_for_one_vm_make_one_plan(watching: Watching):
    watching.rule(False)
    try:
        document(watching, 204, "burst04", memory=1024)
    finally:
        watching.rule(True)
    watching.quiet()
    plans = watching.metric("plans_total")
    received = watching.metric("events_received_total")
    nb = watching.lab.netbox.api()
    # Built first, posted back to back: the burst must fall inside one debounce window.
    bodies = [vm_event(nb, watching.cluster, 204, request_id=f"burst-{n}") for n in range(50)]
    for body in bodies:
        assert watching.post(body, sign(body, SECRET)) == 202
    wait_until(lambda: created(watching.pve, 204), what="guest 204")
    watching.quiet()
    assert watching.metric("events_received_total") - received >= 50
    assert watching.metric("plans_total") - plans == 1
    [run] = [r for r in watching.history_runs() if "VMID 204" in r["command"]]
    assert "50 NetBox events" in run["command"]
    assert run["request_id"].count("burst-") == 50


def test_a_netbox_outage_is_survived_reported_and_recovered(watching: Watching):
    watching.rule(False)
    try:
        document(watching, 205, "outage05")
    finally:
        watching.rule(True)
    watching.quiet()
    body = vm_event(watching.lab.netbox.api(), watching.cluster, 205)
    watching.gate.shut()
    try:
        assert watching.post(body, sign(body, SECRET)) == 202
        _, health = wait_until(lambda: (h := watching.health())[0] == 503 and h, what="/healthz 503")
        assert health["degraded"] == ["lab"]
        assert "NetBox" in health["last_runs"]["lab"]["error"]
        assert watching.pve.vm(205) is None
        assert watching.post(b"{not json", sign(b"{not json", SECRET)) == 400  # a bad event costs one line
    finally:
        watching.gate.open()
    wait_until(lambda: created(watching.pve, 205), what="guest 205 after NetBox is back")
    wait_until(lambda: watching.health()[0] == 200, what="/healthz 200 after recovery")
    log = watching.log.read_text()
    assert "failed, retrying with backoff" in log
    assert "refused (400)" in log
