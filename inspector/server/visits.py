"""The server's visit rows (subject, Beijing day, level, kind) for coverage: one per inspection of a subject, one per
street of each 巡查日志, read from the stored records inside a scope (docs/unit-cycle.md)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector.core.levels import InspectionLevel
from inspector.core.unit_cycle import Visit, inspection_visit, make_patrol, patrol_visits
from inspector.server.encoding import loads
from inspector.server.models import Inspection, PatrolLog
from inspector.server.scope import Scope


def visits(session: Session, scope: Scope, since: str, until: str) -> list[Visit]:
    """Visits begun in [since, until) (UTC instants) of records inside the scope, sorted. An inspection sent without a
    level counts as 街乡自查 (street_self)."""
    found: list[Visit] = []
    inspections = select(Inspection.subject_id, Inspection.started_at, Inspection.data).where(
        scope.where(Inspection.jurisdiction), Inspection.started_at >= since, Inspection.started_at < until
    )
    for subject_id, started_at, data in session.execute(inspections):
        level = (loads(data) or {}).get("level") or InspectionLevel.STREET_SELF.value
        visit = inspection_visit(subject_id, started_at, level)
        if visit is not None:
            found.append(visit)
    patrols = select(PatrolLog.data).where(
        scope.where(PatrolLog.jurisdiction), PatrolLog.started_at >= since, PatrolLog.started_at < until
    )
    for (data,) in session.execute(patrols):
        found.extend(patrol_visits(make_patrol(loads(data))))
    return sorted(found)
