"""The 整改通知书 as an office prints it: 文号, and the body, issuer and signature block on one page however many
photos it has (they shrink, or move to an appendix page); checked with pdftotext page by page and pdfinfo."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from reportkit import _poppler, history_to, make_photo, pdf_pages

from inspector.core.ledger import State
from inspector.reports.pdf_common import PhotoRef
from inspector.reports.pdf_notice import NoticeDocument, document_number_of, rectification_notice_pdf

CREATED = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
LONG = "店外乱堆纸箱、泡沫箱和废旧桌椅，占用便道约3平方米，影响行人通行，且堆放物靠近燃气表箱。" * 4


def page_text(pdf: Path, page: int) -> str:
    done = subprocess.run([_poppler("pdftotext"), "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, check=True)  # fmt: skip
    return re.sub(r"\s+", "", done.stdout.decode("utf-8"))


def notice(tmp_path: Path, photo_count: int, description: str = "店外乱堆纸箱") -> NoticeDocument:
    finding = history_to(State.ASSIGNED, "00123", description=description).finding
    refs = tuple(
        PhotoRef(make_photo(tmp_path / f"p{n}.jpg", (1200, 900), ("red", "green", "blue")[n % 3]), f"照片{n + 1}")
        for n in range(photo_count)
    )
    return NoticeDocument(finding, issuer="北京市朝阳区三里屯街道办事处", location="某某餐饮店（三里屯路19号）",
                          street_name="三里屯街道", inspectors=("张三",), photos=refs)  # fmt: skip


def test_the_document_number_follows_the_ledger_number() -> None:
    assert document_number_of("朝阳-三里屯-2026-00123") == "三里屯隐改〔2026〕123号"
    assert document_number_of("手工编号") == ""


def test_a_notice_shows_its_document_number_and_an_explicit_one_wins(tmp_path: Path) -> None:
    pdf = tmp_path / "n.pdf"
    rectification_notice_pdf(notice(tmp_path, 0), pdf, created=CREATED)
    assert "三里屯隐改〔2026〕123号" in page_text(pdf, 1)
    document = notice(tmp_path, 0)
    explicit = NoticeDocument(**{**document.__dict__, "document_number": "朝城管三字〔2026〕第7号"})
    rectification_notice_pdf(explicit, pdf, created=CREATED)
    assert "朝城管三字〔2026〕第7号" in page_text(pdf, 1)


def test_two_photos_and_long_text_stay_on_one_page_with_the_signatures(tmp_path: Path) -> None:
    pdf = tmp_path / "n.pdf"
    rectification_notice_pdf(notice(tmp_path, 2, LONG), pdf, created=CREATED)
    assert pdf_pages(pdf) == 1
    first = page_text(pdf, 1)
    for expected in ("问题照片（2张）", "北京市朝阳区三里屯街道办事处", "责任单位签收：", "检查人张三"):
        assert expected in first, expected


def test_many_photos_go_to_an_appendix_and_the_signatures_stay_with_the_body(tmp_path: Path) -> None:
    pdf = tmp_path / "n.pdf"
    rectification_notice_pdf(notice(tmp_path, 9, LONG), pdf, created=CREATED)
    pages = pdf_pages(pdf)
    assert pages >= 2
    first = page_text(pdf, 1)
    for expected in ("隐患整改通知书", "整改要求", "北京市朝阳区三里屯街道办事处", "责任单位签收：", "见附件"):
        assert expected in first, expected
    second = page_text(pdf, 2)
    assert "附件：问题照片（9张）" in second
    assert "责任单位签收" not in second
