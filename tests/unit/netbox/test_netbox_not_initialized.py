"""A NetBox without netmox's custom fields stops the snapshot with one line telling the user what to run."""

from __future__ import annotations

import pytest

from netmox_cli.errors import NotInitialized
from netmox_cli.providers.netbox import snapshot
from netmox_cli.providers.netbox.mapping import PlatformTable


class FakeClient:
    url = "https://netbox.example"


def test_missing_custom_fields_raise_not_initialized_naming_url_and_fields(monkeypatch):
    monkeypatch.setattr(snapshot, "missing_custom_fields", lambda client: ["proxmox_vmid", "proxmox_type"])
    with pytest.raises(NotInitialized) as caught:
        snapshot.read_cluster(FakeClient(), "lab", 100, PlatformTable())
    assert caught.value.one_line() == (
        "NetBox at https://netbox.example lacks netmox's custom fields (proxmox_vmid, proxmox_type); run `netmox init`"
    )
