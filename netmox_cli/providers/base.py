"""The provider interface: how netmox reads and writes one side of one connection.

A provider knows one system (a snapshot file, a NetBox, a Proxmox VE cluster) and speaks the common
state model. It does two things:

* ``snapshot()`` reads the whole cluster into a ``ClusterState``, in bulk;
* ``apply(request)`` carries out one write (create, update or delete of one node or guest) and
  raises a ``NetmoxError`` subclass when it fails. It is given the object as the target side had it
  when it was re-read before applying (``current``) and the object as it should become
  (``desired``), plus the names of the properties to write for an update. It writes only those.
* ``apply_batch(requests, events)`` carries out many such writes of one dependency phase; a side
  whose API takes lists (NetBox) sends them in few requests. It tells ``events`` when each change is
  about to go out (``sent``) and how it ended (``done``), so the history is written ahead per change.
  ``write_workers`` says how many single writes the engine may run at once (Proxmox VE: its pool).

Providers never decide *what* to change: that is the planner's job.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from netmox_cli.model.outcomes import WriteResult
from netmox_cli.model.state import ClusterState, Guest, Node, ObjectKind, Side

__all__ = ["ApplyContext", "CheckResult", "Progress", "Provider", "WriteRequest", "WriteResult"]

Progress = Callable[[str], None]
"""Called with a short human message while a long operation runs (drives the spinner)."""


class ApplyContext(BaseModel):
    """Facts about the run that a provider may record alongside its writes (journal entries)."""

    model_config = ConfigDict(extra="forbid")

    run_id: int | None = None
    user: str | None = None
    source_label: str = Field(default="", description="Where the values come from, e.g. 'Proxmox VE'.")
    allow_stop: bool = Field(default=False, description="Policy allows a hard stop after a failed shutdown.")
    shutdown_timeout: int = 120


class WriteRequest(BaseModel):
    """One write on one object of the target side."""

    model_config = ConfigDict(extra="forbid")

    change_id: str
    action: Literal["create", "update", "delete"]
    kind: ObjectKind
    current: Node | Guest | None = Field(default=None, description="Target-side object; None for create.")
    desired: Node | Guest | None = Field(default=None, description="What it should become; None for delete.")
    fields: list[str] = Field(default_factory=list, description="Registry property names to write (update).")
    context: ApplyContext = Field(default_factory=ApplyContext)


class WriteEvents(Protocol):
    """What a batch of writes reports, per change: before its first request goes out, and its end."""

    def sent(self, change_id: str) -> None: ...

    def done(self, change_id: str, result: WriteResult | None, error: Exception | None) -> None: ...


class CheckResult(BaseModel):
    """One line of `netmox check`: what was checked, whether it is fine, and the detail."""

    model_config = ConfigDict(extra="forbid")

    label: str
    ok: bool
    detail: str = ""


class Provider(ABC):
    """One side of one connection."""

    side: Side
    write_workers: int = 1
    """How many ``apply`` calls the engine may run at once on this side (each on its own guest)."""

    @property
    @abstractmethod
    def location(self) -> str:
        """Where this side lives, for the plan and messages (URL, host or file path; no secrets)."""

    @abstractmethod
    def snapshot(self, progress: Progress | None = None) -> ClusterState:
        """Read the whole cluster, in bulk."""

    @abstractmethod
    def apply(self, request: WriteRequest) -> WriteResult:
        """Carry out one write; raise a ``NetmoxError`` subclass on failure."""

    def read_guests(self, vmids: frozenset[int]) -> ClusterState:
        """A scoped read: every node of the cluster and only the guests whose VMID is in ``vmids``, read
        as ``snapshot()`` reads them. The default takes the whole snapshot and keeps those guests; the
        NetBox and Proxmox VE providers read just them (``netmox watch``)."""
        state = self.snapshot()
        return state.model_copy(update={"guests": [g for g in state.guests if g.vmid in vmids]})

    def apply_batch(self, requests: list[WriteRequest], events: WriteEvents) -> None:
        """Carry out writes that do not depend on each other, reporting each to ``events``.

        The default sends them one at a time; every failure is reported, none raised."""
        for request in requests:
            events.sent(request.change_id)
            try:
                result = self.apply(request)
            except Exception as error:  # reported per change; the engine classifies it
                events.done(request.change_id, None, error)
            else:
                events.done(request.change_id, result, None)

    def read_guest(self, guest: Guest) -> Guest | None:
        """Re-read one guest as it is now (after a create: the values this side generated for it,
        such as MAC addresses). None when this side cannot read single guests."""
        return None

    @property
    def takes_notes(self) -> bool:
        """Whether this side keeps notes for people on its objects (NetBox's journal); see ``note``."""
        return False

    def note(self, kind: ObjectKind, obj: Node | Guest, text: str) -> None:
        """Leave a warning about ``obj`` where people look at this side (``notify`` differences: a NetBox
        journal entry of kind ``warning``); raise a ``NetmoxError`` on failure. Only if ``takes_notes``."""
        raise NotImplementedError(f"{type(self).__name__} keeps no notes")

    def preflight(self, requests: list[WriteRequest]) -> dict[str, str]:
        """Problems that would make these writes fail, found at plan time, before anything is written.

        Returns ``{change_id: problem}`` (e.g. "site 'lab' named in netbox.defaults does not exist");
        the engine turns each into a ``conflict`` in the plan. Reads only; the default finds none.
        """
        return {}

    def check(self) -> list[CheckResult]:
        """Reach the side and report version, identity and permissions (`netmox check`).

        Expected failures are reported as ``ok=False`` lines, not raised, so every check prints.
        """
        state = self.snapshot()
        return [CheckResult(label="snapshot", ok=True, detail=f"{len(state.nodes)} nodes, {len(state.guests)} guests")]

    def close(self) -> None:
        """Release connections; the default holds none."""
