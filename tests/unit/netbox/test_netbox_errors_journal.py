"""NetBox failures become one-line netmox errors by status code; journal entries read like the issue says."""

from __future__ import annotations

import json

import pytest
import requests

from netmox_cli.errors import AuthenticationFailed, ConflictError, ConnectionFailed, PermissionDenied, RemoteError
from netmox_cli.model.state import Guest
from netmox_cli.providers.base import ApplyContext, WriteRequest
from netmox_cli.providers.netbox.client import translate_request_error, validation_detail
from netmox_cli.providers.netbox.journal import journal_text

URL = "https://netbox.example"


def response(status: int, body, method: str = "GET") -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp._content = json.dumps(body).encode() if not isinstance(body, str) else body.encode()
    resp.request = requests.Request(method, URL + "/api/x/").prepare()
    return resp


def test_401_is_an_authentication_failure():
    error = translate_request_error(URL, response(401, {"detail": "Invalid token"}), "devices")
    assert isinstance(error, AuthenticationFailed)
    assert "Invalid token" in error.message


def test_netbox_s_403_for_an_invalid_token_is_a_rejected_token_not_a_permission_error():
    error = translate_request_error(URL, response(403, {"detail": "Invalid v1 token"}), "custom fields")
    assert isinstance(error, AuthenticationFailed)
    assert error.message == f"NetBox at {URL} rejected the token (Invalid v1 token)"


def test_403_on_a_write_says_the_token_lacks_write_permission():
    error = translate_request_error(URL, response(403, {"detail": "denied"}, "PATCH"), "VM 101 (web01)")
    assert isinstance(error, PermissionDenied)
    assert error.message.startswith(f"NetBox at {URL} refused to change VM 101 (web01): the token lacks write")


def test_403_on_a_read_is_a_permission_error_without_write_wording():
    error = translate_request_error(URL, response(403, {"detail": "denied"}), "devices")
    assert isinstance(error, PermissionDenied)
    assert "write" not in error.message


def test_duplicate_name_is_a_conflict_naming_the_object():
    body = {"__all__": ["Virtual machine name must be unique per cluster and tenant."]}
    error = translate_request_error(URL, response(400, body, "POST"), "creating VM 102 (web01)")
    assert isinstance(error, ConflictError)
    assert error.message == (
        "NetBox rejected creating VM 102 (web01): Virtual machine name must be unique per cluster and tenant."
    )


def test_validation_error_names_the_field():
    body = {"memory": ["Ensure this value is greater than or equal to 0."]}
    error = translate_request_error(URL, response(400, body, "PATCH"), "updating VM 101")
    assert isinstance(error, RemoteError)
    assert (
        error.message
        == "NetBox rejected updating VM 101: field memory Ensure this value is greater than or equal to 0."
    )


def test_nested_custom_field_errors_name_the_custom_field():
    assert validation_detail({"custom_fields": {"proxmox_type": ["bad"]}}) == ("custom_fields.proxmox_type", "bad")


def test_404_points_at_the_url():
    assert isinstance(translate_request_error(URL, response(404, "nope"), "devices"), ConnectionFailed)


@pytest.mark.parametrize("status", [500, 502])
def test_server_errors_are_remote_errors(status):
    assert isinstance(translate_request_error(URL, response(status, "boom"), "devices"), RemoteError)


def test_journal_entry_for_an_update_lists_each_changed_property():
    request = WriteRequest(
        change_id="c/qemu/101#netbox",
        action="update",
        kind="qemu",
        current=Guest(vmid=101, kind="qemu", memory_mib=2048, vcpus=2.0),
        desired=Guest(vmid=101, kind="qemu", memory_mib=4096, vcpus=2.0),
        fields=["memory", "vcpus"],
        context=ApplyContext(run_id=42, source_label="Proxmox VE"),
    )
    assert journal_text(request) == "netmox run 42: memory 2048 → 4096 MiB, from Proxmox VE"


def test_journal_entry_for_a_create_without_run_id():
    request = WriteRequest(
        change_id="c/qemu/101#netbox", action="create", kind="qemu", desired=Guest(vmid=101, kind="qemu")
    )
    assert journal_text(request) == "netmox: created"
