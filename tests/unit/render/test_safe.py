"""``safe``: every character that could steer a terminal or forge a line is shown as an escape, nothing else
changes, and escaping twice is escaping once."""

from __future__ import annotations

import json

import pytest

from netmox_cli.render.safe import has_unsafe, json_safe, quoted, safe

HOSTILE = "web\x1b[31mred\r\nfake: line\u202eevil"


@pytest.mark.parametrize(
    ("character", "shown"),
    [
        ("\x1b", "\\x1b"),
        ("\r", "\\r"),
        ("\n", "\\n"),
        ("\t", "\\t"),
        ("\x00", "\\0"),
        ("\x07", "\\x07"),
        ("\x08", "\\x08"),
        ("\x7f", "\\x7f"),
        ("\x85", "\\x85"),
        ("\x9b", "\\x9b"),
        ("\u202a", "\\u202a"),
        ("\u202e", "\\u202e"),
        ("\u2066", "\\u2066"),
        ("\u2069", "\\u2069"),
        ("\u200f", "\\u200f"),
        ("\u2028", "\\u2028"),
    ],
)
def test_each_dangerous_character_is_escaped_visibly(character: str, shown: str) -> None:
    assert safe(f"a{character}b") == f"a{shown}b"


def test_a_hostile_name_becomes_one_harmless_line() -> None:
    assert safe(HOSTILE) == "web\\x1b[31mred\\r\\nfake: line\\u202eevil"
    assert not has_unsafe(safe(HOSTILE))


@pytest.mark.parametrize("text", ["web-01", "Öffentlicher Server [nginx] → 東京", "a\\x1b", 'say "hi"', ""])
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert safe(text) == text


def test_escaping_twice_is_escaping_once() -> None:
    assert safe(safe(HOSTILE)) == safe(HOSTILE)


def test_any_value_is_shown_as_text() -> None:
    assert safe(42) == "42"
    assert safe(None) == "None"


def test_quoted_text_cannot_end_its_quotes_early() -> None:
    assert quoted('x" → "y') == '"x\\" → \\"y"'
    assert quoted("back\\slash") == '"back\\\\slash"'
    assert quoted(HOSTILE) == '"web\\x1b[31mred\\r\\nfake: line\\u202eevil"'


def test_json_safe_keeps_the_data_and_drops_the_raw_characters() -> None:
    data = {"name": "x\u202ey\x9b\x7f\x1b", "tags": ["\u2066a"]}
    text = json_safe(json.dumps(data, indent=2, ensure_ascii=False))
    assert not has_unsafe(text.replace("\n", ""))
    assert json.loads(text) == data
