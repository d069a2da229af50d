"""The fixpoint through the real apply path: plan, apply with the engine to file providers, plan again.

Same property as ``test_planner_properties`` but nothing in memory: the states are snapshot files, the
writes go through the executor (basis check, dependency order, ``WriteRequest.fields``) and the file
provider, and the second plan reads the files back.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given
from test_planner_properties import FAST, chosen_policy, netbox_state, proxmox_state

from netmox_cli.config.schema import NetmoxConfig, PolicyConfig
from netmox_cli.engine.executor import Executor
from netmox_cli.engine.planning import make_plan
from netmox_cli.engine.session import open_providers
from netmox_cli.model.outcomes import ChangeOutcome, ChangeStatus
from netmox_cli.model.plan import Action
from netmox_cli.model.state import ClusterState
from netmox_cli.providers.base import ApplyContext
from netmox_cli.providers.file import write_snapshot


class Outcomes(list[ChangeOutcome]):
    def sent(self, change: object) -> None:
        """Write-ahead notice before each request; the outcome is what this test looks at."""

    def finished(self, outcome: ChangeOutcome) -> None:
        self.append(outcome)


def file_config(folder: Path, netbox: ClusterState, proxmox: ClusterState) -> NetmoxConfig:
    write_snapshot(netbox, folder / "netbox.json")
    write_snapshot(proxmox, folder / "proxmox.json")
    return NetmoxConfig.model_validate(
        {
            "connections": {
                "lab": {
                    "netbox": {"type": "file", "path": folder / "netbox.json"},
                    "proxmox": {"type": "file", "path": folder / "proxmox.json"},
                }
            }
        }
    )


@FAST
@given(netbox=netbox_state(), proxmox=proxmox_state(), policy=chosen_policy)
def test_applying_through_file_providers_leaves_nothing_to_write(
    netbox: ClusterState, proxmox: ClusterState, policy: PolicyConfig
) -> None:
    with (
        tempfile.TemporaryDirectory() as folder,
        open_providers(config := file_config(Path(folder), netbox, proxmox), ["lab"]) as providers,
    ):
        first, snapshots = make_plan(config, providers, policy)
        outcomes = Outcomes()
        Executor(providers, {s.name: s for s in snapshots}, ApplyContext(), [outcomes]).run(first)
        assert {o.status for o in outcomes} <= {ChangeStatus.APPLIED}, [o.error for o in outcomes]
        second, _ = make_plan(config, providers, policy)
    unwritten_on_create = {
        (c.key, p.name) for c in first.changes if c.action is Action.CREATE for p in c.properties if p.reason
    }
    written_again = [
        (c.id, p.name)
        for c in second.changes
        if c.action.writes
        for p in c.properties
        # a fill (a gap NetBox leaves blank) can only follow the write that went the other way
        if p.direction.target is c.target and (c.key, p.name) not in unwritten_on_create and not p.fill
    ]
    assert written_again == []
    # A delete held back because one side was empty may show once that side has objects again.
    held = {c.key for c in first.changes if c.action is Action.CONFLICT and "an empty side never deletes" in c.reason}
    assert not any(
        c.action is Action.CREATE or (c.action is Action.DELETE and c.key not in held) for c in second.changes
    )
