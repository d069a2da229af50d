"""Bulk writes against a real NetBox: requests per stage, not per object; a refused chunk lands all but the
object that caused it; a change whose VM could not be created is not carried into its later stages."""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import urlsplit

import pytest

from netmox_cli.model.state import Disk, Guest, Interface
from netmox_cli.providers.base import ApplyContext, WriteRequest, WriteResult
from netmox_cli.providers.netbox import NetboxProvider
from tests.integration.netbox.seed import seed_device, seed_vm

pytestmark = pytest.mark.netbox


class Events:
    """The executor's side of a batch, kept in one log with the requests (to see what came first)."""

    def __init__(self, log: list[tuple[str, str]]) -> None:
        self.log = log
        self.results: dict[str, WriteResult] = {}
        self.errors: dict[str, Exception] = {}

    def sent(self, change_id: str) -> None:
        self.log.append(("sent", change_id))

    def done(self, change_id: str, result: WriteResult | None, error: Exception | None) -> None:
        self.log.append(("done", change_id))
        if error is not None:
            self.errors[change_id] = error
        else:
            assert result is not None
            self.results[change_id] = result


def logged(provider: NetboxProvider) -> list[tuple[str, str]]:
    """Every request the provider sends, as ("METHOD", "/api/path/") in the order sent."""
    log: list[tuple[str, str]] = []

    def hook(response, *_args, **_kwargs) -> None:
        log.append((response.request.method, urlsplit(response.url).path))

    provider.client.session.hooks["response"].append(hook)
    return log


def guest(vmid: int, net: str, host: int, name: str | None = None) -> Guest:
    return Guest(
        vmid=vmid,
        kind="qemu",
        name=name or f"vm{vmid}",
        node="pve1",
        status="active",
        vcpus=1.0,
        memory_mib=1024,
        disks=[Disk(name="scsi0", size_mib=8192)],
        interfaces=[
            Interface(name="net0", mac=f"BC:24:11:00:{host >> 8:02X}:{host & 255:02X}", ips=[f"{net}.{host}/24"])
        ],
        tags=["bulk"],
        ostype="l26",
        start_on_boot=False,
    )


def creates(guests: list[Guest]) -> list[WriteRequest]:
    return [
        WriteRequest(
            change_id=f"c/qemu/{g.vmid}#netbox",
            action="create",
            kind="qemu",
            desired=g,
            context=ApplyContext(run_id=1, source_label="Proxmox VE"),
        )
        for g in guests
    ]


def bulk_provider(initialized, cluster: str, chunk_size: int) -> NetboxProvider:
    section = initialized.section(defaults=initialized.node_defaults(), chunk_size=chunk_size)
    return NetboxProvider(section, cluster=cluster)


def same(a: Guest, b: Guest) -> bool:
    exclude = {"revision", "remote_id"}
    return a.model_dump(exclude=exclude) == b.model_dump(exclude=exclude)


@pytest.mark.parametrize(("chunk_size", "per_stage"), [(200, 1), (20, 3)])
def test_an_apply_of_50_guests_costs_requests_per_stage_not_per_object(
    initialized, nb, cluster, net, chunk_size, per_stage
):
    seed_device(nb, cluster, "pve1")
    provider = bulk_provider(initialized, cluster, chunk_size)
    wanted = [guest(1000 + i, net, i + 1) for i in range(50)]
    requests = logged(provider)
    events = Events([])

    provider.apply_batch(creates(wanted), events)

    assert events.errors == {}
    assert len(events.results) == 50
    writes = Counter((method, path) for method, path in requests if method != "GET")
    stages = {
        ("POST", "/api/virtualization/virtual-machines/"),
        ("POST", "/api/virtualization/interfaces/"),
        ("POST", "/api/dcim/mac-addresses/"),
        ("PATCH", "/api/virtualization/interfaces/"),  # each interface's primary MAC
        ("POST", "/api/ipam/ip-addresses/"),
        ("PATCH", "/api/virtualization/virtual-machines/"),  # each new VM's primary IP
        ("POST", "/api/virtualization/virtual-disks/"),
        ("POST", "/api/extras/journal-entries/"),
    }
    assert set(writes) - {("POST", "/api/extras/tags/")} == stages, writes
    assert all(count == per_stage for key, count in writes.items() if key in stages), writes
    reads = [path for method, path in requests if method == "GET"]
    assert len(reads) <= 8, reads  # cluster, devices, platforms, tags, free IP addresses: once each
    snapshot = {g.vmid: g for g in provider.snapshot().guests}
    assert all(same(snapshot[g.vmid], g) for g in wanted)
    primaries = {vm.name: str(vm.primary_ip4) for vm in nb.virtualization.virtual_machines.filter(cluster=cluster)}
    assert primaries == {g.name: g.interfaces[0].ips[0] for g in wanted}


def test_a_new_vm_gets_the_first_address_of_each_family_as_its_primary_ips(initialized, nb, cluster, net):
    seed_device(nb, cluster, "pve1")
    provider = bulk_provider(initialized, cluster, 200)
    wanted = guest(1100, net, 1)
    v6 = f"2001:db8:{net.split('.')[1]}:{net.split('.')[2]}::10/64"
    wanted.interfaces = [
        Interface(name="net0", mac="BC:24:11:00:11:00", ips=[v6]),
        Interface(name="net1", mac="BC:24:11:00:11:01", ips=[f"{net}.20/24", f"{net}.21/24"]),
    ]
    events = Events([])

    provider.apply_batch(creates([wanted]), events)

    assert events.errors == {}
    vm = nb.virtualization.virtual_machines.get(name="vm1100", cluster=cluster)
    assert (str(vm.primary_ip4), str(vm.primary_ip6)) == (f"{net}.20/24", v6)
    assert f"set primary IP {v6}, {net}.20/24" in events.results["c/qemu/1100#netbox"].message


