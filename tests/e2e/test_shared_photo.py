"""Two laptops of two areas holding the same photo bytes (a photo forwarded between colleagues) both sync it."""

from __future__ import annotations

from collections.abc import Callable

from e2e_support import PASSWORD, SLT_COMMUNITY, Client, ServerProcess, jpeg_file

from inspector.server.auth import create_user
from inspector.server.db import Database
from inspector.server.settings import load_settings
from inspector.store import findings, photos

JW = "110105001000000"  # 建外街道: no user of 三里屯 may read its records


def _add_user(server: ServerProcess, username: str, jurisdiction: str) -> None:
    settings = load_settings(environ=server.env)
    db = Database(settings.effective_database_url)
    try:
        with db.write() as session:
            create_user(session, settings, username, PASSWORD, ["inspector"], [jurisdiction], f"{username}-name")
    finally:
        db.dispose()


def _report_with_photo(client: Client, source: str, jurisdiction: str) -> str:
    """Import the photo file and report a finding with it; returns the photo's hash."""
    with client.db() as db:
        sha = photos.import_photo(client.folder, db, source).photo.sha256
        payload = {
            "description": "转发的照片",
            "category": "私搭乱建",
            "kind": "hazard",
            "source": "patrol",
            "severity": "general",
            "jurisdiction": jurisdiction,
            "location": {"address": "三里屯路19号"},
            "photos": [sha],
        }
        findings.record_command(db, action="report", actor=client.actor(), payload=payload)
    return sha


def test_the_same_photo_bytes_in_two_areas_sync_from_both(
    server: ServerProcess, make_client: Callable[..., Client]
) -> None:
    _add_user(server, "jw-ins", JW)
    first, second = make_client("slt"), make_client("jw")
    first.login(server.url, "ins")
    second.login(server.url, "jw-ins")
    source = jpeg_file(first.camera / "forwarded.jpg", 7)

    photo = _report_with_photo(first, str(source), SLT_COMMUNITY)
    sent = first.sync()
    assert sent.outcome == "ok" and sent.all_acknowledged, sent
    assert sent.photos_uploaded == 1 and first.outbox_count() == 0

    assert _report_with_photo(second, str(source), JW) == photo  # byte-identical on the second laptop
    synced = second.sync()
    assert synced.outcome == "ok" and synced.all_acknowledged, synced
    assert synced.photos_uploaded == 1  # the server had the photo, but not for this user: it was sent and verified
    assert second.outbox_count() == 0
    again = second.sync()
    assert again.all_acknowledged and (again.photos_uploaded, again.pushed) == (0, 0)
    with server.database() as connection:
        holders = connection.execute("SELECT count(*) FROM blob_holders WHERE sha256 = ?", (photo,)).fetchone()[0]
    assert holders == 2
