"""How late a case's open stage is (受理/立案, 派遣, 处置, 核查), worded for the ledger's table and detail pane; the
clocks come from store.stage_clocks (limits in working hours or days, docs/time-limits.md)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from inspector.core.clock import display, local_date, utc_now
from inspector.core.stage_clock import StageClock
from inspector.store import stage_clocks
from inspector.ui.shared.i18n import CHINESE, current_language

if TYPE_CHECKING:
    from sqlite_utils import Database


def _pick(texts: tuple[str, str]) -> str:
    zh, en = texts
    return zh if current_language() == CHINESE else en


def is_late(clock: StageClock | None) -> bool:
    """Whether the case's open stage is past its limit."""
    return clock is not None and clock.late


def late_words(clock: StageClock | None) -> str:
    """The ledger column: e.g. 处置逾期2个工作日 (empty when on time or without a clock)."""
    return _pick(clock.late_text()) if clock is not None and clock.late else ""


def clock_of(db: Database, finding_id: str, now: datetime | None = None) -> StageClock | None:
    """One finding's clock now."""
    return stage_clocks.clocks_for(db, [finding_id], now or utc_now()).get(finding_id)


def detail_line(db: Database, finding_id: str, now: datetime | None = None) -> str:
    """The detail pane's line: the stage, its limit and due time, how late, and where the holidays come from."""
    moment = now or utc_now()
    clock = clock_of(db, finding_id, moment)
    if clock is None:
        return ""
    zh_stage, en_stage = clock.stage_text()
    if clock.deadline is not None:
        zh_limit, en_limit = f"整改期限 {clock.deadline.isoformat()}", f"deadline {clock.deadline.isoformat()}"
    else:
        limits = [limit.text() for limit in clock.limits]
        zh_limit = "时限 " + "+".join(zh for zh, _ in limits)
        en_limit = "limit " + " + ".join(en for _, en in limits)
    due = display(clock.due_at)
    if clock.late:
        zh_late, en_late = clock.late_text()
        zh, en = f"{zh_late}（{zh_limit}，应于 {due} 前）", f"{en_late} ({en_limit}, due {due})"
    else:
        zh, en = f"{zh_stage}：{zh_limit}，应于 {due} 前", f"{en_stage}: {en_limit}, due {due}"
    zh_note, en_note = stage_clocks.notice_for(db, moment, [clock])
    if zh_note:
        zh, en = f"{zh}。{zh_note}", f"{en}. {en_note}"
    return _pick((zh, en))


def calendar_notice(db: Database, now: datetime | None = None) -> str:
    """A line for the ledger page when this year's or next year's holidays do not come from the shipped data."""
    moment = now or utc_now()
    today = local_date(moment)
    setup = stage_clocks.load_setup(db)
    return _pick(setup.calendar_notice(today, today.replace(year=today.year + 1, month=1, day=1)))
