"""Pull: read the server's feed after the local cursor, page by page, each page and its cursor in one transaction.

Pulled records never overwrite local work still waiting to be pushed: findings keep their pending commands on top
of the server's projection (the store rebuilds the view), subjects with queued edits are left alone, and submitted
inspections are immutable.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from inspector.core.checklist_loader import ChecklistError
from inspector.core.protocol import PEOPLE_PATH, FeedEntry, FeedKind, FeedPage, parse_feed_page, photo_hashes
from inspector.store import (
    campaigns,
    checklists,
    cursors,
    findings,
    inspections,
    jurisdictions,
    people,
    scoring_rules,
    stage_clocks,
    subjects,
    talks,
    unit_cycle,
    unit_links,
)
from inspector.store.database import DataFolder, commits_not_awaiting_disk, transaction
from inspector.store.errors import StoreError
from inspector.sync import blobs
from inspector.sync.client import CANCEL_CHECK_SECONDS, ProtocolClient
from inspector.sync.errors import RequestRefusedError, ServerFaultError
from inspector.sync.progress import ProgressCallback, SyncProgress

log = logging.getLogger(__name__)


@dataclass
class PullReport:
    """What the pull phase did."""

    pages: int = 0
    applied: int = 0
    skipped: int = 0
    photos_downloaded: int = 0
    cursor: int = 0


def fetch_page(client: ProtocolClient, since: int, limit: int) -> FeedPage:
    """`GET /feed?since=&limit=`, checked against the protocol (the cursor never goes back)."""
    body = client.get_json(f"/feed?since={since}&limit={limit}")
    try:
        page = parse_feed_page(body)
    except ValueError:
        raise ServerFaultError(
            "服务器的数据流回复无法识别", "the server's feed reply cannot be read", "bad_reply"
        ) from None
    if page.next < since:
        raise ServerFaultError("服务器的数据流游标倒退", "the server's feed cursor went backwards", "bad_reply")
    return page


def pull_feed(
    db: Database,
    folder: DataFolder,
    client: ProtocolClient,
    page_size: int,
    limits: Mapping[str, Any],
    download_photos: bool,
    progress: ProgressCallback,
) -> PullReport:
    """Apply the feed from the local cursor until the server has no more. The next page is on its way (read by
    a `Prefetch` thread) while the current one is applied. Page commits do not wait for the disk: a power cut may take
    back the last pages with their cursor, and they are read again."""
    limit = max(1, min(page_size, int(limits.get("max_feed_limit") or page_size)))
    report = PullReport(cursor=cursors.get(db))
    progress(SyncProgress("pull", report.cursor, None))  # the phase begins; its end is known after the first page
    with commits_not_awaiting_disk(db):
        ahead: Prefetch | None = None
        try:
            while True:
                client.check_cancelled()
                since = report.cursor
                if ahead is None or ahead.since != since:
                    if ahead is not None:
                        ahead.stop()
                    ahead = Prefetch(client, since, limit)
                page = ahead.next_page()
                if page.head is not None and since > page.head:
                    report.cursor = restart_feed(db, since, page.head)
                    ahead.stop()
                    ahead = None
                    continue
                if download_photos:
                    report.photos_downloaded += blobs.download_missing(db, folder, client, _page_photos(page), progress)
                moved = apply_page(db, page, since, report)
                report.cursor = cursors.get(db) if not moved else page.next
                report.pages += 1
                top = page.head if page.head is not None else page.next
                progress(SyncProgress("pull", report.cursor, max(top, report.cursor)))
                if moved and not page.has_more:
                    return report
        finally:
            if ahead is not None:
                ahead.stop()


class Prefetch:
    """Reads the feed ahead of the pages being applied, on a thread of its own with its own connections: at most
    `depth` pages wait in memory. Each page is asked from where the previous one ended; the reading stops after
    the last page (`has_more` false), a cursor that went back (the caller restarts), an error or a cancel, and
    whatever stopped it reaches the caller with the page it would have been."""

    def __init__(self, client: ProtocolClient, since: int, limit: int, depth: int = 1) -> None:
        self.since = since  # where the next page handed out begins
        self.client = client.spawn()
        self.limit = limit
        self.pages: queue.Queue[FeedPage | BaseException] = queue.Queue(maxsize=depth)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._read, name="sync-feed-prefetch", daemon=True)
        self.thread.start()

    def _read(self) -> None:
        since = self.since
        try:
            while not self.stopped.is_set():
                page = fetch_page(self.client, since, self.limit)
                if not self._hand_over(page):
                    return
                if not page.has_more or (page.head is not None and since > page.head):
                    return  # the last page, or the caller reads again from 0
                since = page.next
        except BaseException as exc:  # handed to the caller, who raises it
            self._hand_over(exc)

    def _hand_over(self, item: FeedPage | BaseException) -> bool:
        while not self.stopped.is_set():
            try:
                self.pages.put(item, timeout=CANCEL_CHECK_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def next_page(self) -> FeedPage:
        """The next page in order (waiting for it), or the error that stopped the reading."""
        while True:
            try:
                item = self.pages.get(timeout=CANCEL_CHECK_SECONDS)
                break
            except queue.Empty:
                if not self.thread.is_alive() and self.pages.empty():
                    raise ServerFaultError(
                        "服务器的数据流读取中断", "reading the server's feed stopped", "bad_reply"
                    ) from None
        if isinstance(item, BaseException):
            raise item
        self.since = item.next
        return item

    def stop(self) -> None:
        """Stop reading ahead: the thread ends after its request in flight (a cancel cuts that one)."""
        self.stopped.set()
        self.client.adapter.cut()
        self.client.close()


def pull_people(db: Database, client: ProtocolClient, page_size: int) -> int:
    """Read the name directory (`GET /people`, every page) into the people table; returns how many names were
    kept. A server without the directory (404) leaves the names the feed's events gave."""
    after: str | None = None
    kept = 0
    while True:
        client.check_cancelled()
        query = f"{PEOPLE_PATH}?limit={page_size}" + (f"&after={after}" if after else "")
        try:
            body = client.get_json(query)
        except RequestRefusedError as error:
            if error.status == 404:
                return kept
            raise
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise ServerFaultError(
                "服务器的人员名单回复无法识别", "the server's people reply cannot be read", "bad_reply"
            )
        names = {str(item["id"]): str(item.get("display_name") or "") for item in items
                 if isinstance(item, dict) and item.get("id")}  # fmt: skip
        with transaction(db):
            kept += people.save(db, names)
        after = body.get("next") if isinstance(body.get("next"), str) else None
        if not after:
            return kept


