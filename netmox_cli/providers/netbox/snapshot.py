"""Read one cluster from NetBox in bulk: a fixed number of paginated list calls, whatever the number of VMs.

REST where NetBox can filter by cluster (devices, virtual machines — tags and platform come nested);
GraphQL for VM interfaces (MAC address, untagged VLAN and IP addresses nested) and virtual disks, whose REST
filters cannot select a cluster. Pages are walked by primary-key cursor, ``page_size`` objects at a time.

Every page and row is shape-checked (``responses``; the client checks that each answer is JSON and each
list view a list page): an answer that is not what NetBox sends fails the connection, never reads as
"no VMs". A cluster name that does not exist fails it too, for the same reason.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

from netmox_cli.errors import NotInitialized
from netmox_cli.model.state import ClusterState, Disk, Interface, Side
from netmox_cli.providers.base import Progress
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
from netmox_cli.providers.netbox.schema import missing_custom_fields

# The fields netmox reads of each interface and disk: one selection, shared by the cluster-wide and the
# scoped (watch) queries, so both reads build the same model.
INTERFACE_FIELDS = """
    id name
    virtual_machine { id }
    primary_mac_address { mac_address }
    untagged_vlan { vid }
    ip_addresses { address }
"""
DISK_FIELDS = """
    id name size custom_fields
    virtual_machine { id }
"""

INTERFACES_QUERY = f"""
query NetmoxInterfaces($cluster: ID!, $start: Int!, $limit: Int!) {{
  items: vm_interface_list(
    filters: {{virtual_machine: {{cluster_id: $cluster}}}}
    pagination: {{start: $start, limit: $limit}}
  ) {{{INTERFACE_FIELDS}  }}
}}
"""

DISKS_QUERY = f"""
query NetmoxDisks($cluster: ID!, $start: Int!, $limit: Int!) {{
  items: virtual_disk_list(
    filters: {{virtual_machine: {{cluster_id: $cluster}}}}
    pagination: {{start: $start, limit: $limit}}
  ) {{{DISK_FIELDS}  }}
}}
"""


def graphql_pages(
    client: NetboxClient, query: str, shape: Any, cluster_id: int, page_size: int
) -> list[dict[str, Any]]:
    """Every item of a cluster-filtered GraphQL list, fetched ``page_size`` at a time by id cursor."""
    items: list[dict[str, Any]] = []
    start = 0
    while True:
        data = client.graphql(query, {"cluster": str(cluster_id), "start": start, "limit": page_size})
        try:
            page = responses.check(shape, data.get("items"))
        except responses.ShapeError as error:
            raise client.invalid("POST /graphql/", error) from None
        items.extend(page)
        if len(page) < page_size:
            return items
        start = max(int(item["id"]) for item in page) + 1


def rest_list(
    client: NetboxClient, endpoint: Any, shape: Any, what: str, page_size: int, **filters: Any
) -> list[dict[str, Any]]:
    """Every row of a filtered REST list, each with the shape ``mapping.py`` reads."""
    with client.guard(what):
        rows = [dict(record) for record in endpoint.filter(limit=page_size, **filters)]
    try:
        return responses.check(shape, rows)
    except responses.ShapeError as error:
        raise client.invalid(f"GET {urlsplit(endpoint.url).path}", error) from None


def read_cluster(
    client: NetboxClient, cluster: str, page_size: int, platforms: PlatformTable, progress: Progress | None = None
) -> ClusterState:
    """The NetBox view of ``cluster``; raises NotInitialized when netmox's custom fields or the cluster
    are missing (an absent cluster read as an empty one would make every Proxmox VE guest "deleted")."""
    say = progress or (lambda _message: None)
    say(f"NetBox {client.url}: checking custom fields")
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
    say(f"NetBox {client.url}: reading cluster {cluster}")
    devices = rest_list(
        client, api.dcim.devices, responses.DEVICES, f"devices of cluster {cluster}", page_size, cluster_id=record.id
    )
    vms = rest_list(
        client,
        api.virtualization.virtual_machines,
        responses.VIRTUAL_MACHINES,
        f"VMs of cluster {cluster}",
        page_size,
        cluster_id=record.id,
    )
    interfaces: dict[int, list[Interface]] = defaultdict(list)
    for item in graphql_pages(client, INTERFACES_QUERY, responses.INTERFACES, record.id, page_size):
        interfaces[int(item["virtual_machine"]["id"])].append(interface_from_graphql(item))
    disks: dict[int, list[Disk]] = defaultdict(list)
    for item in graphql_pages(client, DISKS_QUERY, responses.DISKS, record.id, page_size):
        disks[int(item["virtual_machine"]["id"])].append(disk_from_graphql(item))

    state.nodes = sorted((node_from_device(d) for d in devices), key=lambda n: n.name)
    unmatched = 0
    for vm in vms:
        if vmid_of(vm) is None:
            unmatched += 1  # a VM netmox does not track: no VMID custom field
            continue
        state.guests.append(guest_from_vm(vm, platforms, interfaces.get(vm["id"]), disks.get(vm["id"])))
    state.guests.sort(key=lambda g: (g.vmid, g.remote_id or 0))
    state.meta.update(
        {"cluster_id": str(record.id), "vms_without_vmid": str(unmatched), "virtual_machines": str(len(vms))}
    )
    return state
