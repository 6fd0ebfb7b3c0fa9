"""A finding as the web pages show it: its projection, its 街乡's name, its timeline with who acted, its photos."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector.core.jurisdiction import parse_code
from inspector.core.ledger import Role
from inspector.server.encoding import loads
from inspector.server.models import Finding, FindingEvent, Jurisdiction, PublicReport, UnitLink, User


@dataclass(frozen=True)
class Step:
    """One event of the timeline."""

    action: str
    at: str
    who: str
    note: str
    photos: tuple[str, ...]


@dataclass(frozen=True)
class CaseView:
    """What a page shows of a finding."""

    id: str
    data: dict[str, Any]
    street_name: str
    steps: tuple[Step, ...]
    signed: Step | None

    @property
    def photos(self) -> list[str]:
        return list(self.data.get("photos") or [])

    @property
    def after_photos(self) -> list[str]:
        return list(self.data.get("after_photos") or [])

    def all_photos(self) -> set[str]:
        found = set(self.photos) | set(self.after_photos)
        for step in self.steps:
            found |= set(step.photos)
        return found


_NOTE_FIELDS = ("note", "reason", "opinion", "description", "measures", "rectification")


def street_name(session: Session, code: str) -> str:
    street = parse_code(code).street.ljust(15, "0")
    row = session.get(Jurisdiction, street)
    return row.name if row is not None else street


def _who(session: Session, actor_ids: set[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for row in session.execute(select(User.id, User.display_name).where(User.id.in_(actor_ids))):
        names[row.id] = row.display_name
    for link_id in session.scalars(select(UnitLink.id).where(UnitLink.id.in_(actor_ids))):
        names[link_id] = "责任单位 (the responsible unit)"
    return names


def case_view(session: Session, finding: Finding) -> CaseView:
    data = loads(finding.data)
    rows = list(
        session.scalars(select(FindingEvent).where(FindingEvent.finding_id == finding.id).order_by(FindingEvent.idx))
    )
    names = _who(session, {row.actor_id for row in rows})
    steps = []
    signed = None
    for row in rows:
        payload = loads(row.payload)
        kind = payload.get("actor_kind")
        who = names.get(row.actor_id) or ("群众 (the public)" if kind == Role.PUBLIC.value else row.actor_id[:8])
        if row.action == "sign":
            who = f"{payload.get('signer_name', '')}（{who}）"
        note = next((str(payload[name]) for name in _NOTE_FIELDS if payload.get(name)), "")
        photos = tuple(payload.get("after_photos") or ()) if row.action != "report" else ()
        step = Step(row.action, row.at, who, note, photos)
        if row.action == "sign":
            signed = step
        steps.append(step)
    return CaseView(finding.id, data, street_name(session, finding.jurisdiction), tuple(steps), signed)


def receipt_of(session: Session, finding_id: str) -> str | None:
    return session.scalar(select(PublicReport.receipt).where(PublicReport.finding_id == finding_id))
