"""Push: apply a batch of client changes, each at most once, each judged on its own (docs/sync-protocol.md §5).

One push is one database transaction:
1. look up which change ids were processed before (their stored results are returned as duplicates);
2. lock the findings the batch touches (in id order) and rebuild their state from their events;
3. judge the common case for the whole batch at once: reports of findings nobody has named yet are decided (the
   checks that do not depend on a payload once for the batch) and their first events hashed in one pass;
4. decide every new change in order, in memory (a refused change writes nothing but its result); a report judged in
   step 3 is only appended at its turn, so its rows, feed entries and reply are those of the change-by-change path;
5. write the accepted changes in bulk, store every final result in `sync_changes` (primary key: change id), and
   let the feed number its entries at commit.
A lost race — a deadlock, a unique constraint hit by a concurrent transaction, or a change id that a concurrent
request stored first — rolls the whole batch back and runs it again; on the second run those changes are
duplicates, so nothing is ever applied twice.

Each finding's canonical text, each event's hashed text and each reply are encoded once (inspector.server.encoding:
orjson where its text is the standard library's byte for byte, so stored hashes do not depend on which made it).
"""

from __future__ import annotations

import contextlib
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from inspector.core.clock import parse_iso, to_iso, utc_now
from inspector.core.jurisdiction import Level, parse_code
from inspector.core.ledger import (
    Action,
    Event,
    FindingState,
    NewFindingCommand,
    Role,
    State,
    apply,
    decide,
    decide_new_findings,
)
from inspector.core.levels import InspectionLevel
from inspector.core.protocol import (
    CONFLICT_CODES,
    PLEDGE_SCAN,
    ChangeKind,
    FeedKind,
    PushCode,
    Status,
    photo_hashes,
)
from inspector.core.scoring import Response, ScoreResult, overlapping_items, score, visit_outcome
from inspector.server import feed
from inspector.server.checklists import load_checklist
from inspector.server.db import Database, insert_ignore, insert_rows, one_of, run_transaction
from inspector.server.encoding import dumps, loads
from inspector.server.jurisdictions import known_codes
from inspector.server.ledger_store import (
    Chain,
    LedgerNumbers,
    NewEvent,
    finding_row_values,
    load_chains,
    new_event_document,
)
from inspector.server.models import (
    BlobRef,
    Finding,
    FindingEvent,
    Inspection,
    InspectionList,
    Jurisdiction,
    PatrolLog,
    Subject,
    SyncChange,
    Talk,
    User,
)
from inspector.server.schemas import (
    ChangeIn,
    InspectionIn,
    LedgerCommandIn,
    PatrolIn,
    SubjectCreateIn,
    SubjectUpdateIn,
    TalkCreateIn,
    describe_validation_error,
)
from inspector.server.scope import Scope
from inspector.server.subjects import apply_fields, code_owner, new_subject, subject_document
from inspector.server.web.links import UnitLinks

log = logging.getLogger(__name__)

KIND_MODELS: dict[str, type[BaseModel]] = {
    ChangeKind.SUBJECT_CREATE: SubjectCreateIn,
    ChangeKind.SUBJECT_UPDATE: SubjectUpdateIn,
    ChangeKind.INSPECTION_SUBMIT: InspectionIn,
    ChangeKind.LEDGER_COMMAND: LedgerCommandIn,
    ChangeKind.TALK_CREATE: TalkCreateIn,
    ChangeKind.PATROL_SUBMIT: PatrolIn,
}
CREATING_ACTIONS = {Action.REPORT.value, Action.REPORT_FIXED_ON_SITE.value}
DEFAULT_CLOCK_SKEW = timedelta(minutes=10)


@dataclass(frozen=True)
class Caller:
    """Who is pushing."""

    user_id: str
    display_name: str
    device_row_id: str | None
    scope: Scope
    max_clock_skew: timedelta = DEFAULT_CLOCK_SKEW  # how far ahead of the server's clock a command's `at` may be
    unit_links: UnitLinks | None = None  # issues the responsible unit its web link when a finding is assigned


@dataclass
class Outcome:
    """The result of one change: applied / conflict / rejected, with the reply's fields.

    `result_json` is an applied result already written as JSON text: the reply, the stored change record and the
    response share that text instead of encoding the same finding and event again.
    """

    status: str
    fields: dict[str, Any]
    retryable: bool = False
    result_json: str | None = None

    def reply_json(self) -> str:
        """The reply as JSON text (`status` first, then its fields)."""
        if self.result_json is not None:
            return f'{{"status":{dumps(self.status)},"result":{self.result_json}}}'
        return dumps({"status": self.status, **self.fields})


def applied(result: dict[str, Any]) -> Outcome:
    return Outcome(Status.APPLIED.value, {"result": result})


def applied_json(result_json: str) -> Outcome:
    return Outcome(Status.APPLIED.value, {}, result_json=result_json)


def conflict(code: str, message: str, current: Any) -> Outcome:
    return Outcome(Status.CONFLICT.value, {"code": code, "message": message, "current": current})


