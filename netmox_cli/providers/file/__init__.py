"""The file provider: one side's state as a JSON snapshot file (docs/snapshot-format.md).

It is the embedded default that needs no server: the bundled example, many tests, and bug reports
(`netmox snapshot` writes this format from a live system) all use it. It reads and writes, so that
`netmox apply` against file providers updates the files. Every write re-reads the file and replaces it
atomically, so an interrupted apply leaves either the old or the new file, never half of one.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from pydantic import ValidationError

from netmox_cli.config.loader import describe_validation_error
from netmox_cli.config.schema import FileSide
from netmox_cli.declared import require
from netmox_cli.errors import ConfigError, ConflictError, StaleError
from netmox_cli.model.kinds import KINDS
from netmox_cli.model.state import ClusterState, Guest, Node, ObjectKind, Side
from netmox_cli.planner.registry import REGISTRY
from netmox_cli.providers.base import Progress, Provider, WriteRequest, WriteResult
from netmox_cli.redact import redact
from netmox_cli.render.safe import json_safe
from netmox_cli.textfiles import parse_json, read_utf8, too_deep


def read_snapshot(path: Path, side: Side | None = None) -> ClusterState:
    """Read and validate a snapshot file; ``side``, when given, must match the file's."""
    raw = parse_json(path, read_utf8(path, "snapshot file", "check the path in the config"), "snapshot file")
    try:
        state = ClusterState.model_validate(raw)
    except RecursionError:
        raise too_deep(path, "snapshot file") from None
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(path, exc, raw), "see docs/snapshot-format.md") from None
    if side is not None and state.side is not side:
        raise ConfigError(
            f"{path}: is a {state.side.label} snapshot, but it is configured as the {side.label} side",
            "swap the paths in the config",
        )
    return state


def write_snapshot(state: ClusterState, path: Path) -> None:
    """Write ``state`` atomically (temporary file in the same folder, then rename), secrets masked and
    terminal-steering characters escaped (a snapshot is attached to bug reports and read in terminals)."""
    text = json.dumps(state.model_dump(mode="json", exclude_defaults=True), indent=2, ensure_ascii=False)
    text = redact(json_safe(text)) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class FileProvider(Provider):
    def __init__(self, section: FileSide, side: Side, cluster: str) -> None:
        self.path = section.path
        self.side = side
        self.cluster = cluster

    @property
    def location(self) -> str:
        return str(self.path)

    def snapshot(self, progress: Progress | None = None) -> ClusterState:
        if progress is not None:
            progress(f"reading {self.path}")
        state = read_snapshot(self.path, self.side)
        # The file is the target, whatever live system it was once written from.
        state.identity = f"file {self.path.resolve()}"
        return state

    def apply(self, request: WriteRequest) -> WriteResult:
        state = read_snapshot(self.path, self.side)
        message = self.KIND_WRITERS[request.kind](self, state, request)
        write_snapshot(state, self.path)
        return WriteResult(message=message)

    def _apply_node(self, state: ClusterState, request: WriteRequest) -> str:
        key = (request.desired or request.current).name  # type: ignore[union-attr]
        existing = state.node(key)
        if request.action == "create":
            if existing is not None:
                raise ConflictError(f"node {key} already exists in {self.path}")
            assert isinstance(request.desired, Node)
            state.nodes.append(request.desired.model_copy())
            return f"created node {key}"
        if existing is None:
            raise StaleError(f"stale: node {key} is no longer in {self.path}", "run netmox plan again")
        if request.action == "delete":
            state.nodes.remove(existing)
            return f"deleted node {key}"
        self._copy_fields(request, existing)
        return f"updated node {key}: {', '.join(request.fields)}"

    def _apply_guest(self, state: ClusterState, request: WriteRequest) -> str:
        reference = request.desired or request.current
        assert isinstance(reference, Guest)
        matches = [guest for guest in state.guests if guest.vmid == reference.vmid]
        if request.action == "create":
            if matches:
                raise ConflictError(f"VMID {reference.vmid} already exists in {self.path}")
            state.guests.append(reference.model_copy(deep=True))
            return f"created {reference.kind} {reference.vmid}"
        if len(matches) != 1:
            raise StaleError(
                f"stale: VMID {reference.vmid} is no longer unique in {self.path}", "run netmox plan again"
            )
        existing = matches[0]
        if request.action == "delete":
            if self.side is Side.PROXMOX and existing.protected:
                raise ConflictError(f"{existing.kind} {existing.vmid} is protected", "remove protection first")
            state.guests.remove(existing)
            return f"deleted {existing.kind} {existing.vmid}"
        self._copy_fields(request, existing)
        return f"updated {existing.kind} {existing.vmid}: {', '.join(request.fields)}"

    # One write handler per object kind (tests/unit/test_declarations.py checks that every kind has one).
    KIND_WRITERS: ClassVar[dict[ObjectKind, Callable[[FileProvider, ClusterState, WriteRequest], str]]] = {
        ObjectKind.NODE: _apply_node,
        ObjectKind.QEMU: _apply_guest,
        ObjectKind.LXC: _apply_guest,
    }

    @staticmethod
    def _copy_fields(request: WriteRequest, target: Node | Guest) -> None:
        """Copy exactly the requested properties from ``desired`` onto the stored object."""
        assert request.desired is not None
        for field in request.fields:
            attribute = REGISTRY.get(field, request.kind).attribute  # the snapshot file is the model
            setattr(target, attribute, getattr(request.desired, attribute))


require("file provider writes", FileProvider.KIND_WRITERS, KINDS)
