"""The feed: paging with a cursor, filtering by jurisdiction, and no entry skipped by a reader under concurrency."""

from __future__ import annotations

import threading

import httpx
from server_support import JW, Api, ServerEnv, report
from sqlalchemy.orm import Session

from inspector.core.ledger import Role
from inspector.server import feed
from inspector.server.scope import Scope


def _read_all(user: Api, limit: int) -> tuple[list[dict], int]:
    cursor, entries = 0, []
    while True:
        page = user.feed(cursor, limit)
        entries += page["entries"]
        assert page["next"] >= cursor
        cursor = page["next"]
        if not page["has_more"]:
            return entries, cursor


def test_paging_returns_every_visible_entry_once_in_order(api: Api) -> None:
    inspector = api.login("slt-ins")
    inspector.push(*[report() for _ in range(12)])
    paged, cursor = _read_all(inspector, 7)
    whole = inspector.feed(0, 1000)
    assert [e["seq"] for e in paged] == [e["seq"] for e in whole["entries"]]
    assert [e["seq"] for e in paged] == sorted({e["seq"] for e in paged})
    kinds = {e["kind"] for e in paged}
    assert {"checklist", "jurisdiction", "finding", "finding_event"} <= kinds
    assert cursor == whole["head"]
    assert inspector.feed(cursor)["entries"] == []


def test_the_feed_is_filtered_and_the_cursor_skips_what_the_caller_cannot_see(api: Api) -> None:
    api.login("slt-ins").push(*[report() for _ in range(5)])
    outsider = api.login("jw-ins")
    entries, cursor = _read_all(outsider, 50)
    assert all(
        e["jurisdiction"] is None or e["jurisdiction"].startswith("110105001") or e["kind"] == "jurisdiction"
        for e in entries
    )
    assert not any(e["kind"] in ("finding", "finding_event") for e in entries)
    names = {e["data"]["name"] for e in entries if e["kind"] == "jurisdiction"}
    assert names == {"朝阳区", "建外街道"}  # its own 街乡 and the district above it
    assert cursor == outsider.feed(0)["head"]  # the cursor moved past the 三里屯 entries


def test_numbers_become_visible_in_commit_order(env: ServerEnv) -> None:
    scope = Scope.of("reader", frozenset({Role.INSPECTOR}), ["110105"])
    with env.db.read() as session:
        start = feed.head(session)
    first_session = Session(env.db.engine)
    first = first_session.begin()
    feed.stage(first_session, "finding", "first", "110105004000000", {"n": 1})
    feed.publish(first_session)  # the first writer has its number and holds the counter
    second_done = threading.Event()

    def second_writer() -> None:
        with env.db.write() as session:
            feed.stage(session, "finding", "second", "110105004000000", {"n": 2})
        second_done.set()

    thread = threading.Thread(target=second_writer)
    thread.start()
    second_done.wait(0.5)
    with env.db.read() as session:
        page = feed.read_page(session, scope, start, 100)
    assert page.entries == [] and page.next == start  # nothing is visible before the first commit
    assert not second_done.is_set()  # the second writer waits for the first
    first.commit()
    first_session.close()
    thread.join()
    with env.db.read() as session:
        page = feed.read_page(session, scope, start, 100)
    assert [(e["id"], e["seq"]) for e in page.entries] == [("first", start + 1), ("second", start + 2)]


def test_a_reader_polling_during_concurrent_pushes_misses_nothing(api: Api, live: str) -> None:
    writers = [api.login("slt-ins"), api.login("slt-both"), api.login("jw-ins")]
    reader = api.login("district-sup")
    stop = threading.Event()
    seen: list[int] = []

    def write(user: Api) -> None:
        jurisdiction = JW if user.user["username"] == "jw-ins" else "110105004032000"
        with httpx.Client(base_url=live, timeout=60) as http:
            for _ in range(6):
                changes = [report(jurisdiction) for _ in range(5)]
                assert http.post("/api/v1/push", json={"changes": changes}, headers=user.headers).status_code == 200

    def read() -> None:
        cursor = 0
        with httpx.Client(base_url=live, timeout=60) as http:
            while True:
                last_round = stop.is_set()
                page = http.get(f"/api/v1/feed?since={cursor}&limit=37", headers=reader.headers).json()
                seen.extend(e["seq"] for e in page["entries"])
                cursor = page["next"]
                if last_round and not page["has_more"]:
                    return

    reading = threading.Thread(target=read)
    reading.start()
    threads = [threading.Thread(target=write, args=(user,)) for user in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    reading.join()
    everything = [e["seq"] for e in reader.feed(0, 1000)["entries"]]
    assert len(everything) > 180
    assert seen == everything


def _list_all(user: Api, path: str, key: str, limit: int) -> list[str]:
    """Every key a catalog listing gives, page by page, each page asked after the previous one's `next`."""
    keys: list[str] = []
    after = ""
    while True:
        page = user.get(path, params={"limit": limit, **({"after": after} if after else {})}).json()
        assert len(page["items"]) <= limit
        keys += [item[key] for item in page["items"]]
        if page["next"] is None:
            return keys
        assert page["next"] == keys[-1]
        after = page["next"]


def test_catalog_listings_page_by_key_without_gaps_or_repeats(api: Api) -> None:
    inspector = api.login("slt-ins")
    inspector.push(*[report() for _ in range(5)])
    admin = api.login("admin")
    for path, key in (("/api/v1/findings", "id"), ("/api/v1/jurisdictions", "code")):
        whole = [item[key] for item in admin.get(path, params={"limit": 500}).json()["items"]]
        assert len(whole) >= 5 and whole == sorted(whole)
        assert _list_all(admin, path, key, 2) == whole
        assert _list_all(admin, path, key, len(whole)) == whole
