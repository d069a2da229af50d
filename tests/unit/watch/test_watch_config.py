"""``[watch]`` is validated at load time with one-line errors; its secret is a SecretStr known to the redactor."""

from __future__ import annotations

from pathlib import Path

import pytest

from netmox_cli.config.loader import load_config
from netmox_cli.errors import ConfigError
from netmox_cli.redact import REDACTOR, redact

BASE = """
[connections.lab]
netbox = { type = "file", path = "nb.json" }
proxmox = { type = "file", path = "px.json" }
"""


def write(tmp_path: Path, watch: str) -> Path:
    path = tmp_path / "netmox.toml"
    path.write_text(BASE + "\n[watch]\n" + watch, encoding="utf-8")
    return path


def test_defaults_and_env_secret(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NETMOX_WEBHOOK_SECRET", "hook-secret-123\n")
    REDACTOR.clear()
    config = load_config(write(tmp_path, 'secret = "${NETMOX_WEBHOOK_SECRET}"\ninterval = "5m"\n'))
    assert config.watch.listen == "127.0.0.1:8787"
    assert (config.watch.interval, config.watch.debounce) == (300, 2.0)
    assert config.watch.secret is not None and config.watch.secret.get_secret_value() == "hook-secret-123"
    assert "hook-secret-123" not in repr(config)
    assert "hook-secret-123" not in redact("secret is hook-secret-123")


@pytest.mark.parametrize(
    ("watch", "message"),
    [
        ('listen = "8787"', "host:port"),
        ('listen = "127.0.0.1:99999"', "host:port"),
        ('interval = "soon"', "not a duration"),
        ("debounce = -1", "watch.debounce"),
        ('secret = "  "', "empty"),
        ("port = 1", "watch.port"),
    ],
)
def test_bad_watch_settings_are_one_line_errors(tmp_path: Path, watch: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, watch))
    line = raised.value.one_line()
    assert message in line and "\n" not in line
