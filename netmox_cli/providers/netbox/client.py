"""The connection to one NetBox: a pynetbox api on a configured session, and the one place where
library exceptions become netmox errors (by exception class and HTTP status code).

Every answer passes ``check_answer`` (a response hook on the session) before pynetbox sees it: a 2xx
that is not JSON (a proxy's login page), and a list view's answer that is not a list page (``{}``,
which pynetbox would read as one empty record), are an ``InvalidResponse`` naming the request.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import pynetbox
import requests
from pynetbox.core.query import ContentError, RequestError

from netmox_cli.config.schema import NetboxSide
from netmox_cli.errors import (
    AuthenticationFailed,
    ConfigError,
    ConflictError,
    ConnectionFailed,
    InvalidResponse,
    NetmoxError,
    PermissionDenied,
    RemoteError,
    TLSError,
)
from netmox_cli.providers.netbox import responses
from netmox_cli.providers.netbox.responses import ShapeError
from netmox_cli.providers.tls import requests_verify

ENV_URL = "NETBOX_URL"
ENV_TOKEN = "NETBOX_TOKEN"
_WRITE_VERBS = {"POST": "create", "PUT": "change", "PATCH": "change", "DELETE": "delete"}
JSON_TYPES = frozenset({"application/json", "application/vnd.oai.openapi+json"})
NOT_THE_API = "check netbox.url and any proxy in between"


class TimeoutSession(requests.Session):
    """A session whose requests all carry the configured timeout and TLS verification.

    requests has no session-wide timeout, and lets environment variables override ``session.verify``.
    """

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self.timeout)
        kwargs.setdefault("verify", self.verify)  # else $REQUESTS_CA_BUNDLE would override the configured CA bundle
        return super().request(method, url, *args, **kwargs)


class NetboxClient:
    """pynetbox api + session for one NetBox; ``guard()`` translates failures into ``NetmoxError``s."""

    def __init__(self, section: NetboxSide) -> None:
        url = section.url or os.environ.get(ENV_URL)
        token = section.token.get_secret_value() if section.token else os.environ.get(ENV_TOKEN)
        if not url:
            raise ConfigError("netbox.url is not set", f"set it in netmox.toml or export {ENV_URL}")
        if not token:
            raise ConfigError("netbox.token is not set", f"set it in netmox.toml or export {ENV_TOKEN}")
        self.url = url.rstrip("/")
        self.api = pynetbox.api(self.url, token=token)
        session = TimeoutSession(section.timeout)
        session.verify = requests_verify(section.verify_ssl, section.ca_bundle, f"NetBox at {self.url}")
        session.hooks["response"].append(self.check_answer)
        self.api.http_session = session

    def check_answer(self, response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
        """Refuse a 2xx answer that is not NetBox's JSON, or a list view's answer that is not a list page."""
        if not 200 <= response.status_code < 300 or response.status_code == 204:
            return
        method = response.request.method if response.request is not None else "GET"
        path = urlsplit(response.url).path
        what = f"{method} {path}"
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if media and media not in JSON_TYPES and not media.endswith("+json"):
            raise InvalidResponse(f"NetBox at {self.url} answered {what} with {media}, not the API's JSON", NOT_THE_API)
        if method != "GET" or not is_list_view(path):
            return
        try:
            body = response.json()
        except ValueError as exc:
            raise InvalidResponse(
                f"NetBox at {self.url} answered {what} with truncated or malformed JSON ({exc})", NOT_THE_API
            ) from None
        try:
            responses.check(responses.LIST_PAGE, body)
        except ShapeError as error:
            raise InvalidResponse(f"NetBox at {self.url} answered {what} with {error}", NOT_THE_API) from None

    def invalid(self, what: str, error: ShapeError) -> InvalidResponse:
        """The error for an answer to ``what`` whose rows are not what netmox reads."""
        return InvalidResponse(f"NetBox at {self.url} answered {what} with {error}", NOT_THE_API)

    @property
    def session(self) -> requests.Session:
        return self.api.http_session

    def auth_headers(self) -> dict[str, str]:
        """The Authorization header pynetbox would send: v2 tokens (``nbt_…``) as Bearer, v1 as Token."""
        token = self.api.token
        scheme = "Bearer" if token.startswith("nbt_") else "Token"
        return {"Authorization": f"{scheme} {token}", "Accept": "application/json"}

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET an API path (``status/``) that pynetbox has no endpoint object for."""
        with self.guard(f"GET /api/{path}"):
            response = self.session.get(f"{self.url}/api/{path}", headers=self.auth_headers(), params=params)
            if not response.ok:
                raise RequestError(response)
            try:
                return response.json()
            except ValueError:
                raise ContentError(response) from None

    def send(self, method: str, path: str, body: Any, what: str, timeout: float | None = None) -> Any:
        """One write (``POST``/``PATCH``/``DELETE`` of an object or a list of them) on an API path such as
        ``virtualization/virtual-machines/``; the answer's JSON (None for 204). Bulk writes go through here,
        not pynetbox, so a list of 200 objects is not turned into 200 Records only to read their ids.
        ``timeout`` overrides the session's (a list of objects takes NetBox longer than one)."""
        with self.guard(what):
            url = f"{self.url}/api/{path}"
            extra = {"timeout": timeout} if timeout is not None else {}
            response = self.session.request(method, url, headers=self.auth_headers(), json=body, **extra)
            if not response.ok:
                raise RequestError(response)
            if response.status_code == 204 or not response.content:
                return None
            try:
                return response.json()
            except ValueError:
                raise ContentError(response) from None

    def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """POST a GraphQL query; GraphQL-level errors become a RemoteError naming the first one."""
        with self.guard("GraphQL query"):
            response = self.session.post(
                f"{self.url}/graphql/", headers=self.auth_headers(), json={"query": query, "variables": variables}
            )
            if not response.ok:
                raise RequestError(response)
            try:
                body = response.json()
            except ValueError:
                raise ContentError(response) from None
        if isinstance(body, dict) and body.get("errors"):
            first = body["errors"][0] if isinstance(body["errors"], list) and body["errors"] else body["errors"]
            message = first.get("message") if isinstance(first, dict) else first
            raise RemoteError(f"NetBox at {self.url} rejected a GraphQL query: {message}")
        try:
            return responses.check(responses.GRAPHQL, body)["data"]
        except ShapeError as error:
            raise self.invalid("POST /graphql/", error) from None

    @contextmanager
    def guard(self, what: str) -> Iterator[None]:
        """Run a NetBox call; turn requests/pynetbox exceptions into one-line netmox errors about ``what``."""
        try:
            yield
        except NetmoxError:
            raise
        except requests.exceptions.SSLError as exc:
            raise TLSError(
                f"TLS verification failed for NetBox at {self.url} ({_root_cause(exc)})",
                "set netbox.ca_bundle to the CA that signed its certificate (or verify_ssl = false for a lab)",
            ) from None
        except requests.exceptions.Timeout:
            raise ConnectionFailed(
                f"NetBox at {self.url} did not answer in time ({what})", "raise netbox.timeout or check the server"
            ) from None
        except requests.exceptions.ConnectionError as exc:
            raise ConnectionFailed(
                f"cannot reach NetBox at {self.url} ({_root_cause(exc)})", "check netbox.url and that NetBox is running"
            ) from None
        except requests.exceptions.InvalidURL:
            raise ConfigError(f"netbox.url {self.url!r} is not a valid URL") from None
        except ContentError as exc:
            response = exc.req
            request = f"{response.request.method} {urlsplit(response.url).path}" if response.request else what
            raise InvalidResponse(
                f"NetBox at {self.url} answered {request} with truncated or malformed JSON", NOT_THE_API
            ) from None
        except RequestError as exc:
            raise translate_request_error(self.url, exc.req, what) from None