def rejected(code: str, message: str, retryable: bool = False, **extra: Any) -> Outcome:
    return Outcome(
        Status.REJECTED.value, {"code": code, "message": message, "retryable": retryable, **extra}, retryable
    )


def _out_of_scope(code: str) -> Outcome:
    return rejected(
        PushCode.OUT_OF_JURISDICTION, f"辖区 {code} 不在您负责的范围内 (jurisdiction {code} is outside yours)"
    )


def _unknown_jurisdiction(code: str) -> Outcome:
    return rejected(
        PushCode.UNKNOWN_JURISDICTION, f"辖区编码 {code} 不在辖区目录中 (jurisdiction {code} is not in the tree)"
    )


@dataclass(frozen=True)
class NewFinding:
    """A command that creates a finding, decided and hashed ahead of its turn: its event's first state, its hashed
    event and the photos it names."""

    state: FindingState
    event: NewEvent
    photos: set[str]


@dataclass
class Batch:
    """The state of one push transaction: what is locked and known, and what is staged for writing."""

    session: Session
    caller: Caller
    now: datetime
    earliest: datetime | None = None  # no command's `at` may be before this: the account's creation
    parsed: dict[str, BaseModel | ValidationError] = field(default_factory=dict)
    chains: dict[str, Chain] = field(default_factory=dict)
    taken_event_ids: set[str] = field(default_factory=set)
    present_blobs: set[str] = field(default_factory=set)
    jurisdictions: dict[str, Jurisdiction] = field(default_factory=dict)
    new_events: list[dict[str, Any]] = field(default_factory=list)
    touched: dict[str, Chain] = field(default_factory=dict)
    refs: dict[tuple[str, str, str], str] = field(default_factory=dict)
    new_findings: dict[str, NewFinding] = field(default_factory=dict)  # by event id: applied at their turn

    @cached_property
    def numbers(self) -> LedgerNumbers:
        return LedgerNumbers(self.session)

    @cached_property
    def stamp(self) -> str:
        return to_iso(self.now)

    @property
    def scope(self) -> Scope:
        return self.caller.scope

    # ---- preparation ----

    def parse(self, changes: list[ChangeIn]) -> None:
        """Validate each payload against its kind (once); failures are kept to reject that change alone."""
        for change in changes:
            model = KIND_MODELS.get(change.kind)
            if model is None or change.change_id in self.parsed:
                continue
            try:
                self.parsed[change.change_id] = model.model_validate(change.payload)
            except ValidationError as error:
                self.parsed[change.change_id] = error

    def preload(self) -> None:
        """Lock the touched findings and read what the decisions need, a few queries for the whole batch."""
        commands = [item for item in self.parsed.values() if isinstance(item, LedgerCommandIn)]
        inspections = [item for item in self.parsed.values() if isinstance(item, InspectionIn)]
        self.chains = load_chains(self.session, {command.finding_id for command in commands}, lock=True)
        event_ids = sorted({command.event_id for command in commands})
        if event_ids:
            taken = one_of(self.session, FindingEvent.event_id, event_ids)
            found = self.session.scalars(select(FindingEvent.event_id).where(taken))
            self.taken_event_ids = set(found)
        hashes: set[str] = set()
        for command in commands:
            hashes |= photo_hashes({"payload": command.payload})
        for inspection in inspections:
            hashes |= _inspection_photos(inspection)
        for item in self.parsed.values():
            if isinstance(item, PatrolIn):
                hashes |= set(item.photos)
            elif isinstance(item, SubjectCreateIn | SubjectUpdateIn):
                hashes |= _pledge_scan(item)
        if hashes:
            self.present_blobs = self._nameable_blobs(sorted(hashes))
        self.jurisdictions = known_codes(self.session, self._referenced_codes())

    def _nameable_blobs(self, hashes: list[str]) -> set[str]:
        """The photos among these that the caller may name: stored, and sent by the caller (it holds their bytes) or
        referenced by a record in the caller's scope (which the caller may already read).

        Any other hash is answered as missing, the same as an unknown one: knowing a photo's SHA-256 is not enough to
        attach it to a record and then read it; holding its bytes is (the client uploads what the server calls
        missing for it, and then holds it).
        """
        return self.scope.visible_blobs(self.session, hashes)

    def _referenced_codes(self) -> set[str]:
        codes: set[str] = set()
        for item in self.parsed.values():
            text = None
            if isinstance(item, LedgerCommandIn):
                text = item.payload.get("jurisdiction")
            elif isinstance(item, SubjectCreateIn | InspectionIn | TalkCreateIn | PatrolIn):
                text = item.jurisdiction
            elif isinstance(item, SubjectUpdateIn):
                text = item.fields.jurisdiction
            if isinstance(text, str):
                try:
                    codes.add(parse_code(text).full)
                except ValueError:
                    continue
        return codes

    def prepare_new_findings(self) -> None:
        """Decide the common case for the whole batch at once: commands that create a finding nobody has named.

        A report (or report_fixed_on_site) whose finding no other command of the batch names, which exists in no
        stored event, and whose event id no other command uses and none is stored under, meets nothing at its turn
        that is not known now: no state, no chain, no ledger number. So its checks are judged for the batch in one
        pass (inspector.core.ledger.decide_new_findings), and its event is hashed here (the first of its chain). At
        its turn it is only appended, in the batch's order, so the feed, the rows and the replies are those the
        change-by-change path writes. Any command this pass would refuse is left to that path, which gives its
        answer; so is every other command.
        """
        commands = [item for item in self.parsed.values() if isinstance(item, LedgerCommandIn)]
        findings = Counter(command.finding_id for command in commands)
        events = Counter(command.event_id for command in commands)
        candidates: list[tuple[LedgerCommandIn, dict[str, Any], datetime]] = []
        for command in commands:
            chain = self.chains.get(command.finding_id)
            if (
                command.action not in CREATING_ACTIONS
                or findings[command.finding_id] != 1
                or events[command.event_id] != 1
                or command.event_id in self.taken_event_ids
                or chain is None
                or chain.exists_in_db
                or chain.state is not None
            ):
                continue
            at = self._bounded_at(command.at)
            if isinstance(at, Outcome):
                continue
            payload = {key: value for key, value in command.payload.items() if key != "ledger_number"}
            candidates.append((command, payload, at))
        if not candidates:
            return
        try:
            decisions = decide_new_findings(
                self.scope.actor(),
                [NewFindingCommand(command.action, payload, command.base_state) for command, payload, _ in candidates],
                self.now,
            )
        except Exception:  # the change-by-change path meets it again, and answers for that change alone
            return
        for (command, payload, at), decision in zip(candidates, decisions, strict=True):
            if decision.allowed:
                with contextlib.suppress(Exception):  # as above: the change's own turn answers for it
                    self._prepare_new_finding(command, payload, at)

    def _event(self, command: LedgerCommandIn, payload: dict[str, Any], at: datetime) -> Event:
        """The ledger event a command of the caller's makes."""
        return Event(
            event_id=command.event_id,
            finding_id=command.finding_id,
            action=Action(command.action),
            actor_id=self.caller.user_id,
            at=at,
            payload=payload,
            base_state=State(command.base_state) if command.base_state else None,
        )

    def _prepare_new_finding(self, command: LedgerCommandIn, payload: dict[str, Any], at: datetime) -> None:
        if self._known_street_level(payload["jurisdiction"]) is not None:
            return
        photos = photo_hashes({"payload": payload})
        if photos - self.present_blobs:
            return
        event = self._event(command, payload, at)
        state = apply(None, event)
        hashed = new_event_document(Chain(), event, self.stamp, to_iso(at))
        self.new_findings[command.event_id] = NewFinding(state, hashed, photos)

    # ---- one change ----

    def run(self, change: ChangeIn) -> Outcome:
        """Decide one change; an unexpected fault rejects only this change (retryable, not stored)."""
        parsed = self.parsed.get(change.change_id)
        if change.kind not in KIND_MODELS:
            known = ", ".join(KIND_MODELS)
            return rejected(PushCode.UNKNOWN_KIND, f"未知的变更类型 {change.kind!r} (unknown kind; known: {known})")
        if parsed is None:
            return rejected(PushCode.INVALID_PAYLOAD, "内容有误 (invalid payload)")
        if isinstance(parsed, ValidationError):
            return rejected(
                PushCode.INVALID_PAYLOAD, f"内容有误 (invalid payload): {describe_validation_error(parsed)}"
            )
        handlers: dict[type[BaseModel], Callable[[Any], Outcome]] = {
            LedgerCommandIn: self.ledger_command,
            SubjectCreateIn: self.subject_create,
            SubjectUpdateIn: self.subject_update,
            InspectionIn: self.inspection_submit,
            TalkCreateIn: self.talk_create,
            PatrolIn: self.patrol_submit,
        }
        try:
            return handlers[type(parsed)](parsed)
        except DBAPIError:
            raise  # a lost race: the whole batch runs again
        except Exception:
            log.exception("push change %s (%s) failed", change.change_id, change.kind)
            message = "服务器暂时无法处理该变更，请稍后重试 (the server could not process this change now)"
            return rejected(PushCode.BUSY, message, True)

    def _missing(self, hashes: set[str]) -> Outcome | None:
        missing = sorted(hashes - self.present_blobs)
        if not missing:
            return None
        return rejected(
            PushCode.MISSING_BLOBS,
            f"有 {len(missing)} 张照片尚未上传 ({len(missing)} photo(s) not uploaded yet)",
            True,
            missing=missing,
        )

    def _known_street_level(self, text: Any) -> Outcome | None:
        code = parse_code(str(text)).full
        row = self.jurisdictions.get(code)
        if row is None:
            return _unknown_jurisdiction(code)
        if row.level < Level.STREET:
            return rejected(
                PushCode.JURISDICTION_TOO_COARSE,
                f"隐患须落到街乡或更细的辖区 (a finding needs a 街乡-level jurisdiction or finer, not {code})",
            )
        return None

    def _ref(self, hashes: set[str], kind: str, entity_id: str, jurisdiction: str) -> None:
        for sha256 in hashes:
            self.refs[(sha256, kind, entity_id)] = jurisdiction

    # ---- ledger.command ----

    def ledger_command(self, command: LedgerCommandIn) -> Outcome:
        chain = self.chains.setdefault(command.finding_id, Chain())
        current = chain.state
        ready = self.new_findings.pop(command.event_id, None)
        if ready is not None and current is None and command.event_id not in self.taken_event_ids:
            return self._append(command, chain, ready.state, ready.event, ready.photos)
        if current is not None and not self.scope.covers(current.jurisdiction):
            return self._unseen_finding(command)
        if command.event_id in self.taken_event_ids:
            return rejected(PushCode.EVENT_EXISTS, f"事件 {command.event_id} 已存在 (this event id is already used)")
        payload = {key: value for key, value in command.payload.items() if key != "ledger_number"}
        at = self._bounded_at(command.at)
        if isinstance(at, Outcome):
            return at
        # the rules (a deadline not before today, overdue) are judged on the server's clock, not the client's
        decision = decide(current, command.action, self.scope.actor(), payload, self.now, base_state=command.base_state)
        if not decision.allowed:
            if decision.code in CONFLICT_CODES:
                return conflict(decision.code, decision.reason, chain.document())
            return rejected(decision.code, decision.reason, current=chain.document())
        if current is None and command.action in CREATING_ACTIONS:
            problem = self._known_street_level(payload["jurisdiction"])
            if problem:
                return problem
        photos = photo_hashes({"payload": payload})
        missing = self._missing(photos)
        if missing:
            return missing
        event = self._event(command, payload, at)
        if event.action == Action.ACCEPT:
            assert current is not None
            number = self.numbers.next_number(current.jurisdiction, self.now)
            payload["ledger_number"] = number.text
            new_state = apply(current, event)
            self.numbers.take(number)  # only now: a refused accept leaves no gap
        else:
            new_state = apply(current, event)
        return self._append(command, chain, new_state, new_event_document(chain, event, self.stamp, to_iso(at)), photos)

    def _append(
        self, command: LedgerCommandIn, chain: Chain, new_state: FindingState, new_event: NewEvent, photos: set[str]
    ) -> Outcome:
        """Stage an accepted command's event and its finding's new state; the reply shares their JSON texts."""
        chain.advance(new_state, new_event.hash, new_event.document["index"], self.stamp)
        self.new_events.append(new_event.row_values())
        self.taken_event_ids.add(command.event_id)
        self.touched[command.finding_id] = chain
        self._ref(photos, "finding", command.finding_id, new_state.jurisdiction)
        reply_json = new_event.reply_json(self.caller.display_name)
        feed.stage_json(self.session, FeedKind.FINDING_EVENT, command.event_id, new_state.jurisdiction, reply_json)
        if command.action == Action.ASSIGN and self.caller.unit_links is not None:
            self.caller.unit_links.issue(self.session, command.finding_id, new_state.jurisdiction, self.now)
        return applied_json(f'{{"finding":{chain.document_json()},"event":{reply_json}}}')

    def _bounded_at(self, text: str) -> datetime | Outcome:
        """When the user did it, as the event keeps it: the client's `at`, refused when it lies before the account
        existed or more than the allowed skew ahead of the server's clock, and never later than the server's now."""
        at = parse_iso(text)
        if self.earliest is not None and at < self.earliest:
            return rejected(
                PushCode.INVALID_PAYLOAD,
                f"操作时间 {to_iso(at)} 早于账号创建时间 {to_iso(self.earliest)}，请检查电脑时钟 "
                f"(at: {to_iso(at)} is before the account existed; check the computer's clock)",
            )
        if at > self.now + self.caller.max_clock_skew:
            return rejected(
                PushCode.INVALID_PAYLOAD,
                f"操作时间 {to_iso(at)} 晚于服务器时间 {self.stamp}，请检查电脑时钟 "
                f"(at: {to_iso(at)} is ahead of the server's clock; check the computer's clock)",
            )
        return min(at, self.now)

    def _unseen_finding(self, command: LedgerCommandIn) -> Outcome:
        """The answer for a finding outside the caller's scope: the same as for an id nobody has used, so a push
        tells no more than a GET (which says 404) — neither its jurisdiction nor that it exists.

        Only a command that would create a finding cannot get that answer (it would be applied); it is told the id is
        taken, without anything of the finding.
        """
        payload = {key: value for key, value in command.payload.items() if key != "ledger_number"}
        decision = decide(None, command.action, self.scope.actor(), payload, self.now, base_state=command.base_state)
        if decision.allowed:
            return conflict(PushCode.EXISTS, f"隐患 {command.finding_id} 已存在 (this finding id is taken)", None)
        if decision.code in CONFLICT_CODES:
            return conflict(decision.code, decision.reason, None)
        return rejected(decision.code, decision.reason, current=None)

    # ---- subjects ----

    def subject_create(self, data: SubjectCreateIn) -> Outcome:
        code = parse_code(data.jurisdiction).full
        if not self.scope.covers(code):
            return _out_of_scope(code)
        if code not in self.jurisdictions:
            return _unknown_jurisdiction(code)
        existing = self.session.get(Subject, data.subject_id)
        if existing is not None:
            current = subject_document(existing) if self.scope.covers(existing.jurisdiction) else None
            return conflict(PushCode.EXISTS, f"检查对象 {data.subject_id} 已存在 (the subject already exists)", current)
        owner = code_owner(self.session, data.code)
        if owner is not None:
            current = subject_document(owner) if self.scope.covers(owner.jurisdiction) else None
            return conflict(PushCode.CODE_TAKEN, f"编码 {data.code} 已被其他检查对象使用 (the code is taken)", current)
        scan = _pledge_scan(data)
        missing = self._missing(scan)
        if missing:
            return missing
        row = new_subject(data, self.caller.user_id)
        self.session.add(row)
        self.session.flush()
        self._ref(scan, "subject", row.id, row.jurisdiction)
        document = subject_document(row)
        feed.stage(self.session, FeedKind.SUBJECT, row.id, row.jurisdiction, document)
        return applied({"subject": document})

    def subject_update(self, data: SubjectUpdateIn) -> Outcome:
        row = self.session.get(Subject, data.subject_id, with_for_update=True)
        if row is None or not self.scope.covers(row.jurisdiction):
            return rejected(
                PushCode.NOT_FOUND, f"没有找到检查对象 {data.subject_id} (no such subject in your jurisdictions)"
            )
        if data.base_version != row.version:
            return conflict(
                PushCode.STALE,
                f"检查对象已被修改为第 {row.version} 版，您修改的是第 {data.base_version} 版 "
                f"(the subject is at version {row.version}, the change was made on {data.base_version})",
                subject_document(row),
            )
        if data.fields.jurisdiction is not None:
            new_code = parse_code(data.fields.jurisdiction).full
            if not self.scope.covers(new_code):
                return _out_of_scope(new_code)
            if new_code not in self.jurisdictions:
                return _unknown_jurisdiction(new_code)
        owner = code_owner(self.session, data.fields.code, except_id=row.id)
        if owner is not None:
            current = subject_document(owner) if self.scope.covers(owner.jurisdiction) else None
            return conflict(
                PushCode.CODE_TAKEN, f"编码 {data.fields.code} 已被其他检查对象使用 (the code is taken)", current
            )
        scan = _pledge_scan(data)
        missing = self._missing(scan)
        if missing:
            return missing
        old_jurisdiction = row.jurisdiction
        apply_fields(row, data.fields)
        self.session.flush()
        self._ref(scan, "subject", row.id, row.jurisdiction)
        document = subject_document(row)
        feed.stage(self.session, FeedKind.SUBJECT, row.id, row.jurisdiction, document)
        if old_jurisdiction != row.jurisdiction:
            feed.stage(self.session, FeedKind.SUBJECT, row.id, old_jurisdiction, document)
        return applied({"subject": document})

    # ---- inspection.submit ----

    def inspection_submit(self, data: InspectionIn) -> Outcome:
        code = parse_code(data.jurisdiction).full
        if not self.scope.covers(code):
            return _out_of_scope(code)
        if code not in self.jurisdictions:
            return _unknown_jurisdiction(code)
        existing = self.session.get(Inspection, data.inspection_id)
        if existing is not None:
            current = loads(existing.data) if self.scope.covers(existing.jurisdiction) else None
            return conflict(PushCode.EXISTS, f"检查记录 {data.inspection_id} 已提交 (already submitted)", current)
        pinned = [(data.checklist_id, data.checklist_version, data.responses)]
        pinned += [(entry.checklist_id, entry.checklist_version, entry.responses) for entry in data.lists]
        ids = [checklist_id for checklist_id, _version, _answers in pinned]
        if len(set(ids)) != len(ids):
            return rejected(PushCode.INVALID_PAYLOAD, "同一次检查中检查表重复 (a checklist is listed twice)")
        loaded: list[Any] = []
        for checklist_id, version, answers in pinned:
            checklist = load_checklist(self.session, checklist_id, version)
            if checklist is None:
                key = f"{checklist_id}@{version}"
                return rejected(PushCode.UNKNOWN_CHECKLIST, f"服务器上没有检查表 {key} (no such checklist version)")
            unknown_items = sorted(item_id for item_id in answers if item_id not in {i.id for i in checklist.items})
            if unknown_items:
                return rejected(
                    PushCode.INVALID_PAYLOAD,
                    f"检查表 {checklist.key} 没有这些检查项 (no such items): {', '.join(unknown_items[:10])}",
                )
            loaded.append(checklist)
        shared = overlapping_items(loaded)
        if shared:
            message = f"所选检查表有相同编号的检查项 (the lists share item ids): {', '.join(shared[:10])}"
            return rejected(PushCode.INVALID_PAYLOAD, message)
        if data.subject_id is not None and self.scope.get(self.session, Subject, data.subject_id) is None:
            message = f"没有找到检查对象 {data.subject_id} (no such subject in your jurisdictions)"
            return rejected(PushCode.UNKNOWN_SUBJECT, message)
        photos = _inspection_photos(data)
        missing = self._missing(photos)
        if missing:
            return missing
        document, scored = self._inspection_document(data, code, loaded)
        self.session.add(
            Inspection(
                id=data.inspection_id,
                checklist_id=data.checklist_id,
                checklist_version=data.checklist_version,
                subject_id=data.subject_id,
                jurisdiction=code,
                inspector_id=self.caller.user_id,
                started_at=data.started_at,
                finished_at=data.finished_at,
                score=document["score"],
                max_score=document["max_score"],
                passed=document["passed"],
                outcome=document["outcome"],
                data=dumps(document),
                submitted_at=self.stamp,
                level=document["level"],
                programme=document["programme"],
            )
        )
        self.session.flush()  # the lists refer to the inspection row
        for position, (checklist, result) in enumerate(zip(loaded, scored, strict=True)):
            self.session.add(
                InspectionList(
                    inspection_id=data.inspection_id,
                    position=position,
                    checklist_id=checklist.id,
                    checklist_version=checklist.version,
                    score=result.score,
                    max_score=result.max_score,
                    passed=result.passed,
                    outcome=result.outcome,
                )
            )
        self._ref(photos, "inspection", data.inspection_id, code)
        feed.stage(self.session, FeedKind.INSPECTION, data.inspection_id, code, document)
        return applied({"inspection": document})

    # ---- 约谈 ----

    def talk_create(self, data: TalkCreateIn) -> Outcome:
        """Store a 约谈 record (insert-only) in a 街乡 inside the caller's scope; the same record sent again under its
        id is applied again, a different one under a taken id is a conflict."""
        try:
            parsed = parse_code(data.jurisdiction)
        except ValueError:
            return rejected(PushCode.INVALID_PAYLOAD, "内容有误 (invalid payload): jurisdiction")
        if not self.scope.roles & {Role.SUPERVISOR, Role.ADMIN}:
            return rejected("forbidden_role", "只有督导员可以记录约谈 (only a supervisor records a talk)")
        if parsed.level != Level.STREET:
            return rejected(PushCode.INVALID_PAYLOAD, "约谈须对应一个街乡 (a talk names one 街乡): jurisdiction")
        code = parsed.full
        if not self.scope.covers(code):
            return _out_of_scope(code)
        if code not in self.jurisdictions:
            return _unknown_jurisdiction(code)
        fields = data.model_dump()
        fields["jurisdiction"] = code
        existing = self.session.get(Talk, data.talk_id)
        if existing is not None:
            name = self.caller.display_name if existing.recorded_by == self.caller.user_id else ""
            current = talk_document(existing, name) if self.scope.covers(existing.jurisdiction) else None
            if current is not None and all(current[key] == value for key, value in fields.items()):
                return applied({"talk": current})
            return conflict(PushCode.EXISTS, f"约谈记录 {data.talk_id} 已存在 (the talk already exists)", current)
        row = Talk(
            id=data.talk_id, month=data.month, held_on=data.held_on, person=data.person, unit=data.unit,
            jurisdiction=code, reason=data.reason, basis=data.basis, basis_ref=data.basis_ref,
            basis_text=data.basis_text, recorded_by=self.caller.user_id, recorded_at=self.stamp,
        )  # fmt: skip
        self.session.add(row)
        self.session.flush()
        document = talk_document(row, self.caller.display_name)
        feed.stage(self.session, FeedKind.TALK, row.id, code, document)
        return applied({"talk": document})

    def _inspection_document(
        self, data: InspectionIn, code: str, loaded: list[Any]
    ) -> tuple[dict[str, Any], list[ScoreResult]]:
        """The stored and fed document, and each list's score (the first list's own, then the area lists')."""
        answers = [data.responses, *(entry.responses for entry in data.lists)]
        scored = [
            score(
                checklist,
                {
                    item_id: Response(result=answer.result, value=answer.value, occurrences=answer.occurrences)
                    for item_id, answer in own.items()
                },
            )
            for checklist, own in zip(loaded, answers, strict=True)
        ]
        result = scored[0]
        passed, outcome = visit_outcome(scored)
        document: dict[str, Any] = {
            "id": data.inspection_id,
            "checklist_id": data.checklist_id,
            "checklist_version": data.checklist_version,
            "subject_id": data.subject_id,
            "jurisdiction": code,
            "inspector_id": self.caller.user_id,
            "inspector_name": self.caller.display_name,
            "started_at": data.started_at,
            "finished_at": data.finished_at,
            "location": data.location.model_dump(exclude_none=True) if data.location else None,
            "notes": data.notes,
            "responses": {key: value.model_dump() for key, value in data.responses.items()},
            "photos": data.photos,
            "score": result.score,
            "max_score": result.max_score,
            "passed": passed,
            "outcome": outcome,
            "complete": all(own.complete for own in scored),
            "failed_items": [item for own in scored for item in own.failed_items],
            "client_score": data.score,
            "client_max_score": data.max_score,
            "client_outcome": data.outcome,
            "submitted_at": self.stamp,
            "level": (data.level or InspectionLevel.STREET_SELF).value,
            "programme": data.programme,
        }
        if data.lists:
            document["lists"] = [
                {
                    "checklist_id": entry.checklist_id,
                    "checklist_version": entry.checklist_version,
                    "responses": {key: value.model_dump() for key, value in entry.responses.items()},
                    "score": own.score,
                    "max_score": own.max_score,
                    "passed": own.passed,
                    "outcome": own.outcome,
                    "complete": own.complete,
                    "failed_items": list(own.failed_items),
                    "client_score": entry.score,
                    "client_max_score": entry.max_score,
                    "client_outcome": entry.outcome,
                }
                for entry, own in zip(data.lists, scored[1:], strict=True)
            ]
        return document, scored

    # ---- patrol.submit ----

    def patrol_submit(self, data: PatrolIn) -> Outcome:
        code = parse_code(data.jurisdiction).full
        if not self.scope.covers(code):
            return _out_of_scope(code)
        if code not in self.jurisdictions:
            return _unknown_jurisdiction(code)
        existing = self.session.get(PatrolLog, data.patrol_id)
        if existing is not None:
            current = loads(existing.data) if self.scope.covers(existing.jurisdiction) else None
            return conflict(PushCode.EXISTS, f"巡查日志 {data.patrol_id} 已提交 (already submitted)", current)
        for street_id in data.streets:
            if self.scope.get(self.session, Subject, street_id) is None:
                message = f"没有找到街巷 {street_id} (no such street in your jurisdictions)"
                return rejected(PushCode.UNKNOWN_SUBJECT, message)
        photos = set(data.photos)
        missing = self._missing(photos)
        if missing:
            return missing
        document = {
            "id": data.patrol_id,
            "role": data.role,
            "jurisdiction": code,
            "patroller_id": self.caller.user_id,
            "patroller_name": self.caller.display_name,
            "started_at": data.started_at,
            "ended_at": data.ended_at,
            "streets": list(data.streets),
            "checks": [check.model_dump() for check in data.checks],
            "photos": list(data.photos),
            "notes": data.notes or "",
            "submitted_at": self.stamp,
        }
        self.session.add(
            PatrolLog(
                id=data.patrol_id,
                role=data.role,
                jurisdiction=code,
                patroller_id=self.caller.user_id,
                started_at=data.started_at,
                ended_at=data.ended_at,
                data=dumps(document),
                submitted_at=self.stamp,
            )
        )
        self._ref(photos, "patrol", data.patrol_id, code)
        feed.stage(self.session, FeedKind.PATROL, data.patrol_id, code, document)
        return applied({"patrol": document})

    # ---- writing ----

    def flush(self) -> None:
        """Write the accepted ledger events, the new finding states, the ledger counters and the photo references in
        bulk."""
        self.numbers.save()
        connection = self.session.connection()
        if self.new_events:
            insert_rows(connection, _table(FindingEvent), self.new_events)
        new_rows: list[dict[str, Any]] = []
        changed_rows: list[dict[str, Any]] = []
        for finding_id, chain in self.touched.items():
            assert chain.state is not None and chain.created_at is not None
            heads = {"head_hash": chain.head_hash, "updated_at": chain.updated_at or ""}
            values = finding_row_values(chain.state, heads, chain.created_at, chain.document_json())
            (changed_rows if chain.exists_in_db else new_rows).append(values)
            feed.stage_json(self.session, FeedKind.FINDING, finding_id, chain.state.jurisdiction, chain.document_json())
        if new_rows:
            insert_rows(connection, _table(Finding), new_rows)
        if changed_rows:
            table = _table(Finding)
            columns: dict[str, Any] = {
                name: bindparam(f"v_{name}") for name in changed_rows[0] if name not in ("id", "created_at")
            }
            statement = update(table).where(table.c.id == bindparam("v_id")).values(columns)
            connection.execute(statement, [{f"v_{key}": value for key, value in row.items()} for row in changed_rows])
        if self.refs:
            rows = [
                {"sha256": sha, "entity_kind": kind, "entity_id": entity, "jurisdiction": code}
                for (sha, kind, entity), code in sorted(self.refs.items())
            ]
            insert_ignore(self.session, BlobRef, rows)


