"""Request shapes of the API and of every push change kind, with the bounds of docs/sync-protocol.md §9."""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Annotated, Any, ClassVar, Literal

import orjson
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from inspector.core.clock import parse_iso, to_iso
from inspector.core.levels import InspectionLevel
from inspector.core.text import shown, value_problem

UUID_RE = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
SHA_RE = r"^[0-9a-f]{64}$"
CODE_RE = r"^[0-9]{6}([0-9]{3}){0,3}$"
TEXT_MAX = 2000
NAME_MAX = 200
MAX_PHOTOS = 100
MAX_DETAILS = 50
MAX_JSON_DEPTH = 8

Uuid = Annotated[str, StringConstraints(pattern=UUID_RE, to_lower=True)]
Sha256 = Annotated[str, StringConstraints(pattern=SHA_RE)]
Code = Annotated[str, StringConstraints(pattern=CODE_RE)]
Text = Annotated[str, StringConstraints(max_length=TEXT_MAX)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX, strip_whitespace=True)]
ShortId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Photos = Annotated[list[Sha256], Field(max_length=MAX_PHOTOS)]


def _timestamp(text: str) -> str:
    """A stored-form instant (UTC, milliseconds, Z); the text must carry a time zone."""
    try:
        return to_iso(parse_iso(text))
    except (ValueError, OverflowError):
        raise ValueError("must be an ISO-8601 instant with a time zone, e.g. 2026-03-05T08:15:30.120Z") from None


Timestamp = Annotated[str, StringConstraints(max_length=40), AfterValidator(_timestamp)]


def plain_json_problem(value: Any, depth: int = 0) -> str | None:
    """Why a value is not plain, finite, shallow JSON (NaN, infinity, nesting deeper than 8), or None."""
    if depth > MAX_JSON_DEPTH:
        return f"nested deeper than {MAX_JSON_DEPTH} levels"
    if isinstance(value, float) and not math.isfinite(value):
        return "numbers must be finite"
    if isinstance(value, dict):
        for key, item in value.items():
            problem = plain_json_problem(item, depth + 1)
            if problem:
                return f"{key}: {problem}"
    if isinstance(value, list):
        for item in value:
            problem = plain_json_problem(item, depth + 1)
            if problem:
                return problem
    return None


class Strict(BaseModel):
    """Base of request models: finite numbers only, unknown fields ignored, no text that cannot be stored (NUL
    characters, lone surrogates) anywhere in the input, keys included."""

    model_config = ConfigDict(allow_inf_nan=False, extra="ignore")
    unchecked_text: ClassVar[frozenset[str]] = frozenset()  # fields whose text is checked elsewhere

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        if isinstance(data, dict):
            checked = {key: value for key, value in data.items() if key not in cls.unchecked_text}
            if _certainly_storable(checked):
                return data
            problem = value_problem(checked)
            if problem:
                raise ValueError(problem)
        return data


def _certainly_storable(value: Any) -> bool:
    """True when a parsed JSON value holds no NUL character and no lone surrogate, found by one encoding in C (orjson
    refuses lone surrogates and writes NUL as \\u0000); False sends it to the walk that names the place of a problem
    (also when orjson cannot encode the value at all, or when a text holds a backslash before `u0000`)."""
    try:
        return b"\\u0000" not in orjson.dumps(value)
    except TypeError:
        return False


# ---- auth ----


class LoginIn(Strict):
    username: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    device_id: Uuid
    device_name: Annotated[str, StringConstraints(max_length=100, strip_whitespace=True)] = ""


# ---- push envelope ----


class ChangeIn(Strict):
    """One change of a push; its payload's text is checked with the payload, so a bad one refuses that change only."""

    unchecked_text: ClassVar[frozenset[str]] = frozenset({"payload"})
    change_id: Uuid
    kind: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    payload: dict[str, Any]


class PushIn(Strict):
    unchecked_text: ClassVar[frozenset[str]] = frozenset({"changes"})
    changes: list[ChangeIn]


# ---- blobs ----


class MissingIn(Strict):
    hashes: list[Sha256]


class BlobSizeIn(Strict):
    sha256: Sha256
    size: Annotated[int, Field(ge=0)]


class TargetsIn(Strict):
    blobs: list[BlobSizeIn]


class CommitIn(Strict):
    hashes: list[Sha256]


class UploadStartIn(Strict):
    size: Annotated[int, Field(ge=0)]


# ---- records inside changes ----


class Location(Strict):
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    accuracy_m: Annotated[float, Field(ge=0, le=1_000_000)] | None = None
    address: Text | None = None


DetailValue = Annotated[str, StringConstraints(max_length=TEXT_MAX)] | int | float | bool | None


def _check_details(details: dict[str, DetailValue]) -> dict[str, DetailValue]:
    if len(details) > MAX_DETAILS:
        raise ValueError(f"at most {MAX_DETAILS} fields")
    if any(len(key) > 64 or not key for key in details):
        raise ValueError("field names must have 1-64 characters")
    scan = details.get("pledge_scan")
    if scan is not None and not (isinstance(scan, str) and re.fullmatch(SHA_RE, scan)):
        raise ValueError("pledge_scan must be a SHA-256 (64 lower-case hex characters)")
    return details


