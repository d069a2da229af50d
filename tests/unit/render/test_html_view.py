"""The comparison page (``--format html``): self-contained, escaped, drawn from the Plan; and rendered in a
real browser (headless Chromium) where one is installed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netmox_cli.cli import app
from netmox_cli.model.plan import Action, Change, ConnectionInfo, Direction, Issue, Plan, PropertyChange
from netmox_cli.model.state import ObjectKind, Side
from netmox_cli.render.html_view import objects, render_html
from netmox_cli.render.safe import has_unsafe

ROOT = Path(__file__).resolve().parents[3]
HOMELAB = ROOT / "examples" / "homelab" / "netmox.toml"
HOSTILE = ROOT / "tests" / "golden" / "hostile-names" / "netmox.toml"
CHROMIUM = Path("/usr/bin/chromium")
SCRIPT_TAG = '<script>alert("x")</script>'
BREAKOUT = '"><img src=x onerror=alert(1)>'


def change(action: Action, *props: PropertyChange, kind=ObjectKind.QEMU, key="101", **extra) -> Change:
    defaults = {
        "id": f"lab/{kind.value}/{key}#{action.value}",
        "connection": "lab",
        "kind": kind,
        "key": key,
        "name": "web-01",
        "node": "pve1",
        "issue": Issue.MISMATCH,
        "action": action,
        "target": Side.PROXMOX if action.writes else None,
        "properties": list(props),
        "basis": "sha256:0",
    }
    return Change(**{**defaults, **extra})


def plan_of(*changes: Change, error: str | None = None) -> Plan:
    info = ConnectionInfo(name="lab", netbox="nb.json", proxmox="pve.json", error=error)
    return Plan(netmox_version="0", connections=[info], changes=list(changes)).summarize()


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def text_of(page: str) -> str:
    """The page's visible text, roughly: tags dropped, script and style removed."""
    page = re.sub(r"<(script|style)>.*?</\1>", "", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


def test_the_page_references_nothing_outside_itself() -> None:
    page = cli("plan", "--config", str(HOMELAB), "--format", "html")
    assert page.startswith("<!DOCTYPE html>")
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"""\b(src|href)\s*=""", page), "no asset or link may be loaded"
    assert "default-src 'none'" in page  # and the CSP would refuse one anyway


def test_each_object_is_one_block_with_both_sides_the_arrow_and_the_written_value() -> None:
    memory = PropertyChange(name="memory", netbox=4096, proxmox=2048, direction=Direction.NETBOX_TO_PROXMOX, after=4096)
    status = PropertyChange(
        name="status", netbox="offline", proxmox="running", direction=Direction.PROXMOX_TO_NETBOX, after="offline"
    )
    vcpus = PropertyChange(name="vcpus", netbox=1.5, proxmox=2, direction=Direction.SKIP, reason="not whole")
    plan = plan_of(
        change(Action.UPDATE, memory),
        change(Action.UPDATE, status, target=Side.NETBOX, id="lab/qemu/101#netbox"),
        change(Action.IGNORE, vcpus, reason="cannot apply: not whole"),
    )
    assert len(objects(plan)) == 1
    page = render_html(plan)
    assert page.count('<section class="obj"') == 1
    assert 'data-action="ignore update"' in page
    row = re.search(r"<tr class=\"diff\"><th scope=\"row\">memory</th>(.*?)</tr>", page).group(1)
    assert re.findall(r"<td[^>]*>(.*?)</td>", row) == ["4096 MiB", "→", "2048 MiB", "4096 MiB"]
    row = re.search(r"<th scope=\"row\">status</th>(.*?)</tr>", page).group(1)
    assert "←" in row and 'class="target">offline' in row  # NetBox is the target, it gets "offline"
    assert "skipped: not whole" in page and "update on NetBox" in page and "ignored: cannot apply" in page


