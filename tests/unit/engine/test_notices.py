"""Notify dedupe: a difference is reported once per channel until its values change or it resolves."""

from __future__ import annotations

from pathlib import Path

import pytest

from netmox_cli.config.schema import FileSide, NotifyConfig, PolicyConfig
from netmox_cli.engine.notices import JOURNAL, Notifier
from netmox_cli.engine.planning import Scope
from netmox_cli.engine.session import ConnectionSnapshot, Providers
from netmox_cli.errors import RemoteError
from netmox_cli.history import HistoryStore
from netmox_cli.history.notices import NoticeLedger
from netmox_cli.model.outcomes import ChangeStatus
from netmox_cli.model.plan import ConnectionInfo, Plan
from netmox_cli.model.state import ClusterState, Guest, ObjectKind, Side
from netmox_cli.planner import build_plan, plan_connection
from netmox_cli.providers.file import FileProvider


class NotingNetbox(FileProvider):
    """A NetBox side that keeps journal notes in a list (the real one is exercised in tests/e2e/test_notify.py)."""

    def __init__(self, path: Path) -> None:
        super().__init__(FileSide(type="file", path=path), Side.NETBOX, "lab")
        self.notes: list[str] = []
        self.fail = False

    @property
    def takes_notes(self) -> bool:
        return True

    def note(self, kind: ObjectKind, obj, text: str) -> None:
        if self.fail:
            raise RemoteError("NetBox answered 500")
        self.notes.append(text)


def sides(memory: int) -> tuple[ClusterState, ClusterState]:
    guest = Guest(vmid=101, kind="qemu", name="web", node="pve1", memory_mib=4096, remote_id=7)
    netbox = ClusterState(side=Side.NETBOX, name="lab", guests=[guest])
    proxmox = ClusterState(side=Side.PROXMOX, name="lab", guests=[guest.model_copy(update={"memory_mib": memory})])
    return netbox, proxmox


def planned(memory: int | None) -> tuple[Plan, list[ConnectionSnapshot]]:
    """The plan and snapshots of vm 101, its memory under notify; None: the sides agree."""
    netbox, proxmox = sides(memory or 4096)
    policy = {"prefer": Side.NETBOX, "properties": {"memory": "notify"}}

    info = ConnectionInfo(name="lab", netbox="nb", proxmox="pve")
    plan = build_plan(
        [plan_connection("lab", netbox, proxmox, PolicyConfig(**policy))], [info], PolicyConfig(**policy), "t"
    )
    return plan, [ConnectionSnapshot(name="lab", info=info, netbox=netbox, proxmox=proxmox)]


@pytest.fixture
def setup(tmp_path: Path):
    store = HistoryStore(tmp_path / "h.sqlite")
    netbox = NotingNetbox(tmp_path / "nb.json")
    providers = {
        "lab": Providers(
            netbox=netbox, proxmox=FileProvider(FileSide(type="file", path=tmp_path / "px.json"), Side.PROXMOX, "lab")
        )
    }
    yield Notifier(NotifyConfig(), NoticeLedger(store), providers), netbox
    store.close()


def run(notifier: Notifier, memory: int | None, scope: Scope | None = None) -> list[ChangeStatus]:
    plan, snapshots = planned(memory)
    pending = notifier.pending(plan, snapshots)
    outcomes = notifier.deliver(pending, snapshots, run_id=1) if pending else []
    notifier.settle(plan, snapshots, scope)
    return [o.status for o in outcomes]


def test_a_difference_is_reported_once_then_again_when_it_changes(setup):
    notifier, netbox = setup
    assert run(notifier, 2048) == [ChangeStatus.NOTIFIED]
    assert run(notifier, 2048) == []
    assert run(notifier, 1024) == [ChangeStatus.NOTIFIED]
    assert (
        len(netbox.notes) == 2 and "Proxmox VE 1024 MiB; netmox would write 4096 MiB to Proxmox VE" in netbox.notes[1]
    )


def test_a_resolved_difference_is_forgotten_and_reported_when_it_returns(setup):
    notifier, netbox = setup
    run(notifier, 2048)
    assert run(notifier, None) == []  # in sync: the ledger forgets it
    assert notifier.ledger.reported(JOURNAL, [("lab", "qemu", "101", "memory")]) == {}
    assert run(notifier, 2048) == [ChangeStatus.NOTIFIED] and len(netbox.notes) == 2


def test_a_scoped_run_forgets_nothing_outside_its_scope(setup):
    notifier, _ = setup
    run(notifier, 2048)
    run(notifier, None, Scope([("lab", ObjectKind.QEMU, "999")]))
    assert notifier.ledger.reported(JOURNAL, [("lab", "qemu", "101", "memory")]) != {}


def test_a_failed_journal_entry_is_not_remembered_and_is_tried_again(setup):
    notifier, netbox = setup
    netbox.fail = True
    assert run(notifier, 2048) == [ChangeStatus.FAILED]
    netbox.fail = False
    assert run(notifier, 2048) == [ChangeStatus.NOTIFIED] and len(netbox.notes) == 1
