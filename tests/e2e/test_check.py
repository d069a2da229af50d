"""`netmox check` against a real NetBox and a fakepve: every side reports what it is, and failures say why."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Lab
from tests.support.fakepve_lab import TOKEN_SECRET, LabPve

pytestmark = [pytest.mark.e2e, pytest.mark.netbox, pytest.mark.fakepve]


@pytest.fixture(scope="module")
def lab(new_lab, new_pve) -> Lab:
    lab: Lab = new_lab("check")
    pve: LabPve = new_pve()
    pve.add_node("pve1")
    pve.add_vm(100, "web01", node="pve1", status="running", config={"cores": 1, "memory": 512})
    lab.add("lab", pve)
    return lab


def test_check_reports_both_sides_and_exits_0_when_all_is_well(lab: Lab):
    result = lab.netmox("check", expect=0)
    lines = result.stdout.splitlines()
    assert any(line.startswith("ok") and "NetBox" in line and lab.netbox.version in line for line in lines), lines
    assert any(line.startswith("ok") and "Proxmox VE" in line for line in lines), lines
    assert not any(line.startswith("FAIL") for line in lines), lines
    assert TOKEN_SECRET not in result.stdout + result.stderr


def test_check_names_a_rejected_token_and_exits_1(lab: Lab):
    result = lab.netmox("check", expect=1, NETBOX_TOKEN="0" * 40)
    assert any(line.startswith("FAIL") and "rejected the token" in line for line in result.stdout.splitlines())
    assert "0" * 40 not in result.stdout + result.stderr
