"""``apply --interactive``: walk the mismatched properties one by one, take NetBox's, Proxmox VE's, or skip.

The terminal equivalent of the original comparison page. The user's choices replace the policy's
directions; the planner's ``regroup`` then rebuilds the per-target changes from them.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from netmox_cli.model.plan import Change, Direction, Issue, Plan, PropertyChange
from netmox_cli.render.safe import safe
from netmox_cli.render.text import object_label
from netmox_cli.render.values import one

CHOICES = {"n": Direction.NETBOX_TO_PROXMOX, "p": Direction.PROXMOX_TO_NETBOX, "s": Direction.SKIP}
SKIPPED_BY_USER = "skipped interactively"


def ask(out: Console, change: Change, prop: PropertyChange) -> Direction:
    out.print(Text(safe(f"{change.connection}/{object_label(change)} {prop.name}"), style="bold"))
    out.print(Text(f"  [n] NetBox:     {safe(one(prop.name, prop.netbox))}"))
    out.print(Text(f"  [p] Proxmox VE: {safe(one(prop.name, prop.proxmox))}"))
    current = {v: k for k, v in CHOICES.items()}[prop.direction]
    while True:
        prompt = f"  Take which value? n = NetBox, p = Proxmox VE, s = skip [{current}]: "
        answer = out.input(prompt, markup=False).strip().lower()  # markup would eat the "[n]" default
        if not answer:
            return prop.direction
        if answer[:1] in CHOICES:
            return CHOICES[answer[:1]]
        out.print(Text("  Please answer n, p or s."))


def choose_directions(plan: Plan, out: Console) -> Plan:
    """Ask about every property of every mismatched object once; regroup the changes by the answers."""
    from netmox_cli.planner import regroup

    answers: dict[tuple[str, str, str, str], Direction] = {}
    for change in plan.changes:
        if change.issue is not Issue.MISMATCH:
            continue
        for prop in change.properties:
            key = (change.connection, change.kind.value, change.key, prop.name)
            if key not in answers:
                answers[key] = ask(out, change, prop)
    changes = []
    for change in plan.changes:
        props = []
        for prop in change.properties:
            direction = answers.get((change.connection, change.kind.value, change.key, prop.name), prop.direction)
            if direction is prop.direction:
                props.append(prop)
            else:
                reason = SKIPPED_BY_USER if direction is Direction.SKIP else None
                props.append(prop.model_copy(update={"direction": direction, "reason": reason}))
        changes.append(change.model_copy(update={"properties": props}))
    return plan.model_copy(update={"changes": regroup(changes)}).summarize()
