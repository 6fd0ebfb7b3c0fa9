"""`inspector checklists validate|list|schema`: check checklist files and show what ships."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from inspector.checklist_files import check_file, checklist_paths, load_checklist_folder
from inspector.core.checklist import Checklist
from inspector.core.checklist_schema import SCHEMA, SCHEMA_1
from inspector.paths import shipped_checklists_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `checklists` command group."""
    group = subparsers.add_parser("checklists", help="validate and list checklist files")
    commands = group.add_subparsers(dest="checklists_command", metavar="ACTION", required=True)

    validate = commands.add_parser("validate", help="check files (default: the shipped folder); exit 1 on any error")
    validate.add_argument("paths", nargs="*", type=Path, help="files or folders")
    validate.set_defaults(handler=run_validate)

    listing = commands.add_parser("list", help="the shipped checklists with item and provenance counts")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.add_argument("--dir", type=Path, help="another folder of checklist files")
    listing.set_defaults(handler=run_list)

    schema = commands.add_parser("schema", help="print the JSON Schema of the file format")
    schema.add_argument("--format-version", type=int, choices=(1, 2), default=2, help="the older format 1, or 2")
    schema.set_defaults(handler=lambda args: sys.stdout.write(schema_json(args.format_version)) and 0)


def schema_json(version: int = 2) -> str:
    """The JSON Schema of a format version as shipped in checklists/schema/."""
    return json.dumps(SCHEMA if version == 2 else SCHEMA_1, ensure_ascii=False, indent=2) + "\n"


def status_counts_text(counts: dict[str, int]) -> str:
    """`current_rule 3, news_summary 2, reconstructed 5`: the statuses that have items, in the schema's order."""
    return ", ".join(f"{status} {count}" for status, count in counts.items() if count) or "no items"


def _expand(paths: list[Path]) -> tuple[list[Path], list[str]]:
    files: list[Path] = []
    missing: list[str] = []
    for path in paths or [shipped_checklists_dir()]:
        if path.is_dir():
            found = checklist_paths(path)
            files.extend(found)
            if not found:
                missing.append(f"{path}: no checklist files (*.yaml) in this folder")
        elif path.is_file():
            files.append(path)
        else:
            missing.append(f"{path}: no such file or folder")
    return files, missing


def run_validate(args: argparse.Namespace) -> int:
    """Validate files; print every problem as file:line: message."""
    files, problems = _expand(args.paths)
    valid = 0
    for path in files:
        file_problems = check_file(path)
        problems.extend(file_problems)
        valid += not file_problems
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{valid} of {len(files)} checklist file(s) valid, {len(problems)} problem(s)")
    return 1 if problems or not files else 0


def summary(checklist: Checklist) -> dict[str, Any]:
    """The facts `list` shows for one checklist."""
    return {
        "id": checklist.id,
        "version": checklist.version,
        "title": checklist.title,
        "group": checklist.group,
        "subject_kinds": list(checklist.subject_kinds),
        "scoring": checklist.scoring.method,
        "sections": len(checklist.sections),
        "items": len(checklist.items),
        "provenance": checklist.provenance_counts(),
    }


def run_list(args: argparse.Namespace) -> int:
    """Print the checklists of a folder."""
    checklists, problems = load_checklist_folder(args.dir or shipped_checklists_dir())
    for problem in problems:
        print(problem, file=sys.stderr)
    rows = [summary(c) for c in checklists]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            print(
                f"{row['id']}@{row['version']}  {row['title']}  {row['sections']} sections, {row['items']} items "
                f"({status_counts_text(row['provenance'])})"
            )
        if len(rows) > 1:
            totals: dict[str, int] = {}
            for row in rows:
                for status, count in row["provenance"].items():
                    totals[status] = totals.get(status, 0) + count
            print(f"total: {sum(row['items'] for row in rows)} items ({status_counts_text(totals)})")
    return 1 if problems else 0
