"""The authoritative ledger in the database: hash-chained events, projected findings, ledger numbers, verification."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from inspector.core.clock import local_date, parse_iso
from inspector.core.jurisdiction import Level, parse_code, street_of
from inspector.core.ledger import Action, Event, FindingState, Kind, State, finding_json, project
from inspector.core.records import plain_value
from inspector.server.db import insert_ignore, one_of
from inspector.server.encoding import ZERO_HASH, canonical_json, loads, sha256_text
from inspector.server.models import Finding, FindingEvent, Jurisdiction, LedgerCounter

# ---------------------------------------------------------------------------------------------------------------
# Events and their hash chain
# ---------------------------------------------------------------------------------------------------------------

HASHED_FIELDS = (
    "event_id",
    "finding_id",
    "index",
    "action",
    "actor_id",
    "at",
    "recorded_at",
    "payload",
    "base_state",
    "prev_hash",
)


def event_hash(document: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of the hashed fields (which include prev_hash)."""
    return sha256_text(canonical_json({name: document[name] for name in HASHED_FIELDS}))


def row_document(row: FindingEvent) -> dict[str, Any]:
    """The hashed document of a stored event, rebuilt from its columns."""
    return {
        "event_id": row.event_id,
        "finding_id": row.finding_id,
        "index": row.idx,
        "action": row.action,
        "actor_id": row.actor_id,
        "at": row.at,
        "recorded_at": row.recorded_at,
        "payload": loads(row.payload),
        "base_state": row.base_state,
        "prev_hash": row.prev_hash,
    }


def event_reply(row: FindingEvent | dict[str, Any], actor_name: str | None = None) -> dict[str, Any]:
    """An event as replies and the feed carry it (the hashed document plus its hash and the actor's name)."""
    document = row_document(row) if isinstance(row, FindingEvent) else {k: row[k] for k in HASHED_FIELDS}
    hash_value = row.hash if isinstance(row, FindingEvent) else row["hash"]
    return {**document, "hash": hash_value, "actor_name": actor_name}


def core_event(row: FindingEvent) -> Event:
    """A stored event as the core state machine's Event."""
    return Event(
        event_id=row.event_id,
        finding_id=row.finding_id,
        action=Action(row.action),
        actor_id=row.actor_id,
        at=parse_iso(row.at),
        payload=loads(row.payload),
        base_state=State(row.base_state) if row.base_state else None,
    )


def finding_document(state: FindingState, head_hash: str, updated_at: str) -> dict[str, Any]:
    """A finding as replies and the feed carry it: the projection plus head hash and update time."""
    return {**finding_json(state), "head_hash": head_hash, "updated_at": updated_at}


def finding_row_values(
    state: FindingState, document: dict[str, Any], created_at: str, document_json: str | None = None
) -> dict[str, Any]:
    """Column values of the findings row for a projected state and its document (and its canonical JSON text, when
    already made)."""
    return {
        "id": state.finding_id,
        "jurisdiction": state.jurisdiction,
        "state": state.state.value,
        "severity": state.severity.value if state.severity else None,
        "kind": state.kind.value,
        "source": state.source.value,
        "escalation": state.escalation.value if state.escalation else None,
        "deadline": state.deadline.isoformat() if state.deadline else None,
        "category": state.category,
        "subject_id": state.subject_id,
        "ledger_number": state.ledger_number,
        "data": document_json or canonical_json(document),
        "event_count": state.event_count,
        "head_hash": document["head_hash"],
        "created_at": created_at,
        "updated_at": document["updated_at"],
    }


