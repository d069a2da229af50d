"""Host parsing, error translation by status, and the task waiter's exit-status rules."""

from __future__ import annotations

from typing import Any

import pytest
from proxmoxer.core import ResourceException
from pydantic import SecretStr

from netmox_cli.config.schema import ProxmoxSide
from netmox_cli.errors import PermissionDenied, RemoteError, StaleError
from netmox_cli.providers.proxmox.client import PveClient, split_host
from netmox_cli.providers.proxmox.tasks import TaskFailed, TaskWaiter

SECTION = ProxmoxSide(type="proxmox", host="pve.example", user="root@pam", token_name="t", token_value=SecretStr("s"))
UPID = "UPID:pve2:000FF1FD:10F9374C:630D702C:qmstart:101:root@pam!t:"


@pytest.mark.parametrize(
    ("host", "parts"),
    [
        ("pve.example", ("pve.example", 8006)),
        ("pve.example:8443", ("pve.example", 8443)),
        ("https://pve.example:8006/", ("pve.example", 8006)),
        ("[2001:db8::1]:8007", ("[2001:db8::1]", 8007)),
        ("2001:db8::1", ("[2001:db8::1]", 8006)),
    ],
)
def test_host_with_optional_port(host: str, parts: tuple[str, int]) -> None:
    assert split_host(host) == parts


@pytest.mark.parametrize(
    ("status", "reason", "error", "line"),
    [
        (500, "checksum mismatch (file change by other user?)", StaleError, "the guest config changed"),
        (500, "detected modified configuration - file changed by other user? Try again.", StaleError, "the guest"),
        (500, "cluster not ready - no quorum?", RemoteError, "the Proxmox VE cluster has lost quorum"),
        (
            403,
            "Permission check failed (/vms/101, VM.Config.Memory)",
            PermissionDenied,
            "Proxmox VE token root@pam!t lacks VM.Config.Memory on /vms/101",
        ),
        (
            400,
            "Parameter verification failed.",
            RemoteError,
            "Proxmox VE refused PUT /x (400): Parameter verification failed. memory: value must",
        ),
    ],
)
def test_pve_answers_are_translated_by_status_and_wording(status: int, reason: str, error: type, line: str) -> None:
    errors = {"memory": "value must be at least 16"} if status == 400 else None
    translated = PveClient(SECTION).translate(ResourceException(status, "", reason, errors=errors), "PUT /x")
    assert type(translated) is error
    assert translated.one_line().startswith(line)


class Tasks:
    """Answers task status reads from a script; records the paths it was asked for."""

    def __init__(self, statuses: list[dict[str, Any]], log: list[str] | None = None) -> None:
        self.statuses = statuses
        self.log = log or []
        self.paths: list[str] = []

    def get(self, path: str, **_params: Any) -> Any:
        self.paths.append(path)
        if path.endswith("/log"):
            return [{"n": n, "t": text} for n, text in enumerate(self.log, 1)]
        return self.statuses.pop(0)


def waiter(tasks: Tasks, timeout: float = 60) -> TaskWaiter:
    return TaskWaiter(tasks, timeout, sleep=lambda _s: None)  # type: ignore[arg-type]


def test_polls_on_the_node_named_in_the_upid_until_stopped() -> None:
    tasks = Tasks([{"status": "running"}, {"status": "running"}, {"status": "stopped", "exitstatus": "OK"}])
    assert waiter(tasks).wait(UPID, "start") == []
    assert tasks.paths == [f"/nodes/pve2/tasks/{UPID}/status"] * 3


def test_warnings_are_success_with_a_warning() -> None:
    tasks = Tasks([{"status": "stopped", "exitstatus": "WARNINGS: 2"}])
    assert waiter(tasks).wait(UPID, "start of qemu 101") == ["start of qemu 101: task finished with warnings: 2"]


def test_any_other_exit_status_fails_with_the_last_log_lines() -> None:
    log = [f"line {n}" for n in range(1, 9)] + ["TASK ERROR: boom"]
    tasks = Tasks([{"status": "stopped", "exitstatus": "boom"}], log)
    with pytest.raises(TaskFailed) as caught:
        waiter(tasks).wait(UPID, "start of qemu 101")
    assert caught.value.one_line() == (
        "start of qemu 101 failed on node pve2: boom; task log: line 5 | line 6 | line 7 | line 8 | TASK ERROR: boom"
    )


def test_a_task_still_running_after_the_timeout_is_an_error() -> None:
    clock = iter(range(0, 1000, 10))
    tasks = Tasks([{"status": "running"}] * 100)
    slow = TaskWaiter(tasks, 25, clock=lambda: next(clock), sleep=lambda _s: None)  # type: ignore[arg-type]
    with pytest.raises(RemoteError, match="still running after 25 s"):
        slow.wait(UPID, "shutdown")
