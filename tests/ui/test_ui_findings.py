"""Findings: the ad-hoc report (随手拍), the list's filters, and the detail pane's photos and timeline."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from ui_helpers import close_app, open_app

from inspector.store import findings, photos, subjects
from inspector.store.seed import seed_demo_data
from inspector.ui.ledger.adhoc_dialog import AdhocFindingDialog
from inspector.ui.today_view import TodayView


def test_adhoc_finding_with_photo_appears_in_findings_and_today(started, qtbot, photo_files) -> None:  # type: ignore[no-untyped-def]
    window, ctx = started.window, started.ctx
    subject = subjects.create(ctx.db, kind="street_front_unit", name="老北京炸酱面", jurisdiction="110101001000000",
                              address="东四北大街 1 号")
    dialog = AdhocFindingDialog(ctx, window)
    qtbot.addWidget(dialog)
    dialog.description.insertPlainText("门前堆放纸箱，占用人行道")
    dialog.category.setCurrentText("乱堆乱放")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # neither subject nor place yet: refused
    assert dialog.finding_id is None and dialog.error.isVisibleTo(dialog)
    assert "subject" in dialog.error.text() or "检查对象" in dialog.error.text()

    dialog.subject.setCurrentIndex(dialog.subject.findData(subject.id))
    assert dialog.jurisdiction.text() == "110101001000000" and dialog.address.text() == "东四北大街 1 号"
    dialog.photos.add_sources(photo_files[:1])
    qtbot.waitUntil(lambda: dialog.photos.worker is None, timeout=20_000)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error.text()

    stored = findings.get(ctx.db, dialog.finding_id)
    assert stored.view.category == "乱堆乱放" and stored.view.subject_id == subject.id
    assert stored.inspection_id is None
    assert [p.original_name for p in photos.photos_of(ctx.db, "finding", stored.id)] == ["IMG_0001.jpg"]

    page = window.show_page("findings")
    page.select_finding(stored.id)
    assert page.detail.heading.text().endswith("乱堆乱放")
    assert page.detail.timeline.count() == 1 and "上报" in page.detail.timeline.item(0).text()
    assert len(page.detail.photos.photos) == 1

    today: TodayView = window.show_page("today")
    qtbot.waitUntil(lambda: today.findings.count() == 1, timeout=10_000)
    assert "门前堆放纸箱" in today.findings.item(0).text()


def test_filters_and_timeline_on_demo_data(app, qtbot, data_dir) -> None:  # type: ignore[no-untyped-def]
    from inspector.store.database import open_data_folder

    seed_demo_data(open_data_folder(data_dir), inspections=6, photos=3)
    controller = open_app(data_dir)
    try:
        page = controller.window.show_page("findings")
        everything = page.model.rowCount()
        assert everything >= 10

        page.state_filter.setCurrentIndex(page.state_filter.findData("assigned"))
        assigned = [page.model.rows[r] for r in range(page.model.rowCount())]
        assert assigned and all(f.view.state.value == "assigned" for f in assigned)
        page.overdue_only.setChecked(True)
        assert all(page.model.rows[r].is_overdue() for r in range(page.model.rowCount()))
        page.overdue_only.setChecked(False)
        page.state_filter.setCurrentIndex(0)

        page.severity_filter.setCurrentIndex(page.severity_filter.findData("major"))
        assert all(page.model.rows[r].view.severity.value == "major" for r in range(page.model.rowCount()))
        page.severity_filter.setCurrentIndex(0)
        assert page.model.rowCount() == everything

        closed = next(f for f in page.model.rows if f.view.state.value == "closed")
        page.search.setText(closed.view.ledger_number or closed.view.category)
        page._filter_later.flush()
        assert any(page.model.rows[r].id == closed.id for r in range(page.model.rowCount()))
        page.select_finding(closed.id)
        QApplication.processEvents()
        assert page.detail.timeline.count() == closed.view.event_count
        assert ("已销账" if closed.view.kind.value == "hazard" else "已结案") in page.detail.values["state"].text()
    finally:
        close_app(controller)
