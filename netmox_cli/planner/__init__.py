"""The planner: a pure function from (NetBox state, Proxmox VE state, policy) to plan changes.

Public API (the contract the engine and the CLI build on):

* ``plan_connection(connection, netbox, proxmox, policy) -> ConnectionPlan`` — pair nodes by name and
  guests by VMID, compare every property through the registry, resolve directions by policy, report
  conflicts; returns the changes of one connection and how many objects are in sync.
* ``find_object(state, kind, key) -> Node | Guest | None`` — the object a change is about, on one side.
* ``desired_object(change, netbox, proxmox) -> Node | Guest`` — what the target-side object should
  become when the change is applied (the source side's values, converted to the target's vocabulary).
* ``REGISTRY`` — the property registry (one declaration per synchronizable property).
"""
