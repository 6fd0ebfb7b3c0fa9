"""Push: send the outbox in order, in batches, and settle every change by the server's per-change result.

The results of one batch are applied in one local transaction, each change in its own savepoint, so a crash leaves
either the whole batch settled or none of it; an unsettled change is simply sent again and the server answers
`duplicate` with its first result (protocol §5), which settles it the same way.

While the server decides a batch, the next one is planned (and its request encoded) and the previous one settled
here: requests go out from a sender thread that only moves bytes; the database and all JSON work stay on the
calling thread. The batch planned ahead is sent as soon as the server's answer to the current one has arrived —
before that answer is read — when the two batches share no record: the server has then finished the current batch,
so it still decides every change in outbox order, and no answer about the current batch can concern the next one.
Otherwise the answer is read first, and a record the server asked to send again later is taken out of the batch
planned ahead (with its later changes).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlite_utils import Database

from inspector.core.protocol import ChangeKind, ChangeResult, Status, parse_push_results, photo_hashes
from inspector.store import outbox, server_answers
from inspector.store.database import transaction
from inspector.store.errors import RecordNotFoundError
from inspector.store.outbox import OutboxEntry
from inspector.sync.client import API, ProtocolClient
from inspector.sync.errors import ServerFaultError, SyncError
from inspector.sync.progress import ProgressCallback, SyncProgress

log = logging.getLogger(__name__)

ENVELOPE_BYTES = 64  # the JSON around each change and the request's braces, generously
MAX_RESENDS = 2  # a batch whose reply arrived damaged is sent again at most this often


@dataclass
class PushReport:
    """What the push phase did."""

    sent: int = 0
    acknowledged: int = 0
    conflicts: int = 0
    rejected: int = 0
    retry_later: int = 0
    held_back: int = 0
    server_seconds: float = 0.0  # time spent waiting for the server's answers (the rest is local work)
    refused: list[dict[str, str]] = field(default_factory=list)  # change id, kind, status, code, message


@dataclass
class BatchPlan:
    """The changes of the next request, their JSON texts, and the position in the outbox after them."""

    entries: list[OutboxEntry]
    last_seq: int
    held_back: int
    texts: list[str] = field(default_factory=list)

    def body(self) -> bytes:
        """The request body of `POST /push`, joined from the changes' texts (each encoded once, when planned)."""
        return ('{"changes":[' + ",".join(self.texts) + "]}").encode("utf-8")

    def entities(self) -> set[str]:
        return {entry.entity_id for entry in self.entries}


def plan_batch(
    db: Database, after_seq: int, max_changes: int, max_bytes: int, held_entities: set[str], unavailable: set[str]
) -> BatchPlan:
    """The next changes to send, in outbox order, within the count and size limits.

    A change that names a photo the server does not have is held back, and so is every later change of the same
    record (sending them would only earn conflicts, since the server decides them in order).
    """
    chosen: list[OutboxEntry] = []
    texts: list[str] = []
    size = ENVELOPE_BYTES
    position = after_seq
    held = 0
    while len(chosen) < max_changes:
        page = outbox.list_pending(db, max_changes, after_seq=position)
        if not page:
            break
        for entry in page:
            if entry.entity_id in held_entities or photo_hashes(entry.payload) & unavailable:
                held_entities.add(entry.entity_id)
                held += 1
                position = entry.seq
                continue
            text = json.dumps(entry.to_wire(), ensure_ascii=False, separators=(",", ":"))
            cost = len(text.encode("utf-8")) + ENVELOPE_BYTES
            if chosen and (len(chosen) >= max_changes or size + cost > max_bytes):
                return BatchPlan(chosen, position, held, texts)
            chosen.append(entry)
            texts.append(text)
            size += cost
            position = entry.seq
    return BatchPlan(chosen, position, held, texts)


def push_outbox(
    db: Database,
    client: ProtocolClient,
    limits: Mapping[str, Any],
    batch_size: int,
    unavailable: set[str],
    progress: ProgressCallback,
) -> PushReport:
    """Send every sendable queued change once, batch by batch; each batch is settled while the next one is sent."""
    report = PushReport()
    max_changes = max(1, min(batch_size, int(limits.get("max_push_changes") or batch_size)))
    max_bytes = int(limits.get("max_request_bytes") or 8 * 1024 * 1024) - 4096
    total = outbox.count_pending(db)
    held_entities: set[str] = set()

    def planned(after_seq: int, held: set[str]) -> BatchPlan:
        return plan_batch(db, after_seq, max_changes, max_bytes, held, unavailable)

    answered: tuple[list[OutboxEntry], list[ChangeResult]] | None = None  # received, not yet settled
    plan = planned(0, held_entities)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="push-send") as sender:
        request = sender.submit(_exchange, client, plan.body()) if plan.entries else None
        try:
            while request is not None:
                client.check_cancelled()
                report.held_back += plan.held_back
                progress(SyncProgress("push", report.sent, total))
                ahead_held = set(held_entities)
                ahead = planned(plan.last_seq, ahead_held)
                if answered is not None:
                    previous, answered = answered, None
                    settle_batch(db, *previous, report, held_entities)
                raw, seconds = wait_for_reply(db, request, plan.entries)
                request = None
                if ahead.entries and plan.entities().isdisjoint(ahead.entities()):
                    request = sender.submit(_exchange, client, ahead.body())  # the server is done with `plan`
                results, extra_seconds = read_results(client, sender, plan, raw)
                report.server_seconds += seconds + extra_seconds
                report.sent += len(plan.entries)
                answered = (plan.entries, results)
                newly_held = retry_later_entities(plan.entries, results) - held_entities
                held_entities |= ahead_held | newly_held
                if request is None:
                    ahead = planned(plan.last_seq, held_entities) if newly_held else ahead
                    request = sender.submit(_exchange, client, ahead.body()) if ahead.entries else None
                plan = ahead
            report.held_back += plan.held_back
        finally:
            if answered is not None:  # also when cancelled or failed: what the server answered is kept
                settle_batch(db, *answered, report, held_entities)
    progress(SyncProgress("push", report.sent, total))
    return report


