"""Photos both ways: upload the ones queued changes need and the server lacks (resuming large ones), download the
ones pulled records name."""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from inspector.store import photos
from inspector.store.database import DataFolder
from inspector.store.errors import StoreError
from inspector.store.files import sha256_file
from inspector.sync import store_adapter
from inspector.sync.client import API, ProtocolClient
from inspector.sync.config import SyncConfig
from inspector.sync.errors import RequestRefusedError, ServerFaultError
from inspector.sync.progress import ProgressCallback, SyncProgress

log = logging.getLogger(__name__)

MAX_RESTARTS = 3
MARK_EVERY = 25  # confirmed uploads marked per transaction


@dataclass
class UploadReport:
    """What the photo phase did; `unavailable` are hashes still not on the server (their changes wait)."""

    uploaded: int = 0
    bytes_sent: int = 0
    already_on_server: int = 0
    unavailable: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def upload_missing(
    db: Database,
    folder: DataFolder,
    client: ProtocolClient,
    config: SyncConfig,
    limits: dict[str, Any],
    progress: ProgressCallback,
) -> UploadReport:
    """Ask which photos of queued changes the server lacks and upload them: small ones whole, several at a time,
    large ones resumable, one after another. Photos are marked uploaded as they are confirmed."""
    report = UploadReport()
    referenced = store_adapter.outbox_photo_hashes(db)
    to_check = sorted(referenced - store_adapter.uploaded_hashes(db, referenced))
    if not to_check:
        return report
    missing = ask_missing(client, to_check, int(limits.get("max_missing_query") or 1000))
    present = store_adapter.local_photo_hashes(db, set(to_check) - set(missing))
    photos.mark_uploaded(db, present)
    report.already_on_server = len(present)
    jobs = _upload_jobs(db, folder, limits, missing, report)
    small = [job for job in jobs if job.size <= config.resumable_threshold]
    large = [job for job in jobs if job.size > config.resumable_threshold]
    counter = _Progress(progress, len(missing) - len(jobs), len(missing))
    _upload_small_in_parallel(db, client, config.upload_workers, small, report, counter)
    chunk = min(config.chunk_bytes, int(limits.get("max_chunk_bytes") or config.chunk_bytes))
    for job in large:
        if sha256_file(job.path) != job.sha:
            _unavailable(report, job.sha, "the stored file no longer matches its hash (damaged on disk)")
            continue
        report.bytes_sent += upload_resumable(client, job.sha, job.path, job.size, chunk)
        photos.mark_uploaded(db, [job.sha])
        report.uploaded += 1
        counter.step()
    return report


@dataclass(frozen=True)
class _Job:
    sha: str
    path: Path
    size: int


class _Progress:
    def __init__(self, callback: ProgressCallback, done: int, total: int) -> None:
        self.callback, self.done, self.total = callback, done, total
        callback(SyncProgress("photos", done, total))

    def step(self) -> None:
        self.done += 1
        self.callback(SyncProgress("photos", self.done, self.total))


def _unavailable(report: UploadReport, sha: str, problem: str) -> None:
    report.unavailable.add(sha)
    report.problems.append(f"{sha[:12]}: {problem}")
    log.warning("photo %s not uploaded: %s", sha, problem)


def _upload_jobs(
    db: Database, folder: DataFolder, limits: dict[str, Any], missing: list[str], report: UploadReport
) -> list[_Job]:
    """The missing photos that can be sent; the others are reported (their changes wait)."""
    local = store_adapter.local_photo_hashes(db, missing)
    jobs: list[_Job] = []
    for sha in missing:
        path = folder.photo_path(sha)
        if sha not in local or not path.is_file():
            _unavailable(report, sha, "the photo is not stored on this computer")
            continue
        size = path.stat().st_size
        if size > int(limits.get("max_blob_bytes") or size):
            _unavailable(report, sha, f"the photo is larger ({size} bytes) than the server accepts")
            continue
        jobs.append(_Job(sha, path, size))
    return jobs


def _upload_small_in_parallel(
    db: Database, client: ProtocolClient, workers: int, jobs: list[_Job], report: UploadReport, counter: _Progress
) -> None:
    """PUT whole photos over several connections. The server checks each hash, so a damaged local file is refused
    there (and reported here). Confirmed photos are marked uploaded in small groups, from this thread (the database
    connection belongs to it); a crash before the mark only means the next cycle asks the server again."""
    if not jobs:
        return
    clients: queue.Queue[ProtocolClient] = queue.Queue()
    spawned = [client.spawn() for _ in range(max(1, min(workers, len(jobs))))]
    for each in spawned:
        clients.put(each)
    stop = threading.Event()

    def send(job: _Job) -> tuple[_Job, int | None]:
        if stop.is_set():
            return job, None
        worker = clients.get()
        try:
            return job, upload_whole(worker, job.sha, job.path.read_bytes())
        except RequestRefusedError as exc:
            if exc.code != "hash_mismatch":
                raise
            return job, -1
        finally:
            clients.put(worker)

    confirmed: list[str] = []
    failure: BaseException | None = None
    try:
        with ThreadPoolExecutor(max_workers=len(spawned), thread_name_prefix="photo-upload") as pool:
            for future in as_completed([pool.submit(send, job) for job in jobs]):
                try:
                    job, sent = future.result()
                except BaseException as exc:  # the first failure stops the rest; it is raised below
                    stop.set()
                    failure = failure or exc
                    continue
                if sent is None:
                    continue
                if sent < 0:
                    _unavailable(report, job.sha, "the stored file no longer matches its hash (damaged on disk)")
                    continue
                report.bytes_sent += sent
                report.uploaded += 1
                confirmed.append(job.sha)
                counter.step()
                if len(confirmed) >= MARK_EVERY:
                    photos.mark_uploaded(db, confirmed)
                    confirmed.clear()
    finally:
        photos.mark_uploaded(db, confirmed)
        for each in spawned:
            each.close()
    if failure is not None:
        raise failure


