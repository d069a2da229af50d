"""The real NetBox for tests: a session-scoped ``netbox_server`` fixture backed by scripts/netbox-test-server.

The first test that asks for it starts NetBox (about 15 s with a cached migrated database, 7-8 minutes the
very first time on a machine) and every later test reuses it. A server that was already running is left
running; one the fixture started is stopped at the end of the session unless NETMOX_KEEP_NETBOX=1.
Set NETMOX_SKIP_NETBOX=1 to skip tests marked ``netbox`` instead of starting it.

Helpers isolate tests from each other by giving each one its own cluster (``fresh_cluster``).
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pynetbox
import pytest
from pydantic import SecretStr

from netmox_cli.config.schema import NetboxDefaults, NetboxSide

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "netbox-test-server"


@dataclass
class NetboxServer:
    """A running NetBox: where it is, how to authenticate, and helpers to seed it."""

    url: str
    token: str  # v1: "Authorization: Token <40 hex>"
    token_v2: str  # v2: "nbt_<key>.<secret>", sent as Bearer
    version: str = ""
    _fixtures: dict[str, Any] = field(default_factory=dict, repr=False)

    def api(self, token: str | None = None) -> pynetbox.api:
        """A pynetbox api for seeding and inspecting NetBox directly (admin token by default)."""
        return pynetbox.api(self.url, token=token or self.token)

    def section(self, token: str | None = None, **overrides: Any) -> NetboxSide:
        """A netmox.toml ``[connections.X.netbox]`` section pointing at this server."""
        data: dict[str, Any] = {"type": "netbox", "url": self.url, "token": SecretStr(token or self.token)}
        data.update(overrides)
        return NetboxSide(**data)

    def fresh_cluster(self, prefix: str = "t") -> str:
        """A new, empty cluster (type "Proxmox VE") in a new site of the same name; tests never share one.

        Device names are unique per site in NetBox, so a site per cluster lets every test have its "pve1".
        """
        api = self.api()
        cluster_type = api.virtualization.cluster_types.get(
            slug="proxmox-ve"
        ) or api.virtualization.cluster_types.create(name="Proxmox VE", slug="proxmox-ve")
        name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        site = api.dcim.sites.create(name=name, slug=name)
        api.virtualization.clusters.create(
            name=name, type=cluster_type.id, status="active", scope_type="dcim.site", scope_id=site.id
        )
        return name

    def node_defaults(self) -> NetboxDefaults:
        """A device role and device type that exist (created once per session), as netmox defaults.

        No site: netmox then puts new devices in the site the cluster is scoped to.
        """
        if "defaults" not in self._fixtures:
            api = self.api()
            role = api.dcim.device_roles.get(slug="pve-node") or api.dcim.device_roles.create(
                name="PVE node", slug="pve-node", color="ff9800"
            )
            maker = api.dcim.manufacturers.get(slug="generic") or api.dcim.manufacturers.create(
                name="Generic", slug="generic"
            )
            dtype = api.dcim.device_types.get(slug="server") or api.dcim.device_types.create(
                manufacturer=maker.id, model="Server", slug="server"
            )
            self._fixtures["defaults"] = NetboxDefaults(device_role=role.name, device_type=dtype.model)
        return self._fixtures["defaults"]

    def read_only_token(self) -> str:
        """A v1 token of the admin user with write_enabled = false."""
        if "ro_token" not in self._fixtures:
            api = self.api()
            user = api.users.users.get(username="netmox-admin")
            token = api.users.tokens.create(user=user.id, version=1, write_enabled=False, description="read only")
            self._fixtures["ro_token"] = token.token
        return self._fixtures["ro_token"]


def start_server() -> tuple[dict[str, Any], bool]:
    """Start (or reuse) the test server; returns its description and whether it was already running."""
    was_running = subprocess.run([str(SCRIPT), "status"], capture_output=True, text=True).returncode == 0
    result = subprocess.run([str(SCRIPT), "start", "--json"], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"could not start the NetBox test server:\n{result.stderr[-3000:]}", pytrace=False)
    return json.loads(result.stdout.strip().splitlines()[-1]), was_running


@pytest.fixture(scope="session")
def netbox_server() -> Iterator[NetboxServer]:
    if os.environ.get("NETMOX_SKIP_NETBOX") == "1":
        pytest.skip("NETMOX_SKIP_NETBOX=1")
    info, was_running = start_server()
    yield NetboxServer(url=info["url"], token=info["token"], token_v2=info["token_v2"], version=info["version"])
    if not was_running and os.environ.get("NETMOX_KEEP_NETBOX") != "1":
        subprocess.run([str(SCRIPT), "stop"], capture_output=True)