def restart_feed(db: Database, since: int, head: int) -> int:
    """The server's head is below this client's cursor: it was restored from an older backup (protocol §7). The
    cursor goes back to 0 and the feed is read again; applying entries a second time is harmless. Returns the
    cursor to read from (another sync of this data folder may have moved it meanwhile)."""
    log.warning("the server's feed ends at %s, before this client's cursor %s: reading it again from 0", head, since)
    with transaction(db):
        if cursors.get(db) == since:
            cursors.put(db, 0)
        return cursors.get(db)


def apply_page(db: Database, page: FeedPage, since: int, report: PullReport) -> bool:
    """Apply one page and move the cursor to `next`, in one transaction. False when another sync of this data
    folder moved the cursor meanwhile (the page is then not applied; reading continues from the new cursor).

    Runs of findings and events are kept in one go (`findings.on_pulled_batch`: one statement per table for the
    run); other kinds, and entries that could not be kept the first time, one by one. The runs are first kept
    without a savepoint of their own (a savepoint has SQLite copy every page the run changes, and the run changes
    pages of some twenty indexes and the text index): when one cannot be kept so, the whole page is rolled back
    and applied again with each run in its savepoint, its entries kept one by one when the run as a whole fails."""
    counted = PullReport()
    try:
        moved = _apply_page(db, page, since, counted, careful=False)
    except _RunRefusedError as refused:
        log.info("feed page after %s applied again run by run: %s", since, refused.__cause__)
        counted = PullReport()
        moved = _apply_page(db, page, since, counted, careful=True)
    report.applied += counted.applied
    report.skipped += counted.skipped
    return moved


