"""The end-to-end lab: a real NetBox, fakepve Proxmox VE instances, and the ``netmox`` command run as a subprocess.

Each test gets its own NetBox cluster (and site) and its own fakepve, so tests never see each other's
objects. ``Lab.netmox(...)`` runs ``.venv/bin/netmox`` in the test's directory with a generated
``netmox.toml`` whose secrets are ``${ENV}`` references, no TTY, no CI variables, and history and locks
inside the test's tmp_path — the way cron would run it.

With ``NETMOX_E2E_TRANSCRIPTS=DIR`` every command and its output is appended to ``DIR/<test>.txt``:
that is where the terminal output in docs/workflows.md comes from.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from netmox_cli.environment import CI_VARIABLES
from tests.support.fakepve_lab import HOST, OSTEMPLATE, TOKEN_NAME, TOKEN_SECRET, TOKEN_USER, LabPve
from tests.support.netbox_server import NetboxServer

NETMOX = Path(sys.executable).with_name("netmox")
COMMAND_TIMEOUT = 180


@dataclass
class Connection:
    """One ``[connections.NAME]`` table: a NetBox cluster paired with one fakepve."""

    name: str
    cluster: str
    pve: LabPve


@dataclass
class Lab:
    """A directory with a netmox.toml, and a way to run ``netmox`` in it."""

    root: Path
    netbox: NetboxServer
    cafile: str
    connections: list[Connection] = field(default_factory=list)
    policy: str = ""
    transcript: Path | None = None

    @property
    def config(self) -> Path:
        return self.root / "netmox.toml"

    @property
    def history(self) -> Path:
        return self.root / "history.sqlite"

    def add(self, name: str, pve: LabPve, cluster: str | None = None) -> Connection:
        connection = Connection(name=name, cluster=cluster or self.netbox.fresh_cluster(f"e2e-{name}"), pve=pve)
        self.connections.append(connection)
        self.write_config()
        return connection

    def write_config(self) -> None:
        defaults = self.netbox.node_defaults()
        lines = [f"history = {str(self.history)!r}", ""]
        if self.policy:
            lines += ["[policy]", self.policy, ""]
        for c in self.connections:
            lines += [
                f"[connections.{c.name}]",
                f'cluster = "{c.cluster}"',
                "",
                f"[connections.{c.name}.netbox]",
                'type = "netbox"',
                f'url = "{self.netbox.url}"',
                'token = "${NETBOX_TOKEN}"',
                f"[connections.{c.name}.netbox.defaults]",
                f'device_role = "{defaults.device_role}"',
                f'device_type = "{defaults.device_type}"',
                "",
                f"[connections.{c.name}.proxmox]",
                'type = "proxmox"',
                f'host = "{c.pve.host}:{c.pve.port}"',
                f'user = "{TOKEN_USER}"',
                f'token_name = "{TOKEN_NAME}"',
                'token_value = "${PVE_TOKEN_SECRET}"',
                f'ca_bundle = "{self.cafile}"',
                "task_timeout = 30.0",
                f"[connections.{c.name}.proxmox.defaults]",
                'storage = "local-lvm"',
                f'lxc_ostemplate = "{OSTEMPLATE}"',
                "",
            ]
        self.config.write_text("\n".join(lines), encoding="utf-8")
        if self.transcript is not None:
            self.transcript.with_suffix(".netmox.toml").write_text("\n".join(lines), encoding="utf-8")

    def env(self, **extra: str) -> dict[str, str]:
        """A cron-like environment: no CI markers, no netmox settings from the developer's shell."""
        env = {k: v for k, v in os.environ.items() if k not in CI_VARIABLES and not k.startswith("NETMOX_")}
        env.update(
            NETBOX_TOKEN=self.netbox.token,
            PVE_TOKEN_SECRET=TOKEN_SECRET,
            NETMOX_LOCK_DIR=str(self.root / "locks"),
            COLUMNS="120",
        )
        env.pop("NO_COLOR", None)
        env.update(extra)
        return env

    def start(self, *args: str, **env: str) -> subprocess.Popen[str]:
        """Start ``netmox ARGS`` without waiting (for overlapping runs)."""
        return subprocess.Popen(
            [str(NETMOX), *args],
            cwd=self.root,
            env=self.env(**env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def netmox(self, *args: str, expect: int | None = 0, **env: str) -> subprocess.CompletedProcess[str]:
        """Run ``netmox ARGS`` to the end; fail the test (showing the output) unless it exits ``expect``."""
        result = subprocess.run(
            [str(NETMOX), *args],
            cwd=self.root,
            env=self.env(**env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
        )
        self.record(args, result, env)
        if expect is not None and result.returncode != expect:
            pytest.fail(
                f"netmox {shlex.join(args)} exited {result.returncode}, expected {expect}\n"
                f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}",
                pytrace=False,
            )
        return result

    def record(self, args: tuple[str, ...], result: subprocess.CompletedProcess[str], env: dict[str, str]) -> None:
        if self.transcript is None:
            return
        prefix = "".join(f"{k}={v} " for k, v in env.items())
        with self.transcript.open("a", encoding="utf-8") as handle:
            handle.write(f"$ {prefix}netmox {shlex.join(args)}\n{result.stdout}{result.stderr}")
            handle.write(f"[exit {result.returncode}]\n\n")


def words(text: str) -> str:
    """Whitespace collapsed, for assertions that should not depend on column alignment."""
    return re.sub(r"\s+", " ", text)


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def netbox(netbox_server: NetboxServer, tmp_path_factory: pytest.TempPathFactory) -> NetboxServer:
    """The real NetBox, prepared by ``netmox init`` (custom fields) and with the node role and type in place."""
    netbox_server.node_defaults()
    root = tmp_path_factory.mktemp("netmox-init")
    (root / "proxmox.json").write_text('{"side": "proxmox"}', encoding="utf-8")
    (root / "netmox.toml").write_text(
        "[connections.init]\n"
        f'netbox = {{ type = "netbox", url = "{netbox_server.url}", token = "${{NETBOX_TOKEN}}" }}\n'
        'proxmox = { type = "file", path = "proxmox.json" }\n',
        encoding="utf-8",
    )
    result = subprocess.run(
        [str(NETMOX), "init"],
        cwd=root,
        env={**os.environ, "NETBOX_TOKEN": netbox_server.token},
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    transcripts = os.environ.get("NETMOX_E2E_TRANSCRIPTS")
    if transcripts:
        Path(transcripts).mkdir(parents=True, exist_ok=True)
        (Path(transcripts) / "init.txt").write_text(f"$ netmox init\n{result.stdout}{result.stderr}", encoding="utf-8")
    return netbox_server


@pytest.fixture(scope="module")
def new_pve(_fakepve_pki: tuple[str, str]) -> Iterator[Callable[[], LabPve]]:
    """A factory of started, empty ``LabPve`` instances, all stopped at the end of the test module."""
    from fakepve.pytest_plugin import _Serving

    servings: list[_Serving] = []

    def make() -> LabPve:
        pve = LabPve(host=HOST, port=0)
        pve.time_scale = 0
        pve.apitokens[f"{TOKEN_USER}!{TOKEN_NAME}"] = TOKEN_SECRET
        servings.append(_Serving(pve, *_fakepve_pki))
        return pve

    try:
        yield make
    finally:
        for serving in servings:
            serving.stop()


@pytest.fixture(scope="module")
def new_lab(
    tmp_path_factory: pytest.TempPathFactory, netbox: NetboxServer, fakepve_cafile: str
) -> Callable[[str], Lab]:
    """A factory of empty labs (a directory for netmox.toml, history and locks), one per workflow."""
    transcripts = os.environ.get("NETMOX_E2E_TRANSCRIPTS")

    def make(name: str) -> Lab:
        transcript = None
        if transcripts:
            Path(transcripts).mkdir(parents=True, exist_ok=True)
            transcript = Path(transcripts) / f"{name}.txt"
            transcript.write_text("", encoding="utf-8")
        root = tmp_path_factory.mktemp(name)
        return Lab(root=root, netbox=netbox, cafile=fakepve_cafile, transcript=transcript)

    return make
