"""门前三包 as a cycle on the laptop: a unit's 责任书 (in its subject's details), 巡查日志 with their outbox changes,
the unit's file (一户一码一档) and the visit rows the month's coverage counts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from inspector.core.clock import now_iso
from inspector.core.ids import new_id
from inspector.core.jurisdiction import parse_code
from inspector.core.levels import LEVEL_SOURCE, InspectionLevel
from inspector.core.protocol import ChangeKind
from inspector.core.unit_cycle import (
    DEFAULT_RENEWAL_WINDOW_DAYS,
    PatrolCheck,
    PatrolError,
    PatrolLog,
    PatrolRole,
    Pledge,
    PledgeError,
    PledgeStanding,
    Visit,
    inspection_visit,
    make_patrol,
    make_pledge,
    patrol_visits,
    pledge_of,
)
from inspector.store import conflicts, documents, outbox, photos, photos_wanted, subjects
from inspector.store.database import DataFolder, transaction
from inspector.store.errors import InvalidRecordError
from inspector.store.outbox import OutboxEntry

STREET_FRONT = "street_front_unit"
BACK_STREET = "back_street"
PATROL_ITEM = "patrol:"  # a patrol photo is linked to the first street walked, under item "patrol:<log id>"


# ---------------------------------------------------------------------------------------------------------------
# 责任书
# ---------------------------------------------------------------------------------------------------------------


def store_scan(folder: DataFolder, db: Database, path: str | Path) -> str:
    """Keep a 责任书 scan: a PDF as a document, anything else as a photo (checked as photos are); its SHA-256."""
    source = Path(path)
    with source.open("rb") as handle:
        head = handle.read(len(documents.PDF_MAGIC))
    if head == documents.PDF_MAGIC:
        return documents.import_document(folder, source)
    return photos.import_photo(folder, db, source).photo.sha256


def record_pledge(
    db: Database,
    subject_id: str,
    *,
    signed_on: date | str,
    term_months: int,
    signer: str,
    scan: str | None = None,
) -> subjects.Subject:
    """Record (or renew) a street-front unit's 责任书: its details change and `subject.update` is queued."""
    subject = subjects.get(db, subject_id)
    if subject.kind != STREET_FRONT:
        raise InvalidRecordError("只有门前三包责任单位签责任书", "only a street-front unit signs a 责任书")
    try:
        pledge = make_pledge(signed_on, term_months, signer, scan)
    except PledgeError as exc:
        raise InvalidRecordError(f"责任书有误：{exc}", f"the 责任书 is not valid: {exc}") from exc
    extra = {key: value for key, value in subject.extra.items() if not key.startswith("pledge_")}
    return subjects.update(db, subject_id, extra={**extra, **pledge.details()})


@dataclass(frozen=True)
class PledgeRow:
    """A unit with its 责任书 and where it stands (no 责任书: pledge None, standing None)."""

    subject: subjects.Subject
    pledge: Pledge | None
    standing: PledgeStanding | None


def pledge_rows(
    db: Database, today: date, window_days: int = DEFAULT_RENEWAL_WINDOW_DAYS, jurisdiction: str | None = None
) -> list[PledgeRow]:
    """Every active street-front unit with its 责任书: expired first, then due soon, then valid, then none; by
    renewal due date within each."""
    order = {PledgeStanding.EXPIRED: 0, PledgeStanding.DUE_SOON: 1, PledgeStanding.VALID: 2, None: 3}
    rows = []
    for subject in subjects.list_subjects(db, kind=STREET_FRONT, jurisdiction=jurisdiction):
        if not subject.active:
            continue
        pledge = pledge_of(subject.extra)
        rows.append(PledgeRow(subject, pledge, None if pledge is None else pledge.standing(today, window_days)))
    return sorted(
        rows,
        key=lambda row: (order[row.standing], row.pledge.renewal_due if row.pledge else date.max, row.subject.name),
    )


