"""The ledger's table model: findings read from the database a page at a time (windowed paging over indexed queries),
so a view over 100,000 findings opens and scrolls without loading them all. A refused finding's sync column says
whether the server rejected its command for good (被拒绝) or found it stale (冲突), from its open conflict record."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, overload

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics

from inspector.core.clock import display, utc_now
from inspector.store import ledger_queries, photos_wanted, places
from inspector.store.findings import LocalFinding
from inspector.store.ledger_queries import LedgerListRow, LedgerQuery, LedgerSort
from inspector.store.sync_state import CONFLICT, REJECTED, Refusal, open_refusals
from inspector.ui.ledger import lateness
from inspector.ui.ledger.actions import sync_label, sync_labels
from inspector.ui.shared.labels import (
    SEVERITIES,
    STATES,
    escalation_label,
    kind_label,
    pending_label,
    severity_label,
    source_label,
    state_label,
)
from inspector.ui.sync.badges import (
    PHOTOS_COMING,
    SYNC_STATE_ROLE,
    SYNCED,
    badge_icon,
    badge_label,
    badge_tooltip,
    finding_state,
)

if TYPE_CHECKING:
    from sqlite_utils import Database

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
RED = QColor("#c62828")
ORANGE = QColor("#ef6c00")
BLUE = QColor("#1f5fa8")

# column key → sort key of the store (columns without one cannot be sorted)
SORTABLE: dict[str, str] = {
    "number": "number",
    "state": "state",
    "severity": "severity",
    "category": "category",
    "street": "street",
    "reported_at": "reported_at",
    "deadline": "deadline",
    "unit": "unit",
}


class LoadedRows(Sequence[LocalFinding]):
    """The model's rows as a sequence of findings; each access reads its page when it is not cached."""

    def __init__(self, model: LedgerTableModel) -> None:
        self.model = model

    def __len__(self) -> int:
        return self.model.total

    @overload
    def __getitem__(self, index: int) -> LocalFinding: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[LocalFinding]: ...

    def __getitem__(self, index: int | slice) -> LocalFinding | Sequence[LocalFinding]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return self.model.entry(index % len(self)).finding


