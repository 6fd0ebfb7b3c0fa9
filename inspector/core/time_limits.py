"""Time limits per case kind, category and stage (受理, 立案/挂账, 派遣, 处置, 核查), in working hours or working days.

The table ships as data (`checklists/time-limits/time-limits.json`, format `inspector-time-limits/1`, its JSON Schema
beside the checklists' in `checklists/schema/`); every row says where its number comes from. The district may
override rows on its server; those rows reach the laptops with the sync feed and win over the shipped ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time
from enum import StrEnum
from functools import cached_property
from typing import Any

import jsonschema

from inspector.core.workcal import DEFAULT_PERIODS, WorkTimeError, parse_periods

FORMAT = "inspector-time-limits/1"
ANY = "*"


class Stage(StrEnum):
    """A stage of the grid loop that runs on a clock (standards §5.1); wire words."""

    ACCEPT = "accept"  # 受理
    REGISTER = "register"  # 立案 / 挂账
    DISPATCH = "dispatch"  # 派遣
    DISPOSE = "dispose"  # 处置
    VERIFY = "verify"  # 核查


STAGE_LABELS: dict[Stage, str] = {
    Stage.ACCEPT: "受理",
    Stage.REGISTER: "立案/挂账",
    Stage.DISPATCH: "派遣",
    Stage.DISPOSE: "处置",
    Stage.VERIFY: "核查",
}
STAGE_LABELS_EN: dict[Stage, str] = {
    Stage.ACCEPT: "acceptance",
    Stage.REGISTER: "registration",
    Stage.DISPATCH: "dispatch",
    Stage.DISPOSE: "disposal",
    Stage.VERIFY: "verification",
}


class Unit(StrEnum):
    """How a limit is counted."""

    WORKING_HOURS = "working_hours"  # 工作时
    WORKING_DAYS = "working_days"  # 工作日


class RowStatus(StrEnum):
    """Where a row's number comes from."""

    SOURCED = "sourced"  # a local manual, cited by URL
    DEFAULT = "default"  # the project's own default, to be confirmed by the district
    DISTRICT = "district"  # set by the district on its server


KINDS = ("problem", "hazard", ANY)
_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
_SHORT = {"type": "string", "minLength": 1, "maxLength": 200}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "inspector-time-limits-1.schema.json",
    "title": "Inspector time-limit table, format inspector-time-limits/1",
    "type": "object",
    "required": ["format", "version", "working_hours", "rows"],
    "additionalProperties": False,
    "properties": {
        "format": {"const": FORMAT},
        "version": {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)*$"},
        "description": {"type": "string"},
        "working_hours": {
            "type": "object",
            "required": ["periods", "status"],
            "additionalProperties": False,
            "properties": {
                "periods": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "array",
                        "prefixItems": [{"type": "string", "pattern": _TIME}, {"type": "string", "pattern": _TIME}],
                        "minItems": 2,
                        "maxItems": 2,
                    },
                },
                "status": {"enum": [status.value for status in RowStatus]},
                "note": {"type": "string"},
            },
        },
        "rows": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "kind", "category", "stage", "amount", "unit", "status"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": r"^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 80},
                    "kind": {"enum": list(KINDS)},
                    "category": _SHORT,
                    "also": {"type": "array", "items": _SHORT},
                    "stage": {"enum": [stage.value for stage in Stage]},
                    "amount": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000},
                    "unit": {"enum": [unit.value for unit in Unit]},
                    "status": {"enum": [status.value for status in RowStatus]},
                    "applied": {"type": "boolean"},
                    "source": {"type": "string", "format": "uri"},
                    "quote": {"type": "string"},
                    "note": {"type": "string"},
                },
                "allOf": [{"if": {"properties": {"status": {"const": "sourced"}}}, "then": {"required": ["source"]}}],
            },
        },
    },
}


class TimeLimitTableError(ValueError):
    """The time-limit table does not follow its format."""


@dataclass(frozen=True)
class Limit:
    """One row: for cases of this kind and category, this stage must end within `amount` `unit`s."""

    row_id: str
    kind: str
    category: str
    stage: Stage
    amount: float
    unit: Unit
    status: RowStatus
    also: tuple[str, ...] = ()
    applied: bool = True
    source: str | None = None
    quote: str | None = None
    note: str | None = None

    def text(self) -> tuple[str, str]:
        """The limit for people, e.g. ("4个工作时", "4 working hours")."""
        amount = f"{self.amount:g}"
        if self.unit is Unit.WORKING_HOURS:
            return f"{amount}个工作时", f"{amount} working hours"
        return f"{amount}个工作日", f"{amount} working days"

    def to_json(self) -> dict[str, Any]:
        """The row as the file and the wire write it."""
        data: dict[str, Any] = {
            "id": self.row_id,
            "kind": self.kind,
            "category": self.category,
            "stage": self.stage.value,
            "amount": self.amount,
            "unit": self.unit.value,
            "status": self.status.value,
        }
        optional = {"also": list(self.also) or None, "source": self.source, "quote": self.quote, "note": self.note}
        data.update({key: value for key, value in optional.items() if value})
        if not self.applied:
            data["applied"] = False
        return data


