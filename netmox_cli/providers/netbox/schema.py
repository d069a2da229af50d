"""What netmox adds to a NetBox: custom fields on virtual machines (NetBox has no place for the VMID, the guest
type, LXC swap and the QEMU CPU type), one on virtual disks (the Proxmox VE storage) and, for the connection's
cluster, the cluster itself. Created by `netmox init`, idempotently, so nobody has to click them together by
hand."""

from __future__ import annotations

from typing import Any

from netmox_cli.planner.bounds import PVE_CPU_TYPE
from netmox_cli.providers.netbox.client import NetboxClient

VM_OBJECT_TYPE = "virtualization.virtualmachine"
DISK_OBJECT_TYPE = "virtualization.virtualdisk"
CF_VMID = "proxmox_vmid"
CF_TYPE = "proxmox_type"
CF_SWAP = "proxmox_swap_mb"
CF_STORAGE = "proxmox_storage"
CF_CPU_TYPE = "proxmox_cpu_type"
CLUSTER_TYPE = "Proxmox VE"
CLUSTER_TYPE_SLUG = "proxmox-ve"
GROUP = "Proxmox VE"

CUSTOM_FIELDS: dict[str, dict[str, Any]] = {
    CF_VMID: {
        "type": "integer",
        "label": "Proxmox VMID",
        "description": "Proxmox VE guest id; netmox matches VMs by it (managed by netmox)",
        "validation_minimum": 1,
    },
    CF_TYPE: {
        "type": "text",
        "label": "Proxmox guest type",
        "description": "qemu (virtual machine) or lxc (container) (managed by netmox)",
        "validation_regex": "^(qemu|lxc)$",
    },
    CF_SWAP: {
        "type": "integer",
        "label": "Proxmox swap (MB)",
        "description": "LXC container swap in MiB (managed by netmox)",
        "validation_minimum": 0,
    },
    CF_CPU_TYPE: {
        "type": "text",
        "label": "Proxmox CPU type",
        "description": "QEMU emulated CPU model (x86-64-v2-AES, host, custom-<name> …); blank: filled in by netmox",
        "validation_regex": PVE_CPU_TYPE.pattern,
    },
    CF_STORAGE: {
        "object_type": DISK_OBJECT_TYPE,
        "type": "text",
        "label": "Proxmox storage",
        "description": "Proxmox VE storage id of the disk (local-lvm, ceph-pool …); filled in by netmox",
    },
}
OBJECT_NAMES = {VM_OBJECT_TYPE: "virtual machines", DISK_OBJECT_TYPE: "virtual disks"}


def object_type(name: str) -> str:
    """The NetBox object type custom field ``name`` is enabled on (virtual machines unless it says)."""
    return CUSTOM_FIELDS[name].get("object_type", VM_OBJECT_TYPE)


def missing_custom_fields(client: NetboxClient) -> list[str]:
    """Names of netmox's custom fields that are absent or not enabled on their object type (one request)."""
    with client.guard("custom fields"):
        present = {
            cf.name: list(cf.object_types or [])
            for cf in client.api.extras.custom_fields.filter(name=list(CUSTOM_FIELDS), limit=len(CUSTOM_FIELDS))
        }
    return [name for name in CUSTOM_FIELDS if object_type(name) not in present.get(name, [])]


def initialize(client: NetboxClient, cluster: str) -> list[str]:
    """Create whatever netmox needs and is missing; return one line per thing done (empty: nothing to do)."""
    done: list[str] = []
    with client.guard("custom fields"):
        existing = {cf.name: cf for cf in client.api.extras.custom_fields.filter(name=list(CUSTOM_FIELDS))}
        for name, spec in CUSTOM_FIELDS.items():
            field, kind = existing.get(name), object_type(name)
            if field is None:
                attributes = {key: value for key, value in spec.items() if key != "object_type"}
                client.api.extras.custom_fields.create(
                    name=name, object_types=[kind], group_name=GROUP, required=False, **attributes
                )
                done.append(f"created custom field {name} on {OBJECT_NAMES[kind]}")
            elif kind not in (field.object_types or []):
                field.update({"object_types": [*field.object_types, kind]})
                done.append(f"enabled custom field {name} on {OBJECT_NAMES[kind]}")
    with client.guard(f"cluster {cluster}"):
        if client.api.virtualization.clusters.get(name=cluster) is None:
            cluster_type = client.api.virtualization.cluster_types.get(slug=CLUSTER_TYPE_SLUG)
            if cluster_type is None:
                cluster_type = client.api.virtualization.cluster_types.create(name=CLUSTER_TYPE, slug=CLUSTER_TYPE_SLUG)
                done.append(f"created cluster type {CLUSTER_TYPE}")
            client.api.virtualization.clusters.create(name=cluster, type=cluster_type.id, status="active")
            done.append(f"created cluster {cluster}")
    return done
