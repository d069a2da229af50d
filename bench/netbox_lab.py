"""The NetBox side of a benchmark lab: a private real NetBox, seeded in bulk through its API.

The server is the project's own ``scripts/netbox-test-server``, pointed at a bench-only cache folder
and database (``bench/.work/netbox``, ``netmox_bench``) so the benchmark's thousands of objects never
land in the database other test runs use. The NetBox install and the migrated dump are shared with the
test cache by symlinks; nothing is migrated here (the dump must exist: run the NetBox tests once).

Seeding uses list POSTs (one request per object type per 200 objects), in dependency order: site,
device role/type, devices, platforms, tags, virtual machines, interfaces, MAC addresses (then the
interfaces' primary MAC), IP addresses, virtual disks.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from netmox_cli.config.schema import NetboxSide
from netmox_cli.model.state import ClusterState
from netmox_cli.providers.netbox import NetboxProvider
from netmox_cli.providers.netbox.mapping import slugify

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "netbox-test-server"
VERSION = os.environ.get("NETMOX_NETBOX_VERSION", "4.7.3")
SHARED_CACHE = Path(os.environ.get("NETMOX_TEST_CACHE") or Path.home() / ".cache" / "netmox-test")
DB_NAME = "netmox_bench"
CHUNK = 200

CONFIGURATION = """# Written by bench/netbox_lab.py: a throwaway NetBox for the benchmark, loopback only.
ALLOWED_HOSTS = ['127.0.0.1', 'localhost']
SECRET_KEY = {secret!r}
API_TOKEN_PEPPERS = {{1: {pepper!r}}}
DATABASES = {{'default': {{'ENGINE': 'django.db.backends.postgresql', 'NAME': {db!r}, 'USER': 'postgres',
    'PASSWORD': '', 'HOST': '127.0.0.1', 'PORT': '5432', 'CONN_MAX_AGE': 300, 'CONN_HEALTH_CHECKS': True}}}}
REDIS = {{
    'tasks': {{'HOST': '127.0.0.1', 'PORT': 6379, 'PASSWORD': '', 'DATABASE': 13, 'SSL': False}},
    'caching': {{'HOST': '127.0.0.1', 'PORT': 6379, 'PASSWORD': '', 'DATABASE': 14, 'SSL': False}},
}}
RELEASE_CHECK_URL = None
CENSUS_REPORTING_ENABLED = False
MAX_PAGE_SIZE = 1000
"""


class NetboxUnavailable(RuntimeError):
    """The private NetBox could not be started (the reason is in the message)."""


def _server_env(workdir: Path) -> dict[str, str]:
    return {**os.environ, "NETMOX_TEST_CACHE": str(workdir), "NETMOX_TEST_DB": DB_NAME}


def _prepare_cache(workdir: Path) -> None:
    """Link the shared NetBox install and migrated dump; write a configuration with bench-only DB and Redis."""
    import secrets

    workdir.mkdir(parents=True, exist_ok=True)
    for name in (f"netbox-{VERSION}-venv", f"netbox-{VERSION}-migrated.dump"):
        source, link = SHARED_CACHE / name, workdir / name
        if not source.exists():
            raise NetboxUnavailable(f"{source} is missing: run the NetBox tests once (they install and migrate)")
        if not link.exists():
            link.symlink_to(source)
    root = workdir / f"netbox-{VERSION}-root"
    for sub in ("conf", "media", "reports", "scripts", "static"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    conf = root / "conf" / "configuration.py"
    if not conf.exists():
        conf.write_text(
            CONFIGURATION.format(secret=secrets.token_urlsafe(45), pepper=secrets.token_urlsafe(45), db=DB_NAME)
        )


def start_server(workdir: Path, *, fresh: bool = False) -> dict[str, str]:
    """Start the bench NetBox, or reuse it if it already runs (``fresh``: restart with an empty database).

    A newly started server always gets an empty database (restored from the migrated dump).
    """
    _prepare_cache(workdir)
    command = [str(SCRIPT), "start", "--json", *(["--fresh"] if fresh else [])]
    proc = subprocess.run(command, env=_server_env(workdir), capture_output=True, text=True)
    if proc.returncode != 0:
        raise NetboxUnavailable(f"netbox-test-server failed: {proc.stderr.strip()[-600:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def stop_worker(info: dict[str, Any], workdir: Path, timeout: float = 60.0) -> bool:
    """Stop the bench NetBox's RQ worker (the apply rows need no webhooks); True when it is not running.

    NetBox 4.7 indexes its search cache in a background job per written object when a worker runs (a 200-guest
    import leaves ~1,400 jobs, minutes of work that would slow the next measurement); without a worker it
    indexes inside the request, so each measurement carries all of NetBox's cost and leaves nothing behind.
    Only a worker of this bench's own NetBox (its command line names ``workdir``) is stopped; the next
    ``start_server`` starts it again.
    """
    import signal
    import time

    pid = info.get("worker_pid")
    if not pid:
        return True
    try:
        command = Path(f"/proc/{int(pid)}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return True  # not running
    if "rqworker" not in command or str(workdir.resolve()) not in command:
        return False  # not the bench's worker: never touched
    os.kill(int(pid), signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Path(f"/proc/{int(pid)}").exists():
            return True
        time.sleep(0.2)
    return False


def stop_server(workdir: Path) -> None:
    subprocess.run([str(SCRIPT), "stop"], env=_server_env(workdir), capture_output=True, text=True)


def section(url: str, token: str, timeout: float = 30.0) -> NetboxSide:
    return NetboxSide(type="netbox", url=url, token=SecretStr(token), timeout=timeout)


def _chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _bulk_create(endpoint: Any, payloads: list[dict[str, Any]]) -> list[int]:
    """List POSTs of ``CHUNK`` objects; the ids come back in payload order."""
    ids: list[int] = []
    for chunk in _chunks(payloads):
        ids.extend(record.id for record in endpoint.create(chunk))
    return ids


def _get_or_create(endpoint: Any, name: str, **extra: Any) -> int:
    record = endpoint.get(slug=slugify(name))
    return (record or endpoint.create(name=name, slug=slugify(name), **extra)).id


def _ensure_named(endpoint: Any, names: Iterable[str]) -> dict[str, int]:
    """Ids of named objects (tags, platforms), creating the missing ones with one list POST."""
    wanted = sorted(set(names))
    found = {record.name: record.id for record in endpoint.filter(name=wanted, limit=1000)} if wanted else {}
    missing = [name for name in wanted if name not in found]
    if missing:
        created = _bulk_create(endpoint, [{"name": n, "slug": slugify(n)} for n in missing])
        found.update(zip(missing, created, strict=True))
    return found


def seeded_count(url: str, token: str, cluster: str) -> int:
    """How many VMs ``cluster`` already holds (0 when it does not exist)."""
    provider = NetboxProvider(section(url, token), cluster=cluster)
    try:
        record = provider.client.api.virtualization.clusters.get(name=cluster)
        return 0 if record is None else provider.client.api.virtualization.virtual_machines.count(cluster_id=record.id)
    finally:
        provider.close()


def seed(url: str, token: str, state: ClusterState, cluster: str) -> int:
    """Write ``state`` (a NetBox-side ClusterState) into ``cluster``; returns the number of API requests made.

    The objects are those an import writes, by the apply floor's bulk writer (``apply_floor``, which builds on
    this module's helpers, hence the import here)."""
    from bench import apply_floor

    refs = apply_floor.prepare(url, token, state, cluster)
    api, counted = apply_floor.connect(url, token)
    apply_floor.create_guests(api, refs, state.guests, journal=False)
    return counted.take()["total"]
