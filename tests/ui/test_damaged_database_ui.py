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


def swap_index_roots(db_path, table: str) -> None:  # type: ignore[no-untyped-def]
    """Damage the quick check cannot see: two indexes of a table trade their b-trees (each stays a sound b-tree)."""
    import sqlite3

    connection = sqlite3.connect(db_path)
    rows = connection.execute(
        "SELECT name, rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL "
        "ORDER BY name LIMIT 2",
        [table],
    ).fetchall()
    (first, first_root), (second, second_root) = rows
    connection.execute("PRAGMA writable_schema = ON")
    connection.execute("UPDATE sqlite_master SET rootpage = ? WHERE name = ?", [second_root, first])
    connection.execute("UPDATE sqlite_master SET rootpage = ? WHERE name = ?", [first_root, second])
    connection.commit()
    connection.close()


def test_damage_past_the_quick_check_is_found_in_the_background_and_sync_stops(app, qtbot, data_dir) -> None:  # type: ignore[no-untyped-def]
    from inspector.store.database import integrity_problems

    seed_demo_data(open_data_folder(data_dir), inspections=4, photos=1, random_seed=3)
    swap_index_roots(data_dir / "inspector.db", "findings")
    probe = open_data_folder(data_dir)  # the start-up quick check lets it through…
    db = probe.connect()
    assert integrity_problems(db, quick=True) == [] and integrity_problems(db)  # …the full check does not
    db.close()

    controller = AppController(app, data_dir, CrashReporter(setup_logging(data_dir / "logs")), load_checklists=False)
    failures: list[str] = []
    controller.failed.connect(failures.append)
    controller.open_window_soon()
    qtbot.waitUntil(lambda: controller.damage_box is not None, timeout=30_000)
    assert failures == []  # the window opened: the damage was found after start, by the background check
    text = controller.damage_box.text()
    assert "已损坏" in text and "inspector recover" in text and "inspector restore" in text
    assert controller.window.sync is not None and controller.window.sync.stopped
    assert controller.window.sync.sync_now("manual") is None  # no sync into a damaged file
    controller.close_window()


def test_a_sound_database_passes_the_background_check_quietly(app, qtbot, data_dir) -> None:  # type: ignore[no-untyped-def]
    seed_demo_data(open_data_folder(data_dir), inspections=2, photos=1, random_seed=4)
    controller = AppController(app, data_dir, CrashReporter(setup_logging(data_dir / "logs")), load_checklists=False)
    controller.open_window_soon()
    qtbot.waitUntil(lambda: controller.integrity_worker is not None, timeout=20_000)
    finished: list[object] = []
    controller.integrity_worker.signals.finished.connect(finished.append)
    qtbot.waitUntil(lambda: bool(finished) or (controller.pool.running == 0 and controller.ctx.pool.running == 0),
                    timeout=30_000)
    assert controller.damage_box is None
    assert controller.window.sync is not None and not controller.window.sync.stopped
    controller.close_window()
