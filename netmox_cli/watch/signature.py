"""NetBox's webhook signature: ``X-Hook-Signature`` is the hex HMAC-SHA512 of the raw body keyed with the
webhook's secret (``generate_signature`` in NetBox's ``extras/webhooks.py``)."""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Hook-Signature"


def sign(body: bytes, secret: str) -> str:
    """The signature NetBox sends for ``body``."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha512).hexdigest()


def verify(body: bytes, signature: str | None, secret: str) -> bool:
    """Whether ``signature`` is NetBox's for ``body``; compared in constant time, so timing tells nothing."""
    if not signature:
        return False
    return hmac.compare_digest(sign(body, secret), signature.strip().lower())
