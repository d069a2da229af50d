"""The planner: a pure function from (NetBox state, Proxmox VE state, policy) to plan changes.

Public API (the contract the engine and the CLI build on):

* ``plan_connection(connection, netbox, proxmox, policy) -> ConnectionPlan`` — pair nodes by name and
  guests by VMID, compare every property through the registry, resolve directions by policy, report
  conflicts; returns the changes of one connection and how many objects are in sync.
* ``build_plan(connection_plans, connection_infos, policy, netmox_version) -> Plan`` — the whole plan.
* ``resolve_policy(config, prefer=, allow_delete=) -> ResolvedPolicy`` — ``[policy]`` plus CLI flags;
  ``.record`` is the ``Policy`` the plan carries.
* ``find_object(state, kind, key) -> Node | Guest | None`` — the object a change is about, on one side.
* ``desired_object(change, netbox, proxmox) -> Node | Guest | None`` — what the target-side object should
  become when the change is applied; ``write_fields(change)`` — the ``WriteRequest.fields`` of an update.
* ``regroup(changes)`` — rebuild mismatch entries after ``apply --interactive`` edited directions.
* ``REGISTRY`` — the property registry (one declaration per synchronizable property).
"""

from netmox_cli.planner.desired import desired_object, write_fields
from netmox_cli.planner.lookup import find_object
from netmox_cli.planner.planner import ConnectionPlan, build_plan, plan_connection
from netmox_cli.planner.policy import Decision, ResolvedPolicy, resolve_policy
from netmox_cli.planner.registry import REGISTRY, Property, Registry
from netmox_cli.planner.regroup import regroup

__all__ = [
    "REGISTRY",
    "ConnectionPlan",
    "Decision",
    "Property",
    "Registry",
    "ResolvedPolicy",
    "build_plan",
    "desired_object",
    "find_object",
    "plan_connection",
    "regroup",
    "resolve_policy",
    "write_fields",
]
