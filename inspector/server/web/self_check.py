"""A street-front unit's daily 自查 (/k/<token>): a standing, revocable link (stored hashed) where the unit answers the
门前三包 items on a phone; each day's answers become an inspection at level unit_self through the push path."""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from inspector.core.checklist import Checklist
from inspector.core.clock import local_date, now_iso, parse_iso, to_iso, utc_now
from inspector.core.ledger import Role
from inspector.core.levels import InspectionLevel
from inspector.core.protocol import ChangeKind, Status
from inspector.core.statistics import STREET_FRONT_CHECKLIST, STREET_FRONT_KIND
from inspector.server.checklists import load_checklist
from inspector.server.db import run_transaction
from inspector.server.models import ChecklistVersion, Inspection, Subject, UnitSelfLink
from inspector.server.push import Caller, push
from inspector.server.schemas import ChangeIn
from inspector.server.scope import Scope
from inspector.server.web import photos
from inspector.server.web.links import TOKEN_BYTES, token_hash
from inspector.server.web.pages import context_of, render, signer
from inspector.server.web.security import WebRefusalError, client_address, hit

router = APIRouter(include_in_schema=False)
HOUR = timedelta(hours=1)
_REFUSED = ("链接无效或已被撤销，请联系街乡", "this link is not valid or was revoked: contact the street office")


def issue(session: Session, subject_id: str, by_user_id: str | None, now: datetime) -> str:
    """A new standing link for the unit (its older ones end); returns the token, shown once."""
    stamp = to_iso(now)
    session.execute(
        update(UnitSelfLink)
        .where(UnitSelfLink.subject_id == subject_id, UnitSelfLink.revoked_at.is_(None))
        .values(revoked_at=stamp, revoked_by=by_user_id)
    )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        UnitSelfLink(
            id=str(uuid.uuid4()), subject_id=subject_id, token_hash=token_hash(token), created_at=stamp,
            created_by=by_user_id,
        )
    )  # fmt: skip
    return token


def revoke(session: Session, subject_id: str, by_user_id: str | None, now: datetime) -> int:
    """End the unit's live links; returns how many ended."""
    result = session.execute(
        update(UnitSelfLink)
        .where(UnitSelfLink.subject_id == subject_id, UnitSelfLink.revoked_at.is_(None))
        .values(revoked_at=to_iso(now), revoked_by=by_user_id)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class OpenSelfLink:
    """A usable link, its unit and the checklist the unit answers."""

    link_id: str
    subject: dict[str, Any]
    checklist: Checklist


def _latest_checklist(session: Session) -> Checklist | None:
    rows = session.scalars(select(ChecklistVersion).where(ChecklistVersion.id == STREET_FRONT_CHECKLIST))
    newest = max(rows, key=lambda row: row.published_at, default=None)
    return None if newest is None else load_checklist(session, newest.id, newest.version)


def _open(request: Request, token: str) -> OpenSelfLink:
    context = context_of(request)
    with context.db.read() as session:
        link = None
        if token and len(token) <= 100:
            live = UnitSelfLink.revoked_at.is_(None)
            link = session.scalar(select(UnitSelfLink).where(UnitSelfLink.token_hash == token_hash(token), live))
        subject = session.get(Subject, link.subject_id) if link is not None else None
        checklist = _latest_checklist(session) if subject is not None and subject.active else None
        if link is not None and subject is not None and checklist is not None:
            request.state.user_id = f"unit-self:{link.id}"
            facts = {"id": subject.id, "name": subject.name, "jurisdiction": subject.jurisdiction,
                     "address": subject.address or ""}  # fmt: skip
            return OpenSelfLink(link.id, facts, checklist)
    run_transaction(context.db, lambda session: hit(session, f"k-miss:{client_address(request)}", 30, HOUR, utc_now()))
    raise WebRefusalError(404, *_REFUSED)


def _done_today(request: Request, opened: OpenSelfLink, now: datetime) -> bool:
    with context_of(request).db.read() as session:
        started = session.scalars(
            select(Inspection.started_at).where(
                Inspection.subject_id == opened.subject["id"], Inspection.inspector_id == opened.link_id
            )
        )
        today = local_date(now)
        return any(stamp and local_date(parse_iso(stamp)) == today for stamp in started)


def _items(checklist: Checklist) -> list[Any]:
    return [item for item in checklist.items if item.response == "pass_fail"]


@router.get("/k/{token}")
def self_check_page(request: Request, token: str, done: str = "") -> Response:
    opened = _open(request, token)
    now = utc_now()
    return render(
        request,
        "self_check.html",
        purpose=f"k:{opened.link_id}",
        unit=opened.subject,
        items=_items(opened.checklist),
        token=token,
        today=local_date(now).isoformat(),
        done=done,
        done_today=_done_today(request, opened, now),
    )


@router.post("/k/{token}")
async def self_check_submit(
    request: Request,
    token: str,
    csrf: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    photo: Annotated[UploadFile | None, Form()] = None,
) -> Response:
    opened = _open(request, token)
    signer(request).check_csrf(request, csrf, f"k:{opened.link_id}")
    context = context_of(request)
    now = utc_now()
    if _done_today(request, opened, now):
        raise WebRefusalError(409, "今日已自查，明天再来", "today's 自查 is recorded already: come back tomorrow")
    form = await request.form()
    answers: dict[str, dict[str, Any]] = {}
    for item in _items(opened.checklist):
        value = form.get(f"r_{item.id}")
        if value not in ("pass", "fail"):
            raise WebRefusalError(400, "请逐项选择合格或不合格", "please answer every item: pass or fail")
        answers[item.id] = {"result": value, "value": None, "occurrences": 1, "note": "", "photos": []}
    limit = context.settings.web_upload_bytes

    def count(session: Session) -> None:
        hit(session, f"k-link:{opened.link_id}", context.settings.web_unit_posts_per_hour, HOUR, now)

    run_transaction(context.db, count)
    hashes: list[str] = []
    if photo is not None and photo.filename:
        hashes = photos.store_photos(context, [await photo.read(limit + 1)], opened.link_id)
    payload = {
        "inspection_id": str(uuid.uuid4()),
        "checklist_id": opened.checklist.id,
        "checklist_version": opened.checklist.version,
        "subject_id": opened.subject["id"],
        "jurisdiction": opened.subject["jurisdiction"],
        "started_at": now_iso(),
        "finished_at": now_iso(),
        "notes": note.strip(),
        "responses": answers,
        "photos": hashes,
        "level": InspectionLevel.UNIT_SELF.value,
    }
    scope = Scope.of(opened.link_id, frozenset({Role.UNIT}), [opened.subject["jurisdiction"]])
    caller = Caller(opened.link_id, f"责任单位 {opened.subject['name']}", None, scope)
    change = ChangeIn.model_validate(
        {"change_id": str(uuid.uuid4()), "kind": ChangeKind.INSPECTION_SUBMIT.value, "payload": payload}
    )
    reply = json.loads(push(context.db, caller, [change])[0])
    if reply.get("status") != Status.APPLIED.value:
        message = str(reply.get("message") or reply.get("code") or "")
        raise WebRefusalError(400, f"未能提交：{message}", f"not accepted: {message}")
    return RedirectResponse(f"/k/{token}?done=1", status_code=303)


def is_street_front(subject: Subject) -> bool:
    """Only a 门前三包 unit gets a 自查 link."""
    return subject.kind == STREET_FRONT_KIND
