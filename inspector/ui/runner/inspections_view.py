"""检查 (Inspections): the list of drafts and finished inspections, and the runner that opens from it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.core.clock import display
from inspector.store import checklists, inspections, subjects
from inspector.store.errors import StoreError
from inspector.store.sync_state import open_refusals
from inspector.ui.runner.session import InspectionSession
from inspector.ui.runner.view import RunnerView
from inspector.ui.shared.context import INSPECTIONS, SUBJECTS, AppContext, latest_versions
from inspector.ui.shared.labels import cached_checklist_title, level_label
from inspector.ui.shared.resources import icon
from inspector.ui.shared.widgets import Page, hint_label, page_header, title_label
from inspector.ui.sync.badges import record_state, show_badge


class InspectionsView(Page):
    """A list page and the runner, stacked."""

    new_inspection_requested = Signal(str)  # a subject id, or '' to choose one
    inspection_shown = Signal(str)  # the inspection the runner shows, '' once back on the list

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.stack = QStackedWidget()
        self.list_page = QWidget()
        self.runner = RunnerView(ctx)
        self.runner.back_requested.connect(self.show_list)
        self.stack.addWidget(self.list_page)
        self.stack.addWidget(self.runner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self.title = title_label()
        self.count = hint_label()
        self.filter = QComboBox()
        self.new_button = QPushButton(icon("new"), "")
        self.new_button.setObjectName("primary")
        self.open_button = QPushButton(icon("inspection"), "")
        self.discard_button = QPushButton(icon("delete"), "")
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setColumnCount(8)  # the last: who did it (检查层级)
        for column, width in enumerate((80, 200, 260, 150, 140, 140)):
            self.table.setColumnWidth(column, width)
        bar = QHBoxLayout()
        bar.addWidget(self.filter)
        bar.addStretch(1)
        for button in (self.new_button, self.open_button, self.discard_button):
            bar.addWidget(button)
        page = QVBoxLayout(self.list_page)
        page.setContentsMargins(24, 18, 24, 12)
        page.addLayout(page_header(self.title, self.count))
        page.addLayout(bar)
        page.addWidget(self.table, 1)

        self.filter.currentIndexChanged.connect(self.reload)
        self.new_button.clicked.connect(lambda: self.new_inspection_requested.emit(""))
        self.open_button.clicked.connect(self._open_selected)
        self.discard_button.clicked.connect(self._discard_selected)
        self.table.itemActivated.connect(lambda _item, _col: self._open_selected())
        ctx.changed.connect(self._on_changed)
        self.retranslate()

    # -- pages ------------------------------------------------------------------------------------------------

    def activate(self) -> None:
        if self.stack.currentWidget() is self.list_page:
            self.reload()

    def open_inspection(self, inspection_id: str, item_id: str | None = None) -> None:
        """Show an inspection in the runner and remember it, so a restart resumes it."""
        self.runner.open(inspection_id, item_id)
        self.stack.setCurrentWidget(self.runner)
        self.inspection_shown.emit(inspection_id)

    def resume(self, inspection_id: str, item_id: str | None = None) -> None:
        """Reopen the inspection (at an item) that was open when the app last stopped, if it still exists."""
        try:
            self.open_inspection(inspection_id, item_id)
        except StoreError:
            self.show_list()

    def show_list(self) -> None:
        self.runner.close_session()
        self.stack.setCurrentWidget(self.list_page)
        self.inspection_shown.emit("")
        self.reload()

    def open_inspection_id(self) -> str:
        """The inspection shown in the runner, or '' when the list is shown."""
        session = self.runner.session
        return session.id if session is not None and self.stack.currentWidget() is self.runner else ""

    def flush(self) -> None:
        self.runner.flush()

    # -- list -------------------------------------------------------------------------------------------------

    def _on_changed(self, kind: str) -> None:
        if kind in (INSPECTIONS, SUBJECTS) and self.stack.currentWidget() is self.list_page:
            self.reload()

    def reload(self) -> None:
        status = self.filter.currentData() or None
        rows = inspections.list_inspections(self.ctx.db, status=status)
        titles = {entry.id: cached_checklist_title(self.ctx.db, entry.id, entry.version, entry.title)
                  for entry in latest_versions(checklists.list_cached(self.ctx.db))}  # fmt: skip
        names: dict[str, str] = {}
        refusals = open_refusals(self.ctx.db, [row.id for row in rows if row.sync_state == "conflict"])
        visits = inspections.lists_of_many(self.ctx.db, [row.id for row in rows])  # a "1+10" visit's lists
        self.table.clear()
        for inspection in rows:
            if inspection.subject_id not in names:
                try:
                    names[inspection.subject_id] = subjects.get(self.ctx.db, inspection.subject_id).name
                except StoreError:
                    names[inspection.subject_id] = "?"
            draft = inspection.is_draft
            if inspection.score is not None and inspection.max_score is not None:
                outcome = f"{inspection.score:g}/{inspection.max_score:g} {inspection.outcome or ''}"
            else:
                outcome = inspection.outcome or ""
            pinned = visits.get(inspection.id) or []
            lists = " + ".join(titles.get(entry.checklist_id, entry.checklist_id) for entry in pinned)
            line = QTreeWidgetItem(
                [
                    self.tr("未完成") if draft else self.tr("已完成"),
                    names[inspection.subject_id],
                    lists or titles.get(inspection.checklist_id, inspection.checklist_id),
                    outcome,
                    display(inspection.started_at),
                    display(inspection.updated_at),
                    "",
                    level_label(inspection.level),
                ]
            )
            line.setIcon(0, icon("inspection" if draft else "pass"))
            if len(pinned) > 1:  # each list's own outcome, line by line
                line.setToolTip(
                    2, "\n".join(f"{titles.get(e.checklist_id, e.checklist_id)}：{e.outcome or '—'}" for e in pinned)
                )
            refusal = refusals.get(inspection.id)
            show_badge(line, 6, record_state(inspection.sync_state, refusal), refusal)
            line.setData(0, Qt.ItemDataRole.UserRole, inspection.id)
            self.table.addTopLevelItem(line)
        self.count.setText(self.tr("共 %n 条", "", len(rows)))

    def _selected_id(self) -> str | None:
        item = self.table.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def _open_selected(self) -> None:
        inspection_id = self._selected_id()
        if inspection_id:
            self.open_inspection(inspection_id)

    def _discard_selected(self) -> None:
        inspection_id = self._selected_id()
        if not inspection_id:
            return
        session = InspectionSession(self.ctx.db, inspection_id)
        if not session.is_draft:
            QMessageBox.information(self, self.tr("不能删除"), self.tr("已完成的检查记录不能删除。"))
            return
        answer = QMessageBox.question(
            self, self.tr("删除草稿"), self.tr("删除这条未完成的检查？已填写的内容将丢失（照片仍保留在本机）。")
        )
        if answer == QMessageBox.StandardButton.Yes:
            session.discard()
            self.ctx.notify(INSPECTIONS)

    # -- language ---------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.title.setText(self.tr("检查记录"))
        current = self.filter.currentData()
        self.filter.blockSignals(True)
        self.filter.clear()
        self.filter.addItem(self.tr("全部"), "")
        self.filter.addItem(self.tr("未完成"), "draft")
        self.filter.addItem(self.tr("已完成"), "finished")
        self.filter.setCurrentIndex(max(0, self.filter.findData(current)))
        self.filter.blockSignals(False)
        self.new_button.setText(self.tr("新建检查"))
        self.open_button.setText(self.tr("打开"))
        self.discard_button.setText(self.tr("删除草稿"))
        self.table.setHeaderLabels(
            [
                self.tr("状态"),
                self.tr("检查对象"),
                self.tr("检查表"),
                self.tr("结果"),
                self.tr("开始时间"),
                self.tr("更新时间"),
                self.tr("同步"),
                self.tr("检查层级"),
            ]
        )
        self.reload()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
