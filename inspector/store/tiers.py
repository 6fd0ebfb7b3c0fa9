"""Back streets' tiers (精品/优美/达标) with their history: who set which tier when; the current tier also travels
in the subject's details (`tier`), so it reaches the server and the other laptops with the subject."""

from __future__ import annotations

from sqlite_utils import Database

from inspector.core.clock import now_iso, parse_iso
from inspector.core.tiers import Tier, TierChange, parse_tier
from inspector.store import subjects, validate
from inspector.store.database import transaction
from inspector.store.errors import InvalidRecordError

DETAIL_KEY = "tier"


def set_tier(db: Database, subject_id: str, tier: str, by: str, note: str = "", at: str | None = None) -> TierChange:
    """Assign a back street its tier (a new history row) and keep it in the subject's details."""
    subject = subjects.get(db, subject_id)
    if subject.kind != "back_street":
        raise InvalidRecordError("只有背街小巷有街巷等级", "only a back street has a tier")
    try:
        chosen = parse_tier(tier)
    except ValueError as error:
        raise InvalidRecordError(f"未知的街巷等级 {tier!r}（精品、优美、达标）", str(error)) from error
    who = validate.optional_text(by, "设定人", "set by", 200) or ""
    why = validate.optional_text(note, "说明", "note", 2000) or ""
    when = at or now_iso()
    with transaction(db):
        db.execute(
            "INSERT INTO back_street_tiers (subject_id, tier, set_at, set_by, note) VALUES (?, ?, ?, ?, ?)",
            [subject_id, chosen.value, when, who, why],
        )
        if subject.extra.get(DETAIL_KEY) != chosen.value:
            subjects.update(db, subject_id, extra={**subject.extra, DETAIL_KEY: chosen.value})
    return TierChange(subject_id, chosen, parse_iso(when), who, why)


def history(db: Database, subject_id: str) -> list[TierChange]:
    """A street's tier changes, oldest first; a tier that came only in the subject's details (set on another
    laptop) counts from the subject's creation."""
    rows = db.execute(
        "SELECT tier, set_at, set_by, note FROM back_street_tiers WHERE subject_id = ? ORDER BY set_at, id",
        [subject_id],
    ).fetchall()
    changes = [TierChange(subject_id, Tier(tier), parse_iso(at), by, note) for tier, at, by, note in rows]
    subject = subjects.get(db, subject_id)
    carried = subject.extra.get(DETAIL_KEY)
    if isinstance(carried, str) and (not changes or changes[-1].tier.value != carried):
        try:
            tier = parse_tier(carried)
        except ValueError:
            return changes
        at = parse_iso(subject.updated_at if changes else subject.created_at)
        changes.append(TierChange(subject_id, tier, at, "", ""))
    return changes


def all_histories(db: Database) -> dict[str, list[TierChange]]:
    """Every back street's tier history, by subject id (streets without a tier left out)."""
    ids = [row[0] for row in db.execute("SELECT id FROM subjects WHERE kind = 'back_street' AND active = 1")]
    found = {subject_id: history(db, subject_id) for subject_id in ids}
    return {subject_id: changes for subject_id, changes in found.items() if changes}
