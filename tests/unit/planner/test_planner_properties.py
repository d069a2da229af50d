"""Property-based tests: the planner's fixpoints.

* Planning a state against itself (same objects on both sides, each in its own vocabulary, lists in
  any order) yields no changes, whatever the policy.
* Applying every change of a plan whose every direction is chosen (in memory, through
  ``desired_object``) and planning again yields nothing more to write — except a property that a
  create could not write (e.g. a disk without a size): the new object holds the target's default,
  and a per-property direction pointing back then rightly syncs that default to the other side.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from planner_builders import netbox_twin

from netmox_cli.config.schema import PolicyConfig
from netmox_cli.model.plan import Action, Direction
from netmox_cli.model.state import ClusterState, Disk, Guest, Interface, Node, ObjectKind, Side
from netmox_cli.planner import desired_object, find_object, plan_connection
from netmox_cli.planner.registry import REGISTRY

NODE_NAMES = ["pve1", "pve2", "pve3"]
FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def maybe(strategy):
    return st.none() | strategy


interfaces = st.dictionaries(
    st.sampled_from(["net0", "net1", "net2"]),
    st.fixed_dictionaries(
        {
            "mac": maybe(st.sampled_from(["BC:24:11:00:00:01", "BC:24:11:00:00:02"])),
            "bridge": maybe(st.sampled_from(["vmbr0", "vmbr1"])),
            "vlan": maybe(st.sampled_from([10, 20])),
            "ips": maybe(st.lists(st.sampled_from(["10.0.0.1/24", "10.0.0.2/24", "fd00::1/64"]), max_size=2)),
        }
    ),
    max_size=3,
).map(lambda d: [Interface(name=k, **v) for k, v in d.items()])

disks = st.dictionaries(
    st.sampled_from(["scsi0", "scsi1", "virtio0"]),
    st.fixed_dictionaries(
        {"size_mib": maybe(st.sampled_from([8192, 16384, 32768])), "storage": maybe(st.sampled_from(["local-lvm"]))}
    ),
    max_size=3,
).map(lambda d: [Disk(name=k, **v) for k, v in d.items()])


@st.composite
def proxmox_guest(draw, vmid: int, nodes: list[str]) -> Guest:
    kind = draw(st.sampled_from(["qemu", "lxc"]))
    return Guest(
        vmid=vmid,
        kind=kind,
        name=draw(maybe(st.sampled_from(["web", "db", "Web", "mail"]))),
        node=draw(st.sampled_from(nodes)),
        description=draw(maybe(st.sampled_from(["", "prod web", "[x] markup"]))),
        status=draw(maybe(st.sampled_from(["running", "stopped", "paused"]))),
        vcpus=draw(maybe(st.sampled_from([1.0, 2.0, 4.0]))),
        memory_mib=draw(maybe(st.sampled_from([512, 2048]))),
        swap_mib=draw(maybe(st.sampled_from([0, 512]))) if kind == "lxc" else None,
        disks=draw(disks),
        interfaces=draw(interfaces),
        tags=draw(st.lists(st.sampled_from(["prod", "dev", "web"]), max_size=3)),
        ostype=draw(maybe(st.sampled_from(["l26", "win11"]))),
        start_on_boot=draw(maybe(st.booleans())),
        protected=draw(st.booleans()),
    )


@st.composite
def proxmox_state(draw) -> ClusterState:
    names = draw(st.lists(st.sampled_from(NODE_NAMES), min_size=1, unique=True))
    nodes = [
        Node(
            name=n,
            status=draw(st.sampled_from(["online", "offline", "unknown"])),
            description=draw(maybe(st.just("rack"))),
        )
        for n in names
    ]
    vmids = draw(st.lists(st.integers(100, 108), unique=True, max_size=6))
    guests = [draw(proxmox_guest(vmid, names)) for vmid in vmids]
    return ClusterState(side=Side.PROXMOX, nodes=nodes, guests=guests)


@st.composite
def netbox_state(draw) -> ClusterState:
    """An independent NetBox state: twins of a random cluster, with NetBox-only values mixed in."""
    source = draw(proxmox_state())
    objects = [netbox_twin(o) for o in source.nodes + source.guests]
    for obj in objects:
        if isinstance(obj, Guest):
            obj.node = draw(st.sampled_from([obj.node, None, "pve9"]))
            obj.vcpus = draw(st.sampled_from([obj.vcpus, 1.5]))
            obj.status = draw(st.sampled_from([obj.status, "planned"]))
            obj.tags = draw(st.sampled_from([obj.tags, ["Prod"]]))
    return ClusterState(
        side=Side.NETBOX,
        nodes=[o for o in objects if isinstance(o, Node)],
        guests=[o for o in objects if isinstance(o, Guest)],
    )


def shuffled_twin(draw, state: ClusterState) -> ClusterState:
    """The same cluster as NetBox holds it, with every list in another order."""
    guests = []
    for guest in state.guests:
        twin = netbox_twin(guest)
        twin.interfaces = draw(st.permutations(twin.interfaces))
        twin.disks = draw(st.permutations(twin.disks))
        guests.append(twin)
    return ClusterState(
        side=Side.NETBOX,
        nodes=draw(st.permutations([netbox_twin(n) for n in state.nodes])),
        guests=draw(st.permutations(guests)),
    )


directions = st.sampled_from([Direction.NETBOX_TO_PROXMOX, Direction.PROXMOX_TO_NETBOX])
chosen_policy = st.builds(
    PolicyConfig,
    prefer=st.sampled_from([Side.NETBOX, Side.PROXMOX]),
    allow_delete=st.just(True),
    rename_duplicates=st.booleans(),
    matrix=st.dictionaries(
        st.sampled_from(["node", "qemu", "lxc"]),
        st.dictionaries(
            st.sampled_from(["netbox-only", "proxmox-only", "mismatch"]),
            st.sampled_from(["update-netbox", "update-proxmox"]),
        ),
    ),
    properties=st.dictionaries(st.sampled_from(sorted(REGISTRY.names())), directions),
)
any_policy = chosen_policy | st.builds(PolicyConfig, prefer=st.none() | st.sampled_from(list(Side)))


@FAST
@given(data=st.data(), proxmox=proxmox_state(), policy=any_policy)
def test_planning_a_state_against_itself_yields_no_changes(data, proxmox, policy):
    netbox = shuffled_twin(data.draw, proxmox)
    result = plan_connection("lab", netbox, proxmox, policy)
    assert result.changes == []
    assert result.in_sync == len(proxmox.nodes) + len(proxmox.guests)


def apply_in_memory(changes, netbox: ClusterState, proxmox: ClusterState) -> None:
    """Carry out every writing change on the in-memory states, as the engine would through providers."""
    states = {Side.NETBOX: netbox, Side.PROXMOX: proxmox}
    order = {(Action.CREATE, True): 0, (Action.CREATE, False): 1, (Action.UPDATE, False): 2,
             (Action.UPDATE, True): 2, (Action.DELETE, False): 3, (Action.DELETE, True): 4}  # fmt: skip
    writing = sorted(
        (c for c in changes if c.action.writes), key=lambda c: order[(c.action, c.kind is ObjectKind.NODE)]
    )
    for change in writing:
        target = states[change.target]
        nb, px = find_object(netbox, change.kind, change.key), find_object(proxmox, change.kind, change.key)
        current = nb if change.target is Side.NETBOX else px
        desired = desired_object(change, nb, px)
        collection = target.nodes if change.kind is ObjectKind.NODE else target.guests
        if current is not None:
            collection.remove(current)
        if desired is not None:
            collection.append(desired)


@FAST
@given(netbox=netbox_state(), proxmox=proxmox_state(), policy=chosen_policy)
def test_after_applying_a_plan_with_every_direction_chosen_nothing_is_left_to_write(netbox, proxmox, policy):
    first = plan_connection("lab", netbox, proxmox, policy)
    apply_in_memory(first.changes, netbox, proxmox)
    second = plan_connection("lab", netbox, proxmox, policy)
    unwritten_on_create = {
        (c.key, p.name) for c in first.changes if c.action is Action.CREATE for p in c.properties if p.reason
    }
    written_again = [
        (c.id, p.name)
        for c in second.changes
        if c.action.writes
        for p in c.properties
        # a fill (a gap NetBox leaves blank) can only follow the write that went the other way
        if p.direction.target is c.target and (c.key, p.name) not in unwritten_on_create and not p.fill
    ]
    assert written_again == []
    # A delete held back because one side was empty may show once that side has objects again.
    held = {c.key for c in first.changes if c.action is Action.CONFLICT and "an empty side never deletes" in c.reason}
    assert all(
        c.action is not Action.CREATE and (c.action is not Action.DELETE or c.key in held) for c in second.changes
    )
    # What remains is only what cannot be done (never a policy skip): cannot-apply values, conflicts, manual steps.
    for change in second.changes:
        if change.action is Action.IGNORE:
            # ... or a value that is only NetBox's default (never pushed without an explicit policy)
            assert all(p.reason.startswith(("cannot apply", "NetBox's ")) for p in change.properties), change
