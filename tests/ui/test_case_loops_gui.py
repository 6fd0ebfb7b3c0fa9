"""Both loops in the app against the real server on 127.0.0.1: a 城市管理问题 from 群众举报 立案, 派遣, an
extension asked on the unit's behalf and approved, 核查 and 结案; a 重大隐患 from a 区级检查 挂账 with 五落实,
临时管控措施, a 治理方案 and its report upward, put under 市级督办 — which the 街乡 supervisor cannot close and a
city supervisor does, then 摘牌.

The supervisor works in the app; the inspector's laptop and the city supervisor's are the end-to-end tests' clients.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from ledger_helpers import field_error, fill, save
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox
from sync_gui_helpers import (
    FAST_SYNC,
    PASSWORD,
    Client,
    ServerProcess,
    memory_keyring_fixture,  # noqa: F401  (autouse)
    server_template,
)

from inspector.core.clock import local_date, utc_now
from inspector.core.ledger import Action
from inspector.store import findings, settings
from inspector.sync.engine import SyncEngine, login
from inspector.ui.shared.context import FINDINGS

COMMUNITY = "110105004032000"


@pytest.fixture
def server(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server of its own with, besides the test users, a supervisor whose scope is the whole city (北京市 110000)."""
    if sys.platform == "win32":
        pytest.skip("the district server runs on Linux only (its blob store locks files with fcntl)")
    from inspector.server.auth import create_user
    from inspector.server.db import Database
    from inspector.server.settings import load_settings

    process = ServerProcess(tmp_path / "server", server_template(tmp_path_factory))
    server_settings = load_settings(environ=process.env)
    db = Database(server_settings.effective_database_url)
    with db.write() as session:
        create_user(session, server_settings, "city-sup", PASSWORD, ["supervisor"], ["110000"], "市城管委督查")
    db.dispose()
    process.start()
    try:
        yield process
    finally:
        process.stop()


def _sync(ctx: Any) -> None:
    summary = SyncEngine(ctx.folder).run_cycle()
    assert summary.outcome == "ok" and summary.all_acknowledged, summary.error
    ctx.notify(FINDINGS)
    QApplication.processEvents()


def _click(qtbot: Any, button: Any) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()


def _report(client: Client, **payload: Any) -> str:
    body = {
        "description": "沿街店铺门前堆放纸箱",
        "category": "乱堆乱放",
        "jurisdiction": COMMUNITY,
        "location": {"address": "三里屯路 19 号"},
        "photos": [client.photo(41)],
        **payload,
    }
    with client.db() as db:
        return findings.record_command(db, action="report", actor=client.actor(), payload=body).event.finding_id


def _open(qtbot: Any, page: Any, action: Action) -> Any:
    button = page.detail.action_buttons[action]
    assert button.isVisibleTo(page.detail), f"{action} is not offered"
    _click(qtbot, button)
    return page.action_dialog


def _supervisor_app(started: Any, server: ServerProcess) -> tuple[Any, Any]:
    window, ctx = started.window, started.ctx
    for key, value in FAST_SYNC.items():
        settings.put_text(ctx.db, key, value)
    login(ctx.folder, server.url, "sup", PASSWORD)
    _sync(ctx)
    return window, ctx


