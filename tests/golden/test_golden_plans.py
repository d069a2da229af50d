"""Golden plans: each folder under tests/golden holds a case (netmox.toml, netbox.json, proxmox.json) and the
exact text view (plan.txt), JSON (plan.json) and Markdown summary (plan.md) that `netmox plan` must print for it.

Regenerate after an intended change with ``NETMOX_UPDATE_GOLDEN=1 pytest tests/golden`` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netmox_cli.cli import app
from netmox_cli.render.safe import has_unsafe, json_safe

HERE = Path(__file__).resolve().parent
CASES = sorted(p.parent.name for p in HERE.glob("*/netmox.toml"))
UPDATE = os.environ.get("NETMOX_UPDATE_GOLDEN") == "1"


def plan_output(case: Path, *extra: str) -> str:
    result = CliRunner().invoke(app, ["plan", "--config", str(case / "netmox.toml"), *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout.replace(str(case), "<case>")


def normalized_json(case: Path) -> str:
    plan = json.loads(plan_output(case, "--json"))
    plan["created"] = "2000-01-01T00:00:00Z"
    plan["netmox_version"] = "<version>"
    return json_safe(json.dumps(plan, indent=2, ensure_ascii=False)) + "\n"


def check(path: Path, actual: str) -> None:
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} is missing; run NETMOX_UPDATE_GOLDEN=1 pytest tests/golden"
    assert actual == path.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def no_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.mark.parametrize("case", CASES)
def test_plan_text_matches_golden(case: str) -> None:
    check(HERE / case / "plan.txt", plan_output(HERE / case))


@pytest.mark.parametrize("case", CASES)
def test_plan_markdown_matches_golden(case: str) -> None:
    """The Markdown view draws the same blocks as the text view: one item per object."""
    check(HERE / case / "plan.md", plan_output(HERE / case, "--format", "markdown"))


@pytest.mark.parametrize("case", CASES)
def test_plan_json_matches_golden(case: str) -> None:
    check(HERE / case / "plan.json", normalized_json(HERE / case))


def test_there_are_golden_cases() -> None:
    assert {"homelab-prefer-netbox", "homelab-prefer-proxmox", "status-equivalence", "hostile-names"} <= set(CASES)
    assert {"homelab-both-ways", "property-conflict"} <= set(CASES)


HEADER = re.compile(r"^ {2,4}[+\-~!?·] (node|qemu|lxc) ")


@pytest.mark.parametrize("case", CASES)
def test_each_object_is_one_block_in_text_and_markdown(case: str) -> None:
    """The JSON keeps one change per target; both human views draw each object exactly once."""
    plan = json.loads((HERE / case / "plan.json").read_text(encoding="utf-8"))
    objects = {(c["connection"], c["kind"], c["key"]) for c in plan["changes"]}
    text = (HERE / case / "plan.txt").read_text(encoding="utf-8").splitlines()
    markdown = (HERE / case / "plan.md").read_text(encoding="utf-8").splitlines()
    assert len([line for line in text if HEADER.match(line)]) == len(objects)
    assert len([line for line in markdown if line.startswith("- `")]) == len(objects)


@pytest.mark.parametrize("view", [[], ["--json"], ["--format", "markdown"]])
def test_hostile_names_reach_no_view_raw(view: list[str]) -> None:
    """ESC, CR, NUL, C1, DEL and bidi characters in names, descriptions and tags are shown escaped in every
    view; the only line breaks are netmox's own."""
    output = plan_output(HERE / "hostile-names", *view)
    assert "fake: line" in output  # the hostile name is there ...
    for line in output.splitlines():
        assert not has_unsafe(line), repr(line)  # ... but cannot steer the terminal or start a line
    assert not any(line.startswith("fake: line") for line in output.splitlines())


def test_hostile_markdown_cannot_inject_markup() -> None:
    output = plan_output(HERE / "hostile-names", "--format", "markdown")
    assert "\\`code\\` \\*bold\\* \\<b\\>\\&#x202e;\\</b\\>" in output
    assert "<b>" not in output
