"""Push planning and settling, and the pull's cursor guard, on a real client database."""

from __future__ import annotations

import gc
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PIL import Image
from sqlite_utils import Database
from sync_support import Scripted, ScriptedServer

from inspector.core.ledger import Actor, Role
from inspector.core.protocol import ChangeResult
from inspector.store import conflicts, cursors, findings, outbox, photos
from inspector.store.database import DataFolder, open_data_folder
from inspector.sync import pull, push
from inspector.sync.engine import CYCLE_GC_THRESHOLD, fewer_collections

STREET = "110105004032000"
ACTOR = Actor("user-1", frozenset({Role.INSPECTOR, Role.SUPERVISOR}), frozenset({"110105004000000"}))


@pytest.fixture
def folder(tmp_path: Path) -> DataFolder:
    return open_data_folder(tmp_path / "data")


@pytest.fixture
def db(folder: DataFolder) -> Database:
    return folder.connect()


def stored_photo(folder: DataFolder, db: Database, seed: int) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (seed, 10, 10)).save(buffer, "JPEG")
    return photos.store_photo_blob(folder, db, buffer.getvalue()).sha256


def report(db: Database, photo: str | None = None) -> str:
    payload = {"description": "占道", "category": "占道经营",
               "kind": "hazard", "source": "patrol", "severity": "general", "jurisdiction": STREET}
    payload["location"] = {"lat": 39.9, "lon": 116.4}  # type: ignore[assignment]
    if photo:
        payload["photos"] = [photo]  # type: ignore[assignment]
    return findings.record_command(db, action="report", actor=ACTOR, payload=payload).event.finding_id


def test_a_change_naming_a_missing_photo_holds_back_its_record_only(folder: DataFolder, db: Database) -> None:
    sha = stored_photo(folder, db, 1)
    held = report(db, sha)
    findings.record_command(db, action="accept", actor=ACTOR, payload={"severity": "general"}, finding_id=held)
    free = report(db)
    plan = push.plan_batch(db, 0, 10, 1_000_000, set(), {sha})
    assert [entry.entity_id for entry in plan.entries] == [free]
    assert plan.held_back == 2
    everything = push.plan_batch(db, 0, 10, 1_000_000, set(), set())
    assert [entry.entity_id for entry in everything.entries] == [held, held, free]
    small = push.plan_batch(db, 0, 2, 1_000_000, set(), set())
    assert len(small.entries) == 2 and small.last_seq == small.entries[-1].seq


def test_results_settle_changes_as_the_protocol_says(db: Database) -> None:
    first, second, third = report(db), report(db), report(db)
    entries = {entry.entity_id: entry for entry in outbox.list_pending(db)}
    results = [
        {
            "change_id": entries[first].change_id,
            "status": "duplicate",
            "original": {"status": "conflict", "code": "exists", "message": "already there", "current": None},
        },
        {
            "change_id": entries[second].change_id,
            "status": "rejected",
            "code": "missing_blobs",
            "message": "later",
            "retryable": True,
        },
        {
            "change_id": entries[third].change_id,
            "status": "rejected",
            "code": "out_of_jurisdiction",
            "message": "not yours",
            "retryable": False,
        },
    ]
    report_card = push.PushReport()
    held: set[str] = set()
    parsed = [ChangeResult.parse(result) for result in results]
    push.settle_batch(db, [entries[first], entries[second], entries[third]], parsed, report_card, held)
    assert (report_card.conflicts, report_card.retry_later, report_card.rejected) == (1, 1, 1)
    assert held == {second}
    assert [entry.entity_id for entry in outbox.list_pending(db)] == [second]
    assert outbox.get(db, entries[second].change_id).state == "retry_later"
    refused = {item.entity_id: item for item in conflicts.list_open(db)}
    assert refused[first].status == "conflict" and refused[third].status == "rejected"
    assert refused[third].message == "not yours"


