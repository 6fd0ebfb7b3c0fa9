"""`inspector import-12345 FILE` and `inspector export-12345`: 12345 work orders in from the hotline platform's sheet,
their handling status back out (docs/hotline.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from inspector.core.errors import UserError
from inspector.paths import resolve_data_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `import-12345` and `export-12345` commands."""
    importer = subparsers.add_parser(
        "import-12345", help="import 12345 work orders from an .xlsx or .csv sheet (each new order becomes a case)"
    )
    importer.add_argument("file", type=Path, metavar="FILE", help="the sheet (the template's layout, or a mapped one)")
    importer.add_argument("--jurisdiction", metavar="CODE", help="the 街乡 or grid of rows that name no 街乡")
    importer.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=HEADER",
        help="which column holds a field (e.g. order_number=受理编号); remembered for this file layout",
    )
    importer.add_argument("--dry-run", action="store_true", help="check every row and say what would be imported")
    importer.set_defaults(handler=run_import)
    exporter = subparsers.add_parser("export-12345", help="write the handling status of the work orders as .xlsx")
    exporter.add_argument("--out", required=True, type=Path, metavar="FILE", help="the workbook to write")
    exporter.set_defaults(handler=run_export)
    callback = subparsers.add_parser("callback-12345", help="record the caller's verdict from the callback (回访)")
    callback.add_argument("order_number", metavar="NUMBER", help="the work-order number")
    callback.add_argument("verdict", choices=["satisfied", "basically_satisfied", "dissatisfied"])
    callback.set_defaults(handler=run_callback)
    template = subparsers.add_parser("template-12345", help="write the 12345 import template (.xlsx)")
    template.add_argument("--out", required=True, type=Path, metavar="FILE")
    template.set_defaults(handler=run_template)


def run_import(args: argparse.Namespace) -> int:
    """Read, map, check and import; every bad row on stderr with its number; nothing imported if any is bad."""
    from inspector.core import hotline as rules
    from inspector.reports.hotline_sheet import headers_of, read_table
    from inspector.store import hotline
    from inspector.store.database import open_data_folder

    folder = open_data_folder(resolve_data_dir(args.data_dir))
    db = folder.connect()
    try:
        table = read_table(args.file)
        headers = headers_of(table)
        mapping = hotline.mapping_for(db, headers)
        for item in args.map:
            key, _, header = item.partition("=")
            if key not in rules.FIELD_KEYS or header not in headers:
                print(f"错误 / error: --map {item}: unknown field or no column {header!r}", file=sys.stderr)
                return 2
            mapping[key] = headers.index(header)
        orders, problems = hotline.read_orders(db, table, mapping, args.jurisdiction)
        if args.map and not problems:
            hotline.remember_mapping(db, headers, mapping)
        for problem in problems:
            print(problem.text(), file=sys.stderr)
        if args.dry_run:
            held, bad = len(hotline.known_numbers(db, orders)), len({problem.row for problem in problems})
            print(f"{len(orders)} 个工单可导入（其中 {held} 个已有），{bad} 行有误 / "
                  f"{len(orders)} orders readable ({held} already here), {bad} bad rows")  # fmt: skip
            return 1 if problems else 0
        result = hotline.import_orders(db, orders, problems, args.file.name, source=rules.SOURCE_12345)
    except UserError as error:
        print(f"错误 / error: {error}", file=sys.stderr)
        return 1
    finally:
        db.close()
    print(f"已导入 {len(result.created)} 个工单，{len(result.already)} 个已存在未重复导入 / "
          f"imported {len(result.created)} work orders, {len(result.already)} already here")  # fmt: skip
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Write the status workbook."""
    from inspector.reports.hotline_sheet import write_status
    from inspector.store import hotline
    from inspector.store.database import open_data_folder

    db = open_data_folder(resolve_data_dir(args.data_dir)).connect()
    try:
        count = write_status(args.out, hotline.status_rows(db))
    except UserError as error:
        print(f"错误 / error: {error}", file=sys.stderr)
        return 1
    finally:
        db.close()
    print(f"已写入 {count} 个工单的办理情况 / wrote the status of {count} work orders to {args.out}")
    return 0


def run_template(args: argparse.Namespace) -> int:
    """Write the import template."""
    from inspector.reports.hotline_sheet import write_template

    print(f"模板已写入 / template written: {write_template(args.out)}")
    return 0


def run_callback(args: argparse.Namespace) -> int:
    """Keep the callback's verdict for one work order."""
    from inspector.store import hotline
    from inspector.store.database import open_data_folder

    db = open_data_folder(resolve_data_dir(args.data_dir)).connect()
    try:
        found = [order for order in hotline.orders(db) if order.order_number == args.order_number]
        if len(found) != 1:
            print(f"错误 / error: 没有唯一的工单 {args.order_number} / no single work order {args.order_number}",
                  file=sys.stderr)  # fmt: skip
            return 1
        hotline.record_callback(db, found[0].finding_id, args.verdict)
    finally:
        db.close()
    print(f"已记录回访 / callback recorded: {args.order_number} {args.verdict}")
    return 0
