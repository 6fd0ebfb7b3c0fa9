"""The laptop's copy of the district's campaigns (feed kind `campaign`) and the facts their progress is made of."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from inspector.core.campaigns import (
    Campaign,
    CaseFact,
    InspectionFact,
    Progress,
    campaign_from_json,
    one_per_inspection,
    progress,
)
from inspector.core.clock import now_iso
from inspector.store import jsonutil
from inspector.store.transactions import transaction

_CHUNK = 500


def save(db: Database, data: Mapping[str, Any]) -> None:
    """Keep a campaign as the feed brought it (a later version replaces it; `deleted` removes it), in one
    transaction (a savepoint of the pull's)."""
    with transaction(db):
        _save(db, data)


def _save(db: Database, data: Mapping[str, Any]) -> None:
    campaign_id = str(data["id"])
    if data.get("deleted"):
        db.execute("DELETE FROM campaign_sites WHERE campaign_id = ?", [campaign_id])
        db.execute("DELETE FROM campaigns WHERE id = ?", [campaign_id])
        return
    campaign = campaign_from_json(data)
    db.execute(
        "INSERT INTO campaigns (id, name, kind, starts, ends, version, data, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, starts = excluded.starts, "
        "ends = excluded.ends, version = excluded.version, data = excluded.data, updated_at = excluded.updated_at",
        [campaign.id, campaign.name, campaign.kind, campaign.starts.isoformat(), campaign.ends.isoformat(),
         campaign.version, jsonutil.dumps(dict(data)), now_iso()],
    )  # fmt: skip
    db.execute("DELETE FROM campaign_sites WHERE campaign_id = ?", [campaign.id])
    db.conn.executemany(
        "INSERT OR IGNORE INTO campaign_sites (campaign_id, subject_id, position) VALUES (?, ?, ?)",
        [(campaign.id, site.subject_id, index) for index, site in enumerate(campaign.sites)],
    )


def all_campaigns(db: Database) -> list[Campaign]:
    """Every campaign on this laptop, the latest period first."""
    rows = db.execute("SELECT data FROM campaigns ORDER BY starts DESC, name").fetchall()
    return [campaign_from_json(jsonutil.loads(text, {})) for (text,) in rows]


def get(db: Database, campaign_id: str) -> Campaign | None:
    """One campaign, or None."""
    row = db.execute("SELECT data FROM campaigns WHERE id = ?", [campaign_id]).fetchone()
    return campaign_from_json(jsonutil.loads(row[0], {})) if row else None


def facts(db: Database, campaign: Campaign) -> tuple[list[InspectionFact], list[CaseFact]]:
    """The finished inspections of the campaign's sites with its checklists, and the cases raised in them."""
    site_ids = [site.subject_id for site in campaign.sites]
    names = {site.subject_id: site.name for site in campaign.sites}
    lists = list(campaign.checklists)
    inspections: list[InspectionFact] = []
    cases: list[CaseFact] = []
    for start in range(0, len(site_ids), _CHUNK):
        chunk = site_ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        list_marks = ",".join("?" * len(lists))
        rows = db.execute(
            f"SELECT i.id, i.subject_id, l.checklist_id, i.finished_at, i.programme FROM inspections i "
            f"JOIN inspection_lists l ON l.inspection_id = i.id WHERE i.status = 'finished' "
            f"AND i.subject_id IN ({marks}) AND (l.checklist_id IN ({list_marks}) OR i.programme = ?)",
            [*chunk, *lists, campaign.id],
        ).fetchall()
        found = one_per_inspection((InspectionFact(*row) for row in rows), lists)
        inspections.extend(found)
        ids = [fact.id for fact in found]
        for first in range(0, len(ids), _CHUNK):
            part = ids[first : first + _CHUNK]
            for row in db.execute(
                "SELECT id, inspection_id, kind, severity, state, coalesce(jurisdiction, ''), coalesce(category, ''), "
                "description, coalesce(ledger_number, ''), coalesce(deadline, ''), subject_id FROM findings "
                f"WHERE inspection_id IN ({','.join('?' * len(part))})",
                part,
            ).fetchall():
                cases.append(
                    CaseFact(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7] or "", row[8], row[9],
                             names.get(row[10] or "", ""))
                )  # fmt: skip
    return inspections, cases


def street_names(db: Database) -> dict[str, str]:
    """9-digit 街乡 code → its name, from the jurisdictions this laptop knows."""
    rows = db.execute("SELECT code, name FROM jurisdictions WHERE level = 2").fetchall()
    return {code[:9]: name for code, name in rows}


def checklist_titles(db: Database, ids: tuple[str, ...]) -> dict[str, str]:
    """Checklist id → title (of any version this laptop has)."""
    if not ids:
        return {}
    rows = db.execute(
        f"SELECT id, title FROM checklists WHERE id IN ({','.join('?' * len(ids))}) ORDER BY cached_at", list(ids)
    ).fetchall()
    return dict(rows)


def overview(db: Database) -> list[tuple[Campaign, Progress]]:
    """Every campaign with its progress as this laptop's records show it."""
    return [(campaign, progress(campaign, *facts(db, campaign))) for campaign in all_campaigns(db)]
