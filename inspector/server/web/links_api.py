"""The supervisor's routes for a unit's link: issue a fresh one (the old one ends) or revoke it."""

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
from inspector.server.models import Finding
from inspector.server.schemas import Uuid
from inspector.server.scope import Scope
from inspector.server.web import links

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
