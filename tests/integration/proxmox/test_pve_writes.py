"""Every write kind against fakepve, read back with a fresh snapshot."""

from __future__ import annotations

from typing import Any

import pytest

from netmox_cli.errors import ConfigError, ConflictError, RemoteError, StaleError
from netmox_cli.model.state import Disk, Guest, Interface, Node, ObjectKind
from netmox_cli.providers.base import ApplyContext, WriteRequest
from netmox_cli.providers.proxmox import ProxmoxProvider
from tests.support.fakepve_lab import LabPve, proxmox_section

pytestmark = pytest.mark.fakepve


def read(provider: ProxmoxProvider, vmid: int) -> Guest:
    return next(guest for guest in provider.snapshot().guests if guest.vmid == vmid)


def update(
    current: Guest | Node, fields: list[str], context: ApplyContext | None = None, **changes: Any
) -> WriteRequest:
    desired = current.model_copy(deep=True)
    for key, value in changes.items():
        setattr(desired, key, value)
    kind = ObjectKind.NODE if isinstance(current, Node) else ObjectKind(current.kind)
    return WriteRequest(
        change_id="c1",
        action="update",
        kind=kind,
        current=current,
        desired=desired,
        fields=fields,
        context=context or ApplyContext(),
    )


def create(guest: Guest) -> WriteRequest:
    return WriteRequest(change_id="c2", action="create", kind=ObjectKind(guest.kind), desired=guest)


def delete(current: Guest, allow_stop: bool = False) -> WriteRequest:
    return WriteRequest(
        change_id="c3",
        action="delete",
        kind=ObjectKind(current.kind),
        current=current,
        context=ApplyContext(allow_stop=allow_stop),
    )


# ------------------------------------------------------------------ updates


def test_every_qemu_property_round_trips(provider: ProxmoxProvider, lab: LabPve) -> None:
    current = read(provider, 102)
    interfaces = [
        Interface(name="net0", mac="BC:24:11:00:01:02", bridge="vmbr0", vlan=20),
        Interface(name="net1", bridge="vmbr1"),
    ]
    disks = [
        Disk(name="sata0", size_mib=51200, storage="local-lvm"),
        Disk(name="scsi1", size_mib=512, storage="local-lvm"),
        Disk(name="scsi2", size_mib=10240, storage="local-lvm"),
    ]
    fields = ["name", "description", "vcpus", "memory", "tags", "ostype", "start_on_boot", "interfaces", "disks"]
    result = provider.apply(
        update(
            current,
            fields,
            name="build02",
            description="CI runner\nsecond line",
            vcpus=6.0,
            memory_mib=6144,
            tags=["ci", "windows"],
            ostype="win10",
            start_on_boot=True,
            interfaces=interfaces,
            disks=disks,
        )
    )
    after = read(provider, 102)
    assert (after.name, after.description, after.vcpus, after.memory_mib) == (
        "build02",
        "CI runner\nsecond line",
        6.0,
        6144,
    )
    assert (after.tags, after.ostype, after.start_on_boot) == (["ci", "windows"], "win10", True)
    assert [(i.name, i.mac, i.bridge, i.vlan) for i in after.interfaces] == [
        ("net0", "BC:24:11:00:01:02", "vmbr0", 20),
        ("net1", after.interfaces[1].mac, "vmbr1", None),
    ]
    assert after.interfaces[1].mac and after.interfaces[1].mac.startswith("BC:24:11")
    assert after.disks == disks
    config = lab.vm(102).config
    assert (config["cores"], "vcpus" in config, "firewall" in config["net0"]) == ("6", False, False)
    assert result.message.startswith("qemu 102: ")


def test_vcpus_keep_sockets_that_divide_the_count(provider: ProxmoxProvider, lab: LabPve) -> None:
    provider.apply(update(read(provider, 101), ["vcpus"], vcpus=8.0))
    vm = lab.vm(101)
    assert (vm.config["sockets"], "sockets" in vm.pending, vm.pending["cores"]) == (2, False, "4")
    assert read(provider, 101).vcpus == 8.0


def test_unmodelled_nic_options_are_kept(provider: ProxmoxProvider, lab: LabPve) -> None:
    current = read(provider, 100)
    wanted = [current.interfaces[0].model_copy(update={"vlan": 11})]
    provider.apply(update(current, ["interfaces"], interfaces=wanted))
    net0 = lab.vm(100).pending["net0"]
    assert sorted(net0.split(",")) == ["bridge=vmbr0", "firewall=1", "tag=11", "virtio=BC:24:11:00:01:00"]


def test_memory_of_a_running_vm_reads_back_with_pending_applied(provider: ProxmoxProvider, lab: LabPve) -> None:
    provider.apply(update(read(provider, 100), ["memory"], memory_mib=3072))
    assert "memory" in lab.vm(100).pending  # PVE applies it at the next start
    assert read(provider, 100).memory_mib == 3072


