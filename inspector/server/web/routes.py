"""The web face put together: its routes, its stylesheet, and its refusal page, installed on the application."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from inspector.server.web import dashboard, links_api, public, self_check, unit
from inspector.server.web.pages import STATIC, refusal_page
from inspector.server.web.security import Signer, WebRefusalError

STYLESHEET = "/web/static/web.css"


def install_web(app: FastAPI) -> None:
    """Add the pages (/u/, /k/, /s/, /dashboard) to the application."""
    app.state.web_signer = Signer.of(app.state.context.settings)
    for router in (unit.router, self_check.router, public.router, dashboard.router, links_api.router):
        app.include_router(router)

    @app.get(STYLESHEET, include_in_schema=False)
    def stylesheet() -> Response:
        css = (STATIC / "web.css").read_bytes()
        return Response(css, media_type="text/css; charset=utf-8", headers={"cache-control": "public, max-age=3600"})

    @app.exception_handler(WebRefusalError)
    def refused(request: Request, error: WebRefusalError) -> Response:
        if error.status == 401 and request.url.path.startswith("/dashboard"):
            return RedirectResponse("/dashboard/login", status_code=303)
        return refusal_page(request, error)
