"""Store functions the interface needs that `inspector/store` does not offer yet (kept here until it does).

Everything here is small and goes through store functions where they exist; the few queries the store lacks are
marked as such so they can move into the store unchanged.
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from inspector.core.jurisdiction import JurisdictionCodeError, parse_code
from inspector.core.ledger import Actor, Role
from inspector.store import jsonutil, settings

if TYPE_CHECKING:  # the photo pipeline (Pillow, HEIF) is imported when photos are first used
    from inspector.store.photos import Photo, PhotoSettings

USER_ID = "user_id"
USER_JURISDICTIONS = "user_jurisdictions"
USER_ROLES = "sync.user_roles"  # written by the sync engine's login (inspector.sync.config.ROLES)
DEFAULT_JURISDICTION = "ui.default_jurisdiction"
LANGUAGE = "ui.language"
PHOTO_MAX_EDGE = "photos.max_edge"
PHOTO_KEEP_ORIGINAL = "photos.keep_original"
LAST_SYNC = "sync.last_success_at"
_FINDING_DRAFTS = "ui.finding_drafts."
PHOTO_EDGE_CHOICES = (1600, 2048, 2560, 3200, 4096)


# ----------------------------------------------------------------------------------------------------------------
# Who is working, and where
# ----------------------------------------------------------------------------------------------------------------


def user_id(db: Database) -> str:
    """The signed-in user's id once sync is set up; until then this installation's device id."""
    return settings.get(db, USER_ID) or settings.device_id(db)


def default_jurisdiction(db: Database) -> str:
    """The jurisdiction code new subjects get by default (empty when none is set)."""
    return settings.get(db, DEFAULT_JURISDICTION, "") or ""


def user_jurisdictions(db: Database) -> frozenset[str]:
    """The jurisdictions the user works in: from the account once sync is set up, else the default one."""
    stored = jsonutil.loads(settings.get(db, USER_JURISDICTIONS), None)
    if isinstance(stored, list) and stored:
        return frozenset(str(code) for code in stored)
    default = default_jurisdiction(db)
    return frozenset({default}) if default else frozenset()


def user_roles(db: Database) -> frozenset[Role]:
    """The signed-in account's roles (as the last login gave them); an inspector's before any login."""
    stored = jsonutil.loads(settings.get(db, USER_ROLES), [])
    known = {role.value for role in Role}
    roles = {Role(role) for role in stored if role in known} if isinstance(stored, list) else set()
    return frozenset(roles) or frozenset({Role.INSPECTOR})


def local_actor(db: Database, jurisdiction: str | None) -> Actor:
    """The actor for commands made on this laptop: the signed-in user with the roles and jurisdictions of the
    account. Without an account the user is an inspector and the record's own 街乡 is in scope: the server judges
    the real scope when the command is pushed."""
    scopes = set(user_jurisdictions(db))
    if jurisdiction and not settings.get(db, USER_JURISDICTIONS):
        with contextlib.suppress(JurisdictionCodeError):
            scopes.add(parse_code(jurisdiction).full)
    return Actor(user_id=user_id(db), roles=user_roles(db), jurisdictions=frozenset(scopes))


# ----------------------------------------------------------------------------------------------------------------
# Photo settings
# ----------------------------------------------------------------------------------------------------------------


def photo_settings(db: Database) -> PhotoSettings:
    """The photo pipeline settings chosen in the settings view."""
    from inspector.store.photos import DEFAULT_SETTINGS, PhotoSettings

    edge = settings.get(db, PHOTO_MAX_EDGE)
    keep = settings.get(db, PHOTO_KEEP_ORIGINAL)
    return PhotoSettings(
        max_edge=int(edge) if edge and edge.isdigit() else DEFAULT_SETTINGS.max_edge,
        keep_original=keep == "1",
    )


def save_photo_settings(db: Database, max_edge: int, keep_original: bool) -> None:
    settings.put(db, PHOTO_MAX_EDGE, str(int(max_edge)))
    settings.put(db, PHOTO_KEEP_ORIGINAL, "1" if keep_original else "0")


# ----------------------------------------------------------------------------------------------------------------
# Photos of a draft inspection's items (missing in store: photos_of() does not say which item a photo belongs to)
# ----------------------------------------------------------------------------------------------------------------


def item_photos(db: Database, inspection_id: str) -> dict[str, list[Photo]]:
    """The photos of an inspection grouped by item id ('' for photos of the whole inspection), oldest first."""
    from inspector.store.photos import get_photo

    rows = db.execute(
        "SELECT photo_sha256, item_id FROM photo_links WHERE owner_kind = 'inspection' AND owner_id = ? "
        "ORDER BY created_at, rowid",
        [inspection_id],
    ).fetchall()
    grouped: dict[str, list[Photo]] = {}
    for sha, item_id in rows:
        grouped.setdefault(item_id, []).append(get_photo(db, sha))
    return grouped


def remove_item_photo(db: Database, inspection_id: str, item_id: str, sha256: str) -> None:
    """Detach a photo from a draft's item (a finished inspection refuses, as every change to it does)."""
    from inspector.store import inspections
    from inspector.store.photos import PhotoLink, unlink_photo

    inspection = inspections.get(db, inspection_id)
    if not inspection.is_draft:
        from inspector.store.errors import InspectionFinishedError

        raise InspectionFinishedError(inspection_id)
    unlink_photo(db, sha256, PhotoLink("inspection", inspection_id, "evidence", item_id))


# ----------------------------------------------------------------------------------------------------------------
# Findings prepared in a draft inspection (missing in store: a draft's findings before they are reported)
# ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingDraft:
    """What the inspector set for the finding a failed item will report when the inspection is finished."""

    description: str
    category: str
    severity: str
    deadline_days: int | None = None
    create: bool = True  # for items whose finding is optional

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FindingDraft:
        days = data.get("deadline_days")
        return cls(
            description=str(data.get("description", "")),
            category=str(data.get("category", "")),
            severity=str(data.get("severity", "general")),
            deadline_days=int(days) if isinstance(days, int) else None,
            create=bool(data.get("create", True)),
        )


def finding_drafts(db: Database, inspection_id: str) -> dict[str, FindingDraft]:
    """The prepared findings of a draft inspection, by item id."""
    stored = jsonutil.loads(settings.get(db, _FINDING_DRAFTS + inspection_id), {})
    if not isinstance(stored, dict):
        return {}
    return {item: FindingDraft.from_json(data) for item, data in stored.items() if isinstance(data, dict)}


def save_finding_draft(db: Database, inspection_id: str, item_id: str, draft: FindingDraft | None) -> None:
    """Keep (or with None forget) the prepared finding of one item."""
    drafts = {item: asdict(d) for item, d in finding_drafts(db, inspection_id).items()}
    if draft is None:
        drafts.pop(item_id, None)
    else:
        drafts[item_id] = asdict(draft)
    settings.put(db, _FINDING_DRAFTS + inspection_id, jsonutil.dumps(drafts))


def forget_finding_drafts(db: Database, inspection_id: str) -> None:
    """Drop every prepared finding of an inspection (after it is finished or discarded)."""
    if settings.get(db, _FINDING_DRAFTS + inspection_id) is not None:
        settings.put(db, _FINDING_DRAFTS + inspection_id, "{}")