def test_every_lxc_property_round_trips(provider: ProxmoxProvider, lab: LabPve) -> None:
    current = read(provider, 200)
    interfaces = [current.interfaces[0].model_copy(update={"ips": ["10.0.20.6/24"]}), current.interfaces[1]]
    disks = [Disk(name="rootfs", size_mib=10240, storage="local-lvm"), current.disks[1]]
    fields = ["name", "vcpus", "memory", "swap", "tags", "interfaces", "disks", "description", "start_on_boot"]
    provider.apply(
        update(
            current,
            fields,
            name="dns02",
            vcpus=2.0,
            memory_mib=1024,
            swap_mib=512,
            tags=["dns", "infra"],
            interfaces=interfaces,
            disks=disks,
            description="",
            start_on_boot=False,
        )
    )
    after = read(provider, 200)
    assert (after.name, after.vcpus, after.memory_mib, after.swap_mib, after.tags) == (
        "dns02",
        2.0,
        1024,
        512,
        ["dns", "infra"],
    )
    assert (after.description, after.start_on_boot) == ("", False)
    assert after.interfaces[0].ips == ["10.0.20.6/24"]
    assert "gw=10.0.20.1" in lab.ct(200).config["net0"]
    assert after.disks[0].size_mib == 10240


def test_a_disk_never_shrinks(provider: ProxmoxProvider) -> None:
    current = read(provider, 102)
    smaller = [Disk(name="sata0", size_mib=1024, storage="local-lvm"), current.disks[1]]
    with pytest.raises(ConflictError, match="would shrink"):
        provider.apply(update(current, ["disks"], disks=smaller))


def test_node_is_never_written_to_proxmox(provider: ProxmoxProvider, lab: LabPve) -> None:
    current = read(provider, 102)
    lab.requests.clear()
    result = provider.apply(update(current, ["node"], node="pve2"))
    assert lab.vm(102).node == "pve1"
    assert not [r for r in lab.requests if r[0] != "GET"]
    assert result.message == "qemu 102: nothing to write"


def test_node_description_round_trips(provider: ProxmoxProvider) -> None:
    node = provider.snapshot().node("pve2")
    assert node is not None
    provider.apply(update(node, ["description"], description="rack B"))
    assert provider.snapshot().node("pve2").description == "rack B"  # type: ignore[union-attr]


# ------------------------------------------------------------------- status


def test_start_and_graceful_shutdown(provider: ProxmoxProvider, lab: LabPve) -> None:
    provider.apply(update(read(provider, 102), ["status"], status="running"))
    provider.apply(update(read(provider, 100), ["status"], status="stopped"))
    provider.apply(update(read(provider, 200), ["status"], status="stopped"))
    assert (lab.vm(102).status, lab.vm(100).status, lab.ct(200).status) == ("running", "stopped", "stopped")
    assert not any(path.endswith("/status/stop") for _, path, _ in lab.requests)


def test_shutdown_that_times_out_is_not_forced_without_policy(provider: ProxmoxProvider, lab: LabPve) -> None:
    lab.vm(100).shutdown_secs = 1000
    with pytest.raises(RemoteError, match="did not shut down within 30 s") as caught:
        provider.apply(update(read(provider, 100), ["status"], ApplyContext(shutdown_timeout=30), status="stopped"))
    assert "allow_stop" in caught.value.one_line()
    assert lab.vm(100).status == "running"


def test_shutdown_that_times_out_is_followed_by_stop_when_allowed(provider: ProxmoxProvider, lab: LabPve) -> None:
    lab.vm(100).shutdown_secs = 1000
    context = ApplyContext(shutdown_timeout=30, allow_stop=True)
    result = provider.apply(update(read(provider, 100), ["status"], context, status="stopped"))
    assert lab.vm(100).status == "stopped"
    assert any("stopped hard" in warning for warning in result.warnings)


def test_a_failing_task_is_reported_with_its_log(provider: ProxmoxProvider, lab: LabPve) -> None:
    lab.vm(102).start_error = "volume 'local-lvm:vm-102-disk-0' does not exist"
    with pytest.raises(RemoteError) as caught:
        provider.apply(update(read(provider, 102), ["status"], status="running"))
    line = caught.value.one_line()
    assert line.startswith("start of qemu 102 failed on node pve1: volume 'local-lvm:vm-102-disk-0' does not exist")
    assert "task log: " in line and "TASK ERROR: volume" in line
    assert "\n" not in line


# ------------------------------------------------------------------ staleness


def test_a_config_changed_since_the_read_is_stale(provider: ProxmoxProvider, lab: LabPve) -> None:
    current = read(provider, 102)
    lab.vm(102).config["description"] = "edited in the GUI"
    with pytest.raises(StaleError, match="changed on Proxmox VE"):
        provider.apply(update(current, ["memory"], memory_mib=1024))
    assert lab.vm(102).config["memory"] == 4096


@pytest.mark.parametrize("path", ["/nodes/pve1/qemu/102/config", "/nodes/pve2/lxc/200/config"])
def test_pve_refusing_the_digest_is_stale(provider: ProxmoxProvider, path: str) -> None:
    """PVE's own refusal (qemu: "checksum mismatch", LXC: "detected modified configuration")."""
    with pytest.raises(StaleError, match="changed on Proxmox VE since it was read"):
        provider._client.put(path, memory=1024, digest="0" * 40)


