"""Status vocabularies: which NetBox and Proxmox VE status values mean the same thing.

As in the original Netmox design, the two sides agree only on "up" and "down". Every other value
(NetBox ``planned``/``staged``/``failed``…, Proxmox VE ``paused``/``unknown``…) is outside what they
can agree on: it is never a mismatch and is never written to the other side.
"""

from __future__ import annotations

from netmox_cli.model.state import Side

# Side -> wire value -> shared meaning.
GUEST_STATUS: dict[Side, dict[str, str]] = {
    Side.NETBOX: {"active": "up", "offline": "down"},
    Side.PROXMOX: {"running": "up", "stopped": "down"},
}
NODE_STATUS: dict[Side, dict[str, str]] = {
    Side.NETBOX: {"active": "up", "offline": "down"},
    Side.PROXMOX: {"online": "up", "offline": "down"},
}


def meaning(vocabulary: dict[Side, dict[str, str]], side: Side, value: str | None) -> str | None:
    """The shared meaning of a side's status value, or None when the sides cannot agree on it."""
    return vocabulary[side].get(value) if value is not None else None


def translate(vocabulary: dict[Side, dict[str, str]], value: str | None, to_side: Side) -> str | None:
    """A status from the other side in ``to_side``'s words; None for a value with no counterpart."""
    shared = meaning(vocabulary, to_side.other, value)
    if shared is None:
        return None
    return next(wire for wire, m in vocabulary[to_side].items() if m == shared)


def statuses_equal(vocabulary: dict[Side, dict[str, str]], netbox: str | None, proxmox: str | None) -> bool:
    """Equal unless both values are in the shared vocabulary and mean different things."""
    nb = meaning(vocabulary, Side.NETBOX, netbox)
    px = meaning(vocabulary, Side.PROXMOX, proxmox)
    return nb is None or px is None or nb == px
