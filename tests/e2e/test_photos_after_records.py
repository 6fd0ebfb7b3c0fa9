"""Records first, photos after, against the real server on 127.0.0.1: a supervisor's first sync keeps the records
before any photo arrives (they are usable then), fetches the photos afterwards in the order people need them and
checked by hash, resumes after a cut with only what is missing, and fetches a photo someone opens at once."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable

import pytest
from e2e_support import Client, ServerProcess

from inspector.store import findings, photos, photos_wanted
from inspector.sync import photo_fetch
from inspector.sync.engine import SyncEngine, fetch_photos_now
from inspector.sync.progress import SyncProgress


def seeded(server: ServerProcess, make_client: Callable[..., Client], reports: int) -> tuple[Client, list[str]]:
    inspector = make_client("ins")
    inspector.login(server.url, "ins")
    subject = inspector.subject("东三里屯路")
    reported = [inspector.inspection_with_finding(seed, subject)[1] for seed in range(reports)]
    assert inspector.sync().outcome == "ok"
    return inspector, reported


def cut_at_download(after_photos: int) -> tuple[threading.Event, Callable[[SyncProgress], None], list[str]]:
    """A cancel event set once `after_photos` photos were downloaded, and the phases seen."""
    cancel = threading.Event()
    phases: list[str] = []

    def progress(update: SyncProgress) -> None:
        phases.append(update.phase)
        if update.phase == "download" and update.done >= after_photos:
            cancel.set()

    return cancel, progress, phases


def test_records_are_kept_before_their_photos_and_the_photos_follow_after_a_cut(
    server: ServerProcess, make_client: Callable[..., Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, reported = seeded(server, make_client, 4)
    supervisor = make_client("sup")
    supervisor.login(server.url, "sup")

    cancel, progress, phases = cut_at_download(0)  # cut before the first photo
    cut = SyncEngine(supervisor.folder).run_cycle(progress, cancel)
    assert cut.outcome == "cancelled" and "pull" in phases and phases.index("pull") < phases.index("download")
    with supervisor.db() as db:
        for finding_id in reported:  # usable: on the ledger, with what the server said
            assert findings.get(db, finding_id).view.description.startswith("发现问题")
            assert photos.photos_of(db, "finding", finding_id) == []
            assert len(photos_wanted.photos_of(db, "finding", finding_id)) == 1
        assert photos_wanted.count(db) == 4
        assert photos_wanted.waiting(db, "finding", reported) == {finding_id: 1 for finding_id in reported}
        first = photos_wanted.in_order(db)[0]
        newest = max(findings.get(db, finding_id).updated_at for finding_id in reported)
        top = [finding_id for finding_id in reported if findings.get(db, finding_id).updated_at == newest]
        assert any(
            photos_wanted.photos_of(db, "finding", finding_id) == [first] for finding_id in top
        )  # the ledger's top rows first

    monkeypatch.setattr(photo_fetch, "WORKERS", 1)  # one at a time, so a cut after the second leaves some
    cancel, progress, _ = cut_at_download(2)  # a cut in the middle of the photos
    SyncEngine(supervisor.folder).run_cycle(progress, cancel)
    with supervisor.db() as db:
        left = photos_wanted.count(db)
    assert 0 < left < 4

    done = supervisor.sync()
    assert done.outcome == "ok" and done.photos_downloaded == left and done.photos_to_download == 0
    with supervisor.db() as db:
        assert photos_wanted.count(db) == 0
        for finding_id in reported:
            (photo,) = photos.photos_of(db, "finding", finding_id)
            data = supervisor.folder.photo_path(photo.sha256).read_bytes()
            assert hashlib.sha256(data).hexdigest() == photo.sha256
            assert supervisor.folder.thumb_path(photo.sha256).exists()
        inspection_links = db.execute("SELECT count(*) FROM photo_links WHERE owner_kind = 'inspection'").fetchone()
        assert inspection_links[0] == 4


def test_a_photo_opened_before_it_arrived_is_fetched_at_once(
    server: ServerProcess, make_client: Callable[..., Client]
) -> None:
    _, reported = seeded(server, make_client, 2)
    supervisor = make_client("sup", {"sync.download_photos": "0"})  # records only: the photos stay on the server
    supervisor.login(server.url, "sup")
    summary = supervisor.sync()
    assert summary.pulled > 0 and summary.photos_downloaded == 0
    with supervisor.db() as db:
        (wanted,) = photos_wanted.photos_of(db, "finding", reported[0])
        other = photos_wanted.photos_of(db, "finding", reported[1])
    assert fetch_photos_now(supervisor.folder, [wanted]) == 1
    with supervisor.db() as db:
        assert [photo.sha256 for photo in photos.photos_of(db, "finding", reported[0])] == [wanted]
        assert photos_wanted.photos_of(db, "finding", reported[0]) == []
        assert photos_wanted.photos_of(db, "finding", reported[1]) == other  # only what was opened
    assert hashlib.sha256(supervisor.folder.photo_path(wanted).read_bytes()).hexdigest() == wanted
    assert fetch_photos_now(supervisor.folder, [wanted]) == 1  # already here: nothing asked again
