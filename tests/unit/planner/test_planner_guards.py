"""The guards against a partial view: blind sides, empty sides, the orphan grace and the delete limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from planner_builders import by_id, mirrored, plan, px_guest, px_node

from netmox_cli.config.schema import PolicyConfig
from netmox_cli.model.plan import Action
from netmox_cli.planner import plan_connection
from netmox_cli.planner.guards import one_sided

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def lab_with_orphans(orphans: int):
    """Two guests both sides have, plus ``orphans`` guests only Proxmox VE has."""
    nb, px = mirrored(px_node(), px_guest(101), px_guest(102))
    px.guests.extend(px_guest(200 + i) for i in range(orphans))
    return nb, px


def actions(result) -> list[Action]:
    return [c.action for c in result.changes]


class TestDeleteLimit:
    def test_at_the_limit_every_delete_goes_ahead(self):
        nb, px = lab_with_orphans(3)
        assert actions(plan(nb, px, prefer="netbox", allow_delete=True, max_deletes=3)) == [Action.DELETE] * 3

    def test_one_past_the_limit_no_delete_happens_and_the_reason_names_the_knob(self):
        nb, px = lab_with_orphans(4)
        result = plan(nb, px, prefer="netbox", allow_delete=True, max_deletes=3)
        assert actions(result) == [Action.CONFLICT] * 4
        assert result.changes[0].reason == (
            "4 deletes in one run exceed policy.max_deletes = 3; review the plan, then raise max_deletes or pass "
            "--max-deletes 4"
        )

    def test_the_default_limit_is_ten(self):
        nb, px = lab_with_orphans(11)
        assert set(actions(plan(nb, px, prefer="netbox", allow_delete=True))) == {Action.CONFLICT}
        nb, px = lab_with_orphans(10)
        assert set(actions(plan(nb, px, prefer="netbox", allow_delete=True))) == {Action.DELETE}


class TestEmptySide:
    def test_an_empty_proxmox_side_never_deletes_netbox_guests(self):
        _, px = mirrored(px_node())
        nb_only, _ = mirrored(px_node(), px_guest(101), px_guest(102))
        result = plan(nb_only, px, prefer="proxmox", allow_delete=True, max_deletes=100)
        assert actions(result) == [Action.CONFLICT, Action.CONFLICT]
        assert result.changes[0].reason == (
            "not deleted on NetBox: Proxmox VE lists no guests while NetBox has 2; an empty side never deletes the "
            "other's — check the connection"
        )

    def test_creates_towards_an_empty_side_still_happen(self):
        nb, _ = mirrored(px_node(), px_guest(101))
        _, px = mirrored(px_node())
        assert actions(plan(nb, px, prefer="netbox")) == [Action.CREATE]


class TestBlindSide:
    BLIND = "the token cannot see every guest (VM.Audit missing on /vms): a guest it cannot see is not gone"

    def test_a_guest_a_blind_token_does_not_list_is_not_deleted_from_netbox(self):
        nb, px = mirrored(px_node(), px_guest(101), px_guest(102))
        px.guests.pop()
        px.blind_spot = self.BLIND
        change = by_id(plan(nb, px, prefer="proxmox", allow_delete=True))["lab/qemu/102#netbox"]
        assert (change.action, change.reason) == (Action.CONFLICT, f"not deleted on NetBox: {self.BLIND}")

    def test_a_blind_token_creates_no_guest_whose_vmid_may_be_taken(self):
        nb, px = mirrored(px_node(), px_guest(101), px_guest(102))
        px.guests.pop()
        px.blind_spot = self.BLIND
        change = by_id(plan(nb, px, prefer="netbox"))["lab/qemu/102#proxmox"]
        assert change.action is Action.CONFLICT
        assert change.reason.endswith("VMID 102 may belong to a guest it cannot see")


class TestOrphanGrace:
    def plan_at(self, nb, px, now, first_seen):
        policy = PolicyConfig(prefer="netbox", allow_delete=True, delete_after="7d")
        return plan_connection("lab", nb, px, policy, first_seen=first_seen, now=now)

    def test_a_young_orphan_is_ignored_with_the_date_it_becomes_deletable(self):
        nb, px = lab_with_orphans(1)
        result = self.plan_at(nb, px, NOW, {("qemu", "200", "proxmox"): NOW - timedelta(days=2)})
        [change] = result.changes
        assert (change.action, change.reason) == (
            Action.IGNORE,
            "orphan since 2026-11-30 12:00 UTC, deleted after 2026-12-07 12:00 UTC (policy.delete_after = 1w)",
        )

    def test_an_orphan_past_its_grace_is_deleted(self):
        nb, px = lab_with_orphans(1)
        result = self.plan_at(nb, px, NOW, {("qemu", "200", "proxmox"): NOW - timedelta(days=7)})
        assert actions(result) == [Action.DELETE]

    def test_a_first_sighting_starts_the_clock(self):
        nb, px = lab_with_orphans(1)
        assert actions(self.plan_at(nb, px, NOW, {})) == [Action.IGNORE]

    def test_one_sided_objects_are_keyed_by_the_side_that_still_has_them(self):
        nb, px = lab_with_orphans(1)
        nb.nodes.append(px_node("pve9"))
        assert one_sided(nb, px) == {("qemu", "200", "proxmox"), ("node", "pve9", "netbox")}
