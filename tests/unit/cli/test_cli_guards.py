"""The delete guards through the real command: the delete limit and the orphan grace across runs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cli_cases import Netmox

from netmox_cli.model.state import Side
from netmox_cli.providers.file import read_snapshot

ORPHANS = [106, 108, 109, 204]  # guests only Proxmox VE has in the bundled example


def proxmox_vmids(config: Path) -> set[int]:
    return {g.vmid for g in read_snapshot(config.parent / "proxmox.json", Side.PROXMOX).guests}


def test_more_deletes_than_the_limit_turn_into_conflicts_and_nothing_is_deleted(netmox: Netmox, homelab: Path) -> None:
    over = netmox("apply", "--config", homelab, "--allow-delete", "--max-deletes", "3", "--auto-approve")
    assert over.exit_code == 0, over.output
    assert "conflict: 4 deletes in one run exceed policy.max_deletes = 3" in over.stdout
    assert set(ORPHANS) <= proxmox_vmids(homelab)
    at = netmox("apply", "--config", homelab, "--allow-delete", "--max-deletes", "4", "--auto-approve")
    assert at.exit_code == 0, at.output
    assert not set(ORPHANS) & proxmox_vmids(homelab)


def test_an_orphan_is_deleted_only_after_its_grace_period(netmox: Netmox, homelab: Path) -> None:
    history = homelab.parent / "netmox.sqlite"
    homelab.write_text(homelab.read_text() + '\nallow_delete = true\ndelete_after = "7d"\n')
    args = ("--config", homelab, "--history", history)
    first = netmox("plan", *args)
    assert "ignored: orphan since " in first.stdout and "(policy.delete_after = 1w)" in first.stdout
    second = netmox("apply", *args, "--auto-approve")  # still young: nothing deleted, the clock is not reset
    assert second.exit_code == 0, second.output
    assert set(ORPHANS) <= proxmox_vmids(homelab)
    with sqlite3.connect(history) as db:  # a week passes (time injected, not slept)
        db.execute("UPDATE orphans SET first_seen = '2020-01-01T00:00:00+00:00'")
    third = netmox("apply", *args, "--auto-approve")
    assert third.exit_code == 0, third.output
    assert not set(ORPHANS) & proxmox_vmids(homelab)


def test_plan_without_an_orphan_grace_writes_no_database(netmox: Netmox, homelab: Path) -> None:
    history = homelab.parent / "netmox.sqlite"
    assert netmox("plan", "--config", homelab, "--history", history).exit_code == 0
    assert not history.exists()
