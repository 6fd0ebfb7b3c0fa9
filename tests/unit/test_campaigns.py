"""A campaign's rule and figures on known data: which inspections count, sites checked, cases found and fixed, 整改率,
挂账/销账 by grade, 立案/结案, per checklist and per 街乡, the headline sentence, and the site sheet's row checks."""

from __future__ import annotations

from datetime import date

import pytest

from inspector.core.campaigns import (
    Campaign,
    CampaignError,
    CampaignSheetError,
    CaseFact,
    InspectionFact,
    Site,
    check_campaign,
    counts_for,
    headline,
    progress,
    site_rows,
)

SLT, JW = "110105004032000", "110105001001000"
CAMPAIGN = Campaign(
    id="c", name="2026年汛期安全检查", kind="flood", starts=date(2026, 6, 1), ends=date(2026, 9, 30),
    checklists=("flood", "general"), jurisdiction="110105000000000",
    sites=(Site("a", "甲", SLT), Site("b", "乙", SLT), Site("c", "丙", JW), Site("d", "丁", JW)),
)  # fmt: skip


def inspection(
    ident: str, subject: str, checklist: str = "flood", finished: str | None = "2026-07-01T02:00:00Z"
) -> InspectionFact:
    return InspectionFact(ident, subject, checklist, finished)


def test_an_inspection_counts_only_on_a_site_with_a_campaign_checklist_within_the_period() -> None:
    assert counts_for(CAMPAIGN, inspection("1", "a"))
    assert counts_for(CAMPAIGN, inspection("1", "a", "general"))
    assert not counts_for(CAMPAIGN, inspection("1", "z"))  # not a site
    assert not counts_for(CAMPAIGN, inspection("1", "a", "other"))  # another checklist
    assert not counts_for(CAMPAIGN, inspection("1", "a", finished=None))  # a draft
    # the period is in Beijing days: 2026-05-31T16:30Z is 00:30 on 1 June, 2026-09-30T16:00Z is 00:00 on 1 October
    assert counts_for(CAMPAIGN, inspection("1", "a", finished="2026-05-31T16:30:00Z"))
    assert not counts_for(CAMPAIGN, inspection("1", "a", finished="2026-05-31T15:59:00Z"))
    assert counts_for(CAMPAIGN, inspection("1", "a", finished="2026-09-30T15:59:00Z"))
    assert not counts_for(CAMPAIGN, inspection("1", "a", finished="2026-09-30T16:00:00Z"))


def test_progress_on_known_data() -> None:
    inspections = [
        inspection("i1", "a"),
        inspection("i2", "a", "general"),
        inspection("i3", "c"),
        inspection("i4", "b", finished="2026-10-05T02:00:00Z"),  # after the period: b stays unchecked
    ]
    cases = [
        CaseFact("f1", "i1", "hazard", "general", "closed"),
        CaseFact("f2", "i1", "hazard", "major", "assigned", deadline="2026-07-10"),
        CaseFact("f3", "i2", "problem", None, "closed"),
        CaseFact("f4", "i3", "problem", None, "registered", deadline="2026-07-05"),
        CaseFact("f5", "i3", "hazard", "general", "rejected"),  # 不予受理: not a case found
        CaseFact("f6", "i4", "hazard", "general", "closed"),  # its inspection does not count
        CaseFact("f7", None, "hazard", "general", "reported"),
    ]
    figures = progress(CAMPAIGN, inspections, cases)
    total = figures.total
    assert (total.sites, total.checked, total.found, total.fixed) == (4, 2, 4, 2)
    assert total.rate == 0.5
    assert (total.hazards_general, total.hazards_major, total.hazards_open, total.hazards_closed) == (1, 1, 1, 1)
    assert (total.problems_filed, total.problems_closed) == (2, 1)
    assert figures.inspections == ["i1", "i2", "i3"]
    assert [case.id for case in figures.open_cases] == ["f4", "f2"]  # by deadline
    flood, general = figures.by_checklist["flood"], figures.by_checklist["general"]
    assert (flood.checked, flood.found, flood.fixed) == (2, 3, 1)
    assert (general.checked, general.found, general.fixed) == (1, 1, 1)
    slt, jw = figures.by_street["110105004"], figures.by_street["110105001"]
    assert (slt.sites, slt.checked, slt.found, slt.fixed) == (2, 1, 3, 2)
    assert (jw.sites, jw.checked, jw.found, jw.fixed) == (2, 1, 1, 0)
    assert headline(CAMPAIGN, figures) == (
        "2026年汛期安全检查：2个方面汛期，排查点位4个，已检查2个，发现问题隐患4个、整改2个，整改率50%"
    )


def test_nothing_found_has_no_rate() -> None:
    figures = progress(CAMPAIGN, [], [])
    assert figures.total.rate is None
    assert headline(CAMPAIGN, figures).endswith("整改率—")


def test_a_campaign_is_checked_before_it_is_made() -> None:
    with pytest.raises(CampaignError):
        check_campaign("冬季", "snow", date(2026, 12, 1), date(2026, 11, 1), ["x"], "110105")
    with pytest.raises(CampaignError):
        check_campaign("冬季", "winter", date(2026, 12, 1), date(2027, 3, 1), ["x"], "110105")
    with pytest.raises(CampaignError):
        check_campaign("冬季", "snow", date(2026, 12, 1), date(2027, 3, 1), [], "110105")
    assert check_campaign("冬季", "snow", date(2026, 12, 1), date(2027, 3, 1), ["x"], "110105") == "110105000000000"


def test_site_rows_name_every_bad_row() -> None:
    streets = {"三里屯街道": "110105004000000", "三里屯": "110105004000000"}
    good = site_rows([{"name": "甲", "kind": "场所", "street": "三里屯"},
                      {"name": "乙", "kind": "back_street", "street": "110105004032"}], streets)  # fmt: skip
    assert [(row.row, row.kind, row.jurisdiction) for row in good] == [
        (2, "site", "110105004000000"), (3, "back_street", "110105004032000")]  # fmt: skip
    with pytest.raises(CampaignSheetError) as refused:
        site_rows([{"name": "甲", "kind": "场所", "street": "三里屯"}, {"name": "", "kind": "场所", "street": "三里屯"},
                   {}, {"name": "甲", "kind": "场所", "street": "三里屯街道"}], streets)  # fmt: skip
    assert [(problem.row, problem.field) for problem in refused.value.problems] == [(3, "点位名称"), (5, "点位名称")]
    assert "第 5 行 点位名称：与第 2 行重复" in str(refused.value)


def test_the_shipped_template_names_every_column() -> None:
    from pathlib import Path

    from openpyxl import load_workbook

    from inspector.core.campaigns import SHEET_COLUMNS, header_fields

    template = Path(__file__).resolve().parents[2] / "resources" / "templates" / "campaign-sites.xlsx"
    book = load_workbook(template, read_only=True)
    header = next(book.worksheets[0].iter_rows(values_only=True))
    assert sorted(header_fields(header).values()) == sorted(key for key, _header, _required in SHEET_COLUMNS)
    assert book.sheetnames == ["点位", "填写说明"]
