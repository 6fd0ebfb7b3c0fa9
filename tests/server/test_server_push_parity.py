"""A push decided as one batch gives what the same changes give one request each: statuses, codes, states, chains."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from server_support import JW, SLT_COMMUNITY, Api, ServerEnv, accept, assign, change, command, report, upload
from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector.core.clock import to_iso, utc_now
from inspector.core.ids import new_id
from inspector.server.auth import parse_roles
from inspector.server.encoding import ZERO_HASH, canonical_json, loads
from inspector.server.feed import publish
from inspector.server.ledger_store import verify_ledger
from inspector.server.models import (
    BlobRef,
    FeedEntry,
    Finding,
    FindingEvent,
    LedgerCounter,
    SyncChange,
    User,
    UserJurisdiction,
)
from inspector.server.push import Caller, push_batch
from inspector.server.schemas import ChangeIn
from inspector.server.scope import Scope


def _mixed_plan() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A mixed batch (and one change pushed before it): new findings, three changes to one finding, a change id
    repeated inside the batch, one repeated from the earlier push, a stale command (conflict), a malformed payload,
    a finding outside the caller's jurisdictions, an event id used twice, and a refused accept before a good one."""
    earlier = report()
    first, second = report(), report()
    one, two = first["payload"]["finding_id"], second["payload"]["finding_id"]
    no_category = report()
    del no_category["payload"]["payload"]["category"]
    reused_event = accept(two)
    reused_event["payload"]["event_id"] = first["payload"]["event_id"]
    stale = command(one, "accept", {"severity": "general"}, "registered")
    plan = [
        first,
        second,
        accept(one),
        first,  # the same change id again in this batch: a duplicate
        stale,  # base state no longer matches: a conflict
        assign(one),  # the third change to the same finding
        earlier,  # pushed in the request before: a duplicate
        no_category,
        report(jurisdiction="110105001000000"),  # 建外: not the inspector's
        reused_event,  # its event id is taken
        change("ledger.command", {"event_id": "not-a-uuid"}),
        command(two, "assign", {"responsible_unit": "某单位"}, "reported"),  # not before an accept: a conflict
        accept(two),
        report(),
    ]
    return plan, earlier


