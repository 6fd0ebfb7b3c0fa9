"""The month's rules in core/month.py with known data: which cases the exposure preselects and why, the back
streets' 降档/复档 of a month, what was checked by whom, the 约谈 candidates and the checks on a talk record."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from inspector.core import month
from inspector.core.ledger import EscalationLevel, FindingState, Severity, Source, State
from inspector.core.scoring import COMPLIANT, NON_COMPLIANT, MonthStatus
from inspector.core.statistics import BLACK, RedBlackList, StreetRank, UnitPoints

BASE = FindingState(
    finding_id="f", state=State.ASSIGNED, jurisdiction="110105001001001", severity=Severity.GENERAL,
    category="垃圾堆物", description="堆物", subject_id=None, ledger_number="L", deadline=date(2026, 3, 20),
    responsible_unit="u", responsible_person=None, responsible_phone=None, measures=None, funds=None,
    contingency_plan=None, rectified_by=None, escalation=None, reported_by="u1",
    reported_at=datetime(2026, 3, 5, 2, tzinfo=UTC), closed_at=None, photos=(), after_photos=(), event_count=3,
    last_event_id="e",
)  # fmt: skip


def test_the_exposure_rule_names_its_reasons() -> None:
    def reasons(when: datetime | None = None, **changes: object) -> list[str]:
        return month.exposure_reasons(replace(BASE, **changes), "2026-03", when)  # type: ignore[arg-type]

    assert reasons() == [month.REASON_OVERDUE]  # deadline 20 March, open at the month's end
    assert reasons(datetime(2026, 3, 10, tzinfo=UTC)) == []  # a running month: not overdue yet on the 10th
    assert reasons(source=Source.THIRD_PARTY_CHECK, deadline=date(2026, 4, 5)) == [month.REASON_LEVEL]
    assert reasons(source=Source.CITY_CHECK, reported_at=datetime(2026, 2, 5, tzinfo=UTC), deadline=None) == []
    closed: dict[str, Any] = {"state": State.CLOSED, "closed_at": datetime(2026, 3, 8, tzinfo=UTC)}
    assert reasons(escalation=EscalationLevel.DISTRICT, **closed) == [month.REASON_ESCALATED]  # reported in March
    old = datetime(2026, 1, 5, tzinfo=UTC)
    assert reasons(escalation=EscalationLevel.DISTRICT, reported_at=old, **closed) == []  # closed, nothing new
    assert reasons(escalation=EscalationLevel.CITY, reported_at=old, deadline=None) == [month.REASON_ESCALATED]
    assert reasons(state=State.REJECTED, source=Source.CITY_CHECK) == []
    assert reasons(state=State.REPORTED, source=Source.CITY_CHECK, deadline=None) == []
    assert reasons(reported_at=datetime(2026, 4, 2, tzinfo=UTC)) == []  # after the month


def test_status_changes_of_the_month() -> None:
    streets = {
        "s1": [MonthStatus("2026-02", 95, COMPLIANT, False, 0), MonthStatus("2026-03", 85, NON_COMPLIANT, True, 0)],
        "s2": [MonthStatus("2026-03", 92, COMPLIANT, True, 0)],
        "s3": [MonthStatus("2026-03", 93, NON_COMPLIANT, False, 2)],
    }
    changes = month.status_changes(streets, "2026-03")
    assert [(c.subject_id, c.change, c.score) for c in changes] == [("s1", "降档", 85), ("s2", "复档", 92)]
    assert month.status_changes(streets, "2026-02") == []


def test_month_checks_count_by_checklist_level_and_person() -> None:
    visits = [
        month.Visit("a", date(2026, 3, 1), "city", checklist_id="beijie-xiaoxiang", by="u1"),
        month.Visit("a", date(2026, 3, 2), "city", checklist_id="beijie-xiaoxiang", by="u1"),
        month.Visit("b", date(2026, 3, 3), None, kind=month.VisitKind.PATROL, by="u2"),
        month.Visit("b", date(2026, 4, 1), "street_self", by="u2"),
    ]
    checks = month.month_checks(visits, "2026-03")
    assert (checks.total, checks.subjects_visited) == (3, 2)
    assert checks.by_checklist == {"beijie-xiaoxiang": 2, "patrol": 1}
    assert checks.by_level == {"": 1, "city": 2} and checks.by_person == {("u1", "city"): 2, ("u2", ""): 1}


def test_talk_candidates_and_a_talk_checked() -> None:
    ranking = [StreetRank(1, "110105001", "甲", 90.0, 1, 1, 1, 0), StreetRank(2, "110105002", "乙", 60.0, 0, 0, 0, 3),
               StreetRank(2, "110105003", "丙", 60.0, 0, 0, 0, 3)]  # fmt: skip
    black = UnitPoints("u9", "某店", "110105001", 70.0, BLACK, 1)
    found = month.talk_candidates(ranking, RedBlackList([], [black], [black]))
    assert [(c.basis, c.ref) for c in found] == [("rank", "110105002"), ("rank", "110105003"), ("black_list", "u9")]
    assert found[0].text == "第 2 名（共 3 个街乡），得分 60.00" and found[2].text == "黑榜，积分 70"
    assert month.talk_candidates(ranking[:1], None) == []
    talk = month.Talk("t", "2026-03", date(2026, 4, 1), "王某", "乙街道", "110105002", "末位", month.BASIS_RANK)
    assert month.check_talk(talk) is talk
    for bad in ({"month": "2026-3"}, {"person": " "}, {"basis": "x"}, {"street": "110105"}, {"reason": "x" * 2001}):
        with pytest.raises(ValueError):
            month.check_talk(replace(talk, **bad))  # type: ignore[arg-type]
