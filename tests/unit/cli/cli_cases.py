"""Helpers shared by the CLI tests: where the example lives, and small custom cases on disk."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import Result

from netmox_cli.model.state import ClusterState

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "homelab"

Netmox = Callable[..., Result]


def write_case(folder: Path, netbox: ClusterState, proxmox: ClusterState, policy: str = 'prefer = "netbox"') -> Path:
    """A one-connection config over two snapshot files; returns the config path."""
    folder.mkdir(parents=True, exist_ok=True)
    for state, name in ((netbox, "netbox.json"), (proxmox, "proxmox.json")):
        (folder / name).write_text(json.dumps(state.model_dump(mode="json"), indent=2))
    config = folder / "netmox.toml"
    config.write_text(
        "[connections.lab]\n"
        'netbox = { type = "file", path = "netbox.json" }\n'
        'proxmox = { type = "file", path = "proxmox.json" }\n'
        f"\n[policy]\n{policy}\n"
    )
    return config
