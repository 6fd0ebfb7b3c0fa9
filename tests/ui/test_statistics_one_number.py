"""One figure, one number: the running month's overdue bar, the 当前逾期 line and the ranking's 月末逾期 column come
from the same calculation (a finding whose deadline falls later this month is not overdue yet)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ledger_helpers import COMMUNITY, STREET, name_places
from ui_helpers import close_app, open_app

from inspector.core.ledger import Action, Actor, Role
from inspector.store import findings
from inspector.store.database import open_data_folder
from inspector.store.seed import seed_demo_data
from inspector.ui.statistics.data import load_statistics

INSPECTOR = Actor("ins-1", frozenset({Role.INSPECTOR}), frozenset({STREET}))
SUPERVISOR = Actor("sup-1", frozenset({Role.SUPERVISOR}), frozenset({STREET}))
NOW = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)


def assigned(db, deadline: str, number: int) -> str:  # type: ignore[no-untyped-def]
    at = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    report = {"description": "店外堆物", "category": "乱堆乱放", "kind": "problem", "source": "patrol",
              "jurisdiction": COMMUNITY, "location": {"address": "三里屯路 19 号"}}  # fmt: skip
    finding_id = findings.record_command(db, action=Action.REPORT, actor=INSPECTOR, payload=report, now=at
                                         ).event.finding_id  # fmt: skip
    accept = {"ledger_number": f"朝阳-三里屯-2026-{number:05d}"}
    findings.record_command(db, action=Action.ACCEPT, actor=SUPERVISOR, finding_id=finding_id, now=at, payload=accept)
    findings.record_command(db, action=Action.ASSIGN, actor=SUPERVISOR, finding_id=finding_id, now=at,
                            payload={"responsible_unit": "某餐厅", "responsible_person": "赵", "responsible_phone": "1",
                                     "deadline": deadline, "measures": "清理"})  # fmt: skip
    return finding_id


def test_the_running_months_overdue_is_one_number(tmp_path: Path) -> None:
    folder = open_data_folder(tmp_path / "data")
    db = folder.connect()
    try:
        name_places(db)
        assigned(db, "2026-12-03", 1)  # overdue now
        assigned(db, "2026-12-20", 2)  # overdue only if the month's end were already here
    finally:
        db.close()
    data = load_statistics(folder, ["2026-11", "2026-12"], "2026-12", now=NOW)
    assert data.overdue_trend["2026-12"] == 1 == data.overdue_now
    assert sum(rank.overdue for rank in data.ranking) == 1


def test_chart_summary_and_ranking_agree_on_the_page(app, qtbot, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    seed_demo_data(open_data_folder(data_dir), inspections=10, photos=3)
    controller = open_app(data_dir)
    try:
        page = controller.window.show_page("statistics")
        qtbot.waitUntil(lambda: page.data is not None, timeout=30_000)
        data = page.data
        bars = page.overdue_chart.data.series[0].values
        shown = int(bars[data.months.index(data.month)] or 0)
        assert page.panels["overdue"].summary.text().split("；")[0] == f"当前逾期 {shown} 个"
        column = page.ranking_table.columnCount() - 1  # 月末逾期
        ranked = sum(int(page.ranking_table.item(row, column).text()) for row in range(page.ranking_table.rowCount()))
        assert ranked == shown == data.overdue_trend[data.month]
    finally:
        close_app(controller)
