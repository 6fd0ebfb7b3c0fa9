"""Records first, photos after, in the app against the real server on 127.0.0.1: a supervisor's ledger shows pulled
findings whose photos are not here yet with the badge 照片下载中, and opening one fetches its photos at once."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication
from sync_gui_helpers import (
    FAST_SYNC,
    PASSWORD,
    Client,
    ServerProcess,
    memory_keyring_fixture,  # noqa: F401  (autouse)
    own_server_fixture,  # noqa: F401  (the `server` fixture)
    )

from inspector.store import photos, photos_wanted, settings
from inspector.sync.engine import SyncEngine, login
from inspector.ui.shared.context import FINDINGS
from inspector.ui.sync.badges import PHOTOS_COMING, SYNC_STATE_ROLE, SYNCED


def test_a_finding_opened_before_its_photos_arrived_says_so_and_gets_them_at_once(  # type: ignore[no-untyped-def]
    started, qtbot, server: ServerProcess, tmp_path: Path
) -> None:
    inspector = Client.create(tmp_path / "inspector-laptop")
    inspector.login(server.url, "ins")
    subject_id = inspector.subject("三里屯南路")
    _inspection, opened = inspector.inspection_with_finding(1, subject_id)
    _other, waiting = inspector.inspection_with_finding(2, subject_id)
    assert inspector.sync().all_acknowledged

    window, ctx = started.window, started.ctx
    for key, value in {**FAST_SYNC, "sync.download_photos": "0"}.items():  # records only, as after a cut
        settings.put_text(ctx.db, key, value)
    login(ctx.folder, server.url, "sup", PASSWORD)
    summary = SyncEngine(ctx.folder).run_cycle()
    assert summary.pulled > 0 and summary.photos_downloaded == 0
    ctx.notify(FINDINGS)
    page = window.show_page("findings")
    QApplication.processEvents()

    def badge(finding_id: str) -> str:
        index = page.model.index(page.model.row_of(finding_id), page.model.COLUMNS.index("sync"))
        return str(page.model.data(index, SYNC_STATE_ROLE))

    assert badge(opened) == badge(waiting) == PHOTOS_COMING
    page.select_finding(opened)
    assert "照片尚未下载" in page.detail.banner.text()
    qtbot.waitUntil(lambda: photos.photos_of(ctx.db, "finding", opened) != [], timeout=20_000)
    qtbot.waitUntil(lambda: badge(opened) == SYNCED, timeout=10_000)  # the views read again once it is here
    assert photos_wanted.photos_of(ctx.db, "finding", waiting) != []  # only the opened one was fetched
    assert badge(waiting) == PHOTOS_COMING
