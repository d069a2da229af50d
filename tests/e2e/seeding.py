"""Seeding the two sides the way people do: guests made in the Proxmox VE GUI, records typed into NetBox.

NetBox enforces globally unique IP addresses and every e2e test shares one NetBox, so every address a
test uses comes from a /24 (``net``, "10.x.y") that no other test has used (``unused_prefix``).
"""

from __future__ import annotations

import random
from typing import Any

from tests.support.fakepve_lab import OSTEMPLATE_FILE, LabPve

VMINTERFACE = "virtualization.vminterface"


def unused_prefix(nb: Any) -> str:
    """A /24 ("10.x.y") holding no IP address in NetBox yet."""
    while True:
        x = random.randrange(1, 65536)
        prefix = f"10.{x >> 8}.{x & 255}"
        if nb.ipam.ip_addresses.count(parent=f"{prefix}.0/24") == 0:
            return prefix


def cluster_id(nb: Any, cluster: str) -> int:
    return nb.virtualization.clusters.get(name=cluster).id


def ensure_tag(nb: Any, name: str) -> int:
    return (nb.extras.tags.get(name=name) or nb.extras.tags.create(name=name, slug=name.lower())).id


def ensure_platform(nb: Any, name: str) -> int:
    return (nb.dcim.platforms.get(name=name) or nb.dcim.platforms.create(name=name, slug=name.lower())).id


def seed_device(nb: Any, cluster: str, name: str, description: str = "") -> Any:
    """A node device in the cluster's own site (the netbox_server fixture makes one site per cluster)."""
    return nb.dcim.devices.create(
        name=name,
        role=nb.dcim.device_roles.get(slug="pve-node").id,
        device_type=nb.dcim.device_types.get(slug="server").id,
        site=nb.dcim.sites.get(slug=cluster).id,
        cluster=cluster_id(nb, cluster),
        status="active",
        description=description,
    )


def v6(net: str, host: int) -> str:
    return "2001:db8:" + net.split(".", 1)[1].replace(".", ":") + f"::{host:x}"


def seed_pve(pve: LabPve, net: str) -> None:
    """A deployed cluster: 3 nodes, VMs running (agent up / agent down) and stopped, a template that is
    never imported, and two containers (static IP, DHCP). Addresses come from ``net``."""
    pve.cluster_name = "lab"
    for node in ("pve1", "pve2", "pve3"):
        pve.add_node(node)
    pve.node_config["pve1"] = {"description": "rack A, slot 1"}
    pve.store_file("local", OSTEMPLATE_FILE, 128 * 1024**2, content="vztmpl")
    web = pve.add_vm(
        100,
        "web01",
        node="pve1",
        status="running",
        config={
            "cores": 2,
            "memory": "2048",
            "ostype": "l26",
            "scsi0": "local-lvm:vm-100-disk-0,iothread=1,size=32G",
            "net0": "virtio=BC:24:11:00:01:00,bridge=vmbr0,firewall=1",
            "agent": "1",
            "tags": "prod;web",
            "onboot": 1,
            "description": "public web server",
        },
    )
    web.agent = {
        "interfaces": [
            {
                "name": "lo",
                "hardware-address": "00:00:00:00:00:00",
                "ip-addresses": [{"ip-address": "127.0.0.1", "ip-address-type": "ipv4", "prefix": 8}],
            },
            {
                "name": "ens18",
                "hardware-address": "bc:24:11:00:01:00",
                "ip-addresses": [
                    {"ip-address": f"{net}.11", "ip-address-type": "ipv4", "prefix": 24},
                    {"ip-address": v6(net, 0x11), "ip-address-type": "ipv6", "prefix": 64},
                ],
            },
        ]
    }
    pve.add_vm(
        101,
        "db01",
        node="pve2",
        status="running",
        config={
            "sockets": 2,
            "cores": 2,
            "memory": "8192",
            "ostype": "l26",
            "virtio0": "local-lvm:vm-101-disk-0,discard=on,size=64G",
            "net0": "virtio=BC:24:11:00:01:01,bridge=vmbr0",
            "tags": "db;prod",
        },
    )
    pve.add_vm(
        102,
        "build01",
        node="pve1",
        status="stopped",
        config={
            "cores": 4,
            "memory": 4096,
            "ostype": "win11",
            "sata0": "local-lvm:vm-102-disk-0,size=40G",
            "net0": "e1000=BC:24:11:00:01:02,bridge=vmbr1,tag=30",
        },
    )
    pve.add_vm(
        9000,
        "tmpl-debian",
        node="pve1",
        template=True,
        config={"cores": 1, "memory": 1024, "scsi0": "local-lvm:base-9000-disk-0,size=8G", "template": 1},
    )
    pve.add_ct(
        200,
        "dns01",
        node="pve2",
        status="running",
        config={
            "cores": 1,
            "memory": 512,
            "swap": 256,
            "ostype": "debian",
            "rootfs": "local-lvm:vm-200-disk-0,size=8G",
            "net0": f"name=eth0,bridge=vmbr0,gw={net}.1,hwaddr=BC:24:11:00:02:00,ip={net}.5/24,type=veth",
            "tags": "dns",
            "onboot": 1,
            "description": "resolver",
        },
    )
    pve.add_ct(
        201,
        "cache01",
        node="pve3",
        status="stopped",
        config={
            "cores": 1,
            "memory": 1024,
            "swap": 0,
            "ostype": "alpine",
            "rootfs": "local-lvm:vm-201-disk-0,size=4G",
            "net0": "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:02:02,ip=dhcp,type=veth",
        },
    )


