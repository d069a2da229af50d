"""The Proxmox VE snapshot against fakepve: the state model of a seeded lab, and its request count."""

from __future__ import annotations

import pytest

from netmox_cli.model.state import ClusterState, Disk, Guest, Interface, Node, Side
from netmox_cli.providers.proxmox import ProxmoxProvider
from tests.support.fakepve_lab import LabPve, proxmox_section, seed_many

pytestmark = pytest.mark.fakepve

EXPECTED_LAB = ClusterState(
    side=Side.PROXMOX,
    name="lab",
    nodes=[
        Node(name="pve1", status="online", description="rack A, slot 1"),
        Node(name="pve2", status="online", description=""),
        Node(name="pve3", status="online", description=""),
    ],
    guests=[
        Guest(
            vmid=100,
            kind="qemu",
            name="web01",
            node="pve1",
            description="public web server",
            status="running",
            vcpus=2,
            memory_mib=2048,
            disks=[Disk(name="scsi0", size_mib=32768, storage="local-lvm")],
            interfaces=[
                Interface(
                    name="net0",
                    mac="BC:24:11:00:01:00",
                    bridge="vmbr0",
                    vlan=10,
                    ips=["10.0.10.11/24", "2001:db8:10::11/64"],  # lo and fe80:: dropped
                )
            ],
            tags=["prod", "web"],
            ostype="l26",
            cpu_type="kvm64",  # no cpu key: Proxmox VE\'s default model
            start_on_boot=True,
        ),
        Guest(
            vmid=101,
            kind="qemu",
            name="db01",
            node="pve2",
            description="",
            status="running",
            vcpus=4,  # sockets 2 x cores 2
            memory_mib=8192,  # "current=8192"
            disks=[Disk(name="virtio0", size_mib=65536, storage="local-lvm")],
            interfaces=[Interface(name="net0", mac="BC:24:11:00:01:01", bridge="vmbr0", ips=None)],  # agent down
            tags=["db", "prod"],
            ostype="l26",
            cpu_type="kvm64",  # no cpu key: Proxmox VE\'s default model
            start_on_boot=False,
        ),
        Guest(
            vmid=102,
            kind="qemu",
            name="build01",
            node="pve1",
            description="",
            status="stopped",
            vcpus=2,  # vcpus overrides sockets x cores
            memory_mib=4096,
            disks=[
                Disk(name="sata0", size_mib=40960, storage="local-lvm"),
                Disk(name="scsi1", size_mib=512, storage="local-lvm"),
            ],
            interfaces=[Interface(name="net0", mac="BC:24:11:00:01:02", bridge="vmbr1", ips=None)],
            ostype="win11",
            cpu_type="kvm64",  # no cpu key: Proxmox VE\'s default model
            start_on_boot=False,
        ),
        Guest(
            vmid=200,
            kind="lxc",
            name="dns01",
            node="pve2",
            description="resolver",
            status="running",
            vcpus=1,
            memory_mib=512,
            swap_mib=256,
            disks=[
                Disk(name="rootfs", size_mib=8192, storage="local-lvm"),
                Disk(name="mp0", size_mib=16384, storage="local-lvm"),
            ],
            interfaces=[
                Interface(
                    name="net0", mac="BC:24:11:00:02:00", bridge="vmbr0", ips=["10.0.20.5/24"], guest_name="eth0"
                ),
                Interface(name="net1", mac="BC:24:11:00:02:01", bridge="vmbr1", vlan=30, ips=[], guest_name="eth1"),
            ],
            tags=["dns"],
            ostype="debian",
            start_on_boot=True,
            protected=True,
        ),
        Guest(
            vmid=201,
            kind="lxc",
            name="cache01",
            node="pve3",
            description="",
            status="stopped",
            vcpus=None,
            memory_mib=1024,
            swap_mib=0,
            disks=[Disk(name="rootfs", size_mib=4096, storage="local-lvm")],
            interfaces=[Interface(name="net0", mac="BC:24:11:00:02:02", bridge="vmbr0", ips=None, guest_name="eth0")],
            ostype="alpine",
            start_on_boot=False,
        ),
    ],
    meta={"version": "9.0.10", "release": "9.0", "quorate": "yes", "nodes_online": "3/3"},
)


def without_revisions(state: ClusterState) -> ClusterState:
    copy = state.model_copy(deep=True)
    for item in [*copy.nodes, *copy.guests]:
        item.revision = None
    copy.identity = None  # names the lab's random port: asserted on its own
    return copy


def test_snapshot_of_the_lab_matches_the_expected_state(provider: ProxmoxProvider, lab: LabPve) -> None:
    state = provider.snapshot()
    assert without_revisions(state) == EXPECTED_LAB


def test_the_snapshot_names_the_cluster_and_where_it_was_read(provider: ProxmoxProvider, lab: LabPve) -> None:
    state = provider.snapshot()
    assert (state.identity, state.blind_spot) == (f"Proxmox VE cluster lab at {lab.url}", None)


