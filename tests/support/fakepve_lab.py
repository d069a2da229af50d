"""A fakepve Proxmox VE lab for tests: an API token, a seeded cluster, and fakepve made to act like real PVE.

Use from a conftest (the fakepve pytest plugin is loaded automatically)::

    from tests.support.fakepve_lab import pve_lab, proxmox_section  # noqa: F401  (fixtures)

    def test_x(pve_lab, fakepve_cafile):
        seed_lab(pve_lab)
        provider = ProxmoxProvider(proxmox_section(pve_lab, fakepve_cafile))

For a ``netmox.toml``, :func:`proxmox_toml` gives the ``[connections.NAME.proxmox]`` tables.

``LabPve`` is fakepve 0.5.0 with three gaps closed, where it differs from real Proxmox VE:

* ``GET …/qemu/{vmid}/config`` returns the config *with pending changes applied* (unless
  ``current=1``), as PVE does; stock fakepve hides them;
* ``GET/PUT /nodes/{node}/config`` store the node description and give a digest (fakepve stores nothing);
* ``PUT …/qemu/{vmid}/resize`` grows the disk (fakepve answers but changes nothing);
* ``PUT …/qemu/{vmid}/config`` with a new disk ``STORAGE:SIZE`` allocates it (fakepve stores the text),
  and a NIC without a MAC gets one.

``LabPve.task_delay`` (seconds, default 0) keeps every task running that long before its work is done,
as a slow real task would: the request returns its UPID at once and the caller waits on the task.
Setting it back to 0 lets the tasks still waiting finish at once.

fakepve is AGPL and a test-only dependency: only tests import this module.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from fakepve import FakePve, TaskError
from fakepve.lxc import format_size, parse_size
from fakepve.model import PveError
from fakepve.pytest_plugin import _Serving
from fakepve.qemu import DRIVE_KEY, NEW_DISK, with_mac
from fakepve.routing import DIGEST_CHANGED
from pydantic import SecretStr

from netmox_cli.config.schema import ProxmoxDefaults, ProxmoxSide

TOKEN_USER = "root@pam"
TOKEN_NAME = "netmox"
TOKEN_ID = f"{TOKEN_USER}!{TOKEN_NAME}"
TOKEN_SECRET = "5b1e8f2a-3c4d-4e6f-8a9b-0c1d2e3f4a5b"
OSTEMPLATE_FILE = "debian-12-standard_12.7-1_amd64.tar.zst"
OSTEMPLATE = f"local:vztmpl/{OSTEMPLATE_FILE}"
HOST = "127.0.0.1"


class LabPve(FakePve):
    """fakepve with the behaviour of real PVE where netmox depends on it (see the module docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.node_config: dict[str, dict[str, str]] = {}
        self.task_delay = 0.0

    async def task(self, node, ttype, tid, user, body, vm=None, lock=True, log=()):  # type: ignore[no-untyped-def]
        """A task that runs ``task_delay`` seconds in the background before doing its work."""
        if not self.task_delay:
            return await super().task(node, ttype, tid, user, body, vm=vm, lock=lock, log=log)

        async def slow_body() -> Any:
            deadline = asyncio.get_running_loop().time() + self.task_delay
            while self.task_delay and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.05)  # setting task_delay to 0 (from the test's thread) ends the wait
            return await body()

        # fakepve runs a task in the background only with a time scale; no await until it has decided.
        scale, self.time_scale = self.time_scale, self.time_scale or 1.0
        try:
            return await super().task(node, ttype, tid, user, slow_body, vm=vm, lock=lock, log=log)
        finally:
            self.time_scale = scale

    def running_tasks(self) -> list[dict[str, Any]]:
        return [task for task in self.tasks.values() if task.get("status") == "running"]

    # qemu config: pending changes applied, as PVE's GET …/config does without current=1.
    async def _config_get(self, request: web.Request) -> web.Response:
        response = await super()._config_get(request)
        if response.status != 200 or request.query.get("current") in ("1", "true"):
            return response
        vm = self._vm(request)
        data = json.loads(response.text)["data"]
        for key, value in vm.pending.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = str(value) if key == "memory" else value
        return web.json_response({"data": data})

    # qemu config writes: a new disk given as STORAGE:SIZE_GiB is allocated, as PVE does.
    async def _apply_config(self, vm: Any, user: str, p: dict[str, Any]) -> None:
        values = dict(p)
        for key, value in p.items():
            if DRIVE_KEY.match(key) and NEW_DISK.match(str(value).split(",")[0]):
                values[key], _ = self._qm_new_drive(vm.vmid, key, str(value), None)
            elif re.fullmatch(r"net\d+", key):
                values[key] = with_mac(value)
        await super()._apply_config(vm, user, values)

    def _routes_lab(self) -> list[tuple[str, str, Any]]:
        return [
            ("GET", "/nodes/{node}/config", self._lab_node_config_get),
            ("PUT", "/nodes/{node}/config", self._lab_node_config_put),
            ("PUT", "/nodes/{node}/qemu/{vmid}/resize", self._lab_qemu_resize),
        ]

    def _node_digest(self, node: str) -> str:
        return hashlib.sha1(json.dumps(self.node_config.get(node, {}), sort_keys=True).encode()).hexdigest()

    async def _lab_node_config_get(self, values: dict[str, Any], user: str) -> dict[str, Any]:
        return {**self.node_config.get(values["node"], {}), "digest": self._node_digest(values["node"])}

    async def _lab_node_config_put(self, values: dict[str, Any], user: str) -> None:
        node = values["node"]
        self.need_quorum()
        if values.get("digest") and values["digest"] != self._node_digest(node):
            raise PveError(500, DIGEST_CHANGED)
        config = self.node_config.setdefault(node, {})
        for key in str(values.get("delete") or "").split(","):
            config.pop(key, None)
        if values.get("description") is not None:
            config["description"] = str(values["description"])

    async def _lab_qemu_resize(self, values: dict[str, Any], user: str) -> str:
        vm = self.find(values["node"], values["vmid"])
        self.require(user, f"/vms/{vm.vmid}", "VM.Config.Disk")
        self.need_quorum()
        if values.get("digest") and values["digest"] != vm.digest():
            raise PveError(500, "checksum mismatch (file change by other user?)")
        disk, text = values["disk"], str(values["size"])
        if disk not in vm.config:
            raise PveError(500, f"disk '{disk}' does not exist")

        async def body() -> None:
            parts = str(vm.config[disk]).split(",")
            props = dict(part.split("=", 1) for part in parts[1:] if "=" in part)
            old = parse_size(props.get("size", "0")) or 0
            wanted = parse_size(text.lstrip("+")) or 0
            new = old + wanted if text.startswith("+") else wanted
            if new < old:
                raise TaskError("unable to shrink disk size")
            props["size"] = format_size(new)
            vm.config[disk] = ",".join([parts[0]] + [f"{k}={v}" for k, v in sorted(props.items())])

        return await self.task(vm.node, "resize", vm.vmid, user, body, vm=vm)


