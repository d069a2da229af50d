"""The one door to the Proxmox VE API: proxmoxer with token auth, TLS, timeouts, retries, error translation.

Everything else in the provider calls ``get``/``post``/``put``/``delete`` with an API path, or ``read``
with the shape the answer must have, and never sees proxmoxer or requests. proxmoxer returns
``{"errors": <body>}`` for a 200 that is not JSON (a proxy's login page) and raises ``KeyError`` for JSON
without ``data``; its serializer is replaced here, so that either is an ``InvalidResponse``.
Idempotent GETs are retried a bounded number of times with backoff when the connection fails or a
proxy answers 502/503/504; writes are sent exactly once. Library exceptions become
``netmox_cli.errors`` types here, by exception class and HTTP status.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable
from typing import Any

import requests
from proxmoxer import ProxmoxAPI
from proxmoxer.backends.https import JsonSerializer
from proxmoxer.core import ResourceException
from requests.adapters import HTTPAdapter

from netmox_cli.config.schema import ProxmoxSide
from netmox_cli.errors import (
    AuthenticationFailed,
    ConnectionFailed,
    InvalidResponse,
    NetmoxError,
    PermissionDenied,
    RemoteError,
    StaleError,
    TLSError,
)
from netmox_cli.providers.proxmox.responses import ShapeError, check
from netmox_cli.providers.tls import requests_verify

log = logging.getLogger("netmox.proxmox")

DEFAULT_PORT = 8006
RETRY_STATUSES = frozenset({502, 503, 504})
# PVE's wording for a refused digest: qemu-server and pve-container/pve-guest-common respectively.
STALE_MESSAGES = ("checksum mismatch", "detected modified configuration")
PERMISSION = re.compile(r"Permission check failed \((?P<path>[^,()]*),\s*(?P<priv>[^()]+)\)")
JSON_TYPES = frozenset(JsonSerializer.content_types)
NOT_THE_API = "check host and any proxy in between"


def split_host(host: str) -> tuple[str, int]:
    """``("pve.example", 8006)`` from ``pve.example``, ``pve.example:8443`` or ``[2001:db8::1]:8006``."""
    host = host.strip()
    if host.startswith("https://"):
        host = host[len("https://") :].rstrip("/")
    if host.startswith("["):
        name, _, rest = host[1:].partition("]")
        port = rest.lstrip(":")
        return f"[{name}]", int(port) if port.isdigit() else DEFAULT_PORT
    if host.count(":") == 1:
        name, port = host.split(":")
        return name, int(port) if port.isdigit() else DEFAULT_PORT
    if host.count(":") > 1:  # a bare IPv6 address
        return f"[{host}]", DEFAULT_PORT
    return host, DEFAULT_PORT


class PveClient:
    """A thread-safe handle on one Proxmox VE API endpoint, authenticated with an API token."""

    def __init__(
        self,
        section: ProxmoxSide,
        *,
        retries: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        host, port = split_host(section.host)
        self.location = f"https://{host}:{port}"
        self.token_id = f"{section.user}!{section.token_name}"
        self.timeout = section.timeout
        self._retries = max(1, retries)
        self._backoff = backoff
        self._sleep = sleep
        verify = requests_verify(section.verify_ssl, section.ca_bundle, f"Proxmox VE at {self.location}")
        self._api = ProxmoxAPI(
            host,
            port=port,
            user=section.user,
            token_name=section.token_name,
            token_value=section.token_value.get_secret_value(),
            verify_ssl=verify,
            timeout=section.timeout,
        )
        self._api._store["serializer"] = StrictJson()
        session = self._api._store["session"]
        # One connection per worker thread of the snapshot pool.
        session.mount("https://", HTTPAdapter(pool_connections=1, pool_maxsize=max(10, section.workers)))
        # requests re-reads proxy and CA variables from the environment on every call (~20 % of a request's
        # CPU in the benchmark); read them once, here, and let the session keep them.
        session.proxies.update(requests.utils.get_environ_proxies(self.location))
        if session.verify is True:
            session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        session.trust_env = False

    # ----------------------------------------------------------------- calls

    def get(self, path: str, **params: Any) -> Any:
        """GET, retried with backoff on connection failures and proxy errors (bounded)."""
        for attempt in range(1, self._retries + 1):
            try:
                return self._call("GET", path, params)
            except NetmoxError as error:
                if attempt == self._retries or not _retryable(error):
                    raise
                log.debug("GET %s failed (%s), retry %d", path, error.message, attempt)
                self._sleep(self._backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    def read(self, path: str, shape: Any, **params: Any) -> Any:
        """GET an answer that must have ``shape`` (an adapter of ``responses``); InvalidResponse if not."""
        data = self.get(path, **params)
        try:
            return check(shape, data)
        except ShapeError as error:
            where = f"Proxmox VE at {self.location}"
            raise InvalidResponse(f"{where} answered GET {path} with {error}", NOT_THE_API) from None

    def post(self, path: str, **data: Any) -> Any:
        return self._call("POST", path, data)

    def put(self, path: str, **data: Any) -> Any:
        return self._call("PUT", path, data)

    def delete(self, path: str, **params: Any) -> Any:
        return self._call("DELETE", path, params)

    def close(self) -> None:
        self._api._store["session"].close()

    def _call(self, method: str, path: str, args: dict[str, Any]) -> Any:
        resource = self._api(path.strip("/"))
        try:
            if method == "GET":
                return resource.get(**args)
            if method == "POST":
                return resource.post(**args)
            if method == "PUT":
                return resource.put(**args)
            return resource.delete(**args)
        except NotJson as exc:
            raise InvalidResponse(
                f"Proxmox VE at {self.location} answered {method} {path} with {exc}, not the API's JSON", NOT_THE_API
            ) from None
        except (ResourceException, requests.RequestException) as exc:
            raise self.translate(exc, f"{method} {path}") from exc

    # ------------------------------------------------------------ translation

    def translate(self, exc: Exception, what: str) -> NetmoxError:
        """The netmox error for a proxmoxer/requests exception raised by ``what`` (``"PUT /nodes/…"``)."""
        where = f"Proxmox VE at {self.location}"
        if isinstance(exc, requests.exceptions.SSLError):
            return TLSError(
                f"TLS verification of {where} failed: {_reason(exc)}",
                "set ca_bundle to the CA that signed the node certificate (or verify_ssl = false, insecure)",
            )
        if isinstance(exc, requests.exceptions.Timeout):
            return _Transient(
                f"{where} did not answer {what} within {self.timeout:g} s", "raise timeout or check the host"
            )
        if isinstance(exc, requests.exceptions.ConnectionError):
            return _Transient(
                f"cannot connect to {where}: {_reason(exc)}", "check host and port, and that pveproxy runs"
            )
        if isinstance(exc, requests.RequestException):
            return ConnectionFailed(f"request to {where} failed: {exc}")
        assert isinstance(exc, ResourceException)
        status = exc.status_code
        message = _message(exc)
        if status == 401:
            return AuthenticationFailed(
                f"{where} rejected the API token {self.token_id}",
                "check user, token_name and token_value (the token must exist and not be expired)",
            )
        if status == 403:
            found = PERMISSION.search(message)
            if found:
                path, priv = found.group("path") or "/", found.group("priv").strip()
                return PermissionDenied(
                    f"Proxmox VE token {self.token_id} lacks {priv} on {path} ({what})",
                    f"grant a role with {priv} on {path} to the token (pveum acl modify)",
                )
            return PermissionDenied(f"Proxmox VE refused {what} for token {self.token_id}: {message}")
        lowered = message.lower()
        if any(text in lowered for text in STALE_MESSAGES):
            return StaleError(
                f"the guest config changed on Proxmox VE since it was read ({what})", "run `netmox plan` again"
            )
        if "no quorum" in lowered:
            return RemoteError(
                f"the Proxmox VE cluster has lost quorum: {what} refused",
                "writes are refused until a majority of nodes is back online",
            )
        if status in RETRY_STATUSES:
            return _Transient(f"{where} answered {status} to {what}: {message}", "retry later")
        if status == 595:
            return ConnectionFailed(f"{where} cannot reach the node for {what}: {message}", "is the node online?")
        return RemoteError(f"Proxmox VE refused {what} ({status}): {message}")


class NotJson(ValueError):
    """A 2xx answer that is not PVE's ``{"data": …}`` JSON; ``str()`` says what it was instead."""


