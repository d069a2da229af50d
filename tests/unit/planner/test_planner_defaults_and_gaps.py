"""NetBox defaults are not intent; gaps NetBox leaves blank are filled (issue 11, points 1 and 2).

Declaration-driven: ``Property.netbox_default`` names the NetBox value that is only NetBox's default,
``Property.gaps`` the entry fields NetBox may leave blank that Proxmox VE fills in.
"""

from __future__ import annotations

import pytest
from planner_builders import by_id, mirrored, only, plan, px_guest, px_node

from netmox_cli.config.schema import PolicyConfig
from netmox_cli.errors import ConfigError
from netmox_cli.model.plan import Action, Direction, Plan
from netmox_cli.model.state import Interface, Side
from netmox_cli.planner import REGISTRY, regroup, resolve_policy
from netmox_cli.planner.planner import gap_fills
from netmox_cli.planner.policy import recorded_policy
from netmox_cli.render.values import property_lines

DEFAULT_REASON = (
    "NetBox's start_on_boot is off, its default for VMs that never set it; "
    "set policy.properties.start_on_boot to push it"
)


def autostarting_guest_documented_off():
    nb, px = mirrored(px_node(), px_guest(101, start_on_boot=True))
    nb.guests[0].start_on_boot = False  # NetBox 4.x's default for a VM that never set it
    return nb, px


class TestStartOnBootDefault:
    def test_the_declaration_names_off_as_netboxs_default(self):
        prop = REGISTRY.get("start_on_boot", px_guest().kind)
        assert prop.netbox_default is not None and prop.netbox_default.value is False
        assert prop.default_only(False) == DEFAULT_REASON
        assert prop.default_only(True) is None and prop.default_only(None) is None

    def test_netbox_off_is_not_pushed_under_prefer_netbox_and_says_why(self):
        nb, px = autostarting_guest_documented_off()
        change = only(plan(nb, px, prefer="netbox"))
        assert change.action is Action.IGNORE
        [prop] = change.properties
        assert (prop.name, prop.netbox, prop.proxmox, prop.direction, prop.after) == (
            "start_on_boot",
            False,
            True,
            Direction.SKIP,
            None,
        )
        assert prop.reason == DEFAULT_REASON

    def test_an_explicit_policy_pushes_off(self):
        nb, px = autostarting_guest_documented_off()
        change = only(plan(nb, px, prefer="netbox", properties={"start_on_boot": "netbox->proxmox"}))
        assert (change.action, change.target) == (Action.UPDATE, Side.PROXMOX)
        [prop] = change.properties
        assert (prop.direction, prop.after, prop.reason) == (Direction.NETBOX_TO_PROXMOX, False, None)

    def test_a_matrix_cell_is_not_an_explicit_choice_of_the_property(self):
        nb, px = autostarting_guest_documented_off()
        change = only(plan(nb, px, matrix={"qemu": {"mismatch": "update-proxmox"}}))
        assert change.action is Action.IGNORE and change.properties[0].reason == DEFAULT_REASON

    def test_on_is_pushed_as_before(self):
        nb, px = mirrored(px_node(), px_guest(101, start_on_boot=False))
        nb.guests[0].start_on_boot = True
        change = only(plan(nb, px, prefer="netbox"))
        assert (change.target, change.properties[0].after) == (Side.PROXMOX, True)

    def test_proxmox_to_netbox_is_unchanged(self):
        nb, px = autostarting_guest_documented_off()
        change = only(plan(nb, px, prefer="proxmox"))
        assert (change.target, change.properties[0].direction, change.properties[0].after) == (
            Side.NETBOX,
            Direction.PROXMOX_TO_NETBOX,
            True,
        )

    def test_a_create_on_proxmox_still_carries_netboxs_value(self):
        nb, px = autostarting_guest_documented_off()
        px.guests = []
        change = by_id(plan(nb, px, prefer="netbox"))["lab/qemu/101#proxmox"]
        assert change.action is Action.CREATE
        assert next(p for p in change.properties if p.name == "start_on_boot").after is False

    def test_only_start_on_boot_declares_a_netbox_default(self):
        # status (NetBox's default "active" is what every documented running VM says), interfaces and the
        # custom fields are documentation: decided in docs/mapping.md ("NetBox defaults").
        assert sorted({p.name for p in REGISTRY if p.netbox_default is not None}) == ["start_on_boot"]


def guest_documented_without_mac():
    nb, px = mirrored(px_node(), px_guest(101))
    nb.guests[0].interfaces = [Interface(name="net0", mac=None, vlan=10, ips=["10.0.0.5/24"])]
    return nb, px


