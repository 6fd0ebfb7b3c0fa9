"""The jurisdiction tree (辖区) as known on this client: codes, names, parents."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from inspector.core.clock import now_iso
from inspector.core.jurisdiction import Level, parse_code, street_of
from inspector.store import validate
from inspector.store.database import transaction


@dataclass(frozen=True)
class Jurisdiction:
    """One node of the tree."""

    code: str
    name: str
    parent_code: str | None
    level: int
    updated_at: str


def save(db: Database, code: str, name: str) -> Jurisdiction:
    """Insert or rename a jurisdiction; its parent and level follow from the code."""
    parsed = parse_code(code)
    label = validate.required_text(name, "辖区名称", "jurisdiction name")
    parent = parsed.parent()
    at = now_iso()
    with transaction(db):
        db.execute(
            "INSERT INTO jurisdictions (code, name, parent_code, level, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (code) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at",
            [parsed.full, label, parent.full if parent else None, int(parsed.level), at],
        )
    return Jurisdiction(parsed.full, label, parent.full if parent else None, int(parsed.level), at)


def list_all(db: Database) -> list[Jurisdiction]:
    """Every known jurisdiction, in code order (parents before their children)."""
    return [Jurisdiction(**row) for row in db.query("SELECT * FROM jurisdictions ORDER BY code")]


def name_of(db: Database, code: str) -> str | None:
    """The name of a jurisdiction, if known."""
    row = db.execute("SELECT name FROM jurisdictions WHERE code = ?", [parse_code(code).full]).fetchone()
    return row[0] if row else None


def street_names(db: Database) -> dict[str, str]:
    """The names of the 街乡 known here, by their 9-digit code (`street_of` of any code inside them)."""
    rows = db.execute("SELECT code, name FROM jurisdictions WHERE level = ?", [int(Level.STREET)])
    return {street_of(code): name for code, name in rows}