def seed_netbox_vm(
    nb: Any,
    cluster: str,
    *,
    vmid: int,
    kind: str,
    name: str,
    node: str,
    vcpus: float,
    memory: int,
    disk: tuple[str, int],
    nic: tuple[str, str, list[str]],
    tags: list[str],
    platform: str | None = None,
    swap: int | None = None,
    status: str = "active",
    description: str = "",
) -> Any:
    """A VM documented by hand in NetBox: VMID custom field, sizes, one NIC with MAC and IPs, a disk, tags."""
    custom: dict[str, Any] = {"proxmox_vmid": vmid, "proxmox_type": kind}
    if swap is not None:
        custom["proxmox_swap_mb"] = swap
    device = nb.dcim.devices.get(name=node, cluster_id=cluster_id(nb, cluster))
    vm = nb.virtualization.virtual_machines.create(
        name=name,
        cluster=cluster_id(nb, cluster),
        device=device.id,
        status=status,
        vcpus=vcpus,
        memory=memory,
        description=description,
        platform=ensure_platform(nb, platform) if platform else None,
        tags=[ensure_tag(nb, tag) for tag in tags],
        custom_fields=custom,
    )
    nic_name, mac, ips = nic
    interface = nb.virtualization.interfaces.create(virtual_machine=vm.id, name=nic_name)
    mac_obj = nb.dcim.mac_addresses.create(
        mac_address=mac, assigned_object_type=VMINTERFACE, assigned_object_id=interface.id
    )
    interface.update({"primary_mac_address": mac_obj.id})
    for address in ips:
        nb.ipam.ip_addresses.create(address=address, assigned_object_type=VMINTERFACE, assigned_object_id=interface.id)
    nb.virtualization.virtual_disks.create(virtual_machine=vm.id, name=disk[0], size=disk[1])
    return vm


def document_vm(
    nb: Any,
    cluster: str,
    vmid: int,
    name: str,
    *,
    mac: str | None = None,
    platform: str | None = "Linux",
    storage: str | None = None,
    status: str = "active",
    custom: dict[str, Any] | None = None,
) -> Any:
    """A one-NIC, one-disk QEMU VM documented the way a form that never sets start_on_boot does (NetBox reads
    it as off): on device pve1, 1 vCPU, 1024 MB, interface net0 (with ``mac`` as its primary MAC object when
    given), disk scsi0 of 8192 MB on ``storage``; ``custom`` adds custom fields."""
    device = nb.dcim.devices.get(name="pve1", cluster_id=cluster_id(nb, cluster))
    vm = nb.virtualization.virtual_machines.create(
        name=name,
        cluster=cluster_id(nb, cluster),
        device=device.id,
        status=status,
        vcpus=1,
        memory=1024,
        platform=ensure_platform(nb, platform) if platform else None,
        custom_fields={"proxmox_vmid": vmid, "proxmox_type": "qemu", **(custom or {})},
    )
    interface = nb.virtualization.interfaces.create(virtual_machine=vm.id, name="net0")
    if mac is not None:
        mac_obj = nb.dcim.mac_addresses.create(
            mac_address=mac, assigned_object_type=VMINTERFACE, assigned_object_id=interface.id
        )
        interface.update({"primary_mac_address": mac_obj.id})
    nb.virtualization.virtual_disks.create(
        virtual_machine=vm.id, name="scsi0", size=8192, custom_fields={"proxmox_storage": storage}
    )
    return vm


def cluster_journal(nb: Any, cluster: str) -> list[Any]:
    """The journal entries on the cluster's node devices and VMs (others share this NetBox and write their own)."""
    cid = cluster_id(nb, cluster)
    entries: list[Any] = []
    for kind, objects in (
        ("dcim.device", nb.dcim.devices.filter(cluster_id=cid)),
        ("virtualization.virtualmachine", nb.virtualization.virtual_machines.filter(cluster_id=cid)),
    ):
        ids = [obj.id for obj in objects]
        if ids:
            entries += nb.extras.journal_entries.filter(assigned_object_type=kind, assigned_object_id=ids)
    return entries
