"""The ``[notify] url``: one JSON POST per run listing the ``notify`` differences reported in it.

The URL may carry a token, so it is a secret (registered with the redactor when the config loads) and no
message here quotes it or the library's exception text (which would). TLS is always verified, against
``notify.ca_bundle`` when set; redirects are not followed (a POST must not turn into a GET elsewhere).
"""

from __future__ import annotations

from typing import Any

import requests

from netmox_cli import __version__
from netmox_cli.config.schema import NotifyConfig
from netmox_cli.errors import ConnectionFailed, RemoteError, TLSError

WHAT = "the [notify] url"


def post_notices(config: NotifyConfig, payload: dict[str, Any]) -> None:
    """POST ``payload`` as JSON; a ``NetmoxError`` naming what went wrong (never the URL) on failure."""
    assert config.url is not None
    verify: bool | str = str(config.ca_bundle) if config.ca_bundle is not None else True
    try:
        response = requests.post(
            config.url.get_secret_value(),
            json=payload,
            timeout=config.timeout,
            verify=verify,
            allow_redirects=False,
            headers={"User-Agent": f"netmox/{__version__}"},
        )
    except requests.exceptions.SSLError:
        raise TLSError(
            f"TLS verification failed for {WHAT}", "set notify.ca_bundle to the CA that signed its certificate"
        ) from None
    except requests.exceptions.Timeout:
        raise ConnectionFailed(f"{WHAT} did not answer within {config.timeout:g} s") from None
    except requests.exceptions.RequestException as exc:
        raise ConnectionFailed(f"cannot reach {WHAT} ({type(exc).__name__})") from None
    if not 200 <= response.status_code < 300:
        raise RemoteError(f"{WHAT} answered HTTP {response.status_code}", "check the receiver's log")
