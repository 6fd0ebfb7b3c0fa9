"""Ledger commands on the client: checked by the core state machine, queued, pending until the server answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlite_utils import Database
from store_samples import COMMUNITY, STREET, jpeg_bytes

from inspector.core.ledger import Action, Actor, Role, State
from inspector.store import conflicts, findings, outbox, photos, server_answers
from inspector.store.database import DataFolder, transaction
from inspector.store.findings import CommandRefusedError, event_to_json, finding_to_json

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
INSPECTOR = Actor("u-inspector", frozenset({Role.INSPECTOR}), frozenset({STREET}))
SUPERVISOR = Actor("u-supervisor", frozenset({Role.SUPERVISOR}), frozenset({STREET}))
OUTSIDER = Actor("u-far", frozenset({Role.INSPECTOR}), frozenset({"110101001000000"}))


@pytest.fixture
def evidence(folder: DataFolder, db: Database, tmp_path) -> list[str]:
    hashes = []
    for seed in (1, 2):
        path = tmp_path / f"e{seed}.jpg"
        path.write_bytes(jpeg_bytes((200, 150), seed=seed))
        hashes.append(photos.import_photo(folder, db, path).photo.sha256)
    return hashes


def pulled_event(db: Database, data: dict, server_seq: int | None = None) -> findings.LocalFinding:
    """An event the feed brings, taken in as a sync does, and its finding read back."""
    with transaction(db):
        findings.on_pulled_event(db, data, server_seq)
    return findings.get(db, str(data["finding_id"]))


def pulled_finding(db: Database, data: dict) -> findings.LocalFinding:
    """A finding projection the feed brings, taken in as a sync does, and read back."""
    with transaction(db):
        findings.on_pulled(db, data)
    return findings.get(db, str(data["finding_id"]))


def report(db: Database, evidence: list[str], **extra: object) -> findings.RecordedCommand:
    payload = {
        "description": "院门外私搭彩钢板棚",
        "category": "私搭乱建",
        "kind": "hazard",
        "source": "patrol",
        "severity": "general",
        "jurisdiction": COMMUNITY,
        "subject_id": "S-1",
        "photos": [evidence[0]],
        "photo_required": True,
    }
    return findings.record_command(db, action="report", actor=INSPECTOR, payload=payload, now=NOW, **extra)  # type: ignore[arg-type]


def test_a_report_is_stored_as_a_pending_event_with_its_outbox_command(db: Database, evidence) -> None:
    recorded = report(db, evidence, inspection_id=None, item_id="T-01")
    finding = findings.get(db, recorded.event.finding_id)
    assert finding.view.state == State.REPORTED
    assert finding.confirmed is None and finding.has_pending and not finding.has_conflict
    assert finding.item_id == "T-01"
    [stored] = findings.events(db, finding.id)
    assert (stored.origin, stored.sync_state) == ("local", "pending")
    [entry] = outbox.list_pending(db)
    assert entry.kind == "ledger.command" and entry.change_id == recorded.change_id
    assert entry.payload == {
        "event_id": recorded.event.event_id,
        "finding_id": finding.id,
        "action": "report",
        "payload": {**recorded.event.payload},
        "base_state": None,
        "at": "2026-11-20T02:00:00.000Z",
    }
    assert entry.payload["payload"]["item_id"] == "T-01"
    assert [p.sha256 for p in photos.photos_of(db, "finding", finding.id)] == [evidence[0]]


@pytest.mark.parametrize(
    ("actor", "action", "payload", "code"),
    [
        (SUPERVISOR, "report", None, "forbidden_role"),
        (OUTSIDER, "report", None, "out_of_jurisdiction"),
        (INSPECTOR, "report", {"description": ""}, "invalid_payload"),
        (INSPECTOR, "report", {"photos": []}, "invalid_payload"),
        (INSPECTOR, "accept", {"severity": "general"}, "illegal_state"),
        (INSPECTOR, "fly", {}, "unknown_action"),
    ],
)
def test_illegal_commands_are_refused_by_the_state_machine_and_nothing_is_stored(
    db: Database, evidence, actor, action, payload, code
) -> None:
    base = {
        "description": "占道经营",
        "category": "乱占道",
        "kind": "hazard",
        "source": "patrol",
        "severity": "general",
        "jurisdiction": COMMUNITY,
        "location": {"address": "三里屯路19号"},
        "photos": [evidence[0]],
        "photo_required": True,
    }
    with pytest.raises(CommandRefusedError) as caught:
        findings.record_command(db, action=action, actor=actor, payload={**base, **(payload or {})}, now=NOW)
    assert caught.value.code == code
    assert "(" in str(caught.value)  # the state machine's bilingual reason
    for table in ("findings", "finding_events", "outbox"):
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0


def test_a_report_naming_a_photo_that_is_not_stored_is_refused(db: Database, evidence) -> None:
    from inspector.store.errors import RecordNotFoundError

    with pytest.raises(RecordNotFoundError):
        findings.record_command(
            db,
            action="report",
            actor=INSPECTOR,
            payload={
                "description": "x",
                "category": "y",
                "kind": "hazard",
                "source": "patrol",
                "severity": "general",
                "jurisdiction": COMMUNITY,
                "subject_id": "S",
                "photos": ["a" * 64],
            },
            now=NOW,
        )
    assert db.execute("SELECT count(*) FROM findings").fetchone()[0] == 0


def test_commands_build_on_the_local_view_until_the_server_answers(db: Database, evidence) -> None:
    reported = report(db, evidence)
    fid = reported.event.finding_id
    accepted = findings.record_command(
        db, action="accept", actor=SUPERVISOR, payload={"severity": "general"}, finding_id=fid, now=NOW
    )
    assert accepted.event.base_state == State.REPORTED
    assigned = findings.record_command(
        db,
        action=Action.ASSIGN,
        actor=SUPERVISOR,
        finding_id=fid,
        now=NOW,
        payload={
            "responsible_unit": "三里屯街道城管科",
            "responsible_person": "李科长",
            "deadline": "2026-11-25",
            "measures": "拆除彩钢板棚",
        },
    )
    view = findings.get(db, fid).view
    assert view.state == State.ASSIGNED and view.deadline == date(2026, 11, 25)
    assert assigned.finding == view
    assert [e.kind for e in outbox.list_pending(db)] == ["ledger.command"] * 3
    assert [e.payload["base_state"] for e in outbox.list_pending(db)] == [None, "reported", "registered"]


def server_copy(recorded: findings.RecordedCommand, index: int, **payload_extra: object) -> dict:
    data = event_to_json(recorded.event)
    data["payload"] = {**data["payload"], **payload_extra}
    return {**data, "index": index, "recorded_at": data["at"], "hash": "h" * 64}


def test_acknowledgements_move_commands_into_the_confirmed_projection(db: Database, evidence) -> None:
    reported = report(db, evidence)
    fid = reported.event.finding_id
    accepted = findings.record_command(
        db, action="accept", actor=SUPERVISOR, payload={"severity": "general"}, finding_id=fid, now=NOW
    )
    first, second = outbox.list_pending(db)
    server_answers.acknowledge(db, first.change_id, {"event": server_copy(reported, 1)})
    middle = findings.get(db, fid)
    assert middle.confirmed is not None and middle.confirmed.state == State.REPORTED
    assert middle.view.state == State.REGISTERED and middle.has_pending
    server_accept = server_copy(accepted, 2, ledger_number="朝阳-三里屯-2026-00001")
    server_answers.acknowledge(db, second.change_id, {"event": server_accept})
    done = findings.get(db, fid)
    assert not done.has_pending and outbox.count_pending(db) == 0
    assert done.view.ledger_number == "朝阳-三里屯-2026-00001"
    assert done.confirmed == done.view
    assert [e.sync_state for e in findings.events(db, fid)] == ["acknowledged", "acknowledged"]
    # The same events arriving again through the feed change nothing.
    pulled_event(db, server_copy(reported, 1), server_seq=10)
    pulled_event(db, server_accept, server_seq=11)
    assert findings.get(db, fid).view == done.view
    assert [e.server_seq for e in findings.events(db, fid)] == [10, 11]


def finding_row(db: Database, finding_id: str) -> dict:
    return next(iter(db.query("SELECT * FROM findings WHERE id = ?", [finding_id])))


def test_an_acknowledgement_writes_the_servers_projection_into_the_row(db: Database, evidence) -> None:
    reported = report(db, evidence)
    fid = reported.event.finding_id
    server_answers.acknowledge(db, reported.change_id, {"event": server_copy(reported, 1)})
    accepted = findings.record_command(
        db, action="accept", actor=SUPERVISOR, payload={"severity": "major"}, finding_id=fid, now=NOW
    )
    assert finding_row(db, fid)["ledger_number"] is None
    server_accept = server_copy(accepted, 2, ledger_number="朝阳-三里屯-2026-00009")
    projection = finding_to_json(findings.get(db, fid).view) | {
        "ledger_number": "朝阳-三里屯-2026-00009",
        "event_count": 2,
        "head_hash": "h" * 64,
    }
    server_answers.acknowledge(db, accepted.change_id, {"event": server_accept, "finding": projection})
    row = finding_row(db, fid)
    assert (row["state"], row["severity"], row["ledger_number"]) == ("registered", "major", "朝阳-三里屯-2026-00009")
    assert (row["has_pending"], row["has_conflict"]) == (0, 0)
    assert row["confirmed_projection"] == row["projection"]


def test_the_feed_repeating_what_a_finding_holds_leaves_its_row_untouched(db: Database, evidence) -> None:
    reported = report(db, evidence)
    fid = reported.event.finding_id
    server_event = server_copy(reported, 1)
    server_finding = finding_to_json(reported.finding) | {"head_hash": "h" * 64, "updated_at": "2026-11-20T02:00:01Z"}
    server_answers.acknowledge(db, reported.change_id, {"event": server_event, "finding": server_finding})
    db.execute("UPDATE findings SET updated_at = 'before the feed' WHERE id = ?", [fid])
    settled = finding_row(db, fid)
    pulled_event(db, server_event, server_seq=7)
    pulled_finding(db, server_finding)
    assert finding_row(db, fid) == settled
    assert [(e.sync_state, e.server_seq) for e in findings.events(db, fid)] == [("acknowledged", 7)]
    changed = {**server_finding, "event_count": 2, "description": "院门外私搭彩钢板棚（已拆一半）"}
    pulled_finding(db, changed)
    assert finding_row(db, fid)["description"] == changed["description"]
    assert finding_row(db, fid)["updated_at"] != "before the feed"


def server_result(recorded: findings.RecordedCommand, index: int, **projection: object) -> dict:
    """The result the server returns for an applied command: its event and the finding after it."""
    return {
        "event": server_copy(recorded, index),
        "finding": finding_to_json(recorded.finding) | {"event_count": index, "head_hash": "h" * 64, **projection},
    }


def test_a_batch_of_applied_commands_is_settled_together(db: Database, evidence) -> None:
    reported = report(db, evidence)
    fid = reported.event.finding_id
    accepted = findings.record_command(
        db, action="accept", actor=SUPERVISOR, payload={"severity": "general"}, finding_id=fid, now=NOW
    )
    other = report(db, evidence)
    later = findings.record_command(
        db,
        action="reject",
        actor=SUPERVISOR,
        payload={"reason": "重复上报"},
        finding_id=other.event.finding_id,
        now=NOW,
    )
    number = {"ledger_number": "朝阳-三里屯-2026-00003"}
    applied = [
        (reported.change_id, server_result(reported, 1)),
        (accepted.change_id, server_result(accepted, 2, **number)),
        (other.change_id, server_result(other, 1)),
    ]
    settled = server_answers.acknowledge_commands(db, applied)
    assert {entry.change_id for entry in settled} == {reported.change_id, accepted.change_id, other.change_id}
    assert [entry.change_id for entry in outbox.list_pending(db)] == [later.change_id]
    done = findings.get(db, fid)
    assert done.view == done.confirmed and done.view.ledger_number == number["ledger_number"]
    assert not done.has_pending and finding_row(db, fid)["ledger_number"] == number["ledger_number"]
    assert [e.sync_state for e in findings.events(db, fid)] == ["acknowledged", "acknowledged"]
    waiting = findings.get(db, other.event.finding_id)
    assert waiting.confirmed is not None and waiting.confirmed.state == State.REPORTED
    assert waiting.view.state == State.REJECTED and waiting.has_pending


def test_results_that_do_not_fit_together_change_nothing(db: Database, evidence) -> None:
    reported = report(db, evidence)
    stranger = server_result(reported, 1) | {"finding": {**server_result(reported, 1)["finding"], "finding_id": "F-x"}}
    with pytest.raises(ValueError):
        server_answers.acknowledge_commands(db, [(reported.change_id, stranger)])
    with pytest.raises(ValueError):
        server_answers.acknowledge_commands(db, [(reported.change_id, {"event": server_copy(reported, 1)})])
    assert [entry.change_id for entry in outbox.list_pending(db)] == [reported.change_id]
    assert findings.get(db, reported.event.finding_id).has_pending


def test_an_acknowledgement_without_details_folds_the_local_event(db: Database, evidence) -> None:
    reported = report(db, evidence)
    server_answers.acknowledge(db, outbox.list_pending(db)[0].change_id)
    finding = findings.get(db, reported.event.finding_id)
    assert finding.confirmed is not None and finding.confirmed.state == State.REPORTED and not finding.has_pending


def test_a_conflict_keeps_the_command_as_a_record_and_shows_the_servers_state(db: Database, evidence) -> None:
    reported = report(db, evidence)
    fid = reported.event.finding_id
    server_answers.acknowledge(db, outbox.list_pending(db)[0].change_id, {"event": server_copy(reported, 1)})
    findings.record_command(
        db, action="reject", actor=SUPERVISOR, payload={"reason": "不属于城管职责"}, finding_id=fid, now=NOW
    )
    assert findings.get(db, fid).view.state == State.REJECTED
    # Meanwhile another supervisor accepted it on the server.
    other_accept = {
        "event_id": "e-server-accept",
        "finding_id": fid,
        "action": "accept",
        "actor_id": "u-other",
        "at": "2026-11-20T01:00:00.000Z",
        "payload": {"severity": "major", "ledger_number": "朝阳-三里屯-2026-00007"},
        "base_state": "reported",
        "index": 2,
    }
    pulled_event(db, other_accept, server_seq=20)
    current = findings.get(db, fid)
    assert current.confirmed is not None and current.confirmed.state == State.REGISTERED
    assert current.view.state == State.REGISTERED  # the pending reject no longer fits and is left out of the view
    assert current.has_pending
    [entry] = outbox.list_pending(db)
    conflict_id = server_answers.conflict(
        db, entry.change_id, "stale", "the finding is now registered", current=finding_to_json(current.confirmed)
    )
    after = findings.get(db, fid)
    assert not after.has_pending and after.has_conflict
    assert outbox.count_pending(db) == 0
    conflict = conflicts.get(db, conflict_id)
    assert conflict.status == "conflict" and conflict.code == "stale"
    assert conflict.local_payload["action"] == "reject"
    assert conflict.server_current is not None and conflict.server_current["state"] == "registered"
    rejected_event = next(e for e in findings.events(db, fid) if e.event.action == Action.REJECT)
    assert rejected_event.sync_state == "conflict" and "stale" in (rejected_event.reason or "")
    assert [c.id for c in conflicts.list_open(db)] == [conflict_id]
    conflicts.resolve(db, conflict_id, "dropped")
    assert not findings.get(db, fid).has_conflict
    assert conflicts.list_open(db) == [] and conflicts.for_entity(db, fid)[0].resolution == "dropped"


def test_a_rejected_report_stays_visible_with_its_conflict(db: Database, evidence) -> None:
    reported = report(db, evidence)
    fid = reported.event.finding_id
    server_answers.reject(db, reported.change_id, "unknown_jurisdiction", "no such 社区")
    finding = findings.get(db, fid)
    assert finding.view.state == State.REPORTED and finding.has_conflict and not finding.has_pending
    assert conflicts.list_open(db)[0].status == "rejected"


def test_retry_later_and_transport_failures_keep_the_change_queued(db: Database, evidence) -> None:
    reported = report(db, evidence)
    outbox.record_attempt_failure(db, [reported.change_id], "connection reset")
    outbox.mark_retry_later(db, reported.change_id, "missing_blobs", "upload the photos first")
    entry = outbox.get(db, reported.change_id)
    assert entry.attempts == 2 and entry.state == "retry_later" and "missing_blobs" in (entry.last_error or "")
    assert [e.change_id for e in outbox.list_pending(db)] == [reported.change_id]


def test_findings_made_elsewhere_arrive_as_server_events(db: Database) -> None:
    made_elsewhere = {
        "event_id": "e1",
        "finding_id": "F-remote",
        "action": "report",
        "actor_id": "u-remote",
        "at": "2026-11-19T01:00:00.000Z",
        "payload": {
            "description": "燃气管线附近堆物",
            "category": "燃气",
            "kind": "hazard",
            "source": "patrol",
            "severity": "general",
            "jurisdiction": COMMUNITY,
            "location": {"address": "幸福一村"},
        },
        "base_state": None,
        "index": 1,
    }
    finding = pulled_event(db, made_elsewhere, server_seq=5)
    assert finding.view.state == State.REPORTED and not finding.has_pending
    later = {
        **made_elsewhere,
        "event_id": "e2",
        "action": "accept",
        "payload": {"severity": "general", "ledger_number": "朝阳-三里屯-2026-00002"},
        "base_state": "reported",
        "index": 2,
    }
    snapshot = finding_to_json(pulled_event(db, later, server_seq=6).view)
    assert snapshot["ledger_number"] == "朝阳-三里屯-2026-00002"
    older = {**snapshot, "event_count": 1, "state": "reported"}
    assert pulled_finding(db, older).view.state == State.REGISTERED  # an older projection is ignored
    with pytest.raises(findings.InvalidRecordError):
        pulled_event(db, {**later, "finding_id": "F-unknown", "event_id": "e3"})


def test_overdue_and_filters_for_the_ledger_view(db: Database, evidence) -> None:
    reported = report(db, evidence)
    fid = reported.event.finding_id
    findings.record_command(
        db, action="accept", actor=SUPERVISOR, payload={"severity": "general"}, finding_id=fid, now=NOW
    )
    findings.record_command(
        db,
        action="assign",
        actor=SUPERVISOR,
        finding_id=fid,
        now=NOW,
        payload={"responsible_unit": "城管科", "responsible_person": "李", "deadline": "2026-11-21", "measures": "拆"},
    )
    other = report(db, evidence)
    day_after_deadline = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    assert [f.id for f in findings.list_findings(db, overdue_at=day_after_deadline)] == [fid]
    assert findings.list_findings(db, overdue_at=day_after_deadline - timedelta(days=1)) == []
    assert findings.get(db, fid).is_overdue(day_after_deadline)
    assert [f.id for f in findings.list_findings(db, state="reported")] == [other.event.finding_id]
    assert len(findings.list_findings(db, jurisdiction="110105004")) == 2
    assert len(findings.list_findings(db, jurisdiction="110101")) == 0
    assert len(findings.list_findings(db, subject_id="S-1", pending_only=True)) == 2
