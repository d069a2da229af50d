"""The shapes of the NetBox answers netmox reads: REST list pages and their rows, GraphQL pages.

pynetbox reads ``{}`` where a list page belongs as one record, and a GraphQL answer without ``data`` as a
``KeyError``; unchecked, the first reads as "a cluster without VMs" and a plan deletes every guest on the
other side. The rows are the fields ``mapping.py`` reads (others are allowed and ignored); adapters are
built once, at import. Validation only checks: callers keep the plain JSON.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter

from netmox_cli.providers import shapes
from netmox_cli.providers.shapes import ShapeError

__all__ = ["ShapeError", "check"]

Choice = dict[str, Any] | str | None  # NetBox choice fields: {"value": …, "label": …}


class _Row(BaseModel):
    model_config = ConfigDict(extra="allow")


class ListPage(_Row):
    """A REST list view's page: ``{"count": …, "next": …, "previous": …, "results": [...]}``."""

    results: list[dict[str, Any]]
    next: str | None = None


class _Named(_Row):
    name: str | None = None


class Device(_Row):
    id: int
    name: str | None
    status: Choice = None
    description: str | None = None
    last_updated: str | None = None


class _Tag(_Row):
    name: str


class VirtualMachine(_Row):
    id: int
    name: str
    custom_fields: dict[str, Any] | None = None
    status: Choice = None
    vcpus: float | None = None
    memory: int | None = None
    description: str | None = None
    device: _Named | None = None
    platform: _Named | None = None
    tags: list[_Tag] | None = None
    start_on_boot: Choice = None
    last_updated: str | None = None


class _Id(_Row):
    id: int


class _Mac(_Row):
    mac_address: str | None = None


class _Vlan(_Row):
    vid: int


class _Address(_Row):
    address: str


class InterfaceItem(_Row):
    """An item of the snapshot's ``vm_interface_list`` query."""

    id: int
    name: str
    virtual_machine: _Id
    primary_mac_address: _Mac | None = None
    untagged_vlan: _Vlan | None = None
    ip_addresses: list[_Address] | None = None


class DiskItem(_Row):
    """An item of the snapshot's ``virtual_disk_list`` query."""

    id: int
    name: str
    size: int | None = None
    custom_fields: dict[str, Any] | None = None
    virtual_machine: _Id


class GraphqlAnswer(_Row):
    """A GraphQL answer without errors: a ``data`` object with the query's aliased list in ``items``."""

    data: dict[str, list[dict[str, Any]]]


LIST_PAGE = TypeAdapter(ListPage)
DEVICES = TypeAdapter(list[Device])
VIRTUAL_MACHINES = TypeAdapter(list[VirtualMachine])
INTERFACES = TypeAdapter(list[InterfaceItem])
DISKS = TypeAdapter(list[DiskItem])
GRAPHQL = TypeAdapter(GraphqlAnswer)

EXPECTED: dict[int, str] = {
    id(LIST_PAGE): "a list page",
    id(DEVICES): "a list of devices",
    id(VIRTUAL_MACHINES): "a list of virtual machines",
    id(INTERFACES): "a list of VM interfaces",
    id(DISKS): "a list of virtual disks",
    id(GRAPHQL): "a GraphQL answer with data",
}


def check(adapter: TypeAdapter[Any], data: Any) -> Any:
    """``data`` itself when it has ``adapter``'s shape; else ShapeError saying what came back."""
    return shapes.check(adapter, data, EXPECTED.get(id(adapter), "the expected JSON"))
