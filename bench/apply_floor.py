"""The floor of an apply: the NetBox objects netmox writes, written by a bare bulk pynetbox script.

What NetBox itself costs on this machine for the same objects, so netmox's apply time can be read as a
ratio to it. For an import: VMs, interfaces, MAC address objects, the interfaces' ``primary_mac_address``,
IP addresses, the VMs' primary IPs, virtual disks (with netmox's storage custom field) and one journal entry
per VM, each as list POSTs (PATCHes) of ``chunk`` objects, ids taken from the create answers. For the
one-property update: one list read of the cluster's VM ids, the description PATCHes and one journal entry per VM.

The same functions prepare and reset the apply benchmark's clusters (``apply_bench.py``): the references a
guest names (cluster, site, devices, platforms, tags) are made before a measurement so that neither netmox
nor the floor pays for them, and a NetBox "identical to Proxmox VE" is seeded with ``create_guests``
without journal entries. Run alone (a cluster of its own, reset first)::

    python -m bench.apply_floor --url http://127.0.0.1:PORT --token TOKEN --guests 200
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pynetbox
import requests

from bench.labgen import LabSpec, generate
from bench.netbox_lab import _ensure_named, _get_or_create, section
from netmox_cli.model.state import ClusterState, Guest
from netmox_cli.providers.netbox import NetboxProvider
from netmox_cli.providers.netbox.mapping import PlatformTable, slugify, start_on_boot_value, vcpus_value
from netmox_cli.providers.netbox.schema import CF_STORAGE, CF_SWAP, CF_TYPE, CF_VMID

CHUNK = 200  # netmox's default [netbox] chunk_size
VMINTERFACE = "virtualization.vminterface"
VM_TYPE = "virtualization.virtualmachine"
PAGE = 1000
_NUMBER = re.compile(r"/\d+")


class Counted:
    """Counts a session's requests in total and by ``METHOD /path/{id}``, with the seconds each kind waited for
    its answers (a response hook)."""

    def __init__(self, session: requests.Session) -> None:
        self.counts: Counter[str] = Counter()
        self.seconds: dict[str, float] = {}
        session.hooks.setdefault("response", []).append(self._hook)

    def _hook(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        request = response.request
        key = f"{request.method} {_NUMBER.sub('/{id}', urlsplit(request.url or '').path)}"
        self.counts["total"] += 1
        self.counts[key] += 1
        self.seconds[key] = self.seconds.get(key, 0.0) + response.elapsed.total_seconds()

    def take(self) -> Counter[str]:
        """The counts so far, and start again from zero (``seconds`` too)."""
        counts, self.counts = self.counts, Counter()
        self.last_seconds, self.seconds = self.seconds, {}
        return counts


def connect(url: str, token: str) -> tuple[Any, Counted]:
    """A pynetbox api on its own session (no proxy environment lookups, no timeout: list writes are slow)."""
    api = pynetbox.api(url, token=token)
    session = requests.Session()
    session.trust_env = False
    api.http_session = session
    return api, Counted(session)


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _create(endpoint: Any, payloads: list[dict[str, Any]], chunk: int) -> list[int]:
    """List POSTs of ``chunk`` objects; NetBox answers with the objects in payload order."""
    ids: list[int] = []
    for part in _chunks(payloads, chunk):
        answer = endpoint.create(part)
        ids.extend(record.id for record in (answer if isinstance(answer, list) else [answer]))
    return ids


@dataclass
class Refs:
    """The ids a guest's payload names, made before a measurement."""

    cluster_id: int
    device_ids: dict[str, int]
    platform_ids: dict[str, int]
    tag_ids: dict[str, int]


def prepare(url: str, token: str, state: ClusterState, cluster: str) -> Refs:
    """netmox's custom fields and the cluster (``initialize()``, as `netmox init`), its site and one device per
    node, and every platform and tag the guests name; what exists is reused."""
    provider = NetboxProvider(section(url, token, timeout=600), cluster=cluster)
    try:
        provider.initialize()
        api = provider.client.api
        record = api.virtualization.clusters.get(name=cluster)
        site = api.dcim.sites.get(slug=slugify(cluster)) or api.dcim.sites.create(name=cluster, slug=slugify(cluster))
        if getattr(record, "scope", None) is None:
            record.update({"scope_type": "dcim.site", "scope_id": site.id})
        role = _get_or_create(api.dcim.device_roles, "PVE node", color="ff9800")
        maker = _get_or_create(api.dcim.manufacturers, "Generic")
        dtype = api.dcim.device_types.get(slug="server") or api.dcim.device_types.create(
            manufacturer=maker, model="Server", slug="server"
        )
        devices = {d.name: d.id for d in api.dcim.devices.filter(cluster_id=record.id, limit=PAGE)}
        missing = [n for n in state.nodes if n.name not in devices]
        if missing:
            made = api.dcim.devices.create(
                [
                    {
                        "name": n.name,
                        "site": site.id,
                        "role": role,
                        "device_type": dtype.id,
                        "cluster": record.id,
                        "status": n.status or "active",
                        "description": n.description or "",
                    }
                    for n in missing
                ]
            )
            devices.update((d.name, d.id) for d in made)
        platforms = PlatformTable()
        platform_ids = _ensure_named(
            api.dcim.platforms, {platforms.platform(g.ostype) or "Other" for g in state.guests}
        )
        tag_ids = _ensure_named(api.extras.tags, {t for g in state.guests for t in g.tags})
        return Refs(cluster_id=record.id, device_ids=devices, platform_ids=platform_ids, tag_ids=tag_ids)
    finally:
        provider.close()


