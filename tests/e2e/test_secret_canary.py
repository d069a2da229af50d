"""The canary sweep: a canary secret in every secret slot (config literal, ``${ENV}``, ``$NETBOX_TOKEN``),
every command and the error paths (``--debug``, a rejected token, an unreachable server), against the real
NetBox and fakepve; stdout, stderr, plan files, the history database (dumped and raw), lock files and
snapshot files hold no canary.

The sweep is real, not vacuous: the secrets are the ones the servers accept (a plan that reads both sides
proves the canary went out in the request headers), each one is given with a trailing newline or CR (so
the request path ran on the cleaned value), and a Proxmox VE guest description *contains* the Proxmox VE
canary, so it travels through plan, plan file, apply, history and snapshot; the sweep would see it there
were the redactor not masking it (the test checks it did reach NetBox unmasked, as data).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from subprocess import CompletedProcess

import pytest

from tests.e2e.conftest import Lab
from tests.support.fakepve_lab import TOKEN_ID, LabPve

pytestmark = [pytest.mark.e2e, pytest.mark.netbox, pytest.mark.fakepve]

PVE_CANARY = f"pve-canary-{uuid.uuid4()}"
REJECTED_CANARY = uuid.uuid4().hex + "deadbeef"  # a well-formed v1 token NetBox does not know
NOTE = f"rack 7, key {PVE_CANARY}"  # a description that quotes the secret: data, not a secret slot
CLOSED_PORT_URL = "http://127.0.0.1:9"


@dataclass
class Sweep:
    """Everything netmox printed or wrote in one lab, and the canaries to look for."""

    lab: Lab
    canaries: list[str]
    runs: list[tuple[str, CompletedProcess[str]]] = field(default_factory=list)

    def run(self, *args: str, expect: int | None = 0, **env: str) -> CompletedProcess[str]:
        result = self.lab.netmox(*args, expect=expect, **env)
        self.runs.append((" ".join(args), result))
        return result

    def artifacts(self) -> Iterator[tuple[str, str]]:
        for command, result in self.runs:
            yield f"stdout of {command}", result.stdout
            yield f"stderr of {command}", result.stderr
        for path in sorted(self.lab.root.rglob("*")):
            if path.is_file() and path.name != "netmox.toml":  # the config is where the secret is supposed to be
                yield str(path), path.read_bytes().decode("utf-8", "replace")
        if self.lab.history.exists():
            with sqlite3.connect(self.lab.history) as db:
                yield "history dump", "\n".join(db.iterdump())

    def leaks(self) -> list[str]:
        """Where a canary was found (its first characters only, so that a failure does not print it)."""
        found = []
        for where, text in self.artifacts():
            found += [f"{where}: {canary[:8]}…" for canary in self.canaries if canary in text]
        return found


def new_pve_with_canary(new_pve) -> LabPve:
    pve: LabPve = new_pve()
    pve.apitokens[TOKEN_ID] = PVE_CANARY
    pve.add_node("pve1")
    pve.add_vm(310, "canary-vm", node="pve1", status="running", config={"cores": 1, "memory": 512, "description": NOTE})
    return pve


def rewrite_config(lab: Lab, old: str, new: str) -> None:
    text = lab.config.read_text(encoding="utf-8")
    assert old in text
    lab.config.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def env_slot(new_lab, new_pve) -> Sweep:
    """Secrets from ``${ENV}`` references, with the trailing newline a ``$(cat file)`` keeps: every command."""
    lab: Lab = new_lab("canary-env")
    lab.add("lab", new_pve_with_canary(new_pve))
    secrets = {"NETBOX_TOKEN": f"{lab.netbox.token}\n", "PVE_TOKEN_SECRET": f"{PVE_CANARY}\r\n"}
    sweep = Sweep(lab, [lab.netbox.token, PVE_CANARY, REJECTED_CANARY])
    sweep.run("check", **secrets)
    sweep.run("init", **secrets)
    sweep.run("plan", "--prefer", "proxmox", **secrets)
    sweep.run("plan", "--prefer", "proxmox", "--out", "plan.json", "--json", **secrets)
    sweep.run("plan", "--prefer", "proxmox", "--format", "markdown", **secrets)
    sweep.run("show", "plan.json", **secrets)
    sweep.run("apply", "plan.json", "--auto-approve", **secrets)
    sweep.run("history", **secrets)
    sweep.run("history", "--json", **secrets)
    sweep.run("history", "show", "1", **secrets)
    sweep.run("history", "show", "1", "--json", **secrets)
    sweep.run("snapshot", "--connection", "lab", "--side", "netbox", "--out", "netbox-snapshot.json", **secrets)
    sweep.run("snapshot", "--connection", "lab", "--side", "proxmox", "--out", "proxmox-snapshot.json", **secrets)
    rejected = {**secrets, "NETBOX_TOKEN": REJECTED_CANARY}
    sweep.run("--debug", "plan", "--prefer", "proxmox", expect=1, **rejected)
    sweep.run("--debug", "check", expect=1, **rejected)
    sweep.run("--debug", "apply", "--prefer", "proxmox", "--auto-approve", expect=1, **rejected)
    sweep.run("--debug", "snapshot", "--connection", "lab", "--side", "netbox", "--out", "x.json", expect=1, **rejected)
    return sweep


def test_no_canary_leaks_from_any_command_with_env_secrets(env_slot: Sweep) -> None:
    assert env_slot.leaks() == []


def test_the_canaries_went_through_the_request_path(env_slot: Sweep) -> None:
    """Both servers accepted the cleaned secrets, the rejected one was sent and refused, and the description
    that quotes the secret was planned, applied and recorded masked, while NetBox got the real text."""
    results = dict(env_slot.runs)
    assert results["check"].stdout.count("ok  ") >= 6, results["check"].stdout
    assert 'description: "rack 7, key ***"' in results["plan --prefer proxmox"].stdout
    assert "rejected the token" in results["--debug plan --prefer proxmox"].stderr
    traceback = results["--debug snapshot --connection lab --side netbox --out x.json"].stderr
    assert "Traceback (most recent call last)" in traceback and "rejected the token" in traceback
    assert "***" in results["history show 1"].stdout
    assert "***" in (env_slot.lab.root / "proxmox-snapshot.json").read_text(encoding="utf-8")
    nb = env_slot.lab.netbox.api()
    vm = nb.virtualization.virtual_machines.get(cluster=env_slot.lab.connections[0].cluster, name="canary-vm")
    assert vm is not None and vm.description == NOTE


@pytest.fixture(scope="module")
def literal_slot(new_lab, new_pve) -> Sweep:
    """Secrets written into netmox.toml itself (with a trailing CR/LF), then the servers made unreachable."""
    lab: Lab = new_lab("canary-literal")
    lab.add("lab", new_pve_with_canary(new_pve))
    rewrite_config(lab, '"${NETBOX_TOKEN}"', f'"{lab.netbox.token}\\n"')
    rewrite_config(lab, '"${PVE_TOKEN_SECRET}"', f'"{PVE_CANARY}\\r\\n"')
    sweep = Sweep(lab, [lab.netbox.token, PVE_CANARY])
    sweep.run("check")
    sweep.run("plan", "--prefer", "proxmox", "--out", "plan.json")
    sweep.run("apply", "--prefer", "proxmox", "--auto-approve")
    sweep.run("history", "show", "1")
    rewrite_config(lab, f'url = "{lab.netbox.url}"', f'url = "{CLOSED_PORT_URL}"')
    pve = lab.connections[0].pve
    rewrite_config(lab, f'host = "{pve.host}:{pve.port}"', 'host = "127.0.0.1:9"')
    sweep.run("--debug", "plan", expect=1)
    sweep.run("--debug", "check", expect=1)
    sweep.run("--debug", "snapshot", "--connection", "lab", "--side", "proxmox", "--out", "x.json", expect=1)
    sweep.run("--debug", "apply", "--prefer", "proxmox", "--auto-approve", expect=1)
    return sweep


def test_no_canary_leaks_with_literal_secrets_nor_when_the_servers_are_unreachable(literal_slot: Sweep) -> None:
    results = dict(literal_slot.runs)
    assert "applied" in results["apply --prefer proxmox --auto-approve"].stdout
    assert "cannot" in results["--debug plan"].stdout + results["--debug plan"].stderr
    assert literal_slot.leaks() == []


@pytest.fixture(scope="module")
def default_slot(new_lab, new_pve) -> Sweep:
    """The NetBox token only from ``$NETBOX_TOKEN`` (no ``token`` key); good, then rejected."""
    lab: Lab = new_lab("canary-default")
    lab.add("lab", new_pve_with_canary(new_pve))
    rewrite_config(lab, 'token = "${NETBOX_TOKEN}"\n', "")
    sweep = Sweep(lab, [lab.netbox.token, PVE_CANARY, REJECTED_CANARY])
    good = {"NETBOX_TOKEN": f"{lab.netbox.token}\r", "PVE_TOKEN_SECRET": PVE_CANARY}
    sweep.run("check", **good)
    sweep.run("plan", "--prefer", "proxmox", "--out", "plan.json", **good)
    sweep.run("--debug", "plan", expect=1, **{**good, "NETBOX_TOKEN": REJECTED_CANARY})
    return sweep


def test_no_canary_leaks_with_the_netbox_token_default(default_slot: Sweep) -> None:
    results = dict(default_slot.runs)
    assert "create on NetBox" in results["plan --prefer proxmox --out plan.json"].stdout
    assert "rejected the token" in results["--debug plan"].stderr
    assert default_slot.leaks() == []
