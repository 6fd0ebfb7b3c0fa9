"""The responsible units' links (/u/<token> on the district server) as the feed brings them: the 整改通知书 prints
the link of its finding as its QR code."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from inspector.core.clock import now_iso, parse_iso, utc_now


def save(db: Database, data: dict[str, Any]) -> None:
    """Keep the latest link of a finding (a revoked one keeps no address)."""
    finding_id = str(data["finding_id"])
    revoked = bool(data.get("revoked"))
    url = None if revoked else str(data["url"])
    expires = None if revoked or not data.get("expires_at") else str(data["expires_at"])
    db.execute(
        "INSERT INTO unit_links (finding_id, url, expires_at, revoked, updated_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (finding_id) DO UPDATE SET url = excluded.url, expires_at = excluded.expires_at, "
        "revoked = excluded.revoked, updated_at = excluded.updated_at",
        [finding_id, url, expires, int(revoked), now_iso()],
    )


def url_of(db: Database, finding_id: str) -> str | None:
    """The live link of a finding, or None (none issued yet, revoked, or expired)."""
    row = db.execute(
        "SELECT url, expires_at FROM unit_links WHERE finding_id = ? AND revoked = 0", [finding_id]
    ).fetchone()
    if row is None or row[0] is None:
        return None
    if row[1] and parse_iso(row[1]) <= utc_now():
        return None
    return str(row[0])
