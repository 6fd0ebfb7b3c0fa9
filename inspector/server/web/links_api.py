"""The supervisor's routes for a unit's links: a case link (/u/) and a unit's standing 自查 link (/k/), each issued
fresh (the old one ends) or revoked."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session

from inspector.core.clock import utc_now
from inspector.core.ledger import Role, State
from inspector.core.protocol import ErrorCode
from inspector.server.api.deps import Context, CurrentScope
from inspector.server.db import run_transaction
from inspector.server.errors import ApiError, not_found
from inspector.server.models import Finding, Subject
from inspector.server.schemas import Uuid
from inspector.server.scope import Scope
from inspector.server.web import links, self_check

router = APIRouter(prefix="/api/v1", tags=["web"])


def _finding(session: Session, scope: Scope, finding_id: str) -> Finding:
    if Role.SUPERVISOR not in scope.roles:
        raise ApiError(
            403, ErrorCode.FORBIDDEN, "只有督查员可以管理责任单位链接 (only a supervisor manages unit links)"
        )
    finding = scope.get(session, Finding, finding_id)
    if finding is None:
        raise not_found("finding")
    return finding


@router.post("/findings/{finding_id}/unit-link", summary="Issue the responsible unit a fresh link (ends the old one)")
def issue_unit_link(finding_id: Uuid, scope: CurrentScope, context: Context) -> dict[str, Any]:
    settings = links.UnitLinks.of(context.settings)

    def work(session: Session) -> dict[str, Any]:
        finding = _finding(session, scope, finding_id)
        if finding.state != State.ASSIGNED.value:
            raise ApiError(
                422,
                ErrorCode.VALIDATION_FAILED,
                "只有整改中的隐患可以发出链接 (only an assigned finding gets a unit link)",
            )
        token = settings.issue(session, finding.id, finding.jurisdiction, utc_now())
        return {"finding_id": finding.id, "url": settings.url(token)}

    return run_transaction(context.db, work)


@router.post("/findings/{finding_id}/unit-link/revoke", summary="Revoke the responsible unit's link")
def revoke_unit_link(finding_id: Uuid, scope: CurrentScope, context: Context) -> dict[str, Any]:
    def work(session: Session) -> dict[str, Any]:
        finding = _finding(session, scope, finding_id)
        return {"finding_id": finding.id, "revoked": links.revoke(session, finding.id, scope.user_id, utc_now())}

    return run_transaction(context.db, work)


def _unit(session: Session, scope: Scope, subject_id: str) -> Subject:
    if Role.SUPERVISOR not in scope.roles:
        raise ApiError(
            403, ErrorCode.FORBIDDEN, "只有督查员可以管理责任单位链接 (only a supervisor manages unit links)"
        )
    subject = scope.get(session, Subject, subject_id)
    if subject is None:
        raise not_found("subject")
    return subject


@router.post("/subjects/{subject_id}/self-check-link", summary="Issue a street-front unit its standing 自查 link")
def issue_self_check_link(subject_id: Uuid, scope: CurrentScope, context: Context) -> dict[str, Any]:
    base = context.settings.public_base_url.rstrip("/")

    def work(session: Session) -> dict[str, Any]:
        subject = _unit(session, scope, subject_id)
        if not self_check.is_street_front(subject):
            raise ApiError(
                422, ErrorCode.VALIDATION_FAILED, "只有门前三包责任单位有自查链接 (street-front units only)"
            )
        token = self_check.issue(session, subject.id, scope.user_id, utc_now())
        return {"subject_id": subject.id, "url": f"{base}/k/{token}"}

    return run_transaction(context.db, work)


@router.post("/subjects/{subject_id}/self-check-link/revoke", summary="Revoke a unit's standing 自查 link")
def revoke_self_check_link(subject_id: Uuid, scope: CurrentScope, context: Context) -> dict[str, Any]:
    def work(session: Session) -> dict[str, Any]:
        subject = _unit(session, scope, subject_id)
        return {"subject_id": subject.id, "revoked": self_check.revoke(session, subject.id, scope.user_id, utc_now())}

    return run_transaction(context.db, work)
