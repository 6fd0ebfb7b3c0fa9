"""Accounts and sessions: argon2 passwords, opaque device-bound bearer tokens, login throttling."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from inspector.core.clock import parse_iso, to_iso, utc_now
from inspector.core.ids import new_id
from inspector.core.jurisdiction import JurisdictionCodeError, parse_code
from inspector.core.ledger import Role
from inspector.core.protocol import ErrorCode
from inspector.server.db import Database, run_transaction
from inspector.server.errors import ApiError
from inspector.server.models import Device, LoginThrottle, Token, User, UserJurisdiction
from inspector.server.settings import Settings

TOKEN_PREFIX = "ins1_"
LAST_SEEN_RESOLUTION = timedelta(minutes=5)
_REVOKING_REASONS = {"revoked", "password_reset", "disabled"}


class AccountError(ValueError):
    """A user-management request that cannot be done (unknown user, bad role, bad code); the message says why."""


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of a request."""

    user_id: str
    username: str
    display_name: str
    roles: frozenset[Role]
    jurisdictions: tuple[str, ...]
    device_row_id: str
    token_hash: str
    token_expires_at: str


def password_hasher(settings: Settings) -> PasswordHasher:
    """The argon2id hasher with the configured cost."""
    return PasswordHasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib)


def token_digest(token: str) -> str:
    """What is stored for a token: its SHA-256."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh opaque bearer token (32 random bytes)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def parse_roles(text: str) -> frozenset[Role]:
    """Roles from their comma-separated stored form."""
    return frozenset(Role(part) for part in text.split(",") if part)


def format_roles(roles: list[str] | frozenset[Role] | tuple[str, ...]) -> str:
    """Validated comma-separated roles; raises AccountError for an unknown role."""
    names = sorted({str(role).strip() for role in roles if str(role).strip()})
    known = {role.value for role in Role}
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise AccountError(f"roles must be among {', '.join(sorted(known))}; got {', '.join(names) or 'none'}")
    return ",".join(names)


def normalize_codes(codes: list[str] | tuple[str, ...]) -> list[str]:
    """Full 15-digit codes; raises AccountError for an invalid one."""
    result = []
    for code in codes:
        try:
            result.append(parse_code(code).full)
        except JurisdictionCodeError as error:
            raise AccountError(str(error)) from None
    if not result:
        raise AccountError("a user needs at least one jurisdiction")
    return sorted(set(result))


# ---------------------------------------------------------------------------------------------------------------
# Login throttling
# ---------------------------------------------------------------------------------------------------------------


def throttle_keys(username: str, address: str) -> dict[str, str]:
    """The counter keys of a login attempt: per username and per client address."""
    return {"user": f"user:{username.strip().lower()}", "address": f"addr:{address}"}


def _retry_after(session: Session, key: str, limit: int, settings: Settings) -> int:
    """Seconds until this key may try again, or 0 when it is not over its limit."""
    row = session.get(LoginThrottle, key)
    if row is None or row.failures < limit:
        return 0
    ends = parse_iso(row.window_start) + timedelta(seconds=settings.login_window_seconds)
    remaining = (ends - utc_now()).total_seconds()
    return max(1, int(remaining + 0.999)) if remaining > 0 else 0


def check_throttle(session: Session, username: str, address: str, settings: Settings) -> None:
    """Raise 429 when the username or the address has too many recent failures."""
    keys = throttle_keys(username, address)
    wait = max(
        _retry_after(session, keys["user"], settings.login_max_failures_per_user, settings),
        _retry_after(session, keys["address"], settings.login_max_failures_per_address, settings),
    )
    if wait:
        raise ApiError(
            429,
            ErrorCode.RATE_LIMITED,
            f"登录失败次数过多，请 {wait} 秒后再试 (too many failed logins; try again in {wait} s)",
            {"retry_after": wait},
            {"Retry-After": str(wait)},
        )


def record_failure(session: Session, username: str, address: str, settings: Settings) -> None:
    """Count one failed login against the username and the address."""
    now = utc_now()
    for key in throttle_keys(username, address).values():
        row = session.get(LoginThrottle, key, with_for_update=True)
        if row is None:
            session.add(LoginThrottle(key=key, window_start=to_iso(now), failures=1))
        elif parse_iso(row.window_start) + timedelta(seconds=settings.login_window_seconds) <= now:
            row.window_start, row.failures = to_iso(now), 1
        else:
            row.failures += 1


def clear_failures(session: Session, username: str) -> None:
    """A successful login clears the username's count (not the address's)."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == throttle_keys(username, "")["user"]))


