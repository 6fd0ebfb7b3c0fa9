"""The one place that decides what a caller may see and write: jurisdiction scope of every query and every write.

Every router and the push engine get a `Scope` for the authenticated user and use only its methods to filter
queries (`where`, `select`, `get`, `feed_condition`, `blob_visible`, `users_condition`) and to check writes
(`covers`, `require`, `actor`). A record is in scope when its 15-digit jurisdiction code lies inside one of the
user's codes (prefix containment, `inspector.core.jurisdiction`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from inspector.core.jurisdiction import JurisdictionCode, JurisdictionCodeError, parse_code
from inspector.core.ledger import Actor, Role
from inspector.server.models import (
    Blob,
    BlobHolder,
    BlobRef,
    FeedEntry,
    Finding,
    Inspection,
    Jurisdiction,
    Subject,
    User,
    UserJurisdiction,
)

M = TypeVar("M")

# The jurisdiction column of every scoped model.
SCOPED_COLUMNS: dict[type, InstrumentedAttribute[Any]] = {
    Finding: Finding.jurisdiction,
    Subject: Subject.jurisdiction,
    Inspection: Inspection.jurisdiction,
    Jurisdiction: Jurisdiction.code,
}


class OutOfScopeError(PermissionError):
    """A write aimed at a jurisdiction outside the caller's."""

    def __init__(self, code: str) -> None:
        super().__init__(f"辖区 {code} 不在您负责的范围内 (jurisdiction {code} is outside your jurisdictions)")
        self.code = code


def code_range(code: JurisdictionCode) -> tuple[str, str]:
    """The lowest and highest 15-digit codes inside a jurisdiction (an index-friendly prefix test)."""
    prefix = code.short
    return prefix.ljust(15, "0"), prefix.ljust(15, "9")


@dataclass(frozen=True)
class Scope:
    """What one authenticated user may reach."""

    user_id: str
    roles: frozenset[Role]
    codes: tuple[JurisdictionCode, ...]

    @classmethod
    def of(cls, user_id: str, roles: frozenset[Role], jurisdictions: tuple[str, ...] | list[str]) -> Scope:
        """The scope of a user; unreadable codes grant nothing."""
        parsed = []
        for text in jurisdictions:
            try:
                parsed.append(parse_code(text))
            except JurisdictionCodeError:
                continue
        return cls(user_id, frozenset(roles), tuple(sorted(set(parsed))))

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    def covers(self, code: str | None) -> bool:
        """Whether a record with this jurisdiction code is in scope."""
        if code is None:
            return False
        try:
            target = parse_code(code)
        except JurisdictionCodeError:
            return False
        return any(scope.contains(target) for scope in self.codes)

    def require(self, code: str) -> None:
        """Raise OutOfScopeError unless the code is in scope (the check before every write)."""
        if not self.covers(code):
            raise OutOfScopeError(code)

    @cached_property
    def _actor(self) -> Actor:
        return Actor(self.user_id, self.roles, frozenset(code.full for code in self.codes))

    def actor(self) -> Actor:
        """The caller as the ledger state machine's actor."""
        return self._actor

    def ancestors(self) -> list[str]:
        """The codes above the scope codes (a 街乡 user may see its district's name)."""
        return sorted({parent.full for code in self.codes for parent in code.ancestors()})

    # ---- queries ----

    def where(self, column: Any) -> ColumnElement[bool]:
        """SQL condition: the code in this column lies inside the scope."""
        if not self.codes:
            return false()
        return or_(*(column.between(*code_range(code)) for code in self.codes))

    def select(self, model: type[M]) -> Select[Any]:
        """SELECT of a scoped model, already filtered."""
        return select(model).where(self.where(SCOPED_COLUMNS[model]))

    def get(self, session: Session, model: type[M], key: Any) -> M | None:
        """One record by primary key when it is in scope, else None (missing and out of scope look the same)."""
        record = session.get(model, key)
        if record is None:
            return None
        return record if self.covers(getattr(record, SCOPED_COLUMNS[model].key)) else None

    def jurisdictions_condition(self) -> ColumnElement[bool]:
        """Jurisdiction rows visible to the caller: inside the scope, or an ancestor of a scope code."""
        return or_(self.where(Jurisdiction.code), Jurisdiction.code.in_(self.ancestors()))

    def feed_condition(self) -> ColumnElement[bool]:
        """Feed entries visible to the caller: global ones, in-scope ones, and the scope's ancestor jurisdictions and
        the campaigns they run."""
        return or_(
            FeedEntry.jurisdiction.is_(None),
            self.where(FeedEntry.jurisdiction),
            and_(
                FeedEntry.kind.in_(("jurisdiction", "campaign")), FeedEntry.jurisdiction.in_(self.ancestors())
            ),
        )

    def users_condition(self) -> ColumnElement[bool]:
        """Users an admin may manage: the caller, or anyone with a jurisdiction inside the caller's scope."""
        inside = exists().where(UserJurisdiction.user_id == User.id, self.where(UserJurisdiction.code))
        return or_(User.id == self.user_id, inside)

    def people_condition(self) -> ColumnElement[bool]:
        """Users whose names the caller's records may show: the caller, anyone working inside the caller's scope,
        and anyone whose jurisdiction contains a scope code (the supervisors above it)."""
        inside = exists().where(UserJurisdiction.user_id == User.id, self.where(UserJurisdiction.code))
        above = exists().where(UserJurisdiction.user_id == User.id, UserJurisdiction.code.in_(self.ancestors()))
        return or_(User.id == self.user_id, inside, above)

    def visible_blobs(self, session: Session, hashes: list[str]) -> set[str]:
        """The blobs among these that the server has and the caller may name and download: the caller sent their
        bytes (a holder), or a record in the caller's scope references them. Any other hash, stored or not, is
        answered alike."""
        if not hashes:
            return set()
        held = exists().where(BlobHolder.sha256 == Blob.sha256, BlobHolder.user_id == self.user_id)
        referenced = exists().where(BlobRef.sha256 == Blob.sha256, self.where(BlobRef.jurisdiction))
        query = select(Blob.sha256).where(Blob.sha256.in_(sorted(set(hashes))), or_(held, referenced))
        return set(session.scalars(query))

    def blob_visible(self, session: Session, sha256: str) -> bool:
        """Whether the caller may download a blob: it sent its bytes, or an in-scope record references it."""
        return bool(self.visible_blobs(session, [sha256]))


def scope_of(principal: Any) -> Scope:
    """The scope of an authenticated principal (anything with user_id, roles and jurisdictions)."""
    return Scope.of(principal.user_id, principal.roles, principal.jurisdictions)