@dataclass
class Chain:
    """A finding's current state and the end of its hash chain."""

    state: FindingState | None = None
    head_hash: str = ZERO_HASH
    count: int = 0
    created_at: str | None = None
    updated_at: str | None = None
    exists_in_db: bool = False
    _document: dict[str, Any] | None = None
    _document_json: str | None = None

    def advance(self, state: FindingState, head_hash: str, index: int, stamp: str) -> None:
        """Move the chain to the state after a newly appended event."""
        self.state, self.head_hash, self.count = state, head_hash, index
        self.created_at = self.created_at or stamp
        self.updated_at = stamp
        self._document = None
        self._document_json = None

    def document(self) -> dict[str, Any] | None:
        """The finding as replies carry it, or None when it does not exist yet (computed once per state)."""
        if self.state is None:
            return None
        if self._document is None:
            self._document = finding_document(self.state, self.head_hash, self.updated_at or "")
        return self._document

    def document_json(self) -> str:
        """The document as canonical JSON text (made once per state: the row, the feed and replies share it)."""
        if self._document_json is None:
            self._document_json = canonical_json(self.document())
        return self._document_json


def load_chains(session: Session, finding_ids: Iterable[str], lock: bool) -> dict[str, Chain]:
    """The current chains of these findings (locking their rows, in id order, when asked)."""
    ids = sorted(set(finding_ids))
    chains = {finding_id: Chain() for finding_id in ids}
    if not ids:
        return chains
    query = (
        select(Finding.id, Finding.created_at, Finding.updated_at, Finding.kind)
        .where(one_of(session, Finding.id, ids))
        .order_by(Finding.id)
    )
    rows = session.execute(query.with_for_update() if lock else query).all()
    existing = [row.id for row in rows]
    if not existing:
        return chains
    kinds = {row.id: Kind(row.kind) for row in rows}
    for row in rows:
        chains[row.id].exists_in_db = True
        chains[row.id].created_at = row.created_at
        chains[row.id].updated_at = row.updated_at
    events = session.scalars(
        select(FindingEvent)
        .where(one_of(session, FindingEvent.finding_id, existing))
        .order_by(FindingEvent.finding_id, FindingEvent.idx)
    )
    for finding_id, group in groupby(events, key=lambda row: row.finding_id):
        stored = list(group)
        chain = chains[finding_id]
        chain.state = project((core_event(row) for row in stored), kinds[finding_id])
        chain.head_hash = stored[-1].hash
        chain.count = stored[-1].idx
    return chains


@dataclass(frozen=True)
class NewEvent:
    """The next event of a chain as it is stored and sent: its hashed document (with the hash), and the canonical
    texts of its payload and of its hashed fields, each encoded once for the row, the hash and the reply."""

    document: dict[str, Any]
    payload_json: str
    hashed_json: str

    @property
    def hash(self) -> str:
        return str(self.document["hash"])

    def reply_json(self, actor_name: str | None) -> str:
        """The event as replies and the feed carry it (see event_reply), as JSON text."""
        return f'{self.hashed_json[:-1]},"hash":{canonical_json(self.hash)},"actor_name":{canonical_json(actor_name)}}}'

    def row_values(self) -> dict[str, Any]:
        """Column values of its finding_events row."""
        return event_row_values(self.document, self.payload_json)


def new_event_document(chain: Chain, event: Event, recorded_at: str, at_text: str) -> NewEvent:
    """The next event of a chain, hashed."""
    payload = dict(event.payload)  # plain JSON already: parsed from the request, checked by its schema
    document: dict[str, Any] = {
        "event_id": event.event_id,
        "finding_id": event.finding_id,
        "index": chain.count + 1,
        "action": event.action.value,
        "actor_id": event.actor_id,
        "at": at_text,
        "recorded_at": recorded_at,
        "payload": payload,
        "base_state": event.base_state.value if event.base_state else None,
        "prev_hash": chain.head_hash,
    }
    payload_json = canonical_json(payload)
    hashed_json = hashed_fields_json(document, payload_json)
    document["hash"] = sha256_text(hashed_json)
    return NewEvent(document, payload_json, hashed_json)


def hashed_fields_json(document: dict[str, Any], payload_json: str) -> str:
    """canonical_json of the hashed fields, with the payload's canonical text spliced in rather than encoded again.

    In sorted key order the payload comes right before prev_hash, and every quote inside a string value is escaped,
    so the last `,"prev_hash":` of the text is the key itself.
    """
    text = canonical_json({name: document[name] for name in HASHED_FIELDS if name != "payload"})
    cut = text.rindex(',"prev_hash":')
    return f'{text[:cut]},"payload":{payload_json}{text[cut:]}'


