"""Checking that an API answer has the shape netmox reads, and saying in one line what came back if not.

Both providers validate every answer with pydantic adapters built once at import; this is the shared
check, so that a refusal reads the same whichever side it comes from.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter, ValidationError


class ShapeError(ValueError):
    """The answer's JSON is not the shape its endpoint has; ``str()`` says what came back."""


def check(adapter: TypeAdapter[Any], data: Any, expected: str, shown: Any = None) -> Any:
    """``data`` itself when it has ``adapter``'s shape; else ShapeError naming ``shown`` (default: ``data``),
    ``expected`` and the first problem found."""
    try:
        adapter.validate_python(data)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        detail = f" ({where}: {first['msg']})" if where else ""
        raise ShapeError(f"{describe(data if shown is None else shown)}, not {expected}{detail}") from None
    return data


def describe(value: Any, limit: int = 60) -> str:
    """JSON text short enough for one line: ``{"data": null}``, ``{"results": "<html>…"}``."""
    text = json.dumps(value, ensure_ascii=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
