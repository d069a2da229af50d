"""Read a few guests of one cluster from NetBox: the scoped read ``netmox watch`` plans from.

Six requests whatever the cluster's size: the custom-field check, the cluster, its devices (every node:
placements are judged against them), the VMs with the scope's VMIDs, and their interfaces and disks in
one GraphQL query each. The same shape checks and mapping as the full read (``snapshot.py``) apply, so a
guest reads identically both ways.
"""

from __future__ import annotations

from collections import defaultdict

from netmox_cli.errors import NotInitialized
from netmox_cli.model.state import ClusterState, Disk, Interface, Side
from netmox_cli.providers.netbox import responses
from netmox_cli.providers.netbox.client import NetboxClient
from netmox_cli.providers.netbox.mapping import (
    PlatformTable,
    disk_from_graphql,
    guest_from_vm,
    interface_from_graphql,
    node_from_device,
    vmid_of,
)
from netmox_cli.providers.netbox.schema import CF_VMID, missing_custom_fields
from netmox_cli.providers.netbox.snapshot import DISK_FIELDS, INTERFACE_FIELDS, rest_list

CHUNK = 50

SCOPED_INTERFACES = f"""
query NetmoxScopedInterfaces($vms: [ID!]!) {{
  items: vm_interface_list(filters: {{virtual_machine: {{id: {{in_list: $vms}}}}}}) {{{INTERFACE_FIELDS}  }}
}}
"""

SCOPED_DISKS = f"""
query NetmoxScopedDisks($vms: [ID!]!) {{
  items: virtual_disk_list(filters: {{virtual_machine: {{id: {{in_list: $vms}}}}}}) {{{DISK_FIELDS}  }}
}}
"""


def _graphql(client: NetboxClient, query: str, shape: object, vm_ids: list[int]) -> list[dict]:
    data = client.graphql(query, {"vms": [str(i) for i in vm_ids]})
    try:
        return responses.check(shape, data.get("items"))
    except responses.ShapeError as error:
        raise client.invalid("POST /graphql/", error) from None


def read_scope(
    client: NetboxClient, cluster: str, vmids: frozenset[int], page_size: int, platforms: PlatformTable
) -> ClusterState:
    """Every node of ``cluster`` and the VMs whose VMID is in ``vmids`` (all of them: duplicates show)."""
    missing = missing_custom_fields(client)
    if missing:
        raise NotInitialized(
            f"NetBox at {client.url} lacks netmox's custom fields ({', '.join(missing)})", "run `netmox init`"
        )
    api = client.api
    with client.guard(f"cluster {cluster}"):
        record = api.virtualization.clusters.get(name=cluster)
    if record is None:
        raise NotInitialized(
            f"cluster {cluster!r} does not exist in NetBox at {client.url}",
            "check cluster = in netmox.toml, or create it with `netmox init`",
        )
    state = ClusterState(side=Side.NETBOX, name=cluster, identity=f"NetBox {client.url} cluster {record.id}")
    devices = rest_list(
        client, api.dcim.devices, responses.DEVICES, f"devices of cluster {cluster}", page_size, cluster_id=record.id
    )
    state.nodes = sorted((node_from_device(d) for d in devices), key=lambda n: n.name)
    state.meta["cluster_id"] = str(record.id)
    if not vmids:
        return state
    wanted = sorted(vmids)
    vms = []
    for start in range(0, len(wanted), CHUNK):  # ids in the query string: chunked, or gunicorn refuses the line
        chunk = wanted[start : start + CHUNK]
        vms += rest_list(
            client,
            api.virtualization.virtual_machines,
            responses.VIRTUAL_MACHINES,
            f"VMs {', '.join(map(str, chunk))} of cluster {cluster}",
            page_size,
            cluster_id=record.id,
            **{f"cf_{CF_VMID}": chunk},
        )
    vms = [vm for vm in vms if vmid_of(vm) in vmids]  # the filter narrows; this decides
    if not vms:
        return state
    vm_ids = [int(vm["id"]) for vm in vms]
    interfaces: dict[int, list[Interface]] = defaultdict(list)
    for item in _graphql(client, SCOPED_INTERFACES, responses.INTERFACES, vm_ids):
        interfaces[int(item["virtual_machine"]["id"])].append(interface_from_graphql(item))
    disks: dict[int, list[Disk]] = defaultdict(list)
    for item in _graphql(client, SCOPED_DISKS, responses.DISKS, vm_ids):
        disks[int(item["virtual_machine"]["id"])].append(disk_from_graphql(item))
    for vm in vms:
        state.guests.append(guest_from_vm(vm, platforms, interfaces.get(vm["id"]), disks.get(vm["id"])))
    state.guests.sort(key=lambda g: (g.vmid, g.remote_id or 0))
    return state
