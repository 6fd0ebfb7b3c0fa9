"""`inspector-server ledger export`: the district's ledgers (问题台账, 隐患排查治理台账) as an .xlsx workbook, scoped by
jurisdiction and dates, read back cell by cell (on SQLite and on PostgreSQL), and the same rows as a laptop that synced
with the server exports."""

from __future__ import annotations

import re
import sys
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from server_support import (
    JW,
    PASSWORD,
    SLT,
    SLT_COMMUNITY,
    Api,
    ServerEnv,
    accept,
    applied_result,
    assign,
    change,
    checklist_items,
    command,
    report,
    subject_create,
    upload,
)

from inspector.core.clock import local_date, now_iso, utc_now
from inspector.core.ids import new_id
from inspector.exports import export_ledger
from inspector.reports.ledger_xlsx import has_hex_id
from inspector.server.cli import main
from inspector.store import checklists
from inspector.store.database import open_data_folder
from inspector.store.ledger_queries import LedgerQuery, LedgerSort
from inspector.sync.engine import SyncEngine, login

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "tests" / "e2e"))
from keyring_doubles import memory_keyring_installed  # noqa: E402


def _export(env: ServerEnv, capsys: pytest.CaptureFixture[str], out: Path, *options: str) -> tuple[int, str, str]:
    code = main(["--database-url", env.settings.effective_database_url, "ledger", "export", "--format", "xlsx",
                 *options, "--out", str(out)])  # fmt: skip
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _rows(path: Path, sheet_name: str | None = None) -> list[dict[str, object]]:
    """The ledger sheets (or one of them) as one dict per finding, keyed by the Chinese column headers."""
    workbook = load_workbook(path)
    found = []
    for name in [sheet_name] if sheet_name else ["问题台账", "隐患排查治理台账"]:
        header, *body = list(workbook[name].iter_rows(min_row=3, values_only=True))
        found += [dict(zip(header, values, strict=True)) for values in body]
    return found


def _close(inspector: Api, supervisor: Api, finding_id: str) -> str:
    """Accept, assign, rectify (with an after-photo) and verify one finding; returns its ledger number."""
    accepted = applied_result(supervisor.push(accept(finding_id)))
    supervisor.push(assign(finding_id))
    photo = upload(inspector, b"after photo of the cleared pavement")
    applied_result(inspector.push(command(finding_id, "rectify", {"description": "已清理", "after_photos": [photo]},
                                          "assigned")))  # fmt: skip
    applied_result(supervisor.push(command(finding_id, "verify_pass", {"opinion": "整改到位，同意销账"}, "rectified")))
    return str(accepted["finding"]["ledger_number"])


