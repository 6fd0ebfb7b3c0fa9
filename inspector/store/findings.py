"""Findings on the client: ledger commands checked by the core state machine, queued, and shown as pending.

A finding row holds two projections: `confirmed` (what the server has said) and the local view (confirmed plus the
commands still waiting to be pushed). Commands are events; nothing here overwrites ledger state directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlite_utils import Database

from inspector.core import ledger
from inspector.core.clock import local_date, now_iso, parse_iso, to_iso, utc_now
from inspector.core.ids import new_id
from inspector.core.ledger import Action, Actor, Event, FindingState, State
from inspector.core.protocol import ChangeKind
from inspector.store import documents, jsonutil, outbox, photos_wanted
from inspector.store.database import rows_in, transaction
from inspector.store.errors import InvalidRecordError, RecordNotFoundError, StoreError
from inspector.store.outbox import OutboxEntry

_CREATING = (Action.REPORT, Action.REPORT_FIXED_ON_SITE)


class CommandRefusedError(StoreError):
    """The state machine refused a command (illegal state, role, jurisdiction, payload…); nothing was stored."""

    code = "command_refused"

    def __init__(self, decision: ledger.Decision) -> None:
        refusal = decision.refusal
        if refusal is not None:
            super().__init__(refusal.zh, refusal.en, code=refusal.code)
        else:
            super().__init__(decision.reason, decision.reason, code=decision.code or None)
        self.decision = decision

    def __str__(self) -> str:
        return self.decision.reason


@dataclass(frozen=True)
class LocalFinding:
    """A finding as the client shows it: the local view, what the server confirmed, and flags."""

    view: FindingState
    confirmed: FindingState | None
    has_pending: bool
    has_conflict: bool
    inspection_id: str | None
    item_id: str | None
    updated_at: str

    @property
    def id(self) -> str:
        return self.view.finding_id

    def is_overdue(self, now: datetime | None = None) -> bool:
        """Waiting on its responsible unit past its deadline day (derived, never stored)."""
        return ledger.is_overdue(self.view, now or utc_now())


@dataclass(frozen=True)
class StoredEvent:
    """An event of a finding with its sync state."""

    event: Event
    origin: str
    sync_state: str
    reason: str | None
    server_seq: int | None


@dataclass(frozen=True)
class RecordedCommand:
    """What record_command stored: the event, the new local view and the outbox change id."""

    event: Event
    finding: FindingState
    change_id: str


# --------------------------------------------------------------------------------------------------------------
# JSON forms (protocol §6.2 and §6.3)
# --------------------------------------------------------------------------------------------------------------


def finding_to_json(finding: FindingState) -> dict[str, Any]:
    """A finding projection as plain JSON values."""
    return ledger.finding_json(finding)


_STATES: dict[str, State] = {member.value: member for member in State}
_ACTIONS: dict[str, Action] = {member.value: member for member in Action}
_SEVERITIES: dict[str, ledger.Severity] = {member.value: member for member in ledger.Severity}
_ESCALATIONS: dict[str, ledger.EscalationLevel] = {member.value: member for member in ledger.EscalationLevel}
_KINDS: dict[str, ledger.Kind] = {member.value: member for member in ledger.Kind}
_SOURCES: dict[str, ledger.Source] = {member.value: member for member in ledger.Source}


def finding_from_json(data: Mapping[str, Any]) -> FindingState:
    """A finding projection from its JSON form (extra keys such as head_hash are ignored). Enum members are looked up
    by value in a dict (an unknown value raises KeyError where the enum's call raises ValueError: both refuse the
    record), as a pull reads each finding's JSON once or twice."""
    try:
        return FindingState(
            finding_id=str(data["finding_id"]),
            state=_STATES[data["state"]],
            jurisdiction=str(data["jurisdiction"]),
            severity=_SEVERITIES[data["severity"]] if data.get("severity") else None,
            category=str(data["category"]),
            description=str(data["description"]),
            subject_id=data.get("subject_id"),
            ledger_number=data.get("ledger_number"),
            deadline=date.fromisoformat(data["deadline"]) if data.get("deadline") else None,
            responsible_unit=data.get("responsible_unit"),
            responsible_person=data.get("responsible_person"),
            responsible_phone=data.get("responsible_phone"),
            measures=data.get("measures"),
            funds=data.get("funds"),
            contingency_plan=data.get("contingency_plan"),
            rectified_by=data.get("rectified_by"),
            escalation=_ESCALATIONS[data["escalation"]] if data.get("escalation") else None,
            reported_by=str(data["reported_by"]),
            reported_at=parse_iso(data["reported_at"]),
            closed_at=parse_iso(data["closed_at"]) if data.get("closed_at") else None,
            photos=tuple(data.get("photos") or ()),
            after_photos=tuple(data.get("after_photos") or ()),
            event_count=int(data["event_count"]),
            last_event_id=str(data["last_event_id"]),
            kind=_KINDS[data.get("kind") or ledger.Kind.HAZARD],
            source=_SOURCES[data.get("source") or ledger.Source.PATROL],
            interim_controls=data.get("interim_controls"),
            governance_plan=tuple(data.get("governance_plan") or ()),
            reported_upward_to=data.get("reported_upward_to"),
            reported_upward_on=_optional_date(data.get("reported_upward_on")),
            escalation_unit=data.get("escalation_unit"),
            escalation_doc_no=data.get("escalation_doc_no"),
            escalation_deadline=_optional_date(data.get("escalation_deadline")),
            escalated_at=parse_iso(data["escalated_at"]) if data.get("escalated_at") else None,
            extension_count=int(data.get("extension_count") or 0),
            extension_reasons=tuple(data.get("extension_reasons") or ()),
            requested_deadline=_optional_date(data.get("requested_deadline")),
            requested_extension_reason=data.get("requested_extension_reason"),
            extension_on_behalf_of_unit=bool(data.get("extension_on_behalf_of_unit")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidRecordError("问题数据不完整或有误", f"malformed finding record: {exc}") from exc


def _optional_date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def event_to_json(event: Event) -> dict[str, Any]:
    """An event as plain JSON values."""
    return {
        "event_id": event.event_id,
        "finding_id": event.finding_id,
        "action": _action_text(event.action),
        "actor_id": event.actor_id,
        "at": to_iso(event.at),
        "payload": dict(event.payload),
        "base_state": _state_text(event.base_state),
    }


def _action_text(action: Action | str) -> str:
    return action._value_ if isinstance(action, Action) else Action(action).value


def _state_text(state: State | str | None) -> str | None:
    if state is None:
        return None
    return state._value_ if isinstance(state, State) else State(state).value


def event_from_json(data: Mapping[str, Any]) -> Event:
    """An event from its JSON form (server extras such as index and hashes are ignored)."""
    try:
        return Event(
            event_id=str(data["event_id"]),
            finding_id=str(data["finding_id"]),
            action=_ACTIONS[data["action"]],
            actor_id=str(data["actor_id"]),
            at=parse_iso(data["at"]),
            payload=dict(data.get("payload") or {}),
            base_state=_STATES[data["base_state"]] if data.get("base_state") else None,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidRecordError("事件数据不完整或有误", f"malformed finding event: {exc}") from exc


# --------------------------------------------------------------------------------------------------------------
# Local commands
# --------------------------------------------------------------------------------------------------------------


def record_command(
    db: Database,
    *,
    action: Action | str,
    actor: Actor,
    payload: Mapping[str, Any],
    finding_id: str | None = None,
    now: datetime | None = None,
    inspection_id: str | None = None,
    item_id: str | None = None,
) -> RecordedCommand:
    """Check a ledger command with the core state machine, then store its event, the new local view, the photo
    links and the `ledger.command` outbox entry in one transaction.

    For a report, finding_id may name the new finding (default: a new id); inspection_id/item_id tie it to the
    failed item it came from. Raises CommandRefusedError with the state machine's reason when the command is illegal.
    """
    moment = now or utc_now()
    with transaction(db):
        existing = _load(db, finding_id) if finding_id else None
        current = existing.view if existing else None
        decision = ledger.decide(current, action, actor, payload, moment, base_state=_state_of(current))
        if not decision.allowed:
            raise CommandRefusedError(decision)
        kind = Action(action)
        body = {**payload, **_origin_fields(kind, inspection_id, item_id)}
        event = Event(
            event_id=new_id(),
            finding_id=finding_id or new_id(),
            action=kind,
            actor_id=actor.user_id,
            at=moment,
            payload=body,
            base_state=_state_of(current),
        )
        view = ledger.apply(current, event)
        _require_photos(db, view)
        _save_view(db, view, existing, inspection_id if kind in _CREATING else None, item_id)
        _insert_event(db, event, origin="local", sync_state="pending", server_seq=None)
        _link_event_photos(db, event)
        change_id = outbox.enqueue(
            db, ChangeKind.LEDGER_COMMAND, event.finding_id, _command_payload(event), to_iso(moment)
        )
    return RecordedCommand(event, view, change_id)


def _state_of(finding: FindingState | None) -> State | None:
    return None if finding is None else finding.state


def _origin_fields(kind: Action, inspection_id: str | None, item_id: str | None) -> dict[str, str]:
    if kind not in _CREATING:
        return {}
    fields = {"inspection_id": inspection_id, "item_id": item_id}
    return {key: value for key, value in fields.items() if value}


def _command_payload(event: Event) -> dict[str, Any]:
    """The `ledger.command` payload (protocol §5.4)."""
    data = event_to_json(event)
    return {key: data[key] for key in ("event_id", "finding_id", "action", "payload", "base_state", "at")}


PLAN_ROLE = "plan"  # a 治理方案's file waiting to be fetched (a PDF is kept as a document, never linked as a photo)


def _require_photos(db: Database, finding: FindingState) -> None:
    for sha in (*finding.photos, *finding.after_photos, *finding.governance_plan):
        if db.execute("SELECT 1 FROM photos WHERE sha256 = ?", [sha]).fetchone() is not None:
            continue
        if sha in finding.governance_plan and documents.stored_beside(db, sha):  # a 治理方案 PDF
            continue
        raise RecordNotFoundError("photo", sha)


def _link_event_photos(db: Database, event: Event) -> None:
    """Photos named by an event become links of the finding (evidence) and of the event (after-photos)."""
    at = now_iso()
    groups = (("photos", "evidence"), ("after_photos", "after"))
    for field, role in groups:
        for sha in event.payload.get(field) or ():
            if db.execute("SELECT 1 FROM photos WHERE sha256 = ?", [sha]).fetchone() is None:
                # a server event may name a photo not downloaded yet: the links wait for it
                photos_wanted.want(db, [(sha, "finding", event.finding_id, "", role)], at)
                photos_wanted.want(db, [(sha, "finding_event", event.event_id, "", role)], at)
                continue
            for owner_kind, owner_id in (("finding", event.finding_id), ("finding_event", event.event_id)):
                db.execute(
                    "INSERT OR IGNORE INTO photo_links (photo_sha256, owner_kind, owner_id, item_id, role, "
                    "created_at) VALUES (?, ?, ?, '', ?, ?)",
                    [sha, owner_kind, owner_id, role, at],
                )


# --------------------------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------------------------


def _view_columns(view: FindingState, projection: str | None = None) -> dict[str, Any]:
    """The findings columns that show a view; `projection` is its JSON text when already made."""
    return {
        "state": view.state.value,
        "jurisdiction": view.jurisdiction,
        "severity": view.severity.value if view.severity else None,
        "kind": view.kind.value,
        "source": view.source.value,
        "extension_count": view.extension_count,
        "category": view.category,
        "description": view.description,
        "subject_id": view.subject_id,
        "ledger_number": view.ledger_number,
        "deadline": view.deadline.isoformat() if view.deadline else None,
        "responsible_unit": view.responsible_unit,
        "escalation": view.escalation.value if view.escalation else None,
        "reported_by": view.reported_by,
        "reported_at": to_iso(view.reported_at),
        "closed_at": to_iso(view.closed_at) if view.closed_at else None,
        "projection": projection or _projection_text(view),
    }


def _save_view(
    db: Database,
    view: FindingState,
    existing: LocalFinding | None,
    inspection_id: str | None = None,
    item_id: str | None = None,
) -> None:
    columns = _view_columns(view)
    at = now_iso()
    if existing is None:
        names = ", ".join(columns)
        db.execute(
            f"INSERT INTO findings (id, {names}, inspection_id, item_id, has_pending, updated_at) "
            f"VALUES (?, {', '.join('?' for _ in columns)}, ?, ?, 1, ?)",
            [view.finding_id, *columns.values(), inspection_id, item_id, at],
        )
        return
    assignments = ", ".join(f"{name} = ?" for name in columns)
    db.execute(
        f"UPDATE findings SET {assignments}, has_pending = 1, updated_at = ? WHERE id = ?",
        [*columns.values(), at, view.finding_id],
    )


def _insert_event(db: Database, event: Event, origin: str, sync_state: str, server_seq: int | None) -> None:
    data = event_to_json(event)
    at = now_iso()
    db.execute(
        "INSERT INTO finding_events (event_id, finding_id, action, actor_id, at, payload, base_state, origin, "
        "sync_state, server_seq, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            data["event_id"],
            data["finding_id"],
            data["action"],
            data["actor_id"],
            data["at"],
            jsonutil.dumps(data["payload"]),
            data["base_state"],
            origin,
            sync_state,
            server_seq,
            at,
            at,
        ],
    )


def _local_finding(row: Mapping[str, Any]) -> LocalFinding:
    return LocalFinding(
        view=finding_from_json(jsonutil.loads(row["projection"])),
        confirmed=_confirmed_of(row),
        has_pending=bool(row["has_pending"]),
        has_conflict=bool(row["has_conflict"]),
        inspection_id=row["inspection_id"],
        item_id=row["item_id"],
        updated_at=row["updated_at"],
    )


def _load(db: Database, finding_id: str) -> LocalFinding | None:
    row = _finding_row(db, finding_id)
    return None if row is None else _local_finding(row)


def get_or_none(db: Database, finding_id: str) -> LocalFinding | None:
    """One finding by id, or None."""
    return _load(db, finding_id)


def get(db: Database, finding_id: str) -> LocalFinding:
    """One finding by id."""
    found = _load(db, finding_id)
    if found is None:
        raise RecordNotFoundError("finding", finding_id)
    return found


def events(db: Database, finding_id: str) -> list[StoredEvent]:
    """A finding's events for its timeline: server-confirmed ones in server order, then local ones in order made."""
    rows = db.query(
        "SELECT * FROM finding_events WHERE finding_id = ? ORDER BY server_seq IS NULL, server_seq, created_at, rowid",
        [finding_id],
    )
    return [_stored_event(row) for row in rows]


def _stored_event(row: dict[str, Any]) -> StoredEvent:
    event = event_from_json({**row, "payload": jsonutil.loads(row["payload"], {})})
    return StoredEvent(event, row["origin"], row["sync_state"], row["reason"], row["server_seq"])


def _find_event(db: Database, event_id: str) -> StoredEvent | None:
    rows = list(db.query("SELECT * FROM finding_events WHERE event_id = ?", [event_id]))
    return _stored_event(rows[0]) if rows else None


def list_findings(
    db: Database,
    state: State | str | None = None,
    jurisdiction: str | None = None,
    subject_id: str | None = None,
    overdue_at: datetime | None = None,
    pending_only: bool = False,
    limit: int = 1000,
    states: Iterable[State] | None = None,
) -> list[LocalFinding]:
    """Findings for the ledger view, most recently changed first.

    jurisdiction matches the code and everything inside it; overdue_at keeps only those overdue at that instant;
    states keeps only findings in one of them.
    """
    clauses: list[str] = []
    params: list[Any] = []
    if state is not None:
        clauses.append("state = ?")
        params.append(State(state).value)
    if states is not None:
        # `+state`: read down the updated_at index and skip the other states. On the state index SQLite would read
        # every finding in those states and sort them all for the first `limit` (137 ms for 67,000 open findings).
        wanted = sorted(State(item).value for item in states)
        clauses.append(f"+state IN ({', '.join('?' for _ in wanted)})" if wanted else "0")
        params.extend(wanted)
    if jurisdiction is not None:
        from inspector.core.jurisdiction import parse_code

        clauses.append("jurisdiction LIKE ?")
        params.append(parse_code(jurisdiction).short + "%")
    if subject_id is not None:
        clauses.append("subject_id = ?")
        params.append(subject_id)
    if overdue_at is not None:  # past the unit's deadline (ledger.is_overdue); any stage: store.stage_clocks
        clauses.append("state = 'assigned' AND deadline IS NOT NULL AND deadline < ?")
        params.append(local_date(overdue_at).isoformat())
    if pending_only:
        clauses.append("has_pending = 1")
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = db.query(f"SELECT * FROM findings {where} ORDER BY updated_at DESC LIMIT ?", [*params, limit])
    return [_local_finding(row) for row in rows]


# --------------------------------------------------------------------------------------------------------------
# What the server says
#
# Settling reads the finding's row once, folds what the server said into the confirmed projection in memory, and
# writes only what changed: a push of thousands of commands, and the feed that brings them back, settle each
# finding in a handful of statements.
# --------------------------------------------------------------------------------------------------------------


def on_pulled(db: Database, data: Mapping[str, Any]) -> None:
    """The feed brought the server's projection of a finding: keep it as the confirmed state (a projection older than
    the one already confirmed, with fewer events, is ignored). Runs inside the caller's transaction."""
    _settle(db, None, None, None, finding_from_json(data))


def on_pulled_event(db: Database, data: Mapping[str, Any], server_seq: int | None = None) -> None:
    """The feed brought an event the server confirmed: keep it and fold it into the confirmed projection.

    An event that was made here becomes acknowledged; one from elsewhere is added. `index` (the event's position in
    its finding, protocol §6.2) avoids folding an event twice. Runs inside the caller's transaction.
    """
    _settle(db, event_from_json(data), data.get("index"), server_seq, None)


def on_applied(db: Database, entry: OutboxEntry, result: Mapping[str, Any]) -> None:
    """The server applied a ledger command: keep its event and projection when given, and settle the finding."""
    payload = entry.payload
    event_data = result.get("event") if isinstance(result.get("event"), Mapping) else None
    finding = finding_from_json(result["finding"]) if isinstance(result.get("finding"), Mapping) else None
    if event_data is None:
        stored = _find_event(db, str(payload.get("event_id")))
        event_data = event_to_json(stored.event) if stored is not None else None
    event = event_from_json(event_data) if event_data is not None else None
    finding_id = event.finding_id if event else finding.finding_id if finding else payload.get("finding_id")
    if finding is not None and finding.finding_id != finding_id:
        _settle(db, None, None, None, finding)
        finding = None
    if event is not None or finding is not None:
        _settle(db, event, event_data.get("index") if event_data else None, None, finding)
    elif finding_id and _finding_row(db, str(finding_id)) is not None:
        refresh(db, str(finding_id))


def on_refused(db: Database, entry: OutboxEntry, status: str, reason: str) -> None:
    """The server refused a ledger command: mark its event and rebuild the view without it."""
    payload = entry.payload
    db.execute(
        "UPDATE finding_events SET sync_state = ?, reason = ?, updated_at = ? WHERE event_id = ?",
        [status, reason, now_iso(), payload.get("event_id")],
    )
    finding_id = payload.get("finding_id")
    if finding_id and _finding_row(db, str(finding_id)) is not None:
        refresh(db, str(finding_id))


def refresh(db: Database, finding_id: str) -> LocalFinding:
    """Rebuild the local view: the confirmed projection plus the local commands still pending, in order.

    A pending command that no longer fits (the server moved on) is left out of the view; the server will answer it
    with a conflict. Flags: pending commands exist; an unresolved conflict exists.
    """
    row = _finding_row(db, finding_id)
    if row is None:
        raise RecordNotFoundError("finding", finding_id)
    _rebuild(db, row, _confirmed_of(row), confirmed_changed=False)
    return get(db, finding_id)


def _settle(
    db: Database, event: Event | None, index: Any, server_seq: int | None, finding: FindingState | None
) -> None:
    """Fold a server event and/or the server's projection of the same finding into its row; runs in a transaction.

    An event the given projection already includes is not folded again (a push result carries both). A finding first
    heard of here needs no rebuild: it can have no local commands or conflicts yet."""
    finding_id = event.finding_id if event is not None else finding.finding_id  # type: ignore[union-attr]
    row = _finding_row(db, finding_id)
    fresh = row is None
    before = _confirmed_of(row)
    confirmed = before
    touched = False
    if event is not None:
        covered = row is not None and finding is not None and isinstance(index, int) and index <= finding.event_count
        if not covered:
            confirmed = _fold_confirmed(confirmed, event, index)
        if row is None:
            if confirmed is None:
                raise InvalidRecordError(
                    "问题尚未上报，无法记录其后续事件", f"event {event.event_id} of an unknown finding cannot be stored"
                )
            row = _insert_confirmed(db, confirmed, *_origin_of(db, event))
            before = confirmed
        touched = _keep_server_event(db, event, server_seq)
        _link_event_photos(db, event)
    if finding is not None:
        if row is None:
            row = _insert_confirmed(db, finding, None, None)
            before = confirmed = finding
        elif confirmed is None or confirmed.event_count <= finding.event_count:
            confirmed = finding
    changed = confirmed is not None and confirmed != before
    if changed or (touched and not fresh):
        assert row is not None  # an event or a finding was given, and either found its row or made one
        _rebuild(db, row, confirmed, changed)


def _origin_of(db: Database, event: Event) -> tuple[str | None, str | None]:
    """The inspection and item a reported finding came from, when that inspection is known here."""
    inspection_id, item_id = event.payload.get("inspection_id"), event.payload.get("item_id")
    if not isinstance(inspection_id, str):
        return None, None
    if db.execute("SELECT 1 FROM inspections WHERE id = ?", [inspection_id]).fetchone() is None:
        return None, None
    return inspection_id, item_id if isinstance(item_id, str) else None


def _fold_confirmed(confirmed: FindingState | None, event: Event, index: Any) -> FindingState | None:
    if confirmed is not None and isinstance(index, int) and index <= confirmed.event_count:
        return confirmed  # already folded (e.g. the finding projection came first)
    try:
        return ledger.apply(confirmed, event)
    except ValueError:
        return confirmed  # out of order: the next finding projection from the feed settles it


def _keep_server_event(db: Database, event: Event, server_seq: int | None) -> bool:
    """Store a confirmed event, or mark the local copy acknowledged. True when it is new here or was not yet
    acknowledged (the local view then needs rebuilding)."""
    known = db.execute("SELECT sync_state FROM finding_events WHERE event_id = ?", [event.event_id]).fetchone()
    if known is None:
        _insert_event(db, event, origin="server", sync_state="acknowledged", server_seq=server_seq)
        return True
    db.execute(
        "UPDATE finding_events SET payload = ?, sync_state = 'acknowledged', reason = NULL, "
        "server_seq = COALESCE(?, server_seq), updated_at = ? WHERE event_id = ?",
        [jsonutil.dumps(dict(event.payload)), server_seq, now_iso(), event.event_id],
    )
    return bool(known[0] != "acknowledged")


def _finding_row(db: Database, finding_id: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM findings WHERE id = ?", [finding_id]))
    return rows[0] if rows else None


def _confirmed_of(row: Mapping[str, Any] | None) -> FindingState | None:
    text = None if row is None else row["confirmed_projection"]
    return None if text is None else finding_from_json(jsonutil.loads(text))


def _projection_text(finding: FindingState) -> str:
    return jsonutil.dumps(finding_to_json(finding))


def _insert_confirmed(
    db: Database, finding: FindingState, inspection_id: str | None, item_id: str | None
) -> dict[str, Any]:
    """A finding first heard of from the server: its row, with the server's projection as view and confirmed."""
    columns = {
        "id": finding.finding_id,
        **_view_columns(finding),
        "inspection_id": inspection_id,
        "item_id": item_id,
        "has_pending": 0,
        "has_conflict": 0,
        "updated_at": now_iso(),
    }
    columns["confirmed_projection"] = columns["projection"]
    db.execute(
        f"INSERT INTO findings ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
        list(columns.values()),
    )
    return columns


def _pending_local_events(db: Database, finding_id: str) -> list[Event]:
    rows = db.query(
        # `+sync_state`: look the finding's few events up by its index, not all pending events by theirs
        "SELECT * FROM finding_events WHERE finding_id = ? AND origin = 'local' AND +sync_state = 'pending' "
        "ORDER BY server_seq IS NULL, server_seq, created_at, rowid",
        [finding_id],
    )
    return [_stored_event(row).event for row in rows]


def _has_open_conflict(db: Database, finding_id: str) -> bool:
    row = db.execute(
        "SELECT 1 FROM conflicts WHERE entity_id = ? AND kind = ? AND resolved_at IS NULL LIMIT 1",
        [finding_id, ChangeKind.LEDGER_COMMAND],
    ).fetchone()
    return row is not None


def _rebuild(db: Database, row: Mapping[str, Any], confirmed: FindingState | None, confirmed_changed: bool) -> None:
    """The local view (confirmed + pending local commands) and the flags, written where they changed."""
    pending = _pending_local_events(db, row["id"])
    changes = _row_changes(row, confirmed, confirmed_changed, pending, _has_open_conflict(db, row["id"]), now_iso())
    if changes:
        assignments = ", ".join(f"{name} = ?" for name in changes)
        db.execute(f"UPDATE findings SET {assignments} WHERE id = ?", [*changes.values(), row["id"]])


def _row_changes(
    row: Mapping[str, Any],
    confirmed: FindingState | None,
    confirmed_changed: bool,
    pending: list[Event],
    open_conflict: bool,
    at: str,
) -> dict[str, Any]:
    """The columns of a finding's row that differ from the local view (confirmed + pending local commands, in order)
    and its flags; updated_at moves only when something did. Empty when nothing changed."""
    view = confirmed
    for event in pending:
        try:
            view = ledger.apply(view, event)
        except ValueError:
            continue
    changes: dict[str, Any] = {}
    confirmed_text = row["confirmed_projection"]
    if confirmed_changed and confirmed is not None:
        confirmed_text = changes["confirmed_projection"] = _projection_text(confirmed)
    if view is not None:
        view_text = confirmed_text if view is confirmed else _projection_text(view)
        if view_text != row["projection"]:
            changes.update(_view_columns(view, view_text))
    flags = {"has_pending": int(bool(pending)), "has_conflict": int(open_conflict)}
    changes.update({name: value for name, value in flags.items() if row[name] != value})
    if changes:
        changes["updated_at"] = at
    return changes


# --------------------------------------------------------------------------------------------------------------
# A whole push batch of applied commands at once
# --------------------------------------------------------------------------------------------------------------

_SETTLE_COLUMNS = "id, projection, confirmed_projection, has_pending, has_conflict"  # what settling reads of a row


def on_applied_many(db: Database, settled: list[tuple[OutboxEntry, Mapping[str, Any]]]) -> None:
    """Applied ledger commands of one push batch, each with the server's result holding its event and finding: the
    same outcome as on_applied for each in turn, in a few statements for the whole batch.

    Raises ValueError when a result is not of that form or names a finding not stored here (the caller then settles
    the changes one by one); runs inside the caller's transaction.
    """
    at = now_iso()
    items = [_applied_command(entry.payload, result) for entry, result in settled]
    ids = list(dict.fromkeys(finding.finding_id for _, _, finding in items))
    rows = {row["id"]: row for row in rows_in(db, f"SELECT {_SETTLE_COLUMNS} FROM findings WHERE id IN ({{}})", ids)}
    if len(rows) != len(ids):
        raise ValueError("a finding of the batch is not stored here")
    before = {finding_id: _confirmed_of(rows[finding_id]) for finding_id in ids}
    confirmed = dict(before)
    event_ids = [event.event_id for event, _, _ in items]
    known = {
        row["event_id"] for row in rows_in(db, "SELECT event_id FROM finding_events WHERE event_id IN ({})", event_ids)
    }
    acknowledged: list[list[Any]] = []
    for event, index, finding in items:
        current = confirmed[finding.finding_id]
        if not (isinstance(index, int) and index <= finding.event_count):
            current = _fold_confirmed(current, event, index)
        confirmed[finding.finding_id] = (
            finding if current is None or current.event_count <= finding.event_count else current
        )
        if event.event_id in known:
            acknowledged.append([jsonutil.dumps(dict(event.payload)), at, event.event_id])
        else:
            _insert_event(db, event, origin="server", sync_state="acknowledged", server_seq=None)
            known.add(event.event_id)
        _link_event_photos(db, event)
    db.conn.executemany(
        "UPDATE finding_events SET payload = ?, sync_state = 'acknowledged', reason = NULL, updated_at = ? "
        "WHERE event_id = ?",
        acknowledged,
    )
    _write_rows(db, ids, rows, before, confirmed, at)


def _applied_command(payload: Mapping[str, Any], result: Mapping[str, Any]) -> tuple[Event, Any, FindingState]:
    event_data, finding_data = result.get("event"), result.get("finding")
    if not isinstance(event_data, Mapping) or not isinstance(finding_data, Mapping):
        raise ValueError("the result lacks its event or finding")
    event, finding = event_from_json(event_data), finding_from_json(finding_data)
    if not event.finding_id == finding.finding_id == payload.get("finding_id"):
        raise ValueError("the result is about another finding")
    return event, event_data.get("index"), finding


def _write_rows(
    db: Database,
    ids: list[str],
    rows: Mapping[str, Mapping[str, Any]],
    before: Mapping[str, FindingState | None],
    confirmed: Mapping[str, FindingState | None],
    at: str,
) -> None:
    """Rebuild the views of many findings (after their events were settled), one UPDATE per set of columns."""
    pending: dict[str, list[Event]] = {}
    for row in rows_in(
        db,
        "SELECT * FROM finding_events WHERE finding_id IN ({}) AND origin = 'local' AND +sync_state = 'pending' "
        "ORDER BY finding_id, server_seq IS NULL, server_seq, created_at, rowid",
        ids,
    ):
        pending.setdefault(row["finding_id"], []).append(_stored_event(row).event)
    conflicted = {
        row["entity_id"]
        for row in rows_in(
            db,
            "SELECT DISTINCT entity_id FROM conflicts WHERE entity_id IN ({}) "
            f"AND kind = '{ChangeKind.LEDGER_COMMAND}' AND resolved_at IS NULL",
            ids,
        )
    }
    updates: dict[tuple[str, ...], list[list[Any]]] = {}
    for finding_id in ids:
        state = confirmed[finding_id]
        changed = state is not None and state != before[finding_id]
        changes = _row_changes(
            rows[finding_id], state, changed, pending.get(finding_id, []), finding_id in conflicted, at
        )
        if changes:
            updates.setdefault(tuple(changes), []).append([*changes.values(), finding_id])
    for names, params in updates.items():
        assignments = ", ".join(f"{name} = ?" for name in names)
        db.conn.executemany(f"UPDATE findings SET {assignments} WHERE id = ?", params)


# --------------------------------------------------------------------------------------------------------------
# Rows for other store modules (the ledger view's queries), and many server projections at once
# --------------------------------------------------------------------------------------------------------------


def local_finding(row: Mapping[str, Any]) -> LocalFinding:
    """A finding from a `findings` row (a dict of its columns)."""
    return _local_finding(dict(row))


def stored_event(row: Mapping[str, Any]) -> StoredEvent:
    """An event from a `finding_events` row (a dict of its columns)."""
    return _stored_event(dict(row))


def on_pulled_many(db: Database, found: Iterable[FindingState]) -> int:
    """Keep many findings the server confirmed (projections without their events, e.g. a district's first sync) in
    one transaction; findings already known are left as they are. Returns how many were new."""
    at = now_iso()
    inserted = 0
    with transaction(db):
        for finding in found:
            columns = _view_columns(finding)
            names = ", ".join(columns)
            cursor = db.execute(
                f"INSERT OR IGNORE INTO findings (id, {names}, confirmed_projection, has_pending, updated_at) "
                f"VALUES (?, {', '.join('?' for _ in columns)}, ?, 0, ?)",
                [finding.finding_id, *columns.values(), columns["projection"], at],
            )
            inserted += cursor.rowcount > 0
    return inserted


# --------------------------------------------------------------------------------------------------------------
# A feed page of findings and events at once
#
# The same outcome as on_pulled / on_pulled_event called for each entry in turn, reached in memory: the rows the
# page names are read with one query per table, every entry is folded in page order, and what changed is written
# with one executemany per table and statement.
# --------------------------------------------------------------------------------------------------------------

PULLED_FINDING = "finding"
# what folding a pulled entry reads of a row: what settling reads, and the columns that show the view
_PULLED_COLUMNS = (
    f"{_SETTLE_COLUMNS}, state, jurisdiction, severity, kind, source, extension_count, category, description, "
    "subject_id, ledger_number, deadline, responsible_unit, escalation, reported_by, reported_at, closed_at, updated_at"
)
PULLED_EVENT = "finding_event"

_EVENT_COLUMNS = (
    "event_id, finding_id, action, actor_id, at, payload, base_state, origin, sync_state, server_seq, created_at, "
    "updated_at"
)


@dataclass
class _PulledRows:
    """What a page of findings and events reads once and folds in memory before writing."""

    rows: dict[str, dict[str, Any]]
    stored: dict[str, dict[str, Any]]  # the rows as read, to write only the columns whose values changed
    confirmed: dict[str, FindingState | None]
    known_events: dict[str, str]
    pending: dict[str, list[Event]]
    conflicted: set[str]
    inspections: set[str]
    photos: set[str]
    new_rows: dict[str, dict[str, Any]]
    dirty: dict[str, set[str]]
    event_inserts: list[list[Any]]
    event_updates: list[list[Any]]
    links: list[list[Any]]
    wanted: list[photos_wanted.WantedLink]


def on_pulled_batch(db: Database, entries: Sequence[tuple[str, Mapping[str, Any], int | None]]) -> list[bool]:
    """Findings and events of one feed page, each `(kind, data, server_seq)` with kind PULLED_FINDING or
    PULLED_EVENT, in page order: kept exactly as on_pulled and on_pulled_event would keep them one by one.

    Returns for each entry whether it was applied; an entry that was not (malformed, or an event of a finding not
    known here) changed nothing, and the caller may try it again later. Runs inside the caller's transaction.
    """
    at = now_iso()
    parsed: list[_PulledItem | None] = []
    for kind, data, seq in entries:
        try:
            if kind == PULLED_EVENT:
                event = event_from_json(data)
                parsed.append((event.finding_id, event, data.get("index"), seq, None))
            else:  # read when folded, if it says anything new (_same_as_stored)
                parsed.append((str(data["finding_id"]), None, None, None, data))
        except (InvalidRecordError, KeyError):
            parsed.append(None)
    state = _read_pulled(db, [item for item in parsed if item is not None])
    applied = [item is not None and _fold_or_refuse(state, item, at) for item in parsed]
    _write_pulled(db, state)
    return applied


# (finding id, event, its index, its server_seq, the finding's JSON): an entry of either kind
_PulledItem = tuple[str, Event | None, Any, int | None, Mapping[str, Any] | None]


def _fold_or_refuse(state: _PulledRows, item: _PulledItem, at: str) -> bool:
    try:
        return _fold_pulled(state, *item, at=at)
    except (InvalidRecordError, KeyError, TypeError, ValueError):  # the fold comes first: nothing of it was kept
        return False


def _read_pulled(db: Database, items: list[_PulledItem]) -> _PulledRows:
    ids = list(dict.fromkeys(finding_id for finding_id, *_ in items))
    events_ = [event for _, event, _, _, _ in items if event is not None]
    rows = {row["id"]: row for row in rows_in(db, f"SELECT {_PULLED_COLUMNS} FROM findings WHERE id IN ({{}})", ids)}
    pending: dict[str, list[Event]] = {}
    for row in rows_in(
        db,
        "SELECT * FROM finding_events WHERE finding_id IN ({}) AND origin = 'local' AND +sync_state = 'pending' "
        "ORDER BY finding_id, server_seq IS NULL, server_seq, created_at, rowid",
        list(rows),
    ):
        pending.setdefault(row["finding_id"], []).append(_stored_event(row).event)
    conflicted = {
        row["entity_id"]
        for row in rows_in(
            db,
            "SELECT DISTINCT entity_id FROM conflicts WHERE entity_id IN ({}) "
            f"AND kind = '{ChangeKind.LEDGER_COMMAND}' AND resolved_at IS NULL",
            list(rows),
        )
    }
    known = {
        row["event_id"]: row["sync_state"]
        for row in rows_in(
            db,
            "SELECT event_id, sync_state FROM finding_events WHERE event_id IN ({})",
            [event.event_id for event in events_],
        )
    }
    wanted_inspections = {value for event in events_ if isinstance(value := event.payload.get("inspection_id"), str)}
    inspections = {row["id"] for row in rows_in(db, "SELECT id FROM inspections WHERE id IN ({})", wanted_inspections)}
    wanted_photos = {
        sha
        for event in events_
        for field in ("photos", "after_photos", "governance_plan")
        for sha in event.payload.get(field) or ()
    }
    present = {row["sha256"] for row in rows_in(db, "SELECT sha256 FROM photos WHERE sha256 IN ({})", wanted_photos)}
    return _PulledRows(
        rows=rows,
        stored={finding_id: dict(row) for finding_id, row in rows.items()},
        confirmed={},
        known_events=known,
        pending=pending,
        conflicted=conflicted,
        inspections=inspections,
        photos=present,
        new_rows={},
        dirty={},
        event_inserts=[],
        event_updates=[],
        links=[],
        wanted=[],
    )


def _confirmed_now(state: _PulledRows, finding_id: str) -> FindingState | None:
    """The confirmed projection of a finding as folded so far (read from its stored row when first needed)."""
    if finding_id not in state.confirmed:
        state.confirmed[finding_id] = _confirmed_of(state.rows.get(finding_id))
    return state.confirmed[finding_id]


def _same_as_stored(state: _PulledRows, finding_id: str, data: Mapping[str, Any]) -> bool:
    """Whether a finding's JSON holds the very values of its stored confirmed projection (not folded into in this
    page): it then reads as that projection, and keeping it changes nothing. The common case of a pull, whose events
    came before their finding's projection; it saves reading both."""
    if finding_id in state.confirmed or finding_id in state.new_rows:
        return False
    row = state.rows.get(finding_id)
    text = None if row is None else row["confirmed_projection"]
    if text is None:
        return False
    stored = jsonutil.loads(text)
    # every field the projection's JSON is read from is in the stored JSON (finding_to_json writes them all), so the
    # same values read as a finding equal to the stored one: what keeping the entry compares to find no change
    return isinstance(stored, dict) and stored.items() <= data.items()


def _fold_pulled(
    state: _PulledRows,
    finding_id: str,
    event: Event | None,
    index: Any,
    server_seq: int | None,
    data: Mapping[str, Any] | None,
    at: str,
) -> bool:
    """One entry, as _settle does it, on the rows in memory. False (and nothing changed) when it cannot be kept."""
    finding = None
    if data is not None:
        if _same_as_stored(state, finding_id, data):
            return True
        finding = finding_from_json(data)
    row = state.rows.get(finding_id)
    fresh = row is None
    before = _confirmed_now(state, finding_id)
    confirmed = before
    touched = False
    if event is not None:
        confirmed = _fold_confirmed(confirmed, event, index)
        if row is None:
            if confirmed is None:
                return False
            inspection_id, item_id = event.payload.get("inspection_id"), event.payload.get("item_id")
            if not isinstance(inspection_id, str) or inspection_id not in state.inspections:
                inspection_id, item_id = None, None
            elif not isinstance(item_id, str):
                item_id = None
            row = _new_confirmed_row(state, confirmed, inspection_id, item_id, at)
            before = confirmed
        touched = _keep_pulled_event(state, event, server_seq, at)
    if finding is not None:
        if row is None:
            row = _new_confirmed_row(state, finding, None, None, at)
            before = confirmed = finding
        elif confirmed is None or confirmed.event_count <= finding.event_count:
            confirmed = finding
    state.confirmed[finding_id] = confirmed
    changed = confirmed is not None and confirmed != before
    if changed or (touched and not fresh):
        assert row is not None
        changes = _row_changes(
            row, confirmed, changed, state.pending.get(finding_id, []), finding_id in state.conflicted, at
        )
        row.update(changes)
        if finding_id not in state.new_rows:
            state.dirty.setdefault(finding_id, set()).update(changes)
    return True


def _new_confirmed_row(
    state: _PulledRows, finding: FindingState, inspection_id: str | None, item_id: str | None, at: str
) -> dict[str, Any]:
    """The row _insert_confirmed would write, kept in memory until the page is written."""
    row = {
        "id": finding.finding_id,
        **_view_columns(finding),
        "inspection_id": inspection_id,
        "item_id": item_id,
        "has_pending": 0,
        "has_conflict": 0,
        "updated_at": at,
    }
    row["confirmed_projection"] = row["projection"]
    state.rows[finding.finding_id] = state.new_rows[finding.finding_id] = row
    return row


def _keep_pulled_event(state: _PulledRows, event: Event, server_seq: int | None, at: str) -> bool:
    """_keep_server_event and _link_event_photos in memory; True when the event is new here or was not yet
    acknowledged."""
    known = state.known_events.get(event.event_id)
    payload = jsonutil.dumps(dict(event.payload))  # the columns event_to_json gives, without building its dict
    if known is None:
        state.event_inserts.append(
            [
                event.event_id,
                event.finding_id,
                _action_text(event.action),
                event.actor_id,
                to_iso(event.at),
                payload,
                _state_text(event.base_state),
                "server",
                "acknowledged",
                server_seq,
                at,
                at,
            ]
        )
    else:
        state.event_updates.append([payload, server_seq, at, event.event_id])
        waiting = state.pending.get(event.finding_id)
        if waiting:  # a local command the server confirmed no longer waits
            state.pending[event.finding_id] = [pending for pending in waiting if pending.event_id != event.event_id]
    state.known_events[event.event_id] = "acknowledged"
    for field, role in (("photos", "evidence"), ("after_photos", "after")):
        for sha in event.payload.get(field) or ():
            if sha in state.photos:
                state.links.append([sha, "finding", event.finding_id, role, at])
                state.links.append([sha, "finding_event", event.event_id, role, at])
            else:  # not downloaded yet: the links wait for it
                state.wanted.append((sha, "finding", event.finding_id, "", role))
                state.wanted.append((sha, "finding_event", event.event_id, "", role))
    for sha in event.payload.get("governance_plan") or ():  # 治理方案: photos or a PDF, fetched after the records
        if sha not in state.photos:
            state.wanted.append((sha, "finding", event.finding_id, "", PLAN_ROLE))
    return known != "acknowledged"


def _write_pulled(db: Database, state: _PulledRows) -> None:
    if state.new_rows:
        columns = list(next(iter(state.new_rows.values())))
        db.conn.executemany(
            f"INSERT INTO findings ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
            [[row[name] for name in columns] for row in state.new_rows.values()],
        )
    updates: dict[tuple[str, ...], list[list[Any]]] = {}
    for finding_id, changed in state.dirty.items():
        row, stored = state.rows[finding_id], state.stored[finding_id]
        # only what differs from the stored row: each column set is an index (of some twenty) SQLite rewrites, and
        # the text index's trigger fires only for its own columns
        names = tuple(sorted(name for name in changed if row[name] != stored[name]))
        if names:
            updates.setdefault(names, []).append([*(row[name] for name in names), finding_id])
    for names, params in updates.items():
        assignments = ", ".join(f"{name} = ?" for name in names)
        db.conn.executemany(f"UPDATE findings SET {assignments} WHERE id = ?", params)
    db.conn.executemany(
        f"INSERT INTO finding_events ({_EVENT_COLUMNS}) VALUES ({', '.join('?' for _ in range(12))})",
        state.event_inserts,
    )
    db.conn.executemany(
        "UPDATE finding_events SET payload = ?, sync_state = 'acknowledged', reason = NULL, "
        "server_seq = COALESCE(?, server_seq), updated_at = ? WHERE event_id = ?",
        state.event_updates,
    )
    db.conn.executemany(
        "INSERT OR IGNORE INTO photo_links (photo_sha256, owner_kind, owner_id, item_id, role, created_at) "
        "VALUES (?, ?, ?, '', ?, ?)",
        state.links,
    )
    photos_wanted.want(db, state.wanted)
