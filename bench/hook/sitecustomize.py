"""Counts the HTTP requests a process sends through ``requests``, per host, when NETMOX_BENCH_COUNTS is set.

The benchmark puts this folder on PYTHONPATH of the `netmox plan` subprocess; at exit the counts are
written as JSON to the file NETMOX_BENCH_COUNTS names. Without the variable it does nothing.
"""

import atexit
import json
import os
import re
from collections import Counter
from urllib.parse import urlsplit

_TARGET = os.environ.get("NETMOX_BENCH_COUNTS")
_NUMBER = re.compile(r"/\d+")

if _TARGET:
    import requests.sessions

    _counts: Counter = Counter()
    _send = requests.sessions.Session.send

    def _counting_send(self, request, **kwargs):  # type: ignore[no-untyped-def]
        parts = urlsplit(request.url)
        _counts[parts.netloc] += 1
        path = _NUMBER.sub("/{id}", parts.path)
        _counts[f"{parts.netloc} {request.method} {path}"] += 1
        return _send(self, request, **kwargs)

    requests.sessions.Session.send = _counting_send  # type: ignore[method-assign]

    @atexit.register
    def _dump() -> None:
        with open(_TARGET, "w", encoding="utf-8") as handle:
            json.dump(dict(_counts), handle)
