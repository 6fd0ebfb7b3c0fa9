"""`inspector rules validate|list|schema`: check scoring-rule files and show what ships."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from inspector.core.rules import SCHEMA, RuleError, ScoringRule
from inspector.rule_files import load_rule_file, load_rule_folder, rule_paths, shipped_rules_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `rules` command group."""
    group = subparsers.add_parser("rules", help="validate and list scoring-rule files")
    commands = group.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    validate = commands.add_parser("validate", help="check rule files (default: the shipped folder); exit 1 on error")
    validate.add_argument("paths", nargs="*", type=Path, help="files or folders")
    validate.set_defaults(handler=run_validate)
    listing = commands.add_parser("list", help="the shipped rules with their parameters")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.add_argument("--dir", type=Path, help="another folder of rule files")
    listing.set_defaults(handler=run_list)
    schema = commands.add_parser("schema", help="print the JSON Schema of the rule file format")
    schema.set_defaults(handler=lambda _args: sys.stdout.write(schema_json()) and 0)


def schema_json() -> str:
    """The JSON Schema as shipped in checklists/schema/."""
    return json.dumps(SCHEMA, ensure_ascii=False, indent=2) + "\n"


def run_validate(args: argparse.Namespace) -> int:
    """Validate files; print every problem as file:line: message."""
    files: list[Path] = []
    problems: list[str] = []
    for path in args.paths or [shipped_rules_dir()]:
        if path.is_dir():
            found = rule_paths(path)
            files += found
            if not found:
                problems.append(f"{path}: no rule files (*.json) in this folder")
        elif path.is_file():
            files.append(path)
        else:
            problems.append(f"{path}: no such file or folder")
    valid = 0
    for path in files:
        try:
            load_rule_file(path)
        except RuleError as error:
            problems += [str(problem) for problem in error.problems]
            continue
        valid += 1
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{valid} of {len(files)} rule file(s) valid, {len(problems)} problem(s)")
    return 1 if problems or not files else 0


def summary(rule: ScoringRule) -> dict[str, object]:
    """The facts `list` shows for one rule."""
    rules = rule.rules
    return {
        "id": rule.id,
        "version": rule.version,
        "title": rule.title,
        "status": rule.status,
        "district": rule.district,
        "parts": rule.part_status,
        "ranking": [rules.ranking.on_time_closure, rules.ranking.overdue, rules.ranking.coverage],
        "red_black": [rules.units.red_at_least, rules.units.black_below],
        "back_streets": {
            "pass_score": rules.street_pass_score,
            "restore_months": rules.street_restore_months,
            "downgrade_levels": sorted(rules.street_downgrade_levels),
            "restore_levels": sorted(rules.street_restore_levels),
        },
        "indicators": [indicator.name for indicator in rule.indicators],
    }


def run_list(args: argparse.Namespace) -> int:
    """Print the rules of a folder."""
    rules, problems = load_rule_folder(args.dir or shipped_rules_dir())
    for problem in problems:
        print(problem, file=sys.stderr)
    rows = [summary(rule) for rule in rules]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    for row in rows if not args.json else []:
        streets = row["back_streets"]
        assert isinstance(streets, dict)
        print(
            f"{row['id']}@{row['version']}  {row['title']}  [{row['status']}]  ranking {row['ranking']}, "
            f"红榜 ≥ {row['red_black'][0]:g} 黑榜 < {row['red_black'][1]:g}, "  # type: ignore[index]
            f"背街小巷 {streets['pass_score']:g}/{streets['restore_months']} months "
            f"(降档 {','.join(streets['downgrade_levels'])}; 复档 {','.join(streets['restore_levels'])})"
        )
    return 1 if problems else 0
