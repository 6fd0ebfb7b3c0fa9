"""Login, logout, the caller's profile, and devices (list, revoke)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector.core.protocol import ErrorCode
from inspector.server.api.deps import Context, CurrentPrincipal, CurrentScope
from inspector.server.auth import login, logout, parse_roles, revoke_device
from inspector.server.db import run_transaction
from inspector.server.errors import ApiError, not_found
from inspector.server.models import Device, Jurisdiction, User, UserJurisdiction
from inspector.server.schemas import LoginIn, Uuid
from inspector.server.scope import Scope

router = APIRouter(prefix="/api/v1", tags=["account"])


def user_document(session: Session, user_id: str) -> dict[str, Any]:
    """A user with roles and named jurisdictions."""
    user = session.get(User, user_id)
    assert user is not None
    rows = session.execute(
        select(UserJurisdiction.code, Jurisdiction.name, Jurisdiction.short_name)
        .join(Jurisdiction, Jurisdiction.code == UserJurisdiction.code, isouter=True)
        .where(UserJurisdiction.user_id == user_id)
        .order_by(UserJurisdiction.code)
    )
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "roles": sorted(role.value for role in parse_roles(user.roles)),
        "jurisdictions": [{"code": r.code, "name": r.name, "short_name": r.short_name} for r in rows],
    }


def device_document(device: Device, user: User | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": device.id,
        "device_id": device.device_id,
        "name": device.name,
        "created_at": device.created_at,
        "last_seen_at": device.last_seen_at,
        "revoked_at": device.revoked_at,
    }
    if user is not None:
        document["user"] = {"id": user.id, "username": user.username}
    return document


@router.post("/auth/login", summary="Log in with username, password and device id; returns a bearer token")
def post_login(body: LoginIn, request: Request, context: Context) -> dict[str, Any]:
    address = request.client.host if request.client else "unknown"
    result = login(
        context.db, context.settings, body.username, body.password, body.device_id, body.device_name, address
    )
    request.state.user_id = result.user_id
    with context.db.read() as session:
        device = session.get(Device, result.device_row_id)
        assert device is not None
        return {
            "token": result.token,
            "token_type": "bearer",
            "expires_at": result.expires_at,
            "user": user_document(session, result.user_id),
            "device": device_document(device),
        }


@router.post("/auth/logout", status_code=204, summary="End the caller's token")
def post_logout(principal: CurrentPrincipal, context: Context) -> Response:
    logout(context.db, principal)
    return Response(status_code=204)


@router.get("/me", summary="The caller's profile, device and token expiry")
def get_me(principal: CurrentPrincipal, context: Context) -> dict[str, Any]:
    with context.db.read() as session:
        device = session.get(Device, principal.device_row_id)
        assert device is not None
        return {
            "user": user_document(session, principal.user_id),
            "device": device_document(device),
            "token_expires_at": principal.token_expires_at,
        }


def _visible_devices(session: Session, scope: Scope, everyone: bool) -> list[tuple[Device, User]]:
    query = select(Device, User).join(User, User.id == Device.user_id).order_by(User.username, Device.created_at)
    query = query.where(scope.users_condition() if everyone else Device.user_id == scope.user_id)
    return [(row.Device, row.User) for row in session.execute(query)]


@router.get("/devices", summary="The caller's devices (an admin may ask for all=true)")
def get_devices(scope: CurrentScope, context: Context, all: bool = False) -> dict[str, Any]:
    if all and not scope.is_admin:
        raise ApiError(403, ErrorCode.FORBIDDEN, "只有管理员可以查看所有设备 (only an admin can list all devices)")
    with context.db.read() as session:
        return {"items": [device_document(d, u) for d, u in _visible_devices(session, scope, all)]}


@router.post("/devices/{device_row_id}/revoke", summary="Revoke a device: its tokens end, its next request gets 401")
def post_revoke(device_row_id: Uuid, scope: CurrentScope, context: Context) -> dict[str, Any]:
    def work(session: Session) -> dict[str, Any]:
        row = session.execute(
            select(Device, User).join(User, User.id == Device.user_id).where(Device.id == device_row_id)
        ).first()
        if row is None:
            raise not_found("device")
        device, user = row.Device, row.User
        if device.user_id != scope.user_id:
            manageable = session.scalar(select(User.id).where(User.id == user.id, scope.users_condition()))
            if manageable is None:
                raise not_found("device")
            if not scope.is_admin:
                raise ApiError(403, ErrorCode.FORBIDDEN, "只能撤销自己的设备 (you can only revoke your own devices)")
        revoke_device(session, device, scope.user_id)
        return device_document(device, user)

    return run_transaction(context.db, work)
