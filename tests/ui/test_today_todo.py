"""我的待办 on the 工作台: the open findings this laptop's user reported and those whose next step is theirs, before
any login (the laptop's own inspector) and once a supervisor has signed in."""

from __future__ import annotations

from datetime import timedelta

from ledger_helpers import COMMUNITY, STREET, report_finding, work_as
from PySide6.QtCore import Qt

from inspector.core.clock import local_date, utc_now
from inspector.core.ledger import Action, Actor, Role
from inspector.store import findings, profile
from inspector.ui.today_view import TodayView

BOSS = Actor("sup-1", frozenset({Role.SUPERVISOR}), frozenset({STREET}))


def shown(qtbot, today: TodayView, expected: int) -> set[str]:  # type: ignore[no-untyped-def]
    today.reload()
    qtbot.waitUntil(lambda: not today.loading and today.findings.count() == expected, timeout=10_000)
    return {today.findings.item(row).data(Qt.ItemDataRole.UserRole) for row in range(today.findings.count())}


def assign(db, finding_id: str) -> None:  # type: ignore[no-untyped-def]
    findings.record_command(db, action=Action.ACCEPT, actor=BOSS, finding_id=finding_id,
                            payload={"severity": "general", "ledger_number": "朝阳-三里屯-2026-00007"})  # fmt: skip
    deadline = (local_date(utc_now()) + timedelta(days=7)).isoformat()
    findings.record_command(db, action=Action.ASSIGN, actor=BOSS, finding_id=finding_id,
                            payload={"responsible_unit": "京味餐厅", "deadline": deadline,
                                     "responsible_person": "赵店长", "responsible_phone": "13800000000",
                                     "measures": "清理门前堆物"})  # fmt: skip


def test_my_todo_before_login_holds_my_reports_and_the_fixes_waiting_for_me(started, qtbot) -> None:  # type: ignore[no-untyped-def]
    db = started.ctx.db
    me = Actor(profile.user_id(db), frozenset({Role.INSPECTOR}), frozenset({COMMUNITY}))
    payload = {"description": "门前堆放纸箱", "category": "乱堆乱放", "kind": "hazard", "source": "patrol",
               "severity": "general", "jurisdiction": COMMUNITY, "location": {"address": "三里屯路 19 号"}}  # fmt: skip
    mine = findings.record_command(db, action=Action.REPORT, actor=me, payload=payload).event.finding_id
    turned_down = findings.record_command(db, action=Action.REPORT, actor=me, payload=payload).event.finding_id
    findings.record_command(db, action=Action.REJECT, actor=BOSS, finding_id=turned_down,
                            payload={"reason": "不属于城市管理职责"})  # fmt: skip
    to_fix = report_finding(db)  # reported by another inspector, then assigned: the 整改反馈 is this laptop's
    assign(db, to_fix)
    to_accept = report_finding(db)  # reported by another inspector, waiting for a supervisor

    today: TodayView = started.window.show_page("today")
    assert shown(qtbot, today, 2) == {mine, to_fix}  # not the closed one, not the supervisor's work

    # A supervisor signs in on this laptop: the reports waiting for 受理 are theirs; the 整改反馈 no longer is.
    work_as(db, "sup-2", "supervisor", scope=STREET)
    assert shown(qtbot, today, 2) == {mine, to_accept}
    assert not today.findings_empty.isVisibleTo(today)

    # An inspector of another 街乡 signs in: nothing here is theirs.
    work_as(db, "ins-9", "inspector", scope="110105001000000")
    shown(qtbot, today, 0)
    assert today.findings_empty.isVisibleTo(today)


def test_a_seeded_laptop_opens_with_work_in_my_todo(app, qtbot, data_dir) -> None:  # type: ignore[no-untyped-def]
    from ui_helpers import close_app, open_app

    from inspector.store.database import open_data_folder
    from inspector.store.seed import seed_demo_data

    seed_demo_data(open_data_folder(data_dir), inspections=6, photos=3)
    controller = open_app(data_dir)
    try:
        db = controller.ctx.db
        waiting_for_feedback = {f.id for f in findings.list_findings(db, state="assigned")}
        assert waiting_for_feedback
        today: TodayView = controller.window.show_page("today")
        # the demo's assigned findings wait for this laptop's 整改反馈; the rest is a supervisor's to do
        assert shown(qtbot, today, len(waiting_for_feedback)) == waiting_for_feedback
    finally:
        close_app(controller)


