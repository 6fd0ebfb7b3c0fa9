"""Export synthetic ledgers to .xlsx and print rows per second and peak memory beside the limit (≥ 10,000 rows/s).

Usage: .venv/bin/python bench/xlsx_export.py [ROWS ...]   (default: 10000 100000)
       .venv/bin/python bench/xlsx_export.py --no-compare   (only the project's writer)

Each size runs in a fresh process. The rows are made before the clock starts (the bench times the writer, not the
synthetic data) and handed over one at a time; the peak memory is the growth of that process's peak resident set
during the export. rows/s is given for wall-clock and for CPU time (steadier on a busy machine); the limit is judged on
CPU time. For comparison, 10,000 rows are also written (same
cells, same styles: borders, wrap, date formats) with openpyxl's write-only mode and, when it is installed, with
XlsxWriter's constant_memory mode, and with the writer this project used before (openpyxl write-only, 32 columns, no
borders), read from git history.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from inspector.core.ledger import EscalationLevel, FindingState, Severity, State
from inspector.reports.ledger_xlsx import HAZARD, PROBLEM, LedgerRow, cell_values, columns_of, export_ledger_xlsx

LIMIT = 10_000  # rows per second
OLD_WRITER_COMMIT = "1bd0600"  # the last commit with the openpyxl write-only ledger
STREETS = [(f"110105{n:03d}", f"第{n}街道") for n in range(1, 11)]
CATEGORIES = ["私搭乱建", "乱停车", "乱占道经营", "垃圾堆物", "外立面破损", "违规广告牌匾", "燃气安全", "有限空间"]
NOW = datetime(2026, 6, 30, 4, 0, tzinfo=UTC)


def synthetic_finding(n: int, rng: random.Random) -> tuple[FindingState, str]:
    code, street = rng.choice(STREETS)
    state = rng.choice(list(State))
    reported = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 260_000))
    assigned = state in (State.ASSIGNED, State.RECTIFIED, State.CLOSED)
    finding = FindingState(
        finding_id=f"0195f7a2-0000-7000-8000-{n:012d}",
        state=state,
        jurisdiction=f"{code}{rng.randrange(1, 20):03d}{rng.randrange(1, 30):03d}",
        severity=Severity.MAJOR if rng.random() < 0.05 else Severity.GENERAL,
        category=rng.choice(CATEGORIES),
        description="沿街商户店外堆放纸箱杂物，占用便道约三平方米，影响行人通行。" * rng.randrange(1, 4),
        subject_id=f"subject-{rng.randrange(5000)}",
        ledger_number=None if state in (State.REPORTED, State.REJECTED) else f"朝阳-{street}-2026-{n:05d}",
        deadline=(reported + timedelta(days=rng.randrange(3, 60))).date() if assigned else None,
        responsible_unit="北京市朝阳区某某餐饮有限公司" if assigned else None,
        responsible_person="王某" if assigned else None,
        responsible_phone="13800000000" if assigned else None,
        measures="清理堆物，规范店外经营秩序，落实门前三包责任" if assigned else None,
        funds=None,
        contingency_plan=None,
        rectified_by="u-insp" if state in (State.RECTIFIED, State.CLOSED) else None,
        escalation=EscalationLevel.STREET if rng.random() < 0.03 else None,
        reported_by="u-insp",
        reported_at=reported,
        closed_at=reported + timedelta(days=rng.randrange(1, 40)) if state == State.CLOSED else None,
        photos=tuple(f"{n:060x}{k:04x}" for k in range(rng.randrange(0, 4))),
        after_photos=(),
        event_count=3,
        last_event_id=f"e{n}",
    )
    return finding, street


def synthetic_rows(count: int, seed: int = 7) -> Iterator[LedgerRow]:
    """`count` varied cases, a third of them "1+10" hazards: every state, some escalated, long descriptions."""
    rng = random.Random(seed)
    for n in range(count):
        finding, street = synthetic_finding(n, rng)
        hazard = n % 3 == 0
        yield LedgerRow(finding, kind=HAZARD if hazard else PROBLEM, street=street, subject=f"某某餐饮店{n % 300}号",
                        location=f"{street}某某路{n % 200}号", reporter="张三", feedback_by="李四",
                        basis="AQ-RQ-01 应当安装可燃气体报警装置" if hazard else "BJ-01 无私搭乱建",
                        area="燃气安全隐患检查清单" if hazard else "背街小巷环境精细化治理检查表")  # fmt: skip


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def _measure(job: Callable[[Path, list[LedgerRow]], None], count: int, folder: Path, queue: Any) -> None:
    rows = list(synthetic_rows(count))
    before = _peak_kib()
    started, cpu = time.perf_counter(), time.process_time()
    job(folder, rows)
    queue.put((time.perf_counter() - started, time.process_time() - cpu, (_peak_kib() - before) / 1024))


def run(job: Callable[[Path, list[LedgerRow]], None], count: int, folder: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak-memory growth (MiB) of `job` over `count` rows in a fresh process."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_measure, args=(job, count, folder, queue))
    process.start()
    process.join()
    if process.exitcode != 0:
        raise RuntimeError(f"the export failed in its process (exit code {process.exitcode})")
    return queue.get()  # type: ignore[no-any-return]


def ours(folder: Path, rows: list[LedgerRow]) -> None:
    export_ledger_xlsx(iter(rows), folder / f"ours-{len(rows)}.xlsx", now=NOW)


def same_cells(rows: list[LedgerRow]) -> Iterator[tuple[str, list[Any]]]:
    for number, row in enumerate(rows, start=1):
        yield row.kind, cell_values(row, number)


def openpyxl_write_only(folder: Path, rows: list[LedgerRow]) -> None:
        """The same cells and styles through openpyxl's write-only mode (named styles, built once)."""
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side

        book = Workbook(write_only=True)
        side = Side(style="thin")
        styles = {}
        for kind, extra in (("text", {}), ("wrap", {"alignment": Alignment(wrap_text=True, vertical="center")}),
                            ("number", {}), ("datetime", {"number_format": "yyyy-mm-dd hh:mm"}),
                            ("date", {"number_format": "yyyy-mm-dd"})):  # fmt: skip
            style = NamedStyle(kind, font=Font(size=10), border=Border(left=side, right=side, top=side, bottom=side))
            for key, value in extra.items():
                setattr(style, key, value)
            book.add_named_style(style)
            styles[kind] = kind
        sheets = {kind: book.create_sheet(kind) for kind in (PROBLEM, HAZARD)}
        kinds = {kind: [column.kind for column in columns_of(kind)] for kind in sheets}
        for kind, values in same_cells(rows):
            sheet = sheets[kind]
            cells = []
            for column_kind, value in zip(kinds[kind], values, strict=True):
                cell = WriteOnlyCell(sheet, value)
                cell.style = styles[column_kind]
                cells.append(cell)
            sheet.append(cells)
        book.save(folder / f"openpyxl-{len(rows)}.xlsx")


