"""Every Proxmox VE config format netmox reads, with real examples (../shared/pve-api/formats.md)."""

from __future__ import annotations

import pytest

from netmox_cli.model.state import Node
from netmox_cli.providers.proxmox import parse
from netmox_cli.providers.proxmox.properties import guest_from_config, node_config_values, node_from_config


@pytest.mark.parametrize(
    ("value", "mac", "bridge", "vlan"),
    [
        ("e1000=EE:D2:28:5F:B6:3E,bridge=vmbr0", "EE:D2:28:5F:B6:3E", "vmbr0", None),
        ("virtio=BC:24:11:3A:8C:01,bridge=vmbr0,firewall=1,tag=20", "BC:24:11:3A:8C:01", "vmbr0", 20),
        ("virtio=bc:24:11:3a:8c:01,bridge=vmbr1,tag=4094,mtu=1500,queues=4", "BC:24:11:3A:8C:01", "vmbr1", 4094),
        ("model=vmxnet3,macaddr=BC:24:11:00:00:09,bridge=vmbr2", "BC:24:11:00:00:09", "vmbr2", None),
        ("virtio,bridge=vmbr0", None, "vmbr0", None),
    ],
)
def test_qemu_net_gives_mac_bridge_and_vlan(value: str, mac: str | None, bridge: str, vlan: int | None) -> None:
    interface = parse.qemu_interface("net0", value)
    assert (interface.name, interface.mac, interface.bridge, interface.vlan) == ("net0", mac, bridge, vlan)


def test_lxc_net_with_static_address_gives_its_cidr_and_guest_name() -> None:
    value = "name=eth0,bridge=vmbr0,gw=10.1.1.1,hwaddr=BC:24:11:AA:BB:CC,ip=10.1.1.3/24,type=veth"
    interface, static, dynamic = parse.lxc_interface("net0", value)
    assert (interface.mac, interface.bridge, interface.guest_name, interface.vlan) == (
        "BC:24:11:AA:BB:CC",
        "vmbr0",
        "eth0",
        None,
    )
    assert (static, dynamic) == (["10.1.1.3/24"], False)


@pytest.mark.parametrize("ip", ["dhcp", "manual"])
def test_lxc_net_with_dynamic_address_is_dynamic(ip: str) -> None:
    _, static, dynamic = parse.lxc_interface("net1", f"name=eth1,bridge=vmbr0,ip={ip},ip6=auto,tag=10")
    assert (static, dynamic) == ([], True)


def test_lxc_net_with_both_families_gives_both_and_a_vlan() -> None:
    interface, static, _ = parse.lxc_interface(
        "net0", "name=eth0,bridge=vmbr0,ip=10.0.0.2/24,ip6=2001:db8::2/64,tag=10"
    )
    assert static == ["10.0.0.2/24", "2001:db8::2/64"]
    assert interface.vlan == 10


def test_qemu_disks_skip_cdroms_and_firmware_and_convert_units() -> None:
    config = {
        "virtio0": "local:vm-100-disk-1,size=32G",
        "scsi0": "local-lvm:vm-101-disk-0,discard=on,format=raw,iothread=1,size=61G",
        "scsi10": "ceph:vm-101-disk-3,size=1T",
        "scsi2": "local-lvm:vm-101-disk-2,size=512M",
        "ide2": "none,media=cdrom",
        "ide0": "local-lvm:vm-101-cloudinit,media=cdrom,size=4M",
        "efidisk0": "local-lvm:vm-101-disk-1,efitype=4m,size=528K",
        "unused0": "local-lvm:vm-101-disk-9",
        "sata1": "/dev/disk/by-id/ata-X,size=1000G",
    }
    disks = [(d.name, d.size_mib, d.storage) for d in parse.qemu_disks(config)]
    assert disks == [
        ("sata1", 1000 * 1024, None),
        ("scsi0", 61 * 1024, "local-lvm"),
        ("scsi2", 512, "local-lvm"),
        ("scsi10", 1024 * 1024, "ceph"),
        ("virtio0", 32 * 1024, "local"),
    ]


