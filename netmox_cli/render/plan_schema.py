"""docs/plan-format.md: the plan's JSON Schema, generated from the pydantic model (scripts/gen-plan-schema)."""

from __future__ import annotations

import json
from typing import Any

from netmox_cli.model.plan import FORMAT_VERSION, Plan

INTRO = f"""# Plan format

`netmox plan --json` (and `--out PLAN.json`) writes the plan as one JSON object; `netmox show` and
`netmox apply PLAN.json` read it back. This page is generated from the pydantic model in
`netmox_cli/model/plan.py` by `scripts/gen-plan-schema`; a test fails when it is out of date.

- `format_version` is `{FORMAT_VERSION}`. It changes only when an existing field changes meaning or is
  removed; new optional fields may appear within a version. `netmox show`/`apply` refuse other versions.
- `changes[]` has one entry per object and target (an object whose properties go both ways appears twice).
  `action` is what apply does (`create`, `update`, `delete` write; `ignore`, `conflict`, `manual` do
  not, and say why in `reason`; `notify` reports the difference to a person — a NetBox journal entry,
  the `[notify] url` — instead of applying it). Each property has both sides' values (`netbox`,
  `proxmox`, in each side's own vocabulary and in MiB), a `direction` and, when skipped, a `reason`; a
  property with `notify: true` is only reported, and its `direction` and `after` say what netmox would do.
- `basis` is a fingerprint of both sides' view of the object at plan time: `apply PLAN.json` refuses a
  change whose object no longer has it ("stale").
- `summary` counts objects, not changes (since format 3): an object written both ways counts once under
  each side; `ignored` counts objects nothing happens to (an updated object with a skipped property is
  an update); `conflicts`, `manual` and `notify` count objects with such an entry. `summary.changes` is
  true when apply would write or notify anything (`--detailed-exitcode` exits 2). Format 4 added `notify`.

## JSON Schema

```json
"""


def plan_schema() -> dict[str, Any]:
    """The JSON Schema of a plan file as netmox writes it."""
    schema = Plan.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://netmox.invalid/plan-format-v{FORMAT_VERSION}.json"
    return schema


def plan_format_markdown() -> str:
    return INTRO + json.dumps(plan_schema(), indent=2, sort_keys=True) + "\n```\n"


def schema_from_markdown(text: str) -> dict[str, Any]:
    """The schema embedded in docs/plan-format.md (for tests and tools that validate plans)."""
    start = text.index("```json\n") + len("```json\n")
    return json.loads(text[start : text.index("\n```", start)])
