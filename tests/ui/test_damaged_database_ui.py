"""The app on a damaged database: a message naming the recovery commands, and no empty lists as if all were well."""

from __future__ import annotations

import random

from sqlite_pages import table_pages

from inspector.store.database import open_data_folder
from inspector.store.seed import seed_demo_data
from inspector.ui.app import AppController
from inspector.ui.shared.logs import CrashReporter, setup_logging


def test_a_damaged_database_is_named_with_what_to_do_and_nothing_is_shown(app, qtbot, data_dir) -> None:  # type: ignore[no-untyped-def]
    seed_demo_data(open_data_folder(data_dir), inspections=4, photos=1, random_seed=3)
    pages = list(table_pages(data_dir / "inspector.db", "findings"))
    data = bytearray((data_dir / "inspector.db").read_bytes())
    for page in pages:
        data[(page - 1) * 4096 : page * 4096] = random.Random(page).randbytes(4096)
    (data_dir / "inspector.db").write_bytes(bytes(data))

    controller = AppController(app, data_dir, CrashReporter(setup_logging(data_dir / "logs")), load_checklists=False)
    messages: list[str] = []
    controller.failed.connect(messages.append)
    controller.open_window_soon()
    qtbot.waitUntil(lambda: bool(messages), timeout=20_000)
    assert "已损坏" in messages[0] and "inspector recover" in messages[0] and "inspector restore" in messages[0]
    assert controller.ctx is None and not controller.window.nav.isEnabled()  # no pages, no sync controller
    controller.window.close()
