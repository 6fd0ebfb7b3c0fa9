"""The 检查记录 names who did the inspection (检查层级) and the programme it was made under."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from reportkit import load_shipped, pdf_text

from inspector.reports.pdf_inspection import InspectionDocument, ItemAnswer, inspection_record_pdf


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_record_prints_the_level_and_the_programme(tmp_path: Path) -> None:
    checklist = load_shipped("beijie-xiaoxiang")
    answers = {item.id: ItemAnswer("pass") for item in checklist.items}
    start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    third_party = InspectionDocument(checklist, answers, "幸福三村五巷", start, level="third_party", programme="2026Q1")
    inspection_record_pdf(third_party, tmp_path / "a.pdf")
    text = flat(pdf_text(tmp_path / "a.pdf"))
    assert "检查层级第三方检查" in text and "检查计划2026Q1" in text
    inspection_record_pdf(InspectionDocument(checklist, answers, "幸福三村五巷", start), tmp_path / "b.pdf")
    assert "检查层级未记录" in flat(pdf_text(tmp_path / "b.pdf"))
