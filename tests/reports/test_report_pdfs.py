"""The PDF documents: the Chinese font embedded, the text there (pdftotext), photos and QR codes in place."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import segno
from PIL import Image
from reportkit import (
    history_to,
    load_shipped,
    pdf_fonts,
    pdf_images,
    pdf_pages,
    pdf_text,
    qr_images,
    read_modules,
    render_png,
)

from inspector.core.ledger import State
from inspector.reports.errors import ReportError
from inspector.reports.pdf_common import PhotoRef
from inspector.reports.pdf_inspection import InspectionDocument, ItemAnswer, inspection_record_pdf
from inspector.reports.pdf_notice import NoticeDocument, rectification_notice_pdf
from inspector.reports.pdf_signboard import DUTIES, SignboardDocument, signboard_pdf

CREATED = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def flat(text: str) -> str:
    """pdftotext output without the spaces and line breaks that layout puts between characters."""
    return re.sub(r"\s+", "", text)


def assert_fonts_embedded(pdf: Path) -> None:
    fonts = pdf_fonts(pdf)
    assert fonts, "the PDF names no font"
    assert all(font["emb"] == "yes" for font in fonts), fonts
    known = ("UMing", "SimSun", "WenQuanYi", "YaHei")  # the serif faces first: reports/fonts.py's order
    assert any(face in font["name"] for font in fonts for face in known), fonts


def assert_renders(pdf: Path, out_dir: Path, pages: int) -> None:
    """One PNG per page at 60 dpi, each with ink on it."""
    out_dir.mkdir(exist_ok=True)
    pngs = render_png(pdf, out_dir)
    assert len(pngs) == pages
    for png in pngs:
        with Image.open(png) as image:
            darkest = image.convert("L").getextrema()[0]
        assert isinstance(darkest, int) and darkest < 100, f"{png.name} is blank"


def decoded_by_reencoding(pdf: Path, out_dir: Path, expected: str) -> None:
    """The PDF holds a QR image whose modules are those of `expected` encoded again with segno."""
    out_dir.mkdir(exist_ok=True)
    code = segno.make(expected, error="m", micro=False)
    size = int(code.symbol_size(border=0)[0])
    found = [read_modules(image, size) for image in qr_images(pdf, out_dir)]
    assert found, "no QR image in the PDF"
    expected_modules = [[bool(module) for module in row] for row in code.matrix]
    assert expected_modules in found


# --------------------------------------------------------------------------------------------------------------
# 检查记录
# --------------------------------------------------------------------------------------------------------------


def back_street_record(photos: list[Path]) -> InspectionDocument:
    checklist = load_shipped("beijie-xiaoxiang")
    answers = {item.id: ItemAnswer("pass") for item in checklist.items}
    answers["BJ-SW-03"] = ItemAnswer("fail", occurrences=2, note="胡同口东侧两辆机动车占用消防通道")
    answers["BJ-WH-02"] = ItemAnswer("na")
    del answers["BJ-WH-05"]
    return InspectionDocument(
        checklist=checklist,
        answers=answers,
        subject_name="三里屯北三街",
        subject_kind="back_street",
        subject_address="朝阳区三里屯北三街（工体北路至三里屯路）",
        subject_code="BJ-110105001-0012",
        jurisdiction_name="朝阳区 三里屯街道 北三里屯社区",
        inspectors=("张三", "李四"),
        started_at=datetime(2026, 3, 2, 1, 30, tzinfo=UTC),
        finished_at=datetime(2026, 3, 2, 2, 45, tzinfo=UTC),
        location="39.936120, 116.454800",
        notes="本次为月度日常检查。",
        inspection_id="0195f7a2-1c3b-7d4e-9f00-123456789abc",
        photos=(
            PhotoRef(photos[0], "东口", "BJ-SW-03"),
            PhotoRef(photos[1], "", "BJ-SW-03"),
            PhotoRef(photos[2], "全景"),
            PhotoRef(photos[0].parent / "gone.jpg", "丢失的照片"),
        ),
    )


def test_inspection_record_back_street(tmp_path: Path, photos: list[Path]) -> None:
    document = back_street_record(photos)
    pdf = tmp_path / "record.pdf"
    inspection_record_pdf(document, pdf, created=CREATED)
    assert_fonts_embedded(pdf)
    text = flat(pdf_text(pdf))
    for expected in (
        "检查记录",
        "背街小巷环境精细化治理检查表",
        "beijie-xiaoxiang@2026.2",
        "三里屯北三街",
        "背街小巷",
        "张三、李四",
        "2026-03-0209:30（北京时间）",  # started 01:30 UTC
        "2026-03-0210:45（北京时间）",
        "96/100",  # 十无: 100 minus 2 occurrences of 乱停车 at 2 points each
        "达标（暂定：1项未检查）",
        "2处；胡同口东侧两辆机动车占用消防通道；见照片1、2",
        "不适用",
        "未检查",
        "※参考条目",
        "○新闻报道：出自新闻报道或摘要，不是规定原文",
        "照片文件不存在：gone.jpg",
        "本次为月度日常检查。",
        "检查人（签字）",
    ):
        assert expected in text, expected
    for item in document.checklist.items:
        assert flat(item.text) in text, item.id
    assert "公共环境好※" in text  # 五好 items are reconstructed and marked so
    assert "无私搭乱建○" in text  # the current 十无 wording is known from a news report, and marked so
    assert_renders(pdf, tmp_path / "png", pdf_pages(pdf))


def test_inspection_photos_are_upright_and_scaled(tmp_path: Path, photos: list[Path]) -> None:
    pdf = tmp_path / "record.pdf"
    inspection_record_pdf(back_street_record(photos), pdf, created=CREATED)
    out = tmp_path / "images"
    out.mkdir()
    sizes = []
    for path in pdf_images(pdf, out):
        with Image.open(path) as image:
            sizes.append(image.size)
    # 4000×3000 scaled to 1000 on its long side; a portrait photo stays portrait; the EXIF-rotated one is stood up
    assert sizes == [(1000, 750), (750, 1000), (750, 1000)]


def test_inspection_record_pass_fail_checklist(tmp_path: Path) -> None:
    checklist = load_shipped("menqian-sanbao")
    answers = {item.id: ItemAnswer("pass") for item in checklist.items}
    answers["MQ-ZX-01"] = ItemAnswer("fail", note="门前堆放纸箱")
    document = InspectionDocument(
        checklist, answers, "某某餐饮店", datetime(2026, 3, 2, 1, 0, tzinfo=UTC), subject_kind="street_front_unit"
    )
    pdf = tmp_path / "sanbao.pdf"
    inspection_record_pdf(document, pdf)
    text = flat(pdf_text(pdf))
    assert "检查结论不合格" in text and "不合格项1项" in text and "未结束" in text
    assert "门前三包责任单位" in text and "门前堆放纸箱" in text
    assert "总分" not in text
    assert_fonts_embedded(pdf)


def test_inspection_record_refuses_bad_input(tmp_path: Path) -> None:
    checklist = load_shipped("menqian-sanbao")
    start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    with pytest.raises(ReportError, match="MQ-XX-99"):
        inspection_record_pdf(
            InspectionDocument(checklist, {"MQ-XX-99": ItemAnswer("pass")}, "店", start), tmp_path / "a"
        )
    with pytest.raises(ReportError, match="aware"):
        inspection_record_pdf(InspectionDocument(checklist, {}, "店", datetime(2026, 3, 2)), tmp_path / "a")
    with pytest.raises(ReportError, match="subject's name"):
        inspection_record_pdf(InspectionDocument(checklist, {}, " ", start), tmp_path / "a")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------------------------------------------
# 整改通知书
# --------------------------------------------------------------------------------------------------------------

LEDGER_NUMBER = "朝阳-三里屯-2026-00123"  # as history_to numbers finding 00123


def notice_document(photos: list[Path], severity: str = "general") -> NoticeDocument:
    major = {"funds": "财政专项 5 万元", "contingency_plan": "设置围挡，专人看护"} if severity == "major" else {}
    history = history_to(State.ASSIGNED, "00123", severity=severity, assign=major)
    return NoticeDocument(
        history.finding,
        issuer="北京市朝阳区人民政府三里屯街道办事处",
        location="某某餐饮店（三里屯路19号）",
        street_name="三里屯街道",
        inspectors=("张三",),
        photos=(PhotoRef(photos[0], "店外堆物"), PhotoRef(photos[1], "便道")),
        contact="赵某 010-12345678",
    )


def test_rectification_notice(tmp_path: Path, photos: list[Path]) -> None:
    pdf = tmp_path / "notice.pdf"
    rectification_notice_pdf(notice_document(photos), pdf, created=CREATED)
    assert_fonts_embedded(pdf)
    assert pdf_pages(pdf) == 1
    text = flat(pdf_text(pdf))
    for expected in (
        "隐患整改通知书",
        f"台账编号：{LEDGER_NUMBER}",
        "北京市朝阳区某某餐饮店：",
        "王某13800000000",
        "店外乱堆纸箱杂物，占用便道约3平方米",
        "清理堆物，规范店外经营秩序",
        "2026年3月10日前（含当日）",
        "一般隐患",
        "问题照片（2张）",
        "北京市朝阳区人民政府三里屯街道办事处",
        "2026年3月2日",  # issued: the creation day in Beijing
        "检查人：",
        "责任单位签收：",
        "日期：",
    ):
        assert expected in text, expected
    assert "整改资金" not in text  # a general hazard needs no 五落实 funds line
    decoded_by_reencoding(pdf, tmp_path / "qr", LEDGER_NUMBER)
    assert_renders(pdf, tmp_path / "png", 1)


def test_a_notice_with_a_unit_link_holds_the_link_in_its_qr_code(tmp_path: Path, photos: list[Path]) -> None:
    link = "https://xuncha.example.gov.cn/u/Xb3q9v2LrT0aYk5mW8sPq1dZ4eFh7JcN"
    pdf = tmp_path / "notice-link.pdf"
    rectification_notice_pdf(replace(notice_document(photos), unit_link=link), pdf, created=CREATED)
    assert "扫码签收、反馈整改" in flat(pdf_text(pdf))
    decoded_by_reencoding(pdf, tmp_path / "qr", link)


def test_notice_of_a_major_hazard_shows_funds_and_plan(tmp_path: Path, photos: list[Path]) -> None:
    stream = io.BytesIO()
    rectification_notice_pdf(notice_document(photos, "major"), stream, created=CREATED)
    pdf = tmp_path / "major.pdf"
    pdf.write_bytes(stream.getvalue())
    text = flat(pdf_text(pdf))
    assert "重大隐患" in text and "财政专项5万元" in text and "设置围挡，专人看护" in text


def test_a_notice_needs_a_numbered_assigned_finding(tmp_path: Path) -> None:
    registered = history_to(State.REGISTERED, "r").finding
    with pytest.raises(ReportError, match="整改措施 measures"):
        rectification_notice_pdf(NoticeDocument(registered, issuer="街道"), tmp_path / "n.pdf")
    reported = history_to(State.REPORTED, "p").finding
    with pytest.raises(ReportError, match="not on the ledger"):
        rectification_notice_pdf(NoticeDocument(reported, issuer="街道"), tmp_path / "n.pdf")
    assigned = history_to(State.ASSIGNED, "a").finding
    with pytest.raises(ReportError, match="issuer"):
        rectification_notice_pdf(NoticeDocument(assigned, issuer=""), tmp_path / "n.pdf")
    assert not (tmp_path / "n.pdf").exists()


# --------------------------------------------------------------------------------------------------------------
# 责任公示牌
# --------------------------------------------------------------------------------------------------------------

UNIT_CODE = "MQ-110105001-000123"


def board() -> SignboardDocument:
    return SignboardDocument(
        unit_name="北京市朝阳区某某餐饮有限公司三里屯店",
        unit_code=UNIT_CODE,
        responsible_person="王某",
        responsible_phone="13800000000",
        street_name="三里屯街道",
        address="朝阳区三里屯路19号院1号楼底商",
        zone="东至19号院东墙，西至相邻商户分界，南至道牙，北至房基线",
        street_phone="010-64160000",
        community_contact="北三里屯社区 赵某 010-64000000",
    )


@pytest.mark.parametrize("page", ["A4", "A3"])
def test_signboard(tmp_path: Path, page: str) -> None:
    pdf = tmp_path / f"board-{page}.pdf"
    signboard_pdf(board(), pdf, page=page, created=CREATED)
    assert_fonts_embedded(pdf)
    assert pdf_pages(pdf) == 1
    text = flat(pdf_text(pdf))
    for expected in (
        "门前三包责任公示牌",
        "北京市朝阳区某某餐饮有限公司三里屯店",
        "王某13800000000",
        f"一户一码{UNIT_CODE}",
        *(duty for duty, _ in DUTIES),
        "包卫生干净",
        "包容貌整洁",
        "包环境有序",
        "监督电话：市民服务热线12345",
        "三里屯街道010-64160000",
        "北三里屯社区赵某010-64000000",
    ):
        assert expected in text, expected
    decoded_by_reencoding(pdf, tmp_path / "qr", UNIT_CODE)
    if page == "A4":
        assert_renders(pdf, tmp_path / "png", 1)


def test_a_long_name_and_range_still_fit_one_page_and_an_endless_one_is_refused(tmp_path: Path) -> None:
    long = replace(
        board(),
        unit_name="北京市朝阳区某某某某某某餐饮管理有限责任公司三里屯太古里南区第一分店",
        zone="东至19号院东墙外侧绿化带边缘，西至西侧相邻商户分界线，南至道牙石外沿，北至房基线及二层外立面和屋顶天际线",
    )
    signboard_pdf(long, tmp_path / "long.pdf")
    assert pdf_pages(tmp_path / "long.pdf") == 1
    assert long.unit_name in flat(pdf_text(tmp_path / "long.pdf"))
    with pytest.raises(ReportError, match="does not fit one page"):
        signboard_pdf(replace(long, zone="范围" * 1000), tmp_path / "endless.pdf")
    assert not (tmp_path / "endless.pdf").exists()


def test_signboard_refuses_missing_fields_and_paper(tmp_path: Path) -> None:
    blank = SignboardDocument(unit_name="店", unit_code=" ", responsible_person="", street_name="街道")
    with pytest.raises(ReportError, match="单位编码 unit_code、责任人 responsible_person"):
        signboard_pdf(blank, tmp_path / "b.pdf")
    with pytest.raises(ReportError, match="unsupported page size"):
        signboard_pdf(board(), tmp_path / "b.pdf", page="A5")
