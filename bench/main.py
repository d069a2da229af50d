"""The benchmark driver behind ``bench/run``: for each N and latency, seed both sides, measure, report.

It reports; it never fails on a missed target. Partial results are written after every row, so an
interrupted run still leaves a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from bench import apply_bench, measure, netbox_lab, report
from bench.labgen import Lab, LabSpec, generate
from bench.pve_lab import ServedPve
from netmox_cli.providers.file import write_snapshot

BENCH = Path(__file__).resolve().parent
WORK = BENCH / ".work"
LARGE = 10000


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000,10000", help="guest counts, comma-separated")
    parser.add_argument("--latencies", default="0,10", help="per-request Proxmox latency in ms, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="netmox plan runs per row (median)")
    parser.add_argument("--runs-large", type=int, default=3, help=f"runs per row at N >= {LARGE:,}")
    parser.add_argument("--netbox-max", type=int, default=1000, help="largest N seeded into the real NetBox")
    parser.add_argument("--no-netbox", action="store_true", help="NetBox side from snapshot files only")
    parser.add_argument(
        "--file-side",
        choices=["all", "beyond-netbox", "none"],
        default="beyond-netbox",
        help="also plan with the NetBox side as a file: for every N, or only where NetBox is not seeded",
    )
    parser.add_argument("--baseline-max", type=int, default=1000, help="largest N the sequential baseline runs at")
    parser.add_argument("--quick", action="store_true", help="sizes 10,100, 3 runs, baseline up to 100")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600, help="seconds before one netmox plan run is killed")
    parser.add_argument("--fresh-netbox", action="store_true", help="restart the bench NetBox with an empty database")
    parser.add_argument("--keep-netbox", action="store_true", help="leave the bench NetBox running afterwards")
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    parser.add_argument("--apply-sizes", default="200,1000", help="guest counts of the apply rows, comma-separated")
    parser.add_argument("--no-apply", action="store_true", help="skip the apply rows")
    parser.add_argument("--apply-only", action="store_true", help="only the apply rows (no plan rows)")
    parser.add_argument(
        "--apply-workloads",
        default=",".join(w.name for w in apply_bench.WORKLOADS),
        help="apply workloads to run, comma-separated",
    )
    parser.add_argument(
        "--apply-baseline-max", type=int, default=1000, help="largest N the sequential apply baseline runs at"
    )
    parser.add_argument("--apply-timeout", type=float, default=3600, help="seconds before one netmox apply is killed")
    parser.add_argument(
        "--netbox-worker",
        choices=["stop", "keep"],
        default="stop",
        help="apply rows: stop the bench NetBox's RQ worker (search cache indexed in each request) or keep it "
        "(indexed in background jobs; every measurement waits for the queue to drain first)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = "10,100" if args.sizes == parser.get_default("sizes") else args.sizes
        args.runs = min(args.runs, 3)
        args.baseline_max = min(args.baseline_max, 100)
        args.apply_sizes = "200" if args.apply_sizes == parser.get_default("apply_sizes") else args.apply_sizes
    if args.no_apply and args.apply_only:
        parser.error("--no-apply and --apply-only exclude each other")
    args.size_list = [] if args.apply_only else [int(s) for s in args.sizes.split(",") if s]
    args.apply_size_list = [] if args.no_apply else [int(s) for s in args.apply_sizes.split(",") if s]
    args.apply_workload_list = [w for w in args.apply_workloads.split(",") if w]
    unknown = set(args.apply_workload_list) - {w.name for w in apply_bench.WORKLOADS}
    if unknown:
        parser.error(f"unknown apply workloads: {', '.join(sorted(unknown))}")
    args.latency_list = [float(s) for s in args.latencies.split(",") if s]
    return args


class NetboxSide:
    """The bench NetBox, started on first use."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.info: dict[str, str] | None = None
        self.error: str | None = None

    def ready(self) -> bool:
        if self.args.no_netbox or self.error:
            return False
        if self.info is None:
            say("starting the bench NetBox (scripts/netbox-test-server, database netmox_bench)")
            try:
                self.info = netbox_lab.start_server(WORK / "netbox", fresh=self.args.fresh_netbox)
            except netbox_lab.NetboxUnavailable as exc:
                self.error = str(exc)
                say(f"NetBox unavailable, file side only: {exc}")
                return False
        return True

    def seed(self, lab: Lab) -> None:
        assert self.info is not None
        cluster = lab.spec.cluster
        have = netbox_lab.seeded_count(self.info["url"], self.info["token"], cluster)
        if have == len(lab.netbox.guests):
            say(f"NetBox cluster {cluster} already holds {have} VMs: reused")
            return
        if have:
            raise RuntimeError(
                f"NetBox cluster {cluster} holds {have} VMs, not {len(lab.netbox.guests)}: --fresh-netbox"
            )
        start = time.perf_counter()
        made = netbox_lab.seed(self.info["url"], self.info["token"], lab.netbox, cluster)
        say(f"seeded {len(lab.netbox.guests)} VMs into NetBox in {time.perf_counter() - start:.0f} s ({made} requests)")

    def section(self) -> dict[str, str]:
        assert self.info is not None
        return {"type": "netbox", "url": self.info["url"], "token": self.info["token"]}

    def close(self) -> None:
        if self.info is not None and not self.args.keep_netbox:
            say("stopping the bench NetBox")
            netbox_lab.stop_server(WORK / "netbox")


