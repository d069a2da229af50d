"""The HTTP side of ``netmox watch``: ``POST /webhook/netbox``, ``GET /healthz``, ``GET /metrics``.

The standard library's threading HTTP server is enough here: NetBox's RQ worker sends one request at a
time per job, the handler only verifies, parses and enqueues (planning happens on the watch loop's own
thread), and no new dependency has to be trusted with a port. An unsigned or badly signed request gets
403 and one log line, and never reaches the parser.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from netmox_cli.render.safe import safe
from netmox_cli.watch import signature
from netmox_cli.watch.events import BadEvent
from netmox_cli.watch.status import Status

log = logging.getLogger("netmox_cli.watch")
WEBHOOK_PATH = "/webhook/netbox"
MAX_BODY = 4 * 1024 * 1024  # a VM with hundreds of interfaces serializes to well under this


class WatchServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], secret: str, status: Status, accept: Callable[[bytes], str]) -> None:
        super().__init__(address, Handler)
        self.secret = secret
        self.status = status
        self.accept = accept  # parses and enqueues a verified body; returns what it did, for the log

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="watch-http", daemon=True)
        thread.start()
        return thread


class Handler(BaseHTTPRequestHandler):
    server: WatchServer
    server_version = "netmox-watch"

    def log_message(self, format: str, *args: Any) -> None:  # the access log: debug only
        log.debug("%s %s", self.address_string(), format % args)

    def _send(self, status: int, body: str, content_type: str = "text/plain; charset=utf-8") -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/healthz":
            code, body = self.server.status.health()
            self._send(code, json.dumps(body, indent=2) + "\n", "application/json")
        elif self.path == "/metrics":
            self._send(200, self.server.status.metrics(), "text/plain; version=0.0.4; charset=utf-8")
        else:
            self._send(404, "not found\n")

    def do_POST(self) -> None:
        if self.path != WEBHOOK_PATH:
            self._send(404, "not found\n")
            return
        status = self.server.status
        status.count("events_received_total")
        try:
            length = int(self.headers.get("Content-Length") or "")
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            status.count("events_rejected_total")
            log.warning("webhook from %s refused: no or oversized Content-Length", self.client_address[0])
            self._send(411 if length < 0 else 413, "a body with a Content-Length is needed\n")
            return
        body = self.rfile.read(length)
        if not signature.verify(body, self.headers.get(signature.HEADER), self.server.secret):
            status.count("events_rejected_total")
            which = "unsigned" if not self.headers.get(signature.HEADER) else "badly signed"
            log.warning("webhook from %s refused (403): %s", self.client_address[0], which)
            self._send(403, "signature missing or wrong\n")
            return
        try:
            done = self.server.accept(body)
        except BadEvent as error:
            status.count("events_rejected_total")
            log.warning("webhook from %s refused (400): %s", self.client_address[0], safe(str(error)))
            self._send(400, "not a NetBox webhook netmox can read\n")
            return
        except Exception as error:  # a bug must cost one event (and one line), never the server
            log.error("webhook from %s: unexpected %s: %s", self.client_address[0], type(error).__name__, error)
            log.debug("traceback", exc_info=True)
            self._send(500, "internal error\n")
            return
        self._send(202, f"{done}\n")
