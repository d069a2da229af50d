"""Policy resolution: prefer, matrix overrides, per-property directions, deletion and node rules."""

from __future__ import annotations

import pytest

from netmox_cli.config.schema import PolicyConfig
from netmox_cli.errors import ConfigError
from netmox_cli.model.plan import Action, Direction, Issue
from netmox_cli.model.state import ObjectKind, Side
from netmox_cli.planner import resolve_policy
from netmox_cli.planner.policy import MANUAL_NODE_CREATE, MANUAL_NODE_DELETE, NO_PREFERENCE, WOULD_DELETE

QEMU, LXC, NODE = ObjectKind.QEMU, ObjectKind.LXC, ObjectKind.NODE


def test_prefer_netbox_makes_proxmox_follow_netbox():
    policy = resolve_policy(PolicyConfig(prefer="netbox", allow_delete=True))
    assert policy.decide(QEMU, Issue.NETBOX_ONLY).action is Action.CREATE
    assert policy.decide(QEMU, Issue.NETBOX_ONLY).target is Side.PROXMOX
    assert policy.decide(QEMU, Issue.PROXMOX_ONLY).action is Action.DELETE
    assert policy.decide(QEMU, Issue.PROXMOX_ONLY).target is Side.PROXMOX
    assert policy.decide(QEMU, Issue.MISMATCH).target is Side.PROXMOX


def test_prefer_proxmox_is_symmetric():
    policy = resolve_policy(PolicyConfig(prefer="proxmox", allow_delete=True))
    assert (policy.decide(LXC, Issue.PROXMOX_ONLY).action, policy.decide(LXC, Issue.PROXMOX_ONLY).target) == (
        Action.CREATE,
        Side.NETBOX,
    )
    assert (policy.decide(LXC, Issue.NETBOX_ONLY).action, policy.decide(LXC, Issue.NETBOX_ONLY).target) == (
        Action.DELETE,
        Side.NETBOX,
    )
    assert policy.direction(LXC, "memory") == (Direction.PROXMOX_TO_NETBOX, None)


@pytest.mark.parametrize("issue", [Issue.NETBOX_ONLY, Issue.PROXMOX_ONLY, Issue.MISMATCH])
def test_without_a_preferred_side_everything_is_ignored(issue):
    decision = resolve_policy(PolicyConfig()).decide(QEMU, issue)
    assert (decision.action, decision.reason) == (Action.IGNORE, NO_PREFERENCE)
    assert NO_PREFERENCE == "no preferred side: pass --prefer or set policy.prefer"


def test_deletion_is_never_implied():
    decision = resolve_policy(PolicyConfig(prefer="netbox")).decide(QEMU, Issue.PROXMOX_ONLY)
    assert (decision.action, decision.reason) == (Action.IGNORE, WOULD_DELETE)
    assert WOULD_DELETE == "would delete (enable with allow_delete / --allow-delete)"


def test_command_line_flags_override_the_config():
    policy = resolve_policy(PolicyConfig(prefer="proxmox"), prefer=Side.NETBOX, allow_delete=True)
    assert policy.decide(QEMU, Issue.PROXMOX_ONLY).action is Action.DELETE
    assert policy.record.prefer is Side.NETBOX and policy.record.allow_delete


def test_matrix_overrides_a_single_cell():
    policy = resolve_policy(PolicyConfig(prefer="netbox", matrix={"lxc": {"proxmox-only": "update-netbox"}}))
    assert policy.decide(LXC, Issue.PROXMOX_ONLY).action is Action.CREATE
    assert policy.decide(LXC, Issue.PROXMOX_ONLY).target is Side.NETBOX
    assert policy.decide(QEMU, Issue.PROXMOX_ONLY).action is Action.IGNORE  # still the prefer default (delete)


def test_matrix_applies_without_a_preferred_side():
    policy = resolve_policy(PolicyConfig(matrix={"qemu": {"mismatch": "update-netbox"}}))
    assert policy.decide(QEMU, Issue.MISMATCH).target is Side.NETBOX
    assert policy.decide(LXC, Issue.MISMATCH).action is Action.IGNORE


def test_matrix_ignore_says_which_cell_ignored_it():
    policy = resolve_policy(PolicyConfig(prefer="netbox", matrix={"qemu": {"mismatch": "ignore"}}))
    assert policy.direction(QEMU, "memory") == (Direction.SKIP, "policy: matrix.qemu.mismatch = ignore")


def test_per_property_direction_wins_over_prefer():
    policy = resolve_policy(PolicyConfig(prefer="netbox", properties={"status": "proxmox->netbox"}))
    assert policy.direction(QEMU, "status") == (Direction.PROXMOX_TO_NETBOX, None)
    assert policy.direction(QEMU, "memory") == (Direction.NETBOX_TO_PROXMOX, None)


def test_per_property_skip_gives_a_reason():
    policy = resolve_policy(PolicyConfig(prefer="netbox", properties={"tags": "skip"}))
    assert policy.direction(QEMU, "tags") == (Direction.SKIP, "policy: properties.tags = skip")


def test_an_unknown_property_in_the_policy_is_a_config_error():
    with pytest.raises(ConfigError, match=r"policy\.properties: unknown property 'colour'"):
        resolve_policy(PolicyConfig(properties={"colour": "skip"}))


def test_nodes_cannot_be_created_in_proxmox_through_its_api():
    decision = resolve_policy(PolicyConfig(prefer="netbox")).decide(NODE, Issue.NETBOX_ONLY)
    assert (decision.action, decision.target, decision.reason) == (Action.MANUAL, Side.PROXMOX, MANUAL_NODE_CREATE)


def test_nodes_cannot_be_deleted_from_proxmox_through_its_api():
    decision = resolve_policy(PolicyConfig(prefer="netbox", allow_delete=True)).decide(NODE, Issue.PROXMOX_ONLY)
    assert (decision.action, decision.reason) == (Action.MANUAL, MANUAL_NODE_DELETE)


def test_nodes_can_be_created_on_netbox():
    decision = resolve_policy(PolicyConfig(prefer="proxmox")).decide(NODE, Issue.PROXMOX_ONLY)
    assert (decision.action, decision.target) == (Action.CREATE, Side.NETBOX)


def test_the_plan_records_the_resolved_matrix():
    record = resolve_policy(PolicyConfig(prefer="proxmox", matrix={"node": {"netbox-only": "ignore"}})).record
    assert record.matrix["qemu"] == {"netbox-only": "update-netbox", "proxmox-only": "update-netbox",
                                     "mismatch": "update-netbox"}  # fmt: skip
    assert record.matrix["node"]["netbox-only"] == "ignore"
