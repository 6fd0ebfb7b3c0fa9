"""Scoring rules as data: a versioned rule file (format inspector-scoring-rule/1) read into StatisticsRules, with
`file:line: context: message` errors like a checklist's (docs/rules.md)."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from inspector.core.checklist_loader import ChecklistProblem, compose_located
from inspector.core.levels import InspectionLevel
from inspector.core.statistics import RankingWeights, StatisticsRules, UnitPointsRule

FORMAT = "inspector-scoring-rule/1"
RULE_STATUSES = ("proposal", "district")  # the project's own proposal, or a district's published rule
PART_STATUSES = ("sourced", "proposal")  # a part's formula: from a cited source, or the project's own proposal
LEVELS = tuple(level.value for level in InspectionLevel)
RULE_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
VERSION_PATTERN = r"^[0-9]+(\.[0-9]+)*$"
DISTRICT_PATTERN = r"^[0-9]{6}$"  # a 区 code (the first six digits of a jurisdiction code)

_NUMBER = {"type": "number", "minimum": 0}
_UNIT_FIELDS = (
    "start",
    "per_failed_item",
    "per_general_finding",
    "per_major_finding",
    "per_overdue_finding",
    "bonus_on_time",
    "maximum",
    "minimum",
    "red_at_least",
    "black_below",
    "red_needs_inspection",
)
_LEVEL_LIST = {"type": "array", "items": {"enum": list(LEVELS)}, "minItems": 1, "uniqueItems": True}
_PART = {"status": {"enum": list(PART_STATUSES)}, "source": {"type": "string"}, "note": {"type": "string"}}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "inspector-scoring-rule-1.schema.json",
    "title": f"Inspector scoring rule, format {FORMAT}",
    "type": "object",
    "required": ["format", "id", "version", "title", "status", "ranking", "units", "back_streets"],
    "additionalProperties": False,
    "properties": {
        "format": {"const": FORMAT},
        "id": {"type": "string", "pattern": RULE_ID_PATTERN, "maxLength": 64},
        "version": {"type": "string", "pattern": VERSION_PATTERN, "maxLength": 32},
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "status": {"enum": list(RULE_STATUSES)},
        "district": {"type": "string", "pattern": DISTRICT_PATTERN},
        "description": {"type": "string"},
        "sources": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "title"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "title": {"type": "string", "minLength": 1},
                    "file": {"type": "string"},
                    "url": {"type": "string"},
                    "note": {"type": "string"},
                },
            },
        },
        "ranking": {
            "type": "object",
            "required": ["on_time_closure", "overdue", "coverage", "coverage_levels", "status"],
            "additionalProperties": False,
            "properties": {
                "on_time_closure": _NUMBER,
                "overdue": _NUMBER,
                "coverage": _NUMBER,
                "coverage_levels": _LEVEL_LIST,
                **_PART,
            },
        },
        "units": {
            "type": "object",
            "required": [*_UNIT_FIELDS, "levels", "status"],
            "additionalProperties": False,
            "properties": {
                "start": _NUMBER,
                "per_failed_item": _NUMBER,
                "per_general_finding": _NUMBER,
                "per_major_finding": _NUMBER,
                "per_overdue_finding": _NUMBER,
                "bonus_on_time": _NUMBER,
                "maximum": _NUMBER,
                "minimum": _NUMBER,
                "red_at_least": _NUMBER,
                "black_below": _NUMBER,
                "red_needs_inspection": {"type": "boolean"},
                "levels": _LEVEL_LIST,
                **_PART,
            },
        },
        "back_streets": {
            "type": "object",
            "required": ["pass_score", "restore_months", "downgrade_levels", "restore_levels", "status"],
            "additionalProperties": False,
            "properties": {
                "pass_score": {"type": "number", "minimum": 0, "maximum": 100},
                "restore_months": {"type": "integer", "minimum": 1, "maximum": 24},
                "downgrade_levels": _LEVEL_LIST,
                "restore_levels": _LEVEL_LIST,
                "quote": {"type": "string"},
                **_PART,
            },
        },
        "indicators": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "definition", "status"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": r"^[a-z][a-z0-9_]*$"},
                    "name": {"type": "string", "minLength": 1},
                    "definition": {"type": "string", "minLength": 1},
                    "quote": {"type": "string"},
                    **_PART,
                },
            },
        },
    },
}
_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


@dataclass(frozen=True)
class Indicator:
    """A figure the rule names (e.g. 整改率), with its definition and where its name comes from."""

    id: str
    name: str
    definition: str
    status: str
    source: str = ""
    quote: str = ""


@dataclass(frozen=True)
class ScoringRule:
    """A validated rule file: its identity, the parameters of the monthly figures, its sources and indicators."""

    id: str
    version: str
    title: str
    status: str
    rules: StatisticsRules
    district: str = ""
    description: str = ""
    part_status: dict[str, str] = field(default_factory=dict)  # ranking / units / back_streets → sourced|proposal
    sources: tuple[dict[str, str], ...] = ()
    indicators: tuple[Indicator, ...] = ()
    text: str = ""

    @property
    def key(self) -> str:
        """id@version, as the statistics name the rule they used."""
        return f"{self.id}@{self.version}"


class RuleError(ValueError):
    """A rule file that cannot be used; `.problems` lists every problem found, each with its file and line."""

    def __init__(self, problems: list[ChecklistProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.filename, p.line))
        super().__init__("\n".join(str(p) for p in self.problems))


def parse_rule(text: str, filename: str = "<rule>") -> ScoringRule:
    """Read a rule file's text (JSON); raise RuleError listing every problem (never another exception)."""
    data, line_of, problems = compose_located(text, filename)
    if data is not None:
        for error in _VALIDATOR.iter_errors(data):
            path = tuple(error.absolute_path)
            for where, message in _explain(error, path):
                problems.append(ChecklistProblem(filename, line_of(where), _context(where), message))
    if data is None or problems:
        raise RuleError(problems)
    rule = _build(data, filename, line_of, problems)
    if rule is None or problems:
        raise RuleError(problems)
    return rule


