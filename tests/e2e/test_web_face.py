"""The server's web face in a real browser (Debian's chromium driven by Playwright) against a real server process:
a shop owner signs and sends the after-photo from a phone, a passer-by reports through the board, a leader signs in
and drills down; then the laptops sync and hold the unit's answer and the citizen's report."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_support import DISTRICT, PASSWORD, Client, ServerProcess, assign_payload, jpeg_file

from inspector.store import findings, unit_links

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).is_file(), reason="needs Debian's chromium")
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def web_server(tmp_path: Path, server_template: Path) -> Iterator[ServerProcess]:
    """The server with its public address set to where it listens (so the links it issues open here)."""
    process = ServerProcess(tmp_path / "server", server_template)
    process.start(INSPECTOR_PUBLIC_BASE_URL=process.url)
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: INSPECTOR_WEB_SCREENSHOTS when set (the README's pictures), else the test's folder."""
    folder = Path(os.environ.get("INSPECTOR_WEB_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _assigned(server: ServerProcess, inspector: Client, supervisor: Client) -> str:
    inspector.login(server.url, "ins")
    supervisor.login(server.url, "sup")
    subject_id = inspector.subject("三里屯北小街", code="CY-SLT-0001")
    _, finding_id = inspector.inspection_with_finding(1, subject_id)
    assert inspector.sync().outcome == "ok"
    assert supervisor.sync().outcome == "ok"
    supervisor.command(finding_id, "accept", {"severity": "general"})
    supervisor.command(finding_id, "assign", assign_payload())
    assert supervisor.sync().outcome == "ok"
    return finding_id


def test_the_unit_signs_and_sends_its_after_photo_from_a_phone_and_the_laptop_sees_it(
    web_server: ServerProcess, make_client: Callable[..., Client], browser: Any, shots: Path, tmp_path: Path
) -> None:
    inspector, supervisor = make_client("inspector"), make_client("supervisor")
    finding_id = _assigned(web_server, inspector, supervisor)
    with supervisor.db() as db:
        link = unit_links.url_of(db, finding_id)  # what the 整改通知书's QR code holds
    assert link is not None and link.startswith(web_server.url + "/u/")

    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(link)
    assert page.locator(".facts").get_by_text("拆除违建").count() == 1  # the measures of the assignment
    page.screenshot(path=str(shots / "unit-page.png"), full_page=True)
    page.fill("input[name=name]", "王经理")
    page.fill("input[name=phone]", "13800001111")
    page.get_by_role("button", name=re.compile("确认签收")).click()
    page.wait_for_url(re.compile(r"done=sign"))
    assert page.get_by_text("已签收，谢谢").is_visible()

    after = jpeg_file(tmp_path / "after.jpg", 77)
    page.set_input_files("input[name=photo]", str(after))
    page.fill("textarea[name=note]", "违建已拆除，现场已清理")
    page.get_by_role("button", name=re.compile("提交整改")).click()
    page.wait_for_url(re.compile(r"done=fix"))
    assert page.get_by_text("整改情况已提交").is_visible()
    images = page.locator(".timeline img")
    assert images.count() == 1
    # the photos load after the page: wait for every one to have decoded (a broken one never gets a width)
    page.wait_for_function("() => [...document.images].every(image => image.complete && image.naturalWidth > 0)")
    page.screenshot(path=str(shots / "unit-page-answered.png"), full_page=True)
    assert dialogs == []

    # the supervisor's laptop pulls the unit's answer, with the photo, and verifies it as usual
    pulled = supervisor.sync()
    assert pulled.outcome == "ok", pulled.error
    seen = supervisor.finding(finding_id)
    assert seen.view.state.value == "rectified"
    assert seen.view.after_photos == (hashlib.sha256(after.read_bytes()).hexdigest(),)
    with supervisor.db() as db:
        actions = [stored.event.action for stored in findings.events(db, finding_id)]
    assert [str(action) for action in actions][-2:] == ["sign", "rectify"]
    supervisor.command(finding_id, "verify_pass", {"opinion": "现场核查，整改到位"})
    assert supervisor.sync().outcome == "ok"
    assert supervisor.finding(finding_id).view.state.value == "closed"
    closed = page.goto(link)
    assert closed is not None and closed.status == 410 and page.get_by_text("已办结").count() == 1
    phone.close()


def test_a_passer_by_reports_through_the_board_and_the_supervisor_finds_it_in_review(
    web_server: ServerProcess, make_client: Callable[..., Client], browser: Any, shots: Path, tmp_path: Path
) -> None:
    inspector, supervisor = make_client("inspector"), make_client("supervisor")
    inspector.login(web_server.url, "ins")
    supervisor.login(web_server.url, "sup")
    inspector.subject("三里屯北小街", code="CY-SLT-0009")
    assert inspector.sync().outcome == "ok"

    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{web_server.url}/s/CY-SLT-0009")
    assert page.get_by_text("三里屯北小街").first.is_visible()
    page.screenshot(path=str(shots / "public-page.png"), full_page=True)
    text = "<script>alert('x')</script>井盖缺失，有行人绊倒的危险"
    page.fill("textarea[name=what]", text)
    page.fill("input[name=where]", "三里屯北小街东口")
    page.set_input_files("input[name=photo]", str(jpeg_file(tmp_path / "street.jpg", 5)))
    question = page.locator("label", has_text="验证").inner_text()
    first, second = (int(number) for number in re.findall(r"(\d+) \+ (\d+)", question)[0])
    page.fill("input[name=answer]", str(first + second))
    page.get_by_role("button", name=re.compile("提交")).click()
    page.wait_for_url(re.compile(r"/s/r/JB"))
    receipt = page.locator(".receipt").inner_text()
    assert receipt.startswith("JB")
    assert page.get_by_text(text).count() == 1  # the script tag is shown as text, never run
    assert dialogs == []
    page.screenshot(path=str(shots / "public-receipt.png"), full_page=True)
    phone.close()

    assert supervisor.sync().outcome == "ok"
    with supervisor.db() as db:
        reported = [item.view for item in findings.list_findings(db) if item.view.category == "群众举报"]
    assert len(reported) == 1 and reported[0].description == text and reported[0].state.value == "reported"


def test_a_leader_signs_in_and_drills_down_to_one_case_with_its_photo(
    web_server: ServerProcess, make_client: Callable[..., Client], browser: Any, shots: Path
) -> None:
    from inspector.server.auth import create_user
    from inspector.server.db import Database
    from inspector.server.settings import load_settings

    settings = load_settings(environ=web_server.env)
    db = Database(settings.effective_database_url)
    with db.write() as session:
        create_user(session, settings, "leader", PASSWORD, ["leader"], [DISTRICT], "区领导")
    db.dispose()
    inspector, supervisor = make_client("inspector"), make_client("supervisor")
    finding_id = _assigned(web_server, inspector, supervisor)

    desk = browser.new_context(**DESKTOP)
    page = desk.new_page()
    page.goto(f"{web_server.url}/dashboard")
    assert page.url.endswith("/dashboard/login")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name=re.compile("登录")).click()
    page.wait_for_url(re.compile(r"/dashboard$"))
    assert page.locator("svg.chart").count() == 2
    page.screenshot(path=str(shots / "dashboard.png"), full_page=True)
    page.locator("table a", has_text="三里屯").first.click()
    page.wait_for_url(re.compile(r"/dashboard/cases\?street="))
    page.locator(f"a[href='/dashboard/case/{finding_id}']").click()
    page.wait_for_url(re.compile(finding_id))
    assert page.locator(".photos img").count() >= 1
    page.wait_for_function("() => [...document.images].every(image => image.complete && image.naturalWidth > 0)")
    assert page.get_by_text("派遣整改").count() >= 1  # the timeline
    page.screenshot(path=str(shots / "dashboard-case.png"), full_page=True)
    desk.close()
