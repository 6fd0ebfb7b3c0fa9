"""`inspector month-report --month YYYY-MM --out DIR [--jurisdiction CODE]`: the month's documents (月检查, 月曝光,
月排名通报 PDF and xlsx) written by the same functions as the statistics page (`inspector.month_report`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from inspector.paths import resolve_data_dir
from inspector.reports.errors import ReportError
from inspector.store.errors import StoreError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `month-report` command."""
    command = subparsers.add_parser(
        "month-report",
        help="write the month's documents (月检查, 月曝光, 月排名通报)",
        description="Writes <month>-月检查.pdf, -月曝光.pdf, -月排名通报.pdf and -月排名通报.xlsx into DIR; "
        "the exposure holds every case the rule preselects (docs/statistics.md).",
    )
    command.add_argument("--month", required=True, metavar="YYYY-MM", help="the month")
    command.add_argument("--out", required=True, type=Path, metavar="DIR", help="the folder to write into")
    command.add_argument("--jurisdiction", default="", metavar="CODE", help="only this area (default: all held here)")
    command.set_defaults(handler=run_month_report)


def run_month_report(args: argparse.Namespace) -> int:
    """Write the documents; one clear line on stderr and exit 1 when they cannot be written."""
    from inspector import month_report
    from inspector.store.database import open_data_folder

    try:
        folder = open_data_folder(resolve_data_dir(args.data_dir))
        out = args.out.expanduser().resolve()
        if not out.is_dir():
            raise ReportError(f"输出文件夹不存在：{out}", f"the output folder does not exist: {out}")
        report = month_report.load_month(folder, args.month, args.jurisdiction)
        written = month_report.write_all(report, out)
    except ValueError as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 2
    except (StoreError, ReportError, OSError) as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"已导出 / written: {path}")
    return 0