def _build(
    data: dict[str, Any],
    filename: str,
    line_of: Callable[[tuple[str | int, ...]], int],
    problems: list[ChecklistProblem],
) -> ScoringRule | None:
    def problem(path: tuple[str | int, ...], message: str) -> None:
        problems.append(ChecklistProblem(filename, line_of(path), _context(path), message))

    ranking, units, streets = data["ranking"], data["units"], data["back_streets"]
    weights = (ranking["on_time_closure"], ranking["overdue"], ranking["coverage"])
    if abs(sum(weights) - 1.0) > 1e-9:
        problem(("ranking",), f"the three weights must add up to 1 (they add up to {sum(weights):g})")
    if not units["minimum"] <= units["black_below"] <= units["red_at_least"] <= units["maximum"]:
        problem(("units", "black_below"), "the lines must satisfy minimum ≤ black_below ≤ red_at_least ≤ maximum")
    known = {source["id"] for source in data.get("sources", [])}
    parts: list[tuple[tuple[str | int, ...], dict[str, Any]]] = [
        (("ranking",), ranking),
        (("units",), units),
        (("back_streets",), streets),
    ]
    parts += [(("indicators", index), entry) for index, entry in enumerate(data.get("indicators", []))]
    for path, part in parts:
        source = part.get("source")
        if source and source not in known:
            problem((*path, "source"), f'unknown source "{source}" (list it under "sources")')
        if part["status"] == "sourced" and not source:
            problem((*path, "status"), 'a "sourced" part names its source')
    if data["status"] == "district" and not data.get("district"):
        problem(("status",), 'a district\'s rule names its "district" (a 6-digit 区 code)')
    if problems:
        return None
    rules = StatisticsRules(
        ranking=RankingWeights(*weights),
        units=UnitPointsRule(**{key: units[key] for key in _UNIT_FIELDS}),
        street_pass_score=float(streets["pass_score"]),
        street_restore_months=int(streets["restore_months"]),
        street_downgrade_levels=frozenset(streets["downgrade_levels"]),
        street_restore_levels=frozenset(streets["restore_levels"]),
        ranking_levels=frozenset(ranking["coverage_levels"]),
        unit_levels=frozenset(units["levels"]),
        rule_id=data["id"],
        rule_version=data["version"],
    )
    return ScoringRule(
        id=data["id"],
        version=data["version"],
        title=data["title"],
        status=data["status"],
        rules=rules,
        district=data.get("district", ""),
        description=data.get("description", ""),
        part_status={name: data[name]["status"] for name in ("ranking", "units", "back_streets")},
        sources=tuple(dict(source) for source in data.get("sources", [])),
        indicators=tuple(
            Indicator(
                entry["id"],
                entry["name"],
                entry["definition"],
                entry["status"],
                entry.get("source", ""),
                entry.get("quote", ""),
            )
            for entry in data.get("indicators", [])
        ),
        text=json.dumps(data, ensure_ascii=False, sort_keys=True),
    )



def _context(path: tuple[str | int, ...]) -> str:
    if not path:
        return ""
    if path[0] == "indicators" and len(path) > 1:
        return f"indicator #{int(path[1]) + 1}"
    if path[0] == "sources" and len(path) > 1:
        return f"source #{int(path[1]) + 1}"
    return str(path[0]) if len(path) > 1 else ""


def _explain(error: jsonschema.ValidationError, path: tuple[str | int, ...]) -> Iterable[tuple[Any, str]]:
    name = f'"{path[-1]}"' if path and isinstance(path[-1], str) else "the document" if not path else "the entry"
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "required":
        for missing in expected:
            if isinstance(value, dict) and missing not in value:
                yield path, f'missing "{missing}"'
    elif kind == "additionalProperties" and isinstance(value, dict):
        known = list(error.schema.get("properties", {}))
        for extra in sorted(set(value) - set(known)):
            hint = difflib.get_close_matches(extra, known, n=1)
            suffix = f' (did you mean "{hint[0]}"?)' if hint else f" (known fields: {', '.join(known)})"
            yield (*path, extra), f'unknown field "{extra}"{suffix}'
    elif kind == "const" and path == ("format",):
        yield path, f"unsupported format {value!r}: this version reads {FORMAT}"
    elif kind == "enum":
        yield (
            path,
            f"{name} must be one of {', '.join(map(str, expected))} (got {json.dumps(value, ensure_ascii=False)})",
        )
    elif kind == "type":
        yield path, f"{name} must be {expected}, not {json.dumps(value, ensure_ascii=False)}"
    elif kind in ("minimum", "maximum"):
        yield path, f"{name} must be {'at least' if kind == 'minimum' else 'at most'} {expected} (got {value})"
    elif kind == "pattern":
        yield path, f'{name} "{value}" does not match {expected}'
    else:
        yield path, f"{name}: {error.message}"
