"""The leaders' dashboard (/dashboard): a session login with the server's argon2 accounts, the district's figures
per 街乡 with SVG charts, and a drill-down to a list and to one case. Read-only; scoped like the API."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from inspector.core.clock import parse_iso, to_iso, utc_now
from inspector.core.ledger import STATE_LABELS, Role, State
from inspector.server.auth import (
    check_throttle,
    clear_failures,
    parse_roles,
    password_hasher,
    record_failure,
)
from inspector.server.db import run_transaction
from inspector.server.encoding import loads
from inspector.server.errors import ApiError
from inspector.server.models import Finding, Jurisdiction, User, UserJurisdiction, WebSession
from inspector.server.scope import Scope
from inspector.server.web import figures, photos
from inspector.server.web.cases import case_view, receipt_of
from inspector.server.web.pages import context_of, render, set_cookie, signer
from inspector.server.web.public import SOURCE
from inspector.server.web.security import SESSION_COOKIE, WebRefusalError, client_address

router = APIRouter(include_in_schema=False)

SESSION_HOURS = 8
DASHBOARD_ROLES = frozenset({Role.LEADER, Role.SUPERVISOR, Role.ADMIN})
LIST_LIMIT = 200


@dataclass(frozen=True)
class Viewer:
    """The signed-in leader: who, and the scope the figures are cut to."""

    user_id: str
    name: str
    scope: Scope
    session_hash: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _viewer(request: Request) -> Viewer:
    token = request.cookies.get(SESSION_COOKIE) or ""
    context = context_of(request)
    if token:
        with context.db.read() as session:
            row = session.get(WebSession, _digest(token))
            user = session.get(User, row.user_id) if row is not None else None
            if row is not None and user is not None and _session_live(row, user):
                codes = list(session.scalars(select(UserJurisdiction.code).where(UserJurisdiction.user_id == user.id)))
                request.state.user_id = user.id
                scope = Scope.of(user.id, parse_roles(user.roles), codes)
                return Viewer(user.id, user.display_name, scope, row.token_hash)
    raise _LoginNeededError()


def _session_live(row: WebSession, user: User) -> bool:
    roles = parse_roles(user.roles)
    return (
        row.ended_at is None and parse_iso(row.expires_at) > utc_now() and user.active and bool(roles & DASHBOARD_ROLES)
    )


class _LoginNeededError(WebRefusalError):
    def __init__(self) -> None:
        super().__init__(401, "请先登录", "please sign in first")


@router.get("/dashboard/login")
def login_page(request: Request) -> Response:
    return render(request, "login.html", purpose="login")


@router.post("/dashboard/login")
def login(
    request: Request,
    csrf: Annotated[str, Form()] = "",
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    signer(request).check_csrf(request, csrf, "login")
    context = context_of(request)
    address = client_address(request)
    with context.db.read() as session:
        try:
            check_throttle(session, username, address, context.settings)
        except ApiError as error:
            wait = error.headers.get("Retry-After", "60") if error.headers else "60"
            raise WebRefusalError(
                429,
                f"登录失败次数过多，请 {wait} 秒后再试",
                f"too many failed sign-ins: try again in {wait} s",
                int(wait),
            ) from None
        user = session.scalar(select(User).where(User.username == username.strip()))
        stored = (user.id, user.password_hash, user.active, parse_roles(user.roles)) if user else None
    hasher = password_hasher(context.settings)
    try:
        good = stored is not None and hasher.verify(stored[1], password)
    except Exception:
        good = False
    if not good or stored is None:
        run_transaction(context.db, lambda s: record_failure(s, username, address, context.settings))
        return render(request, "login.html", status=401, purpose="login", failed=True)
    if not stored[2] or not stored[3] & DASHBOARD_ROLES:
        raise WebRefusalError(403, "该账号无权查看驾驶舱", "this account may not open the dashboard")
    token = secrets.token_urlsafe(32)
    now = utc_now()

    def start(session: Session) -> None:
        clear_failures(session, username)
        session.add(
            WebSession(
                token_hash=_digest(token),
                user_id=stored[0],
                created_at=to_iso(now),
                expires_at=to_iso(now + timedelta(hours=SESSION_HOURS)),
            )
        )

    run_transaction(context.db, start)
    response = RedirectResponse("/dashboard", status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token, SESSION_HOURS * 3600, path="/dashboard")
    return response


@router.post("/dashboard/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    viewer = _viewer(request)
    signer(request).check_csrf(request, csrf, f"d:{viewer.session_hash}")

    def end(session: Session) -> None:
        session.execute(
            update(WebSession).where(WebSession.token_hash == viewer.session_hash).values(ended_at=to_iso(utc_now()))
        )

    run_transaction(context_of(request).db, end)
    response = RedirectResponse("/dashboard/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/dashboard")
    return response


def _rows(session: Session, scope: Scope, street: str = "") -> list[figures.CaseRow]:
    query = select(Finding.id, Finding.jurisdiction, Finding.state, Finding.severity, Finding.created_at, Finding.data)
    query = query.where(scope.where(Finding.jurisdiction))
    if street:
        query = query.where(Finding.jurisdiction.between(street[:9], street[:9] + "9" * 6))
    return [
        figures.CaseRow(row.id, row.jurisdiction, row.state, row.severity, row.created_at, loads(row.data))
        for row in session.execute(query)
    ]


def _names(session: Session) -> dict[str, str]:
    return {row.code: row.name for row in session.execute(select(Jurisdiction.code, Jurisdiction.name))}


@router.get("/dashboard")
def dashboard(request: Request, street: str = "") -> Response:
    viewer = _viewer(request)
    now = utc_now()
    with context_of(request).db.read() as session:
        rows = _rows(session, viewer.scope, street if street.isdigit() else "")
        names = _names(session)
    streets = figures.street_figures(rows, names, now)
    whole = figures.totals(streets)
    months = figures.monthly(rows, now)
    return render(
        request,
        "dashboard.html",
        purpose=f"d:{viewer.session_hash}",
        viewer=viewer,
        whole=whole,
        streets=streets,
        ranking=figures.ranking(figures.street_figures(figures.of_month(rows, now), names, now)),
        bars=figures.bar_chart(streets),
        trend=figures.trend_chart(months),
        months=months,
        street=street,
        states=list(STATE_LABELS),
        public_count=sum(1 for row in rows if row.data.get("source") == SOURCE),
    )


@router.get("/dashboard/cases")
def case_list(request: Request, street: str = "", state: str = "", overdue: str = "") -> Response:
    viewer = _viewer(request)
    now = utc_now()
    with context_of(request).db.read() as session:
        rows = _rows(session, viewer.scope, street if street.isdigit() else "")
        names = _names(session)
    if state in {item.value for item in State}:
        rows = [row for row in rows if row.state == state]
    if overdue:
        rows = [row for row in rows if figures.is_overdue(row, now)]
    rows.sort(key=lambda row: row.created_at, reverse=True)
    return render(
        request,
        "cases.html",
        purpose=f"d:{viewer.session_hash}",
        viewer=viewer,
        rows=rows[:LIST_LIMIT],
        count=len(rows),
        street_name=names.get(street, ""),
        state=state,
        overdue=bool(overdue),
        now=now,
        is_overdue=figures.is_overdue,
    )


@router.get("/dashboard/case/{finding_id}")
def case_page(request: Request, finding_id: str) -> Response:
    viewer = _viewer(request)
    with context_of(request).db.read() as session:
        finding = viewer.scope.get(session, Finding, finding_id[:36])
        if finding is None:
            raise WebRefusalError(404, "没有这个案件，或不在您的辖区内", "no such case in your jurisdiction")
        view = case_view(session, finding)
        receipt = receipt_of(session, finding.id)
    return render(request, "case.html", purpose=f"d:{viewer.session_hash}", viewer=viewer, case=view, receipt=receipt)


@router.get("/dashboard/photo/{sha256}")
def dashboard_photo(request: Request, sha256: str) -> Response:
    viewer = _viewer(request)
    context = context_of(request)
    with context.db.read() as session:
        visible = viewer.scope.blob_visible(session, sha256[:64])
    path = photos.photo_path(context, sha256) if visible else None
    if path is None:
        raise WebRefusalError(404, "没有这张照片", "no such photo")
    return FileResponse(path, media_type=photos.media_type(path), headers={"cache-control": "private, max-age=3600"})
