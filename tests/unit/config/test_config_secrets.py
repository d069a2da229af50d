"""Secrets at config load: surrounding whitespace stripped in every slot, inner control characters and URL
credentials refused with an error that names the key and never shows the value, every secret registered."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from netmox_cli.config import load_config
from netmox_cli.config.schema import NetboxSide, ProxmoxSide
from netmox_cli.errors import ConfigError
from netmox_cli.redact import REDACTOR

SECRET = "canary-0123456789abcdef"
CONFIG = """
[connections.lab]
[connections.lab.netbox]
type = "netbox"
{netbox}
[connections.lab.proxmox]
type = "proxmox"
host = "{host}"
user = "root@pam"
token_name = "netmox"
token_value = {token_value}
"""


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("NETBOX_URL", "NETBOX_TOKEN", "PVE_SECRET"):
        monkeypatch.delenv(name, raising=False)
    REDACTOR.clear()
    yield
    REDACTOR.clear()  # the redactor is process-wide: leave no secret behind for other tests


def config_file(
    tmp_path: Path,
    *,
    netbox: str = 'url = "https://netbox.example"\ntoken = "0123456789abcdef0123456789abcdef01234567"',
    token_value: str = '"${PVE_SECRET}"',
    host: str = "pve1.example",
) -> Path:
    path = tmp_path / "netmox.toml"
    path.write_text(CONFIG.format(netbox=netbox, token_value=token_value, host=host), encoding="utf-8")
    return path


def sides(path: Path) -> tuple[NetboxSide, ProxmoxSide]:
    connection = load_config(path).connections["lab"]
    assert isinstance(connection.netbox, NetboxSide) and isinstance(connection.proxmox, ProxmoxSide)
    return connection.netbox, connection.proxmox


@pytest.mark.parametrize("around", ["\n", "\r\n", "\r", " \t", "\n\n"])
def test_a_secret_from_an_env_reference_loses_the_whitespace_a_file_adds(tmp_path, monkeypatch, around) -> None:
    monkeypatch.setenv("PVE_SECRET", f"{around}{SECRET}{around}")
    _, proxmox = sides(config_file(tmp_path))
    assert proxmox.token_value.get_secret_value() == SECRET


def test_a_literal_secret_is_stripped_too(tmp_path) -> None:
    _, proxmox = sides(config_file(tmp_path, token_value=f'"{SECRET}\\r\\n"'))
    assert proxmox.token_value.get_secret_value() == SECRET


def test_netbox_token_and_url_default_from_the_environment_stripped(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("NETBOX_TOKEN", f"{SECRET}\n")
    monkeypatch.setenv("NETBOX_URL", "https://netbox.example\n")
    monkeypatch.setenv("PVE_SECRET", "pve-secret-value")
    netbox, _ = sides(config_file(tmp_path, netbox=""))
    assert netbox.token is not None and netbox.token.get_secret_value() == SECRET
    assert netbox.url == "https://netbox.example"


@pytest.mark.parametrize("inner", ["\x1b", "\n", "\x7f", "\x85", "\u202e"])
def test_a_control_character_inside_a_secret_is_an_error_naming_the_key_not_the_value(
    tmp_path, monkeypatch, inner
) -> None:
    monkeypatch.setenv("PVE_SECRET", f"canary{inner}0123456789")
    with pytest.raises(ConfigError) as error:
        load_config(config_file(tmp_path))
    message = error.value.one_line()
    assert "connections.lab.proxmox.token_value: contains a control or invisible character" in message
    assert "canary" not in message and "0123456789" not in message


def test_a_nul_inside_a_literal_secret_is_an_error_too(tmp_path) -> None:
    with pytest.raises(ConfigError, match=re.escape("token_value: contains a control or invisible character (U+0000)")):
        load_config(config_file(tmp_path, token_value='"canary\\u00000123456789"'))


def test_a_control_character_in_netbox_token_from_the_environment_names_the_variable(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("NETBOX_TOKEN", "canary\x1b0123456789")
    monkeypatch.setenv("PVE_SECRET", "pve-secret-value")
    with pytest.raises(ConfigError) as error:
        load_config(config_file(tmp_path, netbox='url = "https://netbox.example"'))
    message = error.value.one_line()
    assert "$NETBOX_TOKEN (the default of connections.lab.netbox.token): contains a control" in message
    assert "canary" not in message


def test_an_empty_secret_is_an_error(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PVE_SECRET", " \n")
    with pytest.raises(ConfigError, match="token_value: is empty"):
        load_config(config_file(tmp_path))


@pytest.mark.parametrize(
    "url", ["https://admin:canary-pw@netbox.example", "https://canary-user@netbox.example/", "admin:canary@netbox"]
)
def test_credentials_in_the_netbox_url_are_refused_without_echoing_them(tmp_path, monkeypatch, url) -> None:
    monkeypatch.setenv("PVE_SECRET", "pve-secret-value")
    with pytest.raises(ConfigError) as error:
        load_config(config_file(tmp_path, netbox=f'url = "{url}"\ntoken = "{"0" * 40}"'))
    message = error.value.one_line()
    assert "connections.lab.netbox.url: put the token in netbox.token, not in the URL" in message
    assert "canary" not in message


def test_credentials_in_netbox_url_from_the_environment_are_refused(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("NETBOX_URL", "https://admin:canary-pw@netbox.example")
    monkeypatch.setenv("PVE_SECRET", "pve-secret-value")
    with pytest.raises(ConfigError) as error:
        load_config(config_file(tmp_path, netbox=f'token = "{"0" * 40}"'))
    assert "$NETBOX_URL (the default of connections.lab.netbox.url): put the token in netbox.token" in str(
        error.value.one_line()
    )
    assert "canary" not in error.value.one_line()


def test_credentials_in_the_proxmox_host_are_refused(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PVE_SECRET", "pve-secret-value")
    with pytest.raises(ConfigError, match=re.escape("host: put the token in proxmox.token_value, not in the host")):
        load_config(config_file(tmp_path, host="root:canary@pve1.example"))


def test_every_secret_is_registered_with_the_redactor_when_the_config_loads(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PVE_SECRET", f"{SECRET}\n")
    monkeypatch.setenv("NETBOX_TOKEN", "netbox-canary-token-value")
    load_config(config_file(tmp_path, netbox='url = "https://netbox.example"'))
    assert REDACTOR.redact(f"x {SECRET} netbox-canary-token-value y") == "x *** *** y"
