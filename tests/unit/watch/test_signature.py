"""X-Hook-Signature: the hex HMAC-SHA512 NetBox computes (extras/webhooks.py ``generate_signature``)."""

from __future__ import annotations

import hashlib
import hmac

from netmox_cli.watch.signature import sign, verify

BODY = b'{"event": "created", "data": {"id": 1}}'


def test_sign_is_netbox_hmac_sha512_hex() -> None:
    expected = hmac.new(b"s3cret", BODY, digestmod=hashlib.sha512).hexdigest()
    assert sign(BODY, "s3cret") == expected
    assert len(expected) == 128


def test_verify_accepts_only_the_right_signature() -> None:
    good = sign(BODY, "s3cret")
    assert verify(BODY, good, "s3cret")
    assert verify(BODY, good.upper(), "s3cret")  # hex case is not part of the secret
    assert not verify(BODY, None, "s3cret")
    assert not verify(BODY, "", "s3cret")
    assert not verify(BODY, sign(BODY, "other"), "s3cret")
    assert not verify(BODY + b" ", good, "s3cret")  # the raw body is signed: any byte changed fails
    assert not verify(BODY, good[:-2], "s3cret")
