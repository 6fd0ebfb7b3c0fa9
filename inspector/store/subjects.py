"""Subjects (检查对象): street-front units, back streets and sites, with their outbox changes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from inspector.core.clock import now_iso
from inspector.core.ids import new_id
from inspector.core.jurisdiction import parse_code
from inspector.core.protocol import PLEDGE_SCAN as PROTOCOL_PLEDGE_SCAN
from inspector.core.protocol import ChangeKind
from inspector.store import conflicts, documents, jsonutil, outbox, photos_wanted, validate
from inspector.store.database import transaction
from inspector.store.errors import InvalidRecordError, RecordNotFoundError
from inspector.store.outbox import OutboxEntry

# Fields an update may change (the kind of a subject is fixed at creation).
UPDATABLE = ("name", "code", "address", "jurisdiction", "location", "responsible_person", "phone", "extra", "active")
# Local columns that travel inside the protocol's `details` object.
DETAIL_FIELDS = ("responsible_person", "phone", "extra")


@dataclass(frozen=True)
class Subject:
    """One subject as stored."""

    id: str
    kind: str
    code: str | None
    name: str
    address: str | None
    jurisdiction: str
    responsible_person: str | None
    phone: str | None
    extra: dict[str, Any]
    location_lat: float | None
    location_lon: float | None
    active: bool
    version: int
    created_at: str
    updated_at: str
    sync_state: str

    @property
    def location(self) -> dict[str, float] | None:
        """The position as the protocol writes it, or None."""
        if self.location_lat is None or self.location_lon is None:
            return None
        return {"lat": self.location_lat, "lon": self.location_lon}

    @property
    def details(self) -> dict[str, Any]:
        """The kind-specific fields as one flat object (responsible person, phone and the extra fields)."""
        known = {"responsible_person": self.responsible_person, "phone": self.phone}
        return {**self.extra, **{key: value for key, value in known.items() if value is not None}}

    def wire_fields(self, names: tuple[str, ...]) -> dict[str, Any]:
        """Protocol fields for the given local field names (detail fields collapse into `details`)."""
        out: dict[str, Any] = {}
        for name in names:
            if name in DETAIL_FIELDS:
                out["details"] = self.details
            elif name == "active":
                out["active"] = self.active
            else:
                out[name] = getattr(self, name)
        return out


def _location(value: Any) -> tuple[float | None, float | None]:
    if value is None:
        return None, None
    try:
        lat, lon = value
    except (TypeError, ValueError) as exc:
        raise InvalidRecordError("位置必须是 (纬度, 经度)", "location must be (lat, lon)") from exc
    return (
        validate.coordinate(lat, 90, "纬度", "latitude"),
        validate.coordinate(lon, 180, "经度", "longitude"),
    )


def _columns(fields: dict[str, Any]) -> dict[str, Any]:
    """Validated column values for whichever fields are present."""
    checks: dict[str, Callable[[Any], Any]] = {
        "kind": validate.subject_kind,
        "code": lambda v: validate.optional_text(v, "编码", "code", 64),
        "name": lambda v: validate.required_text(v, "名称", "name"),
        "address": lambda v: validate.optional_text(v, "地址", "address", 500),
        "jurisdiction": _required_jurisdiction,
        "responsible_person": lambda v: validate.optional_text(v, "责任人", "responsible person", 100),
        "phone": lambda v: validate.optional_text(v, "电话", "phone", 50),
        "extra": lambda v: jsonutil.dumps(validate.json_object(v, "附加信息", "extra")),
        "active": lambda v: int(bool(v)),
    }
    unknown = sorted(set(fields) - set(checks) - {"location"})
    if unknown:
        raise InvalidRecordError(f"未知字段：{', '.join(unknown)}", f"unknown subject fields: {', '.join(unknown)}")
    columns: dict[str, Any] = {name: checks[name](value) for name, value in fields.items() if name != "location"}
    if "location" in fields:
        columns["location_lat"], columns["location_lon"] = _location(fields["location"])
    return columns


def _required_jurisdiction(value: Any) -> str:
    code = validate.jurisdiction_code(value)
    if code is None:
        raise InvalidRecordError("辖区编码不能为空", "a jurisdiction code is required")
    return code


def create(
    db: Database,
    *,
    kind: str,
    name: str,
    jurisdiction: str,
    code: str | None = None,
    address: str | None = None,
    location: tuple[float, float] | None = None,
    responsible_person: str | None = None,
    phone: str | None = None,
    extra: dict[str, Any] | None = None,
    subject_id: str | None = None,
) -> Subject:
    """Create a subject and queue `subject.create`, in one transaction."""
    columns = _columns(
        {
            "kind": kind,
            "name": name,
            "jurisdiction": jurisdiction,
            "code": code,
            "address": address,
            "location": location,
            "responsible_person": responsible_person,
            "phone": phone,
            "extra": extra,
        }
    )
    new = subject_id or new_id()
    at = now_iso()
    names = ", ".join(columns)
    with transaction(db):
        db.execute(
            f"INSERT INTO subjects (id, {names}, version, created_at, updated_at, sync_state) "
            f"VALUES (?, {', '.join('?' for _ in columns)}, 1, ?, ?, 'pending')",
            [new, *columns.values(), at, at],
        )
        subject = get(db, new)
        payload = {"subject_id": new, "kind": subject.kind, "name": subject.name, "jurisdiction": subject.jurisdiction}
        optional = subject.wire_fields(("code", "address", "location", "extra"))
        payload.update({key: value for key, value in optional.items() if value not in (None, {})})
        outbox.enqueue(db, ChangeKind.SUBJECT_CREATE, new, payload, at)
    return subject


def update(db: Database, subject_id: str, **changes: Any) -> Subject:
    """Change some fields and queue `subject.update`, in one transaction.

    The change carries `base_version`, the version it edits; the local version then counts up by one, so a second
    edit queued before the first is pushed is based on the version the first one will produce on the server.
    """
    unknown = sorted(set(changes) - set(UPDATABLE))
    if unknown:
        raise InvalidRecordError(f"不能修改字段：{', '.join(unknown)}", f"cannot update: {', '.join(unknown)}")
    columns = _columns(changes)
    if not columns:
        return get(db, subject_id)
    at = now_iso()
    with transaction(db):
        current = get(db, subject_id)
        assignments = ", ".join(f"{name} = ?" for name in columns)
        db.execute(
            f"UPDATE subjects SET {assignments}, version = version + 1, updated_at = ?, sync_state = 'pending' "
            "WHERE id = ?",
            [*columns.values(), at, subject_id],
        )
        updated = get(db, subject_id)
        payload = {
            "subject_id": subject_id,
            "base_version": current.version,
            "fields": updated.wire_fields(tuple(changes)),
        }
        outbox.enqueue(db, ChangeKind.SUBJECT_UPDATE, subject_id, payload, at)
    return updated


def _subject(row: dict[str, Any]) -> Subject:
    return Subject(**{**row, "extra": jsonutil.loads(row["extra"], {}), "active": bool(row["active"])})


def get(db: Database, subject_id: str) -> Subject:
    """One subject by id."""
    rows = list(db.query("SELECT * FROM subjects WHERE id = ?", [subject_id]))
    if not rows:
        raise RecordNotFoundError("subject", subject_id)
    return _subject(rows[0])


def find_by_code(db: Database, code: str) -> list[Subject]:
    """Subjects carrying this sign code (一户一码), e.g. from a scanned QR sign."""
    return [_subject(row) for row in db.query("SELECT * FROM subjects WHERE code = ? ORDER BY name", [code])]


def list_subjects(
    db: Database, kind: str | None = None, jurisdiction: str | None = None, search: str | None = None
) -> list[Subject]:
    """Subjects filtered by kind, by jurisdiction (the code and everything inside it) and by a name/address text."""
    clauses: list[str] = []
    params: list[Any] = []
    if kind is not None:
        clauses.append("kind = ?")
        params.append(validate.subject_kind(kind))
    if jurisdiction is not None:
        clauses.append("jurisdiction LIKE ?")
        params.append(parse_code(jurisdiction).short + "%")
    if search:
        clauses.append("(name LIKE ? OR address LIKE ? OR code LIKE ?)")
        params.extend([f"%{search}%"] * 3)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return [_subject(row) for row in db.query(f"SELECT * FROM subjects {where} ORDER BY name", params)]


def on_applied(db: Database, entry: OutboxEntry, result: Mapping[str, Any]) -> None:
    """The server applied a change of a subject: take the server's version and, once nothing more is queued for the
    subject, mark it 'synced'."""
    subject_id = entry.entity_id
    waiting = outbox.has_queued(db, subject_id, "subject.")
    server_version = (result.get("subject") or {}).get("version")
    if not waiting:
        if isinstance(server_version, int):
            db.execute("UPDATE subjects SET version = ? WHERE id = ?", [server_version, subject_id])
        db.execute("UPDATE subjects SET sync_state = 'synced' WHERE id = ?", [subject_id])


def on_refused(db: Database, entry: OutboxEntry, status: str, reason: str) -> None:
    """The server refused a change of a subject (kept as a conflict record): the subject shows 'conflict'."""
    db.execute("UPDATE subjects SET sync_state = 'conflict' WHERE id = ?", [entry.entity_id])


def on_pulled(db: Database, data: Mapping[str, Any]) -> bool:
    """The feed brought a subject: keep it as the server has it, unless local edits of it are still queued. Returns
    True when stored."""
    subject_id = str(data["id"])
    if outbox.has_queued(db, subject_id, "subject."):
        return False
    details = dict(data.get("details") or {})
    responsible_person = details.pop("responsible_person", None)
    phone = details.pop("phone", None)
    location = data.get("location") or {}
    jurisdiction = data.get("jurisdiction")
    columns = {
        "kind": str(data["kind"]),
        "code": data.get("code"),
        "name": str(data["name"]),
        "address": data.get("address"),
        "jurisdiction": parse_code(str(jurisdiction)).full if jurisdiction else None,
        "responsible_person": None if responsible_person is None else str(responsible_person),
        "phone": None if phone is None else str(phone),
        "extra": jsonutil.dumps(details),
        "location_lat": location.get("lat") if isinstance(location, Mapping) else None,
        "location_lon": location.get("lon") if isinstance(location, Mapping) else None,
        "active": int(bool(data.get("active", True))),
        "version": int(data.get("version") or 1),
        "sync_state": "conflict" if conflicts.has_open(db, subject_id) else "synced",
    }
    at = now_iso()
    names = ", ".join(columns)
    updates = ", ".join(f"{name} = excluded.{name}" for name in columns)
    db.execute(
        f"INSERT INTO subjects (id, {names}, created_at, updated_at) VALUES (?, {', '.join('?' for _ in columns)}, "
        f"?, ?) ON CONFLICT (id) DO UPDATE SET {updates}, updated_at = excluded.updated_at",
        [subject_id, *columns.values(), str(data.get("created_at") or at), at],
    )
    _want_pledge_scan(db, subject_id, details)
    return True


PLEDGE_ITEM = "pledge"  # the item id a 责任书 scan is linked under (a photo) or waits under (not fetched yet)


def _want_pledge_scan(db: Database, subject_id: str, details: Mapping[str, Any]) -> None:
    """A pulled unit names a 责任书 scan not here yet: fetch it after the records (a PDF is kept as a document)."""
    scan = details.get(PROTOCOL_PLEDGE_SCAN)
    if not isinstance(scan, str) or not scan or documents.stored_beside(db, scan):
        return
    if db.execute("SELECT 1 FROM photos WHERE sha256 = ?", [scan]).fetchone() is not None:
        db.execute(
            "INSERT OR IGNORE INTO photo_links (photo_sha256, owner_kind, owner_id, item_id, role, created_at) "
            "VALUES (?, 'subject', ?, ?, 'evidence', ?)",
            [scan, subject_id, PLEDGE_ITEM, now_iso()],
        )
        return
    photos_wanted.want(db, [(scan, "subject", subject_id, PLEDGE_ITEM, "evidence")])
