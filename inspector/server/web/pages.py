"""Rendering the web pages: the Jinja2 templates (every value escaped), the page headers, the CSRF cookie, the
refusal page, and the labels the pages share."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from inspector.core.clock import local, parse_iso
from inspector.core.ledger import ACTION_LABELS, SEVERITY_LABELS, STATE_LABELS, Action, Severity, State
from inspector.server.api.deps import ServerContext
from inspector.server.web.security import (
    CSRF_COOKIE,
    PAGE_HEADERS,
    Signer,
    WebRefusalError,
    cookie_secure,
    new_nonce,
)

log = logging.getLogger("inspector.server.web")
HERE = Path(__file__).parent
STATIC = HERE / "static"

ENVIRONMENT = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(text: str | None) -> str:
    """A stored UTC time as Beijing local time, to the minute."""
    if not text:
        return ""
    return local(parse_iso(text)).strftime("%Y-%m-%d %H:%M")


def _state(value: str | None) -> str:
    try:
        return STATE_LABELS[State(value or "")]
    except ValueError:
        return value or ""


def _action(value: str | None) -> str:
    try:
        return ACTION_LABELS[Action(value or "")]
    except ValueError:
        return value or ""


def _severity(value: str | None) -> str:
    try:
        return SEVERITY_LABELS[Severity(value or "")]
    except ValueError:
        return value or ""


ENVIRONMENT.filters.update(when=_when, state=_state, action=_action, severity=_severity)


def signer(request: Request) -> Signer:
    return request.app.state.web_signer  # type: ignore[no-any-return]


def context_of(request: Request) -> ServerContext:
    return request.app.state.context  # type: ignore[no-any-return]


def render(request: Request, template: str, status: int = 200, purpose: str = "", **values: Any) -> HTMLResponse:
    """A page with its security headers; when `purpose` is given, its forms carry a CSRF token for that purpose
    (and the CSRF cookie is set when the browser has none)."""
    nonce = request.cookies.get(CSRF_COOKIE)
    fresh = not nonce
    nonce = nonce or new_nonce()
    csrf = signer(request).csrf_for(nonce, purpose) if purpose else ""
    values.setdefault("request_id", getattr(request.state, "request_id", ""))
    html = ENVIRONMENT.get_template(template).render(csrf=csrf, **values)
    response = HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)
    if fresh and purpose:
        set_cookie(request, response, CSRF_COOKIE, nonce, None, path="/")
    return response


def set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int | None, path: str = "/"
) -> None:
    settings = context_of(request).settings
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        secure=cookie_secure(request, settings),
        httponly=True,
        samesite="strict",
    )


def refusal_page(request: Request, error: WebRefusalError) -> HTMLResponse:
    """The page for a refused request: what went wrong in both languages, and the request id."""
    log.info("web refusal %s: %s (request %s)", error.status, error.en, getattr(request.state, "request_id", ""))
    response = render(request, "refused.html", status=error.status, zh=error.zh, en=error.en)
    if error.retry_after:
        response.headers["retry-after"] = str(error.retry_after)
    return response