def _exchange(client: ProtocolClient, body: bytes) -> tuple[bytes, float]:
    """POST /push (on the sender thread: bytes only, no database, no JSON); the raw reply and the seconds it took."""
    asked = time.perf_counter()
    reply = client.request(
        "POST", API + "/push", data=body, headers={"Content-Type": "application/json"}, raw=True
    ).body
    return reply, time.perf_counter() - asked


def wait_for_reply(
    db: Database, request: Future[tuple[bytes, float]], entries: list[OutboxEntry]
) -> tuple[bytes, float]:
    """The raw reply to a sent batch and the seconds it took; a failed request is counted on each change of the
    batch."""
    try:
        return request.result()
    except SyncError as exc:
        outbox.record_attempt_failure(db, [entry.change_id for entry in entries], str(exc)[:500])
        raise


def read_results(
    client: ProtocolClient, sender: ThreadPoolExecutor, plan: BatchPlan, raw: bytes
) -> tuple[list[ChangeResult], float]:
    """The results of a batch from its raw reply, checked to answer each change in order, and the seconds of any
    resending. A reply damaged on the way is asked for again by sending the batch again (the server answers what
    it already applied as duplicates), at most MAX_RESENDS times."""
    seconds = 0.0
    for attempt in range(MAX_RESENDS + 1):
        try:
            return checked_results(orjson.loads(raw), plan.entries), seconds
        except ValueError:
            if attempt == MAX_RESENDS:
                break
            log.info("push reply unreadable; sending the batch again")
            raw, extra = sender.submit(_exchange, client, plan.body()).result()
            seconds += extra
    raise ServerFaultError("服务器的回复不完整", "the server's reply was incomplete", "bad_reply")


def checked_results(reply: Any, entries: list[OutboxEntry]) -> list[ChangeResult]:
    """The reply's results, which must answer the changes sent, one each, in order (parsed here, once)."""
    try:
        return parse_push_results(reply, [entry.change_id for entry in entries])
    except ValueError:
        raise ServerFaultError(
            "服务器的推送回复与所发送的变更不对应",
            "the server's push reply does not answer the changes sent",
            "bad_reply",
        ) from None


def retry_later_entities(entries: Iterable[OutboxEntry], results: list[ChangeResult]) -> set[str]:
    """The records of changes the server asked to send again later (their later changes must wait)."""
    return {entry.entity_id for entry, result in zip(entries, results, strict=True) if result.retry_later}


def settle_batch(
    db: Database,
    entries: Iterable[OutboxEntry],
    results: list[ChangeResult],
    report: PushReport,
    held_entities: set[str],
) -> None:
    """Apply every result of one batch in one local transaction: all together when every change is an applied
    ledger command (the common case), else each change in its own savepoint."""
    entries = list(entries)
    with transaction(db):
        if settled_together(db, entries, results):
            report.acknowledged += len(entries)
            return
        for entry, result in zip(entries, results, strict=True):
            outcome = settle_change(db, entry, result)
            _count(report, entry, result, outcome)
            if outcome == "retry_later":
                held_entities.add(entry.entity_id)


def settled_together(db: Database, entries: list[OutboxEntry], results: list[ChangeResult]) -> bool:
    """Settle a batch of applied ledger commands in one go; False (nothing done) when the batch is not of that kind
    or its results do not fit together, so that each change is settled on its own."""
    applied: list[tuple[str, dict[str, Any]]] = []
    for entry, result in zip(entries, results, strict=True):
        actual = result.effective()
        if entry.kind != ChangeKind.LEDGER_COMMAND or actual.status != Status.APPLIED or actual.result is None:
            return False
        applied.append((entry.change_id, actual.result))
    try:
        server_answers.acknowledge_commands(db, applied)
    except Exception as exc:  # e.g. a result naming a finding not stored here: one by one decides each
        log.info("push results settled one by one: %s", exc)
        return False
    return True


def settle_change(db: Database, entry: OutboxEntry, result: ChangeResult) -> str:
    """Settle one change by its result; returns acknowledged / conflict / rejected / retry_later / unknown."""
    try:
        outcome = server_answers.settle(db, entry, result)
    except RecordNotFoundError:
        return "acknowledged"  # settled meanwhile by another sync of this data folder
    if outcome == "unknown":
        log.warning("change %s: unknown result %r; kept queued", entry.change_id, result.effective().status)
    return outcome


def _count(report: PushReport, entry: OutboxEntry, result: ChangeResult, outcome: str) -> None:
    if outcome == "acknowledged":
        report.acknowledged += 1
        return
    if outcome == Status.CONFLICT:
        report.conflicts += 1
    elif outcome == Status.REJECTED:
        report.rejected += 1
    elif outcome == "retry_later":
        report.retry_later += 1
    actual = result.effective()
    report.refused.append(
        {
            "change_id": entry.change_id,
            "kind": entry.kind,
            "entity_id": entry.entity_id,
            "status": outcome,
            "code": actual.code,
            "message": actual.message,
        }
    )
