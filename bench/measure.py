"""Measuring one configuration: `netmox plan` as a subprocess (wall time, peak RSS, requests per side)
and the planner alone on two in-memory states.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netmox_cli.config.schema import PolicyConfig
from netmox_cli.model.state import ClusterState, Side
from netmox_cli.planner import plan_connection

ROOT = Path(__file__).resolve().parents[1]
NETMOX = ROOT / ".venv" / "bin" / "netmox"
HOOK = Path(__file__).resolve().parent / "hook"
TIME = Path("/usr/bin/time")


def _peak_kib(rss_file: Path, fallback: int) -> int:
    """netmox's peak RSS in KiB from /usr/bin/time's output (last line), else the rusage value."""
    try:
        return int(rss_file.read_text().strip().splitlines()[-1])
    except (OSError, ValueError, IndexError):
        return fallback


@dataclass
class PlanRun:
    """One `netmox plan` subprocess."""

    seconds: float
    cpu_seconds: float  # user + system CPU of the netmox process
    max_rss_mib: float
    exit_code: int
    requests: dict[str, int]  # host:port -> count, and "host:port METHOD /path/{id}" -> count
    summary: str


@dataclass
class PlanStats:
    runs: list[PlanRun] = field(default_factory=list)

    @property
    def median_seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def median_cpu_seconds(self) -> float:
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def max_rss_mib(self) -> float:
        return max(r.max_rss_mib for r in self.runs)

    def requests_to(self, netloc: str) -> int:
        """Requests of the last run to one server (every run makes the same ones)."""
        return self.runs[-1].requests.get(netloc, 0) if self.runs else 0


def write_config(
    path: Path,
    *,
    cluster: str,
    netbox: dict[str, Any],
    proxmox: dict[str, Any],
    prefer: str = "proxmox",
    extra: str = "",
) -> Path:
    """A netmox.toml with one connection ("bench"), ``prefer = "proxmox"`` by default (drift becomes NetBox
    updates); ``extra`` is appended as is (sub-tables such as ``[connections.bench.proxmox.defaults]``).
    The history and lock folder live beside the file, so a fresh folder is a fresh history."""

    def table(values: dict[str, Any]) -> str:
        return "\n".join(f"{key} = {json.dumps(value)}" for key, value in values.items())

    work = path.parent
    path.write_text(
        f"""history = {json.dumps(str(work / "history.sqlite"))}
lock_dir = {json.dumps(str(work / "locks"))}

[policy]
prefer = {json.dumps(prefer)}

[connections.bench]
cluster = {json.dumps(cluster)}

[connections.bench.netbox]
{table(netbox)}

[connections.bench.proxmox]
{table(proxmox)}
{extra}"""
    )
    return path


def run_plan(config: Path, workdir: Path, timeout: float) -> PlanRun:
    """`netmox plan --detailed-exitcode` in a subprocess, under /usr/bin/time for its peak RSS."""
    return run_netmox(["plan", "--detailed-exitcode"], config, workdir, timeout, "plan", "Plan:")


def run_netmox(
    arguments: list[str], config: Path, workdir: Path, timeout: float, name: str, summary_prefix: str
) -> PlanRun:
    """One netmox command in a subprocess with the request-counting hook, under /usr/bin/time for its peak RSS.

    Output goes to ``workdir/<name>-output.txt`` and ``<name>-stderr.txt``; the summary is the last output
    line starting with ``summary_prefix`` (else the end of stderr).
    """
    counts_file = workdir / f"{name}-requests.json"
    counts_file.unlink(missing_ok=True)
    env = {
        **os.environ,
        "NETMOX_BENCH_COUNTS": str(counts_file),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(HOOK), os.environ.get("PYTHONPATH", "")])),
        "NO_COLOR": "1",
    }
    out_path = workdir / f"{name}-output.txt"
    err_path = workdir / f"{name}-stderr.txt"
    rss_file = workdir / f"{name}-rss.txt"
    rss_file.unlink(missing_ok=True)
    # Linux keeps a process's peak RSS across exec, so a child forked from this (large) process would report
    # ours; /usr/bin/time is a small parent whose child's peak is netmox's own.
    command = [str(NETMOX), arguments[0], "--config", str(config), *arguments[1:], "--no-color"]
    if TIME.exists():
        command = [str(TIME), "-f", "%M", "-o", str(rss_file), *command]
    with out_path.open("w") as out, err_path.open("w") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            command,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=workdir,
        )
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    requests = json.loads(counts_file.read_text()) if counts_file.exists() else {}
    output = [line.strip() for line in out_path.read_text(errors="replace").splitlines() if line.strip()]
    summaries = [line for line in output if line.startswith(summary_prefix)]
    errors = err_path.read_text(errors="replace").strip()[-300:]
    summary = summaries[-1] if summaries else (errors or (output[-1] if output else ""))
    if not summary and proc.returncode == 0:
        summary = "in sync (exit 0, nothing printed)"
    return PlanRun(
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        max_rss_mib=_peak_kib(rss_file, usage.ru_maxrss) / 1024,
        exit_code=proc.returncode,
        requests=requests,
        summary=summary,
    )


def plan_repeatedly(config: Path, workdir: Path, runs: int, timeout: float) -> PlanStats:
    stats = PlanStats()
    for _ in range(runs):
        run = run_plan(config, workdir, timeout)
        stats.runs.append(run)
        if run.exit_code not in (0, 2):
            break  # an error: no point repeating it
    return stats


def planner_alone(netbox: ClusterState, proxmox: ClusterState, runs: int) -> tuple[float, int]:
    """Median seconds of ``plan_connection`` on in-memory states, and the number of changes it found."""
    assert netbox.side is Side.NETBOX and proxmox.side is Side.PROXMOX
    policy = PolicyConfig(prefer=Side.PROXMOX)
    times: list[float] = []
    changes = 0
    for _ in range(runs):
        start = time.perf_counter()
        result = plan_connection("bench", netbox, proxmox, policy)
        times.append(time.perf_counter() - start)
        changes = len(result.changes)
    return statistics.median(times), changes


def run_baseline(endpoint_args: list[str], timeout: float) -> dict[str, float]:
    """bench/baseline_sequential.py in a subprocess (so it does not share a GIL with the fake)."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench.baseline_sequential", *endpoint_args, "--json"],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"baseline failed: {proc.stderr.strip()[-400:]}")
    return json.loads(proc.stdout)
