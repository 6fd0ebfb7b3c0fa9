"""The public's page behind a 公示牌's QR (/s/<unit code>): who answers for the street front, and a report form that
files a case (source 群众举报) in the 街乡's review queue, with a receipt number and a status page."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector.core.clock import local_date, now_iso, utc_now
from inspector.core.ledger import Role, Severity
from inspector.reports.pdf_signboard import CITY_HOTLINE, DUTIES
from inspector.server.db import run_transaction
from inspector.server.encoding import loads
from inspector.server.models import Finding, PublicReport, Subject
from inspector.server.web import photos
from inspector.server.web.cases import street_name
from inspector.server.web.commands import WebActor, send
from inspector.server.web.pages import context_of, render, signer
from inspector.server.web.security import WebRefusalError, client_address, hit

router = APIRouter(include_in_schema=False)

PUBLIC_CATEGORY = "群众举报"
SOURCE = "public_report"  # the finding's 发现方式 (群众举报), in its payload
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def _subject(session: Session, code: str) -> Subject:
    row = session.scalar(select(Subject).where(Subject.code == code, Subject.active.is_(True))) if code else None
    if row is None:
        raise WebRefusalError(
            404, "没有找到该责任单位，请核对公示牌上的二维码", "no such unit: check the QR code on the board"
        )
    return row


def _board(session: Session, subject: Subject) -> dict[str, Any]:
    details = loads(subject.details) or {}
    return {
        "name": subject.name,
        "code": subject.code,
        "address": subject.address or "",
        "street": street_name(session, subject.jurisdiction),
        "zone": str(details.get("zone") or ""),
        "person": str(details.get("responsible_person") or ""),
        "phone": str(details.get("street_phone") or CITY_HOTLINE),
        "duties": DUTIES,
    }


def _form(request: Request, code: str, status: int = 200, **values: Any) -> Response:
    context = context_of(request)
    with context.db.read() as session:
        subject = _subject(session, code)
        board = _board(session, subject)
    question, challenge = signer(request).challenge(utc_now())
    return render(
        request,
        "public.html",
        status=status,
        purpose=f"s:{subject.id}",
        board=board,
        question=question,
        challenge=challenge,
        **values,
    )


@router.get("/s/{code}")
def public_page(request: Request, code: str) -> Response:
    return _form(request, code)


@router.post("/s/{code}/report")
async def public_report(
    request: Request,
    code: str,
    csrf: Annotated[str, Form()] = "",
    what: Annotated[str, Form(max_length=2000)] = "",
    where: Annotated[str, Form(max_length=500)] = "",
    phone: Annotated[str, Form(max_length=40)] = "",
    challenge: Annotated[str, Form(max_length=200)] = "",
    answer: Annotated[str, Form(max_length=20)] = "",
    photo: Annotated[UploadFile | None, Form()] = None,
) -> Response:
    context = context_of(request)
    with context.db.read() as session:
        subject = _subject(session, code)
        board = _board(session, subject)
    signer(request).check_csrf(request, csrf, f"s:{subject.id}")
    signer(request).check_challenge(challenge, answer, utc_now())
    if not what.strip():
        raise WebRefusalError(400, "请写明发现了什么问题", "please say what the problem is")
    data = await photo.read(context.settings.web_upload_bytes + 1) if photo is not None and photo.filename else b""
    settings = context.settings

    def count(session: Session) -> None:
        now = utc_now()
        hit(session, f"s-addr:{client_address(request)}", settings.web_reports_per_hour_per_address, HOUR, now)
        hit(session, f"s-subject:{subject.id}", settings.web_reports_per_day_per_subject, DAY, now)

    run_transaction(context.db, count)
    actor = WebActor(str(uuid.uuid4()), Role.PUBLIC, "群众举报", subject.jurisdiction)
    hashes = photos.store_photos(context, [data], actor.actor_id) if data else []
    finding_id = str(uuid.uuid4())
    payload: dict[str, Any] = {
        "description": what.strip(),
        "category": PUBLIC_CATEGORY,
        "kind": "problem",  # a 城市管理问题 (the case kinds of the ledger, where it has them)
        "severity": Severity.GENERAL.value,
        "jurisdiction": subject.jurisdiction,
        "subject_id": subject.id,
        "location": {"address": where.strip() or board["address"] or board["name"]},
        "photos": hashes,
        "source": SOURCE,
        "actor_kind": Role.PUBLIC.value,
    }
    if phone.strip():
        payload["reporter_phone"] = phone.strip()
    send(context, actor, finding_id, "report", payload, None)
    receipt = _receipt()

    def record(session: Session) -> None:
        session.add(PublicReport(receipt=receipt, finding_id=finding_id, subject_id=subject.id, created_at=now_iso()))

    run_transaction(context.db, record)
    return RedirectResponse(f"/s/r/{receipt}", status_code=303)


def _receipt() -> str:
    day = local_date(utc_now()).strftime("%Y%m%d")
    return f"JB{day}-" + "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))


@router.get("/s/r/{receipt}")
def report_status(request: Request, receipt: str) -> Response:
    context = context_of(request)
    with context.db.read() as session:
        report = session.get(PublicReport, receipt[:32])
        finding = session.get(Finding, report.finding_id) if report is not None else None
        if report is None or finding is None:
            raise WebRefusalError(404, "没有这个回执编号", "no report has this receipt number")
        subject = session.get(Subject, report.subject_id)
        data = loads(finding.data)
    return render(
        request,
        "status.html",
        receipt=report.receipt,
        created_at=report.created_at,
        state=finding.state,
        description=data.get("description", ""),
        subject_name=subject.name if subject is not None else "",
    )
