"""`netmox check` for a Proxmox VE connection: reachable, which version, quorate, nodes online, token rights.

Every expected failure becomes an ``ok=False`` line, so that all checks print.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netmox_cli.errors import NetmoxError
from netmox_cli.providers.base import CheckResult
from netmox_cli.providers.proxmox import parse, responses
from netmox_cli.providers.proxmox.client import PveClient

# What netmox needs, and on which ACL root it must hold (a grant on "/" covers all).
READ_PRIVILEGES = {"VM.Audit": "/vms", "Sys.Audit": "/"}
WRITE_PRIVILEGES = {
    "VM.Config.Options": "/vms",
    "VM.Config.CPU": "/vms",
    "VM.Config.Memory": "/vms",
    "VM.Config.Network": "/vms",
    "VM.Config.Disk": "/vms",
    "VM.PowerMgmt": "/vms",
    "VM.Allocate": "/vms",
    "Datastore.AllocateSpace": "/storage",
    "Sys.Modify": "/",
}
BLIND_SPOT = "the token cannot see every guest (VM.Audit missing on /vms): a guest it cannot see is not gone"


def run(client: PveClient) -> list[CheckResult]:
    try:
        version = client.read("/version", responses.VERSION)
    except NetmoxError as error:
        return [CheckResult(label="Proxmox VE API", ok=False, detail=error.one_line())]
    results = [
        CheckResult(
            label="Proxmox VE API", ok=True, detail=f"version {version.get('version', '?')} at {client.location}"
        )
    ]
    probes = (("cluster", _cluster), ("nodes", _nodes), ("token", _token), ("visibility", _visibility))
    for label, probe in probes:
        try:
            results.append(probe(client))
        except NetmoxError as error:
            results.append(CheckResult(label=label, ok=False, detail=error.one_line()))
    return results


def _cluster(client: PveClient) -> CheckResult:
    rows = client.read("/cluster/status", responses.CLUSTER_STATUS)
    cluster = next((row for row in rows if row.get("type") == "cluster"), None)
    if cluster is None:
        return CheckResult(label="cluster", ok=True, detail="single node (no cluster), quorate")
    quorate = bool(parse.to_bool(cluster.get("quorate")))
    detail = f"{cluster.get('name')}, {'quorate' if quorate else 'NOT quorate: writes will be refused'}"
    return CheckResult(label="cluster", ok=quorate, detail=detail)


def _nodes(client: PveClient) -> CheckResult:
    rows = client.read("/nodes", responses.NODES)
    offline = sorted(str(row.get("node")) for row in rows if row.get("status") != "online")
    detail = f"{len(rows) - len(offline)}/{len(rows)} online"
    if offline:
        detail += f"; not online: {', '.join(offline)} (their guests cannot be read or written)"
    return CheckResult(label="nodes", ok=not offline, detail=detail)


def held(permissions: Mapping[str, Any], privilege: str, root: str) -> bool:
    """True if the privilege holds on ``root`` and everything below it.

    ``GET /access/permissions`` maps each path to ``{privilege: propagate}``; a privilege granted without
    propagation covers the path itself but none of the guests, nodes or storages under it. The most
    specific path that lists the privilege decides (``root``, else ``/``).
    """
    for path in (root, "/"):
        privileges = permissions.get(path) or {}
        if privilege in privileges:
            return bool(parse.to_bool(privileges[privilege]))
    return False


def blind_spot(permissions: Mapping[str, Any]) -> str | None:
    """Why the token's ``/cluster/resources`` may leave guests out, or None when it sees every guest."""
    return None if held(permissions, "VM.Audit", "/vms") else BLIND_SPOT


def _visibility(client: PveClient) -> CheckResult:
    reason = blind_spot(client.read("/access/permissions", responses.PERMISSIONS))
    detail = reason or f"{client.token_id} sees every guest (VM.Audit on /vms)"
    return CheckResult(label="visibility", ok=reason is None, detail=detail)


def _token(client: PveClient) -> CheckResult:
    permissions = client.read("/access/permissions", responses.PERMISSIONS)
    missing_read = [priv for priv, root in READ_PRIVILEGES.items() if not held(permissions, priv, root)]
    missing_write = [priv for priv, root in WRITE_PRIVILEGES.items() if not held(permissions, priv, root)]
    if missing_read:
        return CheckResult(
            label="token", ok=False, detail=f"{client.token_id} cannot read: lacks {', '.join(missing_read)}"
        )
    if missing_write:
        return CheckResult(
            label="token",
            ok=False,
            detail=f"{client.token_id} can read; cannot write: lacks {', '.join(missing_write)}",
        )
    return CheckResult(label="token", ok=True, detail=f"{client.token_id} can read and write")
