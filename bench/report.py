"""Turning the measured rows into ``results.md`` (targets printed next to values) and ``time-vs-n.png``."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

TARGET_PLAN_1000_10MS = 3.0
TARGET_PLAN_10000 = 20.0
TARGET_RSS_10000 = 300.0
TARGET_PLANNER_10000 = 1.0
TARGET_SPEEDUP = 50.0
PAGE = 1000  # MAX_PAGE_SIZE of the bench NetBox, and netmox's default page_size
# Apply targets (issue 12): NetBox requests per object type and stage, wall time against the floor and
# against the sequential baseline.
TARGET_REQUESTS_PER_STAGE = 2  # per STAGE_OBJECTS objects
STAGE_OBJECTS = 200
TARGET_FLOOR_RATIO = 1.3
TARGET_APPLY_SPEEDUP = 4.0
APPLY_SPEEDUP_AT = 200


@dataclass
class Row:
    """One measured configuration: N guests, a latency, and where the NetBox side came from."""

    guests: int
    nodes: int
    latency_ms: float
    netbox_side: str  # "netbox" (real server) or "file"
    runs: int
    plan_median_s: float | None
    plan_max_rss_mib: float | None
    plan_cpu_s: float | None  # median user+system CPU of the netmox process
    pve_requests: float | None  # per plan, counted by the fake
    pve_config: float | None
    pve_runtime: float | None
    netbox_requests: int | None  # per plan, counted in the netmox process
    planner_s: float | None
    changes: int | None  # planner-alone changes
    baseline_s: float | None = None
    baseline_requests: int | None = None
    summary: str = ""
    error: str = ""

    @property
    def pve_budget(self) -> int:
        return self.guests + self.nodes + 5

    @property
    def speedup(self) -> float | None:
        if self.baseline_s and self.plan_median_s:
            return self.baseline_s / self.plan_median_s
        return None


@dataclass
class ApplyRow:
    """One apply workload at N guests: netmox, its sequential baseline and its floor, from reset states."""

    workload: str  # "import", "update", "create-pve"
    guests: int
    changes: int  # objects the workload changes (N, N, N/10)
    prefer: str
    netmox_s: float | None = None
    netmox_netbox: int | None = None
    netmox_pve: int | None = None
    netmox_exit: int | None = None
    baseline_s: float | None = None
    baseline_netbox: int | None = None
    baseline_pve: int | None = None
    baseline_exit: int | None = None
    floor_s: float | None = None
    floor_netbox: int | None = None
    netbox_by_key: dict[str, dict[str, int]] = field(default_factory=dict)  # variant -> "METHOD /path/" -> n
    pve_by_method: dict[str, dict[str, int]] = field(default_factory=dict)  # variant -> method -> n
    summaries: dict[str, str] = field(default_factory=dict)  # variant -> "Apply complete: …"
    checks: dict[str, str] = field(default_factory=dict)  # variant -> the plan after the apply
    background: dict[str, list[float]] = field(default_factory=dict)  # variant -> [jobs left, seconds to drain]
    netbox_seconds: dict[str, dict[str, float]] = field(default_factory=dict)  # variant -> key -> s waited
    error: str = ""

    def fill(
        self,
        variant: str,
        seconds: float | None,
        netbox: int | None,
        pve: int | None,
        exit_code: int | None,
        by_key: dict[str, int],
        summary: str,
    ) -> None:
        """Record one variant's measurement (``netmox``, ``baseline`` or ``floor``)."""
        setattr(self, f"{variant}_s", seconds)
        setattr(self, f"{variant}_netbox", netbox)
        if variant != "floor":
            setattr(self, f"{variant}_pve", pve)
            setattr(self, f"{variant}_exit", exit_code)
        self.netbox_by_key[variant] = by_key
        if summary:
            self.summaries[variant] = summary

    @property
    def floor_ratio(self) -> float | None:
        if self.netmox_s and self.floor_s:
            return self.netmox_s / self.floor_s
        return None

    @property
    def speedup(self) -> float | None:
        if self.netmox_s and self.baseline_s:
            return self.baseline_s / self.netmox_s
        return None

    @property
    def stage_budget(self) -> int:
        return TARGET_REQUESTS_PER_STAGE * max(1, math.ceil(self.changes / STAGE_OBJECTS))

    @property
    def busiest_stage(self) -> tuple[str, int] | None:
        """netmox's NetBox request kind (method and path) with the most requests."""
        counts = self.netbox_by_key.get("netmox") or {}
        return max(counts.items(), key=lambda item: item[1]) if counts else None


