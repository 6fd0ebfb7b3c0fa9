"""The responsible unit's case links (/u/<token>): issued when a finding is assigned, stored hashed, expiring,
revocable; announced to the laptops through the feed (`unit_link`, docs/sync-protocol.md §7.1)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from inspector.core.clock import parse_iso, to_iso
from inspector.core.ledger import State
from inspector.core.protocol import FeedKind
from inspector.server import feed
from inspector.server.models import Finding, UnitLink
from inspector.server.settings import Settings

TOKEN_BYTES = 24  # 192 random bits
_CLOSED = frozenset({State.CLOSED.value, State.REJECTED.value})


def token_hash(token: str) -> str:
    """What is stored for a token: its SHA-256."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class UnitLinks:
    """How links are issued: the public address they start with and how long they last."""

    base_url: str
    days: int

    @classmethod
    def of(cls, settings: Settings) -> UnitLinks:
        return cls(settings.public_base_url.rstrip("/"), settings.unit_link_days)

    def url(self, token: str) -> str:
        return f"{self.base_url}/u/{token}"

    def issue(self, session: Session, finding_id: str, jurisdiction: str, now: datetime) -> str:
        """A new link for this finding (earlier ones of the finding end); its entry is staged in the feed. Returns
        the token (shown once: only its hash is kept)."""
        stamp = to_iso(now)
        session.execute(
            update(UnitLink)
            .where(UnitLink.finding_id == finding_id, UnitLink.revoked_at.is_(None))
            .values(revoked_at=stamp, revoked_by=None)
        )
        token = secrets.token_urlsafe(TOKEN_BYTES)
        expires = to_iso(now + timedelta(days=self.days))
        session.add(
            UnitLink(
                id=str(uuid.uuid4()),
                finding_id=finding_id,
                token_hash=token_hash(token),
                created_at=stamp,
                expires_at=expires,
            )
        )
        data = {"finding_id": finding_id, "url": self.url(token), "expires_at": expires, "revoked": False}
        feed.stage(session, FeedKind.UNIT_LINK, finding_id, jurisdiction, data)
        return token


@dataclass(frozen=True)
class OpenLink:
    """A link that may be used now, and its finding's row."""

    link: UnitLink
    finding: Finding


class LinkRefusedError(LookupError):
    """The token names no usable link: unknown, another finding's, revoked, expired or its case is closed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def open_link(session: Session, token: str, now: datetime) -> OpenLink:
    """The usable link behind a token, or LinkRefusedError saying why not (unknown | revoked | expired | closed)."""
    if not token or len(token) > 100:
        raise LinkRefusedError("unknown")
    link = session.scalar(select(UnitLink).where(UnitLink.token_hash == token_hash(token)))
    if link is None:
        raise LinkRefusedError("unknown")
    if link.revoked_at is not None:
        raise LinkRefusedError("revoked")
    if parse_iso(link.expires_at) <= now:
        raise LinkRefusedError("expired")
    finding = session.get(Finding, link.finding_id)
    if finding is None:
        raise LinkRefusedError("unknown")
    if finding.state in _CLOSED:
        raise LinkRefusedError("closed")
    return OpenLink(link, finding)


def revoke(session: Session, finding_id: str, by_user_id: str | None, now: datetime) -> int:
    """End every live link of a finding; the laptops hear of it through the feed. Returns how many ended."""
    stamp = to_iso(now)
    live = list(
        session.scalars(select(UnitLink.id).where(UnitLink.finding_id == finding_id, UnitLink.revoked_at.is_(None)))
    )
    if live:
        session.execute(update(UnitLink).where(UnitLink.id.in_(live)).values(revoked_at=stamp, revoked_by=by_user_id))
    ended = len(live)
    finding = session.get(Finding, finding_id)
    if ended and finding is not None:
        data = {"finding_id": finding_id, "url": None, "expires_at": None, "revoked": True}
        feed.stage(session, FeedKind.UNIT_LINK, finding_id, finding.jurisdiction, data)
    return ended
