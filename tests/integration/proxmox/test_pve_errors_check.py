"""Each failure class of the Proxmox VE side gives one clear line; `netmox check` reports what it finds."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from fakepve.certs import make_cert
from pydantic import SecretStr

from netmox_cli.errors import (
    AuthenticationFailed,
    ConnectionFailed,
    PermissionDenied,
    RemoteError,
    TLSError,
)
from netmox_cli.model.state import ObjectKind
from netmox_cli.providers.base import WriteRequest
from netmox_cli.providers.proxmox import ProxmoxProvider
from netmox_cli.providers.proxmox.client import PveClient
from tests.support.fakepve_lab import LabPve, proxmox_section

pytestmark = pytest.mark.fakepve


def memory_update(provider: ProxmoxProvider, vmid: int, mib: int) -> WriteRequest:
    current = next(guest for guest in provider.snapshot().guests if guest.vmid == vmid)
    desired = current.model_copy(update={"memory_mib": mib})
    return WriteRequest(
        change_id="c1", action="update", kind=ObjectKind.QEMU, current=current, desired=desired, fields=["memory"]
    )


def one_line(error: pytest.ExceptionInfo) -> str:
    line = error.value.one_line()
    assert "\n" not in line
    return line


def test_a_wrong_token_secret_is_an_authentication_failure(lab: LabPve, fakepve_cafile: str) -> None:
    provider = ProxmoxProvider(proxmox_section(lab, fakepve_cafile, token_value=SecretStr("wrong")))
    with pytest.raises(AuthenticationFailed) as caught:
        provider.snapshot()
    assert one_line(caught).startswith(f"Proxmox VE at {lab.url} rejected the API token root@pam!netmox; check")
    assert "wrong" not in one_line(caught)


def test_a_missing_privilege_is_named_with_its_path(lab: LabPve, fakepve_cafile: str) -> None:
    lab.apitokens["sync@pve!netmox"] = "s3cret"
    lab.grant("sync@pve!netmox", "/", "VM.Audit", "Sys.Audit")
    section = proxmox_section(lab, fakepve_cafile, user="sync@pve", token_value=SecretStr("s3cret"))
    provider = ProxmoxProvider(section)
    with pytest.raises(PermissionDenied) as caught:
        provider.apply(memory_update(provider, 102, 1024))
    assert one_line(caught).startswith(
        "Proxmox VE token sync@pve!netmox lacks VM.Config.Memory on /vms/102 (PUT /nodes/pve1/qemu/102/config)"
    )
    token = next(result for result in provider.check() if result.label == "token")
    assert not token.ok
    assert token.detail.startswith("sync@pve!netmox can read; cannot write: lacks VM.Config.Options")


def test_a_refused_connection_is_a_connection_failure(lab: LabPve, fakepve_cafile: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    section = proxmox_section(lab, fakepve_cafile, host=f"127.0.0.1:{port}")
    provider = ProxmoxProvider(section, client=PveClient(section, backoff=0))
    with pytest.raises(ConnectionFailed) as caught:
        provider.snapshot()
    assert one_line(caught).startswith(f"cannot connect to Proxmox VE at https://127.0.0.1:{port}: ")
    assert "Connection refused" in one_line(caught)


def test_a_certificate_from_another_ca_is_a_tls_error(lab: LabPve, tmp_path: Path) -> None:
    other_ca = make_cert(str(tmp_path), hosts=("127.0.0.1",))[0]
    with pytest.raises(TLSError) as caught:
        ProxmoxProvider(proxmox_section(lab, other_ca)).snapshot()
    assert one_line(caught).startswith(f"TLS verification of Proxmox VE at {lab.url} failed: ")
    assert "ca_bundle" in one_line(caught)


def test_a_server_that_does_not_answer_times_out_after_bounded_retries(lab: LabPve, fakepve_cafile: str) -> None:
    lab.flaky_network(hang_rate=1.0, hang_secs=1)
    section = proxmox_section(lab, fakepve_cafile, timeout=0.2)
    provider = ProxmoxProvider(section, client=PveClient(section, retries=2, backoff=0))
    lab.requests.clear()
    with pytest.raises(ConnectionFailed) as caught:
        provider.snapshot()
    assert one_line(caught).startswith(f"Proxmox VE at {lab.url} did not answer GET /version within 0.2 s")


def test_a_server_error_is_a_remote_error(lab: LabPve, fakepve_cafile: str) -> None:
    lab.fail("GET", "/cluster/resources", 500, "internal error")
    with pytest.raises(RemoteError) as caught:
        ProxmoxProvider(proxmox_section(lab, fakepve_cafile)).snapshot()
    assert one_line(caught) == "Proxmox VE refused GET /cluster/resources (500): internal error"


def test_idempotent_gets_are_retried_and_writes_are_not(lab: LabPve, fakepve_cafile: str) -> None:
    section = proxmox_section(lab, fakepve_cafile)
    provider = ProxmoxProvider(section, client=PveClient(section, backoff=0))
    lab.fail("GET", "/version", 503, "proxy busy", times=2)
    assert provider.snapshot().meta["version"] == "9.0.10"
    request = memory_update(provider, 102, 1024)
    lab.fail("PUT", "/nodes/pve1/qemu/102/config", 503, "proxy busy", times=1)
    lab.requests.clear()
    with pytest.raises(ConnectionFailed, match="answered 503"):
        provider.apply(request)
    assert [method for method, _, _ in lab.requests].count("PUT") == 1


def test_lost_quorum_refuses_writes_and_shows_in_check(provider: ProxmoxProvider, lab: LabPve) -> None:
    request = memory_update(provider, 102, 1024)
    lab.lose_quorum()
    with pytest.raises(RemoteError) as caught:
        provider.apply(request)
    assert one_line(caught).startswith(
        "the Proxmox VE cluster has lost quorum: PUT /nodes/pve1/qemu/102/config refused"
    )
    cluster = next(result for result in provider.check() if result.label == "cluster")
    assert (cluster.ok, cluster.detail) == (False, "lab, NOT quorate: writes will be refused")


def test_check_reports_version_cluster_nodes_and_token(provider: ProxmoxProvider, lab: LabPve) -> None:
    lab.set_node_offline("pve3")
    results = {result.label: (result.ok, result.detail) for result in provider.check()}
    assert results == {
        "Proxmox VE API": (True, f"version 9.0.10 at {lab.url}"),
        "cluster": (True, "lab, quorate"),
        "nodes": (False, "2/3 online; not online: pve3 (their guests cannot be read or written)"),
        "token": (True, "root@pam!netmox can read and write"),
        "visibility": (True, "root@pam!netmox sees every guest (VM.Audit on /vms)"),
    }


def test_check_of_an_unreachable_server_is_one_failed_line(lab: LabPve, fakepve_cafile: str) -> None:
    provider = ProxmoxProvider(proxmox_section(lab, fakepve_cafile, token_value=SecretStr("wrong")))
    [result] = provider.check()
    assert (result.label, result.ok) == ("Proxmox VE API", False)
    assert "rejected the API token" in result.detail


def test_location_is_the_url_without_the_token(provider: ProxmoxProvider, lab: LabPve) -> None:
    assert provider.location == lab.url