def renewals_due(db: Database, today: date, window_days: int = DEFAULT_RENEWAL_WINDOW_DAYS) -> list[PledgeRow]:
    """The units whose 责任书 is expired or due for renewal within the window."""
    wanted = (PledgeStanding.EXPIRED, PledgeStanding.DUE_SOON)
    return [row for row in pledge_rows(db, today, window_days) if row.standing in wanted]


# ---------------------------------------------------------------------------------------------------------------
# 巡查日志
# ---------------------------------------------------------------------------------------------------------------


def record_patrol(
    db: Database,
    *,
    role: PatrolRole | str,
    patroller_id: str,
    started_at: str,
    ended_at: str,
    streets: Sequence[str],
    checks: Iterable[PatrolCheck | Mapping[str, Any]] = (),
    photo_hashes: Sequence[str] = (),
    notes: str = "",
    jurisdiction: str | None = None,
    patrol_id: str | None = None,
) -> PatrolLog:
    """Record a walk through back streets and queue `patrol.submit`, in one transaction.

    The jurisdiction defaults to the first street's; every street must be a back street here, every photo stored.
    """
    walked = [subjects.get(db, street_id) for street_id in streets]
    if any(street.kind != BACK_STREET for street in walked):
        raise InvalidRecordError("巡查日志只记背街小巷", "a patrol log walks back streets only")
    code = parse_code(jurisdiction or (walked[0].jurisdiction if walked else "")).full if walked else ""
    raw = {
        "patrol_id": patrol_id or new_id(),
        "role": str(role),
        "jurisdiction": code,
        "started_at": started_at,
        "ended_at": ended_at,
        "streets": list(streets),
        "checks": [check.to_json() if isinstance(check, PatrolCheck) else dict(check) for check in checks],
        "photos": list(photo_hashes),
        "notes": notes,
        "patroller_id": patroller_id,
    }
    try:
        log = make_patrol(raw)
    except PatrolError as exc:
        raise InvalidRecordError(f"巡查日志有误：{exc}", f"the patrol log is not valid: {exc}") from exc
    missing = sorted(set(log.photos) - photos.stored_among(db, log.photos))
    if missing:
        raise InvalidRecordError(f"照片不在本机：{missing[0]}", f"photo not stored here: {missing[0]}")
    at = now_iso()
    with transaction(db):
        _save(db, log, patroller_id, {**log.to_json(), "patroller_id": patroller_id}, "pending", at)
        for sha in log.photos:
            db.execute(
                "INSERT OR IGNORE INTO photo_links (photo_sha256, owner_kind, owner_id, item_id, role, created_at) "
                "VALUES (?, 'subject', ?, ?, 'evidence', ?)",
                [sha, log.streets[0], PATROL_ITEM + log.id, at],
            )
        outbox.enqueue(db, ChangeKind.PATROL_SUBMIT, log.id, log.to_json(), at)
    return log


def _save(db: Database, log: PatrolLog, patroller_id: str, data: Mapping[str, Any], state: str, at: str) -> None:
    db.execute(
        "INSERT INTO patrol_logs (id, role, jurisdiction, patroller_id, started_at, ended_at, data, updated_at, "
        "sync_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data, "
        "updated_at = excluded.updated_at, sync_state = excluded.sync_state",
        [
            log.id,
            log.role.value,
            log.jurisdiction,
            patroller_id,
            log.started_at,
            log.ended_at,
            json.dumps(dict(data), ensure_ascii=False),
            at,
            state,
        ],
    )


@dataclass(frozen=True)
class PatrolEntry:
    """A stored patrol log with its sync state and, once the server has it, the patroller's name."""

    log: PatrolLog
    patroller_name: str
    sync_state: str


def _begun_between(since: str | None, until: str | None) -> tuple[list[str], list[str]]:
    """The SQL conditions (and their values) for a record begun in [since, until); either end may be open."""
    clauses, params = [], []
    if since:
        clauses.append("started_at >= ?")
        params.append(since)
    if until:
        clauses.append("started_at < ?")
        params.append(until)
    return clauses, params


