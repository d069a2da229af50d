"""Desired values -> Proxmox VE config parameters: the vCPU rule, NIC values, disks, create parameters."""

from __future__ import annotations

import pytest

from netmox_cli.config.schema import ProxmoxDefaults
from netmox_cli.errors import ConfigError, ConflictError
from netmox_cli.model.state import Disk, Guest, Interface
from netmox_cli.providers.proxmox import configs
from netmox_cli.providers.proxmox.properties import create_params, update_change

DEFAULTS = ProxmoxDefaults(storage="local-lvm", lxc_ostemplate="local:vztmpl/debian.tar.zst")


@pytest.mark.parametrize(
    ("raw", "vcpus", "values", "deletes"),
    [
        ({"cores": 2}, 4, {"cores": 4}, []),
        ({"sockets": 2, "cores": 2}, 8, {"cores": 4}, []),
        ({"sockets": "2", "cores": "2"}, 3, {"cores": 3, "sockets": 1}, []),
        ({"sockets": 1, "cores": 4, "vcpus": 2}, 6, {"cores": 6}, ["vcpus"]),
        ({}, 1.5, {"cores": 2}, []),
    ],
)
def test_qemu_vcpus_are_written_as_cores_keeping_dividing_sockets(
    raw: dict, vcpus: float, values: dict, deletes: list
) -> None:
    assert configs.qemu_cpu(raw, vcpus) == (values, deletes)


def test_qemu_nic_keeps_model_and_unmodelled_options() -> None:
    old = "e1000=EE:D2:28:5F:B6:3E,bridge=vmbr0,firewall=1,tag=20,mtu=1400"
    value = configs.qemu_net_value(Interface(name="net0", mac="EE:D2:28:5F:B6:3E", bridge="vmbr1"), old, "vmbr0")
    assert value == "e1000=EE:D2:28:5F:B6:3E,bridge=vmbr1,firewall=1,mtu=1400"


def test_a_new_qemu_nic_without_mac_lets_pve_choose_one() -> None:
    assert configs.qemu_net_value(Interface(name="net1", vlan=5), None, "vmbr0") == "virtio,bridge=vmbr0,tag=5"


def test_lxc_nic_writes_one_address_per_family_and_keeps_the_gateway() -> None:
    old = "name=eth0,bridge=vmbr0,gw=10.1.1.1,hwaddr=BC:24:11:AA:BB:CC,ip=10.1.1.3/24,type=veth"
    warnings: list[str] = []
    interface = Interface(name="net0", mac="BC:24:11:AA:BB:CC", bridge="vmbr0", ips=["10.1.1.4/24", "2001:db8::4/64"])
    value = configs.lxc_net_value(interface, old, "vmbr0", warnings)
    assert (
        value
        == "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:AA:BB:CC,ip=10.1.1.4/24,gw=10.1.1.1,ip6=2001:db8::4/64,type=veth"
    )
    assert warnings == []


def test_lxc_nic_keeps_dhcp_when_no_address_is_desired() -> None:
    old = "name=eth0,bridge=vmbr0,ip=dhcp"
    value = configs.lxc_net_value(Interface(name="net0", ips=[]), old, "vmbr0", [])
    assert value == "name=eth0,bridge=vmbr0,ip=dhcp"


def test_unknown_lxc_addresses_leave_the_config_alone() -> None:
    old = "name=eth0,bridge=vmbr0,ip=10.0.0.2/24,gw=10.0.0.1"
    assert configs.lxc_net_value(Interface(name="net0", ips=None), old, "vmbr0", []) == old


def update(current: Guest, raw: dict, fields: set[str], **changes: object) -> configs.ConfigChange:
    desired = current.model_copy(update=changes)
    return update_change(current.kind, raw, current, desired, fields, DEFAULTS)


def test_only_the_named_fields_are_written() -> None:
    current = Guest(vmid=100, kind="qemu", name="a", memory_mib=1024, description="x")
    change = update(current, {"name": "a", "memory": "1024"}, {"memory"}, name="b", memory_mib=2048)
    assert (change.values, change.deletes) == ({"memory": 2048}, [])


def test_empty_description_and_tags_delete_the_keys() -> None:
    current = Guest(vmid=100, kind="qemu", description="x", tags=["a"])
    change = update(current, {"description": "x", "tags": "a"}, {"description", "tags"}, description="", tags=[])
    assert change.deletes == ["description", "tags"]


def test_disks_grow_new_ones_are_allocated_and_none_are_removed() -> None:
    current = Guest(vmid=100, kind="qemu", disks=[Disk(name="scsi0", size_mib=1024), Disk(name="scsi1", size_mib=10)])
    wanted = [Disk(name="scsi0", size_mib=2048), Disk(name="scsi2", size_mib=512, storage="fast")]
    change = update(current, {}, {"disks"}, disks=wanted)
    assert change.resizes == [("scsi0", 2048)]
    assert change.values == {"scsi2": "fast:0.5"}
    assert change.warnings == ["disk scsi1 is not detached: netmox never removes guest disks"]


def test_a_shrinking_disk_is_a_conflict() -> None:
    current = Guest(vmid=100, kind="lxc", disks=[Disk(name="rootfs", size_mib=8192)])
    with pytest.raises(ConflictError, match="would shrink from 8192 to 4096 MiB"):
        update(current, {}, {"disks"}, disks=[Disk(name="rootfs", size_mib=4096)])


def test_qemu_create_parameters() -> None:
    guest = Guest(
        vmid=300,
        kind="qemu",
        name="app",
        vcpus=2,
        memory_mib=2048,
        disks=[Disk(name="disk-1", size_mib=20480)],
        interfaces=[Interface(name="eth0", mac="BC:24:11:00:00:01")],
        tags=["b", "a"],
        start_on_boot=False,
    )
    assert create_params("qemu", guest, DEFAULTS) == {
        "vmid": 300,
        "name": "app",
        "tags": "a;b",
        "onboot": 0,
        "memory": 2048,
        "cores": 2,
        "net0": "virtio=BC:24:11:00:00:01,bridge=vmbr0",
        "sockets": 1,
        "ostype": "l26",
        "scsi0": "local-lvm:20",
    }


def test_lxc_create_needs_an_os_template() -> None:
    with pytest.raises(ConfigError, match="needs an OS template"):
        create_params("lxc", Guest(vmid=301, kind="lxc"), ProxmoxDefaults(storage="local-lvm"))


def test_lxc_create_gets_a_default_root_disk_and_mount_points() -> None:
    guest = Guest(vmid=301, kind="lxc", name="ct", disks=[Disk(name="data", size_mib=1024)])
    params = create_params("lxc", guest, DEFAULTS)
    assert (params["rootfs"], params["ostemplate"], params["unprivileged"]) == (
        "local-lvm:1",
        "local:vztmpl/debian.tar.zst",
        1,
    )
    guest.disks = [Disk(name="rootfs", size_mib=8192), Disk(name="data", size_mib=2048)]
    assert create_params("lxc", guest, DEFAULTS)["mp0"] == "local-lvm:2,mp=/mnt/mp0"


def test_a_new_disk_without_storage_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="disk scsi0 has no storage"):
        configs.new_disk_value("qemu", Disk(name="scsi0", size_mib=1024), ProxmoxDefaults())