class _RunRefusedError(Exception):
    """A run of findings and events could not be kept without a savepoint; the page is applied again carefully."""


def _apply_page(db: Database, page: FeedPage, since: int, report: PullReport, careful: bool) -> bool:
    with transaction(db):
        if cursors.get(db) != since:
            return False
        deferred: list[FeedEntry] = []
        run: list[FeedEntry] = []
        for entry in page.entries:
            if entry.kind in _BATCHED and entry.data is not None:
                run.append(entry)
                continue
            deferred += apply_run(db, run, careful)
            run = []
            if not apply_entry(db, entry):
                deferred.append(entry)
        deferred += apply_run(db, run, careful)
        for entry in deferred:  # e.g. an event that arrived before the record it belongs to
            if apply_entry(db, entry):
                report.applied += 1
            else:
                report.skipped += 1
                log.warning("feed entry %s (%s %s) could not be applied", entry.seq, entry.kind, entry.id)
        report.applied += len(page.entries) - len(deferred)
        cursors.put(db, page.next)
    return True


_BATCHED: dict[str, str] = {FeedKind.FINDING: findings.PULLED_FINDING, FeedKind.FINDING_EVENT: findings.PULLED_EVENT}
_RUN_ERRORS = (StoreError, KeyError, TypeError, ValueError)


def apply_run(db: Database, run: list[FeedEntry], careful: bool = True) -> list[FeedEntry]:
    """Keep consecutive findings and events of a page at once; returns those not kept (to try again one by one).

    Careful: in a savepoint, the entries kept one by one when the run fails. Otherwise straight in the page's
    transaction, a failure raising _RunRefusedError (the caller then rolls the page back)."""
    if not run:
        return []
    items = [(_BATCHED[entry.kind], entry.data or {}, entry.seq) for entry in run]
    if not careful:
        try:
            kept = findings.on_pulled_batch(db, items)
        except _RUN_ERRORS as exc:
            raise _RunRefusedError() from exc
    else:
        try:
            with transaction(db):
                kept = findings.on_pulled_batch(db, items)
        except _RUN_ERRORS as exc:  # the run is then kept entry by entry
            log.info("feed entries %s to %s kept one by one: %s", run[0].seq, run[-1].seq, exc)
            return [entry for entry in run if not apply_entry(db, entry)]
    people.save(db, _actor_names(entry for entry, ok in zip(run, kept, strict=True) if ok))
    return [entry for entry, ok in zip(run, kept, strict=True) if not ok]


def _actor_names(entries: Iterable[FeedEntry]) -> dict[str, str]:
    """The names the events among these entries give their actors (as _finding_event keeps them, the last one
    given for an actor kept)."""
    names: dict[str, str] = {}
    for entry in entries:
        data = entry.data or {}
        if entry.kind == FeedKind.FINDING_EVENT and data.get("actor_id") and isinstance(data.get("actor_name"), str):
            names[str(data["actor_id"])] = data["actor_name"]
    return names


def apply_entry(db: Database, entry: FeedEntry) -> bool:
    """Apply one feed entry in its own savepoint; False when it cannot be applied here."""
    handler = HANDLERS.get(entry.kind)
    if handler is None or entry.data is None:
        log.info("feed entry %s of kind %r ignored", entry.seq, entry.kind)
        return True  # unknown kinds may be added within protocol version 1
    try:
        with transaction(db):
            return handler(db, entry.data, entry)
    except (StoreError, ChecklistError, KeyError, TypeError, ValueError) as exc:
        log.info("feed entry %s (%s) not applied: %s", entry.seq, entry.kind, exc)
        return False