# ------------------------------------------------------------------ serving


@pytest.fixture
def pve_lab(_fakepve_pki: tuple[str, str]) -> Iterator[LabPve]:
    """A started, empty ``LabPve`` (node pve1, tasks finish at once) that accepts the netmox token."""
    pve = LabPve(host=HOST, port=0)
    pve.time_scale = 0
    pve.apitokens[TOKEN_ID] = TOKEN_SECRET
    serving = _Serving(pve, *_fakepve_pki)
    try:
        yield pve
    finally:
        serving.stop()


def proxmox_section(pve: FakePve, cafile: str | Path, **overrides: Any) -> ProxmoxSide:
    """The ``ProxmoxSide`` config section for the lab, TLS verified with fakepve's CA."""
    values: dict[str, Any] = {
        "type": "proxmox",
        "host": f"{pve.host}:{pve.port}",
        "user": TOKEN_USER,
        "token_name": TOKEN_NAME,
        "token_value": SecretStr(TOKEN_SECRET),
        "ca_bundle": Path(cafile),
        "timeout": 10.0,
        "task_timeout": 30.0,
        "defaults": ProxmoxDefaults(storage="local-lvm", lxc_ostemplate=OSTEMPLATE),
    }
    values.update(overrides)
    return ProxmoxSide(**values)


def proxmox_toml(pve: FakePve, cafile: str | Path, connection: str = "lab") -> str:
    """The ``[connections.<connection>.proxmox]`` table (and its ``defaults``) for the lab, as TOML text."""
    return "\n".join(
        [
            f"[connections.{connection}.proxmox]",
            'type = "proxmox"',
            f'host = "{pve.host}:{pve.port}"',
            f'user = "{TOKEN_USER}"',
            f'token_name = "{TOKEN_NAME}"',
            f'token_value = "{TOKEN_SECRET}"',
            f'ca_bundle = "{cafile}"',
            f"[connections.{connection}.proxmox.defaults]",
            'storage = "local-lvm"',
            f'lxc_ostemplate = "{OSTEMPLATE}"',
            "",
        ]
    )


# ------------------------------------------------------------------ seeding

LAB_AGENT_INTERFACES = [
    {
        "name": "lo",
        "hardware-address": "00:00:00:00:00:00",
        "ip-addresses": [
            {"ip-address": "127.0.0.1", "ip-address-type": "ipv4", "prefix": 8},
            {"ip-address": "::1", "ip-address-type": "ipv6", "prefix": 128},
        ],
    },
    {
        "name": "ens18",
        "hardware-address": "bc:24:11:00:01:00",
        "ip-addresses": [
            {"ip-address": "10.0.10.11", "ip-address-type": "ipv4", "prefix": 24},
            {"ip-address": "fe80::be24:11ff:fe00:100", "ip-address-type": "ipv6", "prefix": 64},
            {"ip-address": "2001:db8:10::11", "ip-address-type": "ipv6", "prefix": 64},
        ],
    },
]


