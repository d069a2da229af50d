"""The shapes of the Proxmox VE answers netmox reads, checked before anything is made of them.

proxmoxer hands back whatever ``data`` held: ``None`` for ``{"data": null}``, a string, a list where an
object belongs. Read without a check, any of these looks like "no nodes, no guests" and a plan deletes
everything on the other side. Each endpoint netmox reads has a pydantic model of the rows it uses
(fields netmox does not read are allowed and ignored); the adapters are built once, at import, because
a snapshot validates thousands of guest configs. Validation only checks: the callers keep reading the
plain JSON, so the parsers in ``parse.py`` stay the one place that interprets values.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, model_validator

from netmox_cli.providers import shapes
from netmox_cli.providers.shapes import ShapeError

__all__ = ["ShapeError", "check"]

Scalar = str | int | float


class _Row(BaseModel):
    """A row of an answer: the fields netmox reads are typed, the rest are allowed and ignored."""

    model_config = ConfigDict(extra="allow")


class Version(_Row):
    """``GET /version``."""

    version: str
    release: str | None = None


class ClusterStatusRow(_Row):
    """A row of ``GET /cluster/status``: one ``cluster`` row (absent on a standalone node), one per node."""

    type: str
    name: str | None = None
    quorate: Scalar | None = None
    local: Scalar | None = None


class NodeRow(_Row):
    """A row of ``GET /nodes``."""

    node: str
    status: str | None = None


class ResourceRow(_Row):
    """A row of ``GET /cluster/resources?type=vm``; a guest row must say which guest and where."""

    type: str
    vmid: int | None = None
    node: str | None = None
    name: str | None = None
    status: str | None = None
    template: Scalar | None = None
    tags: str | None = None

    @model_validator(mode="after")
    def _guest_is_located(self) -> ResourceRow:
        if self.type in ("qemu", "lxc") and (self.vmid is None or not self.node):
            raise ValueError(f"a {self.type} row without vmid or node")
        return self


class Config(_Row):
    """``GET /nodes/{node}/{qemu|lxc}/{vmid}/config``: an object, always with a digest.

    PVE puts a ``digest`` in every config it returns; an object without one is not a config (``{}`` from
    a proxy, an error object), and reading it as one would invent a 1-vCPU, 512 MiB guest. Values are
    mostly scalars, but an LXC config's raw ``lxc`` keys come as a list of pairs: values are not typed.
    """

    digest: str


class NodeConfig(_Row):
    """``GET /nodes/{node}/config``."""

    description: str | None = None
    digest: str | None = None


class _IpAddress(_Row):
    ip_address: str = ""
    prefix: int | None = None

    model_config = ConfigDict(extra="allow", alias_generator=lambda name: name.replace("_", "-"))


class RuntimeInterface(_Row):
    """One interface of the guest agent's ``network-get-interfaces`` or a container's ``/interfaces``."""

    model_config = ConfigDict(extra="allow", alias_generator=lambda name: name.replace("_", "-"))

    name: str | None = None
    hardware_address: str | None = None
    hwaddr: str | None = None
    ip_addresses: list[_IpAddress] | None = None
    inet: str | None = None
    inet6: str | None = None


class AgentAnswer(_Row):
    """``GET …/qemu/{vmid}/agent/network-get-interfaces``: the agent's answer under ``result``."""

    result: list[RuntimeInterface]


Permissions = dict[str, dict[str, Scalar]]

VERSION = TypeAdapter(Version)
CLUSTER_STATUS = TypeAdapter(list[ClusterStatusRow])
NODES = TypeAdapter(list[NodeRow])
RESOURCES = TypeAdapter(list[ResourceRow])
CONFIG = TypeAdapter(Config)
NODE_CONFIG = TypeAdapter(NodeConfig)
AGENT = TypeAdapter(AgentAnswer)
LXC_INTERFACES = TypeAdapter(list[RuntimeInterface])
PERMISSIONS = TypeAdapter(Permissions)

# What each answer should have been, for the message when it is not.
EXPECTED: dict[int, str] = {
    id(VERSION): "a version object",
    id(CLUSTER_STATUS): "a list of cluster status rows",
    id(NODES): "a list of nodes",
    id(RESOURCES): "a list of resources",
    id(CONFIG): "a guest config",
    id(NODE_CONFIG): "a node config",
    id(AGENT): "a guest agent answer",
    id(LXC_INTERFACES): "a list of interfaces",
    id(PERMISSIONS): "a permissions map",
}


def check(adapter: TypeAdapter[Any], data: Any) -> Any:
    """``data`` itself when it has ``adapter``'s shape; else ShapeError describing the ``{"data": …}`` that came."""
    return shapes.check(adapter, data, EXPECTED.get(id(adapter), "the expected JSON"), {"data": data})
