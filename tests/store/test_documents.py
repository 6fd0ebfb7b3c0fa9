"""A 治理方案 as PDF: stored once under its SHA-256 beside the photos, byte for byte; anything that is not a PDF, is
empty or too large is refused with a zh + en message and nothing is written."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from inspector.store import documents
from inspector.store.database import DataFolder
from inspector.store.documents import DocumentError

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _stored(folder: DataFolder) -> list[Path]:
    root = documents.documents_dir(folder)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def test_a_pdf_is_stored_under_its_hash_once(folder: DataFolder, tmp_path: Path) -> None:
    source = tmp_path / "治理方案.pdf"
    source.write_bytes(PDF)
    sha = documents.import_document(folder, source)
    assert sha == hashlib.sha256(PDF).hexdigest()
    target = documents.document_path(folder, sha)
    assert target.read_bytes() == PDF and target.parent.parent == folder.root / "documents"
    assert documents.import_document(folder, source) == sha and _stored(folder) == [target]
    assert list(folder.tmp_dir.iterdir()) == []  # the atomic write left nothing behind


@pytest.mark.parametrize(
    ("content", "zh", "en"),
    [
        (b"\xff\xd8\xff\xe0 a JPEG", "不是 PDF 文件", "not a PDF file"),
        (b"just text %PDF- later", "不是 PDF 文件", "not a PDF file"),
        (b"", "空文件", "empty"),
    ],
    ids=["jpeg", "pdf-marker-not-at-start", "empty"],
)
def test_what_is_not_a_pdf_is_refused_and_nothing_stored(
    folder: DataFolder, tmp_path: Path, content: bytes, zh: str, en: str
) -> None:
    source = tmp_path / "plan.pdf"
    source.write_bytes(content)
    with pytest.raises(DocumentError) as refused:
        documents.import_document(folder, source)
    message = str(refused.value)
    assert "plan.pdf" in message and zh in message and en in message and "治理方案" in message
    assert _stored(folder) == []


def test_a_pdf_over_the_cap_and_a_missing_file_are_refused(folder: DataFolder, tmp_path: Path) -> None:
    source = tmp_path / "big.pdf"
    source.write_bytes(PDF + b"0" * 2048)
    with pytest.raises(DocumentError, match="too large"):
        documents.import_document(folder, source, max_bytes=1024)
    with pytest.raises(DocumentError, match="does not exist"):
        documents.import_document(folder, tmp_path / "gone.pdf")
    assert _stored(folder) == []


def test_a_backup_carries_the_documents(folder: DataFolder, tmp_path: Path) -> None:
    from inspector.store import backup

    source = tmp_path / "plan.pdf"
    source.write_bytes(PDF)
    sha = documents.import_document(folder, source)
    archive = backup.create_backup(folder, tmp_path / "out" / "backup.zip").path
    backup.restore_backup(archive, tmp_path / "restored")
    restored = tmp_path / "restored" / "documents" / sha[:2] / f"{sha}.pdf"
    assert restored.read_bytes() == PDF
