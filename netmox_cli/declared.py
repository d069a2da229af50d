"""Checks that every declared kind and property has a handler in a provider's table, run at import.

A provider keeps one table per job (writes per object kind, reads and writes per property). A declaration
without an entry would otherwise surface as a KeyError in the middle of an apply, or as a property that is
silently never read; checked when the provider module is imported, it is an error before anything runs
(and ``tests/unit/test_declarations.py`` fails).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any


def missing(table: Mapping[Any, Any], declared: Iterable[Hashable]) -> list[str]:
    """The declared names (kinds, properties) ``table`` has no handler for, sorted."""
    return sorted(str(name) for name in declared if name not in table)


def require(where: str, table: Mapping[Any, Any], declared: Iterable[Hashable]) -> None:
    """Raise when ``table`` lacks a handler for anything declared (``where`` names the table)."""
    absent = missing(table, declared)
    if absent:
        raise RuntimeError(f"{where}: no handler for {', '.join(absent)}")
