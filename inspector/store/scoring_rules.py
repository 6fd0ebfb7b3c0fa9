"""The scoring rules districts publish (feed kind `scoring_rule`) and the one this laptop uses: the newest published
for the user's district, else the shipped default (`checklists/rules/inspector-default.json`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from inspector.core.clock import now_iso
from inspector.core.rules import RuleError, ScoringRule, parse_rule
from inspector.rule_files import default_rule
from inspector.store import profile
from inspector.store.jurisdiction_tree import user_area


def put_published(db: Database, data: Mapping[str, Any]) -> bool:
    """Keep a published rule from the feed (the same id@version again replaces it); False when it is unreadable."""
    text = data.get("text")
    if not isinstance(text, str):
        return False
    try:
        rule = parse_rule(text, f"{data.get('id')}@{data.get('version')}")
    except RuleError:
        return False
    db.execute(
        "INSERT OR REPLACE INTO scoring_rules (id, version, district, title, text, published_at, received_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [rule.id, rule.version, rule.district, rule.title, text, str(data.get("published_at") or now_iso()), now_iso()],
    )
    return True


def user_districts(db: Database) -> set[str]:
    """The 区 codes (6 digits) of the signed-in user's jurisdictions and of the area new records start in."""
    codes = {code[:6] for code in profile.user_jurisdictions(db) if len(code) >= 6}
    area = user_area(db)
    return codes | ({area[:6]} if len(area) >= 6 else set())


def active_rule(db: Database) -> ScoringRule:
    """The newest rule published for the user's district, else the shipped default."""
    districts = sorted(user_districts(db))
    if districts:
        marks = ", ".join("?" for _ in districts)
        rows = db.execute(
            f"SELECT id, version, text FROM scoring_rules WHERE district IN ({marks}) "
            "ORDER BY published_at DESC, received_at DESC",
            districts,
        ).fetchall()
        for rule_id, version, text in rows:
            try:
                return parse_rule(text, f"{rule_id}@{version}")
            except RuleError:
                continue
    return default_rule()


def published(db: Database) -> list[tuple[str, str, str, str]]:
    """Every rule kept here: (id, version, district, published_at), newest first."""
    rows = db.execute("SELECT id, version, district, published_at FROM scoring_rules ORDER BY published_at DESC")
    return [tuple(row) for row in rows]  # type: ignore[misc]
