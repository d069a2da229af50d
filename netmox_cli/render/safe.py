"""The one safe way to print a value from either side: control characters shown, never obeyed.

Names, descriptions, tags and messages come from NetBox and Proxmox VE, where anyone with write access
can put an ESC sequence (recolour or clear the terminal), a CR or LF (forge a line of the plan), or a
bidi override (make ``evil`` read as ``live``) into them. Every view passes such text through ``safe``,
which replaces each of those characters by a visible escape (``\\x1b``, ``\\r``, ``\\u202e``). The result
contains no control character, so escaping twice changes nothing.
"""

from __future__ import annotations

import re

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0"}
# C0, DEL, C1; bidi embeddings/overrides (U+202A-202E) and isolates (U+2066-2069), the invisible bidi
# marks (U+061C, U+200E, U+200F) and the Unicode line and paragraph separators (U+2028, U+2029).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    if character in _NAMED:
        return _NAMED[character]
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: object) -> str:
    """``text`` (any value, as ``str``) with every control, bidi and line-breaking character escaped visibly."""
    return _UNSAFE.sub(_escape, str(text))


def quoted(text: str) -> str:
    """``"text"`` for free text in a line (names, descriptions): quotes and backslashes inside escaped too,
    so the quoted value cannot end early."""
    return '"' + safe(text.replace("\\", "\\\\").replace('"', '\\"')) + '"'


# What JSON encoders leave raw: everything in _UNSAFE but C0, which they escape (outside strings, C0 is
# only the layout whitespace, which must stay).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_safe(text: str) -> str:
    """Serialized JSON with DEL, C1 and bidi characters as ``\\uXXXX``: the same data, harmless on a terminal."""
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def has_unsafe(text: str) -> bool:
    """True when ``text`` holds a character ``safe`` would escape (for tests and checks)."""
    return _UNSAFE.search(text) is not None