def test_lxc_disks_are_rootfs_and_volume_mount_points_not_bind_mounts() -> None:
    config = {
        "rootfs": "thin1:base-100-disk-1,size=8G",
        "mp0": "local-lvm:vm-202-disk-1,mp=/srv,size=500G",
        "mp1": "/mnt/host,mp=/data",
    }
    assert [(d.name, d.size_mib, d.storage) for d in parse.lxc_disks(config)] == [
        ("rootfs", 8192, "thin1"),
        ("mp0", 500 * 1024, "local-lvm"),
    ]


@pytest.mark.parametrize(
    ("text", "mib"),
    [("32G", 32768), ("512M", 512), ("1T", 1048576), ("528K", 1), ("4294967296", 4096), ("1.5G", 1536), ("x", None)],
)
def test_sizes_with_unit_suffixes_become_mib(text: str, mib: int | None) -> None:
    assert parse.size_mib(text) == mib


@pytest.mark.parametrize(
    ("value", "tags"),
    [
        ("monitoring;prod", ["monitoring", "prod"]),
        ("web,prod", ["prod", "web"]),
        ("web prod  web", ["prod", "web"]),
        ("a; b,c", ["a", "b", "c"]),
        ("", []),
        (None, []),
    ],
)
def test_tags_split_on_semicolons_commas_and_spaces(value: str | None, tags: list[str]) -> None:
    assert parse.parse_tags(value) == tags


@pytest.mark.parametrize(
    ("config", "vcpus"),
    [
        ({}, 1.0),
        ({"cores": 4}, 4.0),
        ({"sockets": "2", "cores": "2"}, 4.0),
        ({"sockets": 2, "cores": 4, "vcpus": 3}, 3.0),
    ],
)
def test_qemu_vcpus_are_vcpus_else_sockets_times_cores(config: dict, vcpus: float) -> None:
    assert parse.qemu_vcpus(config) == vcpus


def test_lxc_vcpus_are_cores_and_unknown_without_a_limit() -> None:
    assert parse.lxc_vcpus({"cores": "2", "cpulimit": "0"}) == 2.0
    assert parse.lxc_vcpus({}) is None


@pytest.mark.parametrize(("value", "mib"), [("4096", 4096), ("current=4096", 4096), (2048, 2048), ("x", None)])
def test_qemu_memory_in_every_spelling(value: object, mib: int | None) -> None:
    assert parse.memory_mib(value) == mib


@pytest.mark.parametrize(
    ("value", "enabled"),
    [
        (1, True),
        ("1", True),
        ("1,fstrim_cloned_disks=1", True),
        ("enabled=1,type=virtio", True),
        ("0", False),
        (None, False),
    ],
)
def test_agent_flag_in_every_spelling(value: object, enabled: bool) -> None:
    assert parse.agent_enabled(value) is enabled


@pytest.mark.parametrize(
    ("value", "number"), [(4, 4), ("4", 4), ("4.0", 4), ("0", 0), ("", None), (None, None), ("4.5", None)]
)
def test_numbers_that_arrive_as_strings(value: object, number: int | None) -> None:
    assert parse.to_int(value) == number


def test_upid_names_the_node_its_task_runs_on() -> None:
    assert parse.upid_node("UPID:node1:000FF1FD:10F9374C:630D702C:vzdump:110:root@pam:") == "node1"
    with pytest.raises(ValueError):
        parse.upid_node("not-a-upid")


