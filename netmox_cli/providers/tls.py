"""TLS verification settings, the same for every provider: on unless the user turns it off explicitly."""

from __future__ import annotations

import logging
from pathlib import Path

import urllib3

log = logging.getLogger("netmox")


def requests_verify(verify_ssl: bool, ca_bundle: Path | None, where: str) -> bool | str:
    """The ``verify`` value for requests: the CA bundle when given, True by default, False only on request.

    Turning verification off prints one warning naming the server (instead of urllib3's warning on every
    request).
    """
    if not verify_ssl:
        log.warning("warning: TLS verification for %s is off (verify_ssl = false)", where)
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        return False
    return str(ca_bundle) if ca_bundle is not None else True