def test_a_record_the_server_wants_later_is_left_out_of_the_batch_planned_ahead(
    db: Database, scripted: ScriptedServer
) -> None:
    from inspector.sync.client import ProtocolClient
    from inspector.sync.progress import ignore_progress

    waiting = report(db)
    findings.record_command(db, action="accept", actor=ACTOR, payload={"severity": "general"}, finding_id=waiting)
    other = report(db)
    first, accept, last = outbox.list_pending(db)
    later = {"status": "rejected", "code": "missing_blobs", "message": "upload first", "retryable": True}
    scripted.script = [
        Scripted(200, {"results": [{"change_id": first.change_id, **later}]}),
        Scripted(200, {"results": [{"change_id": last.change_id, "status": "applied", "result": {}}]}),
    ]
    with ProtocolClient(scripted.url) as client:
        pushed = push.push_outbox(db, client, {}, 1, set(), ignore_progress)
    sent = [[change["change_id"] for change in json.loads(request["body"])["changes"]] for request in scripted.received]
    assert sent == [[first.change_id], [last.change_id]]
    assert (pushed.sent, pushed.acknowledged, pushed.retry_later) == (2, 1, 1)
    assert [entry.change_id for entry in outbox.list_pending(db)] == [first.change_id, accept.change_id]
    assert not findings.get(db, other).has_pending


def _applied(change_id: str) -> dict[str, object]:
    return {"change_id": change_id, "status": "applied", "result": {}}


def _sent(scripted: ScriptedServer) -> list[list[str]]:
    return [[change["change_id"] for change in json.loads(request["body"])["changes"]] for request in scripted.received]


def test_the_next_batch_goes_out_before_the_reply_is_read_when_they_share_no_record(
    db: Database, scripted: ScriptedServer
) -> None:
    """The reply to the first batch arrives cut short: the second batch (another finding) was already sent, and the
    first is sent again after it; the server answers that as a duplicate of what it applied."""
    from inspector.sync.client import ProtocolClient
    from inspector.sync.progress import ignore_progress

    report(db)
    report(db)
    first, second = outbox.list_pending(db)
    duplicate = {"change_id": first.change_id, "status": "duplicate", "original": {"status": "applied", "result": {}}}
    scripted.script = [
        Scripted(200, b'{"results":[{"change_id":"' + first.change_id.encode()),
        Scripted(200, {"results": [_applied(second.change_id)]}),
        Scripted(200, {"results": [duplicate]}),
    ]
    with ProtocolClient(scripted.url) as client:
        pushed = push.push_outbox(db, client, {}, 1, set(), ignore_progress)
    assert _sent(scripted) == [[first.change_id], [second.change_id], [first.change_id]]
    assert (pushed.sent, pushed.acknowledged) == (2, 2)
    assert outbox.list_pending(db) == []


def test_the_next_batch_waits_for_the_reply_when_it_holds_a_later_change_of_the_same_record(
    db: Database, scripted: ScriptedServer
) -> None:
    from inspector.sync.client import ProtocolClient
    from inspector.sync.progress import ignore_progress

    finding = report(db)
    findings.record_command(db, action="accept", actor=ACTOR, payload={"severity": "general"}, finding_id=finding)
    first, accept = outbox.list_pending(db)
    scripted.script = [
        Scripted(200, b"{not json"),
        Scripted(200, {"results": [_applied(first.change_id)]}),
        Scripted(200, {"results": [_applied(accept.change_id)]}),
    ]
    with ProtocolClient(scripted.url) as client:
        pushed = push.push_outbox(db, client, {}, 1, set(), ignore_progress)
    assert _sent(scripted) == [[first.change_id], [first.change_id], [accept.change_id]]
    assert (pushed.sent, pushed.acknowledged) == (2, 2)


def test_a_reply_that_stays_unreadable_fails_the_push_and_keeps_the_changes(
    db: Database, scripted: ScriptedServer
) -> None:
    from inspector.sync.client import ProtocolClient
    from inspector.sync.errors import ServerFaultError
    from inspector.sync.progress import ignore_progress

    report(db)
    scripted.script = [Scripted(200, b"<html>proxy error</html>")]
    with ProtocolClient(scripted.url) as client, pytest.raises(ServerFaultError):
        push.push_outbox(db, client, {}, 1, set(), ignore_progress)
    assert len(scripted.received) == 1 + push.MAX_RESENDS
    assert len(outbox.list_pending(db)) == 1


def test_a_page_is_not_applied_when_the_cursor_moved_meanwhile(db: Database) -> None:
    cursors.put(db, 5)
    page = pull.FeedPage(entries=[], next=9, has_more=False, head=9)
    assert not pull.apply_page(db, page, 3, pull.PullReport())
    assert cursors.get(db) == 5
    assert pull.apply_page(db, page, 5, pull.PullReport())
    assert cursors.get(db) == 9


