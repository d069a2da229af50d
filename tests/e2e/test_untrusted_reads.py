"""Reads that cannot be trusted are never read as "nothing there": garbled answers, a missing cluster, a
token that cannot see every guest.

A cluster is imported into NetBox once; then a proxy (``tests/support/bad_answers.py``) stands between
netmox and one side and answers chosen requests with a login page, ``{"data": null}``, half a body or
JSON of the wrong shape. The most dangerous command there is — ``apply --allow-delete --auto-approve``
preferring the side that answers badly — must fail that connection with one line and write nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e.conftest import Lab
from tests.e2e.seeding import cluster_id, seed_pve, unused_prefix
from tests.support.bad_answers import Answer, BadAnswers, html, json_answer, truncated
from tests.support.fakepve_lab import TOKEN_NAME, TOKEN_SECRET, TOKEN_USER, LabPve

pytestmark = [pytest.mark.e2e, pytest.mark.netbox, pytest.mark.fakepve]

DELETE_ALL = ("apply", "--allow-delete", "--auto-approve")
RESOURCES = [{"type": "qemu", "vmid": 100, "node": "pve1", "name": "web01", "status": "running"}]


@dataclass
class Imported:
    """A cluster documented in NetBox, with a proxy in front of each side."""

    lab: Lab
    pve: LabPve
    cluster: str
    pve_proxy: BadAnswers
    netbox_proxy: BadAnswers

    def netbox_vms(self) -> dict[int, dict[str, Any]]:
        """VMID → what NetBox says about it, for "nothing was written" assertions."""
        nb = self.lab.netbox.api()
        cid = cluster_id(nb, self.cluster)
        disks = {d.virtual_machine.id: d.size for d in nb.virtualization.virtual_disks.filter(cluster_id=cid)}
        return {
            vm.custom_fields["proxmox_vmid"]: {
                "name": vm.name,
                "vcpus": vm.vcpus,
                "memory": vm.memory,
                "disk": disks.get(vm.id),
                "last_updated": vm.last_updated,
            }
            for vm in nb.virtualization.virtual_machines.filter(cluster_id=cid)
        }

    def netbox_devices(self) -> list[str]:
        nb = self.lab.netbox.api()
        return sorted(d.name for d in nb.dcim.devices.filter(cluster_id=cluster_id(nb, self.cluster)))

    def pve_guests(self) -> list[int]:
        return sorted(guest.vmid for guest in [*self.pve.vms, *self.pve.cts])


@pytest.fixture(scope="module")
def imported(new_lab, new_pve, bad_answers) -> Imported:
    lab: Lab = new_lab("untrusted")
    pve = new_pve()
    seed_pve(pve, unused_prefix(lab.netbox.api()))
    connection = lab.add("lab", pve)
    lab.netmox("apply", "--prefer", "proxmox", "--auto-approve")
    lab.netmox("plan", "--prefer", "proxmox", "--detailed-exitcode")  # in sync
    pve_proxy = bad_answers(pve.url, lab.cafile)
    netbox_proxy = bad_answers(lab.netbox.url)
    text = lab.config.read_text(encoding="utf-8")
    text = text.replace(f'host = "{pve.host}:{pve.port}"', f'host = "{pve_proxy.host}"')
    text = text.replace(f'url = "{lab.netbox.url}"', f'url = "{netbox_proxy.url}"\nca_bundle = "{lab.cafile}"')
    lab.config.write_text(text, encoding="utf-8")
    return Imported(lab, pve, connection.cluster, pve_proxy, netbox_proxy)


@pytest.fixture
def sides(imported: Imported):
    """The imported lab, with every proxy rule removed again after the test."""
    yield imported
    imported.pve_proxy.clear()
    imported.netbox_proxy.clear()


def error_line(result: Any) -> str:
    """The one ``error:`` line on stderr (there must be exactly one kind of it, on one line)."""
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert lines, result.stderr
    assert len(set(lines)) == 1, result.stderr
    return lines[0]


# ------------------------------------------------------- Proxmox VE answers


@pytest.mark.parametrize(
    ("answer", "came_back"),
    [
        (html(), "with text/html, not the API's JSON"),
        (html("<h1>502 Bad Gateway</h1>"), "with text/html, not the API's JSON"),
        (json_answer({"data": None}), 'with {"data": null}, not a list of resources'),
        (truncated({"data": RESOURCES}), "with truncated or malformed JSON ("),
        (json_answer({"data": {"qemu/100": RESOURCES[0]}}), 'with {"data": {"qemu/100": {"type": "qemu", "vmid": 100'),
        (json_answer({"data": [{"id": "qemu/100"}]}), "not a list of resources (0.type: Field required)"),
        (json_answer({"resources": RESOURCES}), "with JSON without a data member (dict), not the API's JSON"),
    ],
    ids=["login-page", "error-page", "data-null", "truncated", "object-not-list", "rows-without-type", "no-data"],
)
def test_a_garbled_guest_listing_fails_the_connection_and_deletes_nothing(
    sides: Imported, answer: Answer, came_back: str
) -> None:
    before = (sides.netbox_vms(), sides.netbox_devices())
    sides.pve_proxy.answer(r"/api2/json/cluster/resources$", answer)

    result = sides.lab.netmox(*DELETE_ALL, "--prefer", "proxmox", expect=1)

    line = error_line(result)
    assert line.startswith(f"error: lab: Proxmox VE at {sides.pve_proxy.url} answered GET /cluster/resources ")
    assert came_back in line
    assert line.endswith("; check host and any proxy in between")
    assert (sides.netbox_vms(), sides.netbox_devices()) == before


@pytest.mark.parametrize(
    ("path", "answer"),
    [
        (r"/api2/json/version$", json_answer({"data": None})),
        (r"/api2/json/nodes$", json_answer({"data": None})),
        (r"/api2/json/cluster/status$", html()),
        (r"/api2/json/access/permissions$", json_answer({"data": []})),
        (r"/api2/json/nodes/pve1/config$", json_answer({"data": "rack A"})),
    ],
    ids=["version", "nodes", "cluster-status", "permissions", "node-config"],
)
def test_any_garbled_cluster_level_answer_fails_the_connection(sides: Imported, path: str, answer: Answer) -> None:
    before = sides.netbox_vms()
    sides.pve_proxy.answer(path, answer)
    result = sides.lab.netmox("plan", "--prefer", "proxmox", expect=1)
    assert f"error: lab: Proxmox VE at {sides.pve_proxy.url} answered GET /" in error_line(result)
    assert sides.netbox_vms() == before


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (json_answer({"data": None}), 'GET /nodes/pve1/qemu/100/config with {"data": null}, not a guest config'),
        (json_answer({"data": {}}), 'with {"data": {}}, not a guest config (digest: Field required)'),
        (html(), "GET /nodes/pve1/qemu/100/config with text/html, not the API's JSON"),
        (Answer(b'{"data": {"digest"', "application/json"), "with truncated or malformed JSON"),
        (Answer(b'{"errors": {"vmid": "bad"}}', "application/json", 500), "Proxmox VE refused GET /nodes/pve1/qemu"),
    ],
    ids=["data-null", "empty-object", "login-page", "truncated", "server-error"],
)
def test_a_guest_whose_config_cannot_be_read_is_incomplete_and_left_alone(
    sides: Imported, answer: Answer, reason: str
) -> None:
    """Read as a config, it would be 1 vCPU, 512 MiB, no disks, no NICs — and written into NetBox."""
    before = sides.netbox_vms()
    sides.pve_proxy.answer(r"/api2/json/nodes/pve1/qemu/100/config$", answer)

    plan = sides.lab.netmox("plan", "--prefer", "proxmox", "--allow-delete")
    assert 'qemu 100 "web01": ignored: ' in plan.stdout
    assert "its config could not be read: " in plan.stdout and reason in plan.stdout.replace("\n", " ")
    sides.lab.netmox(*DELETE_ALL, "--prefer", "proxmox")

    assert sides.netbox_vms() == before
    assert before[100]["vcpus"] == 2 and before[100]["memory"] == 2048 and before[100]["disk"] == 32768


# ---------------------------------------------------------------- NetBox answers


@pytest.mark.parametrize(
    ("path", "method", "answer", "came_back"),
    [
        (r"/api/virtualization/virtual-machines/$", "GET", html(), "with text/html, not the API's JSON"),
        (r"/api/virtualization/virtual-machines/$", "GET", json_answer({}), "with {}, not a list page"),
        (
            r"/api/virtualization/virtual-machines/$",
            "GET",
            json_answer({"count": 1, "next": None, "results": None}),
            'with {"count": 1, "next": null, "results": null}, not a list page',
        ),
        (
            r"/api/dcim/devices/$",
            "GET",
            truncated({"count": 1, "results": [{"id": 1, "name": "pve1"}]}),
            "with truncated or malformed JSON",
        ),
        (
            r"/api/virtualization/virtual-machines/$",
            "GET",
            json_answer({"count": 1, "next": None, "results": [{"id": 1}]}),
            "not a list of virtual machines (0.name: Field required)",
        ),
        (r"/graphql/$", "POST", json_answer({"items": []}), 'with {"items": []}, not a GraphQL answer with data'),
        (r"/graphql/$", "POST", json_answer({"data": None}), 'with {"data": null}, not a GraphQL answer with data'),
    ],
    ids=["login-page", "empty-object", "results-null", "truncated", "vm-no-name", "graphql-no-data", "graphql-null"],
)
def test_a_garbled_netbox_answer_fails_the_connection_and_deletes_nothing_on_proxmox(
    sides: Imported, path: str, method: str, answer: Answer, came_back: str
) -> None:
    guests = sides.pve_guests()
    sides.netbox_proxy.answer(path, answer, method=method)

    result = sides.lab.netmox(*DELETE_ALL, "--prefer", "netbox", expect=1)

    line = error_line(result)
    assert line.startswith(f"error: lab: NetBox at {sides.netbox_proxy.url} answered {method} /")
    assert came_back in line
    assert line.endswith("; check netbox.url and any proxy in between")
    assert sides.pve_guests() == guests


# ------------------------------------------------------------ missing cluster


def test_a_missing_netbox_cluster_fails_plan_and_apply_and_creates_nothing(new_lab, new_pve) -> None:
    lab: Lab = new_lab("missing-cluster")
    pve = new_pve()
    seed_pve(pve, unused_prefix(lab.netbox.api()))
    cluster = f"no-such-cluster-{pve.port}"
    lab.add("lab", pve, cluster=cluster)
    expected = (
        f"error: lab: cluster '{cluster}' does not exist in NetBox at {lab.netbox.url}; "
        "check cluster = in netmox.toml, or create it with `netmox init`"
    )

    assert error_line(lab.netmox("plan", "--prefer", "proxmox", expect=1)) == expected
    assert error_line(lab.netmox(*DELETE_ALL, "--prefer", "proxmox", expect=1)) == expected
    assert error_line(lab.netmox(*DELETE_ALL, "--prefer", "netbox", expect=1)) == expected

    nb = lab.netbox.api()
    assert nb.virtualization.clusters.get(name=cluster) is None
    assert sorted(guest.vmid for guest in [*pve.vms, *pve.cts]) == [100, 101, 102, 200, 201, 9000]


# ------------------------------------------------------------------ visibility


def test_a_token_that_cannot_see_every_guest_says_so_in_check_and_in_the_snapshot(new_lab, new_pve) -> None:
    lab: Lab = new_lab("blind-token")
    pve = new_pve()
    seed_pve(pve, unused_prefix(lab.netbox.api()))
    pve.apitokens[f"audit@pve!{TOKEN_NAME}"] = TOKEN_SECRET
    pve.grant(f"audit@pve!{TOKEN_NAME}", "/", "Sys.Audit")
    pve.grant(f"audit@pve!{TOKEN_NAME}", "/vms/100", "VM.Audit")  # one guest of six
    lab.add("lab", pve)
    lab.config.write_text(
        lab.config.read_text(encoding="utf-8").replace(f'user = "{TOKEN_USER}"', 'user = "audit@pve"'),
        encoding="utf-8",
    )
    reason = "the token cannot see every guest (VM.Audit missing on /vms): a guest it cannot see is not gone"

    check = lab.netmox("check", expect=1)
    assert f"lab Proxmox VE visibility: {reason}" in " ".join(check.stdout.split())

    lab.netmox("snapshot", "--connection", "lab", "--side", "proxmox", "--out", "pve.json")
    snapshot = json.loads((lab.root / "pve.json").read_text(encoding="utf-8"))
    assert snapshot["blind_spot"] == reason
    assert [guest["vmid"] for guest in snapshot["guests"]] == [100]


def test_a_token_that_cannot_see_every_guest_never_deletes_what_it_does_not_see(new_lab, new_pve) -> None:
    lab: Lab = new_lab("blind-apply")
    pve = new_pve()
    seed_pve(pve, unused_prefix(lab.netbox.api()))
    lab.add("lab", pve)
    lab.netmox("apply", "--prefer", "proxmox", "--auto-approve")  # documented with a token that sees everything
    nb = lab.netbox.api()
    documented = {vm.name for vm in nb.virtualization.virtual_machines.filter(cluster=lab.connections[0].cluster)}
    pve.apitokens[f"audit@pve!{TOKEN_NAME}"] = TOKEN_SECRET
    pve.grant(f"audit@pve!{TOKEN_NAME}", "/", "Sys.Audit")
    pve.grant(f"audit@pve!{TOKEN_NAME}", "/vms/100", "VM.Audit")
    lab.config.write_text(
        lab.config.read_text(encoding="utf-8").replace(f'user = "{TOKEN_USER}"', 'user = "audit@pve"'),
        encoding="utf-8",
    )

    result = lab.netmox("apply", "--prefer", "proxmox", "--allow-delete", "--auto-approve")

    assert "conflict: not deleted on NetBox: the token cannot see every guest (VM.Audit missing on /vms)" in (
        result.stdout
    )
    assert "delete on NetBox: applied" not in result.stdout
    assert {vm.name for vm in nb.virtualization.virtual_machines.filter(cluster=lab.connections[0].cluster)} == (
        documented
    )