def test_differing_disks_and_interfaces_are_marked_entry_by_entry() -> None:
    disks = PropertyChange(
        name="disks",
        netbox=[{"name": "scsi0", "size_mib": 4096, "storage": None}, {"name": "scsi1", "size_mib": 10}],
        proxmox=[{"name": "scsi0", "size_mib": 2048, "storage": "local"}, {"name": "scsi1", "size_mib": 10}],
        direction=Direction.NETBOX_TO_PROXMOX,
        after=[{"name": "scsi0", "size_mib": 4096, "storage": "local"}, {"name": "scsi1", "size_mib": 10}],
    )
    page = render_html(plan_of(change(Action.UPDATE, disks)))
    assert re.findall(r"<mark>(.*?)</mark>", page.split("<main>")[1]) == [
        "scsi0 4096 MiB",
        "scsi0 2048 MiB local",
        "scsi0 4096 MiB local",
    ]
    assert "<br>scsi1 10 MiB" in page  # the same on both sides: not marked


def test_hostile_text_from_either_side_is_escaped_never_markup() -> None:
    name = PropertyChange(
        name="name", netbox=SCRIPT_TAG, proxmox=BREAKOUT, direction=Direction.NETBOX_TO_PROXMOX, after=SCRIPT_TAG
    )
    plan = plan_of(
        change(Action.UPDATE, name, name=SCRIPT_TAG, node=BREAKOUT, key="10\x1b[2J1"),
        error="evil</li><script>alert(2)</script>\u202e",
    )
    page = render_html(plan)
    assert page.count("<script>") == 1  # the page's own
    assert "<img" not in page and "</li><script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "10\\x1b[2J1" in page and "\\u202e" in page
    assert not has_unsafe(page.replace("\n", ""))


def test_the_hostile_names_case_renders_escaped() -> None:
    page = cli("plan", "--config", str(HOSTILE), "--format", "html")
    assert "web\\x1b[31m\\r\\nfake: line" in text_of(page)
    assert "&lt;b&gt;&amp;#x202e;&lt;/b&gt;" in page  # a description's markup, shown as text
    assert "<b>&#x202e;" not in page
    assert not has_unsafe(page.replace("\n", ""))


def test_show_renders_a_saved_plan_as_the_same_page(tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    cli("plan", "--config", str(HOMELAB), "--out", str(saved))
    page = cli("show", str(saved), "--format", "html")
    assert "<title>netmox plan</title>" in page and "grafana" in page


# ---- in a real browser ---------------------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (scripts/test installs it)")


def chromium(*args: str, cwd: Path) -> str:
    profile = f"--user-data-dir={cwd / 'chromium-profile'}"  # not ~/.config, and one per test session
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", profile, *args]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def homelab_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = tmp_path_factory.mktemp("html") / "plan.html"
    page.write_text(cli("plan", "--config", str(HOMELAB), "--format", "html"), encoding="utf-8")
    return page


def rendered(page: Path, hash_: str = "") -> str:
    return chromium("--virtual-time-budget=5000", "--dump-dom", page.as_uri() + hash_, cwd=page.parent)


def visible_sections(dom: str) -> list[str]:
    return [m.group(0) for m in re.finditer(r"<section [^>]*>", dom) if " hidden" not in m.group(0)]


@needs_chromium
def test_chromium_renders_every_object_and_the_script_runs(homelab_page: Path) -> None:
    dom = rendered(homelab_page)
    assert len(visible_sections(dom)) == homelab_page.read_text().count('<section class="obj"') == 18
    assert "18 of 18 objects" in dom  # written by the page's script: it ran under the CSP
    assert "web-01" in dom and "Public web server [nginx]" in dom and "4096 MiB" in dom


@needs_chromium
def test_chromium_filters_by_the_url_hash(homelab_page: Path) -> None:
    dom = rendered(homelab_page, "#kind=lxc")
    sections = visible_sections(dom)
    assert sections and all('data-kind="lxc"' in s for s in sections)
    assert f"{len(sections)} of 18 objects" in dom
    dom = rendered(homelab_page, "#kind=qemu&action=create")
    assert [s for s in visible_sections(dom)] == [
        '<section class="obj" data-kind="qemu" data-issue="netbox-only" data-action="create">'
    ]
    assert "1 of 18 objects" in dom


@needs_chromium
def test_chromium_takes_a_screenshot(homelab_page: Path) -> None:
    shot = homelab_page.parent / "plan.png"
    chromium("--window-size=1200,2400", f"--screenshot={shot}", homelab_page.as_uri(), cwd=homelab_page.parent)
    assert shot.stat().st_size > 10_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if keep := os.environ.get("NETMOX_SCREENSHOT"):  # to look at it: NETMOX_SCREENSHOT=/tmp/plan.png pytest …
        shutil.copy(shot, keep)