def lab_network(n: int) -> int:
    """A second address octet per lab size, stable across runs (labs share one NetBox, whose IPs are unique)."""
    digits = str(n)
    return min(255, len(digits) * 10 + int(digits[0]))


def measure_size(n: int, args: argparse.Namespace, netbox: NetboxSide, rows: list[report.Row]) -> None:
    lab = generate(LabSpec(guests=n, seed=args.seed, cluster=f"bench-{n}", network=lab_network(n)))
    runs = args.runs_large if n >= LARGE else args.runs
    say(
        f"N={n:,}: {len(lab.node_names)} nodes, {len(lab.drifted)} drifted, {len(lab.netbox_only)}+"
        f"{len(lab.proxmox_only)} one-sided"
    )
    planner_s, changes = measure.planner_alone(lab.netbox, lab.proxmox, runs)
    say(f"N={n:,}: planner alone {planner_s:.3f} s, {changes} changes")

    work = WORK / f"n{n}"
    work.mkdir(parents=True, exist_ok=True)
    sides: list[str] = []
    if n <= args.netbox_max and netbox.ready():
        try:
            netbox.seed(lab)
            sides.append("netbox")
        except Exception as exc:  # the benchmark reports; a failed seed falls back to the file side
            note = f"N={n:,}: seeding NetBox failed ({type(exc).__name__}: {str(exc)[:200]}); NetBox side from a file"
            say(note)
            args.notes.append(note)
    if args.file_side == "all" or (args.file_side == "beyond-netbox" and not sides):
        write_snapshot(lab.netbox, work / "netbox.json")
        sides.append("file")

    with ServedPve(lab.proxmox, workdir=WORK) as served:
        endpoint = served.endpoint
        proxmox = endpoint.section()
        for latency in args.latency_list:
            served.set_latency(latency / 1000)
            baseline: dict[str, float] | None = None
            if n <= args.baseline_max:
                served.pve.reset_counts()
                say(f"N={n:,} {latency:g} ms: sequential baseline")
                baseline = measure.run_baseline(
                    [
                        "--host",
                        endpoint.hostport,
                        "--token-value",
                        endpoint.token_value,
                        "--cafile",
                        str(endpoint.cafile),
                    ],
                    timeout=3600,
                )
                say(f"N={n:,} {latency:g} ms: baseline {baseline['seconds']:.1f} s, {baseline['requests']} requests")
            for side in sides:
                netbox_section = (
                    netbox.section() if side == "netbox" else {"type": "file", "path": str(work / "netbox.json")}
                )
                config = measure.write_config(
                    work / f"netmox-{side}.toml", cluster=lab.spec.cluster, netbox=netbox_section, proxmox=proxmox
                )
                served.pve.reset_counts()
                stats = measure.plan_repeatedly(config, work, runs, args.timeout)
                counts = served.pve.reset_counts()
                done = len(stats.runs)
                last = stats.runs[-1]
                ok = last.exit_code in (0, 2)
                row = report.Row(
                    guests=n,
                    nodes=len(lab.node_names),
                    latency_ms=latency,
                    netbox_side=side,
                    runs=done,
                    plan_median_s=stats.median_seconds if ok else None,
                    plan_max_rss_mib=stats.max_rss_mib if ok else None,
                    plan_cpu_s=stats.median_cpu_seconds if ok else None,
                    pve_requests=counts["total"] / done,
                    pve_config=counts["config"] / done,
                    pve_runtime=counts["runtime"] / done,
                    netbox_requests=stats.requests_to(netbox_lab_netloc(netbox)) if side == "netbox" else None,
                    planner_s=planner_s,
                    changes=changes,
                    baseline_s=baseline["seconds"] if baseline else None,
                    baseline_requests=int(baseline["requests"]) if baseline else None,
                    summary=last.summary,
                    error="" if ok else f"exit {last.exit_code}: {last.summary}",
                )
                rows.append(row)
                say(
                    f"N={n:,} {latency:g} ms {side}: plan {_show(row.plan_median_s)} s (runs {done}), "
                    f"RSS {_show(row.plan_max_rss_mib, 0)} MiB, PVE {row.pve_requests:.0f} req, "
                    f"NetBox {row.netbox_requests} req; {row.error or row.summary}"
                )
                write_results(rows, args)


