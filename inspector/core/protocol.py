"""The sync protocol's words (docs/sync-protocol.md) and the typed shapes of its requests and replies, for both sides.

Pure: no I/O. The client parses the server's replies into these shapes once, at its edge (`parse_push_results`);
the server's pydantic request models (`inspector.server.schemas`) are checked against the request shapes by a test.
(No `from __future__ import annotations` here: the TypedDicts' NotRequired keys must be seen when the classes are
made.) Every value here is the exact string on the wire: the enums are `StrEnum`s, so they compare, hash and encode as
their strings.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NotRequired, TypedDict


class ChangeKind(StrEnum):
    """The kind of a pushed change (§5.1-5.5); also the `kind` of the outbox and of conflict records."""

    SUBJECT_CREATE = "subject.create"
    SUBJECT_UPDATE = "subject.update"
    INSPECTION_SUBMIT = "inspection.submit"
    LEDGER_COMMAND = "ledger.command"
    TALK_CREATE = "talk.create"  # a 约谈 record, insert-only (§5.5)
    PATROL_SUBMIT = "patrol.submit"  # a 街巷长/小巷管家 巡查日志 (§5.6)


CHANGE_KINDS: tuple[str, ...] = tuple(kind.value for kind in ChangeKind)


class Status(StrEnum):
    """The `status` of one change's result in a push reply (§5)."""

    APPLIED = "applied"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    REJECTED = "rejected"


class PushCode(StrEnum):
    """Every `code` a push result can carry (§5, the table after "Every `code`")."""

    MISSING_BLOBS = "missing_blobs"
    BUSY = "busy"
    CHANGE_ID_TAKEN = "change_id_taken"
    UNKNOWN_KIND = "unknown_kind"
    INVALID_PAYLOAD = "invalid_payload"
    OUT_OF_JURISDICTION = "out_of_jurisdiction"
    UNKNOWN_JURISDICTION = "unknown_jurisdiction"
    JURISDICTION_TOO_COARSE = "jurisdiction_too_coarse"
    NOT_FOUND = "not_found"
    UNKNOWN_CHECKLIST = "unknown_checklist"
    UNKNOWN_SUBJECT = "unknown_subject"
    EVENT_EXISTS = "event_exists"
    EXISTS = "exists"
    CODE_TAKEN = "code_taken"
    STALE = "stale"
    ILLEGAL_STATE = "illegal_state"


RETRYABLE_CODES = frozenset({PushCode.MISSING_BLOBS, PushCode.BUSY})  # "Only these are retryable" (§5)
CONFLICT_CODES = frozenset({PushCode.STALE, PushCode.ILLEGAL_STATE})  # the state machine's refusals that conflict


class ErrorCode(StrEnum):
    """The `error` of an error reply (§1.3)."""

    MALFORMED_JSON = "malformed_json"
    BAD_HEADER = "bad_header"
    INCOMPLETE_BODY = "incomplete_body"
    UNAUTHENTICATED = "unauthenticated"
    TOKEN_INVALID = "token_invalid"
    TOKEN_EXPIRED = "token_expired"
    TOKEN_REVOKED = "token_revoked"
    LOGIN_FAILED = "login_failed"
    ACCOUNT_DISABLED = "account_disabled"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    OFFSET_MISMATCH = "offset_mismatch"
    UPLOAD_NOT_STARTED = "upload_not_started"
    UPLOAD_BUSY = "upload_busy"
    LENGTH_REQUIRED = "length_required"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    VALIDATION_FAILED = "validation_failed"
    HASH_MISMATCH = "hash_mismatch"
    PROTOCOL_REQUIRED = "protocol_required"
    PROTOCOL_UNSUPPORTED = "protocol_unsupported"
    CLIENT_TOO_OLD = "client_too_old"
    RATE_LIMITED = "rate_limited"
    INTERNAL_ERROR = "internal_error"
    UNAVAILABLE = "unavailable"
    INSUFFICIENT_STORAGE = "insufficient_storage"
    STORAGE_UNWRITABLE = "storage_unwritable"
    STORAGE_UNAVAILABLE = "storage_unavailable"


class FeedKind(StrEnum):
    """The `kind` of a feed entry (§7)."""

    JURISDICTION = "jurisdiction"
    CHECKLIST = "checklist"
    SUBJECT = "subject"
    INSPECTION = "inspection"
    FINDING = "finding"
    FINDING_EVENT = "finding_event"
    UNIT_LINK = "unit_link"  # the responsible unit's page of an assigned finding (the 整改通知书's QR link)
    TIME_LIMIT = "time_limit"  # a district time-limit row (§4.2)
    CALENDAR_YEAR = "calendar_year"  # a district calendar year (§4.2)
    TALK = "talk"  # a 约谈 record (§5.5)
    CAMPAIGN = "campaign"  # a district campaign with its sites and people (§7.2)
    SCORING_RULE = "scoring_rule"  # a district's published scoring rule (§4.3)
    PATROL = "patrol"  # a 街巷长/小巷管家 巡查日志 (§5.6)