def test_export_scoped_by_jurisdiction_and_dates(
    env: ServerEnv, api: Api, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inspector, supervisor, other = api.login("slt-ins"), api.login("slt-sup"), api.login("jw-ins")
    unit = subject_create(SLT_COMMUNITY, code="CY-SLT-0009")
    applied_result(inspector.push(unit))
    subject_id = unit["payload"]["subject_id"]
    closed, waiting = report(subject_id=subject_id), report()
    inspector.push(closed, waiting)
    other.push(report(JW))
    number = _close(inspector, supervisor, closed["payload"]["finding_id"])

    out = tmp_path / "slt.xlsx"
    code, printed, _ = _export(env, capsys, out, "--jurisdiction", SLT[:9])
    assert code == 0 and "2 findings (0 overdue; 问题 0，隐患 2)" in printed  # the reports say hazard
    rows = _rows(out)
    assert len(rows) == 2
    by_number = {row["台账编号"]: row for row in rows}
    assert set(by_number) == {number, "待编号"}
    done = by_number[number]
    assert done["状态"] == "已销账" and done["所属街乡"] == "三里屯街道"
    assert done["发现人"] == "slt-ins" and done["整改反馈人"] == "slt-ins"  # display names (the test users' are
    assert done["整改责任人"] == "李四"  # the unit's responsible person      # their user names)
    assert done["复查验收人"] == "slt-sup" and done["验收意见"] == "整改到位，同意销账"  # a hazard's words
    assert done["检查对象"] == "某某餐厅" and done["位置"] == "三里屯路19号" and done["责任单位"] == "某某餐厅"
    assert done["整改后照片"] == "1张" and done["网格编码"] == SLT_COMMUNITY
    assert by_number["待编号"]["状态"] == "待受理" and by_number["待编号"]["位置"] == "三里屯路19号"
    summary = load_workbook(out)["汇总"]
    assert any("三里屯街道" in str(cell) for row in summary.iter_rows(values_only=True) for cell in row if cell)

    everything = tmp_path / "all.xlsx"
    assert _export(env, capsys, everything)[0] == 0
    assert len(_rows(everything)) == 3

    today = local_date(utc_now())
    dated = tmp_path / "today.xlsx"
    assert _export(env, capsys, dated, "--from", today.isoformat(), "--to", today.isoformat())[0] == 0
    assert len(_rows(dated)) == 3
    later = tmp_path / "tomorrow.xlsx"
    code, printed, _ = _export(env, capsys, later, "--from", (today + timedelta(days=1)).isoformat())
    assert code == 0 and "0 findings" in printed and _rows(later) == []


def test_bad_input_is_refused_in_one_line(env: ServerEnv, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _export(env, capsys, tmp_path / "x.xlsx", "--jurisdiction", "12345")
    assert code == 1 and err.startswith("inspector-server: ") and "12345" in err
    code, _, err = _export(env, capsys, tmp_path / "x.xlsx", "--from", "2026-03-02", "--to", "2026-03-01")
    assert code == 1 and "after the end date" in err
    code, _, err = _export(env, capsys, tmp_path / "no-such-folder" / "x.xlsx")
    assert code == 1 and "Traceback" not in err and err.count("\n") == 1
    with pytest.raises(SystemExit) as exited:
        _export(env, capsys, tmp_path / "x.xlsx", "--from", "2026-13-01")
    assert exited.value.code == 2 and "is not a date YYYY-MM-DD" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


def _inspection_of(api: Api, checklist_id: str, subject_id: str) -> tuple[dict[str, Any], str]:
    """An inspection.submit of a shipped checklist with its first item failed; returns the change and that item."""
    version, items = checklist_items(api, checklist_id)
    responses: dict[str, Any] = {item_id: {"result": "pass"} for item_id in items}
    responses[items[0]] = {"result": "fail", "occurrences": 1, "photos": [], "note": "不合格"}
    payload = {
        "inspection_id": new_id(),
        "checklist_id": checklist_id,
        "checklist_version": version,
        "subject_id": subject_id,
        "jurisdiction": SLT_COMMUNITY,
        "started_at": now_iso(),
        "finished_at": now_iso(),
        "responses": responses,
        "photos": [],
        "score": 0.0,
        "outcome": "不合格",
    }
    return change("inspection.submit", payload), items[0]  # fmt: skip


def _cases(inspector: Api, supervisor: Api) -> dict[str, str]:
    """A closed 十无 problem and an assigned "1+10" gas hazard, each from an inspection; returns their numbers."""
    unit = subject_create(SLT_COMMUNITY, code="CY-SLT-0010")
    applied_result(inspector.push(unit))
    subject_id = unit["payload"]["subject_id"]
    numbers = {}
    for name, checklist_id in (("problem", "beijie-xiaoxiang"), ("hazard", "anquan-ranqi")):
        submitted, item_id = _inspection_of(inspector, checklist_id, subject_id)
        applied_result(inspector.push(submitted))
        found = report(
            subject_id=subject_id, inspection_id=submitted["payload"]["inspection_id"], item_id=item_id, kind=name
        )
        applied_result(inspector.push(found))
        finding_id = found["payload"]["finding_id"]
        if name == "problem":
            numbers[name] = _close(inspector, supervisor, finding_id)
        else:
            numbers[name] = str(applied_result(supervisor.push(accept(finding_id)))["finding"]["ledger_number"])
            applied_result(supervisor.push(assign(finding_id)))
    return numbers


def test_the_two_ledgers_with_their_basis_and_as_separate_files(
    env: ServerEnv, api: Api, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    numbers = _cases(api.login("slt-ins"), api.login("slt-sup"))
    out = tmp_path / "ledger.xlsx"
    code, printed, _ = _export(env, capsys, out, "--jurisdiction", SLT[:9], "--maker", "王五")
    assert code == 0 and "问题 1，隐患 1" in printed
    (problem,) = _rows(out, "问题台账")
    (hazard,) = _rows(out, "隐患排查治理台账")
    assert (problem["台账编号"], hazard["台账编号"]) == (numbers["problem"], numbers["hazard"])
    assert problem["专项/领域"] == "背街小巷环境精细化治理检查表"
    assert hazard["“1+10”领域"] == "燃气安全隐患检查清单" and re.match(r"AQ-RQ-\d\d ", str(hazard["检查依据"]))
    assert (hazard["隐患等级"], hazard["状态"], hazard["整改责任人"]) == ("一般隐患", "整改中", "李四")
    sheet = load_workbook(out)["隐患排查治理台账"]
    assert [cell.value for cell in sheet[2] if cell.value][:2] == ["填报单位：三里屯街道", "制表人：王五"]
    assert sheet.print_title_rows == "$3:$3" and sheet.page_setup.fitToWidth == 1

    apart = tmp_path / "apart.xlsx"
    code, printed, _ = _export(env, capsys, apart, "--jurisdiction", SLT[:9], "--separate")
    assert code == 0 and not apart.exists()
    problems, hazards = tmp_path / "apart-问题台账.xlsx", tmp_path / "apart-隐患排查治理台账.xlsx"
    assert f"written to {problems}" in printed and f"written to {hazards}" in printed
    assert load_workbook(problems).sheetnames == ["问题台账", "汇总"]
    assert [row["台账编号"] for row in _rows(hazards, "隐患排查治理台账")] == [numbers["hazard"]]


def test_a_laptop_that_synced_exports_the_rows_the_server_exports(
    env: ServerEnv, api: Api, live: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _cases(api.login("slt-ins"), api.login("slt-sup"))
    server_out = tmp_path / "server.xlsx"
    assert _export(env, capsys, server_out, "--jurisdiction", SLT[:9])[0] == 0

    with memory_keyring_installed():
        folder = open_data_folder(tmp_path / "laptop")
        db = folder.connect()
        try:
            checklists.cache_shipped(db, REPO_ROOT / "checklists")
        finally:
            db.close()
        login(folder, live, "slt-sup", PASSWORD)
        summary = SyncEngine(folder).run_cycle()
        assert summary.error is None, summary.error
    laptop_out = tmp_path / "laptop.xlsx"
    export_ledger(folder, LedgerQuery(), LedgerSort(), laptop_out, "全部")

    for sheet in ("问题台账", "隐患排查治理台账"):
        on_server = {row["台账编号"]: row for row in _rows(server_out, sheet)}
        on_laptop = {row["台账编号"]: row for row in _rows(laptop_out, sheet)}
        assert set(on_server) == set(on_laptop) and len(on_server) == 1
        for number, row in on_server.items():  # every cell, the people too (the laptop's name directory)
            assert on_laptop[number] == row
        assert next(iter(on_server.values()))["发现人"] == "slt-ins"
    for path in (server_out, laptop_out):
        with zipfile.ZipFile(path) as package:
            assert not has_hex_id("".join(package.read(name).decode("utf-8") for name in package.namelist()))