def _f(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _n(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _mark(ok: bool | None) -> str:
    return "" if ok is None else (" ✅" if ok else " ❌")


def wall_target(row: Row) -> float | None:
    if row.guests == 1000 and row.latency_ms == 10:
        return TARGET_PLAN_1000_10MS
    if row.guests == 10000:
        return TARGET_PLAN_10000
    return None


def netbox_pages(guests: int) -> int:
    """List pages beyond the first that a cluster of this size needs (VMs, interfaces, disks)."""
    return 3 * max(0, math.ceil(guests / PAGE) - 1)


def markdown(rows: list[Row], meta: dict[str, Any], apply_rows: list[ApplyRow] | None = None) -> str:
    lines = [
        "# netmox scale benchmark — results",
        "",
        f"Generated by `bench/run` on {meta.get('date', '?')} ({meta.get('machine', '?')}). "
        f"Options: `{meta.get('argv', '')}`. Lab: seed {meta.get('seed')}, 5 % of guests drifted in one "
        "property, 1 % on one side only, 30 % LXC, 80 % running (running QEMU guests have an answering agent).",
        "",
        "Targets (issue 6) are printed next to each value; ✅ met, ❌ missed, no mark: no target for that row.",
        "`netmox plan` wall time is the median of the runs shown (a subprocess of the real CLI, "
        "`--detailed-exitcode`, text output to a file, both sides read and the plan made); RSS is the peak of "
        "that subprocess. Runtime address reads: `…/agent/network-get-interfaces` per running QEMU guest and "
        "`…/lxc/{vmid}/interfaces` per running container. The speedup divides the baseline's Proxmox read alone "
        "by the whole `netmox plan` (process start, both sides, planning), so it understates netmox's lead.",
        "",
        "| N | nodes | latency | NetBox side | runs | `netmox plan` median s (target) | netmox CPU s "
        "| peak RSS MiB (target) "
        "| Proxmox requests: total = config + runtime + other (target ≤ N+nodes+5) | NetBox requests "
        "| planner alone s (target) | baseline s (requests) | speedup (target) |",
        "|---:|---:|---:|---|---:|---|---:|---|---|---:|---|---:|---|",
    ]
    for r in rows:
        target = wall_target(r)
        wall = _f(r.plan_median_s)
        if target is not None and r.plan_median_s is not None:
            wall += f" (≤ {target:g}){_mark(r.plan_median_s <= target)}"
        rss = _f(r.plan_max_rss_mib, 0)
        if r.guests == 10000 and r.plan_max_rss_mib is not None:
            rss += f" (≤ {TARGET_RSS_10000:g}){_mark(r.plan_max_rss_mib <= TARGET_RSS_10000)}"
        pve = "-"
        if r.pve_requests is not None:
            other = r.pve_requests - (r.pve_config or 0) - (r.pve_runtime or 0)
            without_runtime = r.pve_requests - (r.pve_runtime or 0)
            pve = (
                f"{_n(r.pve_requests)} = {_n(r.pve_config)} + {_n(r.pve_runtime)} + {_n(other)} "
                f"(≤ {r.pve_budget:,}{_mark(r.pve_requests <= r.pve_budget)}; without runtime address reads "
                f"{_n(without_runtime)}{_mark(without_runtime <= r.pve_budget)})"
            )
        planner = _f(r.planner_s, 3)
        if r.guests == 10000 and r.planner_s is not None:
            planner += f" (≤ {TARGET_PLANNER_10000:g}){_mark(r.planner_s <= TARGET_PLANNER_10000)}"
        speed = "-" if r.speedup is None else f"{r.speedup:.1f}x"
        if r.speedup is not None and r.guests == 1000 and r.latency_ms == 10:
            speed += f" (≥ {TARGET_SPEEDUP:g}x){_mark(r.speedup >= TARGET_SPEEDUP)}"
        netbox = _n(r.netbox_requests) if r.netbox_side == "netbox" else "- (file)"
        baseline = _f(r.baseline_s)
        if r.baseline_requests is not None:
            baseline += f" ({r.baseline_requests:,} req)"
        lines.append(
            f"| {r.guests:,} | {r.nodes} | {r.latency_ms:g} ms | {r.netbox_side} | {r.runs} | {wall} "
            f"| {_f(r.plan_cpu_s)} | {rss} "
            f"| {pve} | {netbox} | {planner} | {baseline} | {speed} |"
        )
    lines += ["", "## NetBox requests per plan", ""]
    netbox_rows = [r for r in rows if r.netbox_side == "netbox" and r.netbox_requests is not None]
    if netbox_rows:
        base = min(r.netbox_requests - (1 if r.changes else 0) for r in netbox_rows if r.netbox_requests is not None)
        lines.append(
            "Target: independent of N except pagination (page size 1,000: +1 request per extra page of VMs, "
            "interfaces and disks). The snapshot makes 6 (custom fields, cluster, devices, VMs, GraphQL "
            "interfaces, GraphQL disks); a plan with writes adds 1 (preflight's cluster lookup)."
        )
        lines.append("")
        for r in netbox_rows:
            allowed = base + netbox_pages(r.guests) + (1 if r.changes else 0)
            ok = r.netbox_requests is not None and r.netbox_requests <= allowed
            lines.append(
                f"- N = {r.guests:,}, {r.latency_ms:g} ms: {r.netbox_requests} requests (≤ {allowed}){_mark(ok)}"
            )
    else:
        lines.append("No run against the real NetBox in this result set.")
    lines += ["", "## Plan summaries (last run of each row)", ""]
    for r in rows:
        text = r.error or r.summary or "-"
        lines.append(f"- N = {r.guests:,}, {r.latency_ms:g} ms, {r.netbox_side}: {text}")
    if apply_rows:
        lines += apply_markdown(apply_rows)
    notes = meta.get("notes") or []
    if notes:
        lines += ["", "## Notes", "", *[f"- {note}" for note in notes]]
    return "\n".join(lines) + "\n"


def _seconds_req(seconds: float | None, netbox: int | None, pve: int | None = None) -> tuple[str, str, str]:
    return _f(seconds, 1), _n(netbox), _n(pve)


def apply_markdown(rows: list[ApplyRow]) -> list[str]:
    """The apply table (issue 12): netmox, baseline and floor side by side, ratios with their targets."""
    lines = [
        "",
        "## Apply",
        "",
        "Each cell is one `netmox apply --auto-approve` (a subprocess of the real CLI) from a reset state: its own "
        "NetBox cluster and address range, a fresh fakepve and history. Baseline: the same apply with "
        "`[netbox] chunk_size = 1` and `[proxmox] workers = 1` (one object per request, one guest after "
        "another). Floor: the same NetBox objects written by a bare bulk pynetbox script "
        "(`bench/apply_floor.py`, list requests of 200, the writes alone: no process start, no snapshot).",
        f"Targets: NetBox requests ≤ {TARGET_REQUESTS_PER_STAGE} per object type and stage per "
        f"{STAGE_OBJECTS} objects (the busiest `METHOD /path/` of netmox's apply); import wall ≤ "
        f"{TARGET_FLOOR_RATIO:g} x floor; ≥ {TARGET_APPLY_SPEEDUP:g}x faster than the baseline at "
        f"N = {APPLY_SPEEDUP_AT}.",
        "",
        "| workload | N | changes | prefer | netmox s | NetBox req | PVE req | baseline s | baseline NetBox req "
        "| baseline PVE req | floor s | floor NetBox req | netmox / floor (target) | baseline / netmox (target) "
        "| busiest request kind (target) | after apply | error |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = "-" if r.floor_ratio is None else f"{r.floor_ratio:.2f}x"
        if r.floor_ratio is not None and r.workload == "import":
            ratio += f" (≤ {TARGET_FLOOR_RATIO:g}){_mark(r.floor_ratio <= TARGET_FLOOR_RATIO)}"
        speed = "-" if r.speedup is None else f"{r.speedup:.1f}x"
        if r.speedup is not None and r.guests == APPLY_SPEEDUP_AT:
            speed += f" (≥ {TARGET_APPLY_SPEEDUP:g}){_mark(r.speedup >= TARGET_APPLY_SPEEDUP)}"
        busiest = "-"
        if r.busiest_stage is not None:
            key, count = r.busiest_stage
            busiest = f"{count} x `{key}` (≤ {r.stage_budget}){_mark(count <= r.stage_budget)}"
        after = r.checks.get("netmox", "-")
        lines.append(
            f"| {r.workload} | {r.guests:,} | {r.changes:,} | {r.prefer} | {_f(r.netmox_s, 1)} "
            f"| {_n(r.netmox_netbox)} | {_n(r.netmox_pve)} | {_f(r.baseline_s, 1)} | {_n(r.baseline_netbox)} "
            f"| {_n(r.baseline_pve)} | {_f(r.floor_s, 1)} | {_n(r.floor_netbox)} | {ratio} | {speed} | {busiest} "
            f"| {after} | {r.error or ''} |"
        )
    lines += [
        "",
        "### NetBox requests by method and path",
        "",
        "Requests, and in brackets the seconds spent waiting for their answers (where one is measured).",
        "",
    ]
    for r in rows:
        for variant in ("netmox", "baseline", "floor"):
            counts = r.netbox_by_key.get(variant)
            waited = r.netbox_seconds.get(variant) or {}
            if counts:
                shown = ", ".join(
                    f"`{key}` {count:,}" + (f" ({waited[key]:.1f} s)" if key in waited else "")
                    for key, count in counts.items()
                )
                lines.append(f"- {r.workload}, N = {r.guests:,}, {variant}: {shown}")
    lines += ["", "### Proxmox VE requests by method, and the apply summaries", ""]
    for r in rows:
        for variant in ("netmox", "baseline"):
            methods = r.pve_by_method.get(variant)
            if methods is None and variant not in r.summaries:
                continue
            shown = ", ".join(f"{m} {c:,}" for m, c in sorted((methods or {}).items())) or "none"
            summary = r.summaries.get(variant, "-")
            lines.append(f"- {r.workload}, N = {r.guests:,}, {variant}: PVE {shown}; {summary}")
    lines += [
        "",
        "### NetBox background work left behind",
        "",
        "NetBox 4.7 updates its search cache in a background job per written object (and per deleted one) "
        "when an RQ worker runs, inline in the request when none does (`--netbox-worker`, see the notes). "
        "With a worker, each measurement waits for the queue to drain before it starts, so one does not slow "
        "the next; the jobs a measurement left and the seconds they took to drain (not in its wall time):",
        "",
    ]
    for r in rows:
        parts = [f"{v} {int(b[0]):,} jobs, {b[1]:.0f} s" for v, b in r.background.items()]
        if parts:
            lines.append(f"- {r.workload}, N = {r.guests:,}: {'; '.join(parts)}")
    return lines


def plot(rows: list[Row], path: Path) -> bool:
    """Log-log wall time vs N, netmox and the baseline per latency; False when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for latency in sorted({r.latency_ms for r in rows}):
        for side, style in (("netbox", "o-"), ("file", "s--")):
            points = sorted(
                (r.guests, r.plan_median_s)
                for r in rows
                if r.latency_ms == latency and r.netbox_side == side and r.plan_median_s
            )
            if points:
                label = f"netmox plan, {latency:g} ms, NetBox side: " + ("file" if side == "file" else "real NetBox")
                ax.plot(*zip(*points, strict=True), style, label=label)
        base = sorted({(r.guests, r.baseline_s) for r in rows if r.latency_ms == latency and r.baseline_s is not None})
        if base:
            ax.plot(*zip(*base, strict=True), "x:", label=f"sequential baseline, {latency:g} ms")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("guests (N)")
    ax.set_ylabel("wall time (s)")
    ax.set_title("netmox plan vs sequential per-property reads")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def as_dicts(rows: list[Row] | list[ApplyRow]) -> list[dict[str, Any]]:
    return [asdict(r) for r in rows]


def rerender(results: Path) -> None:
    """Rewrite results.md and the plot from results.json (after a change to the report's layout)."""
    import json

    data = json.loads((results / "results.json").read_text())
    rows = [Row(**row) for row in data["rows"]]
    apply_rows = [ApplyRow(**row) for row in data.get("apply", [])]
    (results / "results.md").write_text(markdown(rows, data["meta"], apply_rows))
    if rows:
        plot(rows, results / "time-vs-n.png")


if __name__ == "__main__":
    import sys

    rerender(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "results")
