"""`netmox apply PLAN.json` re-derives the plan: a plan file is a request, never trusted as written.

Each case edits one field of a file made by `netmox plan --out`, applies it through the real command
over snapshot files, and checks the exit code, the one-line refusal and that nothing was written for it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from cli_cases import Netmox

from netmox_cli.model.state import Guest, Side
from netmox_cli.providers.file import read_snapshot

WRITES = 11  # the bundled example's plan under prefer = "netbox"


def guest(config: Path, vmid: int, side: Side = Side.PROXMOX) -> Guest | None:
    state = read_snapshot(config.parent / f"{side.value}.json", side)
    return next((g for g in state.guests if g.vmid == vmid), None)


def saved_plan(netmox: Netmox, config: Path) -> tuple[Path, dict[str, Any]]:
    path = config.parent / "plan.json"
    assert netmox("plan", "--config", config, "--out", path).exit_code == 0
    return path, json.loads(path.read_text())


def change(plan: dict[str, Any], change_id: str) -> dict[str, Any]:
    return next(c for c in plan["changes"] if c["id"] == change_id)


def apply_edited(netmox: Netmox, config: Path, path: Path, plan: dict[str, Any], *args: str):
    path.write_text(json.dumps(plan))
    return netmox("apply", path, "--config", config, "--auto-approve", *args)


def test_an_update_edited_into_a_delete_is_refused_and_the_guest_stays(netmox: Netmox, homelab: Path) -> None:
    path, plan = saved_plan(netmox, homelab)
    edited = change(plan, "homelab/qemu/101#proxmox")
    edited.update(action="delete", properties=[])
    result = apply_edited(netmox, homelab, path, plan)
    assert result.exit_code == 1
    refusal = (
        'error: homelab/qemu 101 "web-01": delete on Proxmox VE: failed (refused: the plan file asks for delete '
        "on Proxmox VE, netmox plans update on Proxmox VE now)"
    )
    assert refusal in result.stderr.splitlines()
    assert guest(homelab, 101) is not None and guest(homelab, 101).memory_mib == 2048  # not even updated
    assert result.stdout.splitlines()[-1] == f"Apply complete: {WRITES - 1} applied, 0 stale, 1 failed."


def test_an_edited_written_value_is_refused_and_never_written(netmox: Netmox, homelab: Path) -> None:
    path, plan = saved_plan(netmox, homelab)
    memory = next(p for p in change(plan, "homelab/qemu/101#proxmox")["properties"] if p["name"] == "memory")
    memory["after"] = 1024
    result = apply_edited(netmox, homelab, path, plan)
    assert result.exit_code == 1
    assert (
        "refused: the plan file's memory (netbox->proxmox, writes 1024) differs from what netmox plans now "
        "(netbox->proxmox, writes 4096)"
    ) in result.stderr
    assert guest(homelab, 101).memory_mib == 2048


def test_an_edited_policy_cannot_allow_what_the_config_forbids(netmox: Netmox, homelab: Path) -> None:
    path, plan = saved_plan(netmox, homelab)
    plan["policy"]["allow_delete"] = True
    ignored = change(plan, "homelab/qemu/106#ignore")
    ignored.update(id="homelab/qemu/106#proxmox", action="delete", target="proxmox", reason=None)
    result = apply_edited(netmox, homelab, path, plan)
    assert result.exit_code == 1
    assert (
        "homelab/qemu 106" in result.stderr and "refused: the plan file asks for delete on Proxmox VE" in result.stderr
    )
    assert guest(homelab, 106) is not None


def test_the_summary_shown_is_recomputed_not_read_from_the_file(netmox: Netmox, homelab: Path) -> None:
    path, plan = saved_plan(netmox, homelab)
    plan["summary"]["proxmox"]["create"] = 99
    result = apply_edited(netmox, homelab, path, plan)
    assert result.exit_code == 0, result.output
    assert "99 to create" not in result.stdout
    assert "Plan: 2 to create, 9 to update, 0 to delete on Proxmox VE" in result.stdout


def test_an_edited_basis_is_refused(netmox: Netmox, homelab: Path) -> None:
    path, plan = saved_plan(netmox, homelab)
    change(plan, "homelab/qemu/102#proxmox")["basis"] = "sha256:" + "0" * 32
    result = apply_edited(netmox, homelab, path, plan)
    assert result.exit_code == 1
    assert 'homelab/qemu 102 "web-02": update on Proxmox VE: stale' in result.stderr
    assert guest(homelab, 102).status == "running"


def test_a_change_that_only_the_new_plan_has_is_not_applied(netmox: Netmox, homelab: Path) -> None:
    path, _ = saved_plan(netmox, homelab)
    netbox_file = homelab.parent / "netbox.json"
    data = json.loads(netbox_file.read_text())
    newcomer = dict(next(g for g in data["guests"] if g["vmid"] == 105), vmid=120, name="newcomer", remote_id=None)
    data["guests"].append(newcomer)
    netbox_file.write_text(json.dumps(data))
    result = netmox("apply", path, "--config", homelab, "--auto-approve")
    assert result.exit_code == 0, result.output
    assert guest(homelab, 120) is None  # never shown in the saved plan, so never created
    assert guest(homelab, 105) is not None


def test_a_plan_is_not_applied_to_a_connection_that_points_elsewhere_now(netmox: Netmox, homelab: Path) -> None:
    path, _ = saved_plan(netmox, homelab)
    shutil.copy(homelab.parent / "proxmox.json", homelab.parent / "other-cluster.json")
    homelab.write_text(homelab.read_text().replace('"proxmox.json"', '"other-cluster.json"'))
    before = (homelab.parent / "other-cluster.json").read_text()
    result = netmox("apply", path, "--config", homelab, "--auto-approve")
    assert result.exit_code == 1
    assert "the plan was made against file " in result.stderr and "now reads file " in result.stderr
    assert "run netmox plan again against this target" in result.stderr
    assert (homelab.parent / "other-cluster.json").read_text() == before


def test_a_saved_delete_needs_the_config_or_the_flag_to_allow_deletes_at_apply_time(
    netmox: Netmox, homelab: Path
) -> None:
    path = homelab.parent / "plan.json"
    netmox("plan", "--config", homelab, "--allow-delete", "--out", path)
    refused = netmox("apply", path, "--config", homelab, "--auto-approve")
    assert refused.exit_code == 1
    assert "netmox plans ignore now (would delete" in refused.stderr
    assert guest(homelab, 106) is not None
    allowed = netmox("apply", path, "--config", homelab, "--auto-approve", "--allow-delete")
    # The first apply wrote the other changes, so those are stale now; the deletes go through.
    assert allowed.stdout.splitlines()[-1] == f"Apply complete: 4 applied, {WRITES} stale, 0 failed."
    assert guest(homelab, 106) is None
