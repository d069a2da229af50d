"""Seeding NetBox the way an admin (or another tool) would, straight through pynetbox."""

from __future__ import annotations

import random
from typing import Any

VMINTERFACE = "virtualization.vminterface"


def cluster_id(nb, cluster: str) -> int:
    return nb.virtualization.clusters.get(name=cluster).id


def device_id(nb, cluster: str, name: str) -> int:
    return nb.dcim.devices.get(name=name, cluster_id=cluster_id(nb, cluster)).id


def seed_device(nb, cluster: str, name: str, status: str = "active", description: str = "") -> Any:
    site = nb.dcim.sites.get(slug=cluster)  # each test cluster has a site of its own name
    return nb.dcim.devices.create(
        name=name,
        role=nb.dcim.device_roles.get(slug="pve-node").id,
        device_type=nb.dcim.device_types.get(slug="server").id,
        site=site.id,
        cluster=cluster_id(nb, cluster),
        status=status,
        description=description,
    )


def ensure_tag(nb, name: str) -> int:
    tag = nb.extras.tags.get(name=name) or nb.extras.tags.create(name=name, slug=name.lower())
    return tag.id


def ensure_platform(nb, name: str) -> int:
    platform = nb.dcim.platforms.get(name=name) or nb.dcim.platforms.create(name=name, slug=name.lower())
    return platform.id


def ensure_vlan(nb, vid: int, name: str | None = None) -> int:
    """The one VLAN with this VID and no site (what netmox resolves an untagged VLAN tag to)."""
    unscoped = [v for v in nb.ipam.vlans.filter(vid=vid) if v.site is None]
    return unscoped[0].id if unscoped else nb.ipam.vlans.create(vid=vid, name=name or f"vlan{vid}").id


def seed_vm(nb, cluster: str, vmid: int | None, name: str, kind: str = "qemu", **attrs: Any) -> Any:
    custom = {"proxmox_vmid": vmid, "proxmox_type": kind if vmid is not None else None}
    custom.update(attrs.pop("custom_fields", {}))
    return nb.virtualization.virtual_machines.create(
        name=name, cluster=cluster_id(nb, cluster), custom_fields=custom, **attrs
    )


def seed_interface(
    nb,
    vm_id: int,
    name: str,
    mac: str | None = None,
    ips: list[str] = (),
    vlan: int | None = None,
    description: str = "",
) -> Any:
    attrs: dict[str, Any] = {"description": description}
    if vlan is not None:
        attrs.update(mode="access", untagged_vlan=ensure_vlan(nb, vlan))
    interface = nb.virtualization.interfaces.create(virtual_machine=vm_id, name=name, **attrs)
    if mac:
        mac_obj = nb.dcim.mac_addresses.create(
            mac_address=mac, assigned_object_type=VMINTERFACE, assigned_object_id=interface.id
        )
        interface.update({"primary_mac_address": mac_obj.id})
    for address in ips:
        nb.ipam.ip_addresses.create(address=address, assigned_object_type=VMINTERFACE, assigned_object_id=interface.id)
    return interface


def seed_disk(nb, vm_id: int, name: str, size: int, description: str = "") -> Any:
    return nb.virtualization.virtual_disks.create(virtual_machine=vm_id, name=name, size=size, description=description)


def unused_prefix(nb) -> str:
    """A /24 prefix ("10.x.y") that holds no IP address in NetBox yet (NetBox enforces globally unique IPs)."""
    while True:
        x = random.randrange(1, 65536)
        prefix = f"10.{x >> 8}.{x & 255}"
        if nb.ipam.ip_addresses.count(parent=f"{prefix}.0/24") == 0:
            return prefix


def v6(net: str, host: int) -> str:
    """An IPv6 address as unique as ``net``."""
    return "2001:db8:" + net.split(".", 1)[1].replace(".", ":") + f"::{host}/64"
