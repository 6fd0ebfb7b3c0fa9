"""Photos in the runner: paste, drop, bad files, removal, the viewer with EXIF facts, cancelling an import."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication
from ui_helpers import activate, start_inspection

from inspector.store import inspections, subjects
from inspector.store.inspections import item_photos
from inspector.ui.shared.photo_viewer import PhotoViewer


def open_runner_on_failed_item(started, qtbot):  # type: ignore[no-untyped-def]
    subject = subjects.create(started.ctx.db, kind="back_street", name="东四六条", jurisdiction="110101001000000")
    inspection_id = start_inspection(started, qtbot, subject.id)
    runner = started.window.pages["inspections"].runner
    activate(qtbot, started.window)
    runner.tree.setFocus()
    qtbot.keyClick(runner.tree, Qt.Key.Key_2)
    return runner, inspection_id, runner.current_item_id()


def wait_for_import(strip, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: strip.worker is None, timeout=20_000)
    QApplication.processEvents()


def test_paste_drop_reject_and_remove(started, qtbot, photo_files, tmp_path) -> None:  # type: ignore[no-untyped-def]
    runner, inspection_id, item_id = open_runner_on_failed_item(started, qtbot)
    strip = runner.panel.photos
    assert runner.panel.photo_rule.objectName() == "error"  # the failed item still lacks its photo

    image = QImage(640, 480, QImage.Format.Format_RGB32)
    image.fill(QColor("#3366aa"))
    QGuiApplication.clipboard().setImage(image)
    strip.list.setFocus()
    qtbot.keySequence(strip.list, "Ctrl+V")
    wait_for_import(strip, qtbot)
    assert len(strip.photos) == 1
    assert runner.panel.photo_rule.objectName() == "hint"

    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in photo_files[:2]])
    enter = QDragEnterEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    strip.dragEnterEvent(enter)  # offscreen Qt has no drag session, so the handlers are called as Qt would
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    strip.dropEvent(drop)
    wait_for_import(strip, qtbot)
    assert len(strip.photos) == 3

    fake = tmp_path / "not-a-photo.jpg"
    fake.write_text("这不是图片", encoding="utf-8")
    strip.add_sources([Path(fake)])
    wait_for_import(strip, qtbot)
    assert len(strip.photos) == 3
    assert strip.message.isVisibleTo(strip) and "not-a-photo.jpg" in strip.message.text()

    stored = item_photos(started.ctx.db, inspection_id)[item_id]
    assert len(stored) == 3
    strip.list.setCurrentRow(0)
    strip.list.item(0).setSelected(True)
    qtbot.keyClick(strip.list, Qt.Key.Key_Delete)
    assert len(strip.photos) == 2
    assert len(item_photos(started.ctx.db, inspection_id)[item_id]) == 2
    assert "2" in runner.model.data(runner.model.index_of(item_id, 1))


def test_viewer_shows_exif_time_and_gps(started, qtbot, photo_files) -> None:  # type: ignore[no-untyped-def]
    runner, _inspection_id, _item = open_runner_on_failed_item(started, qtbot)
    strip = runner.panel.photos
    strip.add_sources(photo_files[:2])
    wait_for_import(strip, qtbot)
    with_gps = next(p for p in strip.photos if p.original_name == "IMG_0001.jpg")
    assert with_gps.taken_at is not None and abs(with_gps.gps_lat - 39.9289) < 0.001

    viewer = PhotoViewer(started.ctx, strip.photos, strip.photos.index(with_gps))
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitUntil(lambda: not viewer.item.pixmap().isNull(), timeout=10_000)
    assert "2026-05-12 09:30" in viewer.info.text() and "39.92" in viewer.info.text()
    zoom = viewer.view.zoom
    viewer.view.zoom_by(1.25)
    assert viewer.view.zoom > zoom
    viewer.next()
    assert "IMG_0001" not in viewer.info.text()


def test_cancel_stops_an_import_between_files(started, qtbot, photo_files) -> None:  # type: ignore[no-untyped-def]
    runner, inspection_id, item_id = open_runner_on_failed_item(started, qtbot)
    strip = runner.panel.photos
    release = threading.Event()
    threads: list[int] = []

    def slow_importer(folder, db, path):  # type: ignore[no-untyped-def]
        threads.append(threading.get_ident())
        release.wait(10)
        return inspections.add_photo(folder, db, inspection_id, str(path), item_id)

    strip.importer = slow_importer
    strip.add_sources(photo_files)
    qtbot.waitUntil(lambda: bool(threads), timeout=5000)
    assert strip.progress.isVisible() and strip.cancel_button.isVisible()
    qtbot.mouseClick(strip.cancel_button, Qt.MouseButton.LeftButton)
    release.set()
    wait_for_import(strip, qtbot)
    assert strip.last_worker.imported == 1
    assert len(item_photos(started.ctx.db, inspection_id)[item_id]) == 1
    assert threads == [strip.last_worker.thread_ident] and threads[0] != threading.main_thread().ident
    assert not strip.progress.isVisible()


def test_photo_warnings_and_the_damaged_mark_reach_the_strip(started, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    from inspector.store import settings

    settings.put(started.ctx.db, "photos.keep_damaged", True)
    runner, _inspection_id, _item_id = open_runner_on_failed_item(started, qtbot)
    strip = runner.panel.photos
    exif = Image.Exif()
    exif.get_ifd(0x8825)[2], exif.get_ifd(0x8825)[4] = (40.0, 25.0, 0.0), (3.0, 43.0, 12.0)
    noref = tmp_path / "noref.jpg"
    Image.new("RGB", (320, 240), (20, 120, 60)).save(noref, "JPEG", exif=exif.tobytes())
    whole = tmp_path / "whole.jpg"
    Image.effect_mandelbrot((640, 480), (-2, -1.5, 1, 1.5), 50).convert("RGB").save(whole, "JPEG")
    cut = tmp_path / "cut.jpg"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 2] + b"\xff\xd9")
    strip.add_sources([noref, cut])
    wait_for_import(strip, qtbot)
    assert len(strip.photos) == 2
    text = strip.message.text()
    assert strip.message.isVisible()
    assert "半球未知" in text and "noref.jpg" in text  # zh is the app's language here
    assert "已损坏" in text and "cut.jpg" in text
    marks = [strip.list.item(row).text() for row in range(strip.list.count())]
    assert marks == ["", "已损坏"]
    assert "已损坏" in strip.list.item(1).toolTip()


def test_the_settings_page_turns_keeping_damaged_photos_on_and_the_strip_follows(started, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from inspector.store import profile

    page = started.window.show_page("settings")
    assert profile.photo_settings(started.ctx.db).keep_original  # on by default: the original is the evidence
    assert not page.keep_damaged.isChecked()
    page.keep_damaged.setChecked(True)
    assert profile.photo_settings(started.ctx.db).keep_damaged
    page.keep_damaged.setChecked(False)
    assert not profile.photo_settings(started.ctx.db).keep_damaged
    runner, _inspection_id, _item_id = open_runner_on_failed_item(started, qtbot)
    strip = runner.panel.photos
    cut = tmp_path / "cut.jpg"
    from PIL import Image

    Image.effect_mandelbrot((640, 480), (-2, -1.5, 1, 1.5), 50).convert("RGB").save(cut, "JPEG")
    data = cut.read_bytes()
    cut.write_bytes(data[: len(data) // 2] + b"\xff\xd9")
    strip.add_sources([cut])
    wait_for_import(strip, qtbot)
    assert strip.photos == [] and "cut.jpg" in strip.message.text() and "不完整" in strip.message.text()
