"""Campaigns on the server: made and given sites from a sheet (matched, created, again without change), refused whole
with every bad row named, seen in the feed by a 街乡's inspector, and summed up from pushed inspections and cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from server_support import DISTRICT, SLT, SLT_COMMUNITY, Api, ServerEnv, inspection, report, subject_create
from sqlalchemy import func, select

from inspector.core.campaigns import CampaignSheetError
from inspector.core.ids import new_id
from inspector.server import campaigns
from inspector.server.cli import main
from inspector.server.models import CampaignSite, Subject

CAMPAIGN = "c0ffee00-0000-4000-8000-0000000000aa"


def cli(env: ServerEnv, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(
        ["--database-url", env.settings.effective_database_url, "--data-dir", str(env.tmp_path / "data"), *args]
    )
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def sheet(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    page = book.active
    assert page is not None
    page.append(["点位名称", "地址", "点位类型", "所属街乡", "对象编码"])
    for row in rows:
        page.append(row)
    book.save(path)
    return path


def make_campaign(env: ServerEnv, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = cli(env, capsys, "campaigns", "create", "--id", CAMPAIGN, "--name", "背街小巷专项治理",
                         "--kind", "special", "--from", "2020-01-01", "--to", "2099-12-31",
                         "--checklist", "beijie-xiaoxiang", "--jurisdiction", DISTRICT)  # fmt: skip
    assert code == 0, err


def test_sites_are_matched_or_made_and_a_second_import_adds_nothing(
    env: ServerEnv, api: Api, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inspector = api.login("slt-ins")
    made = subject_create(code="QR-0001")
    inspector.push(made)
    existing = made["payload"]["subject_id"]  # 某某餐厅, code QR-0001, in a community of 三里屯
    make_campaign(env, capsys)
    rows: list[list[object]] = [
        ["某某餐厅", "", "沿街单位", "三里屯街道", ""],  # matched by name inside the 街乡
        ["另一个名字", "", "沿街单位", SLT, "QR-0001"],  # matched by code: the same subject once more
        ["三里屯路口", "三里屯路1号", "背街小巷", "三里屯", ""],  # made (short name of the 街乡)
    ]
    path = sheet(tmp_path / "sites.xlsx", rows)
    code, out, err = cli(env, capsys, "campaigns", "import-sites", CAMPAIGN, str(path))
    assert code == 0, err
    assert "3 rows, 2 matched, 1 subjects created, 2 added, 1 already" in out
    code, out, err = cli(env, capsys, "campaigns", "import-sites", CAMPAIGN, str(path))
    assert "3 rows, 3 matched, 0 subjects created, 0 added, 3 already" in out

    entries = [entry for entry in inspector.feed()["entries"] if entry["kind"] == "campaign"]
    assert entries[-1]["jurisdiction"] == DISTRICT  # an ancestor of the inspector's 街乡: visible
    latest = entries[-1]["data"]
    assert latest["version"] == 2 and latest["checklists"] == ["beijie-xiaoxiang"]
    assert [site["name"] for site in latest["sites"]] == ["某某餐厅", "三里屯路口"]
    assert latest["sites"][0]["subject_id"] == existing
    code, out, _err = cli(env, capsys, "campaigns", "list")
    assert f"{CAMPAIGN}\t背街小巷专项治理\t专项治理\t2020-01-01..2099-12-31\t2 sites" in out
    assert cli(env, capsys, "campaigns", "assign", CAMPAIGN, "slt-ins")[0] == 0
    assert cli(env, capsys, "campaigns", "assign", CAMPAIGN, "nobody")[0] == 1

    # a finished inspection of a site with two cases, one outside any inspection: only the first two count
    change = inspection(inspector, subject_id=existing)
    inspection_id = change["payload"]["inspection_id"]
    results = inspector.push(change, report(subject_id=existing, inspection_id=inspection_id),
                             report(subject_id=existing, inspection_id=inspection_id, severity="major"),
                             report(subject_id=existing))  # fmt: skip
    assert all(result["status"] == "applied" for result in results), results
    out_file = tmp_path / "summary.xlsx"
    code, out, err = cli(env, capsys, "campaigns", "summary", CAMPAIGN, "--out", str(out_file))
    assert code == 0, err
    assert "1/2 sites checked, 2 found, 0 fixed" in out
    book = load_workbook(out_file, read_only=True)
    assert list(book["分检查表"].iter_rows(values_only=True))[1][1:9] == (2, 1, 2, 0, "0%", 1, 1, 2)
    assert "排查点位2个，已检查1个，发现问题隐患2个" in str(list(book["总体"].iter_rows(values_only=True))[1][0])


def test_a_sheet_with_bad_rows_is_refused_whole_with_their_row_numbers(
    env: ServerEnv, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_campaign(env, capsys)
    rows: list[list[object]] = [
        ["好的点位", "", "场所", "三里屯街道", ""],  # row 2: good, yet not imported
        ["", "某地址", "场所", "三里屯街道", ""],  # row 3: no name
        ["错的类型", "", "工地", "三里屯街道", ""],  # row 4: unknown kind
        [None, None, None, None, None],  # row 5: blank, skipped
        ["不明街乡", "", "场所", "火星街道", ""],  # row 6: unknown 街乡
        ["好的点位", "", "场所", SLT_COMMUNITY[:9], ""],  # row 7: repeats row 2
    ]
    path = sheet(tmp_path / "bad.xlsx", rows)
    with env.db.read() as session:
        subjects_before = session.scalar(select(func.count()).select_from(Subject))
    code, _out, err = cli(env, capsys, "campaigns", "import-sites", CAMPAIGN, str(path))
    assert code == 1
    assert "4 bad row(s), nothing imported" in err
    for line in ("第 3 行 点位名称", "第 4 行 点位类型", "第 6 行 所属街乡", "第 7 行 点位名称：与第 2 行重复"):
        assert line in err
    with env.db.write() as session, pytest.raises(CampaignSheetError) as refused:
        campaigns.import_sites(session, CAMPAIGN, path, by="test")
    assert [problem.row for problem in refused.value.problems] == [3, 4, 6, 7]
    with env.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Subject)) == subjects_before
        assert session.scalar(select(func.count()).select_from(CampaignSite)) == 0
        assert campaigns.load(session, CAMPAIGN).version == 1
    assert cli(env, capsys, "campaigns", "import-sites", new_id(), str(path))[0] == 1  # no such campaign
    code, _out, err = cli(env, capsys, "campaigns", "create", "--name", "汛期", "--kind", "flood", "--from",
                          "2026-06-01", "--to", "2026-09-30", "--checklist", "no-such-list", "--jurisdiction", SLT)
    assert code == 1 and "no-such-list" in err  # a checklist never published
    code, _out, err = cli(env, capsys, "campaigns", "create", "--name", "汛期", "--kind", "flood", "--from",
                          "2026-09-30", "--to", "2026-06-01", "--checklist", "beijie-xiaoxiang", "--jurisdiction", SLT)
    assert code == 1 and "ends before it starts" in err
