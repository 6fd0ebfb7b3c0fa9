"""Switching the interface language at run time keeps the open work, and the choice is remembered."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from ui_helpers import close_app, open_app, start_inspection

from inspector.store import inspections, profile, settings, subjects


def test_language_switch_keeps_the_open_inspection(started, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, ctx = started.window, started.ctx
    subject = subjects.create(ctx.db, kind="back_street", name="东四六条", jurisdiction="110101001000000")
    inspection_id = start_inspection(started, qtbot, subject.id)
    runner = window.pages["inspections"].runner
    item_id = runner.model.item_ids()[1]
    runner.select_item(item_id)
    runner.panel.note_edit.insertPlainText("墙面有小广告")  # still waiting for the typing pause when we switch
    assert window.nav.item(0).text() == "工作台"
    assert runner.finish_button.text() == "完成检查"

    page = window.show_page("settings")
    page.language.setCurrentIndex(page.language.findData("en"))
    QApplication.processEvents()  # Qt delivers LanguageChange to the widgets through the event loop

    assert window.nav.item(0).text() == "Today"
    assert window.nav.item(2).text() == "Subjects"
    assert window.status.sync_label.text() == "Sync not configured"
    assert page.title.text() == "Settings"
    assert runner.finish_button.text() == "Finish"
    assert runner.panel.result_buttons["pass"].text().startswith("Pass")
    assert runner.panel.badge.text() in ("News report", "Reference item")
    assert runner.session.id == inspection_id and runner.current_item_id() == item_id
    assert runner.panel.note_edit.toPlainText() == "墙面有小广告"
    assert inspections.responses(ctx.db, inspection_id)[item_id].note == "墙面有小广告"
    assert runner.session.checklist.item(item_id).text in runner.panel.text_label.text()  # data stays Chinese
    assert settings.get(ctx.db, profile.LANGUAGE) == "en"

    window.show_page("inspections")
    assert runner.isVisible()

    page.language.setCurrentIndex(page.language.findData("zh_CN"))
    QApplication.processEvents()
    assert window.nav.item(0).text() == "工作台"
    assert runner.finish_button.text() == "完成检查"


def test_the_chosen_language_is_used_at_the_next_start(app, qtbot, data_dir) -> None:  # type: ignore[no-untyped-def]
    first = open_app(data_dir)
    first.ctx.set_language("en")
    close_app(first)  # also puts the running translators back to Chinese
    second = open_app(data_dir)
    try:
        assert second.ctx.language == "en"
        assert second.window.nav.item(0).text() == "Today"
        assert second.window.windowTitle().startswith("Inspector")
    finally:
        close_app(second)
