"""Carrying out one planned write on Proxmox VE, and waiting until it has really happened.

Safety rules, in the order they apply:

* an update re-reads the guest config and refuses (``StaleError``) when its digest is not the one the
  plan was made from; the ``PUT …/config`` then carries that digest, so a change that lands between
  the read and the write is refused by PVE too ("checksum mismatch");
* only the properties named in the request are written; ``node`` is never written to Proxmox VE;
* stopping is graceful (``shutdown`` with the policy's timeout); a hard ``stop`` follows only when
  the policy allows it (``allow_stop``);
* a protected guest (``protection: 1``) is never deleted; a running one is stopped first only when
  the policy allows it; deletion uses ``purge=1`` (backup jobs, replication, HA entries go too);
* every UPID is awaited (``tasks.TaskWaiter``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from netmox_cli.config.schema import ProxmoxDefaults
from netmox_cli.declared import require
from netmox_cli.errors import ConflictError, RemoteError, StaleError
from netmox_cli.model.kinds import KINDS
from netmox_cli.model.state import Guest, Node, ObjectKind
from netmox_cli.providers.base import ApplyContext, WriteRequest, WriteResult
from netmox_cli.providers.proxmox import parse, properties
from netmox_cli.providers.proxmox.client import PveClient
from netmox_cli.providers.proxmox.tasks import TaskFailed, TaskWaiter


class Writer:
    """Applies ``WriteRequest``s for one cluster."""

    def __init__(self, client: PveClient, waiter: TaskWaiter, defaults: ProxmoxDefaults) -> None:
        self._client = client
        self._waiter = waiter
        self._defaults = defaults

    def apply(self, request: WriteRequest) -> WriteResult:
        return self.KIND_WRITERS[request.kind](self, request)

    def _guest(self, request: WriteRequest) -> WriteResult:
        if request.action == "create":
            return self._create(request)
        if request.action == "delete":
            return self._delete(request)
        return self._update(request)

    # ------------------------------------------------------------------ nodes

    def _node(self, request: WriteRequest) -> WriteResult:
        if request.action != "update":
            verb = "install" if request.action == "create" else "remove"
            raise RemoteError(
                f"netmox cannot {verb} a Proxmox VE node through the API", "do it by hand, then plan again"
            )
        current, desired = request.current, request.desired
        assert isinstance(current, Node) and isinstance(desired, Node)
        try:
            values = properties.node_config_values(desired, list(request.fields))
        except ValueError as unsettable:
            raise RemoteError(f"node {current.name}: {unsettable} cannot be set through the API") from None
        self._client.put(f"/nodes/{current.name}/config", **values, digest=current.revision)
        return WriteResult(message=f"node {current.name}: {', '.join(sorted(values))} set")

    # ----------------------------------------------------------------- guests

    @staticmethod
    def _base(guest: Guest, node: str | None = None) -> str:
        return f"/nodes/{node or guest.node}/{guest.kind}/{guest.vmid}"

    def _update(self, request: WriteRequest) -> WriteResult:
        current, desired = request.current, request.desired
        assert isinstance(current, Guest) and isinstance(desired, Guest)
        if not current.node:
            raise RemoteError(f"{current.kind} {current.vmid}: its node is unknown")
        fields = set(request.fields) - {"node"}
        warnings: list[str] = []
        done: list[str] = []
        if fields & properties.CONFIG_FIELDS:
            warnings += self._write_config(current, desired, fields & properties.CONFIG_FIELDS)
            done.append(", ".join(sorted(fields & properties.CONFIG_FIELDS)))
        if "status" in fields and desired.status and desired.status != current.status:
            warnings += self._power(current, desired.status, request.context)
            done.append(f"now {desired.status}")
        message = f"{current.kind} {current.vmid}: " + ("; ".join(done) or "nothing to write")
        return WriteResult(message=message, warnings=warnings)

    def _write_config(self, current: Guest, desired: Guest, fields: set[str]) -> list[str]:
        base = self._base(current)
        raw = self._client.get(f"{base}/config") or {}
        digest = raw.get("digest")
        if current.revision and digest and digest != current.revision:
            raise StaleError(
                f"{current.kind} {current.vmid} changed on Proxmox VE since it was read (config digest differs)",
                "run `netmox plan` again",
            )
        change = properties.update_change(current.kind, raw, current, desired, fields, self._defaults)
        what = f"{current.kind} {current.vmid}"
        if change.values or change.deletes:
            self._client.put(
                f"{base}/config",
                **change.values,
                delete=",".join(change.deletes) or None,
                digest=digest,
            )
        warnings = list(change.warnings)
        for disk, size in change.resizes:
            answer = self._client.put(f"{base}/resize", disk=disk, size=f"{size}M")
            if parse.is_upid(answer):
                warnings += self._waiter.wait(answer, f"resize of {disk} of {what}")
        return warnings

    def _power(self, guest: Guest, target: str, context: ApplyContext) -> list[str]:
        """Start, or shut down gracefully (then hard-stop only if the policy allows)."""
        base = self._base(guest)
        what = f"{guest.kind} {guest.vmid}"
        if target == "running":
            return self._run(self._client.post(f"{base}/status/start"), f"start of {what}")
        if target != "stopped":
            raise RemoteError(f"{what}: status {target!r} cannot be set (only running or stopped)")
        try:
            upid = self._client.post(f"{base}/status/shutdown", timeout=context.shutdown_timeout)
            return self._run(upid, f"shutdown of {what}")
        except TaskFailed as failed:
            if not context.allow_stop:
                raise RemoteError(
                    f"{what} did not shut down within {context.shutdown_timeout} s ({failed.exitstatus})",
                    "set policy allow_stop = true to stop it hard after the timeout",
                ) from failed
        warnings = self._run(self._client.post(f"{base}/status/stop"), f"stop of {what}")
        return [f"{what} ignored the shutdown and was stopped hard (allow_stop)", *warnings]

    def _run(self, upid: Any, what: str) -> list[str]:
        return self._waiter.wait(upid, what) if parse.is_upid(upid) else []

    def _create(self, request: WriteRequest) -> WriteResult:
        desired = request.desired
        assert isinstance(desired, Guest)
        if not desired.node:
            raise ConflictError(f"{desired.kind} {desired.vmid}: no node to create it on")
        params = properties.create_params(desired.kind, desired, self._defaults)
        what = f"{desired.kind} {desired.vmid}"
        warnings = self._run(
            self._client.post(f"/nodes/{desired.node}/{desired.kind}", **params), f"creation of {what}"
        )
        if desired.status == "running":
            warnings += self._run(self._client.post(f"{self._base(desired)}/status/start"), f"start of {what}")
        return WriteResult(message=f"{what} created on {desired.node}", warnings=warnings)

    def _delete(self, request: WriteRequest) -> WriteResult:
        current = request.current
        assert isinstance(current, Guest)
        base = self._base(current)
        what = f"{current.kind} {current.vmid}"
        raw = self._client.get(f"{base}/config") or {}
        if parse.to_bool(raw.get("protection")):
            raise ConflictError(
                f"{what} is protected (protection: 1); netmox never deletes a protected guest",
                "remove the protection in Proxmox VE first if it really must go",
            )
        status = (self._client.get(f"{base}/status/current") or {}).get("status")
        warnings: list[str] = []
        if status == "running":
            if not request.context.allow_stop:
                raise ConflictError(
                    f"{what} is running; it is not stopped to delete it", "set policy allow_stop = true"
                )
            warnings += self._run(self._client.post(f"{base}/status/stop"), f"stop of {what}")
        warnings += self._run(self._client.delete(base, purge=1), f"deletion of {what}")
        return WriteResult(message=f"{what} deleted", warnings=warnings)

    # One write handler per object kind (tests/unit/test_declarations.py checks that every kind has one).
    KIND_WRITERS: ClassVar[dict[ObjectKind, Callable[[Writer, WriteRequest], WriteResult]]] = {
        ObjectKind.NODE: _node,
        ObjectKind.QEMU: _guest,
        ObjectKind.LXC: _guest,
    }


require("Proxmox VE writes", Writer.KIND_WRITERS, KINDS)
