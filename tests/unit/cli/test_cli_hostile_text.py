"""Hostile names through the netmox command: apply's progress lines, ``history`` and ``history show`` show
control characters escaped, so a VM name cannot recolour the output or forge a line of it."""

from __future__ import annotations

from pathlib import Path

from cli_cases import Netmox, write_case

from netmox_cli.model.state import ClusterState, Guest, Node, Side
from netmox_cli.render.safe import has_unsafe

HOSTILE = "web\x1b[31m\r\nfake: applied"


def hostile_case(folder: Path) -> Path:
    node = Node(name="pve1", status="active")
    guest = Guest(vmid=100, kind="qemu", name=HOSTILE, node="pve1", status="active", memory_mib=1024)
    # Created on NetBox, which takes any name: a Proxmox VE-bound create would stop at the DNS-name bound.
    netbox = ClusterState(side=Side.NETBOX, name="lab", nodes=[node])
    proxmox = ClusterState(
        side=Side.PROXMOX,
        name="lab",
        nodes=[node.model_copy(update={"status": "online"})],
        guests=[guest.model_copy(update={"status": "running"})],
    )
    return write_case(folder, netbox, proxmox, policy='prefer = "proxmox"')


def assert_harmless(output: str) -> None:
    assert "fake: applied" in output
    for line in output.splitlines():
        assert not has_unsafe(line), repr(line)
        assert not line.startswith("fake: applied")


def test_apply_history_and_history_show_escape_a_hostile_name(netmox: Netmox, tmp_path: Path) -> None:
    config = hostile_case(tmp_path / "case")
    applied = netmox("apply", "--config", config, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert 'lab/qemu 100 "web\\x1b[31m\\r\\nfake: applied": create on NetBox: applied' in applied.stdout
    assert_harmless(applied.stdout)

    runs = netmox("history")
    assert runs.exit_code == 0
    shown = netmox("history", "show", "1")
    assert shown.exit_code == 0, shown.output
    assert 'qemu 100 "web\\x1b[31m\\r\\nfake: applied": create on NetBox' in shown.stdout
    assert_harmless(shown.stdout)
    assert not has_unsafe(netmox("history", "show", "1", "--json").stdout.replace("\n", ""))
