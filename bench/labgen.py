"""Generate a benchmark lab: one cluster as NetBox and as Proxmox VE see it, with a known amount of drift.

The two sides start identical (each in its own vocabulary: statuses are ``active``/``offline`` on
NetBox and ``running``/``stopped`` on Proxmox VE), then a seeded
random choice of guests is made to disagree in exactly one property, and a few guests are left on one
side only. Everything follows from ``LabSpec`` (same spec, same lab), so runs can be compared.
"""

from __future__ import annotations

import argparse
import ipaddress
import random
from dataclasses import dataclass, field
from pathlib import Path

from netmox_cli.model.state import ClusterState, Disk, Guest, Interface, Node, Side

FIRST_VMID = 100
TAG_POOL = ("prod", "dev", "web", "db", "backup", "k8s", "monitoring", "edge", "dmz", "ci")
QEMU_OSTYPES = ("l26", "l26", "l26", "win11", "other")
LXC_OSTYPES = ("debian", "ubuntu", "alpine")
VCPUS = (1, 2, 2, 4, 4, 8)
MEMORY_MIB = (512, 1024, 2048, 4096, 8192)
DISK_GIB = (8, 16, 32, 64, 128)
# The properties a drifted guest differs in (one each); "disks" grows the first disk on NetBox.
DRIFT_PROPERTIES = ("description", "memory", "vcpus", "tags", "status", "start_on_boot", "disks", "name")
NETBOX_STATUS = {"running": "active", "stopped": "offline"}
# fakepve does not store node descriptions and answers this text for every node; the lab agrees with it.
NODE_DESCRIPTION = "Example description"


