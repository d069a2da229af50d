"""`netmox plan` and `netmox show`: views, flags and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from cli_cases import EXAMPLE, Netmox, write_case

from netmox_cli.model.plan import FORMAT_VERSION
from netmox_cli.model.state import ClusterState, Guest, Node, Side
from netmox_cli.render.plan_schema import schema_from_markdown

DOCS = Path(__file__).resolve().parents[3] / "docs" / "plan-format.md"


def in_sync_case(folder: Path) -> Path:
    netbox = ClusterState(
        side=Side.NETBOX,
        nodes=[Node(name="pve1", status="active")],
        guests=[Guest(vmid=100, kind="qemu", name="vm", node="pve1", status="active", memory_mib=1024)],
    )
    proxmox = ClusterState(
        side=Side.PROXMOX,
        nodes=[Node(name="pve1", status="online")],
        guests=[Guest(vmid=100, kind="qemu", name="vm", node="pve1", status="running", memory_mib=1024)],
    )
    return write_case(folder, netbox, proxmox)


def test_plan_on_the_example_exits_2_with_detailed_exitcode_and_prints_grouped_plan(netmox: Netmox) -> None:
    result = netmox("plan", "--config", EXAMPLE / "netmox.toml", "--detailed-exitcode")
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert lines[0].startswith("homelab: NetBox ")
    assert "  node pve1" in lines
    assert '    ~ qemu 101 "web-01": update on Proxmox VE' in lines
    assert "        memory: 2048 → 4096 MiB (NetBox → Proxmox VE)" in lines
    assert lines[-1] == (
        "Plan: 2 to create, 9 to update, 0 to delete on Proxmox VE; 0 to create, 0 to update, 0 to delete on NetBox. "
        "6 ignored, 0 conflicts, 1 manual."
    )
    # One block per object: qemu 103's skipped vCPUs sit under its update, not in a second entry.
    assert sum('qemu 103 "db-01"' in line for line in lines) == 1
    assert sum(line.strip().startswith(("~ node pve3", "· node pve3")) for line in lines) == 1


def test_plan_without_detailed_exitcode_exits_0_even_with_changes(netmox: Netmox) -> None:
    assert netmox("plan", "--config", EXAMPLE / "netmox.toml").exit_code == 0


def test_plan_in_sync_says_so_and_exits_0_with_detailed_exitcode(netmox: Netmox, tmp_path: Path) -> None:
    result = netmox("plan", "--config", in_sync_case(tmp_path / "case"), "--detailed-exitcode")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "No changes. NetBox and Proxmox VE are in sync."


def test_plan_json_validates_against_the_published_schema(netmox: Netmox) -> None:
    result = netmox("plan", "--config", EXAMPLE / "netmox.toml", "--json")
    assert result.exit_code == 0
    plan = json.loads(result.stdout)
    jsonschema.validate(plan, schema_from_markdown(DOCS.read_text()))
    assert plan["format_version"] == FORMAT_VERSION
    assert plan["summary"]["changes"] is True


def test_plan_json_flag_and_format_json_print_the_same_plan(netmox: Netmox) -> None:
    by_flag = json.loads(netmox("plan", "--config", EXAMPLE / "netmox.toml", "--json").stdout)
    by_format = json.loads(netmox("plan", "--config", EXAMPLE / "netmox.toml", "--format", "json").stdout)
    by_flag.pop("created"), by_format.pop("created")
    assert by_flag == by_format


def test_plan_json_and_format_markdown_together_are_refused(netmox: Netmox) -> None:
    result = netmox("plan", "--config", EXAMPLE / "netmox.toml", "--json", "--format", "markdown")
    assert result.exit_code == 1
    assert result.stderr == "error: --json and --format conflict; use one of them\n"


def test_plan_markdown_has_a_count_table_and_the_summary(netmox: Netmox) -> None:
    result = netmox("plan", "--config", EXAMPLE / "netmox.toml", "--format", "markdown")
    assert result.exit_code == 0
    assert "| Proxmox VE | 2 | 9 | 0 |" in result.stdout
    assert "| NetBox | 0 | 0 | 0 |" in result.stdout
    assert '**homelab** qemu 101 "web-01": update on Proxmox VE' in result.stdout


def test_plan_prefer_proxmox_reports_the_duplicate_name_as_a_conflict(netmox: Netmox) -> None:
    result = netmox("plan", "--config", EXAMPLE / "netmox.toml", "--prefer", "proxmox")
    lines = result.stdout.splitlines()
    assert '    + qemu 108 "app": create on NetBox' in lines
    conflict = "    ! qemu 109 \"app\": conflict: NetBox VM name 'app' is already taken"
    assert any(line.startswith(conflict) for line in lines)
    assert ", 1 conflict," in lines[-1]


def test_plan_allow_delete_turns_would_delete_into_deletes(netmox: Netmox) -> None:
    result = netmox("plan", "--config", EXAMPLE / "netmox.toml", "--allow-delete")
    assert '    - qemu 106 "legacy-app": delete on Proxmox VE' in result.stdout.splitlines()
    assert "would delete" not in result.stdout


def test_plan_policy_file_overrides_the_config_policy(netmox: Netmox, tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('[policy]\nprefer = "proxmox"\n')
    result = netmox("plan", "--config", EXAMPLE / "netmox.toml", "--policy", policy)
    assert '    ~ qemu 101 "web-01": update on NetBox' in result.stdout.splitlines()


def test_plan_flag_overrides_the_policy_file(netmox: Netmox, tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('prefer = "proxmox"\n')
    result = netmox("plan", "--config", EXAMPLE / "netmox.toml", "--policy", policy, "--prefer", "netbox")
    assert '    ~ qemu 101 "web-01": update on Proxmox VE' in result.stdout.splitlines()


def test_plan_unknown_connection_is_one_line_error(netmox: Netmox) -> None:
    result = netmox("plan", "--config", EXAMPLE / "netmox.toml", "--connection", "nope")
    assert result.exit_code == 1
    assert result.stderr == "error: unknown connection 'nope'; the config defines: homelab\n"
    assert result.stdout == ""


def test_plan_missing_config_is_one_line_error_without_traceback(netmox: Netmox, tmp_path: Path) -> None:
    result = netmox("plan", "--config", tmp_path / "absent.toml")
    assert result.exit_code == 1
    assert result.stderr == f"error: {tmp_path / 'absent.toml'}: no such file; pass --config or set NETMOX_CONFIG\n"


def test_debug_shows_the_traceback(netmox: Netmox, tmp_path: Path) -> None:
    result = netmox("--debug", "plan", "--config", tmp_path / "absent.toml")
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.endswith("no such file; pass --config or set NETMOX_CONFIG\n")


def test_config_comes_from_netmox_config_env(netmox: Netmox, monkeypatch) -> None:
    monkeypatch.setenv("NETMOX_CONFIG", str(EXAMPLE / "netmox.toml"))
    assert netmox("plan", "--detailed-exitcode").exit_code == 2


def test_a_failing_connection_is_reported_while_the_others_are_planned(netmox: Netmox, tmp_path: Path) -> None:
    config = in_sync_case(tmp_path / "case")
    config.write_text(
        config.read_text()
        + '\n[connections.broken]\nnetbox = { type = "file", path = "missing.json" }\n'
        + 'proxmox = { type = "file", path = "proxmox.json" }\n'
    )
    result = netmox("plan", "--config", config, "--detailed-exitcode")
    assert result.exit_code == 1
    assert "lab: NetBox " in result.stdout
    assert "  no differences" in result.stdout
    assert "missing.json: no such snapshot file" in result.stderr
    assert result.stderr.startswith("error: broken: ")


def test_plan_out_saves_a_plan_that_show_renders_identically(netmox: Netmox, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    planned = netmox("plan", "--config", EXAMPLE / "netmox.toml", "--out", out)
    shown = netmox("show", out)
    assert shown.exit_code == 0
    assert shown.stdout == planned.stdout
    assert json.loads(netmox("show", out, "--json").stdout) == json.loads(out.read_text())


def test_show_refuses_a_plan_of_another_format_version(netmox: Netmox, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    netmox("plan", "--config", EXAMPLE / "netmox.toml", "--out", out)
    out.write_text(out.read_text().replace(f'"format_version": {FORMAT_VERSION}', '"format_version": 99'))
    result = netmox("show", out)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {out}: plan format_version 99 is not supported (expected {FORMAT_VERSION}); "
        "make the plan again with this netmox version\n"
    )


def test_show_refuses_a_malformed_plan_in_one_line(netmox: Netmox, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert netmox("show", bad).stderr == f"error: {bad}: not a plan file (invalid JSON at line 1)\n"
    bad.write_text(f'{{"format_version": {FORMAT_VERSION}, "changes": 3}}')
    result = netmox("show", bad)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {bad}: not a valid plan (")
    assert result.stderr.count("\n") == 1


def test_user_data_is_never_read_as_markup(netmox: Netmox) -> None:
    result = netmox("plan", "--config", EXAMPLE / "netmox.toml")
    assert '"Public web server [nginx]"' in result.stdout


def test_output_has_no_colour_codes_when_not_a_terminal(netmox: Netmox) -> None:
    assert "\x1b[" not in netmox("plan", "--config", EXAMPLE / "netmox.toml").stdout


def test_version(netmox: Netmox) -> None:
    from netmox_cli import __version__

    result = netmox("--version")
    assert result.exit_code == 0
    assert result.stdout == f"netmox {__version__}\n"


def test_a_mistyped_option_exits_1_with_one_line_not_2_which_means_changes(netmox: Netmox) -> None:
    result = netmox("plan", "--config", EXAMPLE / "netmox.toml", "--detailed-exitcode", "--fromat", "markdown")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: No such option: --fromat (Possible options: --format, --out); see netmox plan --help"
    ]
    assert result.stdout == ""


def test_a_bad_option_value_exits_1_naming_the_flag_and_the_choices(netmox: Netmox) -> None:
    result = netmox("plan", "--config", EXAMPLE / "netmox.toml", "--detailed-exitcode", "--format", "yaml")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: Invalid value for '--format': 'yaml' is not one of 'text', 'json', 'markdown', 'html'; "
        "see netmox plan --help\n"
    )


def test_an_unknown_command_and_no_command_exit_1(netmox: Netmox) -> None:
    assert netmox("plna").exit_code == 1
    assert netmox().exit_code == 1
    assert netmox("--version").exit_code == 0
    assert netmox("plan", "--help").exit_code == 0
