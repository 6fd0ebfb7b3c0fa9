"""The leaders' dashboard (/dashboard): a session login with the server's argon2 accounts, the district's figures
per 街乡 with SVG charts, and a drill-down to a list and to one case. Read-only; scoped like the API."""

from __future__ import annotations

import hashlib
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import ColumnElement, and_, case, func, select, update
from sqlalchemy.orm import Session

from inspector.core.clock import local_date, parse_iso, to_iso, utc_now
from inspector.core.ledger import KIND_SHORT_LABELS, SOURCE_LABELS, Kind, Role, Source, State
from inspector.server import feed
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
from inspector.server.web.public import PUBLIC_CATEGORY
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


_STREET = func.substr(Finding.jurisdiction, 1, 9)
_OPEN_OR_SENT_BACK = (State.CLOSED.value, State.REJECTED.value)


def _scope_conditions(scope: Scope, street: str) -> list[ColumnElement[bool]]:
    conditions = [scope.where(Finding.jurisdiction)]
    if street.isdigit() and len(street) >= 9:
        conditions.append(Finding.jurisdiction.between(street[:9], street[:9] + "9" * 6))
    return conditions


def _overdue(now: datetime) -> ColumnElement[bool]:
    """Waiting on the unit past the end of its deadline day (Beijing): the deadline is before today."""
    return and_(Finding.state == State.ASSIGNED.value, Finding.deadline < local_date(now).isoformat())


def _street_figures(
    session: Session,
    conditions: list[ColumnElement[bool]],
    names: dict[str, str],
    now: datetime,
) -> list[figures.StreetFigures]:
    """Each 街乡's figures in one aggregate over the dashboard's index: counts by state, grade, kind and source,
    with the overdue and open 督办 cases among them (no case's document is read)."""
    overdue_case = case((_overdue(now), 1), else_=0)
    supervised_case = case(
        (and_(Finding.escalation.is_not(None), Finding.state.not_in(_OPEN_OR_SENT_BACK)), 1), else_=0
    )
    # grouped in the index's own column order, so the database counts in one pass without sorting; the
    # communities add up to their 街乡 in figures.street_figures
    columns = (Finding.jurisdiction, Finding.state, Finding.kind, Finding.source, Finding.severity)
    counted = select(*columns, func.count(), func.sum(overdue_case), func.sum(supervised_case)).where(*conditions)
    groups = [
        figures.Group(code[:9], state, severity, count, kind, source, int(late or 0), int(supervised or 0))
        for code, state, kind, source, severity, count, late, supervised in session.execute(counted.group_by(*columns))
    ]
    return figures.street_figures(groups, names)


def _months_and_public(
    session: Session, conditions: list[ColumnElement[bool]], now: datetime
) -> tuple[dict[str, int], dict[str, int], int]:
    """Cases reported and closed in each of the last twelve Beijing months, and the public's reports, in one pass
    over the index (one sum per month between its bounds: no grouping, no sort)."""
    bounds = figures.month_bounds(now)
    closed_state = Finding.state == State.CLOSED.value
    sums: list[Any] = []
    for _, start, end in bounds:
        made = Finding.created_at >= start if end is None else Finding.created_at.between(start, end)
        # a closed case changes no more (a reopen moves it out of closed): its row's update is its closing
        done = Finding.updated_at >= start if end is None else Finding.updated_at.between(start, end)
        sums += [func.sum(case((made, 1), else_=0)), func.sum(case((and_(closed_state, done), 1), else_=0))]
    sums.append(func.sum(case((Finding.category == PUBLIC_CATEGORY, 1), else_=0)))
    row = session.execute(select(*sums).where(*conditions)).one()
    reported = {month: int(row[2 * index] or 0) for index, (month, _, _) in enumerate(bounds)}
    closed = {month: int(row[2 * index + 1] or 0) for index, (month, _, _) in enumerate(bounds)}
    return reported, closed, int(row[-1] or 0)


def _names(session: Session) -> dict[str, str]:
    return {row.code: row.name for row in session.execute(select(Jurisdiction.code, Jurisdiction.name))}


