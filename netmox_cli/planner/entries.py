"""Keyed entry lists (disks, interfaces) in their plan (JSON) form.

A guest's disks and interfaces compare as sets keyed by name, so a reorder is not drift. Inside an
entry, a field that is ``None`` on either side is unknown to that side (IPs while the guest agent is
down, the bridge on NetBox, the disk storage on NetBox) and is not compared.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Entry = dict[str, Any]


def by_name(entries: Iterable[Entry]) -> dict[str, Entry]:
    return {entry["name"]: entry for entry in entries}


def entry_differences(a: Entry, b: Entry, fields: Iterable[str]) -> list[str]:
    """Fields both entries know and disagree on."""
    return [f for f in fields if a.get(f) is not None and b.get(f) is not None and a[f] != b[f]]


def entries_equal(a: list[Entry], b: list[Entry], fields: Iterable[str]) -> bool:
    """Same names, and no known field differs."""
    left, right = by_name(a), by_name(b)
    if left.keys() != right.keys():
        return False
    fields = tuple(fields)
    return all(not entry_differences(left[name], right[name], fields) for name in left)


def merge_entries(
    source: list[Entry],
    current: list[Entry] | None,
    *,
    cleared: Iterable[str] = (),
    from_current: Iterable[str] = (),
    keep_current_only: bool = False,
) -> list[Entry]:
    """What the target's list becomes when the source's list is written to it.

    Fields the source does not know keep the target's value; ``cleared`` fields are ones the target
    cannot hold (set to None); ``from_current`` fields cannot be written, so the target keeps its own;
    ``keep_current_only`` keeps entries the source lacks (a disk that is never removed by an update).
    """
    cleared, from_current = tuple(cleared), tuple(from_current)
    existing = by_name(current or [])
    merged: list[Entry] = []
    for entry in source:
        old = existing.get(entry["name"], {})
        new = dict(entry)
        for field, value in new.items():
            if value is None and field not in cleared:
                new[field] = old.get(field)
        for field in from_current:
            new[field] = old.get(field)
        for field in cleared:
            new[field] = None
        merged.append(new)
    if keep_current_only:
        names = {entry["name"] for entry in source}
        merged.extend(dict(entry) for entry in existing.values() if entry["name"] not in names)
    return sorted(merged, key=lambda e: e["name"])
