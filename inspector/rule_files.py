"""Reading scoring-rule files from disk (size limit, encoding) into validated ScoringRule objects."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from inspector.checklist_files import display_name, load_each, read_data_file
from inspector.core.rules import RuleError, ScoringRule, parse_rule
from inspector.paths import shipped_checklists_dir

DEFAULT_RULE_FILE = "inspector-default.json"


def shipped_rules_dir() -> Path:
    """The folder of rule files that ship with the app (checklists/rules)."""
    return shipped_checklists_dir() / "rules"


def load_rule_file(path: Path) -> ScoringRule:
    """Read and validate one rule file; raise RuleError (with file:line problems) when it is unusable."""
    return parse_rule(read_data_file(path, RuleError), display_name(path))


def rule_paths(folder: Path) -> list[Path]:
    """The rule files (*.json) directly inside a folder, sorted by name."""
    return sorted(path for path in folder.glob("*.json") if path.is_file())


def load_rule_folder(folder: Path) -> tuple[list[ScoringRule], list[str]]:
    """Every valid rule in a folder, plus one `file:line: message` per problem in the others (and repeated keys)."""
    return load_each(rule_paths(folder), load_rule_file, RuleError, "rule")


@cache
def default_rule() -> ScoringRule:
    """The shipped default rule (the project's proposal with the sourced back-street rule)."""
    return load_rule_file(shipped_rules_dir() / DEFAULT_RULE_FILE)
