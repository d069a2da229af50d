"""The baseline: the original Netmox design's Proxmox VE access pattern, against the same lab.

One request per property per guest, one after the other, through proxmoxer: list the nodes, list each
node's QEMU VMs and containers, then for every guest ask for each property separately (the status from
``status/current``, every configured property from ``config``), and, for a running guest, its addresses
from the guest agent or the container's interface list (the same runtime reads netmox makes). Nothing is
parallel and nothing is reused between properties, which is what makes such tools take minutes.

    python -m bench.baseline_sequential --host 127.0.0.1:8006 --cafile ca.pem --token-value SECRET
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from proxmoxer import ProxmoxAPI

# The properties netmox compares (registry names); "node" comes with the listing.
CONFIG_PROPERTIES = ("name", "description", "vcpus", "memory", "disks", "interfaces", "tags", "ostype", "start_on_boot")
LXC_ONLY = ("swap",)


def read_guest(api: ProxmoxAPI, node: str, kind: str, vmid: int) -> tuple[dict[str, Any], int]:
    """Every property of one guest, one request each; returns the values and the requests made."""
    guest = getattr(api.nodes(node), kind)(vmid)
    values: dict[str, Any] = {}
    requests = 0
    status = guest.status.current.get()
    requests += 1
    values["status"] = status.get("status")
    for prop in CONFIG_PROPERTIES + (LXC_ONLY if kind == "lxc" else ()):
        config = guest.config.get()
        requests += 1
        values[prop] = config.get(prop)
    if values["status"] == "running":
        try:
            if kind == "qemu":
                values["ips"] = guest.agent("network-get-interfaces").get()
            else:
                values["ips"] = guest.interfaces.get()
        except Exception:  # best effort, as the original
            values["ips"] = None
        requests += 1
    return values, requests


def snapshot(api: ProxmoxAPI) -> tuple[int, int]:
    """Read the whole cluster the sequential way; returns (guests read, requests made)."""
    guests = 0
    requests = 1
    for node in api.nodes.get():
        name = node["node"]
        for kind in ("qemu", "lxc"):
            rows = getattr(api.nodes(name), kind).get()
            requests += 1
            for row in rows:
                if row.get("template"):
                    continue
                _, made = read_guest(api, name, kind, int(row["vmid"]))
                requests += made
                guests += 1
    return guests, requests


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True, help="host:port of the Proxmox VE API")
    parser.add_argument("--user", default="root@pam")
    parser.add_argument("--token-name", default="bench")
    parser.add_argument("--token-value", required=True)
    parser.add_argument("--cafile", required=True, help="CA certificate to verify the server with")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    host, _, port = args.host.partition(":")
    api = ProxmoxAPI(
        host,
        port=int(port or 8006),
        user=args.user,
        token_name=args.token_name,
        token_value=args.token_value,
        verify_ssl=args.cafile,
        service="PVE",
    )
    start = time.perf_counter()
    guests, requests = snapshot(api)
    seconds = time.perf_counter() - start
    result = {"seconds": seconds, "guests": guests, "requests": requests}
    print(json.dumps(result) if args.json else f"{guests} guests, {requests} requests, {seconds:.2f} s")


if __name__ == "__main__":
    main()