def reset(api: Any, cluster_id: int, network: int, chunk: int = CHUNK) -> int:
    """Delete the cluster's VMs (NetBox deletes their interfaces, MAC and IP addresses, disks and journal
    entries with them) and any address left in 10.<network>.0.0/16; returns how many VMs were deleted."""
    vm_ids = [vm.id for vm in api.virtualization.virtual_machines.filter(cluster_id=cluster_id, limit=PAGE)]
    for part in _chunks(vm_ids, chunk):
        api.virtualization.virtual_machines.delete(part)
    ip_ids = [ip.id for ip in api.ipam.ip_addresses.filter(parent=f"10.{network}.0.0/16", limit=PAGE)]
    for part in _chunks(ip_ids, chunk):
        api.ipam.ip_addresses.delete(part)
    return len(vm_ids)


def background_jobs(api: Any) -> int:
    """Jobs waiting or running in NetBox's background queues (NetBox 4.7 updates its search cache in a job per
    written object, so a bulk write leaves minutes of work behind it)."""
    scheme = "Bearer" if str(api.token).startswith("nbt_") else "Token"
    answer = api.http_session.get(
        f"{api.base_url}/core/background-queues/", headers={"Authorization": f"{scheme} {api.token}"}, timeout=30
    )
    answer.raise_for_status()
    queues = [q for q in answer.json()["results"] if q.get("workers")]  # no worker: nothing will run (or wait)
    return sum(int(q.get("jobs") or 0) + int(q.get("started_jobs") or 0) for q in queues)


def wait_for_background(api: Any, timeout: float = 1800.0) -> tuple[int, float]:
    """Wait until NetBox's background queues are empty, so that one measurement's leftover work does not slow
    the next; returns the jobs found at the start and the seconds waited (``timeout`` at most)."""
    start = time.perf_counter()
    first = jobs = background_jobs(api)
    while jobs and time.perf_counter() - start < timeout:
        time.sleep(1.0)
        jobs = background_jobs(api)
    return first, time.perf_counter() - start


def vm_body(guest: Guest, refs: Refs) -> dict[str, Any]:
    """The VM as netmox creates it (every property, its custom fields)."""
    custom: dict[str, Any] = {CF_VMID: guest.vmid, CF_TYPE: guest.kind}
    if guest.kind == "lxc":
        custom[CF_SWAP] = guest.swap_mib
    return {
        "name": guest.name,
        "cluster": refs.cluster_id,
        "device": refs.device_ids.get(guest.node or ""),
        "status": guest.status or "active",
        "vcpus": vcpus_value(guest.vcpus),
        "memory": guest.memory_mib,
        "description": guest.description or "",
        "platform": refs.platform_ids.get(PlatformTable().platform(guest.ostype) or "Other"),
        "start_on_boot": start_on_boot_value(guest.start_on_boot),
        "tags": [refs.tag_ids[t] for t in guest.tags],
        "custom_fields": custom,
    }


def as_imported(guest: Guest) -> Guest:
    """The guest as an import from Proxmox VE knows it: a stopped QEMU guest has no agent to report its
    addresses, so netmox creates no IP address for it (the floor must not write more than netmox does)."""
    if guest.kind == "qemu" and guest.status not in ("running", "active"):
        interfaces = [nic.model_copy(update={"ips": None}) for nic in guest.interfaces]
        return guest.model_copy(update={"interfaces": interfaces})
    return guest


