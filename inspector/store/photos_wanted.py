"""Photos that pulled records name and that are not here yet: the links waiting for them, the order they are
fetched in, and what each record still waits for.

A pull keeps records at once and their photos after: a link to a photo that is not stored here waits in
`photos_wanted` (photo_links only holds photos that are here) and becomes a photo link in the transaction that
stores the photo. The table is the download's resume point: whatever is left after a cut is fetched next time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlite_utils import Database

from inspector.core.clock import now_iso
from inspector.store.database import rows_in

# Link rows: (photo_sha256, owner_kind, owner_id, item_id, role)
WantedLink = tuple[str, str, str, str, str]


def want(db: Database, links: Iterable[WantedLink], at: str | None = None) -> None:
    """Keep links of pulled records to photos not stored here (runs inside the caller's transaction); a name that
    is not a SHA-256 cannot be fetched and is left out."""
    moment = at or now_iso()
    db.conn.executemany(
        "INSERT OR IGNORE INTO photos_wanted (photo_sha256, owner_kind, owner_id, item_id, role, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [[*link, moment] for link in links if _is_sha256(link[0])],
    )


def _is_sha256(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def in_order(db: Database) -> list[str]:
    """The photos still wanted, in the order people need them: the evidence of findings first, the most recently
    changed first (the ledger's own order, so what is on screen comes first), then after-photos of events, then
    inspections' photos."""
    rows = db.execute(
        "SELECT w.photo_sha256, MIN(CASE w.owner_kind WHEN 'finding' THEN 0 WHEN 'finding_event' THEN 1 ELSE 2 END) "
        "AS rank, MAX(f.updated_at) AS recent FROM photos_wanted w "
        "LEFT JOIN findings f ON w.owner_kind = 'finding' AND f.id = w.owner_id "
        "GROUP BY w.photo_sha256 ORDER BY rank, recent DESC, MIN(w.created_at), w.photo_sha256"
    ).fetchall()
    return [row[0] for row in rows]


def arrived(db: Database, sha256s: Sequence[str]) -> None:
    """The photos are stored here now: their waiting links become photo links (inside the caller's transaction,
    the one that stored the photos' rows)."""
    if not sha256s:
        return
    for row in rows_in(db, "SELECT * FROM photos_wanted WHERE photo_sha256 IN ({})", sha256s):
        db.execute(
            "INSERT OR IGNORE INTO photo_links (photo_sha256, owner_kind, owner_id, item_id, role, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [row["photo_sha256"], row["owner_kind"], row["owner_id"], row["item_id"], row["role"], row["created_at"]],
        )
    db.conn.executemany("DELETE FROM photos_wanted WHERE photo_sha256 = ?", [[sha] for sha in sha256s])


def fetched_as_document(db: Database, sha256s: Sequence[str]) -> None:
    """These files are stored here now as documents (a 治理方案 PDF): nothing waits for them, no photo link is made."""
    db.conn.executemany("DELETE FROM photos_wanted WHERE photo_sha256 = ?", [[sha] for sha in sha256s])


def waiting(db: Database, owner_kind: str, owner_ids: Iterable[str]) -> dict[str, int]:
    """How many photos each of these records still waits for (records that wait for none are left out)."""
    counts: dict[str, int] = {}
    for row in rows_in(
        db,
        f"SELECT owner_id, count(DISTINCT photo_sha256) AS n FROM photos_wanted WHERE owner_kind = '{owner_kind}' "
        "AND owner_id IN ({}) GROUP BY owner_id",
        sorted(set(owner_ids)),
    ):
        counts[str(row["owner_id"])] = int(row["n"])
    return counts


def photos_of(db: Database, owner_kind: str, owner_id: str) -> list[str]:
    """The photos a record still waits for."""
    rows = db.execute(
        "SELECT DISTINCT photo_sha256 FROM photos_wanted WHERE owner_kind = ? AND owner_id = ? ORDER BY created_at",
        [owner_kind, owner_id],
    )
    return [row[0] for row in rows]


def count(db: Database) -> int:
    """How many photos are still wanted."""
    row: Any = db.execute("SELECT count(DISTINCT photo_sha256) FROM photos_wanted").fetchone()
    return int(row[0])
