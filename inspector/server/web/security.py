"""The web pages' protections: a signing secret, CSRF tokens, the Content-Security-Policy, cookies, rate limits
kept in the database, and the arithmetic challenge of the public's form."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector.core.clock import parse_iso, to_iso
from inspector.server.db import insert_ignore
from inspector.server.models import WebThrottle
from inspector.server.settings import Settings

CSRF_COOKIE = "insp_csrf"
SESSION_COOKIE = "insp_session"
CHALLENGE_SECONDS = 30 * 60
# No script at all: the pages are plain forms; photos are taken with the phone's own file picker.
CSP = (
    "default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


class WebRefusalError(Exception):
    """A request a page refuses; `status`, and the message shown to people in Chinese and English."""

    def __init__(self, status: int, zh: str, en: str, retry_after: int | None = None) -> None:
        super().__init__(f"{zh} ({en})")
        self.status = status
        self.zh = zh
        self.en = en
        self.retry_after = retry_after


@dataclass(frozen=True)
class Signer:
    """Signs and checks the pages' tokens with the server's web secret."""

    key: bytes

    @classmethod
    def of(cls, settings: Settings) -> Signer:
        secret = settings.web_secret or secrets.token_hex(32)
        return cls(hashlib.sha256(("inspector-web:" + secret).encode()).digest())

    def sign(self, *parts: str) -> str:
        message = "\x1f".join(parts).encode("utf-8")
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()[:40]

    def valid(self, signature: str, *parts: str) -> bool:
        return hmac.compare_digest(signature.encode(), self.sign(*parts).encode())

    # ---- CSRF: a random cookie and, in each form, its signature for the form's purpose ----

    def csrf_for(self, nonce: str, purpose: str) -> str:
        return self.sign("csrf", nonce, purpose)

    def check_csrf(self, request: Request, sent: str | None, purpose: str) -> None:
        nonce = request.cookies.get(CSRF_COOKIE) or ""
        if not nonce or not sent or not self.valid(sent, "csrf", nonce, purpose):
            raise WebRefusalError(
                403,
                "表单已失效或来源不明，请刷新页面后重新提交",
                "the form has expired or did not come from this site: reload the page and send it again",
            )

    # ---- the public form's challenge: a small sum, its numbers and time signed in the form ----

    def challenge(self, now: datetime) -> tuple[str, str]:
        """A question and the signed token the form carries with it."""
        first, second = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
        stamp = str(int(now.timestamp()))
        token = f"{first}.{second}.{stamp}.{self.sign('challenge', str(first), str(second), stamp)}"
        return f"{first} + {second} = ?", token

    def check_challenge(self, token: str, answer: str, now: datetime) -> None:
        wrong = WebRefusalError(400, "验证算式答案不对，请重新计算", "the answer to the sum is wrong: try again")
        parts = token.split(".")
        if len(parts) != 4 or not all(part.isdigit() for part in parts[:3]):
            raise wrong
        first, second, stamp, signature = parts
        if not self.valid(signature, "challenge", first, second, stamp):
            raise wrong
        age = now.timestamp() - int(stamp)
        if not 0 <= age <= CHALLENGE_SECONDS:
            raise WebRefusalError(
                400, "验证已过期，请刷新页面重新填写", "the check has expired: reload the page and fill it in again"
            )
        if answer.strip() != str(int(first) + int(second)):
            raise wrong


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def cookie_secure(request: Request, settings: Settings) -> bool:
    """Cookies are Secure over TLS, behind a TLS proxy, and always outside development mode."""
    return request.url.scheme == "https" or settings.tls_proxy or not settings.dev_mode


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def hit(session: Session, key: str, limit: int, window: timedelta, now: datetime) -> None:
    """Count one post of this key in its fixed window; refuses (429) past the limit."""
    stamp = to_iso(now)
    insert_ignore(session, WebThrottle, [{"key": key[:200], "window_start": stamp, "count": 0}])
    row = session.scalar(select(WebThrottle).where(WebThrottle.key == key[:200]).with_for_update())
    assert row is not None
    started = parse_iso(row.window_start)
    if now - started >= window:
        row.window_start, row.count = stamp, 0
        started = now
    if row.count >= limit:
        retry = max(1, int((started + window - now).total_seconds()))
        raise WebRefusalError(
            429,
            f"提交过于频繁，请 {max(1, retry // 60)} 分钟后再试",
            f"too many submissions: try again in {max(1, retry // 60)} minute(s)",
            retry,
        )
    row.count += 1