def create_guests(api: Any, refs: Refs, guests: list[Guest], *, chunk: int = CHUNK, journal: bool = True) -> list[int]:
    """The objects of an import, stage by stage in list requests; returns the VM ids."""
    vm_ids = _create(api.virtualization.virtual_machines, [vm_body(g, refs) for g in guests], chunk)
    nics = [(vm_id, nic) for vm_id, guest in zip(vm_ids, guests, strict=True) for nic in guest.interfaces]
    nic_ids = _create(
        api.virtualization.interfaces, [{"virtual_machine": vm_id, "name": nic.name} for vm_id, nic in nics], chunk
    )
    with_mac = [(nic_id, nic.mac) for nic_id, (_, nic) in zip(nic_ids, nics, strict=True) if nic.mac]
    mac_ids = _create(
        api.dcim.mac_addresses,
        [{"mac_address": mac, "assigned_object_type": VMINTERFACE, "assigned_object_id": i} for i, mac in with_mac],
        chunk,
    )
    primaries = [{"id": i, "primary_mac_address": m} for (i, _), m in zip(with_mac, mac_ids, strict=True)]
    for part in _chunks(primaries, chunk):
        api.virtualization.interfaces.update(part)
    addresses = [
        (vm_id, nic_id, ip) for nic_id, (vm_id, nic) in zip(nic_ids, nics, strict=True) for ip in nic.ips or []
    ]
    ip_ids = _create(
        api.ipam.ip_addresses,
        [
            {"address": ip, "status": "active", "assigned_object_type": VMINTERFACE, "assigned_object_id": nic_id}
            for _, nic_id, ip in addresses
        ],
        chunk,
    )
    primary: dict[int, dict[str, int]] = {}  # each new VM's first address of each family, as netmox sets it
    for (vm_id, _, ip), ip_id in zip(addresses, ip_ids, strict=True):
        primary.setdefault(vm_id, {}).setdefault("primary_ip6" if ":" in ip else "primary_ip4", ip_id)
    for part in _chunks([{"id": vm_id, **ids} for vm_id, ids in primary.items()], chunk):
        api.virtualization.virtual_machines.update(part)
    _create(
        api.virtualization.virtual_disks,
        [
            {"virtual_machine": vm_id, "name": d.name, "size": d.size_mib, "custom_fields": {CF_STORAGE: d.storage}}
            for vm_id, guest in zip(vm_ids, guests, strict=True)
            for d in guest.disks
        ],
        chunk,
    )
    if journal:
        _journal(api, vm_ids, "netmox floor: created, from Proxmox VE", chunk)
    return vm_ids


def update_descriptions(api: Any, cluster_id: int, descriptions: dict[int, str], *, chunk: int = CHUNK) -> int:
    """The one-property update: the VM ids by VMID (one list read), PATCHes of the new descriptions and a
    journal entry each; returns how many VMs were patched."""
    by_vmid = {
        (vm.custom_fields or {}).get(CF_VMID): vm.id
        for vm in api.virtualization.virtual_machines.filter(
            cluster_id=cluster_id, limit=PAGE, fields="id,custom_fields"
        )
    }
    patches = [{"id": by_vmid[vmid], "description": text} for vmid, text in descriptions.items() if vmid in by_vmid]
    for part in _chunks(patches, chunk):
        api.virtualization.virtual_machines.update(part)
    _journal(api, [p["id"] for p in patches], "netmox floor: description changed, from Proxmox VE", chunk)
    return len(patches)


def _journal(api: Any, vm_ids: list[int], text: str, chunk: int) -> None:
    body = [
        {"assigned_object_type": VM_TYPE, "assigned_object_id": i, "kind": "info", "comments": text} for i in vm_ids
    ]
    _create(api.extras.journal_entries, body, chunk)


def requests_per_stage_ok(counts: dict[str, int], objects: int, per: int = CHUNK) -> bool:
    """The issue's target: at most 2 requests per object type and stage per ``per`` objects."""
    allowed = 2 * max(1, math.ceil(objects / per))
    return all(count <= allowed for key, count in counts.items() if key != "total")


def main(argv: list[str] | None = None) -> int:
    """Reset a cluster of its own, then time the import floor for a lab of ``--guests``; prints JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--guests", type=int, default=200)
    parser.add_argument("--cluster", default=None, help="default: apply-floor-<guests>")
    parser.add_argument("--network", type=int, default=99, help="guests get addresses in 10.<network>.0.0/16")
    parser.add_argument("--chunk", type=int, default=CHUNK)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    cluster = args.cluster or f"apply-floor-{args.guests}"
    spec = LabSpec(guests=args.guests, seed=args.seed, cluster=cluster, network=args.network, drift=0, one_sided=0)
    lab = generate(spec)
    refs = prepare(args.url, args.token, lab.netbox, cluster)
    api, counted = connect(args.url, args.token)
    reset(api, refs.cluster_id, args.network, args.chunk)
    counted.take()
    start = time.perf_counter()
    create_guests(api, refs, [as_imported(g) for g in lab.netbox.guests], chunk=args.chunk)
    seconds = time.perf_counter() - start
    counts = counted.take()
    print(json.dumps({"guests": args.guests, "seconds": round(seconds, 3), "requests": dict(counts)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
