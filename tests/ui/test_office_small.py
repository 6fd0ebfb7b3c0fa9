"""The smaller day-one points: checklist titles follow the language, the sync button keeps its place while a cycle
runs, a server that cannot be reached is given up after one retry of the first request, and a form's message goes
once the form is changed."""

from __future__ import annotations

import socket
import threading

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication
from ui_helpers import start_inspection

from inspector.store import subjects
from inspector.sync.client import VERSION_ATTEMPTS, HttpOptions, ProtocolClient
from inspector.sync.errors import TransportError
from inspector.ui.ledger.adhoc_dialog import AdhocFindingDialog
from inspector.ui.runner.new_inspection import NewInspectionDialog
from inspector.ui.subjects.dialog import SubjectDialog


def test_checklist_titles_follow_the_language(started, qtbot) -> None:  # type: ignore[no-untyped-def]
    ctx = started.ctx
    lane = subjects.create(ctx.db, kind="back_street", name="三里屯北小街", jurisdiction="110105004032000")
    ctx.set_language("en")
    QApplication.processEvents()
    try:
        dialog = NewInspectionDialog(ctx, started.window, subject_id=lane.id)
        qtbot.addWidget(dialog)
        shown = [dialog.checklist_list.item(row).text() for row in range(dialog.checklist_list.count())]
        assert shown and all(not any("\u4e00" <= char <= "\u9fff" for char in text.split("\n")[0]) for text in shown)
        start_inspection(started, qtbot, lane.id)
        runner = started.window.pages["inspections"].runner
        assert runner.session is not None and runner.session.checklist.title_en
        assert runner.title.text().startswith(runner.session.checklist.title_en)
    finally:
        ctx.set_language("zh_CN")
        QApplication.processEvents()
    assert runner.title.text().startswith(runner.session.checklist.title)


def test_the_sync_button_keeps_its_place_while_a_cycle_runs(started, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = started.window
    window.show()
    qtbot.waitExposed(window)
    status = window.status.sync_widget
    button = status.sync_button
    centre = button.mapTo(window, QPoint(button.width() // 2, button.height() // 2))
    status._on_running(True)  # what the controller says when a cycle starts
    QApplication.processEvents()
    try:
        assert status.cancel_button.isVisible()
        assert window.childAt(centre) is button  # still under the pointer: a click meant to sync does not cancel
    finally:
        status._on_running(False)


def test_an_unreachable_server_is_given_up_after_one_retry() -> None:
    """A listener that drops every connection at once: the first request of a cycle tries it twice, not eight
    times over a long backoff."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    accepted: list[int] = []
    stop = threading.Event()

    def drop() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _address = listener.accept()
            except OSError:
                continue
            accepted.append(1)
            connection.close()

    thread = threading.Thread(target=drop, daemon=True)
    thread.start()
    try:
        client = ProtocolClient(f"http://127.0.0.1:{port}", HttpOptions(backoff_base=0.05))
        try:
            client.version()
        except TransportError as error:
            assert "连接" in error.zh and "Error" not in error.zh
        else:
            raise AssertionError("a server that drops every connection answered")
        finally:
            client.close()
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
    assert len(accepted) == VERSION_ATTEMPTS == 2


def test_a_forms_message_goes_once_the_form_is_changed(started, qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = AdhocFindingDialog(started.ctx, started.window)
    qtbot.addWidget(dialog)
    dialog.save()
    assert dialog.error.isVisibleTo(dialog)
    dialog.address.setText("工体北路 8 号")
    assert not dialog.error.isVisibleTo(dialog)

    subject = SubjectDialog(started.ctx, started.window)
    qtbot.addWidget(subject)
    subject.save()  # no name
    assert subject.error.isVisibleTo(subject)
    subject.name.setText("三里屯南小街")
    assert not subject.error.isVisibleTo(subject)


def test_columns_fit_a_1366_by_768_window_in_both_languages(started, qtbot) -> None:  # type: ignore[no-untyped-def]
    from ledger_helpers import name_places, report_finding

    from inspector.ui.ledger.model import LedgerTableModel

    window, ctx = started.window, started.ctx
    name_places(ctx.db)
    report_finding(ctx.db)
    window.resize(1366, 740)
    window.show()
    qtbot.waitExposed(window)
    for language in ("zh_CN", "en"):
        ctx.set_language(language)
        QApplication.processEvents()
        ledger = window.show_page("findings")
        QApplication.processEvents()
        description = ledger.table.columnWidth(LedgerTableModel.COLUMNS.index("description"))
        assert description >= 220, (language, description)
        for page in (ledger, window.show_page("subjects")):
            QApplication.processEvents()
            table, header = page.table, page.table.horizontalHeader()
            for column in range(table.model().columnCount()):
                title = str(table.model().headerData(column, Qt.Orientation.Horizontal) or "")
                if table.isColumnHidden(column) or column == table.model().columnCount() - 1:
                    continue
                assert table.columnWidth(column) >= header.fontMetrics().horizontalAdvance(title), (language, title)
    ctx.set_language("zh_CN")
    QApplication.processEvents()


def test_the_default_jurisdiction_is_picked_and_a_bad_one_refused_in_chinese(started, qtbot) -> None:  # type: ignore[no-untyped-def]
    from inspector.store import profile

    page = started.window.show_page("settings")
    page.jurisdiction.setText("abc")
    page._save_jurisdiction()
    message = page.jurisdiction_message.text()
    assert "格式不对" in message and "digits" not in message and profile.default_jurisdiction(started.ctx.db) == ""
    page.jurisdiction.set_code("110105000000000")  # a district-wide default is allowed
    page._save_jurisdiction()
    assert profile.default_jurisdiction(started.ctx.db) == "110105000000000"
    assert "朝阳区" in page.jurisdiction.text()
