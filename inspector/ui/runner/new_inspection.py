"""Start an inspection: pick the subject (searchable), a checklist that applies to its kind, and who does it (the
level, which sets the 发现方式 of the cases it finds); with a hazard list (the "1+10" general list) tick the area lists
to check in the same visit."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from inspector.core.levels import LEVEL_SOURCE, InspectionLevel
from inspector.store import checklists, inspections, profile, subjects
from inspector.store.errors import StoreError
from inspector.store.subjects import Subject
from inspector.ui.shared.context import INSPECTIONS, AppContext
from inspector.ui.shared.labels import LEVELS, cached_checklist_title, level_label, source_label, subject_kind_label
from inspector.ui.shared.resources import icon
from inspector.ui.shared.widgets import Debouncer, error_message, hint_label, title_label
from inspector.ui.subjects.dialog import SubjectDialog


class NewInspectionDialog(QDialog):
    """After accept(), `inspection_id` names the new draft."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, subject_id: str | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.inspection_id: str | None = None
        self.subjects: list[Subject] = []
        self.setWindowTitle(self.tr("新建检查"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("搜索检查对象：名称、地址或编码"))
        self.search.setClearButtonEnabled(True)
        self.subject_list = QListWidget()
        self.new_subject = QPushButton(icon("add"), self.tr("新建检查对象…"))
        self.checklist_list = QListWidget()
        self.checklist_hint = hint_label()
        # the "1+10" visit: the area lists checked together with the chosen hazard list (each ticked one is added)
        self.area_title = title_label(self.tr("3. 同时检查的领域清单（“1+10”，可多选）"), "sectionTitle")
        self.area_list = QListWidget()
        self.area_list.setMaximumHeight(150)
        self.area_title.hide()
        self.area_list.hide()
        self._hazard: dict[tuple[str, str], bool] = {}
        self.level = QComboBox()  # who does the inspection; it sets the 发现方式 of the findings it reports
        self.level.setObjectName("inspectionLevel")
        for level in LEVELS:
            self.level.addItem(level_label(level), level)
        self.source = QLabel()  # the 发现方式 the level gives, shown so the inspector sees what the cases record
        self.source.setObjectName("inspectionSource")
        self.level.currentIndexChanged.connect(lambda _index: self._show_source())
        self._show_source()
        self.programme = QLineEdit()  # the campaign or standing programme the inspection is made under, if any
        self.programme.setObjectName("inspectionProgramme")
        self.programme.setPlaceholderText(self.tr("专项或计划编号（可选）"))
        level_row = QHBoxLayout()
        level_row.addWidget(QLabel(self.tr("检查层级")))
        level_row.addWidget(self.level)
        level_row.addWidget(self.source)
        level_row.addWidget(self.programme, 1)
        self.error = hint_label(name="error")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.start_button = self.buttons.addButton(self.tr("开始检查"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.start_button.setObjectName("primary")
        self.buttons.rejected.connect(self.reject)
        self.start_button.clicked.connect(self.start)

        grid = QGridLayout(self)
        grid.addWidget(title_label(self.tr("1. 检查对象"), "sectionTitle"), 0, 0)
        grid.addWidget(title_label(self.tr("2. 检查表"), "sectionTitle"), 0, 1)
        grid.addWidget(self.search, 1, 0)
        grid.addWidget(self.checklist_hint, 1, 1)
        grid.addWidget(self.subject_list, 2, 0)
        grid.addWidget(self.checklist_list, 2, 1)
        grid.addWidget(self.area_title, 3, 1)
        grid.addWidget(self.area_list, 4, 1)
        grid.addWidget(self.new_subject, 5, 0, Qt.AlignmentFlag.AlignLeft)
        grid.addLayout(level_row, 5, 1)
        grid.addWidget(self.error, 6, 0, 1, 2)
        grid.addWidget(self.buttons, 7, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        self._search_later = Debouncer(150, self._load_subjects, self)
        self.search.textChanged.connect(self._search_later.poke)
        self.subject_list.currentItemChanged.connect(lambda *_: self._load_checklists())
        self.checklist_list.itemActivated.connect(lambda _item: self.start())
        self.checklist_list.currentItemChanged.connect(lambda *_: self._load_areas())
        self.new_subject.clicked.connect(self._create_subject)
        ctx.checklists_ready.connect(self._load_checklists)
        self._load_subjects(select=subject_id)
        self.resize(900, 520)

    def selected_level(self) -> str:
        return str(self.level.currentData())

    def _show_source(self) -> None:
        source = LEVEL_SOURCE[InspectionLevel(self.selected_level())]
        self.source.setText(self.tr("发现方式：%1").replace("%1", source_label(source)))

    def _load_subjects(self, select: str | None = None) -> None:
        current = select or self.selected_subject_id()
        self.subjects = subjects.list_subjects(self.ctx.db, search=self.search.text().strip() or None)
        self.subject_list.clear()
        for subject in self.subjects:
            code = f" · {subject.code}" if subject.code else ""
            text = f"{subject.name}\n{subject_kind_label(subject.kind)}{code}"
            line = QListWidgetItem(text)
            line.setData(Qt.ItemDataRole.UserRole, subject.id)
            self.subject_list.addItem(line)
            if subject.id == current:
                self.subject_list.setCurrentItem(line)
        if self.subject_list.currentItem() is None and self.subject_list.count():
            self.subject_list.setCurrentRow(0)
        self._load_checklists()

    def selected_subject_id(self) -> str | None:
        line = self.subject_list.currentItem()
        return line.data(Qt.ItemDataRole.UserRole) if line is not None else None

    def selected_subject(self) -> Subject | None:
        chosen = self.selected_subject_id()
        return next((subject for subject in self.subjects if subject.id == chosen), None)

    def _load_checklists(self) -> None:
        self.checklist_list.clear()
        subject = self.selected_subject()
        if not self.ctx.checklists_loaded:
            self.checklist_hint.setText(self.tr("正在加载检查表…"))
            return
        if subject is None:
            self.checklist_hint.setText(self.tr("先选择检查对象。"))
            return
        fitting = [entry for entry in self.ctx.catalog if subject.kind in entry.subject_kinds]
        self.checklist_hint.setText(
            self.tr("适用于“%1”的检查表：").replace("%1", subject_kind_label(subject.kind))
            if fitting
            else self.tr("没有适用于这类对象的检查表。")
        )
        for entry in fitting:
            title = cached_checklist_title(self.ctx.db, entry.id, entry.version, entry.title)
            line = QListWidgetItem(icon("inspection"), f"{title}\n{entry.id} · {entry.version}")
            line.setData(Qt.ItemDataRole.UserRole, (entry.id, entry.version))
            self.checklist_list.addItem(line)
        if fitting:
            self.checklist_list.setCurrentRow(0)
        self._load_areas()

    def _is_hazard_list(self, key: tuple[str, str]) -> bool:
        """Whether a checklist version finds 安全隐患 (the "1+10" lists), read once per dialog."""
        if key not in self._hazard:
            try:
                self._hazard[key] = checklists.get(self.ctx.db, *key).case_kind == "hazard"
            except StoreError:
                self._hazard[key] = False
        return self._hazard[key]

    def _load_areas(self) -> None:
        """Offer the other hazard lists for the subject's kind when the chosen list is a hazard list."""
        ticked = set(self.selected_areas())
        self.area_list.clear()
        line = self.checklist_list.currentItem()
        chosen = tuple(line.data(Qt.ItemDataRole.UserRole)) if line is not None else None
        offered = []
        if chosen is not None and self._is_hazard_list(chosen):
            for row in range(self.checklist_list.count()):
                key = tuple(self.checklist_list.item(row).data(Qt.ItemDataRole.UserRole))
                if key != chosen and self._is_hazard_list(key):
                    offered.append((row, key))
        for row, key in offered:
            area = QListWidgetItem(self.checklist_list.item(row).text().split("\n")[0] + f"  ({key[0]})")
            area.setData(Qt.ItemDataRole.UserRole, key)
            area.setFlags(area.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            area.setCheckState(Qt.CheckState.Checked if key in ticked else Qt.CheckState.Unchecked)
            self.area_list.addItem(area)
        self.area_title.setVisible(bool(offered))
        self.area_list.setVisible(bool(offered))

    def selected_areas(self) -> list[tuple[str, str]]:
        """The ticked area lists as (id, version), in the order shown."""
        found = []
        for row in range(self.area_list.count()):
            area = self.area_list.item(row)
            if area.checkState() == Qt.CheckState.Checked:
                key = area.data(Qt.ItemDataRole.UserRole)
                found.append((str(key[0]), str(key[1])))
        return found

    def tick_area(self, checklist_id: str, ticked: bool = True) -> None:
        """Tick (or untick) one offered area list by id (keyboard users and tests)."""
        for row in range(self.area_list.count()):
            area = self.area_list.item(row)
            if area.data(Qt.ItemDataRole.UserRole)[0] == checklist_id:
                area.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def _create_subject(self) -> None:
        dialog = SubjectDialog(self.ctx, self)
        if dialog.exec() and dialog.subject_id:
            self.search.clear()
            self._load_subjects(select=dialog.subject_id)

    def choose(self, subject_id: str, checklist_id: str) -> None:
        """Select a subject and a checklist by id (keyboard users and tests)."""
        self._load_subjects(select=subject_id)
        for row in range(self.checklist_list.count()):
            if self.checklist_list.item(row).data(Qt.ItemDataRole.UserRole)[0] == checklist_id:
                self.checklist_list.setCurrentRow(row)

    def start(self) -> None:
        subject = self.selected_subject()
        line = self.checklist_list.currentItem()
        if subject is None or line is None:
            self.error.setText(self.tr("请选择检查对象和检查表。"))
            self.error.show()
            return
        checklist_id, version = line.data(Qt.ItemDataRole.UserRole)
        try:
            inspection = inspections.start(
                self.ctx.db,
                checklist_id=checklist_id,
                checklist_version=version,
                subject_id=subject.id,
                inspector_id=profile.user_id(self.ctx.db),
                level=self.selected_level(),
                programme=self.programme.text().strip() or None,
                area_lists=self.selected_areas(),
            )
        except StoreError as error:
            self.error.setText(error_message(error))
            self.error.show()
            return
        self.inspection_id = inspection.id
        self.ctx.notify(INSPECTIONS)
        self.accept()
