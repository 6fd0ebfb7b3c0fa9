"""The scoring rules a district publishes (`inspector-server rules publish FILE`): validated like the laptop reads
them, kept in the server database and sent to every laptop in the feed (`scoring_rule`; protocol §4.3)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector.core.clock import now_iso
from inspector.core.protocol import FeedKind
from inspector.core.rules import ScoringRule, parse_rule
from inspector.server import feed
from inspector.server.models import ScoringRule as ScoringRuleRow


class RulePublishError(ValueError):
    """A rule that cannot be published (its problems, each `file:line: message`, or why it is refused)."""


def publish(session: Session, text: str, filename: str, by: str) -> tuple[ScoringRule, bool]:
    """Validate and keep a district's rule, and publish it in the feed; (the rule, whether it was new).

    A rule names its district; an id@version already published with other text is refused (publish a new version).
    """
    rule = parse_rule(text, filename)  # RuleError lists the file:line problems
    if not rule.district:
        raise RulePublishError(f'{filename}:1: a published rule names its "district" (a 6-digit 区 code)')
    found = session.get(ScoringRuleRow, (rule.id, rule.version))
    if found is not None:
        if found.text == text:
            return rule, False
        raise RulePublishError(
            f"{filename}:1: rule {rule.key} is already published with other content; give it a new version"
        )
    at = now_iso()
    session.add(
        ScoringRuleRow(
            id=rule.id, version=rule.version, district=rule.district, title=rule.title, text=text,
            published_by=by, published_at=at,
        )
    )  # fmt: skip
    feed.stage(session, FeedKind.SCORING_RULE, rule.key, None, entry(rule, text, at, by))
    return rule, True


def entry(rule: ScoringRule, text: str, published_at: str, by: str) -> dict[str, Any]:
    """The feed entry's data: the rule's identity and district and the file's text, as published."""
    return {
        "id": rule.id,
        "version": rule.version,
        "district": rule.district,
        "title": rule.title,
        "text": text,
        "published_at": published_at,
        "published_by": by,
    }


def list_rules(session: Session) -> list[ScoringRuleRow]:
    """Every published rule, newest first."""
    query = select(ScoringRuleRow).order_by(ScoringRuleRow.published_at.desc(), ScoringRuleRow.id)
    return list(session.scalars(query))
