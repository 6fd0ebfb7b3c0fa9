"""A feed page kept in one go (one statement per table) leaves the same database as keeping it entry by entry, on
a real server's feed: reports with photos and inspections, a supervisor's commands, another laptop's pending and
conflicting commands, its own events coming back, pages cut anywhere and a feed read twice."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from e2e_support import Client, ServerProcess, assign_payload

from inspector.store import cursors, text_index
from inspector.store.database import open_data_folder, transaction
from inspector.sync import config, pull
from inspector.sync.client import ProtocolClient
from inspector.sync.credentials import CredentialStore, account_key

# what is compared: every column but the moments rows were written here
COMPARED = {
    "findings": "SELECT * FROM findings ORDER BY id",
    "finding_events": "SELECT * FROM finding_events ORDER BY event_id",
    "photo_links": "SELECT photo_sha256, owner_kind, owner_id, item_id, role FROM photo_links ORDER BY 1, 2, 3, 4, 5",
    "conflicts": "SELECT id, entity_id, resolved_at FROM conflicts ORDER BY id",
    "people": "SELECT id, display_name FROM people ORDER BY id",
}
WRITTEN_AT = {"updated_at", "created_at"}


def snapshot(folder_root: Path) -> dict[str, list[dict[str, Any]]]:
    db = open_data_folder(folder_root).connect()
    try:
        return {
            table: [{k: v for k, v in row.items() if k not in WRITTEN_AT} for row in db.query(sql)]
            for table, sql in COMPARED.items()
        } | {"cursor": [{"cursor": cursors.get(db)}]}
    finally:
        db.close()


def one_by_one(db: Any, page: pull.FeedPage, since: int, report: pull.PullReport) -> bool:
    """The page kept entry by entry, each in its savepoint, those refused tried once more at the end."""
    with transaction(db):
        if cursors.get(db) != since:
            return False
        deferred = [entry for entry in page.entries if not pull.apply_entry(db, entry)]
        for entry in deferred:
            pull.apply_entry(db, entry)
        cursors.put(db, page.next)
    return True


def read_feed(client: Client, since: int, limit: int) -> list[pull.FeedPage]:
    with client.db() as db:
        cfg = config.read_config(db)
    stored = CredentialStore().load(account_key(cfg.server_url, cfg.username, cfg.device_id))
    assert stored is not None
    pages = []
    with ProtocolClient(cfg.server_url, token=stored.token) as protocol:
        while True:
            page = pull.fetch_page(protocol, since, limit)
            pages.append(page)
            since = page.next
            if not page.has_more:
                return pages


def copy_without_names(source: Path, root: Path) -> None:
    """A copy of a data folder that knows no names yet: those the feed's events give are then compared too."""
    shutil.copytree(source, root)
    db = open_data_folder(root).connect()
    try:
        with transaction(db):
            db.execute("DELETE FROM people")
    finally:
        db.close()


def assert_found_by_their_text(root: Path) -> None:
    """The ledger search's index finds each finding by its description and its ledger number (given by an accept,
    an update of a pulled row)."""
    db = open_data_folder(root).connect()
    try:
        numbered = 0
        for rowid, description, number in db.execute("SELECT rowid, description, ledger_number FROM findings"):
            for text in (description, number):
                if text:
                    sql, params = text_index.matching_rowids(db, text, scan_above=float("inf")) or ("", [])
                    assert rowid in {row[0] for row in db.execute(sql, params)}, text
            numbered += number is not None
        assert numbered
    finally:
        db.close()


def apply_all(root: Path, pages: list[pull.FeedPage], keep: Callable[..., bool]) -> None:
    db = open_data_folder(root).connect()
    try:
        for page in pages:
            assert keep(db, page, cursors.get(db), pull.PullReport())
    finally:
        db.close()


