"""Snapshot of a real NetBox: seeded objects come back as the expected state model, in bulk."""

from __future__ import annotations

import pytest

from netmox_cli.errors import NotInitialized
from netmox_cli.model.state import ClusterState, Disk, Guest, Interface, Node, Side
from netmox_cli.providers.netbox import NetboxProvider
from tests.integration.netbox.seed import (
    VMINTERFACE,
    cluster_id,
    device_id,
    ensure_platform,
    ensure_tag,
    seed_device,
    seed_disk,
    seed_interface,
    seed_vm,
    unused_prefix,
    v6,
)

pytestmark = pytest.mark.netbox


def without_ids(state: ClusterState) -> ClusterState:
    """The state with the NetBox-local markers (ids, last_updated) blanked, to compare with expectations."""
    copy = state.model_copy(deep=True)
    for obj in [*copy.nodes, *copy.guests]:
        obj.revision = None
        obj.remote_id = None
    return copy


def test_snapshot_maps_devices_vms_interfaces_ips_macs_disks_tags_and_platform(provider, cluster, nb, net):
    seed_device(nb, cluster, "pve1", description="rack 3")
    seed_device(nb, cluster, "pve2", status="offline")
    web = seed_vm(
        nb,
        cluster,
        101,
        "web01",
        status="active",
        vcpus=2,
        memory=2048,
        description="front end",
        device=device_id(nb, cluster, "pve1"),
        platform=ensure_platform(nb, "Linux"),
        tags=[ensure_tag(nb, "prod"), ensure_tag(nb, "web")],
        start_on_boot="on",
    )
    seed_interface(nb, web.id, "net0", mac="bc:24:11:aa:00:01", ips=[f"{net}.5/24", v6(net, 5)], description="uplink")
    seed_interface(nb, web.id, "net1", vlan=20)
    seed_disk(nb, web.id, "scsi0", 32768, description="system disk")
    ct = seed_vm(
        nb, cluster, 200, "ct01", kind="lxc", status="offline", vcpus=1.5, memory=512,
        custom_fields={"proxmox_swap_mb": 256},
    )  # fmt: skip
    seed_disk(nb, ct.id, "rootfs", 8192)
    seed_vm(nb, cluster, None, "not-from-proxmox")

    state = provider.snapshot()

    assert without_ids(state) == ClusterState(
        side=Side.NETBOX,
        name=cluster,
        nodes=[Node(name="pve1", status="active", description="rack 3"), Node(name="pve2", status="offline")],
        guests=[
            Guest(
                vmid=101,
                kind="qemu",
                name="web01",
                node="pve1",
                description="front end",
                status="active",
                vcpus=2.0,
                memory_mib=2048,
                disks=[Disk(name="scsi0", size_mib=32768)],
                interfaces=[
                    Interface(name="net0", mac="BC:24:11:AA:00:01", ips=[f"{net}.5/24", v6(net, 5)]),
                    Interface(name="net1", vlan=20, ips=[]),
                ],
                tags=["prod", "web"],
                ostype="l26",
                start_on_boot=True,
            ),
            Guest(
                vmid=200,
                kind="lxc",
                name="ct01",
                status="offline",
                vcpus=1.5,
                memory_mib=512,
                swap_mib=256,
                disks=[Disk(name="rootfs", size_mib=8192)],
                start_on_boot=False,
            ),
        ],
        meta=state.meta,
        identity=state.identity,
    )
    assert state.identity == f"NetBox {provider.location} cluster {cluster_id(nb, cluster)}"
    assert state.meta["vms_without_vmid"] == "1"
    assert all(g.revision and g.remote_id for g in state.guests)
    assert all(n.revision and n.remote_id for n in state.nodes)


def test_snapshot_of_another_cluster_does_not_see_these_objects(provider, initialized, nb, cluster):
    seed_vm(nb, cluster, 101, "web01")
    other = NetboxProvider(initialized.section(), cluster=initialized.fresh_cluster())
    assert other.snapshot().guests == []
    assert [g.vmid for g in provider.snapshot().guests] == [101]


