"""SQLAlchemy models of the server database (the Alembic migrations create exactly these tables)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(36)  # UUID text
CODE = String(15)  # 15-digit jurisdiction code
TIME = String(24)  # UTC ISO-8601 with milliseconds, e.g. 2026-03-05T08:15:30.120Z
SHA = String(64)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names (needed for migrations on SQLite)."""

    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """A person who logs in: roles, jurisdictions, argon2 password hash."""

    __tablename__ = "users"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    roles: Mapped[str] = mapped_column(String(100))  # comma-separated Role values
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[str] = mapped_column(TIME)
    updated_at: Mapped[str] = mapped_column(TIME)


class UserJurisdiction(Base):
    """One jurisdiction code of a user's scope."""

    __tablename__ = "user_jurisdictions"
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(CODE, primary_key=True)


class Device(Base):
    """A (user, installation) pair that has logged in; revoking it ends its tokens."""

    __tablename__ = "devices"
    __table_args__ = (UniqueConstraint("user_id", "device_id"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[str] = mapped_column(ID)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[str] = mapped_column(TIME)
    last_seen_at: Mapped[str] = mapped_column(TIME)
    revoked_at: Mapped[str | None] = mapped_column(TIME, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(ID, nullable=True)


class Token(Base):
    """A bearer token, stored only as the SHA-256 of its text."""

    __tablename__ = "tokens"
    token_hash: Mapped[str] = mapped_column(SHA, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    device_row_id: Mapped[str] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[str] = mapped_column(TIME)
    expires_at: Mapped[str] = mapped_column(TIME)
    ended_at: Mapped[str | None] = mapped_column(TIME, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(20), nullable=True)  # logout|revoked|replaced


class LoginThrottle(Base):
    """Failed-login counter of one key (user:<name> or addr:<ip>) in a fixed window."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[str] = mapped_column(TIME)
    failures: Mapped[int] = mapped_column(Integer)


class Jurisdiction(Base):
    """A node of the jurisdiction tree (区 → 街乡 → 社区/村 → 网格)."""

    __tablename__ = "jurisdictions"
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(100))
    parent: Mapped[str | None] = mapped_column(CODE, nullable=True, index=True)
    level: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[str] = mapped_column(TIME)


class ChecklistVersion(Base):
    """A published checklist file at one version (never changed once published)."""

    __tablename__ = "checklists"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(SHA)
    yaml: Mapped[str] = mapped_column(Text)
    published_at: Mapped[str] = mapped_column(TIME)


class Subject(Base):
    """What is inspected: a street-front unit, a back street or a site."""

    __tablename__ = "subjects"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    jurisdiction: Mapped[str] = mapped_column(CODE, index=True)
    address: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    location: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON
    details: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str | None] = mapped_column(ID, nullable=True)
    created_at: Mapped[str] = mapped_column(TIME)
    updated_at: Mapped[str] = mapped_column(TIME)


class Inspection(Base):
    """A finished inspection (immutable); `data` holds the whole submitted record as JSON."""

    __tablename__ = "inspections"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    checklist_id: Mapped[str] = mapped_column(String(64))
    checklist_version: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(ID, nullable=True, index=True)
    jurisdiction: Mapped[str] = mapped_column(CODE, index=True)
    inspector_id: Mapped[str] = mapped_column(ID)
    started_at: Mapped[str | None] = mapped_column(TIME, nullable=True)
    finished_at: Mapped[str | None] = mapped_column(TIME, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    max_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(100), nullable=True)
    data: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[str] = mapped_column(TIME)
    level: Mapped[str] = mapped_column(String(20), index=True)  # who did it (inspector.core.levels.InspectionLevel)
    programme: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)  # campaign / programme


class InspectionList(Base):
    """One list of a submitted inspection with its own score and outcome: position 0 is the inspection's own checklist,
    the further positions the area lists of a "1+10" visit (readers count inspections by checklist from here)."""

    __tablename__ = "inspection_lists"
    inspection_id: Mapped[str] = mapped_column(ID, ForeignKey("inspections.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    checklist_id: Mapped[str] = mapped_column(String(64), index=True)
    checklist_version: Mapped[str] = mapped_column(String(32))
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    max_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(100), nullable=True)


class PatrolLog(Base):
    """A 巡查日志 of a 街巷长 or 小巷管家 (immutable); `data` holds the whole document as JSON."""

    __tablename__ = "patrol_logs"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    jurisdiction: Mapped[str] = mapped_column(CODE, index=True)
    patroller_id: Mapped[str] = mapped_column(ID, index=True)
    started_at: Mapped[str] = mapped_column(TIME, index=True)
    ended_at: Mapped[str] = mapped_column(TIME)
    data: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[str] = mapped_column(TIME)


class Finding(Base):
    """The projected current state of a finding; `data` is the JSON of the projection."""

    __tablename__ = "findings"
    # the dashboard's counts read only this index (server/web/dashboard.py)
    __table_args__ = (
        Index(
            "ix_findings_dashboard",
            "jurisdiction",
            "state",
            "kind",
            "source",
            "severity",
            "escalation",
            "deadline",
            "category",
            "created_at",
            "updated_at",
        ),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(CODE, index=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    severity: Mapped[str | None] = mapped_column(String(20), nullable=True)  # a hazard's grade; null for a problem
    kind: Mapped[str] = mapped_column(String(20), index=True)  # problem / hazard (inspector.core.ledger.Kind)
    source: Mapped[str] = mapped_column(String(30), index=True)  # 发现方式 (inspector.core.ledger.Source)
    escalation: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)  # 督办 level
    deadline: Mapped[str | None] = mapped_column(String(10), nullable=True)  # the unit's 整改期限, YYYY-MM-DD
    category: Mapped[str] = mapped_column(String(200))
    subject_id: Mapped[str | None] = mapped_column(ID, nullable=True)
    ledger_number: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    data: Mapped[str] = mapped_column(Text)
    event_count: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(SHA)
    created_at: Mapped[str] = mapped_column(TIME)
    updated_at: Mapped[str] = mapped_column(TIME)


class FindingEvent(Base):
    """One appended ledger event, chained to the previous event of its finding by hash."""

    __tablename__ = "finding_events"
    __table_args__ = (UniqueConstraint("finding_id", "idx"),)
    event_id: Mapped[str] = mapped_column(ID, primary_key=True)
    finding_id: Mapped[str] = mapped_column(ID, index=True)
    idx: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str] = mapped_column(ID)
    at: Mapped[str] = mapped_column(TIME)
    recorded_at: Mapped[str] = mapped_column(TIME)
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON, exactly as hashed
    base_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    prev_hash: Mapped[str] = mapped_column(SHA)
    hash: Mapped[str] = mapped_column(SHA)


class LedgerCounter(Base):
    """The last ledger number issued for one 街乡 in one year (locked while incrementing)."""

    __tablename__ = "ledger_counters"
    street: Mapped[str] = mapped_column(CODE, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class SyncChange(Base):
    """A processed client change and its result; the primary key makes every change apply at most once."""

    __tablename__ = "sync_changes"
    change_id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID)
    device_row_id: Mapped[str | None] = mapped_column(ID, nullable=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(20))  # pending|applied|conflict|rejected
    result: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON of the reply item
    received_at: Mapped[str] = mapped_column(TIME)


class FeedEntry(Base):
    """One entry of the change feed; `seq` comes from FeedCounter at commit time."""

    __tablename__ = "feed"
    __table_args__ = (Index("ix_feed_jurisdiction_seq", "jurisdiction", "seq"),)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str] = mapped_column(String(100))
    jurisdiction: Mapped[str | None] = mapped_column(CODE, nullable=True)
    data: Mapped[str] = mapped_column(Text)
    at: Mapped[str] = mapped_column(TIME)


class FeedCounter(Base):
    """The single row holding the last feed sequence number."""

    __tablename__ = "feed_counter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(BigInteger)


class Blob(Base):
    """A stored photo (bytes in the blob folder, named by SHA-256)."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(SHA, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_by: Mapped[str | None] = mapped_column(ID, nullable=True)  # the first uploader; holders in blob_holders
    created_at: Mapped[str] = mapped_column(TIME)


class BlobHolder(Base):
    """A user who sent the server a blob's bytes (verified): may name it in records and download it."""

    __tablename__ = "blob_holders"
    sha256: Mapped[str] = mapped_column(SHA, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    created_at: Mapped[str] = mapped_column(TIME)


class BlobRef(Base):
    """A record that references a blob, with the record's jurisdiction (decides who may download it)."""

    __tablename__ = "blob_refs"
    sha256: Mapped[str] = mapped_column(SHA, primary_key=True)
    entity_kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    entity_id: Mapped[str] = mapped_column(ID, primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(CODE)


class BlobUpload(Base):
    """An unfinished resumable upload of one user (the bytes so far are in the blob folder's partial/)."""

    __tablename__ = "blob_uploads"
    sha256: Mapped[str] = mapped_column(SHA, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[str] = mapped_column(TIME)
    updated_at: Mapped[str] = mapped_column(TIME)
    # object store only (the filesystem keeps the bytes so far in a partial file): bytes received, the multipart
    # upload and its object key, the parts sent ([number, etag, size], JSON) and the object holding the bytes not
    # yet enough for a part
    received: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    store_upload_id: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    store_key: Mapped[str | None] = mapped_column(String(300), nullable=True)
    store_parts: Mapped[str | None] = mapped_column(Text, nullable=True)
    store_tail: Mapped[str | None] = mapped_column(String(300), nullable=True)


# ---- the web face (server/web) ----


class UnitLink(Base):
    """A responsible unit's link to its case page (/u/<token>): only the SHA-256 of the token is kept."""

    __tablename__ = "unit_links"
    id: Mapped[str] = mapped_column(ID, primary_key=True)  # also the unit's actor id in the ledger
    finding_id: Mapped[str] = mapped_column(ID, index=True)
    token_hash: Mapped[str] = mapped_column(SHA, unique=True)
    created_at: Mapped[str] = mapped_column(TIME)
    expires_at: Mapped[str] = mapped_column(TIME)
    revoked_at: Mapped[str | None] = mapped_column(TIME, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(ID, nullable=True)


class UnitSelfLink(Base):
    """A street-front unit's standing link to its daily 自查 page (/k/<token>): only the token's SHA-256 is kept."""

    __tablename__ = "unit_self_links"
    id: Mapped[str] = mapped_column(ID, primary_key=True)  # also the inspector id of the unit's 自查
    subject_id: Mapped[str] = mapped_column(ID, index=True)
    token_hash: Mapped[str] = mapped_column(SHA, unique=True)
    created_at: Mapped[str] = mapped_column(TIME)
    created_by: Mapped[str | None] = mapped_column(ID, nullable=True)
    revoked_at: Mapped[str | None] = mapped_column(TIME, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(ID, nullable=True)


class PublicReport(Base):
    """A report made through a 公示牌's page: its receipt number and the finding it created."""

    __tablename__ = "public_reports"
    receipt: Mapped[str] = mapped_column(String(32), primary_key=True)
    finding_id: Mapped[str] = mapped_column(ID, unique=True)
    subject_id: Mapped[str] = mapped_column(ID, index=True)
    created_at: Mapped[str] = mapped_column(TIME)


class WebThrottle(Base):
    """A counter of web-page posts of one key (address, unit link or subject) in a fixed window."""

    __tablename__ = "web_throttle"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[str] = mapped_column(TIME)
    count: Mapped[int] = mapped_column(Integer)


class WebSession(Base):
    """A dashboard session in the browser, stored only as the SHA-256 of its cookie."""

    __tablename__ = "web_sessions"
    token_hash: Mapped[str] = mapped_column(SHA, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[str] = mapped_column(TIME)
    expires_at: Mapped[str] = mapped_column(TIME)
    ended_at: Mapped[str | None] = mapped_column(TIME, nullable=True)


class DistrictTimeLimit(Base):
    """A time-limit row the district set: it replaces the shipped row for its kind, category and stage."""

    __tablename__ = "district_time_limits"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    row: Mapped[str] = mapped_column(Text)  # the row's JSON (format inspector-time-limits/1)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[str] = mapped_column(TIME)


class ScoringRule(Base):
    """A scoring rule the district published (format inspector-scoring-rule/1): the file's text, as published."""

    __tablename__ = "scoring_rules"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(32), primary_key=True)
    district: Mapped[str] = mapped_column(String(6), index=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    published_by: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[str] = mapped_column(TIME)


class DistrictCalendarYear(Base):
    """A calendar year the district supplies: its weekdays off and weekend days worked (调休)."""

    __tablename__ = "district_calendar_years"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    days: Mapped[str] = mapped_column(Text)  # {"holidays": {date: name}, "workdays": {date: name}}
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[str] = mapped_column(TIME)


class Talk(Base):
    """A 约谈 record (insert-only): who was talked to, when, why, and the month's ranking entry that led to it."""

    __tablename__ = "talks"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    held_on: Mapped[str] = mapped_column(String(10))
    person: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(200), default="")
    jurisdiction: Mapped[str] = mapped_column(CODE, index=True)
    reason: Mapped[str] = mapped_column(Text)
    basis: Mapped[str] = mapped_column(String(20))
    basis_ref: Mapped[str] = mapped_column(String(64), default="")
    basis_text: Mapped[str] = mapped_column(String(200), default="")
    recorded_by: Mapped[str] = mapped_column(ID)
    recorded_at: Mapped[str] = mapped_column(TIME)
class Campaign(Base):
    """A campaign (专项治理, 大排查大整治, a seasonal task) the district runs: period, checklists, people."""

    __tablename__ = "campaigns"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    starts_on: Mapped[str] = mapped_column(String(10))  # Beijing day, YYYY-MM-DD
    ends_on: Mapped[str] = mapped_column(String(10))
    jurisdiction: Mapped[str] = mapped_column(CODE, index=True)
    checklists: Mapped[str] = mapped_column(Text)  # JSON list of checklist ids
    inspectors: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of usernames
    version: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[str] = mapped_column(TIME)
    updated_at: Mapped[str] = mapped_column(TIME)


class CampaignSite(Base):
    """One 检查点位 of a campaign: a subject, in the order the sheet listed it."""

    __tablename__ = "campaign_sites"
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("subjects.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[str] = mapped_column(TIME)
