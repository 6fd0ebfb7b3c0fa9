"""Small building blocks shared by the views: titles, page headers, cards, a typing debouncer, message helpers, and
`on_error`, the one place an error is shown to the user."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector.core.errors import UserError, message_in
from inspector.ui.shared.i18n import current_language

log = logging.getLogger(__name__)


def title_label(text: str = "", name: str = "pageTitle") -> QLabel:
    """A heading label styled by the style sheet (pageTitle or sectionTitle)."""
    label = QLabel(text)
    label.setObjectName(name)
    return label


def hint_label(text: str = "", name: str = "hint") -> QLabel:
    """A grey explanatory line (or `error` / `warning` styled) that wraps."""
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


def page_header(
    title: QLabel, subtitle: QWidget | None = None, *actions: QWidget, controls: Sequence[QWidget] = ()
) -> QHBoxLayout:
    """The row at the top of a page: its title, controls beside it, then a subtitle (a count, the date, a status)
    taking the free width, and the page's actions at the right end."""
    row = QHBoxLayout()
    row.addWidget(title)
    row.addSpacing(12)
    for control in controls:
        row.addWidget(control)
    if subtitle is not None:
        row.addWidget(subtitle, 1)
    else:
        row.addStretch(1)
    for action in actions:
        row.addWidget(action)
    return row


def card(parent: QWidget | None = None) -> tuple[QFrame, QVBoxLayout]:
    """A white rounded panel and its layout."""
    frame = QFrame(parent)
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(14, 12, 14, 12)
    return frame, layout


class Page(QWidget):
    """A page of the main window. The window tells it when it becomes the current page and when to save edits that
    wait for a pause in typing; it asks the window for anything beyond itself through its own signals."""

    def activate(self) -> None:
        """The page became the current one: show what may have changed since (nothing to do by default)."""

    def flush(self) -> None:
        """Save edits that wait for a pause in typing (before closing, after a crash; nothing by default)."""


class Debouncer(QObject):
    """Calls a function once typing pauses for `msecs`; flush() calls it at once if a call is pending."""

    def __init__(self, msecs: int, function: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.function = function
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(msecs)
        self.timer.timeout.connect(function)

    def poke(self) -> None:
        self.timer.start()

    def flush(self) -> None:
        if self.timer.isActive():
            self.timer.stop()
            self.function()

    def cancel(self) -> None:
        self.timer.stop()


def warn(parent: QWidget, title: str, text: str) -> None:
    """A warning box (modal, like every message box)."""
    QMessageBox.warning(parent, title, text)


def error_message(error: BaseException) -> str:
    """An error's text in the interface language now in use (never a traceback)."""
    return message_in(error, current_language())


def warning_box(parent: QWidget | None, title: str, text: str) -> QMessageBox:
    """A window-modal warning that does not block the event loop; it deletes itself when closed."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def on_error(parent: QWidget | None, error: BaseException, title: str = "") -> QMessageBox:
    """Show an error to the user in the interface language (a non-blocking warning box) and log it.

    Every failure of background work ends here or in `error_message` for a page's own status line."""
    log.info("shown to the user (%s): %s", error.code if isinstance(error, UserError) else type(error).__name__, error)
    heading = title or QCoreApplication.translate("Errors", "出错了")
    return warning_box(parent, heading, error_message(error))


def restyle(widget: QWidget, object_name: str) -> None:
    """Give a widget another style-sheet object name and repaint it in its new style (nothing if it has it)."""
    if widget.objectName() == object_name:
        return
    widget.setObjectName(object_name)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()


def shortcut(
    keys: str | QKeySequence | QKeySequence.StandardKey,
    parent: QWidget,
    slot: Callable[[], object],
    context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut,
) -> QShortcut:
    """A keyboard shortcut on a widget that calls slot."""
    sequence = keys if isinstance(keys, QKeySequence) else QKeySequence(keys)
    made = QShortcut(sequence, parent)
    made.setContext(context)
    made.activated.connect(slot)
    return made


def set_form_label(form: QFormLayout, row: int, text: str) -> None:
    """Set the text of a form row's label (rows made with a QLabel, so a language change can reach them)."""
    item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
    label = item.widget() if item is not None else None
    if isinstance(label, QLabel):
        label.setText(text)


def fit_header_labels(table: QTableView, padding: int = 24) -> None:
    """Widen each column to at least its header's text in the current language (with room for the sort arrow), so a
    header never shows a cut word such as "sponsible pers"; headers read from the left."""
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    model = table.model()
    if model is None:
        return
    metrics = header.fontMetrics()
    for column in range(model.columnCount()):
        if table.isColumnHidden(column) or header.sectionResizeMode(column) == QHeaderView.ResizeMode.Stretch:
            continue
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        needed = metrics.horizontalAdvance(title) + padding
        if table.columnWidth(column) < needed:
            table.setColumnWidth(column, needed)
