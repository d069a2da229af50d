"""Providers: one package per kind of side (file, NetBox, Proxmox VE), behind one interface."""

from netmox_cli.providers.base import ApplyContext, CheckResult, Progress, Provider, WriteRequest, WriteResult
from netmox_cli.providers.factory import build_provider

__all__ = ["ApplyContext", "CheckResult", "Progress", "Provider", "WriteRequest", "WriteResult", "build_provider"]
