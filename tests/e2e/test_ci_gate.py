"""Workflow 4, CI gate: ``plan --detailed-exitcode`` exits 0 in sync, 2 on drift, 1 on error; markdown for the job."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from tests.e2e.conftest import NETMOX, Lab
from tests.support.fakepve_lab import LabPve

pytestmark = [pytest.mark.e2e, pytest.mark.netbox, pytest.mark.fakepve]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
GATE = ("plan", "--prefer", "proxmox", "--detailed-exitcode", "--json", "--out", "plan.json")


@dataclass
class Gate:
    lab: Lab
    drift: CompletedProcess[str]
    drift_plan: dict
    markdown: CompletedProcess[str]
    apply: CompletedProcess[str]
    in_sync: CompletedProcess[str]
    broken: CompletedProcess[str]
    typo: CompletedProcess[str]


@pytest.fixture(scope="module")
def gate(new_lab, new_pve) -> Gate:
    """A pipeline's view: drift, then the fix applied from CI, then in sync, then a broken credential."""
    lab: Lab = new_lab("ci-gate")
    pve: LabPve = new_pve()
    pve.add_node("pve1")
    pve.add_vm(300, "ci-runner", node="pve1", status="running", config={"cores": 2, "memory": 1024})
    lab.add("lab", pve)
    drift = lab.netmox(*GATE, expect=2)
    drift_plan = json.loads((lab.root / "plan.json").read_text(encoding="utf-8"))
    markdown = lab.netmox("plan", "--prefer", "proxmox", "--format", "markdown")
    apply = lab.netmox("apply", "--prefer", "proxmox", "--auto-approve", CI="true")
    in_sync = lab.netmox(*GATE, expect=0)
    broken = lab.netmox(*GATE, expect=1, NETBOX_TOKEN="0" * 40)
    typo = lab.netmox("plan", "--detailed-exitcode", "--fromat", "markdown", expect=1)
    return Gate(lab, drift, drift_plan, markdown, apply, in_sync, broken, typo)


def test_drift_exits_2_and_the_saved_plan_lists_the_changes(gate: Gate):
    assert gate.drift.returncode == 2
    assert json.loads(gate.drift.stdout) == gate.drift_plan  # --json on stdout and --out hold the same plan
    assert gate.drift_plan["summary"]["changes"] is True
    assert {(c["kind"], c["key"], c["action"]) for c in gate.drift_plan["changes"]} == {
        ("node", "pve1", "create"),
        ("qemu", "300", "create"),
    }


def test_in_sync_exits_0(gate: Gate):
    assert gate.in_sync.returncode == 0
    assert json.loads(gate.in_sync.stdout)["summary"]["changes"] is False


def test_an_unreadable_side_exits_1_naming_the_connection_and_the_cause(gate: Gate):
    assert gate.broken.returncode == 1
    assert gate.broken.stderr.startswith("error: lab: ")
    assert "token" in gate.broken.stderr.lower()
    assert "0000000000" not in gate.broken.stderr + gate.broken.stdout  # the secret is never echoed


def test_a_mistyped_flag_exits_1_with_one_line_so_the_gate_never_reads_a_typo_as_drift(gate: Gate):
    assert gate.typo.returncode == 1  # 2 would mean "changes present"
    assert gate.typo.stderr.splitlines() == [
        "error: No such option: --fromat (Possible options: --format, --out); see netmox plan --help"
    ]
    assert gate.typo.stdout == ""


def test_markdown_summary_is_fit_for_a_pull_request_comment(gate: Gate):
    text = gate.markdown.stdout
    assert text.lstrip().startswith("#")
    assert "ci-runner" in text and "create" in text.lower()
    assert "\x1b[" not in text


def test_an_apply_from_ci_is_recorded_with_origin_ci(gate: Gate):
    [run] = json.loads(gate.lab.netmox("history", "--json").stdout)
    assert run["origin"] == "ci"


@pytest.fixture(scope="module")
def drifting_lab(new_lab, new_pve) -> Lab:
    """A connection with drift: a VM in Proxmox VE that NetBox does not document."""
    lab: Lab = new_lab("ci-examples")
    pve: LabPve = new_pve()
    pve.add_node("pve1")
    pve.add_vm(310, "undocumented", node="pve1", status="running", config={"cores": 1, "memory": 512})
    lab.add("lab", pve)
    (lab.root / "netmox.toml").write_text(
        (lab.root / "netmox.toml").read_text(encoding="utf-8") + '\n[policy]\nprefer = "proxmox"\n', encoding="utf-8"
    )
    return lab


def run_script(lab: Lab, script: str, **env: str) -> subprocess.CompletedProcess[str]:
    path = f"{NETMOX.parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=lab.root,
        env=lab.env(PATH=path, CI="true", **env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_github_actions_plan_step_reports_drift_and_writes_the_job_summary(drifting_lab: Lab):
    from tests.e2e.test_examples import github_plan_step

    summary, output = drifting_lab.root / "summary.md", drifting_lab.root / "github-output"
    result = run_script(
        drifting_lab, github_plan_step()["run"], GITHUB_STEP_SUMMARY=str(summary), GITHUB_OUTPUT=str(output)
    )
    assert result.returncode == 0, result.stderr  # the step records the code; a later step fails the job
    assert output.read_text(encoding="utf-8").strip() == "exitcode=2"
    assert '`+` **lab** qemu 310 "undocumented": create on NetBox' in summary.read_text(encoding="utf-8")
    assert json.loads((drifting_lab.root / "plan.json").read_text(encoding="utf-8"))["summary"]["changes"] is True


def test_the_gitlab_ci_script_fails_the_job_on_drift_and_leaves_the_artifacts(drifting_lab: Lab):
    yaml = pytest.importorskip("yaml")
    job = yaml.safe_load((EXAMPLES / "ci" / "gitlab-ci.yml").read_text(encoding="utf-8"))["netmox-drift"]
    result = run_script(drifting_lab, "\n".join(job["script"]), GITLAB_CI="true")
    assert result.returncode == 2
    assert "NetBox and Proxmox VE differ" in result.stdout
    assert (drifting_lab.root / "plan.json").exists() and (drifting_lab.root / "plan.md").exists()


def test_a_wrong_netbox_token_is_reported_as_a_rejected_token(gate: Gate):
    assert "rejected the token" in gate.broken.stderr