@dataclass(frozen=True)
class LimitTable:
    """The rows in force and the office hours they are counted in."""

    rows: tuple[Limit, ...]
    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS
    version: str = ""

    def limit_for(self, kind: str | None, category: str, stage: Stage) -> Limit | None:
        """The applied row for a case: its own category before the kind's default, its own kind before any kind.
        A district row wins over a shipped one for the same kind, category and stage."""
        wanted_kinds = (kind, ANY) if kind and kind != ANY else (ANY, "problem", "hazard")
        index = self._index
        for wanted_category in (category, ANY):
            for wanted_kind in wanted_kinds:
                found = index.get((wanted_kind, wanted_category, stage))
                if found is not None:
                    return found
        return None

    @cached_property
    def _index(self) -> dict[tuple[str, str, Stage], Limit]:
        """The applied rows by (kind, category or alias, stage); a district row wins over a shipped one."""
        index: dict[tuple[str, str, Stage], Limit] = {}
        for row in sorted((row for row in self.rows if row.applied), key=lambda row: row.status is RowStatus.DISTRICT):
            for category in (row.category, *row.also):
                index[(row.kind, category, row.stage)] = row
        return index


def limit_from_json(data: Mapping[str, Any], status: RowStatus | None = None) -> Limit:
    """One row from its JSON form (a district row passes status=DISTRICT)."""
    try:
        return Limit(
            row_id=str(data["id"]),
            kind=str(data["kind"]),
            category=str(data["category"]),
            stage=Stage(data["stage"]),
            amount=float(data["amount"]),
            unit=Unit(data["unit"]),
            status=status or RowStatus(data["status"]),
            also=tuple(str(item) for item in data.get("also") or ()),
            applied=bool(data.get("applied", True)),
            source=data.get("source"),
            quote=data.get("quote"),
            note=data.get("note"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise TimeLimitTableError(f"malformed time-limit row {data!r}: {exc}") from exc


def parse_table(data: Any) -> LimitTable:
    """The table from the parsed file, checked against SCHEMA and for duplicate applied rows."""
    validator = jsonschema.Draft202012Validator(SCHEMA)
    problems = sorted(validator.iter_errors(data), key=lambda error: list(error.absolute_path))
    if problems:
        first = problems[0]
        where = "/".join(str(part) for part in first.absolute_path) or "(top)"
        raise TimeLimitTableError(f"time-limit table, {where}: {first.message}")
    rows = tuple(limit_from_json(row) for row in data["rows"])
    seen: dict[tuple[str, str, Stage], str] = {}
    ids: set[str] = set()
    for row in rows:
        if row.row_id in ids:
            raise TimeLimitTableError(f"time-limit table: row id {row.row_id} appears twice")
        ids.add(row.row_id)
        if not row.applied:
            continue
        for category in (row.category, *row.also):
            key = (row.kind, category, row.stage)
            if key in seen:
                raise TimeLimitTableError(
                    f"time-limit table: rows {seen[key]} and {row.row_id} both apply to {row.kind}/{category}/"
                    f'{row.stage.value}; mark one "applied": false'
                )
            seen[key] = row.row_id
    try:
        periods = parse_periods(data["working_hours"]["periods"])
    except (WorkTimeError, ValueError) as exc:
        raise TimeLimitTableError(f"time-limit table, working_hours: {exc}") from exc
    return LimitTable(rows, periods, str(data["version"]))


def with_district_rows(table: LimitTable, district: Iterable[Limit]) -> LimitTable:
    """The shipped table with the district's rows added; a district row replaces any row for its kind, category and
    stage, and one with `applied` false only switches the shipped row off."""
    overrides = list(district)
    replaced = {(row.kind, row.category, row.stage) for row in overrides}
    kept = tuple(row for row in table.rows if (row.kind, row.category, row.stage) not in replaced)
    return LimitTable(kept + tuple(row for row in overrides if row.applied), table.periods, table.version)
