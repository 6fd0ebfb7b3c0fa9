"""The responsible unit's page (/u/<token>): the case, 签收, and the fix reported with photos from the phone."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from inspector.core.clock import utc_now
from inspector.core.ledger import Action, Role, State
from inspector.server.db import run_transaction
from inspector.server.web import photos
from inspector.server.web.cases import case_view
from inspector.server.web.commands import WebActor, send
from inspector.server.web.links import LinkRefusedError, OpenLink, open_link
from inspector.server.web.pages import context_of, render, signer
from inspector.server.web.security import WebRefusalError, client_address, hit

router = APIRouter(include_in_schema=False)

# The unit's extension request is the ledger's own action where the ledger has it (申请延期); the form shows then.
REQUEST_EXTENSION: str | None = next((action.value for action in Action if action.value == "request_extension"), None)

MAX_PHOTOS = 6
HOUR = timedelta(hours=1)
_LINK_REFUSALS = {
    "unknown": ("链接无效，请核对整改通知书上的二维码", "this link is not valid: check the QR code on the notice"),
    "revoked": ("该链接已被撤销，请联系发出通知书的街乡", "this link was revoked: contact the office that issued it"),
    "expired": ("该链接已过期，请联系发出通知书的街乡", "this link has expired: contact the office that issued it"),
    "closed": ("该案件已办结，链接不再可用", "this case is closed: the link no longer works"),
}


def _open(request: Request, token: str) -> OpenLink:
    context = context_of(request)
    with context.db.read() as session:
        try:
            opened = open_link(session, token, utc_now())
            request.state.user_id = f"unit:{opened.link.id}"  # the request's log line names the unit's link
            return opened
        except LinkRefusedError as error:
            refused = error.reason
    # every refused token counts against the address, so guessing is slow
    run_transaction(
        context.db,
        lambda session: hit(session, f"u-miss:{client_address(request)}", 30, HOUR, utc_now()),
    )
    zh, en = _LINK_REFUSALS[refused]
    raise WebRefusalError(404 if refused == "unknown" else 410, zh, en)


def _count_post(request: Request, opened: OpenLink) -> None:
    context = context_of(request)
    limit = context.settings.web_unit_posts_per_hour

    def count(session: object) -> None:
        now = utc_now()
        hit(session, f"u-link:{opened.link.id}", limit, HOUR, now)  # type: ignore[arg-type]
        hit(session, f"u-addr:{client_address(request)}", limit * 2, HOUR, now)  # type: ignore[arg-type]

    run_transaction(context.db, count)


def _actor(opened: OpenLink, unit_name: str) -> WebActor:
    return WebActor(opened.link.id, Role.UNIT, f"责任单位 {unit_name}".strip(), opened.finding.jurisdiction)


@router.get("/u/{token}")
def unit_page(request: Request, token: str, done: str = "") -> Response:
    opened = _open(request, token)
    with context_of(request).db.read() as session:
        view = case_view(session, opened.finding)
    return render(
        request,
        "unit.html",
        purpose=f"u:{opened.link.id}",
        case=view,
        token=token,
        done=done,
        assigned=opened.finding.state == State.ASSIGNED.value,
        max_photos=MAX_PHOTOS,
        can_extend=REQUEST_EXTENSION is not None,
    )


@router.get("/u/{token}/photo/{sha256}")
def unit_photo(request: Request, token: str, sha256: str) -> Response:
    opened = _open(request, token)
    context = context_of(request)
    with context.db.read() as session:
        view = case_view(session, opened.finding)
    if sha256 not in view.all_photos():
        raise WebRefusalError(404, "没有这张照片", "no such photo")
    return photos.photo_response(context, sha256)


@router.post("/u/{token}/sign")
def unit_sign(
    request: Request,
    token: str,
    csrf: Annotated[str, Form()] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    phone: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    opened = _open(request, token)
    signer(request).check_csrf(request, csrf, f"u:{opened.link.id}")
    if not name.strip() or not phone.strip():
        raise WebRefusalError(400, "请填写签收人姓名和电话", "please give the signer's name and phone")
    _count_post(request, opened)
    unit = _unit_name(request, opened)
    payload = {"signer_name": name.strip(), "signer_phone": phone.strip(), "actor_kind": Role.UNIT.value}
    send(context_of(request), _actor(opened, unit), opened.finding.id, "sign", payload, State.ASSIGNED.value)
    return RedirectResponse(f"/u/{token}?done=sign", status_code=303)


@router.post("/u/{token}/fix")
async def unit_fix(
    request: Request,
    token: str,
    csrf: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    photo: Annotated[list[UploadFile] | None, Form()] = None,
) -> Response:
    opened = _open(request, token)
    signer(request).check_csrf(request, csrf, f"u:{opened.link.id}")
    context = context_of(request)
    files = [item for item in (photo or []) if item.filename]
    if not note.strip():
        raise WebRefusalError(400, "请写明整改情况", "please say what was done")
    if not files:
        raise WebRefusalError(400, "请至少上传一张整改后的照片", "please add at least one photo taken after the fix")
    if len(files) > MAX_PHOTOS:
        raise WebRefusalError(400, f"最多上传 {MAX_PHOTOS} 张照片", f"at most {MAX_PHOTOS} photos")
    limit = context.settings.web_upload_bytes
    contents = [await item.read(limit + 1) for item in files]
    _count_post(request, opened)
    hashes = photos.store_photos(context, contents, opened.link.id)
    payload = {"description": note.strip(), "after_photos": hashes, "actor_kind": Role.UNIT.value}
    unit = _unit_name(request, opened)
    send(context, _actor(opened, unit), opened.finding.id, "rectify", payload, State.ASSIGNED.value)
    return RedirectResponse(f"/u/{token}?done=fix", status_code=303)


@router.post("/u/{token}/extend")
def unit_extend(
    request: Request,
    token: str,
    csrf: Annotated[str, Form()] = "",
    deadline: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    opened = _open(request, token)
    signer(request).check_csrf(request, csrf, f"u:{opened.link.id}")
    if REQUEST_EXTENSION is None:
        raise WebRefusalError(
            404, "暂不支持在线申请延期，请联系发出通知书的街乡", "ask the issuing office for more time"
        )
    if not deadline.strip() or not reason.strip():
        raise WebRefusalError(400, "请填写希望延至的日期和理由", "please give the new date and the reason")
    _count_post(request, opened)
    payload = {"deadline": deadline.strip(), "reason": reason.strip(), "actor_kind": Role.UNIT.value}
    unit = _unit_name(request, opened)
    send(context_of(request), _actor(opened, unit), opened.finding.id, REQUEST_EXTENSION, payload, State.ASSIGNED.value)
    return RedirectResponse(f"/u/{token}?done=extend", status_code=303)


def _unit_name(request: Request, opened: OpenLink) -> str:
    with context_of(request).db.read() as session:
        view = case_view(session, opened.finding)
    return str(view.data.get("responsible_unit") or "")
