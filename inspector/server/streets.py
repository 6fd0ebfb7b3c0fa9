"""Who walks a back street: the district assigns a 街巷长 and a 小巷管家 (server users) to it in the street's details,
so the laptops learn it from the feed like any change of the subject."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector.core.clock import now_iso
from inspector.core.protocol import FeedKind
from inspector.core.unit_cycle import ASSIGNMENT_KEYS, PatrolRole
from inspector.server import feed
from inspector.server.encoding import dumps, loads
from inspector.server.models import Subject, User
from inspector.server.subjects import subject_document


class AssignmentError(ValueError):
    """The street or a user named does not exist, or the subject is not a back street."""


def assign(session: Session, street_id: str, usernames: dict[PatrolRole, str | None]) -> dict[str, object]:
    """Set (a username) or clear (None) each given role of a back street; the subject's next version is fed."""
    street = session.get(Subject, street_id, with_for_update=True)
    if street is None or street.kind != "back_street":
        raise AssignmentError(f"no back street {street_id}")
    details = dict(loads(street.details) or {})
    for role, username in usernames.items():
        key = ASSIGNMENT_KEYS[role]
        if username is None:
            details.pop(key, None)
            continue
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise AssignmentError(f"no user {username}")
        details[key] = user.id
    street.details = dumps(details)
    street.version += 1
    street.updated_at = now_iso()
    session.flush()
    document = subject_document(street)
    feed.stage(session, FeedKind.SUBJECT, street.id, street.jurisdiction, document)
    return document
