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
    """Every finished inspection (or one subject's): subject, checklist, when it finished, score, how many items
    failed and its level."""
    only = "AND i.subject_id = ? " if subject_id is not None else ""
    rows = db.execute(
        "SELECT i.subject_id, i.checklist_id, i.finished_at, i.score, i.level, "
        "(SELECT count(*) FROM responses r WHERE r.inspection_id = i.id AND r.result = 'fail') "
        f"FROM inspections i WHERE i.status = 'finished' AND i.finished_at IS NOT NULL {only}ORDER BY i.finished_at",
        [subject_id] if subject_id is not None else [],
    )
    return [
        InspectionFacts(subject_id, checklist_id, parse_iso(finished), score, int(failed), level)
        for subject_id, checklist_id, finished, score, level, failed in rows
    ]