class LedgerTableModel(QAbstractTableModel):
    """Rows of one query in one order; pages of PAGE_SIZE rows are read on demand and the last MAX_PAGES kept."""

    COLUMNS = ("number", "kind", "state", "severity", "category", "description", "subject", "street", "reported_at",
               "deadline", "late", "unit", "source", "escalation", "sync")  # fmt: skip
    PAGE_SIZE = 100
    MAX_PAGES = 12

    def __init__(self, db: Database, street_name: Callable[[str], str]) -> None:
        super().__init__()
        self.db = db
        self.street_name = street_name
        self.query = LedgerQuery()
        self.order = LedgerSort()
        self.total = 0
        self.now: datetime = utc_now()
        self.pages: OrderedDict[int, list[LedgerListRow]] = OrderedDict()
        self.refusals: dict[int, dict[str, Refusal]] = {}  # by page: the open conflict records of its refused rows
        self.places: dict[int, dict[str, places.Place]] = {}  # by page: the reported places of its rows
        self.photos_coming: dict[int, dict[str, int]] = {}  # by page: how many photos its rows still wait for
        self.rows = LoadedRows(self)
        self.search = ledger_queries.TextSearch(db, f"ledger_search_{id(self):x}")

    # -- what is shown --------------------------------------------------------------------------------------------

    def set_query(self, query: LedgerQuery, order: LedgerSort | None = None) -> None:
        """Show another selection (and order); the count is read now, the rows when they are shown."""
        self.beginResetModel()
        self.query = query
        self.order = order or self.order
        self._reload()
        self.endResetModel()

    def set_order(self, order: LedgerSort) -> None:
        self.set_query(self.query, order)

    def refresh(self) -> None:
        """Read again after the data changed (same selection and order)."""
        self.set_query(self.query, self.order)

    def _reload(self) -> None:
        self.now = utc_now()
        self.pages.clear()
        self.refusals.clear()
        self.places.clear()
        self.photos_coming.clear()
        self.search.prepare(self.query.text)  # the text is searched once per reload, not once per page
        self.total = ledger_queries.count(self.db, self.query, self.search)

    def entry(self, row: int) -> LedgerListRow:
        """The row's finding and subject name (reading its page if needed)."""
        number = row // self.PAGE_SIZE
        page = self.pages.get(number)
        if page is None:
            page = self._read_page(number)
        else:
            self.pages.move_to_end(number)
        offset = row - number * self.PAGE_SIZE
        if offset >= len(page):  # the data changed under the count: show the row empty until the next refresh
            raise IndexError(row)
        return page[offset]

    def _read_page(self, number: int) -> list[LedgerListRow]:
        """Read a page, and the refusals of its refused rows (one query, only when it has any); drop the oldest."""
        page = ledger_queries.page(self.db, self.query, self.order, number * self.PAGE_SIZE, self.PAGE_SIZE,
                                   self.search, now=self.now)  # fmt: skip
        refused = [entry.finding.id for entry in page if entry.finding.has_conflict]
        self.pages[number] = page
        self.refusals[number] = open_refusals(self.db, refused) if refused else {}
        self.photos_coming[number] = photos_wanted.waiting(self.db, "finding", [entry.finding.id for entry in page])
        self.places[number] = places.reported_places(self.db, [entry.finding.id for entry in page])
        while len(self.pages) > self.MAX_PAGES:
            oldest, _rows = self.pages.popitem(last=False)
            self.refusals.pop(oldest, None)
            self.places.pop(oldest, None)
            self.photos_coming.pop(oldest, None)
        return page

    def refusal_at(self, row: int) -> Refusal | None:
        """The open conflict record of a refused row (conflict or rejected, and the server's reason), else None."""
        finding_id = self.entry(row).finding.id  # reads the page (and its refusals) when it is not held
        return self.refusals.get(row // self.PAGE_SIZE, {}).get(finding_id)

    def place_at(self, row: int) -> str:
        """The row's place: its subject's name, and the reported place (address and coordinates) when there is one."""
        entry = self.entry(row)
        reported = self.places.get(row // self.PAGE_SIZE, {}).get(entry.finding.id)
        text = reported.text() if reported else ""
        return " · ".join(part for part in (entry.subject_name, text) if part)

    def finding_at(self, row: int) -> LocalFinding | None:
        if not 0 <= row < self.total:
            return None
        try:
            return self.entry(row).finding
        except IndexError:
            return None

    def row_of(self, finding_id: str) -> int | None:
        """The row of a finding in this selection and order, or None when it is not selected."""
        return ledger_queries.position(self.db, self.query, self.order, finding_id, self.search)

    # -- Qt model ----------------------------------------------------------------------------------------------

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in _ROLES:
            return None
        try:
            entry = self.entry(index.row())
        except IndexError:
            return None
        column = self.COLUMNS[index.column()]
        if column == "sync" and role in _SYNC_ROLES:
            return self._sync_data(index.row(), role)
        if column == "subject" and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.place_at(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(entry, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._colour(entry, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == "description":
            return entry.finding.view.description
        if role == Qt.ItemDataRole.UserRole:
            return entry.finding.id
        return None

    def _text(self, entry: LedgerListRow, column: str) -> str:
        finding = entry.finding
        view = finding.view
        match column:
            case "number":
                return view.ledger_number or pending_label()
            case "state":
                overdue = " · " + self.tr("逾期") if lateness.is_late(entry.clock) else ""
                return state_label(view.state.value, view.kind.value) + overdue
            case "severity":
                return severity_label(view.severity.value if view.severity else None)
            case "category":
                return view.category
            case "description":
                return view.description.replace("\n", " ")
            case "subject":
                return entry.subject_name
            case "street":
                return self.street_name(view.jurisdiction)
            case "reported_at":
                return display(view.reported_at)
            case "deadline":
                return view.deadline.isoformat() if view.deadline else ""
            case "late":
                return lateness.late_words(entry.clock)
            case "unit":
                return view.responsible_unit or ""
            case "kind":
                return kind_label(view.kind.value)
            case "source":
                return source_label(view.source.value)
            case "escalation":
                return escalation_label(view.escalation.value if view.escalation else None)
        return ""

    def _sync_data(self, row: int, role: int) -> Any:
        """The sync column: 冲突 / 被拒绝 / 等待服务器确认 / 已同步, its colour and icon, the server's reason as tooltip
        (the badge's state in SYNC_STATE_ROLE)."""
        finding = self.entry(row).finding
        refusal = self.refusal_at(row)
        state = finding_state(finding.has_pending, finding.has_conflict, refusal)
        if state == SYNCED and self.photos_coming.get(row // self.PAGE_SIZE, {}).get(finding.id):
            state = PHOTOS_COMING  # synced only once its photos are here too
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                return badge_label(state) if role == Qt.ItemDataRole.DisplayRole else badge_tooltip(state)
        if role == SYNC_STATE_ROLE:
            return state
        if role == Qt.ItemDataRole.DisplayRole:
            return sync_label(finding, refusal)
        if role == Qt.ItemDataRole.ForegroundRole:
            colour = {CONFLICT: ORANGE, REJECTED: RED}.get(state, BLUE if finding.has_pending else None)
            return None if colour is None else QBrush(colour)
        if role == Qt.ItemDataRole.DecorationRole:
            return badge_icon(state) if state in (CONFLICT, REJECTED) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return badge_tooltip(state, refusal) if state in (CONFLICT, REJECTED) else None
        if role == Qt.ItemDataRole.FontRole and finding.has_pending:
            font = QFont()
            font.setItalic(True)
            return font
        return None

    def _colour(self, entry: LedgerListRow, column: str) -> QBrush | None:
        if column in ("state", "late") and lateness.is_late(entry.clock):
            return QBrush(RED)
        if column == "deadline" and entry.finding.is_overdue(self.now):
            return QBrush(RED)
        severity = entry.finding.view.severity
        if column == "severity" and severity is not None and severity.value == "major":
            return QBrush(RED)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return self.titles()[self.COLUMNS[section]]

    def titles(self) -> dict[str, str]:
        return {
            "number": self.tr("台账编号"),
            "state": self.tr("状态"),
            "severity": self.tr("等级"),
            "category": self.tr("类别"),
            "description": self.tr("描述"),
            "subject": self.tr("对象/地点"),
            "street": self.tr("街乡"),
            "reported_at": self.tr("上报时间"),
            "deadline": self.tr("整改期限"),
            "late": self.tr("逾期阶段"),
            "unit": self.tr("责任单位"),
            "kind": self.tr("类型"),
            "source": self.tr("发现方式"),
            "escalation": self.tr("督办"),
            "sync": self.tr("同步"),
        }

    def label_widths(self, metrics: QFontMetrics) -> dict[str, int]:
        """Widths that fit the longest label of the columns whose values are labels (in the current language)."""
        labels = {
            "state": [*(state_label(state) for state in STATES), state_label("assigned") + " · " + self.tr("逾期")],
            "severity": [severity_label(severity) for severity in SEVERITIES],
            "sync": list(sync_labels()),
            "number": [pending_label(), "朝阳-三里屯-2026-00000"],
        }
        padding = 2 * metrics.averageCharWidth() + 8
        return {column: max(metrics.horizontalAdvance(text) for text in texts) + padding
                for column, texts in labels.items()}  # fmt: skip

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.COLUMNS) - 1)
        if self.total:
            self.dataChanged.emit(self.index(0, 0), self.index(self.total - 1, len(self.COLUMNS) - 1))


_ROLES = frozenset({
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.UserRole,
    SYNC_STATE_ROLE,
})  # fmt: skip
_SYNC_ROLES = frozenset({
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.DecorationRole,
    SYNC_STATE_ROLE,
})  # fmt: skip
