"""The one redactor: every secret the config holds is registered when it loads, and everything netmox prints
or writes (messages, tracebacks, log records, plan, snapshot, lock and history files) passes through it.

``SecretStr`` keeps secrets out of reprs, but not out of the text of a library's exception (a header
value, a URL) or a traceback; filtering the output by the known secret values catches those too, wherever
they come from. Each secret is also matched in the encodings it is likely to appear in (JSON, repr, URL).
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
import urllib.parse
from typing import IO, Any

MASK = "***"
# A shorter "secret" would mask ordinary words and digits everywhere; it protects nothing worth that.
MIN_LENGTH = 4


class Redactor:
    """The set of known secrets, and the function that masks them in any text."""

    def __init__(self) -> None:
        self._variants: set[str] = set()
        self._longest_first: tuple[str, ...] = ()  # sorted once per registration, not once per write

    def register(self, secret: str | None) -> None:
        """Remember ``secret`` (and its JSON, repr and URL-quoted spellings) so that it is masked from now on."""
        if not secret or len(secret) < MIN_LENGTH:
            return
        spellings = {
            secret,
            json.dumps(secret)[1:-1],
            json.dumps(secret, ensure_ascii=False)[1:-1],
            repr(secret)[1:-1],
            urllib.parse.quote(secret, safe=""),
            urllib.parse.quote_plus(secret),
        }
        self._variants.update(s for s in spellings if len(s) >= MIN_LENGTH)
        self._longest_first = tuple(sorted(self._variants, key=len, reverse=True))

    def clear(self) -> None:
        self._variants.clear()
        self._longest_first = ()

    def __bool__(self) -> bool:
        return bool(self._variants)

    def redact(self, text: str) -> str:
        """``text`` with every known secret replaced by ``***`` (longest first, so no fragment survives)."""
        for variant in self._longest_first:
            if variant in text:
                text = text.replace(variant, MASK)
        return text

    def redact_value(self, value: Any) -> Any:
        """A JSON-like value (strings, lists, dicts) with every string redacted."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, list):
            return [self.redact_value(item) for item in value]
        if isinstance(value, dict):
            return {self.redact(str(k)): self.redact_value(v) for k, v in value.items()}
        return value


REDACTOR = Redactor()


def register_secret(secret: str | None) -> None:
    REDACTOR.register(secret)


def redact(text: str) -> str:
    return REDACTOR.redact(text)


def redacted_traceback() -> str:
    """The current exception's traceback (for ``--debug``), secrets masked."""
    return redact(traceback.format_exc())


class RedactingFilter(logging.Filter):
    """Masks secrets in a log record's message and traceback before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class StderrHandler(logging.Handler):
    """What Python's last-resort handler does (message only, to the *current* stderr), plus redaction."""

    def __init__(self, level: int = logging.WARNING) -> None:
        super().__init__(level)
        self.addFilter(RedactingFilter())
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:  # logging must never break the command (logging's own contract)
            self.handleError(record)


def install_logging() -> None:
    """Send log records through the redactor; idempotent, so repeated in-process runs add no handlers."""
    root = logging.getLogger()
    if not any(isinstance(handler, StderrHandler) for handler in root.handlers):
        root.addHandler(StderrHandler())


class RedactingStream:
    """A text stream that masks secrets in everything written to it, and is otherwise the stream it wraps.

    netmox's stdout and stderr are wrapped so that no print path (rich consoles, ``print``, click's usage
    errors) can show a secret, including ones added after this module was written.
    """

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(redact(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def guard_streams() -> None:
    """Wrap ``sys.stdout`` and ``sys.stderr`` (once) in ``RedactingStream``."""
    if not isinstance(sys.stdout, RedactingStream):
        sys.stdout = RedactingStream(sys.stdout)  # type: ignore[assignment]
    if not isinstance(sys.stderr, RedactingStream):
        sys.stderr = RedactingStream(sys.stderr)  # type: ignore[assignment]
