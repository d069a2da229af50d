"""The apply rows of the benchmark: three workloads through the real `netmox apply --auto-approve`, each beside
its sequential baseline (``chunk_size = 1``, ``workers = 1``) and, where NetBox's own cost can be isolated,
its floor (``apply_floor.py``: the same NetBox objects by a bare bulk pynetbox script).

Every measurement starts from a reset state of its own: its own NetBox cluster (``apply-<workload>-<N>-
<variant>``) and address range (10.<network>.0.0/16, distinct per workload and variant because the labs share
one NetBox, whose addresses are unique), the cluster's VMs deleted and the NetBox side seeded again, a fresh
fakepve and a fresh history file. The lab has no drift and no one-sided guests: the workload is the change.

- ``import``: Proxmox VE holds the lab's N guests, the NetBox cluster none (its devices exist);
  ``prefer = "proxmox"`` creates N VMs with their interfaces, MAC and IP addresses and disks.
- ``update``: NetBox seeded identical to Proxmox VE, then every guest's description changed in the fake;
  ``prefer = "proxmox"`` writes N description PATCHes (and N journal entries).
- ``create-pve``: NetBox holds N guests, Proxmox VE 90 % of them; ``prefer = "netbox"`` creates N/10 guests
  on Proxmox VE from NetBox's documentation.

After each apply a `netmox plan --detailed-exitcode` checks that the two sides now agree.
"""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import apply_floor, measure
from bench.labgen import Lab, LabSpec, generate
from bench.pve_lab import ServedPve
from bench.report import ApplyRow
from netmox_cli.model.state import ClusterState, Side

DESCRIPTION_SUFFIX = " (changed on Proxmox VE)"
VARIANTS = ("netmox", "baseline", "floor")
FIRST_NETWORK = 100  # plan labs use 10.21-10.51 (main.lab_network); apply labs 10.100 and up
# Guests netmox creates on Proxmox VE need an LXC template and a storage (fakepve has both storages).
PROXMOX_DEFAULTS = """
[connections.bench.proxmox.defaults]
storage = "local-lvm"
lxc_ostemplate = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
"""


@dataclass(frozen=True)
class Workload:
    """One apply workload: which side wins, and the two sides it starts from."""

    name: str
    prefer: str
    floor: bool
    sides: Callable[[Lab], tuple[list[Any], ClusterState]]  # (NetBox guests to seed, Proxmox VE state)
    changes: Callable[[int], int]


def _import_sides(lab: Lab) -> tuple[list[Any], ClusterState]:
    return [], lab.proxmox


def _update_sides(lab: Lab) -> tuple[list[Any], ClusterState]:
    pve = lab.proxmox.model_copy(deep=True)
    for guest in pve.guests:
        guest.description = (guest.description or "") + DESCRIPTION_SUFFIX
    return lab.netbox.guests, pve


def _create_pve_sides(lab: Lab) -> tuple[list[Any], ClusterState]:
    kept = [g for i, g in enumerate(lab.proxmox.guests) if i % 10 != 0]
    return lab.netbox.guests, ClusterState(
        side=Side.PROXMOX, name=lab.proxmox.name, nodes=lab.proxmox.nodes, guests=kept
    )


WORKLOADS = (
    Workload("import", "proxmox", True, _import_sides, lambda n: n),
    Workload("update", "proxmox", True, _update_sides, lambda n: n),
    Workload("create-pve", "netbox", False, _create_pve_sides, lambda n: math.ceil(n / 10)),
)


def network_for(workload: int, variant: int) -> int:
    """The second address octet of one workload and variant (every N reuses it: a reset frees the range)."""
    return FIRST_NETWORK + len(VARIANTS) * workload + variant


