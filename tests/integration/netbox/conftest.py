"""Fixtures for the NetBox provider against the real NetBox: each test gets its own cluster."""

from __future__ import annotations

import pytest

from netmox_cli.providers.netbox import NetboxProvider
from tests.integration.netbox.seed import unused_prefix
from tests.support.netbox_server import NetboxServer


@pytest.fixture(scope="session")
def initialized(netbox_server: NetboxServer) -> NetboxServer:
    """The server with netmox's custom fields in place (what `netmox init` does)."""
    NetboxProvider(netbox_server.section(), cluster="netmox-init").initialize()
    return netbox_server


@pytest.fixture
def cluster(initialized: NetboxServer) -> str:
    return initialized.fresh_cluster()


@pytest.fixture
def provider(initialized: NetboxServer, cluster: str) -> NetboxProvider:
    section = initialized.section(defaults=initialized.node_defaults(), page_size=1000)
    return NetboxProvider(section, cluster=cluster)


@pytest.fixture
def nb(initialized: NetboxServer):
    """pynetbox api with the admin token, for seeding and inspecting."""
    return initialized.api()


@pytest.fixture
def net(nb) -> str:
    """A /24 prefix ("10.x.y") no IP address in NetBox is in yet: NetBox enforces globally unique IPs."""
    return unused_prefix(nb)
