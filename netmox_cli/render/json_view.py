"""The machine form of a plan: exactly the ``Plan`` model as JSON (schema in docs/plan-format.md).

Characters that could steer a terminal are written as ``\\uXXXX`` escapes (``safe.json_safe``), so
``plan --json`` is as safe to look at as the text view and parses to the same data."""

from __future__ import annotations

import hashlib

from netmox_cli.model.plan import Plan
from netmox_cli.render.safe import json_safe


def render_json(plan: Plan) -> str:
    return json_safe(plan.model_dump_json(indent=2)) + "\n"


def plan_digest(plan: Plan) -> str:
    """``sha256:<hex>`` of the plan's JSON: names the exact plan a run applied, in history."""
    return "sha256:" + hashlib.sha256(render_json(plan).encode()).hexdigest()
