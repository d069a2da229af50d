"""The NetBox side of a connection, read and written through pynetbox (see docs/mapping.md, "## NetBox")."""

from __future__ import annotations

from netmox_cli.config.schema import NetboxSide
from netmox_cli.errors import NetmoxError
from netmox_cli.model.state import ClusterState, Guest, Node, ObjectKind, Side
from netmox_cli.providers.base import CheckResult, Progress, Provider, WriteEvents, WriteRequest, WriteResult
from netmox_cli.providers.netbox.batch import Batch
from netmox_cli.providers.netbox.chunked import Collected
from netmox_cli.providers.netbox.client import NetboxClient
from netmox_cli.providers.netbox.mapping import PlatformTable
from netmox_cli.providers.netbox.notes import write_note
from netmox_cli.providers.netbox.refs import References
from netmox_cli.providers.netbox.schema import initialize, missing_custom_fields
from netmox_cli.providers.netbox.scoped import read_scope
from netmox_cli.providers.netbox.snapshot import read_cluster
from netmox_cli.providers.netbox.webhooks import ensure_webhook
from netmox_cli.providers.netbox.writes import NetboxWriter

__all__ = ["NetboxProvider"]


class NetboxProvider(Provider):
    """One NetBox cluster: devices are its nodes, virtual machines with a VMID its guests."""

    side = Side.NETBOX

    def __init__(self, section: NetboxSide, cluster: str) -> None:
        self.section = section
        self.cluster = cluster
        self.client = NetboxClient(section)
        self.platforms = PlatformTable(section.defaults.platforms)
        self.refs = References(self.client, cluster, section.defaults)
        self.writer = NetboxWriter(self.client, self.refs, section, self.platforms)

    @property
    def location(self) -> str:
        return self.client.url

    def snapshot(self, progress: Progress | None = None) -> ClusterState:
        # Lookups cached by an earlier apply may be stale by now (a re-read before applying must be fresh).
        self.refs = References(self.client, self.cluster, self.section.defaults)
        self.writer.refs = self.refs
        return read_cluster(self.client, self.cluster, self.section.page_size, self.platforms, progress)

    def read_guests(self, vmids: frozenset[int]) -> ClusterState:
        self.refs = References(self.client, self.cluster, self.section.defaults)  # fresh, as for snapshot()
        self.writer.refs = self.refs
        return read_scope(self.client, self.cluster, vmids, self.section.page_size, self.platforms)

    def apply(self, request: WriteRequest) -> WriteResult:
        events = Collected()
        self.apply_batch([request], events)
        (_, result, error), *_ = events.outcomes
        if error is not None:
            raise error
        assert result is not None
        return result

    def apply_batch(self, requests: list[WriteRequest], events: WriteEvents) -> None:
        """All of a phase's writes, in one list request per object type and stage (``batch.py``)."""
        Batch(self.writer, self.section.chunk_size, events).run(requests)

    @property
    def takes_notes(self) -> bool:
        return self.section.journal

    def note(self, kind: ObjectKind, obj: Node | Guest, text: str) -> None:
        write_note(self.client, kind, obj, text)

    def preflight(self, requests: list[WriteRequest]) -> dict[str, str]:
        """Missing cluster or node-creation defaults, reported per change before anything is written."""
        problems: dict[str, str] = {}
        writes = [r for r in requests if r.action != "delete"]
        if not writes:
            return problems
        if self.refs.cluster() is None:
            message = f"cluster {self.cluster!r} does not exist in NetBox at {self.location} (run `netmox init`)"
            return {r.change_id: message for r in writes}
        node_creates = [r for r in writes if r.kind is ObjectKind.NODE and r.action == "create"]
        if node_creates:
            missing = self.refs.node_defaults_problems()
            if missing:
                for request in node_creates:
                    problems[request.change_id] = "; ".join(missing)
        return problems

    def check(self) -> list[CheckResult]:
        results: list[CheckResult] = []
        try:
            status = self.client.get_json("status/")
            results.append(CheckResult(label="NetBox", ok=True, detail=f"version {status.get('netbox-version')}"))
        except NetmoxError as exc:
            return [CheckResult(label="NetBox", ok=False, detail=exc.one_line())]
        try:
            user = self.client.get_json("authentication-check/")
            results.append(CheckResult(label="token", ok=True, detail=f"user {user.get('username')}"))
        except NetmoxError as exc:
            results.append(CheckResult(label="token", ok=False, detail=exc.one_line()))
        try:
            missing = missing_custom_fields(self.client)
            detail = "in place" if not missing else f"missing {', '.join(missing)} (run `netmox init`)"
            results.append(CheckResult(label="custom fields", ok=not missing, detail=detail))
        except NetmoxError as exc:
            results.append(CheckResult(label="custom fields", ok=False, detail=exc.one_line()))
        try:
            cluster = self.refs.cluster()
            ok = cluster is not None
            detail = f"{self.cluster} (id {cluster.id})" if ok else f"{self.cluster} missing (run `netmox init`)"
            results.append(CheckResult(label="cluster", ok=ok, detail=detail))
        except NetmoxError as exc:
            results.append(CheckResult(label="cluster", ok=False, detail=exc.one_line()))
        return results

    def initialize(self) -> list[str]:
        """Create netmox's custom fields and the cluster where missing; one line per thing done."""
        done = initialize(self.client, self.cluster)
        self.refs = References(self.client, self.cluster, self.section.defaults)
        self.writer.refs = self.refs
        return done

    def ensure_webhook(self, url: str, secret: str, object_types: tuple[str, ...]) -> list[str]:
        """The webhook to ``netmox watch`` at ``url`` and its event rule (``netmox init --webhook``)."""
        return ensure_webhook(self.client, url, secret, object_types)

    def close(self) -> None:
        self.client.session.close()
