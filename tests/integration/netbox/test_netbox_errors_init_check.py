"""`netmox init`, `netmox check` and the one-line errors, against the real NetBox."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from netmox_cli.config.schema import NetboxSide
from netmox_cli.errors import AuthenticationFailed, ConnectionFailed, NotInitialized, PermissionDenied, TLSError
from netmox_cli.model.state import Guest
from netmox_cli.providers.base import WriteRequest
from netmox_cli.providers.netbox import NetboxProvider

pytestmark = pytest.mark.netbox


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_initialize_creates_the_cluster_and_a_second_run_does_nothing(initialized):
    name = f"init-{free_port()}"
    provider = NetboxProvider(initialized.section(), cluster=name)
    first = provider.initialize()
    assert f"created cluster {name}" in first
    assert provider.initialize() == []
    assert initialized.api().virtualization.clusters.get(name=name).type.slug == "proxmox-ve"


def test_custom_fields_exist_after_initialize(initialized):
    fields = {cf.name: cf for cf in initialized.api().extras.custom_fields.filter(name__isw="proxmox_")}
    assert {"proxmox_vmid", "proxmox_type", "proxmox_swap_mb", "proxmox_storage"} <= set(fields)
    assert fields["proxmox_vmid"].type.value == "integer"
    assert "virtualization.virtualmachine" in fields["proxmox_type"].object_types
    assert "virtualization.virtualdisk" in fields["proxmox_storage"].object_types


def test_check_reports_version_user_custom_fields_and_cluster(provider, initialized, cluster):
    results = {r.label: r for r in provider.check()}
    assert results["NetBox"].ok and results["NetBox"].detail.startswith("version 4.")
    assert results["token"].detail == "user netmox-admin"
    assert results["custom fields"].ok and results["custom fields"].detail == "in place"
    assert results["cluster"].ok and cluster in results["cluster"].detail


def test_check_reports_an_unreachable_netbox_without_raising(initialized):
    provider = NetboxProvider(initialized.section(url=f"http://127.0.0.1:{free_port()}"), cluster="x")
    [result] = provider.check()
    assert not result.ok and "cannot reach NetBox" in result.detail


def test_location_is_the_url_never_the_token(provider, initialized):
    assert provider.location == initialized.url
    assert initialized.token not in provider.location


def test_refused_connection_is_a_one_line_connection_error(initialized):
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ConnectionFailed, match=f"cannot reach NetBox at {url}"):
        NetboxProvider(initialized.section(url=url), cluster="x").snapshot()


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """An HTTPS server with a self-signed certificate that answers every GET with an empty NetBox list."""
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip

    class EmptyList(BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"count": 0, "next": None, "previous": None, "results": []}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), EmptyList)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}", cert
    server.shutdown()


def test_untrusted_certificate_is_a_tls_error(tls_server):
    url, _ = tls_server
    section = NetboxSide(type="netbox", url=url, token="0" * 40)
    with pytest.raises(TLSError, match=f"TLS verification failed for NetBox at {url}"):
        NetboxProvider(section, cluster="x").snapshot()


def test_ca_bundle_makes_the_certificate_trusted(tls_server):
    url, cert = tls_server
    section = NetboxSide(type="netbox", url=url, token="0" * 40, ca_bundle=cert)
    with pytest.raises(NotInitialized):  # TLS passed; this stand-in has no custom fields
        NetboxProvider(section, cluster="x").snapshot()


def test_wrong_url_path_says_so(initialized):
    with pytest.raises(ConnectionFailed, match=r"404|NetBox API"):
        NetboxProvider(initialized.section(url=initialized.url + "/nothing-here"), cluster="x").snapshot()


def test_invalid_token_is_an_authentication_error(initialized):
    with pytest.raises((AuthenticationFailed, PermissionDenied), match=r"token|Invalid"):
        NetboxProvider(initialized.section(token="0" * 40), cluster="x").snapshot()


def test_token_without_write_permission_gives_the_clear_error(initialized, cluster):
    provider = NetboxProvider(initialized.section(token=initialized.read_only_token()), cluster=cluster)
    assert provider.snapshot().guests == []  # reading is fine
    request = WriteRequest(
        change_id="c/qemu/101#netbox", action="create", kind="qemu", desired=Guest(vmid=101, kind="qemu", name="x")
    )
    with pytest.raises(PermissionDenied) as caught:
        provider.apply(request)
    assert "refused to create" in caught.value.message
    assert "VM 101 (x)" in caught.value.message
    assert "lacks write permission" in caught.value.message
