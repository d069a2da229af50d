"""Fixtures for the Proxmox VE provider against fakepve over HTTPS (TLS verified with fakepve's CA)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from netmox_cli.providers.proxmox import ProxmoxProvider
from tests.support.fakepve_lab import LabPve, proxmox_section, seed_lab


@pytest.fixture
def lab(pve_lab: LabPve) -> LabPve:
    """The standard seeded lab (see tests/support/fakepve_lab.py)."""
    seed_lab(pve_lab)
    return pve_lab


@pytest.fixture
def provider(lab: LabPve, fakepve_cafile: str) -> Iterator[ProxmoxProvider]:
    provider = ProxmoxProvider(proxmox_section(lab, fakepve_cafile))
    try:
        yield provider
    finally:
        provider.close()
