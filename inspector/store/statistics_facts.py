"""The plain records the monthly figures (`inspector.core.statistics`) are computed from: subjects with their 街乡,
finished inspections with their scores and failed items (街乡 names: `jurisdictions.street_names`)."""

from __future__ import annotations

from sqlite_utils import Database

from inspector.core.clock import parse_iso
from inspector.core.jurisdiction import street_of
from inspector.core.statistics import InspectionFacts, SubjectFacts


def subject_facts(db: Database) -> list[SubjectFacts]:
    """Every active subject with its 街乡 (the 9-digit part of its jurisdiction) and kind."""
    rows = db.execute("SELECT id, jurisdiction, kind, name FROM subjects WHERE active = 1 ORDER BY id")
    return [SubjectFacts(subject_id, street_of(code or ""), kind, name) for subject_id, code, kind, name in rows]


def inspection_facts(db: Database, subject_id: str | None = None) -> list[InspectionFacts]:
    """Every list of every finished inspection (or of one subject's; a "1+10" visit counts under the general list and
    each area list it checked): subject, checklist, when it finished, the list's score, how many of its items failed,
    the inspection's level and who did it."""
    only = "AND i.subject_id = ? " if subject_id is not None else ""
    rows = db.execute(
        "SELECT i.subject_id, l.checklist_id, i.finished_at, l.score, "
        "(SELECT count(*) FROM responses r WHERE r.inspection_id = i.id AND r.result = 'fail' "
        "AND (r.checklist_id = l.checklist_id OR r.checklist_id IS NULL)), "
        "i.level, i.inspector_id "
        "FROM inspections i JOIN inspection_lists l ON l.inspection_id = i.id "
        f"WHERE i.status = 'finished' AND i.finished_at IS NOT NULL {only}ORDER BY i.finished_at, l.position",
        [subject_id] if subject_id is not None else [],
    )
    return [
        InspectionFacts(
            subject_id,
            checklist_id,
            parse_iso(finished),
            score,
            int(failed),
            level,
            inspector or "",
        )
        for subject_id, checklist_id, finished, score, failed, level, inspector in rows
    ]


def subject_places(db: Database) -> dict[str, tuple[str, str]]:
    """Every subject's full jurisdiction code and address (for places printed in the month's documents)."""
    rows = db.execute("SELECT id, jurisdiction, address FROM subjects")
    return {subject_id: (code or "", address or "") for subject_id, code, address in rows}
