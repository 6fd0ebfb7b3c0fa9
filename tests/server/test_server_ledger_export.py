"""`inspector-server ledger export`: the district's ledger as an .xlsx workbook, scoped by jurisdiction and dates,
read back cell by cell (on SQLite and on PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from server_support import (
    JW,
    SLT,
    SLT_COMMUNITY,
    Api,
    ServerEnv,
    accept,
    applied_result,
    assign,
    command,
    report,
    subject_create,
    upload,
)

from inspector.core.clock import local_date, utc_now
from inspector.server.cli import main


def _export(env: ServerEnv, capsys: pytest.CaptureFixture[str], out: Path, *options: str) -> tuple[int, str, str]:
    code = main(["--database-url", env.settings.effective_database_url, "ledger", "export", "--format", "xlsx",
                 *options, "--out", str(out)])  # fmt: skip
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _rows(path: Path) -> list[dict[str, object]]:
    """The ledger sheet as one dict per finding, keyed by the Chinese column headers."""
    sheet = load_workbook(path)["隐患排查治理台账"]
    header, *body = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, values, strict=True)) for values in body]


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
    assert code == 0 and "2 findings (0 overdue)" in printed
    rows = _rows(out)
    assert len(rows) == 2
    by_number = {row["台账编号"]: row for row in rows}
    assert set(by_number) == {number, "待编号"}
    done = by_number[number]
    assert done["状态"] == "已销账" and done["所属街乡"] == "三里屯街道"
    assert done["发现人"] == "slt-ins" and done["整改责任人"] == "slt-ins"
    assert done["复查/验收人"] == "slt-sup" and done["验收意见"] == "整改到位，同意销账"
    assert done["位置"] == "某某餐厅，三里屯路19号" and done["责任单位"] == "某某餐厅"
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