def is_list_view(path: str) -> bool:
    """``/api/dcim/devices/`` is a list view; ``/api/dcim/devices/12/``, ``/api/status/`` and ``/graphql/`` are not."""
    _, api, rest = path.partition("/api/")
    parts = [part for part in rest.split("/") if part]
    return bool(api) and len(parts) == 2 and not parts[-1].isdigit()


def _root_cause(exc: BaseException) -> str:
    """The innermost reason of a requests error (``Connection refused``), short enough for one line."""
    cause: BaseException = exc
    while True:
        nxt = cause.__cause__ or cause.__context__ or (cause.args[0] if cause.args else None)
        if not isinstance(nxt, BaseException) or nxt is cause:
            break
        cause = nxt
    text = str(cause).rsplit("] ", 1)[-1]  # drop "[Errno 111] " / "[SSL: …] " prefixes
    text = re.sub(r"\s*\(_ssl\.c:\d+\)", "", text)
    return " ".join(text.split())[:160]


def validation_detail(body: Any) -> tuple[str, str]:
    """(field, message) of the first problem in a NetBox 400 body (``{"name": ["…"]}`` or a list of those)."""
    if isinstance(body, list):
        body = next((item for item in body if item), {})
    if isinstance(body, dict) and body:
        field, messages = next(iter(body.items()))
        if isinstance(messages, dict):  # nested serializer errors, e.g. custom_fields
            sub_field, sub_messages = next(iter(messages.items()))
            field, messages = f"{field}.{sub_field}", sub_messages
        message = messages[0] if isinstance(messages, list) and messages else messages
        return ("" if field in ("__all__", "non_field_errors", "detail") else field), str(message)
    return "", str(body)


def _is_token_rejection(detail: object) -> bool:
    text = str(detail or "").lower()
    return "token" in text and any(word in text for word in ("invalid", "expired", "disabled", "not valid"))


def translate_request_error(url: str, response: requests.Response, what: str) -> NetmoxError:
    """Map a failed NetBox response to the netmox error for its status code."""
    status = response.status_code
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text[:200]
    detail = body.get("detail") if isinstance(body, dict) and "detail" in body else None
    method = response.request.method if response.request is not None else "GET"
    # NetBox answers an unknown or expired token with 403, not 401 (DRF renders AuthenticationFailed as 403
    # when the scheme sends no WWW-Authenticate header); only its detail tells the two apart.
    rejected_token = status == 403 and _is_token_rejection(detail)
    if status == 401 or rejected_token:
        return AuthenticationFailed(
            f"NetBox at {url} rejected the token ({detail or 'unauthorized'})", "check netbox.token"
        )
    if status == 403:
        verb = _WRITE_VERBS.get(method or "GET")
        if verb:
            return PermissionDenied(
                f"NetBox at {url} refused to {verb} {what}: the token lacks write permission ({detail or 'forbidden'})",
                "use a token with write enabled and change permission on the object type",
            )
        return PermissionDenied(f"NetBox at {url} refused {what}: {detail or 'forbidden'}", "check netbox.token")
    if status == 404:
        return ConnectionFailed(f"NetBox at {url} has no {what} (404)", "check netbox.url and the NetBox version")
    if status == 400:
        field, message = validation_detail(body)
        where = f" field {field}" if field else ""
        text = f"NetBox rejected {what}:{where} {message}"
        if any(word in message.lower() for word in ("unique", "already exists", "duplicate")):
            return ConflictError(text, "rename or remove the existing object in NetBox")
        return RemoteError(text)
    if status >= 500:
        return RemoteError(f"NetBox at {url} failed on {what} ({status})", "see the NetBox server log")
    return RemoteError(f"NetBox at {url} answered {status} to {what}: {detail or body}")