@dataclass
class Measured:
    """One variant's outcome."""

    seconds: float | None
    netbox: int | None
    pve: int | None
    exit_code: int | None
    netbox_by_key: dict[str, int]
    pve_by_method: dict[str, int]
    summary: str
    check: str = ""  # the plan after the apply: "in sync" or its summary
    background: tuple[int, float] = (0, 0.0)  # NetBox background jobs left behind, seconds they took
    netbox_seconds: dict[str, float] | None = None  # "METHOD /path/" -> seconds waiting for NetBox's answers


class ApplyBench:
    """Runs the apply workloads against one NetBox (``info``: url and token of the bench NetBox)."""

    def __init__(self, info: dict[str, str], work: Path, seed: int, timeout: float, say: Callable[[str], None]):
        self.url, self.token = info["url"], info["token"]
        self.netloc = self.url.split("://", 1)[1]
        self.work = work / "apply"
        self.seed = seed
        self.timeout = timeout
        self.say = say

    def _lab(self, workload: int, name: str, n: int, variant: int) -> tuple[Lab, str, int]:
        cluster = f"apply-{name}-{n}-{VARIANTS[variant]}"
        network = network_for(workload, variant)
        spec = LabSpec(guests=n, seed=self.seed, cluster=cluster, network=network, drift=0, one_sided=0)
        return generate(spec), cluster, network

    def _reset(self, lab: Lab, cluster: str, network: int, seed_guests: list[Any]) -> apply_floor.Refs:
        """The cluster's references made, its VMs deleted and ``seed_guests`` written (no journal entries)."""
        start = time.perf_counter()
        refs = apply_floor.prepare(self.url, self.token, lab.netbox, cluster)
        api, _ = apply_floor.connect(self.url, self.token)
        deleted = apply_floor.reset(api, refs.cluster_id, network)
        if seed_guests:
            apply_floor.create_guests(api, refs, seed_guests, journal=False)
        jobs, waited = apply_floor.wait_for_background(api)
        seconds = time.perf_counter() - start
        self.say(
            f"{cluster}: reset ({deleted} VMs deleted, {len(seed_guests)} seeded, {jobs} NetBox background jobs "
            f"waited for in {waited:.0f} s) in {seconds:.0f} s"
        )
        return refs

    def _drain(self) -> tuple[int, float]:
        """NetBox's background work a measurement left (search cache jobs), waited for so the next starts idle."""
        api, _ = apply_floor.connect(self.url, self.token)
        return apply_floor.wait_for_background(api)

    def run_netmox(self, index: int, workload: Workload, n: int, baseline: bool) -> Measured:
        """`netmox apply --auto-approve` from a reset state; the baseline with one object per request and
        one Proxmox VE worker."""
        variant = 1 if baseline else 0
        lab, cluster, network = self._lab(index, workload.name, n, variant)
        seed_guests, pve_state = workload.sides(lab)
        self._reset(lab, cluster, network, seed_guests)
        folder = self.work / cluster
        shutil.rmtree(folder, ignore_errors=True)  # a fresh history and lock folder
        folder.mkdir(parents=True)
        with ServedPve(pve_state, workdir=self.work) as served:
            netbox: dict[str, Any] = {"type": "netbox", "url": self.url, "token": self.token}
            proxmox: dict[str, Any] = served.endpoint.section()
            if baseline:
                netbox["chunk_size"] = 1
                proxmox["workers"] = 1
            config = measure.write_config(
                folder / "netmox.toml",
                cluster=cluster,
                netbox=netbox,
                proxmox=proxmox,
                prefer=workload.prefer,
                extra=PROXMOX_DEFAULTS,
            )
            served.pve.reset_counts()
            run = measure.run_netmox(
                ["apply", "--auto-approve"], config, folder, self.timeout, "apply", "Apply complete"
            )
            pve_counts = served.pve.reset_counts()
            background = self._drain()
            check = measure.run_netmox(["plan", "--detailed-exitcode"], config, folder, self.timeout, "check", "Plan:")
        prefix = f"{self.netloc} "
        by_key = {k.removeprefix(prefix): v for k, v in run.requests.items() if k.startswith(prefix)}
        timed = f"time {prefix}"
        seconds = {k.removeprefix(timed): float(v) for k, v in run.requests.items() if k.startswith(timed)}
        return Measured(
            seconds=run.seconds,
            netbox=run.requests.get(self.netloc, 0),
            pve=pve_counts["total"],
            exit_code=run.exit_code,
            netbox_by_key=dict(sorted(by_key.items())),
            pve_by_method={k.removeprefix("method "): v for k, v in pve_counts.items() if k.startswith("method ")},
            summary=run.summary,
            check="in sync" if check.exit_code == 0 else f"exit {check.exit_code}: {check.summary}",
            background=background,
            netbox_seconds=dict(sorted(seconds.items())),
        )

    def run_floor(self, index: int, workload: Workload, n: int) -> Measured:
        """The bare bulk pynetbox script for the same NetBox writes, from a reset state."""
        lab, cluster, network = self._lab(index, workload.name, n, 2)
        seed_guests, pve_state = workload.sides(lab)
        refs = self._reset(lab, cluster, network, seed_guests)
        api, counted = apply_floor.connect(self.url, self.token)
        start = time.perf_counter()
        if workload.name == "import":
            apply_floor.create_guests(api, refs, [apply_floor.as_imported(g) for g in lab.netbox.guests])
        elif workload.name == "update":
            apply_floor.update_descriptions(
                api, refs.cluster_id, {g.vmid: g.description or "" for g in pve_state.guests}
            )
        else:
            raise ValueError(f"no floor for {workload.name}")
        seconds = time.perf_counter() - start
        counts = counted.take()
        total = counts.pop("total", 0)
        background = self._drain()
        waited = dict(sorted(counted.last_seconds.items()))
        return Measured(
            seconds, total, 0, 0, dict(sorted(counts.items())), {}, "", background=background, netbox_seconds=waited
        )

    def measure(self, n: int, baseline: bool, only: list[str] | None = None) -> list[ApplyRow]:
        """One row per workload at N guests."""
        rows = []
        for index, workload in enumerate(WORKLOADS):
            if only and workload.name not in only:
                continue
            row = ApplyRow(workload=workload.name, guests=n, changes=workload.changes(n), prefer=workload.prefer)
            errors = []
            for variant in ("netmox", "baseline", "floor"):
                if (variant == "baseline" and not baseline) or (variant == "floor" and not workload.floor):
                    continue
                self.say(f"apply {workload.name} N={n:,}: {variant}")
                try:
                    if variant == "floor":
                        got = self.run_floor(index, workload, n)
                    else:
                        got = self.run_netmox(index, workload, n, baseline=variant == "baseline")
                except Exception as exc:  # the benchmark reports; a failed variant leaves its cells empty
                    errors.append(f"{variant}: {type(exc).__name__}: {str(exc)[:300]}")
                    self.say(f"apply {workload.name} N={n:,} {variant} failed: {errors[-1]}")
                    continue
                row.fill(variant, got.seconds, got.netbox, got.pve, got.exit_code, got.netbox_by_key, got.summary)
                row.background[variant] = [got.background[0], round(got.background[1], 1)]
                row.netbox_seconds[variant] = {k: round(v, 2) for k, v in (got.netbox_seconds or {}).items()}
                if variant != "floor":
                    row.pve_by_method[variant] = got.pve_by_method
                    row.checks[variant] = got.check
                    if got.exit_code != 0:
                        errors.append(f"{variant}: exit {got.exit_code}: {got.summary}")
                self.say(
                    f"apply {workload.name} N={n:,} {variant}: {got.seconds:.1f} s, NetBox {got.netbox} req, "
                    f"PVE {got.pve} req, exit {got.exit_code}; {got.summary} {got.check}; NetBox background "
                    f"jobs after it: {got.background[0]} ({got.background[1]:.0f} s)"
                )
            row.error = "; ".join(errors)
            rows.append(row)
        return rows
