"""The common state model: one cluster as one side (NetBox or Proxmox VE) sees it.

Providers translate their API's objects into these types at the edge, so that the planner compares
like with like. Units are fixed (memory, swap and disk sizes in MiB); a value a side does not know is
``None`` and is never guessed. Status values stay in each side's own wire vocabulary (NetBox
``active``/``offline``/``planned``…, Proxmox VE ``running``/``stopped``/``online``…): the property
registry knows which values are equivalent.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Side(StrEnum):
    """The two systems netmox keeps in agreement."""

    NETBOX = "netbox"
    PROXMOX = "proxmox"

    @property
    def label(self) -> str:
        return "NetBox" if self is Side.NETBOX else "Proxmox VE"

    @property
    def other(self) -> Side:
        return Side.PROXMOX if self is Side.NETBOX else Side.NETBOX


class ObjectKind(StrEnum):
    """What a plan entry is about."""

    NODE = "node"
    QEMU = "qemu"
    LXC = "lxc"


GuestKind = Literal["qemu", "lxc"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, validate_assignment=True)


class Interface(_Record):
    """A guest network interface, keyed by its Proxmox name (``net0``, ``net1`` …)."""

    name: str
    mac: str | None = None
    bridge: str | None = None
    vlan: int | None = None
    # None: the side does not know the addresses (agent down); [] means "known to have none".
    ips: list[str] | None = None
    # The name inside the guest (LXC ``name=eth0``); informative, not compared.
    guest_name: str | None = None

    @field_validator("mac")
    @classmethod
    def _upper_mac(cls, value: str | None) -> str | None:
        return value.upper() if value else None

    @field_validator("ips")
    @classmethod
    def _sorted_ips(cls, value: list[str] | None) -> list[str] | None:
        return sorted(set(value)) if value is not None else None


class Disk(_Record):
    """A guest disk, keyed by its Proxmox name (``scsi0``, ``virtio1``, ``rootfs``, ``mp0`` …)."""

    name: str
    size_mib: int | None = None
    storage: str | None = None


class Guest(_Record):
    """A QEMU virtual machine or an LXC container, identified cluster-wide by its VMID."""

    vmid: int = Field(ge=1)
    kind: GuestKind
    name: str | None = None
    node: str | None = None
    description: str | None = None
    status: str | None = None
    vcpus: float | None = Field(default=None, allow_inf_nan=False)  # inf/NaN from a snapshot file: refused
    memory_mib: int | None = None
    swap_mib: int | None = None  # LXC only
    disks: list[Disk] = Field(default_factory=list)
    interfaces: list[Interface] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    ostype: str | None = None  # Proxmox VE vocabulary (l26, win11, debian …); NetBox maps platforms to it
    cpu_type: str | None = None  # QEMU only: the emulated CPU model (kvm64, host, x86-64-v2-AES …)
    start_on_boot: bool | None = None
    template: bool = False
    protected: bool = False
    # True when only a summary of the guest could be read (its Proxmox VE node is offline): its
    # properties are unknown, so the planner compares nothing and changes nothing for it.
    incomplete: bool = False
    # Why it is incomplete, for the plan ("node pve2 is offline: …", "its config could not be read: …").
    incomplete_reason: str | None = None
    # Opaque version marker of the object on its side (Proxmox config digest, NetBox last_updated).
    # Not a property: it only feeds the plan's staleness basis.
    revision: str | None = None
    # The side's own identifier (NetBox object id); stored, never compared.
    remote_id: int | None = None

    @field_validator("tags")
    @classmethod
    def _sorted_tags(cls, value: list[str]) -> list[str]:
        return sorted(set(value))

    def interface(self, name: str) -> Interface | None:
        return next((i for i in self.interfaces if i.name == name), None)

    def disk(self, name: str) -> Disk | None:
        return next((d for d in self.disks if d.name == name), None)


class Node(_Record):
    """A Proxmox VE node; on NetBox, a device assigned to the cluster."""

    name: str
    status: str | None = None
    description: str | None = None
    revision: str | None = None
    remote_id: int | None = None


class ClusterState(_Record):
    """Everything one side knows about one cluster at one moment."""

    side: Side
    name: str | None = None
    nodes: list[Node] = Field(default_factory=list)
    guests: list[Guest] = Field(default_factory=list)
    # Free-form facts about the snapshot (API version, quorum …), shown by `check`, never compared.
    meta: dict[str, str] = Field(default_factory=dict)
    # What this side is, so a saved plan is applied only to the target it was made against
    # ("NetBox https://nb.example.com cluster 12", "Proxmox VE cluster pve-prod at https://pve1:8006",
    # "file /abs/path/proxmox.json"). Never contains credentials.
    identity: str | None = None
    # Why this side may not list every object it has (a Proxmox VE token without VM.Audit on /vms sees
    # a filtered guest list); None when it sees everything. The planner then never reads an absent
    # object as gone: no deletes on the other side, no creates that could collide with unseen ones.
    blind_spot: str | None = None

    def node(self, name: str) -> Node | None:
        return next((n for n in self.nodes if n.name == name), None)

    def guests_by_vmid(self) -> dict[int, list[Guest]]:
        """Guests grouped by VMID; a list longer than one is a conflict the planner reports."""
        grouped: dict[int, list[Guest]] = {}
        for guest in self.guests:
            grouped.setdefault(guest.vmid, []).append(guest)
        return grouped
