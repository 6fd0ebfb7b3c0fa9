"""The runner's item list as a Qt model: sections with their items, each showing its answer; cheap to build for
checklists of hundreds of items (no widget per item)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from inspector.core.checklist import Checklist, Item, Section
from inspector.core.scoring import ScoreResult
from inspector.ui.runner.session import InspectionSession
from inspector.ui.shared.labels import result_label
from inspector.ui.shared.resources import icon

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_TOP = 0  # internal id of top-level rows (sections, or the lists of a visit with several lists)
_ITEM_BASE = 1 << 20  # item rows carry their section's global position + _ITEM_BASE; sections under a list its + 1
_RESULT_COLORS = {"pass": "#2e7d32", "fail": "#c62828", "na": "#616161"}


class ItemsModel(QAbstractItemModel):
    """Sections with their items; an inspection with several lists (the "1+10" visit) gets one more level above: each
    list as its own group, its row showing the list's live score and outcome. Column 0 is the item, column 1 its
    answer."""

    def __init__(self, session: InspectionSession | None = None) -> None:
        super().__init__()
        self._bold = QFont()
        self._bold.setBold(True)
        self._load(session)

    def _load(self, session: InspectionSession | None) -> None:
        self.session = session
        self.lists: tuple[Checklist, ...] = tuple(session.lists) if session else ()
        self.grouped = len(self.lists) > 1
        self.sections: tuple[Section, ...] = tuple(
            section for checklist in self.lists for section in checklist.sections
        )
        self._section_list: list[int] = [p for p, checklist in enumerate(self.lists) for _ in checklist.sections]
        self._first_section: list[int] = []
        count = 0
        for checklist in self.lists:
            self._first_section.append(count)
            count += len(checklist.sections)
        self._positions: dict[str, tuple[int, int]] = {
            item.id: (s, i) for s, section in enumerate(self.sections) for i, item in enumerate(section.items)
        }

    def set_session(self, session: InspectionSession | None) -> None:
        self.beginResetModel()
        self._load(session)
        self.endResetModel()

    # -- structure --------------------------------------------------------------------------------------------

    def _kind(self, index: _Index) -> str:
        ident = index.internalId()
        if ident >= _ITEM_BASE:
            return "item"
        return "list" if self.grouped and ident == _TOP else "section"

    def _global_section(self, index: _Index) -> int:
        """The position in self.sections of a section row."""
        if self.grouped:
            return self._first_section[index.internalId() - 1] + index.row()
        return index.row()

    def _section_index(self, position: int, column: int = 0) -> QModelIndex:
        if self.grouped:
            owner = self._section_list[position]
            return self.createIndex(position - self._first_section[owner], column, owner + 1)
        return self.createIndex(position, column, _TOP)

    def index(self, row: int, column: int, parent: _Index = _ROOT) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _TOP)
        if self._kind(parent) == "list":
            return self.createIndex(row, column, parent.row() + 1)
        return self.createIndex(row, column, _ITEM_BASE + self._global_section(parent))

    def parent(self, child: _Index = _ROOT) -> QModelIndex:  # type: ignore[override]
        if not child.isValid():
            return QModelIndex()
        kind = self._kind(child)
        if kind == "item":
            return self._section_index(child.internalId() - _ITEM_BASE)
        if kind == "section" and self.grouped:
            return self.createIndex(child.internalId() - 1, 0, _TOP)
        return QModelIndex()

    def rowCount(self, parent: _Index = _ROOT) -> int:
        if not parent.isValid():
            return len(self.lists) if self.grouped else len(self.sections)
        if parent.column() != 0:
            return 0
        kind = self._kind(parent)
        if kind == "list":
            return len(self.lists[parent.row()].sections)
        if kind == "section":
            return len(self.sections[self._global_section(parent)].items)
        return 0

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 2

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # -- lookups ----------------------------------------------------------------------------------------------

    def item_at(self, index: _Index) -> Item | None:
        if not index.isValid() or self._kind(index) != "item":
            return None
        return self.sections[index.internalId() - _ITEM_BASE].items[index.row()]

    def index_of(self, item_id: str, column: int = 0) -> QModelIndex:
        section, row = self._positions[item_id]
        return self.createIndex(row, column, _ITEM_BASE + section)

    def list_index(self, position: int, column: int = 0) -> QModelIndex:
        """The group row of one list (a visit with several lists only)."""
        return self.createIndex(position, column, _TOP)

    def has_item(self, item_id: str) -> bool:
        return item_id in self._positions

    def item_ids(self) -> list[str]:
        return [item.id for section in self.sections for item in section.items]

    def item_changed(self, item_id: str) -> None:
        """Repaint one item's row, its section's heading (answered counts) and its list's (live score)."""
        section, _row = self._positions[item_id]
        self.dataChanged.emit(self.index_of(item_id, 0), self.index_of(item_id, 1))
        self.dataChanged.emit(self._section_index(section, 0), self._section_index(section, 1))
        if self.grouped:
            owner = self._section_list[section]
            self.dataChanged.emit(self.list_index(owner, 0), self.list_index(owner, 1))

    def refresh_all(self) -> None:
        """Repaint everything (after a language change)."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 1)
        rows = self.rowCount()
        if rows:
            self.dataChanged.emit(self.index(0, 0), self.index(rows - 1, 1))

    # -- data -------------------------------------------------------------------------------------------------

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.session is None:
            return None
        kind = self._kind(index)
        if kind == "list":
            return self._list_data(index.row(), index.column(), role)
        if kind == "section":
            return self._section_data(self.sections[self._global_section(index)], index.column(), role)
        return self._item_data(self.sections[index.internalId() - _ITEM_BASE].items[index.row()], index.column(), role)

    def _list_data(self, position: int, column: int, role: int) -> Any:
        assert self.session is not None
        checklist = self.lists[position]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return f"{checklist.title}  ({checklist.id} · {checklist.version})"
            return score_text(self.session.list_scores()[position][1])
        if role == Qt.ItemDataRole.FontRole:
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            passed = self.session.list_scores()[position][1].passed
            return QBrush(QColor(_RESULT_COLORS["pass" if passed else "fail"]))
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{checklist.title}\n{checklist.key}"
        return None

    def _section_data(self, section: Section, column: int, role: int) -> Any:
        assert self.session is not None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return section.title
            needing = [item for item in section.items if item.can_fail]
            answered = sum(1 for item in needing if self.session.result(item.id) is not None)
            return f"{answered}/{len(needing)}"
        if role == Qt.ItemDataRole.FontRole:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            return section.guidance or section.title
        return None

    def _item_data(self, item: Item, column: int, role: int) -> Any:
        assert self.session is not None
        result = self.session.result(item.id)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return f"{item.id}  {item.text}"
            if result is None:
                return "" if item.can_fail else "—"
            photos = len(self.session.photos.get(item.id, []))
            return result_label(result) + (" · " + self.tr("%n 张照片", "", photos) if photos else "")
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return icon(result or "todo")
        if role == Qt.ItemDataRole.ForegroundRole and column == 1 and result:
            return QBrush(QColor(_RESULT_COLORS[result]))
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{item.id} {item.text}" + (f"\n\n{item.guidance}" if item.guidance else "")
        if role == Qt.ItemDataRole.UserRole:
            return item.id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr("检查项") if section == 0 else self.tr("结果")
        return None


def score_text(result: ScoreResult) -> str:
    """A list's live figure and outcome: the score for a deduction list, else the failed item count."""
    if result.score is not None and result.max_score is not None:
        figure = (
            QCoreApplication.translate("RunnerView", "得分 %1 / %2")
            .replace("%1", f"{result.score:g}")
            .replace("%2", f"{result.max_score:g}")
        )
    else:
        figure = QCoreApplication.translate("RunnerView", "不合格项 %n 个", "", len(result.failed_items))
    provisional = "" if result.complete else QCoreApplication.translate("RunnerView", "（暂定）")
    return f"{figure} · {result.outcome}{provisional}"