def _table(model: type) -> Table:
    """The Core table of a model (bulk statements skip the ORM)."""
    return model.__table__  # type: ignore[attr-defined,no-any-return]


def talk_document(row: Talk, recorder_name: str = "") -> dict[str, Any]:
    """A talk as the reply and the feed carry it (§5.5)."""
    return {
        "talk_id": row.id, "month": row.month, "held_on": row.held_on, "person": row.person, "unit": row.unit,
        "jurisdiction": row.jurisdiction, "reason": row.reason, "basis": row.basis, "basis_ref": row.basis_ref,
        "basis_text": row.basis_text, "recorded_by": row.recorded_by, "recorded_by_name": recorder_name,
        "recorded_at": row.recorded_at,
    }  # fmt: skip


def _pledge_scan(data: SubjectCreateIn | SubjectUpdateIn) -> set[str]:
    """The 责任书 scan a subject change names in its details (docs/sync-protocol.md §4.1), as a set."""
    details = data.details if isinstance(data, SubjectCreateIn) else data.fields.details
    scan = (details or {}).get(PLEDGE_SCAN)
    return {scan} if isinstance(scan, str) and scan else set()


def _inspection_photos(data: InspectionIn) -> set[str]:
    hashes = set(data.photos)
    for answers in [data.responses, *(entry.responses for entry in data.lists)]:
        for answer in answers.values():
            hashes |= set(answer.photos)
    return hashes