class TestGaps:
    @pytest.mark.parametrize("prefer", ["netbox", "proxmox", None])
    def test_a_generated_mac_is_filled_into_netbox_whatever_the_preference(self, prefer):
        nb, px = guest_documented_without_mac()
        change = only(plan(nb, px, prefer=prefer))
        assert (change.action, change.target) == (Action.UPDATE, Side.NETBOX)
        [prop] = change.properties
        assert prop.fill and prop.direction is Direction.PROXMOX_TO_NETBOX
        # after is NetBox's own entries with the blank filled, nothing else of Proxmox VE's
        assert prop.after == [
            {"name": "net0", "mac": "BC:24:11:00:00:01", "bridge": None, "vlan": 10, "ips": ["10.0.0.5/24"],
             "guest_name": None}
        ]  # fmt: skip

    def test_the_fill_is_one_line_in_the_text_view(self):
        nb, px = guest_documented_without_mac()
        change = only(plan(nb, px, prefer="netbox"))
        assert property_lines(change, change.properties[0]) == ["interfaces: + fill net0 mac BC:24:11:00:00:01"]

    def test_fill_gaps_empty_turns_filling_off(self):
        nb, px = guest_documented_without_mac()
        result = plan(nb, px, prefer="netbox", fill_gaps=[])
        assert result.changes == [] and result.in_sync == 2

    def test_a_property_set_to_skip_is_not_filled(self):
        nb, px = guest_documented_without_mac()
        assert plan(nb, px, prefer="netbox", properties={"interfaces": "skip"}).changes == []

    def test_a_mac_netbox_documents_is_never_overwritten_by_a_fill(self):
        nb, px = mirrored(px_node(), px_guest(101))
        nb.guests[0].interfaces[0].mac = "BC:24:11:00:00:99"
        change = only(plan(nb, px, prefer="netbox"))
        assert change.target is Side.PROXMOX and not change.properties[0].fill

    def test_the_default_fills_macs_and_disk_storage_and_an_unknown_gap_is_a_config_error(self):
        assert PolicyConfig().fill_gaps == ["interfaces.mac", "disks.storage"]
        with pytest.raises(ConfigError, match=r"policy\.fill_gaps"):
            resolve_policy(PolicyConfig(fill_gaps=["memory.size"]))

    @pytest.mark.parametrize("prefer", ["netbox", "proxmox"])
    def test_a_disk_storage_netbox_leaves_blank_is_filled_whatever_the_preference(self, prefer):
        nb, px = mirrored(px_node(), px_guest(101))
        nb.guests[0].disks[0].storage = None  # documented before NetBox had a place for it
        change = only(plan(nb, px, prefer=prefer))
        assert (change.action, change.target) == (Action.UPDATE, Side.NETBOX)
        [prop] = change.properties
        assert prop.fill and prop.after == [{"name": "scsi0", "size_mib": 32768, "storage": "local-lvm"}]
        assert property_lines(change, prop) == ["disks: + fill scsi0 storage local-lvm"]
        assert plan(nb, px, prefer=prefer, fill_gaps=["interfaces.mac"]).changes == []

    def test_a_saved_plan_re_derives_with_its_recorded_fill_gaps(self):
        record = resolve_policy(PolicyConfig(prefer="netbox", fill_gaps=[])).record
        saved = Plan.model_validate_json(Plan(netmox_version="x", policy=record).model_dump_json())
        assert recorded_policy(saved.policy, PolicyConfig()).fill_gaps == []

    def test_gap_fills_after_a_create_fill_what_proxmox_generated(self):
        nb, px = guest_documented_without_mac()
        [fill] = gap_fills(nb.guests[0], px.guests[0], ["interfaces.mac"])
        assert fill.fill and fill.after[0]["mac"] == "BC:24:11:00:00:01"
        assert gap_fills(nb.guests[0], px.guests[0], []) == []

    def test_a_fill_turned_round_in_interactive_apply_is_an_ordinary_write(self):
        nb, px = guest_documented_without_mac()
        change = only(plan(nb, px, prefer="netbox"))
        kept = regroup([change])
        assert kept[0].properties[0].fill and kept[0].target is Side.NETBOX
        turned = change.model_copy(deep=True)
        turned.properties[0].direction = Direction.NETBOX_TO_PROXMOX
        [again] = regroup([turned])
        assert again.target is Side.PROXMOX and not again.properties[0].fill