def test_sequential_mode_sends_one_request_per_object(initialized, nb, cluster, net):
    seed_device(nb, cluster, "pve1")
    provider = bulk_provider(initialized, cluster, 1)
    requests = logged(provider)

    provider.apply_batch(creates([guest(1000 + i, net, i + 1) for i in range(5)]), Events([]))

    writes = Counter((method, path) for method, path in requests if method != "GET")
    assert writes[("POST", "/api/virtualization/virtual-machines/")] == 5
    assert writes[("POST", "/api/ipam/ip-addresses/")] == 5
    assert len([p for m, p in requests if m == "PATCH" and p.startswith("/api/virtualization/interfaces/")]) == 5


def test_a_refused_chunk_lands_every_other_object_and_pins_the_error_to_the_bad_one(initialized, nb, cluster, net):
    seed_device(nb, cluster, "pve1")
    seed_vm(nb, cluster, 999, "taken")
    provider = bulk_provider(initialized, cluster, 200)
    wanted = [guest(1000 + i, net, i + 1) for i in range(10)]
    wanted[4] = guest(1004, net, 5, name="taken")  # NetBox: VM names are unique per cluster
    log: list[tuple[str, str]] = []
    requests = logged(provider)
    events = Events(log)
    provider.client.session.hooks["response"].append(lambda r, *a, **k: log.append((r.request.method, r.url)))

    provider.apply_batch(creates(wanted), events)

    assert set(events.errors) == {"c/qemu/1004#netbox"}
    message = str(events.errors["c/qemu/1004#netbox"])
    assert "creating VM 1004 (taken)" in message and "unique" in message
    assert len(events.results) == 9
    snapshot = {g.vmid: g for g in provider.snapshot().guests}
    assert sorted(snapshot) == [999] + [g.vmid for g in wanted if g.vmid != 1004]
    assert all(same(snapshot[g.vmid], g) for g in wanted if g.vmid != 1004)
    # the bulk POST was refused whole, then each VM was sent on its own
    vm_posts = [p for m, p in requests if (m, p) == ("POST", "/api/virtualization/virtual-machines/")]
    assert len(vm_posts) == 1 + 10
    # write-ahead: every change of the chunk is "sent" before the chunk request goes out
    first_vm_post = next(i for i, (m, u) in enumerate(log) if m == "POST" and "virtual-machines" in u)
    assert {cid for kind, cid in log[:first_vm_post] if kind == "sent"} == {f"c/qemu/{g.vmid}#netbox" for g in wanted}


def test_a_refused_address_fails_only_its_change_at_that_stage(initialized, nb, cluster, net):
    seed_device(nb, cluster, "pve1")
    holder = seed_vm(nb, cluster, 999, "holder")
    taken = nb.virtualization.interfaces.create(virtual_machine=holder.id, name="net0")
    nb.ipam.ip_addresses.create(
        address=f"{net}.3/24", assigned_object_type="virtualization.vminterface", assigned_object_id=taken.id
    )
    provider = bulk_provider(initialized, cluster, 200)
    wanted = [guest(1000 + i, net, i + 1) for i in range(6)]

    events = Events([])
    provider.apply_batch(creates(wanted), events)

    assert set(events.errors) == {"c/qemu/1002#netbox"}
    message = str(events.errors["c/qemu/1002#netbox"])
    assert f"Duplicate IP address found in global table: {net}.3/24" in message
    assert "(already written: created VM vm1002 (id " in message
    assert "(not attempted: primary IP addresses, virtual disks, journal entry)" in message
    snapshot = {g.vmid: g for g in provider.snapshot().guests}
    assert all(same(snapshot[g.vmid], g) for g in wanted if g.vmid != 1002)
    assert snapshot[1002].disks == [] and snapshot[1002].interfaces[0].ips == []


def test_a_failed_vm_create_skips_its_dependent_stages_with_the_reason(initialized, nb, cluster, net):
    seed_device(nb, cluster, "pve1")
    seed_vm(nb, cluster, 999, "taken")
    provider = bulk_provider(initialized, cluster, 200)
    wanted = [guest(1000, net, 1), guest(1001, net, 2, name="taken"), guest(1002, net, 3)]
    bodies: list[object] = []
    provider.client.session.hooks["response"].append(
        lambda r, *a, **k: bodies.append(json.loads(r.request.body)) if r.request.body else None
    )

    events = Events([])
    provider.apply_batch(creates(wanted), events)

    message = str(events.errors["c/qemu/1001#netbox"])
    assert "creating VM 1001 (taken)" in message
    assert (
        "(not attempted: interfaces, MAC addresses, IP addresses, primary IP addresses, virtual disks, journal entry)"
        in message
    )
    assert set(events.results) == {"c/qemu/1000#netbox", "c/qemu/1002#netbox"}
    # nothing of the failed VM was sent after its create: neither its MAC nor its address went out
    sent = json.dumps(bodies)
    assert "BC:24:11:00:00:01" in sent and "BC:24:11:00:00:02" not in sent
    assert f"{net}.1/24" in sent and f"{net}.2/24" not in sent
    assert sorted(g.vmid for g in provider.snapshot().guests) == [999, 1000, 1002]
