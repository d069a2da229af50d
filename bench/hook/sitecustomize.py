"""Counts the HTTP requests a process sends through ``requests``, per host, when NETMOX_BENCH_COUNTS is set.

The benchmark puts this folder on PYTHONPATH of the `netmox plan` subprocess; at exit the counts are
written as JSON to the file NETMOX_BENCH_COUNTS names. Without the variable it does nothing. Keys: ``host:port``
and ``host:port METHOD /path/{id}`` (counts), ``time host:port METHOD /path/{id}`` (seconds until the answer,
summed: where an apply's time goes, stage by stage).
"""

import atexit
import json
import os
import re
import time
from collections import Counter
from urllib.parse import urlsplit

_TARGET = os.environ.get("NETMOX_BENCH_COUNTS")
_NUMBER = re.compile(r"/\d+")

if _TARGET:
    import requests.sessions

    _counts: Counter = Counter()
    _seconds: Counter = Counter()
    _send = requests.sessions.Session.send

    def _counting_send(self, request, **kwargs):  # type: ignore[no-untyped-def]
        parts = urlsplit(request.url)
        _counts[parts.netloc] += 1
        path = _NUMBER.sub("/{id}", parts.path)
        key = f"{parts.netloc} {request.method} {path}"
        _counts[key] += 1
        start = time.perf_counter()
        try:
            return _send(self, request, **kwargs)
        finally:
            _seconds[f"time {key}"] += time.perf_counter() - start

    requests.sessions.Session.send = _counting_send  # type: ignore[method-assign]

    @atexit.register
    def _dump() -> None:
        with open(_TARGET, "w", encoding="utf-8") as handle:
            json.dump({**_counts, **{k: round(v, 3) for k, v in _seconds.items()}}, handle)
