"""The apply operation: decide, scope, injected reader, origin in the history, subscribers."""

from __future__ import annotations

from pathlib import Path

from netmox_cli.config.schema import NetmoxConfig, PolicyConfig
from netmox_cli.engine.operation import ApplyOperation, ApplyRequest, Approval, Proposal, RunOrigin, auto_approve
from netmox_cli.engine.planning import Scope
from netmox_cli.engine.session import ConnectionSnapshot, Providers, open_providers, take_snapshots
from netmox_cli.history import HistoryStore
from netmox_cli.model.outcomes import ChangeOutcome, ChangeStatus
from netmox_cli.model.state import ClusterState, Guest, Node, ObjectKind, Side
from netmox_cli.providers.base import Progress
from netmox_cli.providers.file import read_snapshot, write_snapshot

PREFER_NETBOX = PolicyConfig(prefer=Side.NETBOX)


def lab(tmp_path: Path) -> NetmoxConfig:
    """Three guests whose memory differs (NetBox has the larger value)."""
    nodes = [Node(name="pve1", status="active")]
    guests = [Guest(vmid=v, kind="qemu", name=f"vm{v}", node="pve1", memory_mib=4096) for v in (101, 102, 103)]
    write_snapshot(ClusterState(side=Side.NETBOX, name="lab", nodes=nodes, guests=guests), tmp_path / "netbox.json")
    pve = [g.model_copy(update={"memory_mib": 2048}) for g in guests]
    pve_nodes = [Node(name="pve1", status="online")]
    write_snapshot(ClusterState(side=Side.PROXMOX, name="lab", nodes=pve_nodes, guests=pve), tmp_path / "proxmox.json")
    return NetmoxConfig.model_validate(
        {
            "connections": {
                "lab": {
                    "netbox": {"type": "file", "path": tmp_path / "netbox.json"},
                    "proxmox": {"type": "file", "path": tmp_path / "proxmox.json"},
                }
            }
        }
    )


def memories(tmp_path: Path) -> dict[int, int | None]:
    state = read_snapshot(tmp_path / "proxmox.json", Side.PROXMOX)
    return {guest.vmid: guest.memory_mib for guest in state.guests}


class Events:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def sent(self, change) -> None:
        self.seen.append(("sent", change.id))

    def finished(self, outcome: ChangeOutcome) -> None:
        self.seen.append((outcome.status.value, outcome.change.id))


def operation(config: NetmoxConfig, providers: dict[str, Providers], store: HistoryStore, tmp_path: Path, **kw):
    return ApplyOperation(config, providers, store, lock_dir=tmp_path / "locks", lock_timeout=1, **kw)


def test_a_scoped_run_applies_only_its_objects_and_records_who_asked(tmp_path: Path) -> None:
    config = lab(tmp_path)
    events = Events()
    with HistoryStore(tmp_path / "h.sqlite") as store, open_providers(config, ["lab"]) as providers:
        request = ApplyRequest(
            policy=PREFER_NETBOX,
            command="netmox watch",
            origin=RunOrigin("watch", request_id="req-7", netbox_user="alice"),
            decide=auto_approve,
            scope=Scope([("lab", ObjectKind.LXC, "102")]),  # a guest is matched by VMID, whatever its kind
        )
        result = operation(config, providers, store, tmp_path, subscribers=[events]).run(request)
        run = store.run(result.run_id or 0)
    assert memories(tmp_path) == {101: 2048, 102: 4096, 103: 2048}
    assert [c.key for c in result.plan.changes] == ["102"]
    assert result.report is not None and [o.status for o in result.report.outcomes] == [ChangeStatus.APPLIED]
    assert events.seen == [("sent", "lab/qemu/102#proxmox"), ("applied", "lab/qemu/102#proxmox")]
    assert run is not None and (run.origin, run.request_id, run.netbox_user) == ("watch", "req-7", "alice")


def test_the_reader_is_injected_and_called_again_after_a_person_waited(tmp_path: Path) -> None:
    config = lab(tmp_path)
    reads: list[int] = []

    def reader(providers: dict[str, Providers], progress: Progress | None) -> list[ConnectionSnapshot]:
        reads.append(len(providers))
        return take_snapshots(config, providers, progress)

    def decide(proposal: Proposal) -> Approval | None:
        return Approval(proposal.plan, waited=True)

    with HistoryStore(tmp_path / "h.sqlite") as store, open_providers(config, ["lab"]) as providers:
        request = ApplyRequest(
            policy=PREFER_NETBOX, command="t", origin=RunOrigin("terminal"), decide=decide, read=reader
        )
        result = operation(config, providers, store, tmp_path).run(request)
    assert reads == [1, 1]
    assert result.ok and memories(tmp_path) == {101: 4096, 102: 4096, 103: 4096}


def test_a_declined_proposal_writes_nothing_and_starts_no_run(tmp_path: Path) -> None:
    config = lab(tmp_path)
    shown: list[int] = []

    def decline(proposal: Proposal) -> Approval | None:
        shown.append(len(proposal.plan.changes))
        return None

    with HistoryStore(tmp_path / "h.sqlite") as store, open_providers(config, ["lab"]) as providers:
        request = ApplyRequest(policy=PREFER_NETBOX, command="t", origin=RunOrigin("cron"), decide=decline)
        result = operation(config, providers, store, tmp_path).run(request)
        assert store.runs() == []
    assert shown == [3] and result.report is None and result.run_id is None
    assert memories(tmp_path) == {101: 2048, 102: 2048, 103: 2048}
