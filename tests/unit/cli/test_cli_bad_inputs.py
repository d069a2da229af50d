"""Bad input files, settings and values: one stderr line that names the file, key or flag and says what to do; exit 1.

Each case once ended in ``unexpected OSError`` / ``UnicodeDecodeError`` / ``RecursionError``, a misleading
hint, or a silent guess (issue 10, points 5 and 6).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from cli_cases import EXAMPLE, Netmox, write_case

from netmox_cli.history import HistoryStore
from netmox_cli.history.store import MIGRATIONS
from netmox_cli.model.state import ClusterState, Guest, Node, Side

PROXMOX = (
    'proxmox = {{ type = "proxmox", host = "{host}", user = "root@pam", token_name = "t", token_value = "s"{extra} }}'
)


def proxmox_config(folder: Path, host: str = "pve.example", extra: str = "") -> Path:
    config = folder / "netmox.toml"
    config.write_text(
        "[connections.lab]\n"
        f'netbox = {{ type = "file", path = "{EXAMPLE / "netbox.json"}" }}\n'
        + PROXMOX.format(host=host, extra=extra)
        + "\n"
    )
    return config


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_ca_bundle_that_does_not_exist_names_the_key(netmox: Netmox, tmp_path: Path) -> None:
    config = proxmox_config(tmp_path, extra=', ca_bundle = "missing-ca.pem"')
    assert one_error_line(netmox("plan", "--config", config)) == (
        f"error: {config}: connections.lab.proxmox.ca_bundle: {tmp_path / 'missing-ca.pem'} does not exist; "
        "point it at the PEM file of the CA that signed the server's certificate"
    )


@pytest.mark.parametrize(
    ("host", "problem"),
    [
        ("http://pve.example", "http:// is not supported: Proxmox VE's API is HTTPS only; use https:// or no scheme"),
        (
            "http://pve.example:8006",
            "http:// is not supported: Proxmox VE's API is HTTPS only; use https:// or no scheme",
        ),
        ("pve:notaport", "port 'notaport' is not a number from 1 to 65535"),
        ("pve:70000", "port '70000' is not a number from 1 to 65535"),
    ],
)
def test_a_proxmox_host_netmox_would_have_to_guess_at_is_a_config_error(
    netmox: Netmox, tmp_path: Path, host: str, problem: str
) -> None:
    config = proxmox_config(tmp_path, host=host)
    assert one_error_line(netmox("plan", "--config", config)) == (
        f"error: {config}: connections.lab.proxmox.host: {problem}; see the config reference in the README"
    )


def test_a_config_that_is_not_utf8_is_named(netmox: Netmox, tmp_path: Path) -> None:
    config = tmp_path / "netmox.toml"
    config.write_bytes(b"# caf\xe9\n[connections.lab]\n")
    assert one_error_line(netmox("plan", "--config", config)) == (
        f"error: {config}: the TOML file is not UTF-8 text (byte 5 is 0xe9); save it as UTF-8"
    )


def test_a_snapshot_file_that_is_not_utf8_is_a_connection_error_naming_it(netmox: Netmox, tmp_path: Path) -> None:
    (tmp_path / "proxmox.json").write_bytes(b"\xff\xfe{}")
    config = tmp_path / "netmox.toml"
    config.write_text(
        f'[connections.lab]\nnetbox = {{ type = "file", path = "{EXAMPLE / "netbox.json"}" }}\n'
        'proxmox = { type = "file", path = "proxmox.json" }\n'
    )
    result = netmox("plan", "--config", config)
    assert one_error_line(result) == (
        f"error: lab: {tmp_path / 'proxmox.json'}: the snapshot file is not UTF-8 text (byte 0 is 0xff); "
        "save it as UTF-8"
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\xff\xfe{}", "the plan file is not UTF-8 text (byte 0 is 0xff); save it as UTF-8"),
        (
            b"[" * 100_000 + b"]" * 100_000,
            "not a plan file (JSON nested too deeply); make the plan file again with netmox",
        ),
    ],
)
def test_a_plan_file_that_is_not_utf8_or_absurdly_nested_is_named(
    netmox: Netmox, tmp_path: Path, content: bytes, problem: str
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_bytes(content)
    for args in (("show", plan), ("apply", plan, "--config", EXAMPLE / "netmox.toml", "--auto-approve")):
        assert one_error_line(netmox(*args)) == f"error: {plan}: {problem}"


def test_a_missing_policy_file_gets_the_policy_hint_not_the_config_one(netmox: Netmox, tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    assert one_error_line(netmox("plan", "--config", EXAMPLE / "netmox.toml", "--policy", policy)) == (
        f"error: {policy}: no such file; check the --policy path"
    )


def test_a_lock_dir_that_cannot_be_created_names_it_and_the_setting(
    netmox: Netmox, homelab: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "afile").write_text("")
    monkeypatch.setenv("NETMOX_LOCK_DIR", str(tmp_path / "afile" / "locks"))
    result = netmox("apply", "--config", homelab, "--auto-approve")
    assert result.stderr.splitlines()[-1] == (
        f"error: {tmp_path / 'afile' / 'locks' / 'homelab.lock'}: cannot create the lock file "
        f"({tmp_path / 'afile'} is a file, not a folder); set lock_dir in the config or NETMOX_LOCK_DIR to a folder "
        "netmox can write"
    )
    assert result.exit_code == 1


def test_a_history_path_under_a_regular_file_says_which_file_is_in_the_way(
    netmox: Netmox, homelab: Path, tmp_path: Path
) -> None:
    (tmp_path / "afile").write_text("")
    history = tmp_path / "afile" / "history.sqlite"
    assert one_error_line(netmox("apply", "--config", homelab, "--auto-approve", "--history", history)) == (
        f"error: {history}: cannot create the history database ({tmp_path / 'afile'} is a file, not a folder); "
        "pass --history or set NETMOX_HISTORY to a path netmox can create"
    )


def test_a_history_database_from_a_newer_netmox_is_refused_by_every_command(
    netmox: Netmox, homelab: Path, tmp_path: Path
) -> None:
    history = tmp_path / "history.sqlite"
    HistoryStore(history).close()
    with sqlite3.connect(history) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    expected = (
        f"error: {history}: the history database was written by a newer netmox (schema {len(MIGRATIONS) + 1}; "
        f"this netmox knows up to {len(MIGRATIONS)}); upgrade netmox, or pass --history to use another database"
    )
    assert one_error_line(netmox("history")) == expected
    assert one_error_line(netmox("history", "show", "1")) == expected
    assert one_error_line(netmox("apply", "--config", homelab, "--auto-approve")) == expected


def test_values_proxmox_ve_would_refuse_are_cannot_apply_in_the_plan_and_never_written(
    netmox: Netmox, tmp_path: Path
) -> None:
    netbox = ClusterState(
        side=Side.NETBOX,
        nodes=[Node(name="pve1", status="active")],
        guests=[
            Guest(vmid=101, kind="qemu", name="web", node="pve1", status="active", memory_mib=10**30, vcpus=2),
            Guest(vmid=1_000_000_000, kind="qemu", name="big", node="pve1", status="active", memory_mib=512, vcpus=1),
        ],
    )
    proxmox = ClusterState(
        side=Side.PROXMOX,
        nodes=[Node(name="pve1", status="online")],
        guests=[Guest(vmid=101, kind="qemu", name="web", node="pve1", status="running", memory_mib=2048, vcpus=2)],
    )
    config = write_case(tmp_path / "case", netbox, proxmox)
    lines = netmox("plan", "--config", config, "--detailed-exitcode").stdout.splitlines()
    assert (
        '    · qemu 101 "web": ignored: cannot apply: memory 1e+30 MiB is above Proxmox VE\'s maximum of 4194304 MiB'
        in lines
    )
    assert (
        '    · qemu 1000000000 "big": ignored: '
        "cannot apply: VMID 1000000000 is above Proxmox VE's maximum of 999999999"
    ) in lines
    before = (tmp_path / "case" / "proxmox.json").read_text()
    result = netmox("apply", "--config", config, "--auto-approve")
    assert result.exit_code == 0 and result.stdout.splitlines()[-1] == "No changes. 2 ignored, 0 conflicts, 0 manual."
    assert (tmp_path / "case" / "proxmox.json").read_text() == before
