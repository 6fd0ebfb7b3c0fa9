"""Photos both ways: upload the ones queued changes need and the server lacks (straight to its object store when it
offers that, else in batches; resuming large ones), download the ones pulled records name."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import math
import queue
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from inspector.core.protocol import ErrorCode
from inspector.store import documents, outbox, photos
from inspector.store.database import DataFolder
from inspector.store.errors import StoreError
from inspector.store.files import sha256_file
from inspector.sync.client import API, ProtocolClient
from inspector.sync.config import SyncConfig
from inspector.sync.errors import RequestRefusedError, ServerFaultError, TransportError
from inspector.sync.progress import ProgressCallback, SyncProgress

log = logging.getLogger(__name__)

MAX_RESTARTS = 3
MARK_EVERY = 25  # confirmed uploads marked per transaction
MANIFEST_ALLOWANCE = 128  # bytes of a batch's manifest line per photo (and for its frame), more than it takes
NO_BATCH_STATUSES = (404, 405, 413)  # a server (or proxy) without the batch endpoint, or with a smaller body limit
DAMAGED = "the stored file no longer matches its hash (damaged on disk)"
NOT_HERE = "the photo is not stored on this computer"


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
    """Ask which photos of queued changes the server lacks and upload them: small ones in batches (or one `PUT`
    each), several requests at a time, large ones resumable, one after another. Photos are marked uploaded as they
    are confirmed."""
    report = UploadReport()
    referenced = outbox.queued_photo_hashes(db)
    to_check = sorted(referenced - photos.uploaded_among(db, referenced))
    if not to_check:
        return report
    missing = ask_missing(client, to_check, int(limits.get("max_missing_query") or 1000))
    present = photos.stored_among(db, set(to_check) - set(missing))
    photos.mark_uploaded(db, present)
    report.already_on_server = len(present)
    jobs = _upload_jobs(db, folder, limits, missing, report)
    small = [job for job in jobs if job.size <= config.resumable_threshold]
    large = [job for job in jobs if job.size > config.resumable_threshold]
    counter = _Progress(progress, len(missing) - len(jobs), len(missing))
    if small and limits.get("direct_uploads"):
        per_request = int(limits.get("max_missing_query") or 1000)
        small = upload_direct(db, client, config.upload_workers, small, per_request, report, counter)
    units = plan_units(small, BatchLimits.of(limits, config), config.upload_workers)
    _upload_small_in_parallel(db, client, config.upload_workers, units, report, counter)
    chunk = min(config.chunk_bytes, int(limits.get("max_chunk_bytes") or config.chunk_bytes))
    for job in large:
        if sha256_file(job.path) != job.sha:
            _unavailable(report, job.sha, DAMAGED)
            continue
        report.bytes_sent += upload_resumable(client, job.sha, job.path, job.size, chunk)
        photos.mark_uploaded(db, [job.sha])
        report.uploaded += 1
        counter.advance(1)
    return report


@dataclass(frozen=True)
class _Job:
    sha: str
    path: Path
    size: int


@dataclass(frozen=True)
class _Unit:
    """Photos sent together: one batch request, or (`batch` false) one `PUT` each."""

    jobs: list[_Job]
    batch: bool


@dataclass(frozen=True)
class _Outcome:
    """What became of one photo: on the server (`sent`: bytes sent for it, a retry included), or a problem that keeps
    the changes naming it waiting."""

    job: _Job
    sent: int = 0
    problem: str | None = None


@dataclass(frozen=True)
class BatchLimits:
    """How photos are grouped into batch requests; `max_bytes` 0 when the server offers no batch upload."""

    target_bytes: int
    max_bytes: int
    max_blobs: int

    @classmethod
    def of(cls, limits: dict[str, Any], config: SyncConfig) -> BatchLimits:
        """From the server's limits (a server without `max_batch_bytes` has no batch endpoint) and this client's
        aim."""
        max_bytes = int(limits.get("max_batch_bytes") or 0)
        max_blobs = int(limits.get("max_batch_blobs") or 0)
        if max_bytes <= 0 or max_blobs <= 0:
            return cls(0, 0, 0)
        return cls(min(config.upload_batch_bytes, max_bytes), max_bytes, max_blobs)

    def fits(self, count: int, data_bytes: int) -> bool:
        """Whether a batch of `count` photos of `data_bytes` in all stays within the server's limits."""
        return count <= self.max_blobs and data_bytes + MANIFEST_ALLOWANCE * (count + 1) <= self.max_bytes