def test_a_page_kept_at_once_matches_the_page_kept_entry_by_entry(
    server: ServerProcess, make_client: Callable[..., Client], tmp_path: Path
) -> None:
    inspector, supervisor, other = make_client("ins"), make_client("sup"), make_client("sup2")
    inspector.login(server.url, "ins")
    supervisor.login(server.url, "sup")
    other.login(server.url, "sup2")
    subject = inspector.subject("工体北路")
    reported = [inspector.inspection_with_finding(seed, subject)[1] for seed in range(4)]
    assert inspector.sync().outcome == "ok"
    assert other.sync().outcome == "ok"  # the other laptop knows the first reports
    assert supervisor.sync().outcome == "ok"
    supervisor.command(reported[1], "accept", {"severity": "general"})
    supervisor.command(reported[0], "accept", {"severity": "general"})
    supervisor.command(reported[0], "assign", assign_payload())
    assert supervisor.sync().outcome == "ok"
    other.command(reported[1], "accept", {"severity": "major"})  # the server decided otherwise: a conflict
    assert other.sync().outcome in ("ok", "incomplete")
    with other.db() as db:
        assert db.execute("SELECT count(*) FROM conflicts WHERE resolved_at IS NULL").fetchone()[0] == 1
    supervisor.command(reported[1], "assign", assign_payload())
    supervisor.command(reported[2], "accept", {"severity": "general"})
    assert supervisor.sync().outcome == "ok"
    more = [inspector.inspection_with_finding(seed, subject)[1] for seed in range(10, 13)]
    assert inspector.sync().outcome == "ok"
    other.command(reported[3], "accept", {"severity": "general"})  # still waiting to be pushed
    with other.db() as db:
        since = cursors.get(db)

    ahead = read_feed(other, since, 5)  # pages cut anywhere
    again = read_feed(other, 0, 7)  # the whole feed once more: its own events and known findings come back
    assert sum(len(page.entries) for page in ahead) > 10
    assert {entry.kind for page in again for entry in page.entries} >= {"finding", "finding_event", "inspection"}
    results = {}
    for name, keep in (("batched", pull.apply_page), ("one_by_one", one_by_one)):
        root = tmp_path / name
        copy_without_names(other.folder.root, root)
        apply_all(root, ahead, keep)
        first = snapshot(root)
        db = open_data_folder(root).connect()
        cursors.put(db, 0)
        db.close()
        apply_all(root, again, keep)
        results[name] = (first, snapshot(root))
    assert results["batched"][0] == results["one_by_one"][0]
    assert_found_by_their_text(tmp_path / "batched")
    assert results["batched"][1] == results["one_by_one"][1]
    first = results["batched"][0]
    by_id = {row["id"]: row for row in first["findings"]}
    assert set(reported + more) <= set(by_id)
    assert by_id[reported[3]]["has_pending"] == 1 and by_id[reported[1]]["has_conflict"] == 1
    assert by_id[reported[2]]["state"] == "registered" and by_id[more[2]]["state"] == "reported"
    assert any(row["owner_id"] == reported[0] for row in first["photo_links"])
    assert first["people"]  # the events' actors are named

    # An entry that fails a whole run (photos that are not a list) in the middle of a page: the page is rolled back
    # and applied again run by run, leaving what keeping it entry by entry leaves, the bad entry alone skipped.
    broken = []
    for page in again:
        at = next((i for i, entry in enumerate(page.entries) if i and entry.kind == "finding_event"), None)
        if at is None:  # the bad entry goes after an event that is not the page's first
            broken.append(page)
            continue
        model = page.entries[at]
        assert model.data is not None
        bad = dataclasses.replace(
            model,
            id="bad-" + str(model.id),
            data={**model.data, "event_id": "bad-" + str(model.id), "payload": {**model.data["payload"], "photos": 5}},
        )
        broken.append(dataclasses.replace(page, entries=[*page.entries[: at + 1], bad, *page.entries[at + 1 :]]))
    assert sum(len(page.entries) for page in broken) > sum(len(page.entries) for page in again)
    reports = {}
    for name, keep in (("batched_broken", pull.apply_page), ("one_by_one_broken", one_by_one)):
        root = tmp_path / name
        copy_without_names(other.folder.root, root)
        reports[name] = pull.PullReport()
        db = open_data_folder(root).connect()
        try:
            for page in broken:
                assert keep(db, page, cursors.get(db), reports[name])
        finally:
            db.close()
        results[name] = (snapshot(root),)
    assert results["batched_broken"] == results["one_by_one_broken"]
    events = {row["event_id"] for row in results["batched_broken"][0]["finding_events"]}
    assert not any(event_id.startswith("bad-") for event_id in events)
    assert events >= {row["event_id"] for row in first["finding_events"]}
    skipped = sum(len(page.entries) for page in broken) - sum(len(page.entries) for page in again)
    assert reports["batched_broken"].skipped == skipped
    assert reports["batched_broken"].applied == sum(len(page.entries) for page in again)
