"""The inspection runner: items grouped by section on the left, the current item on the right, the live score on
top; every answer is saved at once, keys 1/2/3 answer, and finishing lists whatever is still missing."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from inspector.core.scoring import visit_outcome
from inspector.store.errors import StoreError
from inspector.ui.runner.item_panel import ItemPanel
from inspector.ui.runner.model import ItemsModel, score_text
from inspector.ui.runner.session import (
    DESCRIPTION_UNCHANGED,
    FINDING_INCOMPLETE,
    PHOTO_MISSING,
    UNANSWERED,
    InspectionSession,
    Problem,
)
from inspector.ui.shared.context import FINDINGS, INSPECTIONS, AppContext
from inspector.ui.shared.labels import checklist_title, subject_kind_label
from inspector.ui.shared.resources import icon, tinted_icon
from inspector.ui.shared.widgets import Debouncer, error_message, hint_label, restyle, shortcut, title_label


class RunnerView(QWidget):
    """Runs one inspection (a finished one opens read-only)."""

    back_requested = Signal()
    inspection_finished = Signal(str)
    item_shown = Signal(str)  # the item now on the right (a restart reopens it)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.session: InspectionSession | None = None
        self.last_finished: Any = None

        self.back_button = QPushButton()
        self.title = title_label()
        self.subject_label = hint_label()
        self.score_label = QLabel()
        self.score_label.setObjectName("scorePass")
        self.progress_label = hint_label()
        self.finish_button = QPushButton(tinted_icon("finish", "#ffffff"), "")
        self.finish_button.setObjectName("primary")
        self.banner = hint_label()
        self.banner.hide()
        self.model = ItemsModel()
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setWordWrap(False)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(1, 116)
        self.panel = ItemPanel(ctx, self)
        self.panel.changed.connect(self._item_changed)
        self.panel.failed.connect(self._show_error)
        self.panel.photos.photo_imported.connect(self._photo_imported)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.panel)
        self.scroll_area = scroll
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.tree)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([380, 700])
        self.splitter = splitter

        top = QHBoxLayout()
        top.addWidget(self.back_button)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title)
        titles.addWidget(self.subject_label)
        top.addLayout(titles, 1)
        scores = QVBoxLayout()
        scores.setSpacing(0)
        scores.addWidget(self.score_label, 0, Qt.AlignmentFlag.AlignRight)
        scores.addWidget(self.progress_label, 0, Qt.AlignmentFlag.AlignRight)
        top.addLayout(scores)
        top.addWidget(self.finish_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 8)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)

        self.back_button.clicked.connect(self._back)
        self.finish_button.clicked.connect(self.finish)
        self.tree.selectionModel().currentChanged.connect(self._current_changed)
        self._announce_later = Debouncer(1000, lambda: self.ctx.notify(INSPECTIONS), self)
        self._add_shortcuts()
        self.setTabOrder(self.tree, self.panel.result_buttons["pass"])
        self.setTabOrder(self.panel.finding_days, self.finish_button)  # the panel's last field, then finish
        self.setTabOrder(self.finish_button, self.back_button)
        self.retranslate()

    # -- keyboard ---------------------------------------------------------------------------------------------

    def _add_shortcuts(self) -> None:
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        bindings = (
            ("1", lambda: self.answer("pass")),
            ("2", lambda: self.answer("fail")),
            ("3", lambda: self.answer("na")),
            ("0", lambda: self.answer(None)),
            ("Alt+Down", lambda: self.step_from_anywhere(1)),
            ("Alt+Up", lambda: self.step_from_anywhere(-1)),
            ("Ctrl+J", self.next_unanswered),
            ("Ctrl+L", self.back_to_list),
            ("N", self.panel.note_edit.setFocus),
            ("Ctrl+O", self.panel.photos.choose_files),
            ("Ctrl+Return", self.finish),
            ("Ctrl+Enter", self.finish),
        )
        for keys, slot in bindings:
            shortcut(keys, self, slot, context)
        shortcut(QKeySequence.StandardKey.Paste, self, self.panel.photos.paste, context)
        self.panel.photos.paste_shortcut.setEnabled(False)  # the runner's own Ctrl+V covers the strip too

    def back_to_list(self) -> None:
        """Keyboard focus to the item list, where 1/2/3 answer (a field's pending edit is saved first)."""
        self.panel.flush()
        self.tree.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def step_from_anywhere(self, step: int) -> None:
        """Alt+↑/↓ from any field: the previous or next item, with the focus back on the list."""
        self.back_to_list()
        self.step(step)

    def answer(self, result: str | None) -> None:
        """Answer the current item; a pass or n/a moves on to the next item."""
        if self.session is None or self.panel.item is None:
            return
        answered = self.panel.choose_result(result)
        if answered and result in ("pass", "na") and self.session.result(self.panel.item.id) == result:
            self.step(1)

    def step(self, step: int) -> None:
        """Go to the next (or previous) item in checklist order."""
        ids = self.model.item_ids()
        current = self.current_item_id()
        if not ids:
            return
        position = ids.index(current) + step if current in ids else 0
        self.select_item(ids[max(0, min(len(ids) - 1, position))])

    def next_unanswered(self) -> None:
        if self.session is None:
            return
        ids = self.model.item_ids()
        current = self.current_item_id()
        start = ids.index(current) + 1 if current in ids else 0
        for item_id in ids[start:] + ids[:start]:
            if self.session.result(item_id) is None and self.session.item(item_id).can_fail:
                self.select_item(item_id)
                return

    # -- opening ----------------------------------------------------------------------------------------------

    def open(self, inspection_id: str, item_id: str | None = None) -> None:
        """Load an inspection and show an item: the given one, else the first unanswered one."""
        self.flush()
        session = InspectionSession(self.ctx.db, inspection_id)
        self.session = session
        self.model.set_session(session)
        self.tree.expandAll()
        self.banner.hide()
        self.finish_button.setVisible(session.is_draft)
        self._update_header()
        first = item_id if item_id and self.model.has_item(item_id) else None
        if first is None:
            unanswered = [i for i in self.model.item_ids() if session.result(i) is None]
            all_ids = self.model.item_ids()
            first = unanswered[0] if unanswered else (all_ids[0] if all_ids else None)
        if first:
            self.select_item(first)
        if not session.is_draft:
            self._show_finished_banner()
        self.tree.setFocus()

    def select_item(self, item_id: str) -> None:
        index = self.model.index_of(item_id)
        self.tree.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.tree.scrollTo(index)

    def current_item_id(self) -> str | None:
        return self.panel.item.id if self.panel.item is not None else None

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = self.model.item_at(current)
        if item is None or self.session is None:
            return
        self.panel.show_item(self.session, item)
        self.scroll_area.verticalScrollBar().setValue(0)
        self.item_shown.emit(item.id)

    def close_session(self) -> None:
        self.flush()
        self.session = None
        self.panel.session = None
        self.panel.item = None
        self.model.set_session(None)

    def flush(self) -> None:
        """Save edits waiting for a pause in typing."""
        self.panel.flush()
        self._announce_later.flush()

    # -- updates ----------------------------------------------------------------------------------------------

    def _item_changed(self, item_id: str) -> None:
        self.model.item_changed(item_id)
        self._update_header()
        self._announce_later.poke()  # other pages refresh their lists at most once a second while answering

    def _photo_imported(self, owner_key: str, result: Any) -> None:
        if self.session is None or not owner_key.startswith(self.session.id + "/"):
            return
        self.panel.photo_imported(owner_key.split("/", 1)[1], result.photo)

    def _update_header(self) -> None:
        session = self.session
        if session is None:
            return
        titles = [f"{checklist_title(c.title, c.title_en)}  ({c.version})" for c in session.lists]
        self.title.setText(" + ".join(titles))
        self.subject_label.setText(
            f"{session.subject.name} · {subject_kind_label(session.subject.kind)}"
            + (f" · {session.subject.code}" if session.subject.code else "")
        )
        scored = [result for _checklist, result in session.list_scores()]
        answered, total = session.answered_count()
        if len(scored) == 1:
            self.score_label.setText(score_text(scored[0]))
            restyle(self.score_label, "scorePass" if scored[0].passed else "scoreFail")
        else:  # each list's own score is on its group row; the header gives the whole visit's outcome
            passed, outcome = visit_outcome(scored)
            provisional = "" if all(result.complete for result in scored) else self.tr("（暂定）")
            lists = self.tr("%n 张检查表", "", len(scored))
            self.score_label.setText(f"{lists} · {outcome}{provisional}")
            restyle(self.score_label, "scorePass" if passed else "scoreFail")
        self.progress_label.setText(self.tr("已填 %1 / %2 项").replace("%1", str(answered)).replace("%2", str(total)))

    def _show_error(self, message: str) -> None:
        restyle(self.banner, "error")
        self.banner.setText(message)
        self.banner.show()

    # -- finishing --------------------------------------------------------------------------------------------

    def finish(self) -> None:
        """Check what is missing (listed, with a jump to each item), confirm, then finish and report findings."""
        session = self.session
        if session is None or not session.is_draft:
            return
        self.flush()
        problems = session.problems()
        if problems:
            dialog = ProblemsDialog(session, problems, self)
            dialog.item_chosen.connect(self.select_item)
            dialog.open()
            self.problems_dialog = dialog
            return
        reports = session.findings_to_report()
        lines = []
        for checklist, result in session.list_scores():
            figure = f"{result.score:g} / {result.max_score:g} · " if result.score is not None else ""
            named = f"{checklist.title}：" if len(session.lists) > 1 else ""
            lines.append(named + figure + result.outcome)
        question = (
            self.tr("完成后检查记录不能再修改。")
            + "\n\n"
            + self.tr("结果：")
            + "\n".join(lines)
            + "\n"
            + self.tr("将上报问题 %n 个。", "", len(reports))
        )
        answer = QMessageBox.question(self, self.tr("完成检查"), question)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.last_finished = session.finish()
        except StoreError as error:
            self._show_error(error_message(error))
            return
        self.ctx.notify(INSPECTIONS, FINDINGS)
        self.inspection_finished.emit(session.id)
        self.open(session.id)

    def _show_finished_banner(self) -> None:
        assert self.session is not None
        inspection = self.session.inspection
        count = len(self.last_finished.finding_ids) if self.last_finished else None
        text = self.tr("检查已完成，记录已锁定，等待同步。")
        if count is not None and self.last_finished.inspection.id == inspection.id:
            text += " " + self.tr("已上报问题 %n 个。", "", count)
        restyle(self.banner, "hint")
        self.banner.setText(text)
        self.banner.show()

    def _back(self) -> None:
        self.flush()
        self.back_requested.emit()

    # -- language ---------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.back_button.setText(self.tr("← 返回"))
        self.back_button.setToolTip(self.tr("返回检查列表（已自动保存）"))
        self.finish_button.setText(self.tr("完成检查"))
        self.finish_button.setToolTip("Ctrl+Enter")
        self.tree.setToolTip(
            self.tr(
                "1 合格 · 2 不合格 · 3 不适用 · 0 清除 · Alt+↓/↑ 下一项/上一项 · "
                "Ctrl+J 下一个未填项 · N 备注 · Ctrl+O 添加照片 · Ctrl+V 粘贴照片"
            )
        )
        self._update_header()
        self.model.refresh_all()
        if self.session is not None and not self.session.is_draft:
            self._show_finished_banner()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class ProblemsDialog(QDialog):
    """What still blocks finishing, one line per item; choosing a line jumps to the item."""

    item_chosen = Signal(str)

    def __init__(self, session: InspectionSession, problems: list[Problem], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("还不能完成检查"))
        self.list = QListWidget()
        reasons = {
            UNANSWERED: self.tr("未填写"),
            PHOTO_MISSING: self.tr("不合格，需要照片"),
            FINDING_INCOMPLETE: self.tr("问题描述或类别未填"),
            DESCRIPTION_UNCHANGED: self.tr("问题描述仍是检查标准的原文，请写明发现的问题"),
        }
        for problem in problems:
            item = session.item(problem.item_id)
            line = QListWidgetItem(icon("warning"), f"{item.id}  {item.text}  —  {reasons[problem.kind]}")
            line.setData(Qt.ItemDataRole.UserRole, item.id)
            self.list.addItem(line)
        self.list.itemActivated.connect(self._choose)
        self.list.setCurrentRow(0)
        summary = hint_label(self.tr("以下 %n 项需要处理（双击转到该项）：", "", len(problems)), "sectionTitle")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        go = buttons.addButton(self.tr("转到该项"), QDialogButtonBox.ButtonRole.AcceptRole)
        go.clicked.connect(lambda: self._choose(self.list.currentItem()))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.resize(640, 400)

    def _choose(self, line: QListWidgetItem | None) -> None:
        if line is not None:
            self.item_chosen.emit(line.data(Qt.ItemDataRole.UserRole))
        self.accept()