def plan_units(jobs: list[_Job], limits: BatchLimits, workers: int) -> list[_Unit]:
    """Group photos, in their order, into batches of about `target_bytes` (at least one per worker while there are
    photos enough), each within the server's limits; a photo too large for any batch goes with its own `PUT`.

    The bytes are cut into equal shares and a photo goes to the share its middle falls in, so the batches come out
    even; a batch that would pass the server's limits is closed early.
    """
    if limits.max_bytes <= 0:
        return [_Unit([job], batch=False) for job in jobs]
    fitting = [job for job in jobs if limits.fits(1, job.size)]
    single = [_Unit([job], batch=False) for job in jobs if not limits.fits(1, job.size)]
    total = sum(job.size for job in fitting)
    share = max(total / max(-(-total // limits.target_bytes), min(workers, len(fitting)), 1), 1.0)
    units: list[_Unit] = []
    current: list[_Job] = []
    current_bytes = position = 0
    boundary = share
    for job in fitting:
        middle = position + job.size / 2
        position += job.size
        next_share = middle >= boundary
        if next_share:
            boundary = (math.floor(middle / share) + 1) * share
        if current and (next_share or not limits.fits(len(current) + 1, current_bytes + job.size)):
            units.append(_Unit(current, batch=True))
            current, current_bytes = [], 0
        current.append(job)
        current_bytes += job.size
    if current:
        units.append(_Unit(current, batch=True))
    return units + single


class _Progress:
    def __init__(self, callback: ProgressCallback, done: int, total: int) -> None:
        self.callback, self.done, self.total = callback, done, total
        callback(SyncProgress("photos", done, total))

    def advance(self, count: int) -> None:
        self.done += count
        self.callback(SyncProgress("photos", self.done, self.total))


def _unavailable(report: UploadReport, sha: str, problem: str) -> None:
    report.unavailable.add(sha)
    report.problems.append(f"{sha[:12]}: {problem}")
    log.warning("photo %s not uploaded: %s", sha, problem)


def _upload_jobs(
    db: Database, folder: DataFolder, limits: dict[str, Any], missing: list[str], report: UploadReport
) -> list[_Job]:
    """The missing photos that can be sent; the others are reported (their changes wait)."""
    local = photos.stored_among(db, missing)
    jobs: list[_Job] = []
    for sha in missing:
        path = folder.photo_path(sha)
        if sha not in local:  # a 治理方案 PDF is a document, not a photo
            path = documents.document_path(folder, sha)
            if path.is_file():
                local.add(sha)
        if sha not in local or not path.is_file():
            _unavailable(report, sha, NOT_HERE)
            continue
        size = path.stat().st_size
        if size > int(limits.get("max_blob_bytes") or size):
            _unavailable(report, sha, f"the photo is larger ({size} bytes) than the server accepts")
            continue
        jobs.append(_Job(sha, path, size))
    return jobs


class _Sender:
    """Sends units of photos from the worker threads. A server that turns out not to have the batch endpoint (404,
    405, or 413 from a proxy with a smaller body limit) gets one `PUT` per photo for the rest of the cycle."""

    def __init__(self) -> None:
        self.batches = True

    def send(self, client: ProtocolClient, unit: _Unit) -> list[_Outcome]:
        if unit.batch and self.batches:
            try:
                return upload_batch(client, unit.jobs)
            except RequestRefusedError as exc:
                if exc.status not in NO_BATCH_STATUSES:
                    raise
                if self.batches:
                    log.info("the server refused a batch upload (%s %s): one PUT per photo", exc.status, exc.code)
                self.batches = False
        return [_put_one(client, job) for job in unit.jobs]


def _put_one(client: ProtocolClient, job: _Job) -> _Outcome:
    try:
        data = job.path.read_bytes()
    except OSError:
        return _Outcome(job, problem=NOT_HERE)
    try:
        return _Outcome(job, sent=upload_whole(client, job.sha, data))
    except RequestRefusedError as exc:
        if exc.code != ErrorCode.HASH_MISMATCH:
            raise
        return _Outcome(job, sent=2 * len(data), problem=DAMAGED)


def _upload_small_in_parallel(
    db: Database, client: ProtocolClient, workers: int, units: list[_Unit], report: UploadReport, counter: _Progress
) -> None:
    """Send the units over several connections. The server checks each hash, so a damaged local file is refused
    there (and reported here). Confirmed photos are marked uploaded in small groups, from this thread (the database
    connection belongs to it); a crash before the mark only means the next cycle asks the server again. A cancel or
    a failure lets no further unit start; what the server already answered is kept."""
    if not units:
        return
    clients: queue.Queue[ProtocolClient] = queue.Queue()
    spawned = [client.spawn() for _ in range(max(1, min(workers, len(units))))]
    for each in spawned:
        clients.put(each)
    stop = threading.Event()
    sender = _Sender()

    def send(unit: _Unit) -> list[_Outcome]:
        if stop.is_set():
            return []
        worker = clients.get()
        try:
            return sender.send(worker, unit)
        finally:
            clients.put(worker)

    confirmed: list[str] = []
    failure: BaseException | None = None
    try:
        with ThreadPoolExecutor(max_workers=len(spawned), thread_name_prefix="photo-upload") as pool:
            for future in as_completed([pool.submit(send, unit) for unit in units]):
                try:
                    outcomes = future.result()
                except BaseException as exc:  # the first failure stops the rest; it is raised below
                    stop.set()
                    failure = failure or exc
                    continue
                for outcome in outcomes:
                    report.bytes_sent += outcome.sent
                    if outcome.problem is not None:
                        _unavailable(report, outcome.job.sha, outcome.problem)
                        continue
                    report.uploaded += 1
                    confirmed.append(outcome.job.sha)
                if outcomes:
                    counter.advance(len(outcomes))
                if len(confirmed) >= MARK_EVERY:
                    photos.mark_uploaded(db, confirmed)
                    confirmed.clear()
    finally:
        photos.mark_uploaded(db, confirmed)
        for each in spawned:
            each.close()
    if failure is not None:
        raise failure


# ---- direct uploads: straight to the server's object store, then confirmed ----

NO_DIRECT_STATUSES = (404, 405)  # a server without direct uploads


@dataclass(frozen=True)
class _Direct:
    """A photo sent to a presigned address: `written` when the store took it (or already had an object there)."""

    job: _Job
    written: bool


def _targets(client: ProtocolClient, jobs: list[_Job], per_request: int) -> dict[str, dict[str, Any]] | None:
    """The server's answer for each photo (`direct` with an address, `present`, or `via_app`), or None from a server
    without direct uploads."""
    answers: dict[str, dict[str, Any]] = {}
    for start in range(0, len(jobs), per_request):
        asked = {"blobs": [{"sha256": job.sha, "size": job.size} for job in jobs[start : start + per_request]]}
        try:
            reply = client.post_json("/blobs/targets", asked)
        except RequestRefusedError as exc:
            if exc.status in NO_DIRECT_STATUSES:
                return None
            raise
        targets = reply.get("targets") if isinstance(reply, dict) else None
        if not isinstance(targets, list):
            raise ServerFaultError(
                "服务器的回复无法识别", "the server's reply to blobs/targets cannot be read", "bad_reply"
            )
        answers.update({str(item.get("sha256")): item for item in targets if isinstance(item, dict)})
    return answers


def _send_direct(client: ProtocolClient, job: _Job, target: dict[str, Any]) -> _Direct:
    """One presigned `PUT`; any failure leaves the photo to the upload through the server."""
    try:
        data = job.path.read_bytes()
    except OSError:
        return _Direct(job, written=False)
    headers = {str(name): str(value) for name, value in dict(target.get("headers") or {}).items()}
    try:
        status = client.put_elsewhere(str(target["url"]), data, headers)
    except TransportError as exc:
        log.info("photo %s: the object store did not answer (%s); sent through the server", job.sha, exc)
        return _Direct(job, written=False)
    if status in (200, 201, 204, 412):  # 412: an object is already at the address; the commit tells whose
        return _Direct(job, written=True)
    log.info("photo %s: the object store answered %s; sent through the server", job.sha, status)
    return _Direct(job, written=False)


def _commit(client: ProtocolClient, hashes: list[str]) -> set[str]:
    """The photos the server confirmed (now on it for this user); the others go through the server."""
    if not hashes:
        return set()
    reply = client.post_json("/blobs/commit", {"hashes": hashes})
    results = reply.get("results") if isinstance(reply, dict) else None
    if not isinstance(results, list):
        raise ServerFaultError("服务器的回复无法识别", "the server's reply to blobs/commit cannot be read", "bad_reply")
    confirmed = set()
    for result in results:
        if isinstance(result, dict) and result.get("status") in ("stored", "present"):
            confirmed.add(str(result.get("sha256")))
        elif isinstance(result, dict):
            log.info("photo %s not confirmed (%s): sent through the server", result.get("sha256"), result.get("status"))
    return confirmed


def upload_direct(
    db: Database,
    client: ProtocolClient,
    workers: int,
    jobs: list[_Job],
    per_request: int,
    report: UploadReport,
    counter: _Progress,
) -> list[_Job]:
    """Send photos straight to the server's object store where it offers addresses, several at a time, and have the
    server confirm them in groups; a photo counts as uploaded only once confirmed. Returns the photos left for the
    upload through the server (no address offered, the store refused or did not answer, not confirmed)."""
    answers = _targets(client, jobs, per_request)
    if answers is None:
        return jobs
    leftover: list[_Job] = []
    direct: list[tuple[_Job, dict[str, Any]]] = []
    present: list[str] = []
    for job in jobs:
        answer = answers.get(job.sha, {})
        if answer.get("status") == "present":
            present.append(job.sha)
        elif answer.get("status") == "direct" and answer.get("url"):
            direct.append((job, answer))
        else:
            leftover.append(job)
    photos.mark_uploaded(db, present)
    report.already_on_server += len(present)
    counter.advance(len(present))
    if not direct:
        return leftover
    spawned = [client.spawn() for _ in range(max(1, min(workers, len(direct))))]
    idle: queue.Queue[ProtocolClient] = queue.Queue()
    for each in spawned:
        idle.put(each)

    def send(job: _Job, target: dict[str, Any]) -> _Direct:
        worker = idle.get()
        try:
            return _send_direct(worker, job, target)
        finally:
            idle.put(worker)

    written: list[_Job] = []

    def confirm() -> None:
        confirmed = _commit(client, [job.sha for job in written])
        done = [job for job in written if job.sha in confirmed]
        leftover.extend(job for job in written if job.sha not in confirmed)
        photos.mark_uploaded(db, [job.sha for job in done])
        report.uploaded += len(done)
        report.bytes_sent += sum(job.size for job in done)
        counter.advance(len(done))
        written.clear()

    try:
        with ThreadPoolExecutor(max_workers=len(spawned), thread_name_prefix="photo-direct") as pool:
            futures = [pool.submit(send, job, target) for job, target in direct]
            try:
                for future in as_completed(futures):
                    outcome = future.result()
                    (written if outcome.written else leftover).append(outcome.job)
                    if len(written) >= MARK_EVERY:
                        confirm()
                confirm()
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    finally:
        for each in spawned:
            each.close()
    return leftover


def upload_batch(client: ProtocolClient, jobs: list[_Job]) -> list[_Outcome]:
    """`POST /blobs/batch` with these photos, in their order; photos refused for a hash mismatch (bytes damaged on the
    way) are sent once more in a batch of their own, and count as damaged on disk when refused again."""
    outcomes: dict[str, _Outcome] = {}
    todo = jobs
    for attempt in (1, 2):
        results = _BatchRequest(client, todo).send()
        again: list[_Job] = []
        for job in todo:
            result = results.get(job.sha)
            sent = outcomes[job.sha].sent + job.size if job.sha in outcomes else job.size
            if result is None:
                outcomes[job.sha] = _Outcome(job, problem=NOT_HERE)
            elif result.get("status") in ("stored", "present"):
                outcomes[job.sha] = _Outcome(job, sent=sent)
            else:
                outcomes[job.sha] = _Outcome(job, sent=sent, problem=_refused(result))
                if result.get("code") == ErrorCode.HASH_MISMATCH and attempt == 1:
                    again.append(job)
        if not again:
            break
        todo = again
    return [outcomes[job.sha] for job in jobs]


class _BatchRequest:
    """One `POST /blobs/batch` and its retries. A connection that breaks mid-body leaves the photos that arrived
    whole stored on the server, so before a retry the server is asked which photos it still lacks, and only those
    are sent again (when the question itself fails, the whole batch is)."""

    def __init__(self, client: ProtocolClient, jobs: list[_Job]) -> None:
        self.client = client
        self.data, self.sending = _batch_body(jobs)
        self.arrived: list[_Job] = []  # stored by a try that broke off

    def send(self) -> dict[str, dict[str, Any]]:
        """The server's result for each photo (those that arrived in a broken try: "present")."""
        if not self.sending:
            return {}
        # the body is sent as the buffer it is (requests and urllib3 take any bytes-like body), not copied to bytes
        reply = self.client.request("POST", f"{API}/blobs/batch", data=self.data, body_again=self._still_missing)
        results = _batch_results(reply.body, self.sending)
        results.update({job.sha: {"sha256": job.sha, "status": "present", "size": job.size} for job in self.arrived})
        return results

    def _still_missing(self) -> bytearray:
        hashes = [job.sha for job in self.sending]
        try:
            missing = set(ask_missing(self.client, hashes, len(hashes), attempts=1))
        except (TransportError, ServerFaultError, RequestRefusedError) as exc:
            log.info("could not ask which photos of a broken batch arrived (%s): sending it whole again", exc)
            return self.data
        self.arrived += [job for job in self.sending if job.sha not in missing]
        self.data, self.sending = _batch_body([job for job in self.sending if job.sha in missing])
        return self.data


def _refused(result: dict[str, Any]) -> str:
    if result.get("code") == ErrorCode.HASH_MISMATCH:
        return DAMAGED
    return f"the server refused the photo ({result.get('code')}): {result.get('message')}"


def _batch_body(jobs: list[_Job]) -> tuple[bytearray, list[_Job]]:
    """The body of a batch of the photos that can be opened (the manifest line, then the files' bytes in its
    order), and those photos. A file shorter than it was leaves zeros in its place, which the server refuses as a
    hash mismatch."""
    opened: list[tuple[_Job, io.BufferedReader]] = []
    for job in jobs:
        try:
            opened.append((job, job.path.open("rb")))
        except OSError:
            continue
    readable = [job for job, _ in opened]
    manifest = {"blobs": [{"sha256": job.sha, "size": job.size} for job in readable]}
    line = json.dumps(manifest, separators=(",", ":")).encode("ascii") + b"\n"
    body = bytearray(len(line) + sum(job.size for job in readable))
    body[: len(line)] = line
    view = memoryview(body)
    offset = len(line)
    for job, handle in opened:
        with handle:
            _read_into(handle, view[offset : offset + job.size])
        offset += job.size
    return body, readable


def _read_into(handle: io.BufferedReader, target: memoryview) -> None:
    filled = 0
    while filled < len(target):
        got = handle.readinto(target[filled:])
        if not got:
            return
        filled += got


def _batch_results(body: Any, jobs: list[_Job]) -> dict[str, dict[str, Any]]:
    """The server's result for each photo of a batch reply, checked against the photos the batch named."""
    results = body.get("results") if isinstance(body, dict) else None
    if (
        not isinstance(results, list)
        or not all(isinstance(result, dict) for result in results)
        or [result.get("sha256") for result in results] != [job.sha for job in jobs]
    ):
        raise ServerFaultError(
            "服务器的批量上传回复无法识别", "the server's reply to blobs/batch cannot be read", "bad_reply"
        )
    return {job.sha: result for job, result in zip(jobs, results, strict=True)}


def ask_missing(client: ProtocolClient, hashes: list[str], per_request: int, attempts: int | None = None) -> list[str]:
    """The hashes the server does not have, in the order asked (`attempts`: tries of each request, when not the
    client's own limit)."""
    missing: list[str] = []
    for start in range(0, len(hashes), per_request):
        asked = {"hashes": hashes[start : start + per_request]}
        reply = client.post_json("/blobs/missing", asked, max_attempts=attempts)
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
            if exc.code != ErrorCode.HASH_MISMATCH or attempt == 2:
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
                if exc.code == ErrorCode.OFFSET_MISMATCH and isinstance(server_offset, int):
                    offset = server_offset  # the server is elsewhere: continue from there
                    continue
                if (
                    exc.code in (ErrorCode.UPLOAD_NOT_STARTED, ErrorCode.HASH_MISMATCH, ErrorCode.UPLOAD_BUSY)
                    and restarts < MAX_RESTARTS
                ):
                    restarts += 1
                    if exc.code == ErrorCode.UPLOAD_BUSY and client.cancel_event.wait(client.backoff(restarts)):
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
    wanted = sorted(set(hashes) - photos.stored_among(db, hashes))
    stored = 0
    for done, sha in enumerate(wanted):
        progress(SyncProgress("download", done, len(wanted), sha[:12]))
        data = fetch_verified(client, sha)
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


def fetch_verified(client: ProtocolClient, sha: str) -> bytes | None:
    """The photo's bytes when they hash to its name (asked twice), else None (logged)."""
    for _ in (1, 2):
        data = client.get_bytes(client.blob_url(sha))
        if data is None:
            log.info("photo %s is not visible on the server", sha)
            return None
        if hashlib.sha256(data).hexdigest() == sha:
            return data
    log.warning("photo %s kept arriving with a different hash; skipped", sha)
    return None
