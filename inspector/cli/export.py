"""`inspector export ledger|notice|record|signboard --out PATH [ID]`: the documents the app writes, written by the
same functions (`inspector.exports`), for admins and scripted checks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from inspector.paths import resolve_data_dir
from inspector.reports.errors import ReportError
from inspector.store.errors import StoreError

if TYPE_CHECKING:
    from sqlite_utils import Database

KINDS = {
    "ledger": "the ledger workbook (.xlsx: 问题台账, 隐患排查治理台账, 汇总) of every finding",
    "notice": "the 整改通知书 (.pdf) of a finding: its id or ledger number",
    "record": "the 检查记录 (.pdf) of an inspection: its id, or the id or ledger number of a finding from it",
    "signboard": "the 门前三包责任公示牌 (.pdf) of a street-front unit: its subject id or code",
}


class NotFoundError(Exception):
    """The id names nothing on this laptop."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `export` command."""
    helps = "; ".join(f"{kind}: {text}" for kind, text in KINDS.items())
    export = subparsers.add_parser("export", help="write a document as the app writes it", description=helps)
    export.add_argument("kind", choices=sorted(KINDS), help="which document")
    export.add_argument("id", nargs="?", default="", help="the finding, inspection or subject it is about")
    export.add_argument("--out", required=True, type=Path, metavar="PATH", help="the file to write")
    export.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    """Write the document; one clear line on stderr and exit 1 when it cannot be written."""
    from inspector import exports
    from inspector.store.database import open_data_folder
    from inspector.store.ledger_queries import LedgerQuery, LedgerSort

    try:
        folder = open_data_folder(resolve_data_dir(args.data_dir))
        target = args.out.expanduser().resolve()
        if args.kind == "ledger":
            done = exports.export_ledger(folder, LedgerQuery(), LedgerSort(), target, "全部 all")
        else:
            if not args.id:
                raise NotFoundError(f"请给出{_what(args.kind)} / {args.kind} needs an id")
            db = folder.connect()
            try:
                record_id = _resolve(db, args.kind, args.id)
            finally:
                db.close()
            write = {"notice": exports.export_notice, "record": exports.export_inspection,
                     "signboard": exports.export_signboard}[args.kind]  # fmt: skip
            done = write(folder, record_id, target)
    except (StoreError, ReportError, NotFoundError, OSError) as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 1
    rows = f" ({done.rows} rows, {done.overdue} overdue)" if args.kind == "ledger" else ""
    print(f"已导出 / written: {done.path}{rows}")
    return 0


def _what(kind: str) -> str:
    return {"notice": "隐患编号或台账编号", "record": "检查记录编号或隐患编号", "signboard": "检查对象编号或编码"}[kind]


def _resolve(db: Database, kind: str, text: str) -> str:
    """The record the id names: a finding by id or ledger number, an inspection by id (or a finding's), a subject
    by id or code."""
    from inspector.store import lookup

    finder = {"notice": lookup.finding_id, "record": lookup.inspection_id, "signboard": lookup.subject_id}[kind]
    found = finder(db, text)
    if found is None:
        raise NotFoundError(f"本机没有{_what(kind)}为 {text} 的记录 / no record {text!r} on this laptop")
    return found