def test_a_server_restored_from_an_older_backup_is_read_again_from_the_start(
    db: Database, folder: DataFolder, scripted: ScriptedServer
) -> None:
    from inspector.sync.client import ProtocolClient
    from inspector.sync.progress import ignore_progress

    cursors.put(db, 50)
    entry = {"seq": 3, "kind": "jurisdiction", "id": STREET, "jurisdiction": STREET, "at": "2026-11-20T02:00:00Z"}
    scripted.script = [
        Scripted(200, {"entries": [], "next": 50, "has_more": False, "head": 10}),
        Scripted(200, {"entries": [{**entry, "data": {"code": STREET, "name": "幸福社区"}}], "next": 10, "head": 10}),
    ]
    with ProtocolClient(scripted.url) as client:
        report = pull.pull_feed(db, folder, client, 100, {}, False, ignore_progress)
    asked = [request["path"].split("?")[1] for request in scripted.received]
    assert asked == ["since=50&limit=100", "since=0&limit=100"]
    assert report.cursor == cursors.get(db) == 10 and report.applied == 1
    assert db.execute("SELECT name FROM jurisdictions WHERE code = ?", [STREET]).fetchone()[0] == "幸福社区"


def test_pulled_pages_commit_without_waiting_for_the_disk_and_the_connection_waits_again_after(
    db: Database, folder: DataFolder, scripted: ScriptedServer
) -> None:
    """A pull's pages can be had again, so their commits do not flush (synchronous NORMAL in WAL mode); the
    connection is back to full sync after the pull, also when the pull fails."""
    from inspector.sync.client import ProtocolClient
    from inspector.sync.errors import ServerFaultError
    from inspector.sync.progress import SyncProgress

    entry = {"seq": 1, "kind": "jurisdiction", "id": STREET, "jurisdiction": STREET, "at": "2026-11-20T02:00:00Z"}
    scripted.script = [
        Scripted(200, {"entries": [{**entry, "data": {"code": STREET, "name": "幸福社区"}}], "next": 1, "head": 1}),
    ]
    during: list[int] = []

    def progress(update: SyncProgress) -> None:
        during.append(db.execute("PRAGMA synchronous").fetchone()[0])

    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with ProtocolClient(scripted.url) as client:
        report = pull.pull_feed(db, folder, client, 100, {}, False, progress)
    assert report.applied == 1 and during[-1] == 1  # reported after the page was applied
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2
    scripted.script = [Scripted(200, {"entries": "none"})]  # not a feed page
    with ProtocolClient(scripted.url) as client, pytest.raises(ServerFaultError):
        pull.pull_feed(db, folder, client, 100, {}, False, progress)
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """No OS keyring, so the token lives in this process's memory. Without this the default backend depends on
    which test modules were imported (two test keyrings of equal priority), and one of them needs a file."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def test_a_cancelled_cycle_stops_before_its_first_request_and_a_second_one_is_busy(
    folder: DataFolder, db: Database, scripted: ScriptedServer, no_keyring: None
) -> None:
    from inspector.store import settings
    from inspector.sync import config, engine
    from inspector.sync.credentials import CredentialStore, account_key

    settings.put(db, config.SERVER_URL, scripted.url)
    settings.put(db, config.USERNAME, "ins")
    CredentialStore().save(account_key(scripted.url, "ins", settings.device_id(db)), "ins1_token")
    report(db)
    cancel = threading.Event()
    cancel.set()
    cancelled = engine.SyncEngine(folder).run_cycle(None, cancel)
    assert cancelled.outcome == "cancelled" and cancelled.pending_after == 1
    assert scripted.received == []
    assert settings.get(db, config.LAST_SUCCESS) is None

    with engine._cycle_lock(folder):
        assert engine.SyncEngine(folder).run_cycle().outcome == "busy"


def test_cycles_collect_garbage_less_often_and_put_the_collector_back_after() -> None:
    before = gc.get_threshold()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, tuple[int, int, int]] = {}

    def first_cycle() -> None:
        with fewer_collections():
            seen["first"] = gc.get_threshold()
            first_in.set()
            second_in.wait(10)
        first_out.set()

    worker = threading.Thread(target=first_cycle)
    worker.start()
    assert first_in.wait(10)
    with fewer_collections():  # a second cycle (another data folder) overlapping the first
        second_in.set()
        assert first_out.wait(10)
        seen["second, the first ended"] = gc.get_threshold()
    worker.join(10)
    assert seen["first"] == (CYCLE_GC_THRESHOLD, *before[1:])
    assert seen["second, the first ended"] == (CYCLE_GC_THRESHOLD, *before[1:])
    assert gc.get_threshold() == before
