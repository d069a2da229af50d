"""The shipped CI and cron examples parse, and say what the README promises they do."""

from __future__ import annotations

import configparser
import tomllib
from pathlib import Path

import pytest

from netmox_cli.config import load_policy
from netmox_cli.model.state import Side

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)  # systemd repeats keys (Environment=)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((EXAMPLES / "cron" / name).read_text(encoding="utf-8"))
    return parser


def github_plan_step() -> dict:
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load((EXAMPLES / "ci" / "github-actions.yml").read_text(encoding="utf-8"))
    [step] = [s for s in workflow["jobs"]["drift"]["steps"] if s.get("id") == "plan"]
    return step


def test_cron_policy_loads_and_never_deletes_or_writes_to_proxmox():
    policy = load_policy(EXAMPLES / "cron" / "policy.toml")
    assert policy.prefer is Side.PROXMOX
    assert policy.allow_delete is False
    tomllib.loads((EXAMPLES / "cron" / "policy.toml").read_text(encoding="utf-8"))


def test_crontab_line_runs_an_unattended_apply_with_the_policy_and_a_lock_timeout():
    lines = [
        line
        for line in (EXAMPLES / "cron" / "crontab").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#") and "=" not in line.split()[0]
    ]
    [entry] = lines
    fields = entry.split(None, 6)
    assert len(fields[:5]) == 5 and fields[5] == "netmox"  # five time fields, then the user (cron.d format)
    command = fields[6]
    for part in ("netmox apply", "--auto-approve", "--policy /etc/netmox/policy.toml", "--lock-timeout"):
        assert part in command


def test_systemd_service_and_timer_parse_and_belong_together():
    service, timer = unit("netmox-apply.service"), unit("netmox-apply.timer")
    assert service["Service"]["Type"] == "oneshot"
    assert "netmox apply --auto-approve --policy" in service["Service"]["ExecStart"]
    assert service["Service"]["EnvironmentFile"] == "/etc/netmox/env"
    assert timer["Timer"]["OnUnitActiveSec"]
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_github_actions_workflow_plans_writes_the_summary_attaches_the_plan_and_fails_on_drift():
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load((EXAMPLES / "ci" / "github-actions.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["drift"]["steps"]
    plan = github_plan_step()
    assert "netmox plan --detailed-exitcode --out plan.json" in plan["run"]
    assert "$GITHUB_STEP_SUMMARY" in plan["run"]
    assert set(plan["env"]) == {"NETBOX_TOKEN", "PVE_TOKEN_SECRET"}
    [upload] = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact")]
    assert upload["if"] == "always()" and "plan.json" in upload["with"]["path"]
    [gate] = [s for s in steps if s.get("if") == "steps.plan.outputs.exitcode != '0'"]
    assert "exit 1" in gate["run"]


def test_gitlab_ci_job_fails_on_drift_and_always_attaches_the_plan():
    yaml = pytest.importorskip("yaml")
    job = yaml.safe_load((EXAMPLES / "ci" / "gitlab-ci.yml").read_text(encoding="utf-8"))["netmox-drift"]
    script = "\n".join(job["script"])
    assert "netmox plan --detailed-exitcode --out plan.json" in script
    assert script.rstrip().endswith("exit $code")
    assert job["artifacts"]["when"] == "always"
    assert "plan.json" in job["artifacts"]["paths"]


def test_systemd_watch_service_runs_netmox_watch_and_stops_cleanly():
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((EXAMPLES / "systemd" / "netmox-watch.service").read_text(encoding="utf-8"))
    service = parser["Service"]
    assert service["Type"] == "simple"
    assert service["ExecStart"].split()[1:2] == ["watch"]
    assert service["SuccessExitStatus"] == "143"  # SIGTERM ends netmox with 143: a clean stop
    assert service["EnvironmentFile"] == "/etc/netmox/env"
    assert parser["Install"]["WantedBy"] == "multi-user.target"
