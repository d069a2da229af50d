"""The CPU-type property (``cpu``, QEMU only), end to end through its one declaration and its two handlers.

It is the proof that a property takes one declaration in ``planner/registry.py``, one handler per provider
(``providers/proxmox/properties.py``, ``providers/netbox/mapping.py``) and a custom field ``netmox init``
creates: these tests walk each of those parts.
"""

from __future__ import annotations

import pytest
from planner_builders import mirrored, only, plan, px_guest, px_node

from netmox_cli.config.schema import PolicyConfig, ProxmoxDefaults
from netmox_cli.model.plan import Action, Direction
from netmox_cli.model.state import Guest, ObjectKind, Side
from netmox_cli.planner import REGISTRY, resolve_policy
from netmox_cli.planner.planner import gap_fills
from netmox_cli.planner.policy import fillable_gaps
from netmox_cli.providers.netbox.mapping import PlatformTable, guest_from_vm, vm_custom_fields, vm_payload
from netmox_cli.providers.netbox.schema import CF_CPU_TYPE, CUSTOM_FIELDS
from netmox_cli.providers.proxmox.properties import create_params, guest_from_config, update_change
from netmox_cli.render.values import property_lines

CPU = REGISTRY.get("cpu", ObjectKind.QEMU)
ROW = {"type": "qemu", "vmid": 101, "node": "pve1", "name": "vm101", "status": "running"}


def documented(cpu_type: str | None, *, on_proxmox: str = "x86-64-v2-AES"):
    nb, px = mirrored(px_node(), px_guest(101, cpu_type=on_proxmox))
    nb.guests[0].cpu_type = cpu_type
    return nb, px


class TestDeclaration:
    def test_cpu_is_a_qemu_property_held_in_cpu_type(self):
        assert CPU.attribute == "cpu_type"
        with pytest.raises(KeyError):
            REGISTRY.get("cpu", ObjectKind.LXC)

    def test_a_netbox_blank_is_unknown_not_a_value(self):
        assert CPU.equal(None, "host")
        assert CPU.equal("host", "host")
        assert not CPU.equal("host", "kvm64")

    def test_proxmox_refuses_anything_but_one_model_name(self):
        assert CPU.cannot_write("x86-64-v2-AES", Side.PROXMOX) is None
        assert CPU.cannot_write("custom-fast", Side.PROXMOX) is None
        assert CPU.cannot_write("Opteron_G5", Side.PROXMOX) is None
        reason = CPU.cannot_write("host,hidden=1", Side.PROXMOX)
        assert reason == (
            "cannot apply: CPU type 'host,hidden=1' is not a Proxmox VE CPU model name "
            "(e.g. x86-64-v2-AES, host, custom-<name>)"
        )

    def test_it_is_a_gap_named_by_the_property_alone_and_off_by_default(self):
        assert "cpu" in fillable_gaps()
        assert "cpu" not in PolicyConfig().fill_gaps
        assert resolve_policy(PolicyConfig(fill_gaps=["cpu"])).gap_fields("cpu") == ("",)


class TestPlanning:
    def test_netbox_documents_a_model_and_prefer_netbox_writes_it(self):
        change = only(plan(*documented("host"), prefer="netbox"))
        assert (change.action, change.target) == (Action.UPDATE, Side.PROXMOX)
        [prop] = change.properties
        assert (prop.name, prop.netbox, prop.proxmox, prop.after) == ("cpu", "host", "x86-64-v2-AES", "host")
        assert property_lines(change, prop) == ["cpu: x86-64-v2-AES → host (NetBox → Proxmox VE)"]

    def test_proxmox_changed_model_and_prefer_proxmox_documents_it(self):
        change = only(plan(*documented("kvm64"), prefer="proxmox"))
        assert (change.action, change.target) == (Action.UPDATE, Side.NETBOX)
        assert change.properties[0].after == "x86-64-v2-AES"

    @pytest.mark.parametrize("prefer", ["netbox", "proxmox"])
    def test_a_blank_is_in_sync_unless_cpu_is_a_fill_gap(self, prefer):
        assert plan(*documented(None), prefer=prefer).changes == []
        change = only(plan(*documented(None), prefer=prefer, fill_gaps=["cpu"]))
        assert (change.action, change.target) == (Action.UPDATE, Side.NETBOX)
        [prop] = change.properties
        assert prop.fill and (prop.direction, prop.after) == (Direction.PROXMOX_TO_NETBOX, "x86-64-v2-AES")
        assert property_lines(change, prop) == ["cpu: + fill x86-64-v2-AES"]

    def test_a_model_netbox_cannot_push_is_skipped_with_the_reason(self):
        change = only(plan(*documented("host,hidden=1"), prefer="netbox"))
        [prop] = change.properties
        assert prop.direction is Direction.SKIP and "not a Proxmox VE CPU model name" in (prop.reason or "")

    def test_after_a_create_the_model_proxmox_chose_is_filled(self):
        nb, px = documented(None, on_proxmox="kvm64")
        [fill] = gap_fills(nb.guests[0], px.guests[0], ["cpu"])
        assert (fill.name, fill.after) == ("cpu", "kvm64")


