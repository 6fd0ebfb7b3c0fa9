"""Photos after records: the photos pulled records name are fetched once the records are kept, in the order people
need them (`store.photos_wanted.in_order`), a few at a time, each checked by its hash and kept with its waiting
links in one transaction. What a cut leaves is fetched by the next cycle; a photo someone opens before it arrived
is fetched at once (`fetch_one`)."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from sqlite_utils import Database

from inspector.store import documents, photos, photos_wanted
from inspector.store.database import DataFolder, commits_not_awaiting_disk, transaction
from inspector.store.errors import StoreError
from inspector.sync.blobs import fetch_verified
from inspector.sync.client import ProtocolClient
from inspector.sync.progress import ProgressCallback, SyncProgress

log = logging.getLogger(__name__)

WORKERS = 3  # photos on their way at once


@dataclass
class FetchReport:
    """What the photo phase did: photos stored, photos the server did not give (they stay wanted)."""

    downloaded: int = 0
    unavailable: int = 0
    waiting: int = 0  # still wanted after the phase


def download_wanted(
    db: Database, folder: DataFolder, client: ProtocolClient, progress: ProgressCallback, workers: int | None = None
) -> FetchReport:
    """Fetch every photo pulled records still wait for, in order, `workers` at a time; each one is usable as soon as
    it is stored. A cancel stops the phase (photos in flight are dropped; they stay wanted)."""
    report = FetchReport()
    wanted = photos_wanted.in_order(db)
    already = photos.stored_among(db, wanted)  # e.g. the same photo came with a record of this laptop
    already |= documents.stored_among(folder, wanted)  # a 治理方案 PDF
    if already:
        with transaction(db):
            photos_wanted.arrived(db, sorted(already))
    todo = [sha for sha in wanted if sha not in already]
    local = threading.local()
    spawned: list[ProtocolClient] = []
    lock = threading.Lock()

    def fetch(sha: str) -> bool:
        if not hasattr(local, "client"):
            local.client = client.spawn()
            with lock:
                spawned.append(local.client)
        client.check_cancelled()
        connection = folder.connect()  # SQLite connections stay on the thread that made them
        try:
            # a photo's commit need not wait for the disk: one a power cut takes back leaves the photo wanted, and
            # the next cycle fetches it again (its file was flushed before, so a kept row never names a lost file)
            with commits_not_awaiting_disk(connection):
                return fetch_and_keep(connection, folder, local.client, sha)
        finally:
            connection.close()

    pool = ThreadPoolExecutor(max_workers=max(1, workers or WORKERS), thread_name_prefix="sync-photo")
    try:
        progress(SyncProgress("download", 0, len(todo)))  # the records are kept: the phase begins
        client.check_cancelled()
        futures: list[Future[bool]] = [pool.submit(fetch, sha) for sha in todo]  # the pool takes them in order
        for done, future in enumerate(futures):
            if done:
                progress(SyncProgress("download", done, len(todo), todo[done][:12]))
            if future.result():
                report.downloaded += 1
            else:
                report.unavailable += 1
        progress(SyncProgress("download", len(todo), len(todo)))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for other in spawned:
            other.close()
    report.waiting = photos_wanted.count(db)
    return report


def fetch_and_keep(db: Database, folder: DataFolder, client: ProtocolClient, sha: str) -> bool:
    """Download one photo, check its hash, and keep it with the links that waited for it; False when the server
    does not give it or it cannot be kept (it stays wanted)."""
    data = fetch_verified(client, sha)
    if data is None:
        return False
    if data.startswith(documents.PDF_MAGIC):  # a 治理方案 PDF, kept as a document (no photo row, no thumbnail)
        try:
            documents.store_document(folder, data, f"{sha}{documents.DOCUMENT_EXT}")
            with transaction(db):
                photos_wanted.fetched_as_document(db, [sha])
        except StoreError as exc:
            log.warning("downloaded document %s could not be kept: %s", sha, exc)
            return False
        return True
    try:
        blob = photos.write_photo_blob(folder, data, expected_sha256=sha)  # before the write lock
        with transaction(db):
            photos.record_photo_blob(db, blob)
            photos.mark_uploaded(db, [sha])
            photos_wanted.arrived(db, [sha])
    except (StoreError, ValueError, OSError) as exc:  # OSError: Pillow cannot read it, or the disk refused it
        log.warning("downloaded photo %s could not be kept: %s", sha, exc)
        return False
    return True
