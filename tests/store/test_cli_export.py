"""`inspector export`: the same documents the app writes, from the command line, on a seeded data folder — names
and places in them, never a 32-hex-digit id; a clear error for an unknown id."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from inspector import exports
from inspector.__main__ import main
from inspector.store import findings
from inspector.store.database import DataFolder, open_data_folder
from inspector.store.ledger_queries import LedgerQuery, LedgerSort
from inspector.store.seed import DEMO_NAMES, seed_demo_data

HEX_ID = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")


def pdf_text(pdf: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run([tool, str(pdf), "-"], capture_output=True, check=True).stdout.decode("utf-8")
    return re.sub(r"生成于[^（]*（北京时间）", "", re.sub(r"\s+", "", text))  # the generation time differs


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> DataFolder:
    folder = open_data_folder(tmp_path_factory.mktemp("seeded") / "data")
    seed_demo_data(folder, inspections=8, photos=3, random_seed=11)
    return folder


def assigned_finding(folder: DataFolder) -> findings.LocalFinding:
    db = folder.connect()
    try:
        listed = findings.list_findings(db, limit=500)
    finally:
        db.close()
    return next(f for f in listed if f.view.state.value == "assigned" and f.inspection_id and f.view.subject_id)


def test_notice_record_and_signboard_match_the_apps(seeded: DataFolder, tmp_path: Path) -> None:
    finding = assigned_finding(seeded)
    number = finding.view.ledger_number
    assert number
    root = str(seeded.root)
    cases = [
        ("notice", number, lambda out: exports.export_notice(seeded, finding.id, out)),
        ("record", finding.id, lambda out: exports.export_inspection(seeded, finding.inspection_id or "", out)),
        ("signboard", "", lambda out: exports.export_signboard(seeded, finding.view.subject_id or "", out)),
    ]
    for kind, record, app_export in cases:
        by_cli, by_app = tmp_path / f"{kind}-cli.pdf", tmp_path / f"{kind}-app.pdf"
        argument = record or (finding.view.subject_id or "")
        assert main(["--data-dir", root, "export", kind, argument, "--out", str(by_cli)]) == 0
        app_export(by_app)
        cli_text = pdf_text(by_cli)
        assert cli_text == pdf_text(by_app), kind
        assert not HEX_ID.search(cli_text), (kind, HEX_ID.search(cli_text))
    notice = pdf_text(tmp_path / "notice-cli.pdf")
    assert DEMO_NAMES["demo-slt-inspector"] in notice and "三里屯隐改〔" in notice
    assert DEMO_NAMES["demo-slt-inspector"] in pdf_text(tmp_path / "record-cli.pdf")


def test_the_ledger_is_the_apps_workbook(seeded: DataFolder, tmp_path: Path) -> None:
    by_cli, by_app = tmp_path / "cli.xlsx", tmp_path / "app.xlsx"
    assert main(["--data-dir", str(seeded.root), "export", "ledger", "--out", str(by_cli)]) == 0
    exports.export_ledger(seeded, LedgerQuery(), LedgerSort(), by_app, "全部 all")

    def cells(path: Path) -> list[list[object]]:
        sheet = load_workbook(path, read_only=True).worksheets[0]
        return [[cell for cell in row if not isinstance(cell, str) or "生成" not in cell]
                for row in sheet.iter_rows(values_only=True)]  # fmt: skip

    assert cells(by_cli) == cells(by_app)
    text = " ".join(str(cell) for row in cells(by_cli) for cell in row if cell is not None)
    assert DEMO_NAMES["demo-slt-inspector"] in text


def test_an_unknown_id_is_one_clear_line(seeded: DataFolder, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "n.pdf"
    assert main(["--data-dir", str(seeded.root), "export", "notice", "朝阳-无此-2026-99999", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "朝阳-无此-2026-99999" in err and "Traceback" not in err and not out.exists()
    assert main(["--data-dir", str(seeded.root), "export", "signboard", "--out", str(out)]) == 1
    assert "needs an id" in capsys.readouterr().err