class TestProxmoxHandlers:
    @pytest.mark.parametrize(
        ("cpu", "model"),
        [(None, "kvm64"), ("host", "host"), ("cputype=x86-64-v2-AES,flags=+aes", "x86-64-v2-AES"),
         ("flags=+pcid,cputype=custom-fast", "custom-fast"), ("EPYC-Rome,hidden=1", "EPYC-Rome")],
    )  # fmt: skip
    def test_read_takes_the_model_of_the_cpu_option(self, cpu, model):
        config = {"name": "vm101"} if cpu is None else {"name": "vm101", "cpu": cpu}
        assert guest_from_config(ROW, config).cpu_type == model

    def test_an_lxc_container_has_none(self):
        row = {**ROW, "type": "lxc"}
        assert guest_from_config(row, {"hostname": "ct101", "cpu": "ignored"}).cpu_type is None

    def test_create_sets_the_documented_model_or_leaves_proxmox_default(self):
        defaults = ProxmoxDefaults()
        assert create_params("qemu", Guest(vmid=101, kind="qemu", cpu_type="host"), defaults)["cpu"] == "host"
        assert "cpu" not in create_params("qemu", Guest(vmid=101, kind="qemu"), defaults)

    def test_update_replaces_the_model_and_keeps_the_other_options(self):
        raw = {"cpu": "cputype=kvm64,flags=+aes;+pcid,hidden=1"}
        current = guest_from_config(ROW, raw)
        desired = current.model_copy(update={"cpu_type": "x86-64-v2-AES"})
        change = update_change("qemu", raw, current, desired, {"cpu"}, ProxmoxDefaults())
        assert change.values == {"cpu": "x86-64-v2-AES,flags=+aes;+pcid,hidden=1"}
        assert change.deletes == []

    def test_update_to_the_model_already_there_writes_nothing(self):
        current = guest_from_config(ROW, {})
        desired = current.model_copy(update={"cpu_type": "kvm64"})
        assert update_change("qemu", {}, current, desired, {"cpu"}, ProxmoxDefaults()).values == {}


class TestNetboxHandlers:
    def vm(self, **custom):
        return {"id": 7, "name": "vm101", "custom_fields": {"proxmox_vmid": 101, "proxmox_type": "qemu", **custom}}

    def test_read_from_the_custom_field_blank_is_unknown(self):
        assert guest_from_vm(self.vm(proxmox_cpu_type="host"), PlatformTable()).cpu_type == "host"
        assert guest_from_vm(self.vm(proxmox_cpu_type=""), PlatformTable()).cpu_type is None
        assert guest_from_vm(self.vm(), PlatformTable()).cpu_type is None

    def test_write_sets_the_custom_field_beside_the_others(self):
        guest = Guest(vmid=101, kind="qemu", cpu_type="host", memory_mib=1024)
        assert vm_payload(guest, ["memory", "cpu"]) == {"memory": 1024, "custom_fields": {CF_CPU_TYPE: "host"}}
        assert vm_custom_fields(guest)[CF_CPU_TYPE] == "host"

    def test_netbox_init_creates_the_field_with_proxmoxs_name_pattern(self):
        spec = CUSTOM_FIELDS[CF_CPU_TYPE]
        assert (CF_CPU_TYPE, spec["type"]) == ("proxmox_cpu_type", "text")
        assert spec["validation_regex"] == r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
