"""A campaign from its site sheet to its summary: made and given its sites on the server, synced to a laptop, its sites
inspected there with cases, and summed up as PDF and xlsx by the server's command line."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from e2e_support import CHECKLIST, DISTRICT, SLT, SLT_COMMUNITY, Client, ServerProcess
from openpyxl import Workbook, load_workbook

from inspector.core.campaigns import progress
from inspector.core.clock import local_date, utc_now
from inspector.server.cli import main as server_cli
from inspector.store import campaigns, checklists, findings


def _cli(server: ServerProcess, *args: str) -> None:
    base = ["--database-url", server.env["INSPECTOR_DATABASE_URL"], "--data-dir", str(server.root)]
    assert server_cli([*base, *args]) == 0


def _sheet(path: Path, rows: list[list[str]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["点位名称", "地址", "点位类型", "所属街乡", "对象编码"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _pdf_text(pdf: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run([tool, "-layout", str(pdf), "-"], capture_output=True, check=True).stdout.decode("utf-8")


def fixed_on_site(laptop: Client, inspection_id: str, subject_id: str) -> str:
    """A general hazard fixed on the spot during an inspection (现场整改): rectified, waiting for verification."""
    with laptop.db() as db:
        item = next(item for item in checklists.get(db, *CHECKLIST).items if item.response == "pass_fail")
    photo = laptop.photo(7)
    payload = {"description": "路面结冰已铲除", "category": "积雪结冰", "kind": "hazard", "source": "patrol",
               "severity": "general", "jurisdiction": SLT_COMMUNITY, "subject_id": subject_id, "photos": [photo],
               "after_photos": [photo], "rectification": "当场铲除"}  # fmt: skip
    with laptop.db() as db:
        recorded = findings.record_command(db, action="report_fixed_on_site", actor=laptop.actor(), payload=payload,
                                           inspection_id=inspection_id, item_id=item.id)  # fmt: skip
    return recorded.event.finding_id


def test_a_campaign_from_its_sheet_to_its_summary(
    server: ServerProcess, make_client: Callable[..., Client], tmp_path: Path
) -> None:
    laptop = make_client("laptop")
    laptop.login(server.url, "ins")
    known = laptop.subject("工体北路12号")  # a subject the district already has: the sheet's row is matched to it
    laptop.sync()

    today = local_date(utc_now())
    _cli(server, "campaigns", "create", "--id", "c0ffee00-0000-4000-8000-000000000001", "--name", "冬季扫雪铲冰检查",
         "--kind", "snow", "--from", today.replace(day=1).isoformat(), "--to", f"{today.year}-12-31",
         "--checklist", CHECKLIST[0], "--jurisdiction", DISTRICT)  # fmt: skip
    campaign_id = "c0ffee00-0000-4000-8000-000000000001"
    sheet = _sheet(tmp_path / "sites.xlsx", [["工体北路12号", "", "背街小巷", "三里屯街道", ""],
                                              ["幸福二村5号楼", "幸福二村5号", "背街小巷", SLT, ""]])  # fmt: skip
    _cli(server, "campaigns", "import-sites", campaign_id, str(sheet))
    _cli(server, "campaigns", "import-sites", campaign_id, str(sheet))  # again: nothing new
    _cli(server, "campaigns", "assign", campaign_id, "ins")

    laptop.sync()
    with laptop.db() as db:
        campaign = campaigns.get(db, campaign_id)
    assert campaign is not None and campaign.inspectors == ("ins",)
    assert [site.name for site in campaign.sites] == ["工体北路12号", "幸福二村5号楼"]
    assert campaign.sites[0].subject_id == known
    made = campaign.sites[1].subject_id

    first, _case = laptop.inspection_with_finding(1, known)
    laptop.inspection_with_finding(2, made)
    fixed = fixed_on_site(laptop, first, known)
    laptop.sync()
    with laptop.db() as db:
        figures = progress(campaign, *campaigns.facts(db, campaign))
    assert (figures.total.sites, figures.total.checked, figures.total.found, figures.total.fixed) == (2, 2, 3, 0)
    supervisor = make_client("supervisor")
    supervisor.login(server.url, "sup")
    supervisor.sync()
    supervisor.command(fixed, "verify_pass", {"opinion": "整改到位"})
    supervisor.sync()

    pdf, xlsx = tmp_path / "summary.pdf", tmp_path / "summary.xlsx"
    _cli(server, "campaigns", "summary", campaign_id, "--out", str(pdf))
    _cli(server, "campaigns", "summary", campaign_id, "--out", str(xlsx))
    text = "".join(_pdf_text(pdf).split())
    assert "1个方面冬季扫雪铲冰，排查点位2个，已检查2个，发现问题隐患3个、整改1个，整改率33.3%" in text
    assert "三里屯街道" in text and "发现问题1" in text and "发现问题2" in text
    book = load_workbook(xlsx, read_only=True)
    overview = [row for row in book["总体"].iter_rows(values_only=True)]
    assert overview[0][0] == "冬季扫雪铲冰检查"
    assert "排查点位2个" in str(overview[1][0])
    streets = list(book["分街乡"].iter_rows(values_only=True))
    assert streets[1][:6] == ("三里屯街道", 2, 2, 3, 1, "33.3%")
    open_cases = list(book["未销账"].iter_rows(values_only=True))
    assert sorted(row[1] for row in open_cases[1:]) == ["工体北路12号", "幸福二村5号楼"]  # the fixed one is not open
