"""Find a record by what a person types: a finding by id or ledger number, an inspection by its id or a finding
from it, a subject by id or code (the command line's `inspector export`)."""

from __future__ import annotations

from sqlite_utils import Database


def finding_id(db: Database, text: str) -> str | None:
    """The finding with this id or ledger number."""
    row = db.execute("SELECT id FROM findings WHERE id = ? OR ledger_number = ? LIMIT 1", [text, text]).fetchone()
    return str(row[0]) if row else None


def inspection_id(db: Database, text: str) -> str | None:
    """The inspection with this id, or the one the finding with this id or ledger number came from."""
    row = db.execute("SELECT id FROM inspections WHERE id = ?", [text]).fetchone()
    if row is not None:
        return str(row[0])
    finding = finding_id(db, text)
    if finding is None:
        return None
    row = db.execute("SELECT inspection_id FROM findings WHERE id = ?", [finding]).fetchone()
    return str(row[0]) if row and row[0] else None


def subject_id(db: Database, text: str) -> str | None:
    """The subject with this id or code."""
    row = db.execute("SELECT id FROM subjects WHERE id = ? OR code = ? LIMIT 1", [text, text]).fetchone()
    return str(row[0]) if row else None