def event_row_values(document: dict[str, Any], payload_json: str | None = None) -> dict[str, Any]:
    """Column values of a finding_events row (the payload's canonical text is made here unless given)."""
    return {
        "event_id": document["event_id"],
        "finding_id": document["finding_id"],
        "idx": document["index"],
        "action": document["action"],
        "actor_id": document["actor_id"],
        "at": document["at"],
        "recorded_at": document["recorded_at"],
        "payload": canonical_json(document["payload"]) if payload_json is None else payload_json,
        "base_state": document["base_state"],
        "prev_hash": document["prev_hash"],
        "hash": document["hash"],
    }


# ---------------------------------------------------------------------------------------------------------------
# Ledger numbers
# ---------------------------------------------------------------------------------------------------------------


def street_code(code: str) -> str:
    """The 街乡 code (full 15 digits) that contains a code at 街乡 level or below."""
    parsed = parse_code(code)
    if parsed.level < Level.STREET:
        raise ValueError(f"jurisdiction {code} is above 街乡 level")
    return parsed.street.ljust(15, "0")


def lock_counter(session: Session, street: str, year: int) -> int:
    """The last number of a (街乡, year) counter, created at 0 when new; the row stays locked until the transaction
    ends."""
    insert_ignore(session, LedgerCounter, [{"street": street, "year": year, "last": 0}])
    return int(
        session.execute(
            select(LedgerCounter.last)
            .where(LedgerCounter.street == street, LedgerCounter.year == year)
            .with_for_update()
        ).scalar_one()
    )


def short_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """Short names (e.g. 朝阳, 三里屯) of jurisdiction codes."""
    wanted = sorted(set(codes))
    rows = session.execute(select(Jurisdiction.code, Jurisdiction.short_name).where(Jurisdiction.code.in_(wanted)))
    return {row.code: row.short_name for row in rows}


@dataclass(frozen=True)
class LedgerNumber:
    """A ledger number `{区}-{街乡}-{年}-{序号:05d}` offered to an accept: its text, its (街乡, year) counter and its
    place in it."""

    text: str
    counter: tuple[str, int]
    value: int


@dataclass
class LedgerNumbers:
    """The ledger numbers one transaction hands out.

    Each (街乡, year) counter row is locked and read once, at its first number; later numbers are counted here and
    the counters are written back by `save()` before the commit. The row stays locked until then, so numbers stay
    unique and gap-free under concurrent pushes and across server processes. A number offered to an accept that
    is then refused is not taken (`take` is called only for an applied accept), so none is skipped.
    """

    session: Session
    _last: dict[tuple[str, int], int] = field(default_factory=dict)
    _taken: set[tuple[str, int]] = field(default_factory=set)
    _names: dict[str, str] = field(default_factory=dict)

    def next_number(self, jurisdiction: str, now: datetime) -> LedgerNumber:
        """The number the next accept of a finding in this jurisdiction gets if it is applied."""
        street = street_code(jurisdiction)
        district = street[:6].ljust(15, "0")
        counter = (street, local_date(now).year)
        if counter not in self._last:
            self._last[counter] = lock_counter(self.session, *counter)
        missing = {street, district} - set(self._names)
        if missing:
            found = short_names(self.session, missing)
            fallback = {code: code[:6] if code == district else street_of(code) for code in missing}
            self._names.update({code: found.get(code, fallback[code]) for code in missing})
        value = self._last[counter] + 1
        text = f"{self._names[district]}-{self._names[street]}-{counter[1]}-{value:05d}"
        return LedgerNumber(text, counter, value)

    def take(self, number: LedgerNumber) -> None:
        """The accept that was offered this number was applied."""
        self._last[number.counter] = number.value
        self._taken.add(number.counter)

    def save(self) -> None:
        """Write the counters that moved (inside the transaction that took the numbers)."""
        for street, year in sorted(self._taken):
            self.session.execute(
                update(LedgerCounter)
                .where(LedgerCounter.street == street, LedgerCounter.year == year)
                .values(last=self._last[(street, year)])
            )
        self._taken.clear()