def list_patrols(
    db: Database, street_id: str | None = None, since: str | None = None, until: str | None = None
) -> list[PatrolEntry]:
    """Patrol logs, newest first; only those through one street, or begun in [since, until), when asked."""
    clauses, params = _begun_between(since, until)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    out = []
    for data, state in db.execute(f"SELECT data, sync_state FROM patrol_logs {where} ORDER BY started_at DESC", params):
        record = json.loads(data)
        log = make_patrol(record)
        if street_id is None or street_id in log.streets:
            out.append(PatrolEntry(log, str(record.get("patroller_name") or ""), state))
    return out


def on_applied(db: Database, entry: OutboxEntry, result: Mapping[str, Any]) -> None:
    """The server stored the log: keep its document (with the patroller's name) and mark it synced."""
    document = result.get("patrol")
    if isinstance(document, Mapping):
        db.execute(
            "UPDATE patrol_logs SET data = ?, sync_state = 'synced' WHERE id = ?",
            [json.dumps(dict(document), ensure_ascii=False), entry.entity_id],
        )
    else:
        db.execute("UPDATE patrol_logs SET sync_state = 'synced' WHERE id = ?", [entry.entity_id])


def on_refused(db: Database, entry: OutboxEntry, status: str, reason: str) -> None:
    """The server refused the log (kept as a conflict record): the log shows 'conflict'."""
    db.execute("UPDATE patrol_logs SET sync_state = 'conflict' WHERE id = ?", [entry.entity_id])


def on_pulled(db: Database, data: Mapping[str, Any]) -> bool:
    """The feed brought a patrol log (immutable): keep it, and want its photos."""
    log = make_patrol(data)
    if outbox.has_queued(db, log.id, "patrol."):
        return False
    at = now_iso()
    state = "conflict" if conflicts.has_open(db, log.id) else "synced"
    _save(db, log, str(data.get("patroller_id") or ""), data, state, at)
    absent = [sha for sha in log.photos if sha not in photos.stored_among(db, log.photos)]
    link = (log.streets[0], PATROL_ITEM + log.id)
    photos_wanted.want(db, [(sha, "subject", *link, "evidence") for sha in absent], at)
    return True


# ---------------------------------------------------------------------------------------------------------------
# Visits and the unit's own 自查
# ---------------------------------------------------------------------------------------------------------------


def visits(db: Database, since: str | None = None, until: str | None = None) -> list[Visit]:
    """Every visit row: one per finished inspection of a subject (at its level: a unit_self one is the unit's own
    自查) and one per street of every patrol log; begun in [since, until) when asked."""
    clauses, params = _begun_between(since, until)
    clauses.append("status = 'finished'")
    rows = db.execute(f"SELECT subject_id, started_at, level FROM inspections WHERE {' AND '.join(clauses)}", params)
    found = [inspection_visit(subject_id, started, level) for subject_id, started, level in rows]
    out = [visit for visit in found if visit is not None]
    return sorted(out + patrol_visits_between(db, since, until))


def patrol_visits_between(db: Database, since: str | None = None, until: str | None = None) -> list[Visit]:
    """The visits of the patrol logs begun in [since, until) (every log when not asked): one per street walked."""
    return [visit for entry in list_patrols(db, since=since, until=until) for visit in patrol_visits(entry.log)]


def visit_rows(items: Iterable[Visit]) -> list[dict[str, str]]:
    """Visit rows as plain dicts (subject_id, day, level, kind) for the month's coverage."""
    return [
        {
            "subject_id": visit.subject_id,
            "day": visit.day.isoformat(),
            "level": str(visit.level or ""),
            "kind": str(visit.kind),
        }
        for visit in items
    ]


SELF_CHECK_SOURCE = LEVEL_SOURCE[InspectionLevel.UNIT_SELF].value  # 自查: the 发现方式 of a unit's own check