def test_a_missing_cluster_is_an_error_not_an_empty_cluster(initialized):
    """Read as empty, every Proxmox VE guest of the connection would look deleted in NetBox."""
    with pytest.raises(NotInitialized) as caught:
        NetboxProvider(initialized.section(), cluster="no-such-cluster-xyz").snapshot()
    assert caught.value.one_line() == (
        f"cluster 'no-such-cluster-xyz' does not exist in NetBox at {initialized.url}; "
        "check cluster = in netmox.toml, or create it with `netmox init`"
    )


def test_small_pages_still_return_every_object(initialized, cluster, nb, net):
    seed_many(nb, cluster, 10, net)
    state = NetboxProvider(initialized.section(page_size=3), cluster=cluster).snapshot()
    assert [g.vmid for g in state.guests] == list(range(1000, 1010))
    assert [g.interfaces[0].ips for g in state.guests] == [[f"{net}.{i + 1}/24"] for i in range(10)]
    assert [len(g.disks) for g in state.guests] == [1] * 10


def test_v2_token_reads_the_same_state(initialized, cluster, nb):
    seed_vm(nb, cluster, 101, "web01")
    state = NetboxProvider(initialized.section(token=initialized.token_v2), cluster=cluster).snapshot()
    assert [g.name for g in state.guests] == ["web01"]


def count_snapshot_requests(provider: NetboxProvider) -> int:
    calls: list[str] = []
    provider.client.session.hooks["response"].append(lambda response, *args, **kwargs: calls.append(response.url))
    provider.snapshot()
    return len(calls)


def seed_many(nb, cluster: str, count: int, net: str) -> None:
    """``count`` VMs with one interface and one disk each (and one IP each when few), created in bulk."""
    cid = cluster_id(nb, cluster)
    vms = nb.virtualization.virtual_machines.create(
        [
            {"name": f"vm{i}", "cluster": cid, "custom_fields": {"proxmox_vmid": 1000 + i, "proxmox_type": "qemu"}}
            for i in range(count)
        ]
    )
    interfaces = nb.virtualization.interfaces.create([{"virtual_machine": vm.id, "name": "net0"} for vm in vms])
    nb.virtualization.virtual_disks.create([{"virtual_machine": vm.id, "name": "scsi0", "size": 1024} for vm in vms])
    if count > 20:
        return  # IPs come nested in the interface query: they cannot add requests; seed them only where cheap
    nb.ipam.ip_addresses.create(
        [
            {"address": f"{net}.{i + 1}/24", "assigned_object_type": VMINTERFACE,
             "assigned_object_id": iface.id}
            for i, iface in enumerate(interfaces)
        ]
    )  # fmt: skip


@pytest.fixture(scope="module")
def small_and_large(initialized) -> tuple[str, str]:
    """Two clusters, with 10 and with 200 VMs (one interface, IP and disk each); seeded once for the module."""
    nb = initialized.api()
    small, large = initialized.fresh_cluster(), initialized.fresh_cluster()
    seed_many(nb, small, 10, unused_prefix(nb))
    seed_many(nb, large, 200, unused_prefix(nb))
    return small, large


def test_request_count_does_not_grow_with_the_number_of_vms(initialized, small_and_large):
    small, large = small_and_large
    section = initialized.section(page_size=1000)
    small_provider, large_provider = NetboxProvider(section, cluster=small), NetboxProvider(section, cluster=large)

    assert count_snapshot_requests(small_provider) == count_snapshot_requests(large_provider)
    assert len(large_provider.snapshot().guests) == 200


def test_request_count_grows_only_by_pages(initialized, small_and_large):
    _, large = small_and_large
    one_page = count_snapshot_requests(NetboxProvider(initialized.section(page_size=1000), cluster=large))
    pages_of_100 = count_snapshot_requests(NetboxProvider(initialized.section(page_size=100), cluster=large))
    # VMs: 2 pages instead of 1; interfaces and disks (id cursor): 3 pages instead of 1 each.
    assert pages_of_100 - one_page == 1 + 2 + 2
