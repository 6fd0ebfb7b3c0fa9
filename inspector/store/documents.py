"""Documents attached to a case (a 重大隐患's 治理方案 as PDF): checked, addressed by SHA-256, stored atomically."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlite_utils import Database

from inspector.store.database import DataFolder
from inspector.store.errors import DataFolderError, StoreError
from inspector.store.files import sha256_bytes, write_atomic

PDF_MAGIC = b"%PDF-"
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024  # as a photo's file; a scanned plan of a few dozen pages fits
DOCUMENT_EXT = ".pdf"


class DocumentError(StoreError):
    """A file that cannot become a document; nothing was stored. `str()` is "中文 / English" and names the file."""

    code = "document_error"

    def __init__(self, path: str | Path, zh: str, en: str) -> None:
        name = Path(path).name
        super().__init__(name=name, detail_zh=zh, detail_en=en)
        self.path = str(path)


def documents_dir(folder: DataFolder) -> Path:
    """Beside the photos: documents/ab/<sha256>.pdf."""
    return folder.root / "documents"


def document_path(folder: DataFolder, sha256: str) -> Path:
    """Where the document with this hash lives."""
    return documents_dir(folder) / sha256[:2] / f"{sha256}{DOCUMENT_EXT}"


def stored_among(folder: DataFolder, hashes: Iterable[str]) -> set[str]:
    """Which of these hashes name a document stored on this laptop."""
    return {sha for sha in hashes if document_path(folder, sha).is_file()}


def stored_beside(db: Database, sha256: str) -> bool:
    """Whether the data folder holding this database (its file's folder) has the document with this hash."""
    for row in db.execute("PRAGMA database_list").fetchall():
        if row[1] == "main" and row[2]:
            return (Path(row[2]).parent / "documents" / sha256[:2] / f"{sha256}{DOCUMENT_EXT}").is_file()
    return False


def check_pdf(data: bytes, source: str | Path, max_bytes: int = MAX_DOCUMENT_BYTES) -> None:
    """Refuse what is not a PDF (by its `%PDF-` header) or is empty or too large."""
    if not data:
        raise DocumentError(source, "是空文件（0 字节）", "the file is empty (0 bytes)")
    if len(data) > max_bytes:
        limit = f"{max_bytes / (1024 * 1024):.1f} MB"
        raise DocumentError(source, f"文件太大（上限 {limit}）", f"the file is too large (the limit is {limit})")
    if not data.startswith(PDF_MAGIC):
        raise DocumentError(source, "不是 PDF 文件", "not a PDF file")


def import_document(folder: DataFolder, path: str | Path, max_bytes: int = MAX_DOCUMENT_BYTES) -> str:
    """Store a PDF under its SHA-256 (once: the same bytes twice are one file) and return the hash."""
    source = Path(path)
    try:
        if not source.is_file():
            raise DocumentError(source, "不存在或不是普通文件", "does not exist or is not a regular file")
        if source.stat().st_size > max_bytes:
            limit = f"{max_bytes / (1024 * 1024):.1f} MB"
            raise DocumentError(source, f"文件太大（上限 {limit}）", f"the file is too large (the limit is {limit})")
        with source.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except PermissionError as exc:
        raise DocumentError(source, "无权读取", "permission denied") from exc
    except OSError as exc:
        raise DocumentError(source, f"无法读取：{exc.strerror}", f"cannot be read: {exc.strerror}") from exc
    return store_document(folder, data, source)


def store_document(folder: DataFolder, data: bytes, source: str | Path = "document.pdf") -> str:
    """Store checked PDF bytes (from a file or the server) under their SHA-256; return the hash."""
    check_pdf(data, source)
    sha = sha256_bytes(data)
    target = document_path(folder, sha)
    try:
        if not target.exists():
            write_atomic(folder, target, data)
    except OSError as exc:
        raise DataFolderError(str(folder.root), f"document files: {exc.strerror or exc}") from exc
    return sha