def ask_missing(client: ProtocolClient, hashes: list[str], per_request: int) -> list[str]:
    """The hashes the server does not have, in the order asked."""
    missing: list[str] = []
    for start in range(0, len(hashes), per_request):
        reply = client.post_json("/blobs/missing", {"hashes": hashes[start : start + per_request]})
        if not isinstance(reply, dict) or not isinstance(reply.get("missing"), list):
            raise ServerFaultError(
                "服务器的回复无法识别", "the server's reply to blobs/missing cannot be read", "bad_reply"
            )
        missing.extend(str(sha) for sha in reply["missing"])
    return missing


def upload_whole(client: ProtocolClient, sha: str, data: bytes) -> int:
    """`PUT /blobs/{sha}`; a hash mismatch (bytes damaged on the way) is tried once more. Returns bytes sent."""
    sent = 0
    for attempt in (1, 2):
        sent += len(data)
        try:
            client.request("PUT", f"{API}/blobs/{sha}", data=data)
            break
        except RequestRefusedError as exc:
            if exc.code != "hash_mismatch" or attempt == 2:
                raise
    return sent


def upload_resumable(client: ProtocolClient, sha: str, path: Path, size: int, chunk: int) -> int:
    """Start or resume an upload and send the rest chunk by chunk, following the server's offset. Returns bytes sent."""
    sent = 0
    restarts = 0
    offset, complete = _start_upload(client, sha, size)
    with path.open("rb") as handle:
        while not complete:
            client.check_cancelled()
            handle.seek(offset)
            piece = handle.read(min(chunk, size - offset))
            try:
                reply = client.request(
                    "PATCH", f"{API}/blobs/{sha}/upload", data=piece, headers={"Upload-Offset": str(offset)}
                )
            except RequestRefusedError as exc:
                server_offset = exc.body.get("offset")
                if exc.code == "offset_mismatch" and isinstance(server_offset, int):
                    offset = server_offset  # the server is elsewhere: continue from there
                    continue
                if exc.code in ("upload_not_started", "hash_mismatch", "upload_busy") and restarts < MAX_RESTARTS:
                    restarts += 1
                    if exc.code == "upload_busy" and client.cancel_event.wait(client.backoff(restarts)):
                        client.check_cancelled()
                    offset, complete = _start_upload(client, sha, size)
                    continue
                raise
            sent += len(piece)
            offset, complete = _offset_of(reply.body)
    return sent


def _start_upload(client: ProtocolClient, sha: str, size: int) -> tuple[int, bool]:
    return _offset_of(client.post_json(f"/blobs/{sha}/upload", {"size": size}))


def _offset_of(body: Any) -> tuple[int, bool]:
    if not isinstance(body, dict) or not isinstance(body.get("offset"), int):
        raise ServerFaultError("服务器的上传回复无法识别", "the server's upload reply cannot be read", "bad_reply")
    return int(body["offset"]), bool(body.get("complete"))


def download_missing(
    db: Database, folder: DataFolder, client: ProtocolClient, hashes: Iterable[str], progress: ProgressCallback
) -> int:
    """Fetch the photos pulled records name that this client does not have; returns how many were stored.

    A photo the server does not show (404) or that is not a readable image is skipped (logged).
    """
    wanted = sorted(set(hashes) - store_adapter.local_photo_hashes(db, hashes))
    stored = 0
    for done, sha in enumerate(wanted):
        progress(SyncProgress("download", done, len(wanted), sha[:12]))
        data = _fetch_verified(client, sha)
        if data is None:
            continue
        try:
            photos.store_photo_blob(folder, db, data, expected_sha256=sha)
        except (StoreError, OSError, ValueError) as exc:
            log.warning("downloaded photo %s could not be stored: %s", sha, exc)
            continue
        photos.mark_uploaded(db, [sha])
        stored += 1
    return stored


def _fetch_verified(client: ProtocolClient, sha: str) -> bytes | None:
    for _ in (1, 2):
        data = client.get_bytes(client.blob_url(sha))
        if data is None:
            log.info("photo %s is not visible on the server", sha)
            return None
        if hashlib.sha256(data).hexdigest() == sha:
            return data
    log.warning("photo %s kept arriving with a different hash; skipped", sha)
    return None
