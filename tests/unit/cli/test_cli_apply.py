"""`netmox apply`: confirmation, saved plans and staleness, locks, history recording, failures mid-apply."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from cli_cases import Netmox, write_case

from netmox_cli import environment
from netmox_cli.engine.lock import connection_lock
from netmox_cli.model.state import ClusterState, Guest, Side
from netmox_cli.providers.file import FileProvider, read_snapshot

APPLY_COMPLETE = "Apply complete: 11 applied, 0 stale, 0 failed."


def proxmox_guest(config: Path, vmid: int) -> Guest:
    state = read_snapshot(config.parent / "proxmox.json", Side.PROXMOX)
    return next(guest for guest in state.guests if guest.vmid == vmid)


def history_rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


@pytest.fixture
def tty(monkeypatch: pytest.MonkeyPatch) -> None:
    """A person at a terminal (CliRunner's stdin is not one)."""
    monkeypatch.setattr(environment, "stdin_is_interactive", lambda: True)


def test_auto_approve_applies_and_the_next_plan_is_in_sync(netmox: Netmox, homelab: Path) -> None:
    result = netmox("apply", "--config", homelab, "--auto-approve", "--prefer", "netbox")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == APPLY_COMPLETE
    assert proxmox_guest(homelab, 101).memory_mib == 4096
    assert netmox("plan", "--config", homelab, "--detailed-exitcode").exit_code == 0


def test_apply_without_a_terminal_and_without_auto_approve_writes_nothing(netmox: Netmox, homelab: Path) -> None:
    before = (homelab.parent / "proxmox.json").read_text()
    result = netmox("apply", "--config", homelab)
    assert result.exit_code == 1
    assert result.stderr == (
        "error: apply needs a confirmation, but stdin is not a terminal; pass --auto-approve "
        "(to review first: netmox plan --out FILE, then netmox apply FILE --auto-approve)\n"
    )
    assert (homelab.parent / "proxmox.json").read_text() == before


def test_apply_asks_and_applies_on_yes(netmox: Netmox, homelab: Path, tty: None) -> None:
    result = netmox("apply", "--config", homelab, input="yes\n")
    assert result.exit_code == 0
    assert "Apply these changes? Only 'yes' is accepted: " in result.stdout
    assert 'Destructive changes (1): homelab/qemu 102 "web-02": update on Proxmox VE' in result.stdout
    assert result.stdout.splitlines()[-1] == APPLY_COMPLETE


@pytest.mark.parametrize("answer", ["y", "YES please", ""])
def test_apply_cancels_on_anything_but_yes(netmox: Netmox, homelab: Path, tty: None, answer: str) -> None:
    before = (homelab.parent / "proxmox.json").read_text()
    result = netmox("apply", "--config", homelab, input=f"{answer}\n")
    assert result.exit_code == 1
    assert result.stderr == "error: Apply cancelled.\n"
    assert (homelab.parent / "proxmox.json").read_text() == before


def test_apply_with_nothing_to_do_says_so_and_exits_0(netmox: Netmox, homelab: Path) -> None:
    netmox("apply", "--config", homelab, "--auto-approve")
    result = netmox("apply", "--config", homelab, "--auto-approve")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "No changes. 9 ignored, 0 conflicts, 1 manual."


def test_saved_plan_refuses_a_changed_object_as_stale_and_applies_the_rest(netmox: Netmox, homelab: Path) -> None:
    plan_file = homelab.parent / "plan.json"
    netmox("plan", "--config", homelab, "--out", plan_file)
    proxmox = homelab.parent / "proxmox.json"
    data = json.loads(proxmox.read_text())
    next(g for g in data["guests"] if g["vmid"] == 101)["memory_mib"] = 3072
    proxmox.write_text(json.dumps(data))

    result = netmox("apply", plan_file, "--config", homelab, "--auto-approve")

    assert result.exit_code == 1
    assert (
        'homelab/qemu 101 "web-01": update on Proxmox VE: stale '
        "(stale: homelab/101 changed since the plan was made; run netmox plan again)"
    ) in result.stdout.splitlines()
    assert result.stdout.splitlines()[-1] == "Apply complete: 10 applied, 1 stale, 0 failed."
    assert result.stderr.splitlines() == [  # a CI log that keeps only stderr still shows it
        'error: homelab/qemu 101 "web-01": update on Proxmox VE: stale '
        "(stale: homelab/101 changed since the plan was made; run netmox plan again)",
        "error: 1 of 11 changes not applied (0 failed, 1 stale)",
    ]
    assert proxmox_guest(homelab, 101).memory_mib == 3072
    assert proxmox_guest(homelab, 110).ostype == "win11"


def test_a_saved_plan_without_auto_approve_or_a_terminal_writes_nothing(netmox: Netmox, homelab: Path) -> None:
    plan_file = homelab.parent / "plan.json"
    netmox("plan", "--config", homelab, "--out", plan_file)
    before = (homelab.parent / "proxmox.json").read_text()
    result = netmox("apply", plan_file, "--config", homelab)
    assert result.exit_code == 1
    assert result.stderr == (  # not told to save the plan it already saved
        "error: apply needs a confirmation, but stdin is not a terminal; "
        "pass --auto-approve to apply the saved plan without a prompt\n"
    )
    assert (homelab.parent / "proxmox.json").read_text() == before


def test_a_saved_plan_is_applied_on_yes(netmox: Netmox, homelab: Path, tty: None) -> None:
    plan_file = homelab.parent / "plan.json"
    netmox("plan", "--config", homelab, "--out", plan_file)
    result = netmox("apply", plan_file, "--config", homelab, input="yes\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == APPLY_COMPLETE


def test_saved_plan_is_applied_as_made_so_policy_flags_are_refused(netmox: Netmox, homelab: Path) -> None:
    plan_file = homelab.parent / "plan.json"
    netmox("plan", "--config", homelab, "--out", plan_file)
    result = netmox("apply", plan_file, "--config", homelab, "--prefer", "proxmox")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: a saved plan is applied with the policy it was made with; ")


def test_apply_waits_for_the_lock_and_names_its_holder(netmox: Netmox, homelab: Path, tmp_path: Path) -> None:
    with connection_lock(tmp_path / "locks", "homelab", timeout=0):
        result = netmox("apply", "--config", homelab, "--auto-approve", "--lock-timeout", "0")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: connection 'homelab' is locked by pid ")
    assert "raise --lock-timeout" in result.stderr


def test_apply_records_the_run_and_every_change_in_history(netmox: Netmox, homelab: Path, tmp_path: Path) -> None:
    netmox("apply", "--config", homelab, "--auto-approve")
    db = tmp_path / "history.sqlite"
    [(run_id, outcome, command, prefer, digest, finished)] = history_rows(
        db, "SELECT id, outcome, command, prefer, plan_digest, finished FROM runs"
    )
    assert (outcome, prefer) == ("succeeded", "netbox")
    assert command == f"netmox apply --config {homelab} --auto-approve"
    assert digest.startswith("sha256:") and finished
    rows = history_rows(db, "SELECT property, before, after, status FROM changes WHERE key = '101' ORDER BY property")
    assert ("memory", "2048", "4096", "applied") in rows
    assert len({r[0] for r in history_rows(db, "SELECT change_id FROM changes")}) == 11

    listed = netmox("history")
    assert listed.exit_code == 0
    assert f"{run_id:>4}  " in listed.stdout and "succeeded" in listed.stdout and " 11 changes" in listed.stdout
    shown = json.loads(netmox("history", "show", run_id, "--json").stdout)
    assert shown["run"]["state"] == "succeeded"
    assert {"property": "memory", "before": 2048, "after": 4096, "status": "applied"}.items() <= next(
        c for c in shown["changes"] if c["key"] == "101" and c["property"] == "memory"
    ).items()


def test_a_change_that_raises_is_recorded_as_failed_and_the_others_are_applied(
    netmox: Netmox, homelab: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = FileProvider.apply

    def explode_on_103(self, request):
        if request.current is not None and getattr(request.current, "vmid", None) == 103:
            raise RuntimeError("disk controller on fire")
        return original(self, request)

    monkeypatch.setattr(FileProvider, "apply", explode_on_103)
    result = netmox("apply", "--config", homelab, "--auto-approve")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "Apply complete: 10 applied, 0 stale, 1 failed."
    assert result.stderr.splitlines()[-1] == "error: 1 of 11 changes not applied (1 failed, 0 stale)"
    assert any("failed (RuntimeError: disk controller on fire)" in line for line in result.stderr.splitlines())
    assert "Traceback" not in result.stderr
    db = tmp_path / "history.sqlite"
    assert history_rows(db, "SELECT outcome FROM runs") == [("failed",)]
    assert history_rows(db, "SELECT status, error FROM changes WHERE key = '103'") == [
        ("failed", "RuntimeError: disk controller on fire")
    ]
    assert len(history_rows(db, "SELECT DISTINCT change_id FROM changes WHERE status = 'applied'")) == 10


def test_history_keeps_what_was_applied_when_the_run_is_killed_mid_apply(
    netmox: Netmox, homelab: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = FileProvider.apply
    calls = []

    def killed_on_third_write(self, request):
        calls.append(request.change_id)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(self, request)

    monkeypatch.setattr(FileProvider, "apply", killed_on_third_write)
    result = netmox("apply", "--config", homelab, "--auto-approve")
    assert result.exit_code == 130
    assert result.stderr == "error: interrupted (SIGINT)\n"
    db = tmp_path / "history.sqlite"
    assert history_rows(db, "SELECT outcome FROM runs WHERE finished IS NOT NULL") == [("interrupted",)]
    applied = [row[0] for row in history_rows(db, "SELECT DISTINCT change_id FROM changes WHERE status = 'applied'")]
    assert applied == calls[:2]
    sent = [row[0] for row in history_rows(db, "SELECT DISTINCT change_id FROM changes WHERE status = 'sent'")]
    assert sent == calls[2:]  # its request went out: it has a row, its outcome unknown
    assert "interrupted" in netmox("history").stdout
    shown = netmox("history", "show", "1").stdout.splitlines()
    assert [line for line in shown if line.startswith("sent ")] and all(
        line.endswith("(outcome unknown: check the target)") for line in shown if line.startswith("sent ")
    )


def test_interactive_apply_takes_the_value_the_user_picks(netmox: Netmox, tmp_path: Path, tty: None) -> None:
    netbox = ClusterState(side=Side.NETBOX, guests=[Guest(vmid=100, kind="qemu", name="vm", memory_mib=4096)])
    proxmox = ClusterState(side=Side.PROXMOX, guests=[Guest(vmid=100, kind="qemu", name="vm", memory_mib=2048)])
    config = write_case(tmp_path / "case", netbox, proxmox)

    result = netmox("apply", "--config", config, "--interactive", input="p\nyes\n")

    assert result.exit_code == 0, result.output
    assert "  [n] NetBox:     4096 MiB" in result.stdout
    assert "  Take which value? n = NetBox, p = Proxmox VE, s = skip [n]: " in result.stdout  # the default shown
    assert '    ~ qemu 100 "vm": update on NetBox' in result.stdout.splitlines()
    assert read_snapshot(config.parent / "netbox.json").guests[0].memory_mib == 2048
    assert netmox("plan", "--config", config, "--detailed-exitcode").exit_code == 0


def test_interactive_apply_needs_a_terminal(netmox: Netmox, homelab: Path) -> None:
    result = netmox("apply", "--config", homelab, "--interactive")
    assert result.exit_code == 1
    assert result.stderr == "error: --interactive needs a terminal; run it from a terminal, or drop --interactive\n"