def xlsxwriter_constant_memory(folder: Path, rows: list[LedgerRow]) -> None:
        """The same cells and styles through XlsxWriter's constant_memory mode (formats built once)."""
        import xlsxwriter  # type: ignore[import-not-found]

        book = xlsxwriter.Workbook(str(folder / f"xlsxwriter-{len(rows)}.xlsx"), {"constant_memory": True})
        base = {"border": 1, "font_size": 10, "valign": "vcenter"}
        formats = {"text": book.add_format(base), "wrap": book.add_format({**base, "text_wrap": True}),
                   "number": book.add_format(base),
                   "datetime": book.add_format({**base, "num_format": "yyyy-mm-dd hh:mm"}),
                   "date": book.add_format({**base, "num_format": "yyyy-mm-dd"})}  # fmt: skip
        sheets = {kind: book.add_worksheet(kind) for kind in (PROBLEM, HAZARD)}
        kinds = {kind: [formats[column.kind] for column in columns_of(kind)] for kind in sheets}
        written = {PROBLEM: 0, HAZARD: 0}
        for kind, values in same_cells(rows):
            sheet, row = sheets[kind], written[kind]
            for column, (value, style) in enumerate(zip(values, kinds[kind], strict=True)):
                if value is None:
                    sheet.write_blank(row, column, None, style)
                elif isinstance(value, datetime | date):
                    sheet.write_datetime(row, column, value, style)
                else:
                    sheet.write(row, column, value, style)
            written[kind] += 1
        book.close()


class OldWriter:
    """The project's previous writer (openpyxl write-only, one sheet, 32 columns, no borders), from git history."""

    def __init__(self, module: Any) -> None:
        self.module = module

    def __call__(self, folder: Path, rows: list[LedgerRow]) -> None:
        old = [self.module.LedgerRow(row.finding, street=row.street, location=row.location, reporter="张三")
               for row in rows]  # fmt: skip
        self.module.export_ledger_xlsx(iter(old), folder / f"old-{len(rows)}.xlsx", now=NOW)


def old_writer_module(folder: Path) -> Any:
    try:
        text = subprocess.run(["git", "show", f"{OLD_WRITER_COMMIT}:inspector/reports/ledger_xlsx.py"],
                              capture_output=True, text=True, check=True).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None
    path = folder / "old_ledger_xlsx.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("old_ledger_xlsx", path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def line(name: str, count: int, figures: tuple[float, float, float], limit: bool = False) -> None:
    seconds, cpu, peak = figures
    rate, cpu_rate = count / seconds, count / cpu
    verdict = (" ok" if cpu_rate >= LIMIT else " BELOW") if limit else ""
    print(f"{name:<38} {count:>7} {seconds:>7.2f} {cpu:>7.2f} {rate:>8.0f} {cpu_rate:>9.0f} "
          f"{f'≥ {LIMIT}' if limit else '':>9}{verdict:<6} {peak:>8.1f}")  # fmt: skip


def main(argv: list[str]) -> None:
    compare = "--no-compare" not in argv
    sizes = [int(arg) for arg in argv if arg.isdigit()] or [10_000, 100_000]
    print(f"xlsx ledger export, {date.today()}, {len(columns_of(PROBLEM))}/{len(columns_of(HAZARD))} columns "
          "(问题台账/隐患排查治理台账), every cell ruled")  # fmt: skip
    print(f"{'writer':<38} {'rows':>7} {'wall s':>7} {'cpu s':>7} {'rows/s':>8} {'cpu r/s':>9} {'limit':>9}{'':<6} "
          f"{'peak MiB':>8}")  # fmt: skip
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for count in sizes:
            line("inspector streaming writer", count, run(ours, count, folder), limit=True)
        if not compare:
            return
        count = min(sizes)
        line("openpyxl write-only, same cells", count, run(openpyxl_write_only, count, folder))
        if importlib.util.find_spec("xlsxwriter") is not None:
            line("XlsxWriter constant_memory, same cells", count, run(xlsxwriter_constant_memory, count, folder))
        else:
            print("XlsxWriter constant_memory: not installed (pip install XlsxWriter to compare)")
        old = old_writer_module(folder)
        if old is not None:
            line("previous writer (32 cols, no borders)", count, run(OldWriter(old), count, folder))


if __name__ == "__main__":
    main(sys.argv[1:])
