"""The redactor masks every registered secret in text, log records, tracebacks and streams, in the spellings
a secret takes inside other text (JSON, repr, URL-quoted)."""

from __future__ import annotations

import io
import json
import logging
import urllib.parse
from collections.abc import Iterator

import pytest

from netmox_cli.redact import REDACTOR, RedactingFilter, RedactingStream, Redactor, StderrHandler

SECRET = 'canary"/+ \\secret'


@pytest.fixture
def redactor() -> Redactor:
    redactor = Redactor()
    redactor.register(SECRET)
    return redactor


@pytest.mark.parametrize(
    "spelling",
    [
        SECRET,
        json.dumps(SECRET)[1:-1],
        repr(SECRET)[1:-1],
        urllib.parse.quote(SECRET, safe=""),
        urllib.parse.quote_plus(SECRET),
    ],
)
def test_every_spelling_of_a_secret_is_masked(redactor: Redactor, spelling: str) -> None:
    assert redactor.redact(f"before {spelling} after") == "before *** after"


def test_a_very_short_secret_is_not_registered_because_it_would_mask_ordinary_text() -> None:
    redactor = Redactor()
    redactor.register("ab")
    redactor.register("")
    redactor.register(None)
    assert not redactor
    assert redactor.redact("abc") == "abc"


def test_json_like_values_are_redacted_throughout(redactor: Redactor) -> None:
    value = {"a": [SECRET, 1, {"b": f"x{SECRET}"}], SECRET: None}
    assert redactor.redact_value(value) == {"a": ["***", 1, {"b": "x***"}], "***": None}


@pytest.fixture
def registered() -> Iterator[str]:
    REDACTOR.clear()
    REDACTOR.register(SECRET)
    yield SECRET
    REDACTOR.clear()


def test_a_log_record_and_its_traceback_are_redacted(registered: str) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("netmox.test-redact")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError(f"Invalid header value b'PVEAPIToken=root@pam!x={registered}\\n'")
        except ValueError:
            logger.exception("could not read %s", registered)
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "could not read ***" in output and "PVEAPIToken=root@pam!x=***" in output
    assert registered not in output


def test_the_stderr_handler_redacts_and_writes_to_the_current_stderr(registered: str, capsys) -> None:
    record = logging.LogRecord("netmox", logging.WARNING, __file__, 1, "token %s", (registered,), None)
    StderrHandler().handle(record)
    assert capsys.readouterr().err == "token ***\n"


def test_a_redacting_stream_masks_what_is_written_and_is_otherwise_the_stream(registered: str) -> None:
    inner = io.StringIO()
    stream = RedactingStream(inner)
    stream.write(f"a {registered} b\n")
    stream.writelines([registered, "\n"])
    assert inner.getvalue() == "a *** b\n***\n"
    assert stream.isatty() is False