def _fresh_ids(plan: list[dict[str, Any]], earlier: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The same plan with every change, event and finding id renamed (consistently), for a second run."""
    names: dict[str, str] = {}

    def rename(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: rename(item) for key, item in value.items()}
        if isinstance(value, list):
            return [rename(item) for item in value]
        if isinstance(value, str) and len(value) == 36 and value.count("-") == 4:
            return names.setdefault(value, new_id())
        return value

    return rename(copy.deepcopy(plan)), rename(copy.deepcopy(earlier))


def _shape(result: dict[str, Any]) -> tuple[Any, ...]:
    """What must be equal between the two runs (ids, times, hashes and ledger numbers differ by construction)."""
    original = result.get("original") or {}
    applied = result.get("result") or original.get("result") or {}
    finding = applied.get("finding") or {}
    event = applied.get("event") or {}
    return (
        result["status"],
        result.get("code"),
        original.get("status"),
        finding.get("state"),
        finding.get("event_count"),
        event.get("action"),
        event.get("index"),
        bool(finding.get("ledger_number")),
    )


def test_a_mixed_batch_gives_what_the_same_changes_give_one_request_each(api: Api, env: ServerEnv) -> None:
    user = api.login("slt-both")
    plan, earlier = _mixed_plan()
    assert user.push(earlier)[0]["status"] == "applied"
    batched = user.push(*plan)

    single_plan, single_earlier = _fresh_ids(plan, earlier)
    assert user.push(single_earlier)[0]["status"] == "applied"
    one_by_one = [user.push(item)[0] for item in single_plan]

    assert [_shape(r) for r in batched] == [_shape(r) for r in one_by_one]
    assert [r["status"] for r in batched] == [
        "applied", "applied", "applied", "duplicate", "conflict", "applied", "duplicate",
        "rejected", "rejected", "rejected", "rejected", "conflict", "applied", "applied",
    ]  # fmt: skip
    assert batched[5]["result"]["event"]["prev_hash"] == batched[2]["result"]["event"]["hash"]

    with env.db.read() as session:
        report_ = verify_ledger(session)
        rows = session.execute(select(Finding.id, Finding.data, Finding.head_hash)).all()
    assert report_.ok, report_.problems  # every stored hash is what the chain recomputes
    replies = {
        r["result"]["finding"]["finding_id"]: r["result"]["finding"]
        for r in (*batched, *one_by_one)
        if r["status"] == "applied"
    }
    for finding_id, data, head_hash in rows:
        assert data == canonical_json(loads(data))  # stored in canonical form
        assert loads(data)["head_hash"] == head_hash
        if finding_id in replies and replies[finding_id]["head_hash"] == head_hash:
            assert loads(data) == replies[finding_id]  # the reply carries the stored document
    assert SLT_COMMUNITY in {loads(data)["jurisdiction"] for _, data, _ in rows}


# ---- the batch pass for new findings against the change-by-change path ----

STORED_TABLES = (FindingEvent, Finding, SyncChange, BlobRef, LedgerCounter)


def _caller(env: ServerEnv, username: str) -> Caller:
    with env.db.read() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        codes = list(session.scalars(select(UserJurisdiction.code).where(UserJurisdiction.user_id == user.id)))
        return Caller(user.id, user.display_name, None, Scope.of(user.id, parse_roles(user.roles), codes))


def _new_findings_plan(photo: str, earlier: dict[str, Any], stored_finding: str, stored_event: str) -> list[Any]:
    """Mostly new reports (the batch pass's case), mixed with every way a report can fail or depend on another
    change: replays, a finding id or event id used twice or already stored, refusals of each kind, and commands that
    are not reports (an accept of one of the batch's own findings, which gets a ledger number)."""
    fresh = [report() for _ in range(6)]
    with_photo = report(photos=[photo])
    fixed_on_site = report(photos=[photo])
    fixed_on_site["payload"]["action"] = "report_fixed_on_site"
    fixed_on_site["payload"]["payload"] |= {"after_photos": [photo], "rectification": "已当场清理"}
    same_finding = report(finding_id=fresh[1]["payload"]["finding_id"])  # the second report of one finding
    same_event = report()
    same_event["payload"]["event_id"] = fresh[2]["payload"]["event_id"]  # an event id the batch uses twice
    stored_event_id = report()
    stored_event_id["payload"]["event_id"] = stored_event
    missing_photo = report(photos=["e" * 64])
    ahead = report()
    ahead["payload"]["at"] = "2099-01-01T00:00:00.000Z"
    stale = report()
    stale["payload"]["base_state"] = "reported"
    no_category = report()
    del no_category["payload"]["payload"]["category"]
    ledger_number = report(ledger_number="朝阳-三里屯-2026-99999")  # a client cannot name its ledger number
    return [
        fresh[0],
        with_photo,
        fresh[1],
        earlier,  # a replay of the earlier push
        same_finding,
        fresh[2],
        same_event,
        fixed_on_site,
        report(finding_id=stored_finding),  # the finding exists already: it cannot be reported again
        stored_event_id,
        accept(fresh[0]["payload"]["finding_id"]),
        missing_photo,
        report(jurisdiction=JW),  # not the caller's
        report(jurisdiction="110105004999000"),  # inside the caller's 街乡, but in no jurisdiction tree
        ahead,
        stale,
        no_category,
        ledger_number,
        fresh[3],
        fresh[3],  # the same change again in this batch
        change("ledger.command", {"event_id": "not-a-uuid"}),
        change("no.such.kind", {}),
        fresh[4],
        fresh[5],
    ]


def _stored(session: Session, since: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row the push wrote (and the feed it staged), in a stable order; the feed's own commit time aside."""
    publish(session)
    rows = {
        model.__tablename__: sorted(tuple(row) for row in session.execute(select(*model.__table__.columns)))
        for model in STORED_TABLES
    }
    rows["feed"] = [
        tuple(row)
        for row in session.execute(
            select(FeedEntry.seq, FeedEntry.kind, FeedEntry.entity_id, FeedEntry.jurisdiction, FeedEntry.data)
            .where(FeedEntry.at >= since)
            .order_by(FeedEntry.seq)
        )
    ]
    return rows


def test_the_batch_pass_for_new_findings_stores_what_the_change_by_change_path_stores(api: Api, env: ServerEnv) -> None:
    """The same changes at the same moment, once through the batch pass and once change by change (each in a
    transaction rolled back afterwards): the same replies byte for byte and the same rows — events with their
    hashes, findings with their canonical text, change records, photo references, ledger counters, feed entries."""
    user = api.login("slt-both")
    photo = upload(user, b"\xff\xd8 a photo of a blocked fire lane")
    earlier = report()
    stored = report()
    assert [r["status"] for r in user.push(earlier, stored)] == ["applied", "applied"]
    plan = _new_findings_plan(photo, earlier, stored["payload"]["finding_id"], stored["payload"]["event_id"])
    changes = [ChangeIn.model_validate(item) for item in plan]
    caller = _caller(env, "slt-both")
    now = utc_now()
    since = to_iso(now - timedelta(seconds=1))

    outcomes = {}
    for batched in (False, True):
        with env.db.write() as session:
            results = push_batch(session, caller, changes, now=now, batched=batched)
            outcomes[batched] = (results, _stored(session, since))
            session.rollback()

    (reference, reference_rows), (fast, fast_rows) = outcomes[False], outcomes[True]
    assert fast == reference  # every reply, byte for byte
    assert fast_rows == reference_rows
    answers = [(loads(item)["status"], loads(item).get("code")) for item in fast]
    assert answers == [
        ("applied", None), ("applied", None), ("applied", None), ("duplicate", None), ("conflict", "illegal_state"),
        ("applied", None), ("rejected", "event_exists"), ("applied", None), ("conflict", "illegal_state"),
        ("rejected", "event_exists"), ("applied", None), ("rejected", "missing_blobs"),
        ("rejected", "out_of_jurisdiction"), ("rejected", "unknown_jurisdiction"), ("rejected", "invalid_payload"),
        ("conflict", "stale"), ("rejected", "invalid_payload"), ("applied", None), ("applied", None),
        ("duplicate", None), ("rejected", "invalid_payload"), ("rejected", "unknown_kind"), ("applied", None),
        ("applied", None),
    ]  # fmt: skip
    accepted = loads(fast[10])["result"]["finding"]
    assert accepted["state"] == "registered" and accepted["ledger_number"]  # numbered after batch-made findings
    events = {row[0]: row for row in fast_rows["finding_events"]}
    first = events[plan[0]["payload"]["event_id"]]
    assert first[8:] == (None, ZERO_HASH, first[10]) and len(first[10]) == 64  # the first of its chain