class StrictJson(JsonSerializer):
    """proxmoxer's serializer, but a body that is not ``{"data": …}`` JSON raises instead of passing as data."""

    def loads(self, response: requests.Response) -> Any:
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if media and media not in JSON_TYPES and not media.endswith("+json"):
            raise NotJson(media)
        if not response.content.strip():
            raise NotJson("an empty body")
        try:
            body = json.loads(response.content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise NotJson(f"truncated or malformed JSON ({exc})") from None
        if not isinstance(body, dict) or "data" not in body:
            raise NotJson(f"JSON without a data member ({type(body).__name__})")
        return body["data"]

    def loads_errors(self, response: requests.Response) -> Any:
        """Field errors of a 4xx/5xx, or None when its body is not JSON (an HTML error page)."""
        try:
            body = json.loads(response.text)
        except (UnicodeDecodeError, ValueError):
            return None
        return body.get("errors") if isinstance(body, dict) else None


class _Transient(ConnectionFailed):
    """A failure worth retrying for an idempotent request (refused, timed out, proxy error)."""


def _retryable(error: NetmoxError) -> bool:
    return isinstance(error, _Transient)


def _message(exc: ResourceException) -> str:
    """PVE's message (proxmoxer puts the HTTP reason, which PVE sets to it, in ``content``) plus field errors."""
    text = str(exc.content or exc.status_message or "").strip().splitlines()
    message = text[0] if text else ""
    if isinstance(exc.errors, dict) and exc.errors:
        fields = "; ".join(f"{key}: {str(value).strip()}" for key, value in sorted(exc.errors.items()))
        message = f"{message} {fields}".strip()
    return message


def _reason(exc: Exception) -> str:
    """The innermost, most specific reason of a requests exception, on one line."""
    reason: Any = exc
    while reason.args and isinstance(reason.args[0], Exception):
        reason = reason.args[0]
    inner = getattr(reason, "reason", None)
    if isinstance(inner, Exception):
        reason = inner
    text = str(reason).splitlines()[0] if str(reason) else type(reason).__name__
    text = text.split(": ", 1)[-1] if text.startswith("<") else text
    # urllib3 wraps the socket error in "HTTPSConnection(host=…): Failed to establish a new connection: …"
    text = text.rsplit("Failed to establish a new connection: ", 1)[-1]
    text = re.sub(r"^HTTPS?Connection\([^)]*\): ", "", text)
    return re.sub(r"^\[Errno -?\d+\] ", "", text)
