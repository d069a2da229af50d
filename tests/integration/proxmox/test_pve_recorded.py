"""Real Proxmox VE behaviour fakepve cannot produce, replayed from recorded responses (vcrpy).

proxmoxer and requests run unmodified; vcrpy answers at the HTTP layer from the cassette, and refuses any
request the cassette does not hold.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import vcr

from netmox_cli.config.schema import ProxmoxSide
from netmox_cli.providers.proxmox.client import PveClient
from netmox_cli.providers.proxmox.tasks import TaskWaiter

CASSETTES = Path(__file__).parent / "cassettes"
replay = vcr.VCR(cassette_library_dir=str(CASSETTES), record_mode="none", match_on=["method", "uri"])
UPID = "UPID:pve2:0003A1B2:01F2C3D4:6744A1B0:qmstart:101:root@pam!netmox:"


@pytest.fixture
def client() -> PveClient:
    section = ProxmoxSide(
        type="proxmox", host="pve1.example.com", user="root@pam", token_name="netmox", token_value="secret"
    )
    return PveClient(section, sleep=lambda _seconds: None)


def test_a_task_ending_with_warnings_is_a_success_with_a_warning(client: PveClient) -> None:
    waiter = TaskWaiter(client, timeout=30, sleep=lambda _seconds: None)
    with replay.use_cassette("task_warnings.yaml") as cassette:
        warnings = waiter.wait(UPID, "start of qemu 101")
    assert warnings == ["start of qemu 101: task finished with warnings: 1"]
    assert cassette.play_count == 2  # polled on pve2, the node named in the UPID, until it stopped
