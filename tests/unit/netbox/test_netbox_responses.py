"""The shapes of NetBox answers: list pages and rows, GraphQL answers, and which requests are list views."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter

from netmox_cli.providers.netbox import responses
from netmox_cli.providers.netbox.client import is_list_view
from netmox_cli.providers.netbox.responses import ShapeError, check

VM = {
    "id": 7,
    "name": "web01",
    "status": {"value": "active", "label": "Active"},
    "vcpus": 2.0,
    "memory": 2048,
    "custom_fields": {"proxmox_vmid": 101, "proxmox_type": "qemu"},
    "tags": [{"id": 1, "name": "prod", "slug": "prod"}],
    "device": {"id": 3, "name": "pve1"},
    "platform": None,
    "last_updated": "2026-12-02T10:00:00Z",
}


@pytest.mark.parametrize(
    ("adapter", "answer"),
    [
        (responses.LIST_PAGE, {"count": 0, "next": None, "previous": None, "results": []}),
        (responses.LIST_PAGE, {"count": None, "next": "http://nb/api/x/?start=9", "results": [{"id": 1}]}),
        (responses.VIRTUAL_MACHINES, [VM]),
        (responses.VIRTUAL_MACHINES, [{"id": 8, "name": "bare", "custom_fields": {}}]),
        (responses.DEVICES, [{"id": 3, "name": "pve1", "status": {"value": "active"}}]),
        (responses.DEVICES, [{"id": 4, "name": None}]),  # NetBox devices may be unnamed
        (responses.INTERFACES, [{"id": "5", "name": "net0", "virtual_machine": {"id": "7"}, "ip_addresses": []}]),
        (responses.DISKS, [{"id": "6", "name": "scsi0", "size": 32768, "virtual_machine": {"id": "7"}}]),
        (responses.GRAPHQL, {"data": {"items": []}}),
    ],
)
def test_the_answers_netbox_gives_pass_unchanged(adapter: TypeAdapter[Any], answer: Any) -> None:
    assert check(adapter, answer) is answer


@pytest.mark.parametrize(
    ("adapter", "answer", "message"),
    [
        (responses.LIST_PAGE, {}, "{}, not a list page (results: Field required)"),
        (responses.LIST_PAGE, {"results": None}, '{"results": null}, not a list page'),
        (responses.LIST_PAGE, [], "[], not a list page"),
        (responses.VIRTUAL_MACHINES, [{"id": 1}], "not a list of virtual machines (0.name: Field required)"),
        (responses.VIRTUAL_MACHINES, [{**VM, "memory": "lots"}], "(0.memory: Input should be a valid integer"),
        (responses.VIRTUAL_MACHINES, [{**VM, "tags": ["prod"]}], "(0.tags.0: Input should be a valid dictionary"),
        (responses.DEVICES, [{"name": "pve1"}], "not a list of devices (0.id: Field required)"),
        (responses.INTERFACES, [{"id": 5, "name": "net0"}], "(0.virtual_machine: Field required)"),
        (responses.DISKS, None, "null, not a list of virtual disks"),
        (responses.GRAPHQL, {"items": []}, '{"items": []}, not a GraphQL answer with data (data: Field required)'),
        (responses.GRAPHQL, {"data": None}, '{"data": null}, not a GraphQL answer with data'),
    ],
)
def test_anything_else_is_refused_saying_what_came_back(adapter: TypeAdapter[Any], answer: Any, message: str) -> None:
    with pytest.raises(ShapeError) as caught:
        check(adapter, answer)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("path", "listed"),
    [
        ("/api/virtualization/virtual-machines/", True),
        ("/api/dcim/devices/", True),
        ("/netbox/api/extras/custom-fields/", True),  # NetBox under a path prefix
        ("/api/dcim/devices/12/", False),
        ("/api/status/", False),
        ("/api/authentication-check/", False),
        ("/api/", False),
        ("/graphql/", False),
    ],
)
def test_list_views_are_the_two_segment_api_paths(path: str, listed: bool) -> None:
    assert is_list_view(path) is listed
