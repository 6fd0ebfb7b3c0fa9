"""The runner's item list as a Qt model: sections with their items, each showing its answer; cheap to build for
checklists of hundreds of items (no widget per item)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from inspector.core.checklist import Item, Section
from inspector.ui.runner.session import InspectionSession
from inspector.ui.shared.labels import result_label
from inspector.ui.shared.resources import icon

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_SECTION = 0  # internal id of section rows; item rows carry their section's position + 1
_RESULT_COLORS = {"pass": "#2e7d32", "fail": "#c62828", "na": "#616161"}


class ItemsModel(QAbstractItemModel):
    """Two levels: sections, then their items. Column 0 is the item, column 1 its answer."""

    def __init__(self, session: InspectionSession | None = None) -> None:
        super().__init__()
        self.session = session
        self.sections: tuple[Section, ...] = session.checklist.sections if session else ()
        self._positions: dict[str, tuple[int, int]] = {}
        self._index_items()
        self._bold = QFont()
        self._bold.setBold(True)

    def set_session(self, session: InspectionSession | None) -> None:
        self.beginResetModel()
        self.session = session
        self.sections = session.checklist.sections if session else ()
        self._index_items()
        self.endResetModel()

    def _index_items(self) -> None:
        self._positions = {
            item.id: (s, i) for s, section in enumerate(self.sections) for i, item in enumerate(section.items)
        }

    # -- structure --------------------------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: _Index = _ROOT) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _SECTION)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, child: _Index = _ROOT) -> QModelIndex:  # type: ignore[override]
        if not child.isValid() or child.internalId() == _SECTION:
            return QModelIndex()
        return self.createIndex(child.internalId() - 1, 0, _SECTION)

    def rowCount(self, parent: _Index = _ROOT) -> int:
        if not parent.isValid():
            return len(self.sections)
        if parent.internalId() == _SECTION and parent.column() == 0:
            return len(self.sections[parent.row()].items)
        return 0

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 2

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # -- lookups ----------------------------------------------------------------------------------------------

    def item_at(self, index: _Index) -> Item | None:
        if not index.isValid() or index.internalId() == _SECTION:
            return None
        return self.sections[index.internalId() - 1].items[index.row()]

    def index_of(self, item_id: str, column: int = 0) -> QModelIndex:
        section, row = self._positions[item_id]
        return self.createIndex(row, column, section + 1)

    def has_item(self, item_id: str) -> bool:
        return item_id in self._positions

    def item_ids(self) -> list[str]:
        return [item.id for section in self.sections for item in section.items]

    def item_changed(self, item_id: str) -> None:
        """Repaint one item's row and its section's heading (answered counts)."""
        section, _row = self._positions[item_id]
        self.dataChanged.emit(self.index_of(item_id, 0), self.index_of(item_id, 1))
        heading = self.createIndex(section, 0, _SECTION)
        self.dataChanged.emit(heading, self.createIndex(section, 1, _SECTION))

    def refresh_all(self) -> None:
        """Repaint everything (after a language change)."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 1)
        if self.sections:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.sections) - 1, 1))

    # -- data -------------------------------------------------------------------------------------------------

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.session is None:
            return None
        if index.internalId() == _SECTION:
            return self._section_data(self.sections[index.row()], index.column(), role)
        return self._item_data(self.sections[index.internalId() - 1].items[index.row()], index.column(), role)

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
