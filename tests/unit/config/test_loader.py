"""netmox.toml: found, expanded, validated; every error names the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from netmox_cli.config import find_config, load_config, load_policy
from netmox_cli.config.schema import FileSide, PolicyConfig, ProxmoxSide
from netmox_cli.errors import ConfigError
from netmox_cli.model.plan import Direction
from netmox_cli.model.state import Side

PROXMOX_CONFIG = """
[connections.lab]
cluster = "Lab Cluster"
[connections.lab.netbox]
type = "file"
path = "nb.json"
[connections.lab.proxmox]
type = "proxmox"
host = "pve1.example.net"
user = "root@pam"
token_name = "netmox"
token_value = "${PVE_SECRET}"
"""


def write(tmp_path: Path, text: str, name: str = "netmox.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_env_references_are_expanded_and_secrets_are_hidden(tmp_path, monkeypatch):
    monkeypatch.setenv("PVE_SECRET", "s3cr3t-value")
    config = load_config(write(tmp_path, PROXMOX_CONFIG))
    proxmox = config.connections["lab"].proxmox
    assert isinstance(proxmox, ProxmoxSide)
    assert proxmox.token_value.get_secret_value() == "s3cr3t-value"
    assert "s3cr3t-value" not in repr(config)
    assert "s3cr3t-value" not in config.model_dump_json()


def test_a_missing_env_variable_names_the_key(tmp_path, monkeypatch):
    monkeypatch.delenv("PVE_SECRET", raising=False)
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, PROXMOX_CONFIG))
    assert "connections.lab.proxmox.token_value" in caught.value.message
    assert "PVE_SECRET" in caught.value.message


def test_file_paths_are_relative_to_the_config_file(tmp_path, monkeypatch):
    monkeypatch.setenv("PVE_SECRET", "x")
    config = load_config(write(tmp_path, PROXMOX_CONFIG))
    netbox = config.connections["lab"].netbox
    assert isinstance(netbox, FileSide)
    assert netbox.path == tmp_path / "nb.json"


def test_the_cluster_name_defaults_to_the_connection_name(tmp_path):
    text = '[connections.homelab.netbox]\ntype = "file"\npath = "a.json"\n'
    text += '[connections.homelab.proxmox]\ntype = "file"\npath = "b.json"\n'
    config = load_config(write(tmp_path, text))
    assert config.connections["homelab"].cluster == "homelab"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[connections.x\n", "not valid TOML"),
        ("connections = {}\n", "at least one [connections.NAME] table"),
        ('[connections.x.netbox]\ntype = "ftp"\n', "connections.x.netbox"),
        ('[policy]\nprefer = "vmware"\n[connections.x.netbox]\ntype = "file"\npath = "a"\n', "policy.prefer"),
        ('[policy]\ncolour = "red"\n', "policy.colour: unknown key"),
    ],
)
def test_invalid_configs_give_one_line_naming_file_and_key(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(path) in caught.value.message
    assert expected in caught.value.message
    assert "\n" not in caught.value.one_line()


def test_a_proxmox_user_must_carry_its_realm(tmp_path, monkeypatch):
    monkeypatch.setenv("PVE_SECRET", "x")
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, PROXMOX_CONFIG.replace("root@pam", "root")))
    assert "connections.lab.proxmox.user" in caught.value.message
    assert "user@realm" in caught.value.message


def test_a_missing_config_file_says_how_to_name_one(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope.toml")
    assert "no such file" in caught.value.message
    assert "--config" in caught.value.hint


def test_config_is_found_from_flag_then_env_then_cwd(tmp_path, monkeypatch):
    monkeypatch.setenv("NETMOX_CONFIG", str(tmp_path / "env.toml"))
    assert find_config(tmp_path / "flag.toml") == tmp_path / "flag.toml"
    assert find_config(None) == tmp_path / "env.toml"
    monkeypatch.delenv("NETMOX_CONFIG")
    assert find_config(None) == Path("netmox.toml")


def test_a_policy_file_overrides_only_what_it_sets(tmp_path):
    base = PolicyConfig(prefer=Side.NETBOX, allow_delete=False, properties={"memory": Direction.NETBOX_TO_PROXMOX})
    override = load_policy(
        write(tmp_path, '[policy]\nallow_delete = true\n[policy.properties]\nstatus = "proxmox->netbox"\n', "p.toml")
    )
    merged = base.merged(override)
    assert merged.prefer is Side.NETBOX
    assert merged.allow_delete is True
    assert merged.properties == {"memory": Direction.NETBOX_TO_PROXMOX, "status": Direction.PROXMOX_TO_NETBOX}


def test_a_policy_file_may_omit_the_policy_table(tmp_path):
    policy = load_policy(write(tmp_path, 'prefer = "proxmox"\n', "p.toml"))
    assert policy.prefer is Side.PROXMOX
