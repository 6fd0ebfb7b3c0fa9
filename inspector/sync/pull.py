"""Pull: read the server's feed after the local cursor, page by page, each page and its cursor in one transaction.

Pulled records never overwrite local work still waiting to be pushed: findings keep their pending commands on top
of the server's projection (the store rebuilds the view), subjects with queued edits are left alone, and submitted
inspections are immutable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from inspector.core.checklist_loader import ChecklistError
from inspector.core.protocol import FeedEntry, FeedKind, FeedPage, parse_feed_page, photo_hashes
from inspector.store import checklists, cursors, findings, inspections, jurisdictions, stage_clocks, subjects
from inspector.store.database import DataFolder, transaction
from inspector.store.errors import StoreError
from inspector.sync import blobs
from inspector.sync.client import ProtocolClient
from inspector.sync.errors import ServerFaultError
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
    """Apply the feed from the local cursor until the server has no more."""
    limit = max(1, min(page_size, int(limits.get("max_feed_limit") or page_size)))
    report = PullReport(cursor=cursors.get(db))
    progress(SyncProgress("pull", report.cursor, None))  # the phase begins; its end is known after the first page
    while True:
        client.check_cancelled()
        since = report.cursor
        page = fetch_page(client, since, limit)
        if page.head is not None and since > page.head:
            report.cursor = restart_feed(db, since, page.head)
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
    folder moved the cursor meanwhile (the page is then not applied; reading continues from the new cursor)."""
    with transaction(db):
        if cursors.get(db) != since:
            return False
        deferred: list[FeedEntry] = []
        for entry in page.entries:
            if not apply_entry(db, entry):
                deferred.append(entry)
        for entry in deferred:  # e.g. an event that arrived before the record it belongs to
            if apply_entry(db, entry):
                report.applied += 1
            else:
                report.skipped += 1
                log.warning("feed entry %s (%s %s) could not be applied", entry.seq, entry.kind, entry.id)
        report.applied += len(page.entries) - len(deferred)
        cursors.put(db, page.next)
    return True


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
    checklists.cache_text(db, str(data["yaml"]), f"{data['id']}-{data['version']}.yaml", "server")
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
    return True


def _time_limit(db: Database, data: dict[str, Any], entry: FeedEntry) -> bool:
    stage_clocks.put_district_limit(db, data)
    return True


def _calendar_year(db: Database, data: dict[str, Any], entry: FeedEntry) -> bool:
    stage_clocks.put_district_year(db, int(data["year"]), data.get("holidays") or {}, data.get("workdays") or {})
    return True


HANDLERS: dict[str, Callable[[Database, dict[str, Any], FeedEntry], bool]] = {
    FeedKind.JURISDICTION: _jurisdiction,
    FeedKind.CHECKLIST: _checklist,
    FeedKind.SUBJECT: _subject,
    FeedKind.INSPECTION: _inspection,
    FeedKind.FINDING: _finding,
    FeedKind.FINDING_EVENT: _finding_event,
    FeedKind.TIME_LIMIT: _time_limit,
    FeedKind.CALENDAR_YEAR: _calendar_year,
}


_WITH_PHOTOS = (FeedKind.FINDING, FeedKind.FINDING_EVENT, FeedKind.INSPECTION)


def _page_photos(page: FeedPage) -> set[str]:
    hashes: set[str] = set()
    for entry in page.entries:
        if entry.kind in _WITH_PHOTOS and entry.data is not None:
            hashes |= photo_hashes(entry.data)
    return hashes
