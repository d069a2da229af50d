"""`netmox watch` and `netmox init --webhook`: refused in one line when the webhook secret or URL is wrong."""

from __future__ import annotations

from pathlib import Path

from cli_cases import Netmox


def test_watch_without_a_webhook_secret_refuses_to_start(netmox: Netmox, homelab: Path) -> None:
    result = netmox("watch", "--config", homelab)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: [watch] secret is not set: netmox watch refuses unsigned webhooks; set [watch] secret = "
        '"${NETMOX_WEBHOOK_SECRET}" in netmox.toml and export it'
    ]


def test_init_webhook_needs_the_secret_and_an_http_url(netmox: Netmox, homelab: Path) -> None:
    result = netmox("init", "--config", homelab, "--webhook", "http://watch:8787/webhook/netbox")
    assert result.exit_code == 1 and "--webhook needs [watch] secret" in result.stderr
    homelab.write_text(homelab.read_text() + '\n[watch]\nsecret = "s3cret-value"\n')
    result = netmox("init", "--config", homelab, "--webhook", "ftp://watch/webhook")
    assert result.exit_code == 1 and "is not an http(s) URL" in result.stderr
    assert "s3cret-value" not in result.stdout + result.stderr


def test_watch_refuses_a_listen_address_in_use(netmox: Netmox, homelab: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        homelab.write_text(homelab.read_text() + f'\n[watch]\nsecret = "x"\nlisten = "127.0.0.1:{port}"\n')
        result = netmox("watch", "--config", homelab)
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