def test_agent_addresses_drop_loopback_and_link_local_and_key_by_mac() -> None:
    result = [
        {
            "name": "lo",
            "hardware-address": "00:00:00:00:00:00",
            "ip-addresses": [{"ip-address": "127.0.0.1", "prefix": 8}],
        },
        {
            "name": "ens18",
            "hardware-address": "bc:24:11:aa:bb:cc",
            "ip-addresses": [
                {"ip-address": "10.10.10.11", "ip-address-type": "ipv4", "prefix": 24},
                {"ip-address": "fe80::1", "ip-address-type": "ipv6", "prefix": 64},
                {"ip-address": "169.254.3.4", "ip-address-type": "ipv4", "prefix": 16},
            ],
            "statistics": {"rx-bytes": 1},
        },
        {"name": "docker0"},
    ]
    found = parse.runtime_addresses(result)
    assert found["bc:24:11:aa:bb:cc"] == ["10.10.10.11/24"]
    assert "00:00:00:00:00:00" not in found
    assert found["name:docker0"] == []


def test_guest_from_a_qemu_config_with_string_numbers() -> None:
    row = {"type": "qemu", "vmid": 100, "node": "pve01", "name": "web01", "status": "running", "template": 0}
    config = {
        "name": "web01",
        "cores": "2",
        "sockets": "1",
        "memory": "current=2048",
        "ostype": "l26",
        "onboot": "1",
        "protection": "1",
        "tags": "web;prod",
        "description": "line one\nline two",
        "scsi0": "local-lvm:vm-100-disk-0,size=32G",
        "net0": "virtio=BC:24:11:3A:8C:01,bridge=vmbr0,tag=20",
        "digest": "abc123",
        "unknown-future-key": "whatever",
    }
    guest = guest_from_config(row, config)
    assert guest.model_dump(exclude={"disks", "interfaces", "incomplete_reason"}) == {
        "vmid": 100,
        "kind": "qemu",
        "name": "web01",
        "node": "pve01",
        "description": "line one\nline two",
        "status": "running",
        "vcpus": 2.0,
        "memory_mib": 2048,
        "swap_mib": None,
        "tags": ["prod", "web"],
        "ostype": "l26",
        "start_on_boot": True,
        "cpu_type": "kvm64",  # no cpu key: Proxmox VE's default model
        "template": False,
        "protected": True,
        "incomplete": False,
        "revision": "abc123",
        "remote_id": None,
    }
    assert guest.interfaces[0].ips is None  # unknown until the agent answers


def test_guest_from_an_lxc_config_uses_hostname_and_schema_defaults() -> None:
    row = {"type": "lxc", "vmid": 200, "node": "pve02", "status": "stopped"}
    guest = guest_from_config(row, {"hostname": "ct200", "rootfs": "local:200/vm-200-disk-0.raw,size=4G"})
    assert (guest.name, guest.memory_mib, guest.swap_mib, guest.vcpus, guest.start_on_boot, guest.description) == (
        "ct200",
        512,
        512,
        None,
        False,
        "",
    )


def test_a_guest_without_readable_config_keeps_only_its_resources_row() -> None:
    row = {"type": "qemu", "vmid": 300, "node": "pve3", "name": "far", "status": "unknown"}
    guest = guest_from_config(row, None)
    assert (guest.name, guest.status, guest.memory_mib, guest.description, guest.revision) == (
        "far",
        "unknown",
        None,
        None,
        None,
    )


def test_a_node_reads_its_status_from_the_row_and_its_description_from_its_config() -> None:
    node = node_from_config({"node": "pve1", "status": "online"}, {"description": "rack 3", "digest": "d1"})
    assert (node.name, node.status, node.description, node.revision) == ("pve1", "online", "rack 3", "d1")
    offline = node_from_config({"node": "pve2", "status": "offline"}, None)
    assert (offline.status, offline.description, offline.revision) == ("offline", None, None)  # unknown


def test_only_a_nodes_description_is_set_through_the_api() -> None:
    assert node_config_values(Node(name="pve1", description=None), ["description"]) == {"description": ""}
    with pytest.raises(ValueError, match=r"^status$"):
        node_config_values(Node(name="pve1", status="offline"), ["status", "description"])
