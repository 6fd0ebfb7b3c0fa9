"""Every page opens with the same header row: its title at the left, then what the page says of itself (a count, the
date, a status) taking the free width, and the page's buttons at the right."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QLayout, QWidget

from inspector.ui.main_window import PAGES


def row_holding(layout: QLayout, widget: QWidget) -> QHBoxLayout | None:
    """The horizontal layout, anywhere under layout, that holds widget directly."""
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item.widget() is widget and isinstance(layout, QHBoxLayout):
            return layout
        inner = item.layout()
        found = row_holding(inner, widget) if inner is not None else None
        if found is not None:
            return found
    return None


def test_each_page_has_one_header_row_with_its_title_first(started) -> None:  # type: ignore[no-untyped-def]
    window = started.window
    for spec in PAGES:
        page = window.show_page(spec.key)
        QApplication.processEvents()
        title = page.title
        assert isinstance(title, QLabel) and title.objectName() == "pageTitle" and title.text(), spec.key
        holder = title.parentWidget()
        assert holder is not None and holder.layout() is not None
        row = row_holding(holder.layout(), title)
        assert row is not None, f"{spec.key}: the title is not in a header row"
        assert row.itemAt(0).widget() is title, spec.key
        stretches = [row.stretch(index) for index in range(row.count())]
        assert stretches.count(1) == 1, f"{spec.key}: one part of the header takes the free width, not {stretches}"
        assert title.geometry().top() < 60, f"{spec.key}: the header is at the top of the page"