# ------------------------------------------------------------------ creates


def test_create_qemu_with_nics_and_disks_then_start(provider: ProxmoxProvider, lab: LabPve) -> None:
    wanted = Guest(
        vmid=300,
        kind="qemu",
        name="app01",
        node="pve2",
        status="running",
        description="from NetBox",
        vcpus=2,
        memory_mib=2048,
        disks=[Disk(name="scsi0", size_mib=20480, storage="local-lvm")],
        interfaces=[Interface(name="net0", mac="BC:24:11:00:03:00", bridge="vmbr0", vlan=10)],
        tags=["app"],
        ostype="l26",
        start_on_boot=True,
        cpu_type="x86-64-v2-AES",
    )
    provider.apply(create(wanted))
    got = read(provider, 300)
    assert got.model_dump(exclude={"revision"}) == wanted.model_dump(exclude={"revision"})


def test_a_guest_created_without_a_mac_is_re_read_with_the_mac_proxmox_generated(
    provider: ProxmoxProvider, lab: LabPve
) -> None:
    wanted = Guest(
        vmid=302,
        kind="qemu",
        name="nomac",
        node="pve2",
        status="stopped",
        vcpus=1,
        memory_mib=1024,
        disks=[Disk(name="scsi0", size_mib=8192)],
        interfaces=[Interface(name="net0", bridge="vmbr0")],
    )
    provider.apply(create(wanted))
    again = provider.read_guest(wanted)
    assert again is not None and again.model_dump(exclude={"revision"}) == read(provider, 302).model_dump(
        exclude={"revision"}
    )
    [net0] = again.interfaces
    assert net0.mac and net0.mac.startswith("BC:24:11:")  # generated by Proxmox VE, learnt by the re-read
    assert again.disks[0].storage == "local-lvm"
    assert provider.read_guest(wanted.model_copy(update={"vmid": 399})) is None  # no such guest: nothing to fill


def test_create_lxc_from_the_configured_template(provider: ProxmoxProvider, lab: LabPve) -> None:
    wanted = Guest(
        vmid=301,
        kind="lxc",
        name="ct301",
        node="pve3",
        status="stopped",
        description="",
        vcpus=1,
        memory_mib=256,
        swap_mib=128,
        disks=[Disk(name="rootfs", size_mib=4096, storage="local-lvm")],
        interfaces=[
            Interface(name="net0", mac="BC:24:11:00:03:01", bridge="vmbr0", ips=["10.0.30.2/24"], guest_name="eth0")
        ],
        ostype="debian",
        start_on_boot=False,
    )
    provider.apply(create(wanted))
    got = read(provider, 301)
    assert got.model_dump(exclude={"revision"}) == wanted.model_dump(exclude={"revision"})


def test_create_lxc_without_template_is_a_config_error_found_in_preflight(lab: LabPve, fakepve_cafile: str) -> None:
    section = proxmox_section(lab, fakepve_cafile)
    section.defaults.lxc_ostemplate = None
    provider = ProxmoxProvider(section)
    request = create(Guest(vmid=302, kind="lxc", name="ct302", node="pve1", memory_mib=256))
    assert "needs an OS template" in provider.preflight([request])["c2"]
    lab.requests.clear()
    with pytest.raises(ConfigError, match="needs an OS template"):
        provider.apply(request)
    assert lab.requests == []


def test_preflight_finds_nothing_for_sound_writes(provider: ProxmoxProvider) -> None:
    assert provider.preflight([create(Guest(vmid=303, kind="qemu", name="ok", node="pve1"))]) == {}


def test_preflight_reports_deleting_a_running_guest_unless_stopping_is_allowed(provider: ProxmoxProvider) -> None:
    web = read(provider, 100)
    assert web.status == "running"
    assert provider.preflight([delete(web)]) == {
        "c3": "qemu 100 is running; netmox stops a guest to delete it only with allow_stop"
    }
    assert provider.preflight([delete(web, allow_stop=True)]) == {}


# ------------------------------------------------------------------ deletes


def test_delete_purges_a_stopped_guest(provider: ProxmoxProvider, lab: LabPve) -> None:
    provider.apply(delete(read(provider, 102)))
    provider.apply(delete(read(provider, 201)))
    assert (lab.vm(102), lab.ct(201)) == (None, None)
    assert ("DELETE", "/api2/json/nodes/pve1/qemu/102") in [(m, p) for m, p, _ in lab.requests]


def test_delete_of_a_protected_guest_is_refused(provider: ProxmoxProvider, lab: LabPve) -> None:
    with pytest.raises(ConflictError, match="is protected"):
        provider.apply(delete(read(provider, 200), allow_stop=True))
    assert lab.ct(200) is not None


def test_a_running_guest_is_stopped_for_delete_only_when_allowed(provider: ProxmoxProvider, lab: LabPve) -> None:
    with pytest.raises(ConflictError, match="is running"):
        provider.apply(delete(read(provider, 100)))
    assert lab.vm(100).status == "running"
    provider.apply(delete(read(provider, 100), allow_stop=True))
    assert lab.vm(100) is None