# --------------------------------------------------------------------------------------------------------------
# Requests (client → server)
# --------------------------------------------------------------------------------------------------------------


class Change(TypedDict):
    """One change of `POST /push` (§5)."""

    change_id: str
    kind: str
    payload: dict[str, Any]


class PushRequest(TypedDict):
    """The body of `POST /push`."""

    changes: list[Change]


class LedgerCommand(TypedDict):
    """The payload of a `ledger.command` change (§5.4)."""

    event_id: str
    finding_id: str
    action: str
    payload: dict[str, Any]
    base_state: str | None
    at: str


class SubjectCreate(TypedDict):
    """The payload of a `subject.create` change (§5.1)."""

    subject_id: str
    kind: str
    name: str
    jurisdiction: str
    code: NotRequired[str | None]
    address: NotRequired[str | None]
    location: NotRequired[dict[str, Any] | None]
    details: NotRequired[dict[str, Any]]


class SubjectUpdate(TypedDict):
    """The payload of a `subject.update` change (§5.2)."""

    subject_id: str
    base_version: int
    fields: dict[str, Any]


class InspectionSubmit(TypedDict):
    """The payload of an `inspection.submit` change (§5.3)."""

    inspection_id: str
    checklist_id: str
    checklist_version: str
    subject_id: NotRequired[str | None]
    jurisdiction: str
    started_at: NotRequired[str | None]
    finished_at: NotRequired[str | None]
    location: NotRequired[dict[str, Any] | None]
    notes: NotRequired[str | None]
    responses: dict[str, dict[str, Any]]
    photos: NotRequired[list[str]]
    score: NotRequired[float | None]
    max_score: NotRequired[float | None]
    outcome: NotRequired[str | None]
    lists: NotRequired[list[dict[str, Any]]]  # the further lists of a "1+10" visit, each with its own responses
    level: NotRequired[str | None]  # who did it (core.levels.InspectionLevel); absent: street_self
    programme: NotRequired[str | None]  # the campaign or standing programme it was made under


class TalkCreate(TypedDict):
    """The payload of a `talk.create` change (§5.5)."""

    talk_id: str
    month: str
    held_on: str
    person: str
    unit: NotRequired[str]
    jurisdiction: str
    reason: str
    basis: str
    basis_ref: NotRequired[str]
    basis_text: NotRequired[str]


class PatrolSubmit(TypedDict):
    """The payload of a `patrol.submit` change (§5.6)."""

    patrol_id: str
    role: str
    jurisdiction: str
    started_at: str
    ended_at: str
    streets: list[str]
    checks: NotRequired[list[dict[str, Any]]]
    photos: NotRequired[list[str]]
    notes: NotRequired[str | None]


CHANGE_PAYLOADS: dict[ChangeKind, type] = {
    ChangeKind.SUBJECT_CREATE: SubjectCreate,
    ChangeKind.SUBJECT_UPDATE: SubjectUpdate,
    ChangeKind.INSPECTION_SUBMIT: InspectionSubmit,
    ChangeKind.LEDGER_COMMAND: LedgerCommand,
    ChangeKind.TALK_CREATE: TalkCreate,
    ChangeKind.PATROL_SUBMIT: PatrolSubmit,
}


PHOTO_FIELDS = ("photos", "after_photos", "governance_plan")  # blob hashes a payload names (protocol 2: 治理方案)
PLEDGE_SCAN = "pledge_scan"  # a street-front unit's 责任书 scan: one blob hash inside a subject's `details` (§4.1)


def photo_hashes(body: Mapping[str, Any]) -> set[str]:
    """Every photo hash a change payload (or a record the server sends) names: at its top level, in a ledger
    command's inner payload, in each response of an inspection (of each of its lists), and a subject's 责任书 scan
    (its `details`, or the `details` among an update's `fields`)."""
    found: set[str] = set()
    bodies: list[Mapping[str, Any]] = [body]
    inner = body.get("payload")
    if isinstance(inner, Mapping):
        bodies.append(inner)
    fields = body.get("fields")
    for holder in (body, fields if isinstance(fields, Mapping) else {}):
        details = holder.get("details")
        if isinstance(details, Mapping) and isinstance(details.get(PLEDGE_SCAN), str) and details[PLEDGE_SCAN]:
            found.add(details[PLEDGE_SCAN])
    groups = [body.get("responses")]  # an inspection's answers, and those of each further list of a visit
    lists = body.get("lists")
    if isinstance(lists, list):
        groups += [entry.get("responses") for entry in lists if isinstance(entry, Mapping)]
    for responses in groups:
        if isinstance(responses, Mapping):
            bodies.extend(answer for answer in responses.values() if isinstance(answer, Mapping))
    for part in bodies:
        for name in PHOTO_FIELDS:
            value = part.get(name)
            if isinstance(value, list):
                found.update(item for item in value if isinstance(item, str))
    return found