def test_a_problem_runs_the_grid_loop_in_the_app(started, qtbot, server: ServerProcess, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    inspector = Client.create(tmp_path / "inspector-laptop")
    inspector.login(server.url, "ins")
    finding_id = _report(inspector, kind="problem", source="public_report")
    assert inspector.sync().all_acknowledged
    window, ctx = _supervisor_app(started, server)
    today = local_date(utc_now())

    page = window.show_page("findings")
    page.select_finding(finding_id)
    detail = page.detail
    assert detail.values["kind"].text() == "城市管理问题" and detail.values["source"].text() == "群众举报"
    assert not detail.values["severity"].isVisibleTo(detail)  # a problem is not graded
    assert detail.action_buttons[Action.ACCEPT].text() == "立案"
    dialog = _open(qtbot, page, Action.ACCEPT)
    assert "severity" not in dialog.inputs
    save(qtbot, dialog)
    assert detail.values["state"].text().startswith("已立案")

    dialog = _open(qtbot, page, Action.ASSIGN)
    assert {"funds", "contingency_plan", "interim_controls", "governance_plan"}.isdisjoint(dialog.inputs)
    fill(dialog, responsible_unit="三里屯路19号商户", responsible_person="张三", measures="清理纸箱",
         deadline=today + timedelta(days=3))  # fmt: skip
    save(qtbot, dialog)
    assert detail.values["state"].text().startswith("处置中")

    dialog = _open(qtbot, page, Action.REQUEST_EXTENSION)
    fill(dialog, deadline=today + timedelta(days=10), reason="商户店主外出，需延后清理")
    flag = dialog.inputs["on_behalf_of_unit"]
    assert isinstance(flag, QCheckBox)
    flag.setChecked(True)
    save(qtbot, dialog)
    assert "待审批" in detail.values["extensions"].text()
    dialog = _open(qtbot, page, Action.APPROVE_EXTENSION)
    save(qtbot, dialog)
    assert detail.values["extensions"].text().startswith("已延期 1 次：商户店主外出")
    _sync(ctx)

    assert inspector.sync().outcome == "ok"
    inspector.command(finding_id, "rectify", {"description": "纸箱已清走", "after_photos": [inspector.photo(42)]})
    assert inspector.sync().all_acknowledged
    _sync(ctx)
    page.select_finding(finding_id)
    assert detail.values["state"].text().startswith("待核查")
    assert detail.action_buttons[Action.VERIFY_PASS].text() == "核查通过(结案)"
    dialog = _open(qtbot, page, Action.VERIFY_PASS)
    fill(dialog, opinion="现场核查已清理")
    save(qtbot, dialog)
    _sync(ctx)
    closed = findings.get(ctx.db, finding_id).view
    assert (closed.state.value, closed.kind.value, closed.source.value, closed.severity) == (
        "closed",
        "problem",
        "public_report",
        None,
    )
    assert (closed.extension_count, closed.extension_reasons) == (1, ("商户店主外出，需延后清理",))
    assert detail.values["state"].text().startswith("已结案")
    assert inspector.sync().outcome == "ok" and inspector.finding(finding_id).view.state.value == "closed"


def test_a_major_hazard_needs_its_five_and_a_city_escalation_binds(  # type: ignore[no-untyped-def]
    started, qtbot, server: ServerProcess, tmp_path: Path, photo_files: list[Path]
) -> None:
    inspector = Client.create(tmp_path / "inspector-laptop")
    inspector.login(server.url, "ins")
    city = Client.create(tmp_path / "city-laptop")
    city.login(server.url, "city-sup")
    finding_id = _report(
        inspector, kind="hazard", source="district_check", severity="major", category="燃气",
        description="餐馆燃气软管老化开裂，未装可燃气体报警器",
    )  # fmt: skip
    assert inspector.sync().all_acknowledged
    window, ctx = _supervisor_app(started, server)
    today = local_date(utc_now())
    page = window.show_page("findings")
    page.select_finding(finding_id)
    detail = page.detail
    assert detail.values["kind"].text() == "安全隐患" and detail.values["source"].text() == "区级检查"
    assert detail.action_buttons[Action.ACCEPT].text() == "受理挂账"

    dialog = _open(qtbot, page, Action.ACCEPT)
    fill(dialog, severity="major")
    save(qtbot, dialog)
    dialog = _open(qtbot, page, Action.ASSIGN)
    fill(dialog, responsible_unit="某某餐馆", responsible_person="王经理", measures="更换软管，加装报警器",
         deadline=today + timedelta(days=7), funds="企业自筹 3000 元",
         contingency_plan="泄漏时关阀、疏散、报警")  # fmt: skip
    save(qtbot, dialog)  # without 临时管控措施, 治理方案 and the report upward: refused, nothing recorded
    assert dialog.isVisible()
    for name in ("interim_controls", "governance_plan", "reported_upward_to"):
        assert field_error(dialog, name), name
    fill(dialog, interim_controls="停用燃气灶具，关闭总阀，设置警示", reported_upward_to="朝阳区城市管理委")
    dialog.inputs["governance_plan"].add_sources(photo_files[:1])
    qtbot.waitUntil(lambda: dialog.inputs["governance_plan"].worker is None, timeout=20_000)
    save(qtbot, dialog)
    assert not dialog.isVisible()
    assigned = findings.get(ctx.db, finding_id).view
    assert assigned.interim_controls == "停用燃气灶具，关闭总阀，设置警示" and len(assigned.governance_plan) == 1
    assert (assigned.reported_upward_to, assigned.reported_upward_on) == ("朝阳区城市管理委", today)

    dialog = _open(qtbot, page, Action.ESCALATE)
    fill(
        dialog,
        level="city",
        unit="北京市城市管理委员会",
        doc_no="京城管督〔2026〕7号",
        deadline=today + timedelta(days=20),
    )
    save(qtbot, dialog)
    assert detail.values["escalation"].text().startswith("市级督办 · 北京市城市管理委员会 · 京城管督〔2026〕7号")
    _sync(ctx)  # the 治理方案 travels to the server like a photo

    assert inspector.sync().outcome == "ok"
    inspector.command(
        finding_id, "rectify", {"description": "已更换软管并加装报警器", "after_photos": [inspector.photo(43)]}
    )
    assert inspector.sync().all_acknowledged
    _sync(ctx)
    page.select_finding(finding_id)
    assert detail.values["state"].text().startswith("待复查验收")
    assert not detail.action_buttons[Action.VERIFY_PASS].isVisibleTo(detail)  # a 街乡 scope cannot close it
    assert not detail.action_buttons[Action.LIFT_ESCALATION].isVisibleTo(detail)
    assert detail.action_buttons[Action.VERIFY_FAIL].isVisibleTo(detail)

    assert city.sync().outcome == "ok"
    city.command(finding_id, "verify_pass", {"opinion": "复查验收合格"})
    city.command(finding_id, "lift_escalation", {"note": "验收合格，摘牌"})
    assert city.sync().all_acknowledged
    _sync(ctx)
    page.select_finding(finding_id)
    final = findings.get(ctx.db, finding_id).view
    assert (final.state.value, final.escalation, final.severity.value if final.severity else None) == (
        "closed",
        None,
        "major",
    )
    assert detail.values["state"].text().startswith("已销账")
