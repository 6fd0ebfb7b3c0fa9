"""Who works on this installation and how: the signed-in user, their roles and jurisdictions, and the photo
preferences, read from the settings table (inspector.core.settings declares every key)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlite_utils import Database

from inspector.core.jurisdiction import JurisdictionCodeError, parse_code
from inspector.core.ledger import Actor, Role
from inspector.store import settings

if TYPE_CHECKING:  # the photo pipeline (Pillow, HEIF) is imported when photos are first used
    from inspector.store.photos import PhotoSettings

# Written by the sync engine's login, read here.
USER_ID = "user.id"
USERNAME = "user.username"
DISPLAY_NAME = "user.display_name"
USER_JURISDICTIONS = "user.jurisdictions"
USER_ROLES = "user.roles"
# Chosen in the settings view.
DEFAULT_JURISDICTION = "ui.default_jurisdiction"
LANGUAGE = "ui.language"
PHOTO_MAX_EDGE = "photos.max_edge"
PHOTO_KEEP_ORIGINAL = "photos.keep_original"
PHOTO_KEEP_DAMAGED = "photos.keep_damaged"


def user_id(db: Database) -> str:
    """The signed-in user's id once sync is set up; until then this installation's device id."""
    return str(settings.get(db, USER_ID) or settings.device_id(db))


def default_jurisdiction(db: Database) -> str:
    """The jurisdiction code new subjects get by default (empty when none is set)."""
    return str(settings.get(db, DEFAULT_JURISDICTION))


def user_jurisdictions(db: Database) -> frozenset[str]:
    """The jurisdictions the user works in: from the account once sync is set up, else the default one."""
    stored: list[str] = settings.get(db, USER_JURISDICTIONS)
    if stored:
        return frozenset(stored)
    default = default_jurisdiction(db)
    return frozenset({default}) if default else frozenset()


def user_roles(db: Database) -> frozenset[Role]:
    """The signed-in account's roles (as the last login gave them); an inspector's before any login. The one
    reader of the roles: roles this version does not know are left out."""
    known = {role.value for role in Role}
    roles = {Role(role) for role in settings.get(db, USER_ROLES) if role in known}
    return frozenset(roles) or frozenset({Role.INSPECTOR})


def local_actor(db: Database, jurisdiction: str | None) -> Actor:
    """The actor for commands made on this laptop: the signed-in user with the roles and jurisdictions of the
    account. Without an account the user is an inspector and the record's own 街乡 is in scope: the server judges
    the real scope when the command is pushed."""
    return local_actors(db)(jurisdiction)


def local_actors(db: Database) -> Callable[[str | None], Actor]:
    """local_actor for many records (a to-do list judges a thousand): the account's settings read once."""
    account = frozenset(user_jurisdictions(db))
    signed_in = bool(settings.get(db, USER_JURISDICTIONS))
    me, roles = user_id(db), user_roles(db)

    def actor(jurisdiction: str | None) -> Actor:
        scopes = set(account)
        if jurisdiction and not signed_in:  # no account yet
            with contextlib.suppress(JurisdictionCodeError):
                scopes.add(parse_code(jurisdiction).full)
        return Actor(user_id=me, roles=roles, jurisdictions=frozenset(scopes))

    return actor


def photo_settings(db: Database) -> PhotoSettings:
    """The photo pipeline settings chosen in the settings view."""
    from inspector.store.photos import PhotoSettings

    return PhotoSettings(
        max_edge=settings.get(db, PHOTO_MAX_EDGE),
        keep_original=settings.get(db, PHOTO_KEEP_ORIGINAL),
        keep_damaged=settings.get(db, PHOTO_KEEP_DAMAGED),
    )


def save_photo_settings(db: Database, max_edge: int, keep_original: bool, keep_damaged: bool | None = None) -> None:
    """Keep the photo settings chosen in the settings view (keep_damaged left as it is when None)."""
    values: dict[str, object] = {PHOTO_MAX_EDGE: int(max_edge), PHOTO_KEEP_ORIGINAL: bool(keep_original)}
    if keep_damaged is not None:
        values[PHOTO_KEEP_DAMAGED] = bool(keep_damaged)
    settings.put_many(db, values)
