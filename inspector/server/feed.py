"""The change feed: entries staged during a transaction get their sequence numbers as the last step before commit.

Writers call `stage()`; a `before_commit` hook locks the one-row counter, takes a block of numbers and inserts the
staged entries. Because the counter row stays locked until the commit, sequence numbers become visible in commit
order, so a reader that has seen `seq = n` can never later find a newly committed entry below n (see the protocol
document, section 7).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, event, select, update
from sqlalchemy.orm import Session

from inspector.core.clock import now_iso
from inspector.core.protocol import FeedKind
from inspector.server.db import insert_rows
from inspector.server.encoding import dumps, loads
from inspector.server.models import FeedCounter, FeedEntry
from inspector.server.scope import Scope

KINDS: tuple[str, ...] = tuple(kind.value for kind in FeedKind)
_PENDING = "inspector_pending_feed"


@dataclass(frozen=True)
class FeedPage:
    """One page of the feed for one caller; each entry is kept as the JSON text it is sent as."""

    entries_json: list[str]
    next: int
    has_more: bool
    head: int

    @property
    def entries(self) -> list[dict[str, Any]]:
        """The entries as objects."""
        return [loads(text) for text in self.entries_json]

    def to_json(self) -> str:
        """The reply of `GET /feed` (protocol §7), assembled from the entries' texts."""
        flags = f'"next":{self.next},"has_more":{dumps(self.has_more)},"head":{self.head}'
        return f'{{"entries":[{",".join(self.entries_json)}],{flags}}}'


def stage(session: Session, kind: str, entity_id: str, jurisdiction: str | None, data: Any) -> None:
    """Queue an entry; it is written (and numbered) when the session commits."""
    stage_json(session, kind, entity_id, jurisdiction, dumps(data))


def stage_json(session: Session, kind: str, entity_id: str, jurisdiction: str | None, data_json: str) -> None:
    """Queue an entry whose data is already JSON text."""
    if kind not in KINDS:
        raise ValueError(f"unknown feed kind {kind!r}")
    session.info.setdefault(_PENDING, []).append((kind, entity_id, jurisdiction, data_json))


def discard_staged(session: Session) -> None:
    """Forget staged entries (the work that staged them was abandoned)."""
    session.info.pop(_PENDING, None)


def publish(session: Session) -> None:
    """Number and insert the staged entries while holding the counter row lock until commit."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    last = session.execute(
        update(FeedCounter)
        .where(FeedCounter.id == 1)
        .values(last=FeedCounter.last + len(pending))
        .returning(FeedCounter.last)
    ).scalar_one()
    first = last - len(pending) + 1
    at = now_iso()
    insert_rows(
        session.connection(),
        cast(Table, FeedEntry.__table__),  # the driver's executemany: the ORM's bulk path costs more than the rows
        [
            {"seq": first + offset, "kind": kind, "entity_id": entity_id, "jurisdiction": code, "data": data, "at": at}
            for offset, (kind, entity_id, code, data) in enumerate(pending)
        ],
    )


@event.listens_for(Session, "before_commit")
def _publish_before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint ending: the entries wait for the real commit (and the counter stays unlocked until then)
    publish(session)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    discard_staged(session)


def head(session: Session) -> int:
    """The highest sequence number committed so far."""
    return int(session.scalar(select(FeedCounter.last).where(FeedCounter.id == 1)) or 0)


def read_page(session: Session, scope: Scope, since: int, limit: int) -> FeedPage:
    """Entries after `since` visible to the caller, at most `limit`, never beyond the committed head."""
    top = head(session)
    rows = session.execute(
        select(FeedEntry)
        .where(FeedEntry.seq > since, FeedEntry.seq <= top, scope.feed_condition())
        .order_by(FeedEntry.seq)
        .limit(limit + 1)
    ).scalars()
    page = list(rows)
    has_more = len(page) > limit
    page = page[:limit]
    next_cursor = page[-1].seq if has_more else max(since, top)
    return FeedPage([_entry_json(row) for row in page], next_cursor, has_more, top)


def _entry_json(row: FeedEntry) -> str:
    """One feed entry as JSON text; its stored data text is spliced in, not decoded and encoded again."""
    fields = {"seq": row.seq, "kind": row.kind, "id": row.entity_id, "jurisdiction": row.jurisdiction, "at": row.at}
    return f'{dumps(fields)[:-1]},"data":{row.data}}}'
