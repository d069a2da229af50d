"""Cleaning and checking of secret and URL values, shared by the schema's validators and the environment
defaults: a value read from a file loses its trailing newline here, not in an HTTP header.

Every error says what is wrong with the value without showing it; the caller names the key.
"""

from __future__ import annotations

import unicodedata
import urllib.parse

from pydantic import SecretStr

URL_CREDENTIALS = "put the token in netbox.token, not in the URL"


def clean_secret(value: object) -> object:
    """A secret without the whitespace around it (a file's trailing newline or CR); inner control
    characters are an error, since they can only be a mistake and would end up in an HTTP header."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if not isinstance(value, str):
        return value
    value = value.strip()
    if not value:
        raise ValueError("is empty (or only whitespace)")
    for character in value:
        if unicodedata.category(character) in ("Cc", "Cf"):
            raise ValueError(
                f"contains a control or invisible character (U+{ord(character):04X}); remove it from the secret"
            )
    return value


def check_url(value: object) -> object:
    """A URL without surrounding whitespace; ``user:password@`` in it is refused (it would be printed,
    logged and stored in plans as part of the URL)."""
    if not isinstance(value, str):
        return value
    value = value.strip()
    try:
        parts = urllib.parse.urlsplit(value)
        has_credentials = parts.username is not None or parts.password is not None
    except ValueError:
        return value  # not a URL at all: the client says so, naming netbox.url
    if not parts.netloc and "@" in value.split("/", 1)[0]:  # "user:pw@host" without a scheme
        has_credentials = True
    if has_credentials:
        raise ValueError(URL_CREDENTIALS)
    return value