# --------------------------------------------------------------------------------------------------------------
# Replies (server → client)
# --------------------------------------------------------------------------------------------------------------

PEOPLE_PATH = "/people"  # the name directory (§4): `GET /api/v1/people`, items of `Person`


class Person(TypedDict):
    """One entry of the name directory (§4): a user id and the name documents show for it."""

    id: str
    display_name: str


@dataclass(frozen=True)
class ChangeResult:
    """One change's result in a push reply (§5), as the server sent it.

    `status` stays the text received (a newer server may send a status this client does not know); `original` is
    the first result of a `duplicate`.
    """

    change_id: str | None
    status: str
    code: str = ""
    message: str = ""
    retryable: bool = False
    result: dict[str, Any] | None = None
    current: dict[str, Any] | None = None
    missing: tuple[str, ...] = ()
    original: "ChangeResult | None" = None

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> "ChangeResult":
        """A result from its JSON object; fields of the wrong type count as absent."""
        original = data.get("original")
        missing = data.get("missing")
        return cls(
            change_id=data["change_id"] if isinstance(data.get("change_id"), str) else None,
            status=str(data.get("status") or ""),
            code=str(data.get("code") or ""),
            message=str(data.get("message") or ""),
            retryable=bool(data.get("retryable")),
            result=data["result"] if isinstance(data.get("result"), dict) else None,
            current=data["current"] if isinstance(data.get("current"), dict) else None,
            missing=tuple(sha for sha in missing if isinstance(sha, str)) if isinstance(missing, list) else (),
            original=cls.parse(original) if isinstance(original, Mapping) else None,
        )

    def effective(self) -> "ChangeResult":
        """What the result stands for: a duplicate stands for its original result ("treat exactly as the original")."""
        if self.status == Status.DUPLICATE and self.original is not None:
            return self.original
        return self

    @property
    def retry_later(self) -> bool:
        """The server cannot do the change yet: keep it and send it again later."""
        actual = self.effective()
        return actual.status == Status.REJECTED and actual.retryable


def parse_push_results(reply: Any, change_ids: Sequence[str]) -> list[ChangeResult]:
    """The results of a push reply, which must answer the changes sent, one each, in order; ValueError otherwise."""
    results = reply.get("results") if isinstance(reply, Mapping) else None
    if not isinstance(results, list) or not all(isinstance(item, Mapping) for item in results):
        raise ValueError("the push reply has no list of results")
    parsed = [ChangeResult.parse(item) for item in results]
    if [result.change_id for result in parsed] != list(change_ids):
        raise ValueError("the push reply does not answer the changes sent")
    return parsed


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed page (§7); `data` is None when the server sent no object (the entry is then ignored)."""

    seq: int | None
    kind: str
    id: str | None
    data: dict[str, Any] | None

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> "FeedEntry":
        """An entry from its JSON object; fields of the wrong type count as absent."""
        seq, record, entity_id = data.get("seq"), data.get("data"), data.get("id")
        return cls(
            seq=seq if isinstance(seq, int) else None,
            kind=str(data.get("kind")),
            id=None if entity_id is None else str(entity_id),
            data=record if isinstance(record, dict) else None,
        )


@dataclass(frozen=True)
class FeedPage:
    """One page of the feed (§7)."""

    entries: list[FeedEntry]
    next: int
    has_more: bool
    head: int | None


def parse_feed_page(body: Any) -> FeedPage:
    """A feed reply; ValueError when it is not one."""
    if not isinstance(body, Mapping) or not isinstance(body.get("entries"), list):
        raise ValueError("the feed reply has no list of entries")
    if not isinstance(body.get("next"), int):
        raise ValueError("the feed reply has no cursor")
    entries = [FeedEntry.parse(entry) for entry in body["entries"] if isinstance(entry, Mapping)]
    head = body.get("head") if isinstance(body.get("head"), int) else None
    return FeedPage(entries, body["next"], bool(body.get("has_more")), head)