def test_a_node_without_a_cluster_is_named_as_a_node(pve_lab: LabPve, fakepve_cafile: str) -> None:
    pve_lab.cluster_name = None
    state = ProxmoxProvider(proxmox_section(pve_lab, fakepve_cafile)).snapshot()
    assert state.identity == f"Proxmox VE node pve1 at {pve_lab.url}"


def test_each_guest_revision_is_its_config_digest(provider: ProxmoxProvider, lab: LabPve) -> None:
    state = provider.snapshot()
    assert {guest.vmid: guest.revision for guest in state.guests} == {
        guest.vmid: guest.digest() for guest in [*lab.vms, *lab.cts] if not guest.template
    }


def test_templates_are_left_out_unless_configured(lab: LabPve, fakepve_cafile: str) -> None:
    provider = ProxmoxProvider(proxmox_section(lab, fakepve_cafile, include_templates=True))
    template = next(guest for guest in provider.snapshot().guests if guest.vmid == 9000)
    assert (template.template, template.name, template.disks[0].storage) == (True, "tmpl-debian", "local-lvm")


def test_snapshot_requests_are_constant_plus_one_config_per_guest_plus_address_reads(
    provider: ProxmoxProvider, lab: LabPve
) -> None:
    lab.requests.clear()
    provider.snapshot()
    paths = [path for _, path, _ in lab.requests]
    nodes, guests, address_reads = 3, 5, 3  # web01 agent, db01 agent (down), dns01 interfaces
    assert len(paths) == 5 + nodes + guests + address_reads
    assert (
        sum(
            path.endswith("/config") and "/nodes/pve" in path and "/qemu/" not in path and "/lxc/" not in path
            for path in paths
        )
        == nodes
    )


@pytest.mark.parametrize("count", [10, 200])
def test_request_count_is_c_plus_guests(pve_lab: LabPve, fakepve_cafile: str, count: int) -> None:
    seed_many(pve_lab, count)
    provider = ProxmoxProvider(proxmox_section(pve_lab, fakepve_cafile))
    pve_lab.requests.clear()
    state = provider.snapshot()
    c = 5 + len(pve_lab.nodes)  # version, cluster status, nodes, resources, permissions + one config per node
    assert len(state.guests) == count
    assert len(pve_lab.requests) == c + count


def test_guests_of_an_offline_node_are_listed_without_config_and_flagged(
    provider: ProxmoxProvider, lab: LabPve
) -> None:
    lab.set_node_offline("pve3")
    lab.requests.clear()
    state = provider.snapshot()
    cache = next(guest for guest in state.guests if guest.vmid == 201)
    assert (cache.status, cache.memory_mib, cache.revision) == ("unknown", None, None)
    assert state.node("pve3") == Node(name="pve3", status="offline")
    assert state.meta["incomplete"] == "201"
    assert state.meta["nodes_online"] == "2/3"
    assert not any("/nodes/pve3/" in path for _, path, _ in lab.requests)


def test_unknown_config_keys_are_ignored(provider: ProxmoxProvider, lab: LabPve) -> None:
    lab.vm(102).config.update({"future-key": "x=1", "net7": "somethingnew", "scsi31": "odd"})
    guest = next(guest for guest in provider.snapshot().guests if guest.vmid == 102)
    assert [interface.name for interface in guest.interfaces] == ["net0", "net7"]
    assert guest.interfaces[1].mac is None


def test_progress_reports_while_reading(provider: ProxmoxProvider) -> None:
    messages: list[str] = []
    provider.snapshot(messages.append)
    assert messages[0] == "reading Proxmox VE cluster"
    assert messages[-1] == "read 5/5 guest configs"


def test_a_running_container_with_only_static_addresses_is_read_from_its_config_alone(
    pve_lab: LabPve, fakepve_cafile: str
) -> None:
    pve_lab.add_node("pve1")
    pve_lab.add_ct(
        300,
        "static01",
        node="pve1",
        status="running",
        config={
            "rootfs": "local-lvm:vm-300-disk-0,size=4G",
            "net0": "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:03:00,ip=10.0.30.5/24,ip6=fd00:30::5/64,type=veth",
        },
    )
    provider = ProxmoxProvider(proxmox_section(pve_lab, fakepve_cafile))
    pve_lab.requests.clear()
    (guest,) = provider.snapshot().guests
    assert guest.interfaces[0].ips == ["10.0.30.5/24", "fd00:30::5/64"]
    assert not any(path.endswith("/interfaces") for _, path, _ in pve_lab.requests)


def test_guest_agent_reads_can_be_turned_off_leaving_qemu_addresses_unknown(lab: LabPve, fakepve_cafile: str) -> None:
    provider = ProxmoxProvider(proxmox_section(lab, fakepve_cafile, guest_agent=False))
    lab.requests.clear()
    web = next(guest for guest in provider.snapshot().guests if guest.vmid == 100)
    assert web.interfaces[0].ips is None
    assert not any("/agent/" in path for _, path, _ in lab.requests)