FIGURES_KEPT = 64
_Figures = tuple[list[figures.StreetFigures], list[figures.StreetFigures], dict[str, int], dict[str, int], int]


def _kept(request: Request) -> OrderedDict[tuple[Any, ...], _Figures]:
    """This application's figures kept since the feed last moved (one per scope, 街乡 and day)."""
    kept: OrderedDict[tuple[Any, ...], _Figures] | None = getattr(request.app.state, "web_figures", None)
    if kept is None:
        kept = OrderedDict()
        request.app.state.web_figures = kept
    return kept


def _district(session: Session, scope: Scope, street: str, now: datetime, this_month: str) -> _Figures:
    """The dashboard's figures, each counted by the database in one aggregate over the findings' index."""
    names = _names(session)
    conditions = _scope_conditions(scope, street)
    streets = _street_figures(session, conditions, names, now)
    ranked = _street_figures(session, [*conditions, Finding.created_at >= this_month], names, now)
    reported, closed, public_count = _months_and_public(session, conditions, now)
    return streets, ranked, reported, closed, public_count


@router.get("/dashboard")
def dashboard(request: Request, street: str = "") -> Response:
    viewer = _viewer(request)
    now = utc_now()
    this_month = to_iso(figures.month_start(now))
    with context_of(request).db.read() as session:
        # the figures change only with the ledger: kept per scope, 街乡 and day until the feed moves on
        key = (tuple(code.full for code in viewer.scope.codes), street, feed.head(session), local_date(now))
        kept = _kept(request)
        found = kept.get(key)
        if found is None:
            found = _district(session, viewer.scope, street, now, this_month)
            kept[key] = found
            while len(kept) > FIGURES_KEPT:
                kept.popitem(last=False)
    streets, ranked, reported, closed, public_count = found
    months = [(month, reported.get(month, 0), closed.get(month, 0)) for month in figures.last_months(now)]
    return render(
        request,
        "dashboard.html",
        purpose=f"d:{viewer.session_hash}",
        viewer=viewer,
        whole=figures.totals(streets),
        streets=streets,
        ranking=figures.ranking(ranked),
        bars=figures.bar_chart(streets),
        trend=figures.trend_chart(months),
        months=months,
        street=street,
        public_count=public_count,
    )


@router.get("/dashboard/cases")
def case_list(
    request: Request, street: str = "", state: str = "", overdue: str = "", kind: str = "", source: str = ""
) -> Response:
    viewer = _viewer(request)
    now = utc_now()
    with context_of(request).db.read() as session:
        names = _names(session)
        conditions = _scope_conditions(viewer.scope, street)
        if state in {item.value for item in State}:
            conditions.append(Finding.state == state)
        if kind in {item.value for item in Kind}:
            conditions.append(Finding.kind == kind)
        if source in {item.value for item in Source}:
            conditions.append(Finding.source == source)
        if overdue:
            conditions.append(_overdue(now))
        count = session.scalar(select(func.count()).select_from(Finding).where(*conditions)) or 0
        listed = select(
            Finding.id, Finding.jurisdiction, Finding.state, Finding.severity, Finding.created_at, Finding.data
        ).where(*conditions)
        rows = [
            figures.CaseRow(row.id, row.jurisdiction, row.state, row.severity, row.created_at, loads(row.data))
            for row in session.execute(listed.order_by(Finding.created_at.desc()).limit(LIST_LIMIT))
        ]
    return render(
        request,
        "cases.html",
        purpose=f"d:{viewer.session_hash}",
        viewer=viewer,
        rows=rows,
        count=count,
        street_name=names.get(figures.street_code(street), "") if street.isdigit() else "",
        state=state,
        overdue=bool(overdue),
        kind_label=KIND_SHORT_LABELS[Kind(kind)] if kind in {item.value for item in Kind} else "",
        source_label=SOURCE_LABELS[Source(source)] if source in {item.value for item in Source} else "",
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
    if not visible:
        raise WebRefusalError(404, "没有这张照片", "no such photo")
    return photos.photo_response(context, sha256)