Details = Annotated[dict[str, DetailValue], AfterValidator(_check_details)]
SubjectKind = Literal["street_front_unit", "back_street", "site"]
SubjectCode = Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)]


class SubjectCreateIn(Strict):
    subject_id: Uuid
    kind: SubjectKind
    name: Name
    jurisdiction: Code
    code: SubjectCode | None = None
    address: Text | None = None
    location: Location | None = None
    details: Details = Field(default_factory=dict)


class SubjectFieldsIn(Strict):
    model_config = ConfigDict(allow_inf_nan=False, extra="forbid")
    name: Name | None = None
    code: SubjectCode | None = None
    address: Text | None = None
    location: Location | None = None
    details: Details | None = None
    jurisdiction: Code | None = None
    active: bool | None = None


class SubjectUpdateIn(Strict):
    subject_id: Uuid
    base_version: Annotated[int, Field(ge=1)]
    fields: SubjectFieldsIn


class ResponseIn(Strict):
    result: Literal["pass", "fail", "na"] | None = None
    value: Annotated[str, StringConstraints(max_length=TEXT_MAX)] | float | None = None
    occurrences: Annotated[int, Field(ge=1, le=1000)] = 1
    note: Text | None = None
    photos: Photos = Field(default_factory=list)


class InspectionListIn(Strict):
    """A further list of a visit (the "1+10" area lists): its pin, its own answers and the client's figures."""

    checklist_id: ShortId
    checklist_version: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    responses: Annotated[dict[ShortId, ResponseIn], Field(max_length=2000)]
    score: float | None = None
    max_score: float | None = None
    outcome: Annotated[str, StringConstraints(max_length=100)] | None = None


class InspectionIn(Strict):
    inspection_id: Uuid
    checklist_id: ShortId
    checklist_version: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    subject_id: Uuid | None = None
    jurisdiction: Code
    started_at: Timestamp | None = None
    finished_at: Timestamp | None = None
    location: Location | None = None
    notes: Text | None = None
    responses: Annotated[dict[ShortId, ResponseIn], Field(max_length=2000)]
    photos: Photos = Field(default_factory=list)
    score: float | None = None
    max_score: float | None = None
    outcome: Annotated[str, StringConstraints(max_length=100)] | None = None
    lists: Annotated[list[InspectionListIn], Field(max_length=20)] = Field(default_factory=list)
    level: InspectionLevel | None = None  # who did it; absent (an older client): 街乡自查
    programme: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None


class PatrolCheckIn(Strict):
    item: Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
    result: Literal["pass", "fail"]
    note: Text | None = None
    street_id: Uuid | None = None


class PatrolIn(Strict):
    patrol_id: Uuid
    role: Literal["street_chief", "lane_steward"]
    jurisdiction: Code
    started_at: Timestamp
    ended_at: Timestamp
    streets: Annotated[list[Uuid], Field(min_length=1, max_length=50)]
    checks: Annotated[list[PatrolCheckIn], Field(max_length=30)] = Field(default_factory=list)
    photos: Photos = Field(default_factory=list)
    notes: Text | None = None

    @model_validator(mode="after")
    def _times_and_streets(self) -> PatrolIn:
        if parse_iso(self.ended_at) < parse_iso(self.started_at):
            raise ValueError("ended_at is before started_at")
        walked = set(self.streets)
        if any(check.street_id is not None and check.street_id not in walked for check in self.checks):
            raise ValueError("a check's street_id must be one of the streets walked")
        return self


class LedgerCommandIn(Strict):
    event_id: Uuid
    finding_id: Uuid
    action: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    payload: dict[str, Any]
    base_state: Annotated[str, StringConstraints(max_length=20)] | None
    at: Timestamp

    @field_validator("payload")
    @classmethod
    def _plain(cls, payload: dict[str, Any]) -> dict[str, Any]:
        problem = plain_json_problem(payload)
        if problem:
            raise ValueError(problem)
        return payload


def describe_validation_error(error: Exception) -> str:
    """One readable line from a pydantic ValidationError (field path and message, no input values)."""
    errors = getattr(error, "errors", None)
    if not callable(errors):
        return str(error)
    parts = []
    for item in errors()[:5]:
        location = ".".join(shown(part) for part in item.get("loc", ())) or "payload"
        parts.append(f"{location}: {item.get('msg', '')}")
    return "; ".join(parts)


# ---- 约谈 (§5.5) ----

Month = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]


def _day(text: str) -> str:
    date.fromisoformat(text)  # ValueError: not a calendar day
    return text


Day = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), AfterValidator(_day)]


class TalkCreateIn(Strict):
    talk_id: Uuid
    month: Month
    held_on: Day
    person: Name
    unit: Annotated[str, StringConstraints(max_length=NAME_MAX, strip_whitespace=True)] = ""
    jurisdiction: Code
    reason: Annotated[str, StringConstraints(min_length=1, max_length=TEXT_MAX, strip_whitespace=True)]
    basis: Literal["rank", "black_list", "other"]
    basis_ref: Annotated[str, StringConstraints(max_length=64)] = ""
    basis_text: Annotated[str, StringConstraints(max_length=200)] = ""