def test_a_read_still_queued_when_the_user_leaves_the_page_waits_for_their_return(  # type: ignore[no-untyped-def]
    started, qtbot, monkeypatch
) -> None:
    """The window opens on 今日 and the user may go elsewhere at once: its read, not begun yet, gives the pool's
    thread to the page they went to, and runs when they come back."""
    import threading

    from PySide6.QtCore import QThreadPool

    from inspector.ui import today_view

    reads: list[bool] = []
    real = today_view.load_today
    monkeypatch.setattr(today_view, "load_today", lambda folder: reads.append(True) or real(folder))
    today: TodayView = started.window.show_page("today")
    qtbot.waitUntil(lambda: not today.loading, timeout=10_000)
    releases = [threading.Event() for _ in range(QThreadPool.globalInstance().maxThreadCount())]
    for release in releases:  # every thread busy: the next read waits in the queue
        started.ctx.run(today_view.FunctionWorker(lambda _w, release=release: release.wait(10)))
    qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == len(releases))
    today.reload()
    started.window.show_page("settings")
    for release in releases:
        release.set()
    qtbot.waitUntil(lambda: not today.loading, timeout=10_000)
    assert reads == [] and today.stale
    started.window.show_page("today")
    qtbot.waitUntil(lambda: reads == [True] and not today.loading, timeout=10_000)
    assert not today.stale


def test_an_old_to_do_stays_listed_however_many_closed_findings_changed_since(  # type: ignore[no-untyped-def]
    started, qtbot, monkeypatch
) -> None:
    """The list judges open findings only: closed ones changed later do not push an older to-do out of what is
    read."""
    from inspector.ui import today_view

    monkeypatch.setattr(today_view, "TODO_READ", 4)
    db = started.ctx.db
    old = report_finding(db)
    assign(db, old)  # waits for this laptop's 整改反馈
    for _ in range(6):  # each changed after it, and closed
        findings.record_command(db, action=Action.REJECT, actor=BOSS, finding_id=report_finding(db),
                                payload={"reason": "不属于城市管理职责"})  # fmt: skip
    today: TodayView = started.window.show_page("today")
    assert shown(qtbot, today, 1) == {old}
    assert not today.findings_more.isVisibleTo(today)


def test_the_list_says_what_it_leaves_out_and_where_the_rest_is(started, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from inspector.ui import today_view

    monkeypatch.setattr(today_view, "TODO_LISTED", 2)
    db = started.ctx.db
    waiting = [report_finding(db) for _ in range(3)]
    for finding_id in waiting:
        assign(db, finding_id)
    today: TodayView = started.window.show_page("today")
    assert shown(qtbot, today, 2) < set(waiting)
    assert today.findings_more.isVisibleTo(today)
    assert today.findings_more.text() == "另有 1 项待办未在此列出：请到“隐患台账”按状态查看。"

    # more open findings than the page judges: it says older ones were not looked at
    monkeypatch.setattr(today_view, "TODO_READ", 3)
    report_finding(db)
    shown(qtbot, today, 2)
    expected = "只判断了最近变动的 3 个未结问题，可能还有更早的待办：请到“隐患台账”按状态查看。"
    assert today.findings_more.text() == expected


def test_overdue_to_dos_come_first_and_are_not_the_ones_left_out(started, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from inspector.ui import today_view

    monkeypatch.setattr(today_view, "TODO_LISTED", 1)
    db = started.ctx.db
    late = report_finding(db)
    assign(db, late)
    later_than = utc_now() + timedelta(days=30)  # the clock the page reads: a month on, the deadline has passed
    on_time = report_finding(db)  # changed after the late one, so newer
    assign(db, on_time)
    deadline = (local_date(utc_now()) + timedelta(days=60)).isoformat()
    findings.record_command(db, action=Action.EXTEND, actor=BOSS, finding_id=on_time,
                            payload={"deadline": deadline, "reason": "施工周期长"})  # fmt: skip
    monkeypatch.setattr(today_view, "utc_now", lambda: later_than)
    today: TodayView = started.window.show_page("today")
    assert shown(qtbot, today, 1) == {late}
    assert "逾期" in today.findings.item(0).text()