def seed_lab(pve: FakePve) -> None:
    """The standard lab: 3 nodes, 3 VMs (running with agent, running with agent down, stopped),
    a VM template, 2 containers (running static+dhcp and protected; stopped dhcp), an OS template."""
    pve.cluster_name = "lab"
    for node in ("pve1", "pve2", "pve3"):
        pve.add_node(node)
    if isinstance(pve, LabPve):
        pve.node_config["pve1"] = {"description": "rack A, slot 1"}
    pve.store_file("local", OSTEMPLATE_FILE, 128 * 1024**2, content="vztmpl")
    web = pve.add_vm(
        100,
        "web01",
        node="pve1",
        status="running",
        config={
            "cores": 2,
            "memory": "2048",
            "ostype": "l26",
            "scsi0": "local-lvm:vm-100-disk-0,iothread=1,size=32G",
            "ide2": "none,media=cdrom",
            "net0": "virtio=BC:24:11:00:01:00,bridge=vmbr0,firewall=1,tag=10",
            "agent": "1,fstrim_cloned_disks=1",
            "tags": "prod;web",
            "onboot": 1,
            "description": "public web server",
        },
    )
    web.agent = {"interfaces": LAB_AGENT_INTERFACES}
    pve.add_vm(
        101,
        "db01",
        node="pve2",
        status="running",
        config={
            "sockets": 2,
            "cores": 2,
            "memory": "current=8192",
            "ostype": "l26",
            "virtio0": "local-lvm:vm-101-disk-0,discard=on,size=64G",
            "net0": "virtio=BC:24:11:00:01:01,bridge=vmbr0",
            "agent": "enabled=1",
            "tags": "db,prod",
        },
    )  # agent enabled in the config but not running in the guest: IPs unknown
    pve.add_vm(
        102,
        "build01",
        node="pve1",
        status="stopped",
        config={
            "sockets": 1,
            "cores": 4,
            "vcpus": 2,
            "memory": 4096,
            "ostype": "win11",
            "sata0": "local-lvm:vm-102-disk-0,size=40G",
            "scsi1": "local-lvm:vm-102-disk-1,size=512M",
            "efidisk0": "local-lvm:vm-102-disk-2,efitype=4m,size=528K",
            "net0": "e1000=BC:24:11:00:01:02,bridge=vmbr1",
        },
    )
    pve.add_vm(
        9000,
        "tmpl-debian",
        node="pve1",
        template=True,
        config={"cores": 1, "memory": 1024, "scsi0": "local-lvm:base-9000-disk-0,size=8G", "template": 1},
    )
    pve.add_ct(
        200,
        "dns01",
        node="pve2",
        status="running",
        config={
            "cores": 1,
            "memory": 512,
            "swap": 256,
            "ostype": "debian",
            "rootfs": "local-lvm:vm-200-disk-0,size=8G",
            "mp0": "local-lvm:vm-200-disk-1,mp=/srv,size=16G",
            "mp1": "/mnt/host,mp=/data",
            "net0": "name=eth0,bridge=vmbr0,gw=10.0.20.1,hwaddr=BC:24:11:00:02:00,ip=10.0.20.5/24,type=veth",
            "net1": "name=eth1,bridge=vmbr1,hwaddr=BC:24:11:00:02:01,ip=dhcp,tag=30,type=veth",
            "tags": "dns",
            "onboot": 1,
            "protection": 1,
            "description": "resolver",
        },
    )
    pve.add_ct(
        201,
        "cache01",
        node="pve3",
        status="stopped",
        config={
            "memory": 1024,
            "swap": 0,
            "ostype": "alpine",
            "rootfs": "local-lvm:vm-201-disk-0,size=4G",
            "net0": "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:02:02,ip=dhcp,type=veth",
        },
    )


def seed_many(pve: FakePve, count: int, nodes: tuple[str, ...] = ("pve1", "pve2")) -> None:
    """``count`` guests without runtime address lookups (VMs without agent, stopped containers)."""
    for node in nodes:
        pve.add_node(node)
    for index in range(count):
        vmid, node = 1000 + index, nodes[index % len(nodes)]
        if index % 4 == 3:
            pve.add_ct(vmid, f"ct{vmid}", node=node, status="stopped")
            continue
        pve.add_vm(
            vmid,
            f"vm{vmid}",
            node=node,
            status="running" if index % 2 else "stopped",
            config={
                "cores": 1 + index % 4,
                "memory": 1024,
                "net0": f"virtio=BC:24:11:10:{index // 256:02X}:{index % 256:02X},bridge=vmbr0",
            },
        )
