"""A misbehaving middlebox for tests: an HTTPS reverse proxy on 127.0.0.1 that forwards to a real server
(fakepve, the NetBox test server) and answers chosen requests with something else.

It stands for what users meet in front of their APIs: a proxy's login page served with 200, a load
balancer's error page, ``{"data": null}``, a body cut short, JSON of the wrong shape. Point netmox at
``proxy.url`` (verify TLS with ``fakepve_cafile``: the proxy serves fakepve's test certificate), then
``proxy.answer(r"/cluster/resources$", HTML)``; every request that matches no rule reaches the server
unchanged. ``proxy.seen`` lists the requests that came through (method, path)::

    def test_x(bad_answers, pve_lab):
        proxy = bad_answers(pve_lab.url, cafile)   # or bad_answers(netbox.url)
"""

from __future__ import annotations

import asyncio
import json
import re
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web

HOST = "127.0.0.1"
HOP_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"})
LOGIN_PAGE = "<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>…</form></body></html>"


@dataclass(frozen=True)
class Answer:
    """What the proxy sends instead of the server's answer."""

    body: bytes
    content_type: str = "application/json"
    status: int = 200


def html(page: str = LOGIN_PAGE, status: int = 200) -> Answer:
    return Answer(page.encode(), "text/html; charset=utf-8", status)


def json_answer(value: Any) -> Answer:
    return Answer(json.dumps(value).encode())


def truncated(value: Any) -> Answer:
    """Valid JSON cut off in the middle, as a dropped connection behind a buffering proxy leaves it."""
    text = json.dumps(value)
    return Answer(text[: max(1, len(text) // 2)].encode())


class BadAnswers:
    """The proxy: rules (path regex → answer) over a pass-through to ``upstream``."""

    def __init__(self, upstream: str, certfile: str, keyfile: str, upstream_ca: str | None) -> None:
        self.upstream = upstream.rstrip("/")
        self.rules: list[tuple[re.Pattern[str], str | None, Answer]] = []
        self.seen: list[tuple[str, str]] = []
        self._upstream_ssl = ssl.create_default_context(cafile=upstream_ca) if upstream_ca else None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="bad-answers", daemon=True)
        self._thread.start()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certfile, keyfile)
        self.port = self._call(self._start(context))

    @property
    def url(self) -> str:
        return f"https://{HOST}:{self.port}"

    @property
    def host(self) -> str:
        return f"{HOST}:{self.port}"

    def answer(self, path: str, answer: Answer, method: str | None = "GET") -> None:
        """Answer requests whose path matches the regex ``path`` (and ``method``; None: any) with ``answer``."""
        self.rules.append((re.compile(path), method, answer))

    def clear(self) -> None:
        self.rules.clear()

    def stop(self) -> None:
        self._call(self._runner.cleanup())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    # ------------------------------------------------------------ serving

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(30)

    async def _start(self, context: ssl.SSLContext) -> int:
        self._session = aiohttp.ClientSession(auto_decompress=True)
        app = web.Application(client_max_size=64 * 1024**2)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        app.on_cleanup.append(self._close_session)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, HOST, 0, ssl_context=context)
        await site.start()
        return site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _close_session(self, _app: web.Application) -> None:
        await self._session.close()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append((request.method, request.path))
        for pattern, method, answer in self.rules:
            if pattern.search(request.path) and method in (None, request.method):
                return web.Response(
                    body=answer.body, status=answer.status, headers={"Content-Type": answer.content_type}
                )
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS | {"host"}}
        async with self._session.request(
            request.method,
            self.upstream + request.path_qs,
            headers=headers,
            data=await request.read(),
            ssl=self._upstream_ssl if self._upstream_ssl is not None else False,
            allow_redirects=False,
        ) as upstream:
            body = await upstream.read()
            out = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP_HEADERS}
            return web.Response(body=body, status=upstream.status, headers=out)


@pytest.fixture(scope="module")
def bad_answers(_fakepve_pki: tuple[str, str]) -> Iterator[Callable[..., BadAnswers]]:
    """A factory: ``bad_answers(upstream_url, upstream_ca=None)`` starts a proxy in front of a server."""
    started: list[BadAnswers] = []

    def make(upstream: str, upstream_ca: str | None = None) -> BadAnswers:
        proxy = BadAnswers(upstream, *_fakepve_pki, upstream_ca=upstream_ca)
        started.append(proxy)
        return proxy

    yield make
    for proxy in started:
        proxy.stop()
