"""Read endpoints: jurisdictions, checklists, subjects, findings, inspections — every query filtered by scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from inspector.server.api.deps import Context, CurrentScope, page_limit, query_code
from inspector.server.checklists import checklist_document, checklist_summary, list_versions
from inspector.server.encoding import loads
from inspector.server.errors import not_found
from inspector.server.jurisdictions import jurisdiction_document
from inspector.server.ledger_store import event_reply
from inspector.server.models import ChecklistVersion, Finding, FindingEvent, Inspection, Jurisdiction, Subject, User
from inspector.server.schemas import CODE_RE
from inspector.server.scope import code_range
from inspector.server.subjects import subject_document

router = APIRouter(prefix="/api/v1", tags=["distribution"])

After = Annotated[str | None, Query(max_length=100)]
Limit = Annotated[int, Query()]


def _keyset_page(
    session: Session,
    query: Select[Any],
    key: InstrumentedAttribute[str],
    after: str | None,
    limit: int,
    document: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """One page of a query in key order: at most `limit` rows after the key `after`, and the key the next page starts
    after (None on the last page)."""
    query = query.order_by(key)
    if after:
        query = query.where(key > after)
    rows = list(session.scalars(query.limit(limit + 1)))
    has_more = len(rows) > limit
    rows = rows[:limit]
    return {"items": [document(row) for row in rows], "next": getattr(rows[-1], key.key) if has_more else None}


@router.get("/jurisdictions", summary="Jurisdictions in the caller's scope, plus the scope's ancestors")
def get_jurisdictions(scope: CurrentScope, context: Context, after: After = None, limit: Limit = 200) -> dict[str, Any]:
    limit = page_limit(limit, context.settings.max_page_limit)
    with context.db.read() as session:
        query = select(Jurisdiction).where(scope.jurisdictions_condition())
        return _keyset_page(session, query, Jurisdiction.code, after, limit, jurisdiction_document)


@router.get("/people", summary="Display names of the users whose names the caller's records show")
def get_people(scope: CurrentScope, context: Context, after: After = None, limit: Limit = 200) -> dict[str, Any]:
    limit = page_limit(limit, context.settings.max_page_limit)
    with context.db.read() as session:
        query = select(User).where(scope.people_condition())
        return _keyset_page(session, query, User.id, after, limit, person_document)


def person_document(user: User) -> dict[str, Any]:
    """A user as the name directory shows it (protocol §4, `Person`)."""
    return {"id": user.id, "display_name": user.display_name or user.username}


@router.get("/checklists", summary="Every published checklist version")
def get_checklists(scope: CurrentScope, context: Context) -> dict[str, Any]:
    with context.db.read() as session:
        return {"items": [checklist_summary(row) for row in list_versions(session)], "next": None}


@router.get("/checklists/{checklist_id}/versions/{version}", summary="One checklist version with its file text")
def get_checklist(checklist_id: str, version: str, scope: CurrentScope, context: Context) -> dict[str, Any]:
    with context.db.read() as session:
        row = session.get(ChecklistVersion, (checklist_id, version))
        if row is None:
            raise not_found("checklist version")
        return checklist_document(row)


@router.get("/subjects", summary="Subjects in the caller's scope")
def get_subjects(
    scope: CurrentScope,
    context: Context,
    after: After = None,
    limit: Limit = 200,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    jurisdiction: Annotated[str | None, Query(pattern=CODE_RE)] = None,
) -> dict[str, Any]:
    limit = page_limit(limit, context.settings.max_page_limit)
    with context.db.read() as session:
        query = scope.select(Subject)
        if kind:
            query = query.where(Subject.kind == kind)
        if jurisdiction:
            query = query.where(Subject.jurisdiction.between(*code_range(query_code(jurisdiction))))
        return _keyset_page(session, query, Subject.id, after, limit, subject_document)


@router.get("/subjects/{subject_id}", summary="One subject in the caller's scope")
def get_subject(subject_id: str, scope: CurrentScope, context: Context) -> Any:
    with context.db.read() as session:
        row = scope.get(session, Subject, subject_id)
        if row is None:
            raise not_found("subject")
        return subject_document(row)


@router.get("/findings", summary="Findings (projected state) in the caller's scope")
def get_findings(
    scope: CurrentScope,
    context: Context,
    after: After = None,
    limit: Limit = 200,
    state: Annotated[str | None, Query(max_length=20)] = None,
) -> dict[str, Any]:
    limit = page_limit(limit, context.settings.max_page_limit)
    with context.db.read() as session:
        query = scope.select(Finding)
        if state:
            query = query.where(Finding.state == state)
        return _keyset_page(session, query, Finding.id, after, limit, lambda row: {**loads(row.data), "id": row.id})


@router.get("/findings/{finding_id}", summary="One finding with its hash-chained events")
def get_finding(finding_id: str, scope: CurrentScope, context: Context) -> dict[str, Any]:
    with context.db.read() as session:
        row = scope.get(session, Finding, finding_id)
        if row is None:
            raise not_found("finding")
        query = select(FindingEvent).where(FindingEvent.finding_id == row.id).order_by(FindingEvent.idx)
        events = list(session.scalars(query))
        actors = {event.actor_id for event in events}
        names = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(actors))).all())
        return {"finding": loads(row.data), "events": [event_reply(e, names.get(e.actor_id)) for e in events]}


@router.get("/inspections", summary="Inspections in the caller's scope")
def get_inspections(
    scope: CurrentScope,
    context: Context,
    after: After = None,
    limit: Limit = 200,
    subject_id: Annotated[str | None, Query(max_length=36)] = None,
) -> dict[str, Any]:
    limit = page_limit(limit, context.settings.max_page_limit)
    with context.db.read() as session:
        query = scope.select(Inspection)
        if subject_id:
            query = query.where(Inspection.subject_id == subject_id)
        return _keyset_page(session, query, Inspection.id, after, limit, lambda row: loads(row.data))


@router.get("/inspections/{inspection_id}", summary="One inspection in the caller's scope")
def get_inspection(inspection_id: str, scope: CurrentScope, context: Context) -> Any:
    with context.db.read() as session:
        row = scope.get(session, Inspection, inspection_id)
        if row is None:
            raise not_found("inspection")
        return loads(row.data)
