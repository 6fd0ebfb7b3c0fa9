"""`inspector-server blobs migrate --to s3`: copy the photo folder into the district's bucket, each file hashed before
it is sent and each object read back and hashed after; then every blob the database knows is looked for."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from inspector.server.blobs import READ_CHUNK, valid_hash
from inspector.server.blobs_s3 import S3BlobStore, object_key
from inspector.server.db import Database
from inspector.server.models import Blob


@dataclass
class MigrationReport:
    """What a migration did; `problems` name each blob that is not safely in the bucket."""

    copied: int = 0
    already: int = 0
    verified: int = 0
    problems: list[str] = field(default_factory=list)


def _file_hash(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(READ_CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()


def _copy_one(path: Path, store: S3BlobStore) -> tuple[str, str | None]:
    """("copied" | "already" | "problem", a problem's text)."""
    sha256 = path.name
    actual = _file_hash(path)
    if actual != sha256:
        return "problem", f"{sha256}: the file is damaged (its bytes hash to {actual}); not copied"
    if store.has(sha256):
        state = "already"
    else:
        with path.open("rb") as handle:
            store._put(object_key(sha256), handle, sha256, exclusive=True)
        state = "copied"
    stored = store.verify_object(sha256)
    if stored != sha256:
        return "problem", f"{sha256}: the object in the bucket hashes to {stored}"
    return state, None


def migrate_to_s3(folder: Path, store: S3BlobStore, db: Database, workers: int = 8) -> MigrationReport:
    """Copy every blob file of a filesystem store's folder into the bucket (files already there are verified, not
    sent again), then check that every blob row of the database has its object. Safe to run again."""
    report = MigrationReport()
    files = [path for path in sorted((folder / "objects").glob("*/*/*")) if path.is_file() and valid_hash(path.name)]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for state, problem in pool.map(lambda path: _copy_one(path, store), files):
            if problem is not None:
                report.problems.append(problem)
                continue
            report.verified += 1
            if state == "copied":
                report.copied += 1
            else:
                report.already += 1
    on_disk = {path.name for path in files}
    with db.read() as session:
        known = list(session.scalars(select(Blob.sha256)))
    for sha256 in known:
        if sha256 not in on_disk and not store.has(sha256):
            report.problems.append(f"{sha256}: recorded in the database but neither in the folder nor the bucket")
    return report
