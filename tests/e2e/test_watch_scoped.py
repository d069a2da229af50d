"""The scoped plan of ``netmox watch`` is the full plan restricted to the scope — against the real NetBox
and fakepve, for every object of a cluster with every kind of difference, under several policies.

The scoped reader reads only the scope's guests when that decides the plan, and everything otherwise
(``watch/scoped.py``); both ways the engine plans the scope only. Were a scoped read ever trusted where
the cluster matters (a delete, a rename), these plans would differ.
"""

from __future__ import annotations

import pytest

from netmox_cli.config.loader import load_config
from netmox_cli.config.schema import PolicyConfig
from netmox_cli.engine.planning import Scope, plan_snapshots
from netmox_cli.engine.session import open_providers, take_snapshots
from netmox_cli.model.state import ObjectKind
from netmox_cli.watch.scoped import scoped_reader
from tests.e2e.conftest import Lab
from tests.e2e.seeding import cluster_id, seed_netbox_vm, seed_pve, unused_prefix
from tests.support.fakepve_lab import TOKEN_SECRET, LabPve

pytestmark = [pytest.mark.e2e, pytest.mark.netbox, pytest.mark.fakepve]

POLICIES = {
    "prefer netbox": PolicyConfig(prefer="netbox"),
    "prefer netbox, deletes": PolicyConfig(prefer="netbox", allow_delete=True),
    "prefer proxmox, deletes": PolicyConfig(prefer="proxmox", allow_delete=True),
    "prefer proxmox, deletes, max 0": PolicyConfig(prefer="proxmox", allow_delete=True, max_deletes=0),
}
VMIDS = (100, 101, 102, 150, 200, 201)


@pytest.fixture(scope="module")
def drifted(new_lab, new_pve) -> Lab:
    """A cluster imported into NetBox, then changed on both sides in every way a scope can see."""
    lab: Lab = new_lab("watch-scoped")
    pve: LabPve = new_pve()
    net = unused_prefix(lab.netbox.api())
    seed_pve(pve, net)
    connection = lab.add("lab", pve)
    lab.netmox("apply", "--prefer", "proxmox", "--auto-approve")
    nb = lab.netbox.api()
    in_cluster = {"cluster_id": cluster_id(nb, connection.cluster)}
    nb.virtualization.virtual_machines.get(cf_proxmox_vmid=100, **in_cluster).update({"memory": 4096})  # mismatch
    nb.virtualization.virtual_machines.get(cf_proxmox_vmid=101, **in_cluster).delete()  # Proxmox VE only
    pve.vm(102).name = "build02"  # a rename
    seed_netbox_vm(  # NetBox only
        nb,
        connection.cluster,
        vmid=150,
        kind="qemu",
        name="new150",
        node="pve1",
        vcpus=1,
        memory=1024,
        disk=("scsi0", 4096),
        nic=("net0", "BC:24:11:AA:15:00", [f"{net}.150/24"]),
        tags=[],
    )
    pve.cts.remove(pve.ct(201))  # NetBox only (gone from Proxmox VE)
    return lab


@pytest.mark.parametrize("policy_name", list(POLICIES))
def test_the_scoped_plan_is_the_full_plan_restricted(drifted: Lab, policy_name: str, monkeypatch):
    monkeypatch.setenv("NETBOX_TOKEN", drifted.netbox.token)
    monkeypatch.setenv("PVE_TOKEN_SECRET", TOKEN_SECRET)
    config = load_config(drifted.config)
    policy = POLICIES[policy_name]
    scopes = [[vmid] for vmid in VMIDS] + [[100, 150], list(VMIDS)]
    scoped_only = 0
    with open_providers(config, ["lab"]) as providers:
        full_snapshots = take_snapshots(config, providers)
        for vmids in scopes:
            scope = Scope([("lab", ObjectKind.QEMU, str(vmid)) for vmid in vmids])
            reasons: list[str] = []
            read = scoped_reader(config, policy, scope, reasons.append)
            scoped = plan_snapshots(read(providers, None), policy, scope=scope)
            full = plan_snapshots(full_snapshots, policy, scope=scope)
            assert [c.model_dump() for c in scoped.changes] == [c.model_dump() for c in full.changes], vmids
            if not reasons and scoped.changes:
                scoped_only += 1
    assert scoped_only >= 1  # some scope was planned from the scoped read alone, with changes in it