# ---------------------------------------------------------------------------------------------------------------
# The push transaction
# ---------------------------------------------------------------------------------------------------------------


def _done_before(session: Session, caller: Caller, change_ids: set[str]) -> dict[str, str]:
    """Replies (JSON text) for changes processed by earlier requests (another user's ids are refused, not revealed).

    A duplicate carries its first result as it was stored, without decoding it.
    """
    if not change_ids:
        return {}
    found: dict[str, str] = {}
    rows = session.execute(
        select(SyncChange.change_id, SyncChange.user_id, SyncChange.result).where(
            one_of(session, SyncChange.change_id, change_ids)
        )
    )
    for change_id, user_id, result in rows:
        if user_id != caller.user_id:
            found[change_id] = CHANGE_ID_TAKEN.reply_json()
        else:
            found[change_id] = _duplicate_json(result or "null")
    return found


CHANGE_ID_TAKEN = rejected(
    PushCode.CHANGE_ID_TAKEN, "该变更编号已被其他用户使用 (this change id belongs to another user)"
)


def _duplicate_json(original_json: str) -> str:
    return f'{{"status":"{Status.DUPLICATE}","original":{original_json}}}'


def _result_json(change_id: str, reply_json: str) -> str:
    """One item of the push reply: the change id, then the reply's fields (reply_json is a non-empty object)."""
    return f'{{"change_id":{dumps(change_id)},{reply_json[1:]}'