@dataclass(frozen=True)
class LabSpec:
    """What to generate; the defaults are the benchmark's (5 % drift, 1 % one-sided)."""

    guests: int
    nodes: int | None = None  # None: between 3 and 20, growing with the guest count
    drift: float = 0.05
    one_sided: float = 0.01
    lxc_share: float = 0.3
    running_share: float = 0.8
    seed: int = 1
    cluster: str = "bench"
    network: int = 0  # guests get addresses in 10.<network>.0.0/16 (distinct labs may share one NetBox)

    @property
    def node_count(self) -> int:
        return self.nodes if self.nodes is not None else max(3, min(20, self.guests // 100))


@dataclass
class Lab:
    """Both sides of the generated cluster, and the drift that was put in (for checking a plan)."""

    spec: LabSpec
    netbox: ClusterState
    proxmox: ClusterState
    drifted: dict[int, str] = field(default_factory=dict)  # vmid -> the property that differs
    netbox_only: list[int] = field(default_factory=list)
    proxmox_only: list[int] = field(default_factory=list)

    @property
    def node_names(self) -> list[str]:
        return [node.name for node in self.proxmox.nodes]


def node_name(index: int) -> str:
    return f"pve{index + 1:02d}"


def mac_for(vmid: int) -> str:
    """A stable, unique MAC in Proxmox VE's own prefix (BC:24:11)."""
    return f"BC:24:11:{(vmid >> 16) & 255:02X}:{(vmid >> 8) & 255:02X}:{vmid & 255:02X}"


def ip_for(index: int, network: int = 0) -> str:
    """A unique address per guest in 10.<network>.0.0/16 (10,000 guests fit in one /16)."""
    address = ipaddress.IPv4Address(f"10.{network}.0.10") + index
    return f"{address}/16"


def proxmox_guest(index: int, rng: random.Random, nodes: list[str], spec: LabSpec) -> Guest:
    """One guest as Proxmox VE reports it."""
    vmid = FIRST_VMID + index
    kind = "lxc" if rng.random() < spec.lxc_share else "qemu"
    size_mib = rng.choice(DISK_GIB) * 1024
    disk = Disk(name="rootfs", size_mib=size_mib, storage="local-lvm")
    if kind == "qemu":
        disk = Disk(name="scsi0", size_mib=size_mib, storage="local-lvm")
    tags = sorted(rng.sample(TAG_POOL, rng.randint(1, 3)))
    role = rng.choice(("web", "db", "cache", "worker", "proxy"))
    return Guest(
        vmid=vmid,
        kind=kind,
        name=f"{role}-{vmid}" if kind == "qemu" else f"ct-{role}-{vmid}",
        node=nodes[index % len(nodes)],
        description=f"{role} server #{index} (netmox bench lab, seed {spec.seed})",
        status="running" if rng.random() < spec.running_share else "stopped",
        vcpus=float(rng.choice(VCPUS)),
        memory_mib=rng.choice(MEMORY_MIB),
        swap_mib=512 if kind == "lxc" else None,
        disks=[disk],
        interfaces=[Interface(name="net0", mac=mac_for(vmid), bridge="vmbr0", ips=[ip_for(index, spec.network)])],
        tags=tags,
        ostype=rng.choice(QEMU_OSTYPES if kind == "qemu" else LXC_OSTYPES),
        start_on_boot=rng.random() < 0.7,
    )


def netbox_view(guest: Guest) -> Guest:
    """The same guest as netmox records it in NetBox: only the status is in NetBox's own vocabulary.

    (The bridge and the disk storage are kept: netmox stores them in the objects' descriptions.)
    """
    return guest.model_copy(update={"status": NETBOX_STATUS.get(guest.status or "", guest.status)}, deep=True)


def drift(guest: Guest, prop: str) -> None:
    """Make the NetBox copy of ``guest`` differ in ``prop`` (in place)."""
    if prop == "description":
        guest.description = (guest.description or "") + " (edited in NetBox)"
    elif prop == "memory":
        guest.memory_mib = (guest.memory_mib or 512) * 2
    elif prop == "vcpus":
        guest.vcpus = (guest.vcpus or 1) + 1
    elif prop == "tags":
        guest.tags = sorted({*guest.tags, "drifted"})
    elif prop == "status":
        guest.status = "offline" if guest.status == "active" else "active"
    elif prop == "start_on_boot":
        guest.start_on_boot = not guest.start_on_boot
    elif prop == "disks":
        guest.disks = [guest.disks[0].model_copy(update={"size_mib": (guest.disks[0].size_mib or 0) + 1024})]
    elif prop == "name":
        guest.name = f"{guest.name}-old"
    else:
        raise ValueError(f"no drift rule for {prop}")


def generate(spec: LabSpec) -> Lab:
    """Build the lab described by ``spec`` (deterministic)."""
    rng = random.Random(spec.seed)
    names = [node_name(i) for i in range(spec.node_count)]
    proxmox_nodes = [Node(name=name, status="online", description=NODE_DESCRIPTION) for name in names]
    netbox_nodes = [Node(name=name, status="active", description=NODE_DESCRIPTION) for name in names]
    proxmox_guests = [proxmox_guest(i, rng, names, spec) for i in range(spec.guests)]
    netbox_guests = [netbox_view(g) for g in proxmox_guests]

    order = list(range(spec.guests))
    rng.shuffle(order)
    one_sided = round(spec.guests * spec.one_sided)
    drifted_count = round(spec.guests * spec.drift)
    netbox_only = set(order[: one_sided // 2])
    proxmox_only = set(order[one_sided // 2 : one_sided])
    lab = Lab(spec=spec, netbox=ClusterState(side=Side.NETBOX), proxmox=ClusterState(side=Side.PROXMOX))
    for position in order[one_sided : one_sided + drifted_count]:
        prop = rng.choice(DRIFT_PROPERTIES)
        drift(netbox_guests[position], prop)
        lab.drifted[netbox_guests[position].vmid] = prop
    lab.netbox_only = sorted(FIRST_VMID + i for i in netbox_only)
    lab.proxmox_only = sorted(FIRST_VMID + i for i in proxmox_only)
    lab.netbox = ClusterState(
        side=Side.NETBOX,
        name=spec.cluster,
        nodes=netbox_nodes,
        guests=[g for i, g in enumerate(netbox_guests) if i not in proxmox_only],
    )
    lab.proxmox = ClusterState(
        side=Side.PROXMOX,
        name=spec.cluster,
        nodes=proxmox_nodes,
        guests=[g for i, g in enumerate(proxmox_guests) if i not in netbox_only],
    )
    return lab


def main(argv: list[str] | None = None) -> None:
    """Write a lab as two snapshot files (for a look at the data, or `netmox plan` on files)."""
    from netmox_cli.providers.file import write_snapshot

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("guests", type=int)
    parser.add_argument("--out", type=Path, default=Path("bench/.work/lab"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    lab = generate(LabSpec(guests=args.guests, seed=args.seed))
    write_snapshot(lab.netbox, args.out / "netbox.json")
    write_snapshot(lab.proxmox, args.out / "proxmox.json")
    print(
        f"{args.guests} guests on {len(lab.node_names)} nodes: {len(lab.drifted)} drifted, "
        f"{len(lab.netbox_only)} NetBox-only, {len(lab.proxmox_only)} Proxmox-only -> {args.out}"
    )


if __name__ == "__main__":
    main()