def _jurisdiction(db: Database, data: dict[str, Any], entry: FeedEntry) -> bool:
    jurisdictions.save(db, str(data["code"]), str(data["name"]))
    return True


def _checklist(db: Database, data: dict[str, Any], entry: FeedEntry) -> bool:
    text = str(data["yaml"])
    if not checklists.holds(db, str(data["id"]), str(data["version"]), text):  # parsing and checking cost ~40 ms
        checklists.cache_text(db, text, f"{data['id']}-{data['version']}.yaml", "server")
    return True


def _subject(db: Database, data: dict[str, Any], entry: FeedEntry) -> bool:
    subjects.on_pulled(db, data)
    return True


def _inspection(db: Database, data: dict[str, Any], entry: FeedEntry) -> bool:
    return inspections.on_pulled(db, data)


def _finding(db: Database, data: dict[str, Any], entry: FeedEntry) -> bool:
    findings.on_pulled(db, data)
    return True


def _finding_event(db: Database, data: dict[str, Any], entry: FeedEntry) -> bool:
    findings.on_pulled_event(db, data, server_seq=entry.seq)
    if data.get("actor_id") and isinstance(data.get("actor_name"), str):
        people.save(db, {str(data["actor_id"]): data["actor_name"]})
    return True


def _unit_link(db: Database, data: dict[str, Any], entry: FeedEntry) -> bool:
    unit_links.save(db, data)
    return True


def _time_limit(db: Database, data: dict[str, Any], entry: FeedEntry) -> bool:
    stage_clocks.put_district_limit(db, data)
    return True


def _talk(db: Database, data: dict[str, Any], entry: FeedEntry) -> bool:
    return talks.on_pulled(db, data)


def _calendar_year(db: Database, data: dict[str, Any], entry: FeedEntry) -> bool:
    stage_clocks.put_district_year(db, int(data["year"]), data.get("holidays") or {}, data.get("workdays") or {})
    return True


def _campaign(db: Database, data: dict[str, Any], entry: FeedEntry) -> bool:
    campaigns.save(db, data)
    return True


def _scoring_rule(db: Database, data: dict[str, Any], entry: FeedEntry) -> bool:
    scoring_rules.put_published(db, data)
    return True  # an unreadable rule is skipped (the laptop keeps the rule it has)


def _patrol(db: Database, data: dict[str, Any], entry: FeedEntry) -> bool:
    kept = unit_cycle.on_pulled(db, data)
    if data.get("patroller_id") and isinstance(data.get("patroller_name"), str):
        people.save(db, {str(data["patroller_id"]): data["patroller_name"]})
    return kept


HANDLERS: dict[str, Callable[[Database, dict[str, Any], FeedEntry], bool]] = {
    FeedKind.JURISDICTION: _jurisdiction,
    FeedKind.CHECKLIST: _checklist,
    FeedKind.SUBJECT: _subject,
    FeedKind.INSPECTION: _inspection,
    FeedKind.FINDING: _finding,
    FeedKind.FINDING_EVENT: _finding_event,
    FeedKind.UNIT_LINK: _unit_link,
    FeedKind.TIME_LIMIT: _time_limit,
    FeedKind.CALENDAR_YEAR: _calendar_year,
    FeedKind.TALK: _talk,
    FeedKind.CAMPAIGN: _campaign,
    FeedKind.SCORING_RULE: _scoring_rule,
    FeedKind.PATROL: _patrol,
}


_WITH_PHOTOS = (FeedKind.FINDING, FeedKind.FINDING_EVENT, FeedKind.INSPECTION, FeedKind.PATROL, FeedKind.SUBJECT)


def _page_photos(page: FeedPage) -> set[str]:
    hashes: set[str] = set()
    for entry in page.entries:
        if entry.kind in _WITH_PHOTOS and entry.data is not None:
            hashes |= photo_hashes(entry.data)
    return hashes