# ---------------------------------------------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class VerifyReport:
    """What `ledger verify` found."""

    findings: int = 0
    events: int = 0
    problems: list[str] = field(default_factory=list)
    root: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def _chain_problems(finding_id: str, rows: list[FindingEvent]) -> tuple[list[str], str]:
    """Breaks in one finding's chain, and the recomputed head hash."""
    problems = []
    previous = ZERO_HASH
    for expected_index, row in enumerate(rows, start=1):
        where = f"finding {finding_id} event {row.event_id} (#{row.idx})"
        if row.idx != expected_index:
            problems.append(f"{where}: index {row.idx} where {expected_index} was expected (an event is missing)")
        if row.prev_hash != previous:
            problems.append(f"{where}: prev_hash does not link to the previous event (an event was removed or edited)")
        recomputed = event_hash(row_document(row))
        if recomputed != row.hash:
            problems.append(f"{where}: content does not match its hash (the event was edited)")
        previous = row.hash
    return problems, previous


def _what_changed(recorded: int, rows: list[FindingEvent]) -> str:
    """What a head that no longer matches the finding row most likely means, in words."""
    if len(rows) < recorded:
        at_the_end = [row.idx for row in rows] == list(range(1, len(rows) + 1))
        return "the last event was removed" if at_the_end else "an event before the last was removed"
    if len(rows) > recorded:
        return "an event was added outside the server"
    return "an event was edited"


def _projection_problems(finding: Finding | None, finding_id: str, rows: list[FindingEvent], head: str) -> list[str]:
    if finding is None:
        return [f"finding {finding_id}: events exist but the finding row is missing"]
    problems = []
    if finding.head_hash != head or finding.event_count != len(rows):
        problems.append(
            f"finding {finding_id}: the finding row records {finding.event_count} events ending in "
            f"{finding.head_hash[:12]}…, the chain has {len(rows)} ending in {head[:12]}… "
            f"({_what_changed(finding.event_count, rows)})"
        )
    try:
        state = project((core_event(row) for row in rows), Kind(finding.kind))
    except ValueError as error:
        return [*problems, f"finding {finding_id}: the events no longer form a valid history ({error})"]
    stored = loads(finding.data)
    projected = plain_value(state)
    differing = sorted(key for key, value in projected.items() if stored.get(key) != value)
    if differing:
        problems.append(f"finding {finding_id}: the stored finding differs from its events in {', '.join(differing)}")
    return problems


def _events_by_finding(session: Session) -> Iterator[tuple[str, list[FindingEvent]]]:
    rows = session.scalars(
        select(FindingEvent).order_by(FindingEvent.finding_id, FindingEvent.idx).execution_options(yield_per=2000)
    )
    for finding_id, group in groupby(rows, key=lambda row: row.finding_id):
        yield finding_id, list(group)


def verify_ledger(session: Session) -> VerifyReport:
    """Recompute every chain; report edited, missing or reordered events and findings that disagree with them."""
    report = VerifyReport()
    findings = {row.id: row for row in session.scalars(select(Finding))}
    heads: dict[str, str] = {}
    for finding_id, rows in _events_by_finding(session):
        report.events += len(rows)
        problems, heads[finding_id] = _chain_problems(finding_id, rows)
        report.problems.extend(problems)
        report.problems.extend(_projection_problems(findings.get(finding_id), finding_id, rows, heads[finding_id]))
    for finding_id in sorted(set(findings) - set(heads)):
        report.problems.append(f"finding {finding_id}: the finding row has no events (all its events were removed)")
    report.findings = len(findings)
    report.root = ledger_root(heads)
    return report


def ledger_root(heads: dict[str, str]) -> str:
    """SHA-256 over every finding id and its chain head, in id order (record it elsewhere to detect rewrites)."""
    digest = hashlib.sha256()
    for finding_id in sorted(heads):
        digest.update(f"{finding_id}:{heads[finding_id]}\n".encode())
    return digest.hexdigest()