# ---------------------------------------------------------------------------------------------------------------
# Login, logout, authentication
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    """What a successful login hands back."""

    token: str
    expires_at: str
    user_id: str
    device_row_id: str


def _password_matches(hasher: PasswordHasher, stored_hash: str | None, password: str) -> bool:
    """Verify a password; an unknown user still costs one verification (no timing hint)."""
    try:
        if stored_hash is None:
            hasher.verify(_dummy_hash(hasher), password)
            return False
        return hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_DUMMY: dict[tuple[int, int], str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = (hasher.time_cost, hasher.memory_cost)
    if key not in _DUMMY:
        _DUMMY[key] = hasher.hash(secrets.token_hex(16))
    return _DUMMY[key]


def login(
    db: Database, settings: Settings, username: str, password: str, device_id: str, device_name: str, address: str
) -> LoginResult:
    """Check the password (outside any lock), then record the outcome; raises ApiError on refusal."""
    with db.read() as session:
        check_throttle(session, username, address, settings)
        user = session.scalar(select(User).where(User.username == username))
        stored = (user.id, user.password_hash, user.active) if user else None
    hasher = password_hasher(settings)
    if not _password_matches(hasher, stored[1] if stored else None, password):
        run_transaction(db, lambda s: record_failure(s, username, address, settings), retry_integrity=True)
        raise ApiError(401, ErrorCode.LOGIN_FAILED, "用户名或密码错误 (wrong username or password)")
    assert stored is not None
    user_id, stored_hash, active = stored
    if not active:
        raise ApiError(403, ErrorCode.ACCOUNT_DISABLED, "该账号已停用，请联系管理员 (this account is disabled)")
    rehash = hasher.hash(password) if hasher.check_needs_rehash(stored_hash) else None

    def record_success(session: Session) -> LoginResult:
        clear_failures(session, username)
        if rehash:
            session.execute(update(User).where(User.id == user_id).values(password_hash=rehash))
        return issue_token(session, settings, user_id, device_id, device_name)

    return run_transaction(db, record_success, retry_integrity=True)


def issue_token(session: Session, settings: Settings, user_id: str, device_id: str, device_name: str) -> LoginResult:
    """Create or refresh the device row, end its older tokens and store a new token's hash."""
    now = utc_now()
    stamp = to_iso(now)
    device = session.scalar(
        select(Device).where(Device.user_id == user_id, Device.device_id == device_id).with_for_update()
    )
    if device is None:
        device = Device(id=new_id(), user_id=user_id, device_id=device_id, name=device_name, created_at=stamp)
        session.add(device)
    device.name = device_name or device.name
    device.last_seen_at = stamp
    device.revoked_at = None
    device.revoked_by = None
    session.flush()
    end_tokens(session, Token.device_row_id == device.id, "replaced")
    token = new_token()
    expires = to_iso(now + timedelta(days=settings.token_lifetime_days))
    session.add(
        Token(
            token_hash=token_digest(token),
            user_id=user_id,
            device_row_id=device.id,
            created_at=stamp,
            expires_at=expires,
        )
    )
    return LoginResult(token=token, expires_at=expires, user_id=user_id, device_row_id=device.id)


def end_tokens(session: Session, condition: object, reason: str) -> int:
    """End every still-valid token matching the condition; returns how many."""
    result = session.execute(
        update(Token)
        .where(condition, Token.ended_at.is_(None))  # type: ignore[arg-type]
        .values(ended_at=to_iso(utc_now()), end_reason=reason)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def bearer_token(header: str | None) -> str:
    """The token of an `Authorization: Bearer …` header, or 401 unauthenticated."""
    if not header:
        raise ApiError(401, ErrorCode.UNAUTHENTICATED, "需要登录 (authentication required)")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise ApiError(401, ErrorCode.UNAUTHENTICATED, "需要 Bearer 令牌 (a Bearer token is required)")
    return value.strip()


# What every request needs to know about its token, as plain columns (no ORM objects: this runs on every request).
_TOKEN_QUERY = (
    select(
        Token.expires_at,
        Token.ended_at,
        Token.end_reason,
        Device.id.label("device_row_id"),
        Device.last_seen_at,
        Device.revoked_at,
        User.id.label("user_id"),
        User.username,
        User.display_name,
        User.roles,
        User.active,
    )
    .join(Device, Device.id == Token.device_row_id)
    .join(User, User.id == Token.user_id)
    .where(Token.token_hash == bindparam("digest"))
)
_CODES_QUERY = select(UserJurisdiction.code).where(UserJurisdiction.user_id == bindparam("user_id"))


def authenticate(db: Database, header: str | None) -> Principal:
    """The caller behind a bearer token, or the 401 that says why not (invalid, expired, revoked)."""
    digest = token_digest(bearer_token(header))
    with db.read_connection() as connection:
        row = connection.execute(_TOKEN_QUERY, {"digest": digest}).first()
        if row is None:
            raise ApiError(401, ErrorCode.TOKEN_INVALID, "登录已失效，请重新登录 (unknown token; log in again)")
        _refuse_ended(row)
        codes = tuple(connection.execute(_CODES_QUERY, {"user_id": row.user_id}).scalars())
    if parse_iso(row.last_seen_at) + LAST_SEEN_RESOLUTION < utc_now():
        run_transaction(db, lambda s: _touch_device(s, row.device_row_id))
    return Principal(
        user_id=row.user_id,
        username=row.username,
        display_name=row.display_name,
        roles=parse_roles(row.roles),
        jurisdictions=codes,
        device_row_id=row.device_row_id,
        token_hash=digest,
        token_expires_at=row.expires_at,
    )


def _refuse_ended(row: Any) -> None:
    """401 for a token that ended, expired, or whose device or user was stopped (a row of _TOKEN_QUERY)."""
    revoked = ApiError(
        401,
        ErrorCode.TOKEN_REVOKED,
        "这台设备的登录已被撤销，请重新登录 (this device's session was revoked; log in again)",
    )
    if row.revoked_at is not None or not row.active:
        raise revoked
    if row.ended_at is not None:
        if row.end_reason in _REVOKING_REASONS:
            raise revoked
        raise ApiError(401, ErrorCode.TOKEN_INVALID, "登录已结束，请重新登录 (this session has ended; log in again)")
    if parse_iso(row.expires_at) <= utc_now():
        raise ApiError(401, ErrorCode.TOKEN_EXPIRED, "登录已过期，请重新登录 (the session expired; log in again)")


def _touch_device(session: Session, device_row_id: str) -> None:
    session.execute(update(Device).where(Device.id == device_row_id).values(last_seen_at=to_iso(utc_now())))


def logout(db: Database, principal: Principal) -> None:
    """End the caller's token."""
    run_transaction(db, lambda s: end_tokens(s, Token.token_hash == principal.token_hash, "logout"))


def revoke_device(session: Session, device: Device, by_user_id: str) -> None:
    """Mark a device revoked and end all its tokens."""
    device.revoked_at = to_iso(utc_now())
    device.revoked_by = by_user_id
    end_tokens(session, Token.device_row_id == device.id, "revoked")


# ---------------------------------------------------------------------------------------------------------------
# User management (used by the CLI and the demo loader)
# ---------------------------------------------------------------------------------------------------------------


def create_user(
    session: Session,
    settings: Settings,
    username: str,
    password: str,
    roles: list[str],
    jurisdictions: list[str],
    display_name: str = "",
    is_demo: bool = False,
) -> User:
    """Add a user; raises AccountError when the name is taken or a field is invalid."""
    name = username.strip()
    if not name or len(name) > 64 or any(ch.isspace() for ch in name):
        raise AccountError(f"username {username!r}: 1-64 characters without spaces")
    if len(password) < 8:
        raise AccountError("the password needs at least 8 characters")
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise AccountError(f"user {name} already exists")
    stamp = to_iso(utc_now())
    user = User(
        id=new_id(),
        username=name,
        display_name=display_name.strip() or name,
        password_hash=password_hasher(settings).hash(password),
        roles=format_roles(roles),
        active=True,
        is_demo=is_demo,
        created_at=stamp,
        updated_at=stamp,
    )
    session.add(user)
    session.flush()
    for code in normalize_codes(jurisdictions):
        session.add(UserJurisdiction(user_id=user.id, code=code))
    return user


def find_user(session: Session, username: str) -> User:
    """The user with this name, or AccountError."""
    user = session.scalar(select(User).where(User.username == username).with_for_update())
    if user is None:
        raise AccountError(f"no user named {username}")
    return user


def set_password(session: Session, settings: Settings, username: str, password: str) -> User:
    """Replace a user's password and end all the user's sessions (they see token_revoked)."""
    if len(password) < 8:
        raise AccountError("the password needs at least 8 characters")
    user = find_user(session, username)
    user.password_hash = password_hasher(settings).hash(password)
    user.updated_at = to_iso(utc_now())
    end_tokens(session, Token.user_id == user.id, "password_reset")
    return user


def set_active(session: Session, username: str, active: bool) -> User:
    """Enable or disable a user; disabling ends all the user's sessions."""
    user = find_user(session, username)
    user.active = active
    user.updated_at = to_iso(utc_now())
    if not active:
        end_tokens(session, Token.user_id == user.id, "disabled")
    return user
