"""The file provider reads and writes a side as a JSON snapshot, atomically, writing only what it is told."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from netmox_cli.config.schema import FileSide
from netmox_cli.errors import ConfigError, ConflictError, StaleError
from netmox_cli.model.state import ClusterState, Guest, Interface, Node, ObjectKind, Side
from netmox_cli.providers.base import WriteRequest
from netmox_cli.providers.file import FileProvider, read_snapshot, write_snapshot


def lab_state(side: Side = Side.PROXMOX) -> ClusterState:
    return ClusterState(
        side=side,
        name="lab",
        nodes=[Node(name="pve1", status="online")],
        guests=[
            Guest(vmid=101, kind="qemu", name="web01", node="pve1", status="running", memory_mib=2048, vcpus=2),
            Guest(vmid=102, kind="lxc", name="dns01", node="pve1", status="stopped", protected=True),
        ],
    )


@pytest.fixture
def provider(tmp_path: Path) -> FileProvider:
    path = tmp_path / "proxmox.json"
    write_snapshot(lab_state(), path)
    return FileProvider(FileSide(type="file", path=path), side=Side.PROXMOX, cluster="lab")


def test_a_written_snapshot_reads_back_equal(tmp_path):
    state = lab_state()
    state.guests[0].interfaces = [Interface(name="net0", mac="bc:24:11:00:00:01", ips=["10.0.0.2/24"])]
    write_snapshot(state, tmp_path / "s.json")
    assert read_snapshot(tmp_path / "s.json", Side.PROXMOX) == state


def test_a_snapshot_of_the_other_side_is_refused(tmp_path):
    write_snapshot(lab_state(Side.NETBOX), tmp_path / "s.json")
    with pytest.raises(ConfigError, match="is a NetBox snapshot, but it is configured as the Proxmox VE side"):
        read_snapshot(tmp_path / "s.json", Side.PROXMOX)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "not a snapshot file (invalid JSON at line 1)"),
        (json.dumps({"side": "proxmox", "guests": [{"vmid": 0}]}), "guests.0"),
    ],
)
def test_a_malformed_snapshot_is_a_one_line_config_error(tmp_path, content, expected):
    path = tmp_path / "s.json"
    path.write_text(content)
    with pytest.raises(ConfigError) as caught:
        read_snapshot(path)
    assert expected in caught.value.message
    assert "\n" not in caught.value.one_line()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"side": "proxmox", "name": "caf\xe9"}', "is not UTF-8 text (byte 32 is 0xe9); save it as UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "not a snapshot file (JSON nested too deeply)"),
    ],
)
def test_a_snapshot_that_is_not_utf8_or_absurdly_nested_is_a_one_line_config_error(tmp_path, content, expected):
    path = tmp_path / "s.json"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        read_snapshot(path)
    assert expected in caught.value.one_line()


def test_an_update_writes_only_the_requested_fields(provider):
    current = provider.snapshot().guests[0]
    desired = current.model_copy(update={"memory_mib": 4096, "name": "not-written"})
    provider.apply(
        WriteRequest(
            change_id="c", action="update", kind=ObjectKind.QEMU, current=current, desired=desired, fields=["memory"]
        )
    )
    stored = provider.snapshot().guests[0]
    assert stored.memory_mib == 4096
    assert stored.name == "web01"


def test_create_and_delete_of_guests_and_nodes(provider):
    provider.apply(WriteRequest(change_id="n", action="create", kind=ObjectKind.NODE, desired=Node(name="pve2")))
    guest = Guest(vmid=200, kind="lxc", name="new", node="pve2")
    provider.apply(WriteRequest(change_id="g", action="create", kind=ObjectKind.LXC, desired=guest))
    state = provider.snapshot()
    assert state.node("pve2") is not None
    assert [g.vmid for g in state.guests] == [101, 102, 200]
    provider.apply(WriteRequest(change_id="d", action="delete", kind=ObjectKind.LXC, current=guest))
    assert [g.vmid for g in provider.snapshot().guests] == [101, 102]


def test_creating_an_existing_vmid_is_a_conflict(provider):
    guest = Guest(vmid=101, kind="qemu", name="dup")
    with pytest.raises(ConflictError, match="VMID 101 already exists"):
        provider.apply(WriteRequest(change_id="g", action="create", kind=ObjectKind.QEMU, desired=guest))


def test_a_protected_proxmox_guest_is_never_deleted(provider):
    protected = provider.snapshot().guests[1]
    with pytest.raises(ConflictError, match="protected"):
        provider.apply(WriteRequest(change_id="d", action="delete", kind=ObjectKind.LXC, current=protected))
    assert len(provider.snapshot().guests) == 2


def test_updating_a_guest_that_vanished_is_stale(provider):
    gone = Guest(vmid=999, kind="qemu", name="gone")
    with pytest.raises(StaleError):
        provider.apply(
            WriteRequest(
                change_id="u", action="update", kind=ObjectKind.QEMU, current=gone, desired=gone, fields=["name"]
            )
        )


def test_writes_are_atomic_and_leave_no_temporary_files(provider, tmp_path):
    current = provider.snapshot().guests[0]
    provider.apply(
        WriteRequest(
            change_id="u",
            action="update",
            kind=ObjectKind.QEMU,
            current=current,
            desired=current.model_copy(update={"description": "hello"}),
            fields=["description"],
        )
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proxmox.json"]


def test_a_snapshot_file_is_identified_by_its_absolute_path(tmp_path, monkeypatch):
    """Whatever live system the file was written from, the file is what a plan against it targets."""
    state = lab_state()
    state.identity = "Proxmox VE cluster lab at https://pve1:8006"
    write_snapshot(state, tmp_path / "proxmox.json")
    monkeypatch.chdir(tmp_path)
    provider = FileProvider(FileSide(type="file", path=Path("proxmox.json")), side=Side.PROXMOX, cluster="lab")
    assert provider.snapshot().identity == f"file {(tmp_path / 'proxmox.json').resolve()}"