def _record(session: Session, caller: Caller, outcomes: dict[str, Outcome], kinds: dict[str, str], stamp: str) -> None:
    """Store each final result; if another transaction stored one of these change ids first, start over.

    The primary key of sync_changes is the guard: a change id can be stored once. Two racing requests with the
    same change both get here; the second one's insert waits for the first to commit, then fails on the key, and
    the whole transaction runs again, where the change is a duplicate.
    """
    rows = [
        {
            "change_id": change_id,
            "user_id": caller.user_id,
            "device_row_id": caller.device_row_id,
            "kind": kinds[change_id][:32],
            "status": outcome.status,
            "result": outcome.reply_json(),
            "received_at": stamp,
        }
        for change_id, outcome in sorted(outcomes.items())
        if not outcome.retryable
    ]
    if rows:
        insert_rows(session.connection(), _table(SyncChange), rows)


def push_batch(
    session: Session, caller: Caller, changes: list[ChangeIn], now: datetime | None = None, batched: bool = True
) -> list[str]:
    """Process one batch inside the caller's transaction; returns one result per change, in order, as JSON text.

    `now` is the server's time of the push (the clock's unless given); `batched=False` sends every change down the
    change-by-change path, the reference the batch pass for new findings must agree with byte for byte.
    """
    created = session.scalar(select(User.created_at).where(User.id == caller.user_id))
    now = now or utc_now()
    batch = Batch(session, caller, now, parse_iso(created) - caller.max_clock_skew if created else None)
    earlier = _done_before(session, caller, {change.change_id for change in changes})
    batch.parse([change for change in changes if change.change_id not in earlier])
    batch.preload()
    if batched:
        batch.prepare_new_findings()
    outcomes: dict[str, Outcome] = {}
    kinds: dict[str, str] = {}
    results = []
    for change in changes:
        if change.change_id in earlier:
            results.append(_result_json(change.change_id, earlier[change.change_id]))
        elif change.change_id in outcomes:
            original = outcomes[change.change_id].reply_json()
            results.append(_result_json(change.change_id, _duplicate_json(original)))
        else:
            outcome = batch.run(change)
            outcomes[change.change_id] = outcome
            kinds[change.change_id] = change.kind
            results.append(_result_json(change.change_id, outcome.reply_json()))
    batch.flush()
    _record(session, caller, outcomes, kinds, batch.stamp)
    return results


def push(db: Database, caller: Caller, changes: list[ChangeIn]) -> list[str]:
    """Run a push as one transaction, again from the start when it lost a race (idempotent by construction).

    Returns one result per change, in order, each as JSON text (the reply is assembled from them, not re-encoded).
    """
    return run_transaction(db, lambda session: push_batch(session, caller, changes), retry_integrity=True)
