"""docs/failure-modes.md stays true: every test it cites exists (a renamed or deleted test breaks this)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "failure-modes.md"
REFERENCE = re.compile(r"`((?:unit|integration|e2e|golden)/[\w/]+\.py)?(?:::(test_\w+))?`")


def cited() -> list[tuple[str, str | None]]:
    """(file, test) for every reference; ``::test_x`` alone continues the file cited before it."""
    references: list[tuple[str, str | None]] = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        current = None
        for match in REFERENCE.finditer(line):
            path, test = match.groups()
            if path is None and test is None:
                continue
            current = path or current
            assert current is not None, f"{test} has no file before it: {line}"
            references.append((current, test))
    return references


def test_every_cited_test_exists() -> None:
    references = cited()
    assert len(references) > 50
    missing = []
    for path, test in references:
        source = ROOT / "tests" / path
        if not source.exists() or (test and not re.search(rf"def {test}\(", source.read_text(encoding="utf-8"))):
            missing.append(f"{path}::{test}" if test else path)
    assert missing == []
