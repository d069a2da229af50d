"""The Proxmox VE side: one cluster, read in bulk and written with task tracking (proxmoxer, API token).

Module map: ``client`` (HTTP, TLS, retries, error translation), ``parse`` (every config format),
``snapshot`` (the bulk read), ``properties`` (each property's read, create and update handlers),
``configs`` (desired values -> config values), ``writes`` (the write sequences),
``tasks`` (waiting for UPIDs), ``checks`` (``netmox check``).
"""

from __future__ import annotations

from netmox_cli.config.schema import ProxmoxSide
from netmox_cli.errors import NetmoxError
from netmox_cli.model.kinds import KINDS
from netmox_cli.model.state import ClusterState, Guest, Side
from netmox_cli.providers.base import CheckResult, Progress, Provider, WriteRequest, WriteResult
from netmox_cli.providers.proxmox import checks, properties
from netmox_cli.providers.proxmox.client import PveClient
from netmox_cli.providers.proxmox.scoped import read_guests
from netmox_cli.providers.proxmox.snapshot import Snapshotter
from netmox_cli.providers.proxmox.tasks import TaskWaiter
from netmox_cli.providers.proxmox.writes import Writer

__all__ = ["ProxmoxProvider"]


class ProxmoxProvider(Provider):
    """One Proxmox VE cluster, reached through one API endpoint with an API token."""

    side = Side.PROXMOX

    def __init__(self, section: ProxmoxSide, *, client: PveClient | None = None) -> None:
        self._section = section
        self._client = client or PveClient(section)
        self._waiter = TaskWaiter(self._client, section.task_timeout)
        self.write_workers = section.workers  # guests are written in parallel, each guest's steps in order

    @property
    def location(self) -> str:
        return self._client.location

    def _snapshotter(self) -> Snapshotter:
        return Snapshotter(
            self._client,
            workers=self._section.workers,
            include_templates=self._section.include_templates,
            guest_agent=self._section.guest_agent,
        )

    def snapshot(self, progress: Progress | None = None) -> ClusterState:
        return self._snapshotter().take(progress)

    def read_guests(self, vmids: frozenset[int]) -> ClusterState:
        return read_guests(self._client, self._snapshotter(), vmids)

    def read_guest(self, guest: Guest) -> Guest | None:
        """The guest's config as Proxmox VE holds it now (its generated MACs, its disks' storage)."""
        if not guest.node:
            return None
        row = {"vmid": guest.vmid, "node": guest.node, "type": guest.kind, "status": guest.status}
        snapshotter = Snapshotter(self._client, guest_agent=False)  # addresses are not known right after a create
        found = snapshotter.read_guest(row, {guest.node})
        return None if found.incomplete else found

    def apply(self, request: WriteRequest) -> WriteResult:
        return Writer(self._client, self._waiter, self._section.defaults).apply(request)

    def preflight(self, requests: list[WriteRequest]) -> dict[str, str]:
        """Problems found from the config alone: a create with no OS template, storage or node."""
        problems: dict[str, str] = {}
        for request in requests:
            if not KINDS[request.kind].created_on_proxmox:
                if request.action != "update":
                    problems[request.change_id] = "netmox cannot install or remove a Proxmox VE node"
                continue
            problem = self._guest_problem(request)
            if problem:
                problems[request.change_id] = problem
        return problems

    def _guest_problem(self, request: WriteRequest) -> str | None:
        desired = request.desired
        current = request.current
        if request.action == "delete" and isinstance(current, Guest):
            if current.status == "running" and not request.context.allow_stop:
                return (
                    f"{current.kind} {current.vmid} is running; netmox stops a guest to delete it only with allow_stop"
                )
            return None
        try:
            if request.action == "create" and isinstance(desired, Guest):
                if not desired.node:
                    return f"{desired.kind} {desired.vmid} has no node to be created on"
                properties.create_params(desired.kind, desired, self._section.defaults)
            elif request.action == "update" and "disks" in request.fields and isinstance(desired, Guest):
                current = request.current
                assert isinstance(current, Guest)
                properties.update_change(desired.kind, {}, current, desired, {"disks"}, self._section.defaults)
        except NetmoxError as error:
            return error.one_line()
        return None

    def check(self) -> list[CheckResult]:
        return checks.run(self._client)

    def close(self) -> None:
        self._client.close()
