"""The shapes of Proxmox VE answers: what passes as an answer of each endpoint, and what is refused."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter

from netmox_cli.providers.proxmox import checks, responses
from netmox_cli.providers.proxmox.responses import ShapeError, check

RESOURCE = {"type": "qemu", "vmid": 100, "node": "pve1", "name": "web01", "status": "running", "maxmem": 1}
CONFIG = {"digest": "0a1b", "cores": 2, "memory": "2048", "net0": "virtio=BC:24:11:00:01:00,bridge=vmbr0"}


@pytest.mark.parametrize(
    ("adapter", "answer"),
    [
        (responses.VERSION, {"version": "9.0.10", "release": "9.0", "repoid": "x"}),
        (responses.CLUSTER_STATUS, [{"type": "cluster", "name": "lab", "quorate": 1}, {"type": "node", "id": "n"}]),
        (responses.CLUSTER_STATUS, []),
        (responses.NODES, [{"node": "pve1", "status": "online", "cpu": 0.1}]),
        (responses.RESOURCES, [RESOURCE, {"type": "storage", "id": "storage/pve1/local"}]),
        (responses.RESOURCES, []),  # a cluster without guests is a list, only empty
        (responses.CONFIG, CONFIG),
        (responses.CONFIG, {"digest": "0a1b", "lxc": [["lxc.apparmor.profile", "unconfined"]]}),
        (responses.NODE_CONFIG, {}),
        (responses.AGENT, {"result": [{"name": "eth0", "hardware-address": "bc:24:11:00:01:00"}]}),
        (responses.LXC_INTERFACES, [{"name": "eth0", "hwaddr": "bc:24:11:00:02:00", "inet": "10.0.0.5/24"}]),
        (responses.PERMISSIONS, {"/": {"Sys.Audit": 1}, "/vms": {"VM.Audit": 0}}),
    ],
)
def test_the_answers_each_endpoint_gives_pass_unchanged(adapter: TypeAdapter[Any], answer: Any) -> None:
    assert check(adapter, answer) is answer


@pytest.mark.parametrize(
    ("adapter", "answer", "message"),
    [
        (responses.RESOURCES, None, '{"data": null}, not a list of resources'),
        (responses.RESOURCES, {"errors": "x"}, '{"data": {"errors": "x"}}, not a list of resources'),
        (responses.RESOURCES, [{"vmid": 100}], "not a list of resources (0.type: Field required)"),
        (responses.NODES, "<html>", '{"data": "<html>"}, not a list of nodes'),
        (responses.NODES, [{"status": "online"}], "not a list of nodes (0.node: Field required)"),
        (responses.CLUSTER_STATUS, {}, '{"data": {}}, not a list of cluster status rows'),
        (responses.VERSION, None, '{"data": null}, not a version object'),
        (responses.CONFIG, None, '{"data": null}, not a guest config'),
        (responses.CONFIG, {}, '{"data": {}}, not a guest config (digest: Field required)'),
        (responses.CONFIG, [CONFIG], "not a guest config"),
        (responses.AGENT, {"error": {"class": "x"}}, "not a guest agent answer (result: Field required)"),
        (responses.LXC_INTERFACES, {"eth0": {}}, "not a list of interfaces"),
        (responses.PERMISSIONS, [], '{"data": []}, not a permissions map'),
    ],
)
def test_anything_else_is_refused_saying_what_came_back(adapter: TypeAdapter[Any], answer: Any, message: str) -> None:
    with pytest.raises(ShapeError) as caught:
        check(adapter, answer)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_long_answer_is_cut_to_one_short_line() -> None:
    with pytest.raises(ShapeError) as caught:
        check(responses.NODES, "<html>" + "x" * 500)
    assert str(caught.value).startswith('{"data": "<html>xxx')
    assert len(str(caught.value)) < 100


@pytest.mark.parametrize(
    ("permissions", "sees_all"),
    [
        ({"/": {"VM.Audit": 1}}, True),  # propagated from the root
        ({"/vms": {"VM.Audit": 1}}, True),
        ({"/": {"VM.Audit": 1}, "/vms": {"VM.Audit": 1}}, True),
        ({"/vms": {"VM.Audit": 0}}, False),  # on /vms itself only, not on the guests below it
        ({"/": {"VM.Audit": 0}}, False),
        ({"/vms/100": {"VM.Audit": 1}, "/pool/web": {"VM.Audit": 1}}, False),
        ({"/": {"Sys.Audit": 1}}, False),
        ({}, False),
    ],
)
def test_the_token_sees_every_guest_only_with_vm_audit_propagated_over_vms(
    permissions: dict[str, dict[str, int]], sees_all: bool
) -> None:
    assert (checks.blind_spot(permissions) is None) is sees_all


def test_the_blind_spot_says_why_an_unseen_guest_is_not_gone() -> None:
    assert checks.blind_spot({}) == (
        "the token cannot see every guest (VM.Audit missing on /vms): a guest it cannot see is not gone"
    )
