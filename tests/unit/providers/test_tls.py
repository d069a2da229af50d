"""TLS verification is on unless turned off explicitly, and turning it off is said once."""

from __future__ import annotations

import logging
from pathlib import Path

from netmox_cli.providers.tls import requests_verify


def test_verification_is_on_by_default():
    assert requests_verify(True, None, "NetBox at https://nb") is True


def test_a_ca_bundle_is_what_requests_verifies_with(tmp_path: Path):
    assert requests_verify(True, tmp_path / "ca.pem", "NetBox at https://nb") == str(tmp_path / "ca.pem")


def test_turning_it_off_wins_over_a_ca_bundle_and_warns_naming_the_server(tmp_path: Path, caplog):
    with caplog.at_level(logging.WARNING, logger="netmox"):
        assert requests_verify(False, tmp_path / "ca.pem", "Proxmox VE at https://pve1:8006") is False
    assert caplog.messages == [
        "warning: TLS verification for Proxmox VE at https://pve1:8006 is off (verify_ssl = false)"
    ]
