"""审核 (Review): the queues a supervisor works through, oldest first: reported findings (待受理) accepted onto the
ledger (受理挂账, as 一般 or 重大隐患) or rejected with a reason, extension requests (延期申请) approved or refused, and
cases under 督办 lifted (摘牌); the next case in the queue follows at once."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector.core.ledger import Action, Severity, State
from inspector.store.errors import StoreError
from inspector.store.ledger_queries import ANY_ESCALATION, LedgerQuery, LedgerSort
from inspector.ui.ledger.action_dialogs import ActionDialog, open_action
from inspector.ui.ledger.actions import is_supervisor, record
from inspector.ui.ledger.detail import FindingDetail
from inspector.ui.ledger.model import LedgerTableModel
from inspector.ui.ledger.view import StreetNames
from inspector.ui.shared.context import FINDINGS, AppContext
from inspector.ui.shared.labels import action_label
from inspector.ui.shared.widgets import Page, error_message, hint_label, page_header, title_label

QUEUE = LedgerQuery(states=(State.REPORTED.value,))
EXTENSION_QUEUE = LedgerQuery(extension_requested=True)
ESCALATION_QUEUE = LedgerQuery(escalation=ANY_ESCALATION)
QUEUES: dict[str, LedgerQuery] = {"reported": QUEUE, "extension": EXTENSION_QUEUE, "escalation": ESCALATION_QUEUE}
# The decisions each queue offers beside the detail pane's own buttons, shown only when the ledger allows them
QUEUE_ACTIONS: dict[str, tuple[Action, ...]] = {
    "reported": (),
    "extension": (Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION),
    "escalation": (Action.LIFT_ESCALATION,),
}
OLDEST_FIRST = LedgerSort("reported_at", descending=False)
SHOWN_COLUMNS = {"severity": 70, "category": 84, "description": 160, "subject": 110, "reported_at": 122, "sync": 104}


class ReviewView(Page):
    """The review page."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.action_dialog: ActionDialog | None = None
        self.title = title_label()
        self.count = hint_label()
        self.role_hint = hint_label(name="warning")
        self.status = hint_label()
        self.street_names = StreetNames()
        self.street_names.load(ctx.db)
        self.model = LedgerTableModel(ctx.db, self.street_names)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setWordWrap(False)
        for column, key in enumerate(LedgerTableModel.COLUMNS):
            self.table.setColumnHidden(column, key not in SHOWN_COLUMNS)
            self.table.setColumnWidth(column, SHOWN_COLUMNS.get(key, 0))
        self.table.horizontalHeader().setSectionResizeMode(
            LedgerTableModel.COLUMNS.index("description"), QHeaderView.ResizeMode.Stretch
        )
        self.accept_general = QPushButton()
        self.accept_major = QPushButton()
        self.reject_button = QPushButton()
        self.accept_general.setObjectName("primary")
        self.queue = "reported"
        self.queue_combo = QComboBox()
        for key in QUEUES:
            self.queue_combo.addItem("", key)
        self.decision_buttons: dict[Action, QPushButton] = {
            action: QPushButton() for action in (Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION,
                                                 Action.LIFT_ESCALATION)
        }  # fmt: skip
        self.detail = FindingDetail(ctx, with_documents=False)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the pane wraps instead
        scroll.setWidget(self.detail)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        quick = QHBoxLayout()
        for button in (self.accept_general, self.accept_major, self.reject_button, *self.decision_buttons.values()):
            quick.addWidget(button)
        quick.addStretch(1)
        right_layout.addLayout(quick)
        right_layout.addWidget(scroll, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(right)
        splitter.setSizes([700, 460])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 12)
        layout.addLayout(page_header(self.title, self.count))
        layout.addWidget(self.queue_combo)
        layout.addWidget(self.role_hint)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)

        self.accept_general.clicked.connect(lambda: self.accept_as(Severity.GENERAL))
        self.accept_major.clicked.connect(lambda: self.accept_as(Severity.MAJOR))
        self.reject_button.clicked.connect(lambda: self.start_action(Action.REJECT))
        for action, button in self.decision_buttons.items():
            button.clicked.connect(lambda _checked=False, chosen=action: self.start_action(chosen))
        self.queue_combo.currentIndexChanged.connect(lambda index: self.show_queue(self.queue_combo.itemData(index)))
        self.detail.action_requested.connect(self.start_action)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        ctx.changed.connect(lambda kind: self.reload() if kind == FINDINGS and self.isVisible() else None)
        self.retranslate()
        self.reload()

    # -- the queue ------------------------------------------------------------------------------------------------

    def activate(self) -> None:
        self.street_names.load(self.ctx.db)
        self.reload()

    def show_queue(self, queue: str) -> None:
        """Work through another queue: 待受理, 延期申请 or 督办."""
        if queue not in QUEUES:
            return
        self.queue = queue
        self.queue_combo.setCurrentIndex(self.queue_combo.findData(queue))
        self.detail.show_finding(None)
        self.reload()

    def reload(self) -> None:
        """Read the queue again; the finding on show stays selected while it waits, else the first one is shown."""
        shown = self.detail.finding.id if self.detail.finding is not None else None
        self.model.set_query(QUEUES[self.queue], OLDEST_FIRST)
        self._show_count()
        row = self.model.row_of(shown) if shown else None
        self.select_row(row if row is not None else 0)
        supervisor = is_supervisor(self.ctx.db)
        self.role_hint.setVisible(not supervisor)
        self._update_buttons()

    def select_row(self, row: int) -> None:
        finding = self.model.finding_at(row)
        if finding is None:
            self.detail.show_finding(None)
        else:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
            self.detail.show_finding(finding)
        self._update_buttons()

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        finding = self.model.finding_at(current.row()) if current.isValid() else None
        if finding is not None and (self.detail.finding is None or self.detail.finding.id != finding.id):
            self.detail.show_finding(finding)
            self._update_buttons()

    def _update_buttons(self) -> None:
        allowed = set(self.detail.allowed_actions())
        for button in (self.accept_general, self.accept_major):
            button.setEnabled(Action.ACCEPT in allowed)
        self.reject_button.setEnabled(Action.REJECT in allowed)
        for button in (self.accept_general, self.accept_major, self.reject_button):
            button.setVisible(self.queue == "reported")
        offered = QUEUE_ACTIONS[self.queue]
        for action, button in self.decision_buttons.items():
            button.setVisible(action in offered and action in allowed)

    # -- decisions ------------------------------------------------------------------------------------------------

    def accept_as(self, severity: Severity) -> bool:
        """Accept the shown finding onto the ledger with this grade (queued for the server)."""
        finding = self.detail.finding
        if finding is None:
            return False
        row = self.table.currentIndex().row()
        try:
            record(self.ctx.db, finding, Action.ACCEPT, {"severity": severity.value})
        except StoreError as error:
            self.status.setText(error_message(error))
            return False
        self.status.setText(self.tr("已受理挂账，等待服务器确认。"))
        self.detail.show_finding(None)
        self.ctx.notify(FINDINGS)  # every page reads again, this one too
        self.select_row(min(max(row, 0), max(0, self.model.total - 1)))
        return True

    def start_action(self, action: Action) -> ActionDialog | None:
        finding = self.detail.finding
        if finding is None:
            return None
        row = self.table.currentIndex().row()
        self.action_dialog = open_action(self.ctx, finding, action, self, lambda _d: self._decided(row))
        return self.action_dialog

    def _decided(self, row: int) -> None:
        """After a dialog's decision (already announced): show the finding that followed in the queue."""
        self.action_dialog = None
        self.status.setText(self.tr("已保存，等待服务器确认。"))
        self.select_row(min(max(row, 0), max(0, self.model.total - 1)))

    # -- language -------------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.title.setText(self.tr("审核"))
        self.role_hint.setText(self.tr("受理和不予立案需要督查员角色：请在设置中以督查员账号登录。"))
        self.accept_general.setText(self.tr("受理为一般隐患"))
        self.accept_major.setText(self.tr("受理为重大隐患"))
        self.reject_button.setText(self.tr("不予立案…"))
        for action, button in self.decision_buttons.items():
            button.setText(action_label(action.value) + "…")
        for index, text in enumerate((self.tr("待受理"), self.tr("延期申请"), self.tr("督办"))):
            self.queue_combo.setItemText(index, text)
        self._show_count()
        self.model.retranslate()
        for key, width in self.model.label_widths(self.table.fontMetrics()).items():
            if key in SHOWN_COLUMNS:
                self.table.setColumnWidth(LedgerTableModel.COLUMNS.index(key), max(SHOWN_COLUMNS[key], width))

    def _show_count(self) -> None:
        total = self.model.total
        self.count.setText(
            {
                "reported": self.tr("待受理 %n 条", "", total),
                "extension": self.tr("延期申请 %n 条", "", total),
                "escalation": self.tr("督办 %n 条", "", total),
            }[self.queue]
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
