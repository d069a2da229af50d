"""Applying a plan: stale objects refused, the rest applied in dependency order, every outcome recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from netmox_cli.config.schema import FileSide, NetmoxConfig, PolicyConfig
from netmox_cli.engine.executor import Executor, ordered
from netmox_cli.engine.planning import make_plan
from netmox_cli.engine.session import open_providers, take_snapshots
from netmox_cli.errors import RemoteError
from netmox_cli.model.outcomes import ChangeOutcome, ChangeStatus
from netmox_cli.model.plan import Action
from netmox_cli.model.state import ClusterState, Guest, Interface, Node, ObjectKind, Side
from netmox_cli.providers.base import ApplyContext
from netmox_cli.providers.file import FileProvider, read_snapshot, write_snapshot


class ListRecorder:
    def __init__(self) -> None:
        self.outcomes: list[ChangeOutcome] = []
        self.events: list[tuple[str, str]] = []

    def sent(self, change) -> None:
        self.events.append(("sent", change.id))

    def finished(self, outcome: ChangeOutcome) -> None:
        self.outcomes.append(outcome)
        self.events.append((outcome.status.value, outcome.change.id))


def lab(tmp_path: Path) -> NetmoxConfig:
    netbox = ClusterState(
        side=Side.NETBOX,
        name="lab",
        nodes=[Node(name="pve1", status="active"), Node(name="pve2", status="active")],
        guests=[
            Guest(vmid=101, kind="qemu", name="web01", node="pve1", status="active", memory_mib=4096),
            Guest(vmid=102, kind="qemu", name="db01", node="pve1", status="active", memory_mib=8192),
            Guest(vmid=201, kind="lxc", name="dns01", node="pve2", status="active", memory_mib=512),
        ],
    )
    proxmox = ClusterState(
        side=Side.PROXMOX,
        name="lab",
        nodes=[Node(name="pve1", status="online")],
        guests=[
            Guest(vmid=101, kind="qemu", name="web01", node="pve1", status="running", memory_mib=2048),
            Guest(vmid=102, kind="qemu", name="db01", node="pve1", status="running", memory_mib=4096),
        ],
    )
    write_snapshot(netbox, tmp_path / "netbox.json")
    write_snapshot(proxmox, tmp_path / "proxmox.json")
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


PREFER_PROXMOX = PolicyConfig(prefer=Side.PROXMOX)
PREFER_NETBOX = PolicyConfig(prefer=Side.NETBOX)


def run(config: NetmoxConfig, policy: PolicyConfig, mutate=None) -> tuple[list[ChangeOutcome], ListRecorder]:
    with open_providers(config, ["lab"]) as providers:
        plan, _ = make_plan(config, providers, policy)
        if mutate is not None:
            mutate()
        fresh = {s.name: s for s in take_snapshots(config, providers)}
        recorder = ListRecorder()
        report = Executor(providers, fresh, ApplyContext(), [recorder]).run(plan)
    return report.outcomes, recorder


def test_applying_a_plan_then_planning_again_gives_no_changes(tmp_path):
    config = lab(tmp_path)
    outcomes, _ = run(config, PREFER_PROXMOX)
    assert outcomes and all(o.status is ChangeStatus.APPLIED for o in outcomes)
    with open_providers(config, ["lab"]) as providers:
        plan, _ = make_plan(config, providers, PREFER_PROXMOX)
    assert plan.summary.changes is False


def test_an_object_changed_since_the_plan_is_refused_as_stale_and_the_rest_applied(tmp_path):
    config = lab(tmp_path)

    def someone_edits_vm_101():
        state = read_snapshot(tmp_path / "proxmox.json")
        state.guests[0].description = "edited in the GUI meanwhile"
        write_snapshot(state, tmp_path / "proxmox.json")

    outcomes, _ = run(config, PREFER_NETBOX, mutate=someone_edits_vm_101)
    by_key = {o.change.key: o for o in outcomes}
    assert by_key["101"].status is ChangeStatus.STALE
    assert by_key["101"].error == "stale: lab/101 changed since the plan was made; run netmox plan again"
    assert by_key["102"].status is ChangeStatus.APPLIED
    assert read_snapshot(tmp_path / "proxmox.json").guests[1].memory_mib == 8192
    assert read_snapshot(tmp_path / "proxmox.json").guests[0].memory_mib == 2048


def test_one_failing_change_does_not_stop_the_others_and_every_outcome_is_recorded(tmp_path, monkeypatch):
    config = lab(tmp_path)
    original = FileProvider.apply

    def failing_for_vm_101(self, request):
        if getattr(request.current, "vmid", None) == 101:
            raise RemoteError("VM 101: storage full")
        return original(self, request)

    monkeypatch.setattr(FileProvider, "apply", failing_for_vm_101)
    outcomes, recorder = run(config, PREFER_NETBOX)
    statuses = {o.change.key: o.status for o in outcomes}
    assert statuses["101"] is ChangeStatus.FAILED
    assert statuses["102"] is ChangeStatus.APPLIED
    assert recorder.outcomes == outcomes


@pytest.fixture
def recorders(monkeypatch) -> list[ListRecorder]:
    """Every ListRecorder made during the test, so a provider stub can look at it mid-run."""
    made: list[ListRecorder] = []
    original_init = ListRecorder.__init__

    def keep(self):
        original_init(self)
        made.append(self)

    monkeypatch.setattr(ListRecorder, "__init__", keep)
    return made


def test_each_write_is_recorded_as_sent_before_its_request_goes_out(tmp_path, monkeypatch, recorders):
    config = lab(tmp_path)
    original = FileProvider.apply
    seen_at_request: list[tuple[str, str]] = []

    def spying(self, request):
        seen_at_request.append(recorders[0].events[-1])
        return original(self, request)

    monkeypatch.setattr(FileProvider, "apply", spying)
    outcomes, recorder = run(config, PREFER_NETBOX)
    assert seen_at_request == [("sent", o.change.id) for o in outcomes]
    assert recorder.events == [event for o in outcomes for event in (("sent", o.change.id), ("applied", o.change.id))]


def test_an_interrupt_during_a_request_leaves_the_change_sent_and_stops_the_run(tmp_path, monkeypatch, recorders):
    config = lab(tmp_path)

    def interrupted(self, request):
        raise KeyboardInterrupt

    monkeypatch.setattr(FileProvider, "apply", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(config, PREFER_NETBOX)
    assert [event for event, _ in recorders[0].events] == ["sent"]


def test_an_unexpected_exception_is_contained_as_a_failure(tmp_path, monkeypatch):
    config = lab(tmp_path)
    monkeypatch.setattr(FileProvider, "apply", lambda self, request: 1 / 0)
    outcomes, _ = run(config, PREFER_NETBOX)
    assert {o.status for o in outcomes} == {ChangeStatus.FAILED}
    assert outcomes[0].error.startswith("ZeroDivisionError")


def test_nodes_are_created_before_their_guests_and_deleted_after_them(tmp_path):
    config = lab(tmp_path)
    with open_providers(config, ["lab"]) as providers:
        plan, _ = make_plan(config, providers, PolicyConfig(prefer=Side.PROXMOX, allow_delete=True))
    kinds_and_actions = [(c.kind, c.action) for c in ordered(plan.changes) if c.action.writes]
    node_delete = kinds_and_actions.index((ObjectKind.NODE, Action.DELETE))
    guest_delete = kinds_and_actions.index((ObjectKind.LXC, Action.DELETE))
    assert guest_delete < node_delete


def test_guests_of_a_node_that_failed_to_be_created_are_skipped(tmp_path, monkeypatch):
    netbox = ClusterState(side=Side.NETBOX, name="lab")
    proxmox = ClusterState(
        side=Side.PROXMOX,
        name="lab",
        nodes=[Node(name="pve9", status="online")],
        guests=[Guest(vmid=901, kind="qemu", name="new", node="pve9", status="running")],
    )
    write_snapshot(netbox, tmp_path / "netbox.json")
    write_snapshot(proxmox, tmp_path / "proxmox.json")
    config = lab(tmp_path).model_copy()
    write_snapshot(netbox, tmp_path / "netbox.json")
    write_snapshot(proxmox, tmp_path / "proxmox.json")
    original = FileProvider.apply

    def node_creation_fails(self, request):
        if request.kind is ObjectKind.NODE:
            raise RemoteError("device type missing")
        return original(self, request)

    monkeypatch.setattr(FileProvider, "apply", node_creation_fails)
    outcomes, _ = run(config, PREFER_PROXMOX)
    statuses = {(o.change.kind, o.change.key): o for o in outcomes}
    assert statuses[(ObjectKind.NODE, "pve9")].status is ChangeStatus.FAILED
    skipped = statuses[(ObjectKind.QEMU, "901")]
    assert skipped.status is ChangeStatus.SKIPPED
    assert "node pve9" in skipped.error


@pytest.mark.parametrize("policy", [PREFER_NETBOX, PREFER_PROXMOX])
def test_the_file_sides_are_valid_snapshots_after_apply(tmp_path, policy):
    config = lab(tmp_path)
    run(config, policy)
    for name in ("netbox.json", "proxmox.json"):
        read_snapshot(tmp_path / name)
    assert isinstance(config.connections["lab"].netbox, FileSide)


def test_provider_preflight_problems_become_plan_conflicts_and_see_the_policy(tmp_path, monkeypatch):
    config = lab(tmp_path)
    seen = []

    def preflight(self, requests):
        seen.extend(request.context.allow_stop for request in requests)
        return {
            request.change_id: "no room on pve1" for request in requests if request.change_id.endswith("/102#proxmox")
        }

    monkeypatch.setattr(FileProvider, "preflight", preflight)
    with open_providers(config, ["lab"]) as providers:
        plan, _ = make_plan(config, providers, PolicyConfig(prefer=Side.NETBOX, allow_stop=True))
    conflict = next(change for change in plan.changes if change.id == "lab/qemu/102#proxmox")
    assert (conflict.action, conflict.reason) == (Action.CONFLICT, "no room on pve1")
    assert plan.summary.conflicts == 2  # this one, and the planner's own: lxc 201's node pve2 is not in Proxmox VE
    assert seen and all(seen)


def documented_without_mac(tmp_path: Path) -> NetmoxConfig:
    config = lab(tmp_path)
    state = read_snapshot(tmp_path / "netbox.json")
    state.guests[2].interfaces = [Interface(name="net0", vlan=10)]
    state.guests[2].node = "pve1"  # a node Proxmox VE has
    write_snapshot(state, tmp_path / "netbox.json")
    return config


def generating_macs(self, guest: Guest) -> Guest | None:
    """Proxmox VE as it answers right after a create: the NIC has the MAC it generated."""
    created = next(g for g in self.snapshot().guests if g.vmid == guest.vmid)
    for interface in created.interfaces:
        interface.mac = interface.mac or "BC:24:11:00:02:01"
    return created


def test_after_a_create_on_proxmox_the_generated_mac_is_written_to_netbox_and_recorded(tmp_path, monkeypatch):
    config = documented_without_mac(tmp_path)
    monkeypatch.setattr(FileProvider, "read_guest", generating_macs)
    outcomes, recorder = run(config, PREFER_NETBOX)
    ids = [o.change.id for o in outcomes]
    assert ids.index("lab/lxc/201#proxmox") + 1 == ids.index("lab/lxc/201#netbox")
    fill = outcomes[ids.index("lab/lxc/201#netbox")]
    assert fill.status is ChangeStatus.APPLIED and ("sent", "lab/lxc/201#netbox") in recorder.events
    [prop] = fill.change.properties
    assert prop.fill and prop.after[0]["mac"] == "BC:24:11:00:02:01" and prop.after[0]["vlan"] == 10
    [dns] = [g for g in read_snapshot(tmp_path / "netbox.json").guests if g.vmid == 201]
    assert dns.interfaces[0].mac == "BC:24:11:00:02:01"


def test_a_failed_re_read_after_a_create_leaves_netbox_as_it_was(tmp_path, monkeypatch):
    config = documented_without_mac(tmp_path)

    def refuses(self, guest):
        raise RemoteError("Proxmox VE answered 500")

    monkeypatch.setattr(FileProvider, "read_guest", refuses)
    outcomes, _ = run(config, PREFER_NETBOX)
    assert "lab/lxc/201#proxmox" in [o.change.id for o in outcomes]
    assert "lab/lxc/201#netbox" not in [o.change.id for o in outcomes]


def test_fill_gaps_off_writes_nothing_back_after_a_create(tmp_path, monkeypatch):
    config = documented_without_mac(tmp_path)
    monkeypatch.setattr(FileProvider, "read_guest", generating_macs)
    outcomes, _ = run(config, PolicyConfig(prefer=Side.NETBOX, fill_gaps=[]))
    assert "lab/lxc/201#netbox" not in [o.change.id for o in outcomes]


def wide_lab(tmp_path: Path, guests: int) -> NetmoxConfig:
    """``guests`` VMs whose memory differs between the sides: with prefer = netbox, one PVE update each."""
    netbox = ClusterState(
        side=Side.NETBOX,
        name="lab",
        nodes=[Node(name="pve1", status="active")],
        guests=[Guest(vmid=100 + i, kind="qemu", name=f"vm{i}", node="pve1", memory_mib=4096) for i in range(guests)],
    )
    proxmox = netbox.model_copy(deep=True, update={"side": Side.PROXMOX})
    proxmox.nodes[0].status = "online"
    for guest in proxmox.guests:
        guest.memory_mib = 2048
    config = lab(tmp_path)
    write_snapshot(netbox, tmp_path / "netbox.json")
    write_snapshot(proxmox, tmp_path / "proxmox.json")
    return config


def test_a_side_with_workers_is_written_in_parallel_and_recorded_from_one_thread(tmp_path, monkeypatch, recorders):
    import threading
    import time

    config = wide_lab(tmp_path, 9)
    original = FileProvider.apply
    file_lock = threading.Lock()
    running: list[int] = []
    peak: list[int] = []
    sent_first: list[bool] = []
    record_threads: set[int] = set()

    def slow(self, request):
        sent_first.append(("sent", request.change_id) in recorders[0].events)
        with file_lock:
            running.append(1)
            peak.append(len(running))
        time.sleep(0.05)
        try:
            if getattr(request.current, "vmid", None) == 104:
                raise RemoteError("VM 104: storage full")
            with file_lock:
                return original(self, request)
        finally:
            with file_lock:
                running.pop()

    original_record = ListRecorder.finished

    def record(self, outcome):
        record_threads.add(threading.get_ident())
        original_record(self, outcome)

    monkeypatch.setattr(FileProvider, "apply", slow)
    monkeypatch.setattr(FileProvider, "write_workers", 3, raising=False)
    monkeypatch.setattr(ListRecorder, "finished", record)
    outcomes, _ = run(config, PREFER_NETBOX)

    statuses = {o.change.key: o.status for o in outcomes}
    assert statuses.pop("104") is ChangeStatus.FAILED
    assert set(statuses.values()) == {ChangeStatus.APPLIED} and len(statuses) == 8
    assert max(peak) == 3  # bounded by the side's workers, and really concurrent
    assert all(sent_first) and len(sent_first) == 9  # write-ahead holds on worker threads too
    assert record_threads == {threading.get_ident()}
    assert [o.change.key for o in outcomes] == [str(100 + i) for i in range(9)]  # plan order in the report
    assert {g.memory_mib for g in read_snapshot(tmp_path / "proxmox.json").guests if g.vmid != 104} == {4096}