def _show(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def netbox_lab_netloc(netbox: NetboxSide) -> str:
    assert netbox.info is not None
    return netbox.info["url"].split("://", 1)[1]


def measure_apply(n: int, args: argparse.Namespace, netbox: NetboxSide, apply_rows: list[report.ApplyRow]) -> None:
    """The apply rows at N guests (real NetBox only: the floor and the baseline are NetBox writes)."""
    if not netbox.ready():
        note = f"apply rows at N={n:,} skipped: no real NetBox ({netbox.error or '--no-netbox'})"
        say(note)
        args.notes.append(note)
        return
    assert netbox.info is not None
    if not hasattr(args, "worker_stopped"):
        args.worker_stopped = args.netbox_worker == "stop" and netbox_lab.stop_worker(netbox.info, WORK / "netbox")
        note = (
            "apply rows: the bench NetBox's RQ worker was stopped, so NetBox indexed its search cache inside "
            "each request (all of NetBox's work is in the measured time)"
            if args.worker_stopped
            else "apply rows: the bench NetBox's RQ worker ran, so NetBox indexed its search cache in background "
            "jobs after the requests; every measurement waited for the queue to drain before it started"
        )
        say(note)
        args.notes.append(note)
    bench = apply_bench.ApplyBench(netbox.info, WORK, args.seed, args.apply_timeout, say)
    for row in bench.measure(n, n <= args.apply_baseline_max, args.apply_workload_list):
        apply_rows.append(row)
        write_results(args.rows, args)


def write_results(rows: list[report.Row], args: argparse.Namespace) -> None:
    args.out.mkdir(parents=True, exist_ok=True)
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "argv": " ".join(["bench/run", *args.argv]),
        "seed": args.seed,
        "notes": args.notes,
    }
    apply_rows = args.apply_rows
    data = {"meta": meta, "rows": report.as_dicts(rows), "apply": report.as_dicts(apply_rows)}
    (args.out / "results.json").write_text(json.dumps(data, indent=2))
    (args.out / "results.md").write_text(report.markdown(rows, meta, apply_rows))
    if rows:
        report.plot(rows, args.out / "time-vs-n.png")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    args.argv = argv
    args.notes = []
    WORK.mkdir(parents=True, exist_ok=True)
    rows: list[report.Row] = []
    args.rows = rows
    args.apply_rows = []
    netbox = NetboxSide(args)
    try:
        for n in args.size_list:
            measure_size(n, args, netbox, rows)
        for n in args.apply_size_list:
            measure_apply(n, args, netbox, args.apply_rows)
    except KeyboardInterrupt:
        say("interrupted: writing what was measured")
    finally:
        if netbox.error:
            args.notes.append(f"real NetBox unavailable ({netbox.error}); NetBox side from files")
        if rows or args.apply_rows:
            write_results(rows, args)
            say(f"wrote {args.out / 'results.md'}")
        netbox.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
