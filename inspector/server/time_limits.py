"""The district's overrides of the shipped time-limit table and its calendar years: kept in the server database and
published in the feed (`time_limit`, `calendar_year`; protocol §4.2) so every laptop judges lateness the same way."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

import jsonschema
from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector.core.clock import now_iso
from inspector.core.protocol import FeedKind
from inspector.core.time_limits import SCHEMA, RowStatus, TimeLimitTableError, limit_from_json
from inspector.server import feed
from inspector.server.models import DistrictCalendarYear, DistrictTimeLimit

_ROW_SCHEMA = SCHEMA["properties"]["rows"]["items"]


def _checked_row(row: Mapping[str, Any]) -> dict[str, Any]:
    data = {**row, "status": RowStatus.DISTRICT.value}
    problems = list(jsonschema.Draft202012Validator(_ROW_SCHEMA).iter_errors(data))
    if problems:
        raise TimeLimitTableError(f"time-limit row: {problems[0].message}")
    limit_from_json(data)
    return data


def set_limit(session: Session, row: Mapping[str, Any], by: str) -> dict[str, Any]:
    """Keep one district row (a new id adds it, a known id replaces it) and publish it."""
    data = _checked_row(row)
    found = session.get(DistrictTimeLimit, data["id"])
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    if found is None:
        session.add(DistrictTimeLimit(id=data["id"], row=text, updated_by=by, updated_at=now_iso()))
    else:
        found.row, found.updated_by, found.updated_at = text, by, now_iso()
    feed.stage(session, FeedKind.TIME_LIMIT, data["id"], None, data)
    return data


def remove_limit(session: Session, row_id: str) -> bool:
    """Drop a district row (the shipped row applies again) and publish the removal; False when unknown."""
    found = session.get(DistrictTimeLimit, row_id)
    if found is None:
        return False
    session.delete(found)
    feed.stage(session, FeedKind.TIME_LIMIT, row_id, None, {"id": row_id, "deleted": True})
    return True


def list_limits(session: Session) -> list[dict[str, Any]]:
    """The district's rows, by id."""
    rows = session.scalars(select(DistrictTimeLimit).order_by(DistrictTimeLimit.id))
    return [json.loads(row.row) for row in rows]


def set_year(
    session: Session, year: int, holidays: Mapping[str, str], workdays: Mapping[str, str], by: str
) -> dict[str, Any]:
    """Keep one calendar year (replacing any kept before) and publish it."""
    for day in (*holidays, *workdays):
        try:
            parsed = date.fromisoformat(day)
        except ValueError:
            raise TimeLimitTableError(f"{day!r} is not a date YYYY-MM-DD") from None
        if parsed.year != year:
            raise TimeLimitTableError(f"{day} does not lie in {year}")
    both = set(holidays) & set(workdays)
    if both:
        raise TimeLimitTableError(f"{min(both)} is listed both as a holiday and as a working day")
    data = {"year": year, "holidays": dict(sorted(holidays.items())), "workdays": dict(sorted(workdays.items()))}
    text = json.dumps({"holidays": data["holidays"], "workdays": data["workdays"]}, ensure_ascii=False)
    found = session.get(DistrictCalendarYear, year)
    if found is None:
        session.add(DistrictCalendarYear(year=year, days=text, updated_by=by, updated_at=now_iso()))
    else:
        found.days, found.updated_by, found.updated_at = text, by, now_iso()
    feed.stage(session, FeedKind.CALENDAR_YEAR, str(year), None, data)
    return data


def list_years(session: Session) -> list[dict[str, Any]]:
    """The district's calendar years."""
    rows = session.scalars(select(DistrictCalendarYear).order_by(DistrictCalendarYear.year))
    return [{"year": row.year, **json.loads(row.days)} for row in rows]
