"""工作台 (Today): drafts to resume, my to-do findings, what waits to sync, and the big "new inspection" button."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QEvent, QLocale, Qt, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from inspector.core.clock import display, local_date, utc_now
from inspector.core.ledger import OPEN_STATES, Action, Actor, Role, allowed_actions
from inspector.store import profile, subjects
from inspector.store.database import DataFolder
from inspector.store.errors import StoreError
from inspector.store.sync_state import Refusal, open_refusals
from inspector.ui.shared.context import AppContext
from inspector.ui.shared.labels import (
    change_kind_label,
    checklist_title,
    pending_label,
    severity_label,
    state_label,
)
from inspector.ui.shared.resources import icon
from inspector.ui.shared.widgets import Debouncer, Page, card, hint_label, on_error, page_header, title_label
from inspector.ui.shared.workers import FunctionWorker
from inspector.ui.sync.badges import (
    SYNC_STATE_ROLE,
    badge_icon,
    badge_label,
    badge_tooltip,
    finding_state,
)

if TYPE_CHECKING:
    from inspector.store.findings import LocalFinding
    from inspector.ui.sync.controller import SyncController, SyncState


@dataclass(frozen=True)
class DraftRow:
    inspection_id: str
    subject: str
    checklist: str
    answered: int
    total: int
    updated_at: str


@dataclass(frozen=True)
class FindingRow:
    finding_id: str
    state: str
    severity: str
    category: str
    description: str
    subject: str
    sync_state: str = "synced"
    refusal: Refusal | None = None  # the server's reason when it refused the finding's last command
    ledger_number: str = ""
    deadline: str = ""  # the Beijing date, ISO
    overdue: bool = False


@dataclass
class TodayData:
    """Everything the page shows, read on a worker's own connection."""

    drafts: list[DraftRow] = field(default_factory=list)
    findings: list[FindingRow] = field(default_factory=list)
    pending: Counter[str] = field(default_factory=Counter)
    photos_waiting: int = 0
    todo_unlisted: int = 0  # to-dos found but not listed (the list shows TODO_LISTED)
    todo_read_all: bool = True  # False: there were more open findings than TODO_READ, the older ones not judged


class SubjectNames:
    """Subject names by id, read once each."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.names: dict[str, str] = {}

    def __call__(self, subject_id: str | None) -> str:
        if not subject_id:
            return ""
        if subject_id not in self.names:
            try:
                self.names[subject_id] = subjects.get(self.db, subject_id).name
            except StoreError:
                self.names[subject_id] = subject_id
        return self.names[subject_id]


# The steps each role owes on an open finding: the supervisor's 受理/不予立案, 派遣, 核查 and the decision on an
# extension request; the inspector's 整改反馈 from the field. 督办, 延期, asking for more time and a supervisor's
# 整改反馈 on someone's behalf can be taken any time and make nothing anyone's to-do.
NEXT_STEPS: dict[Role, frozenset[Action]] = {
    Role.SUPERVISOR: frozenset(
        {
            Action.ACCEPT,
            Action.REJECT,
            Action.ASSIGN,
            Action.VERIFY_PASS,
            Action.VERIFY_FAIL,
            Action.APPROVE_EXTENSION,
            Action.REFUSE_EXTENSION,
        }
    ),
    Role.INSPECTOR: frozenset({Action.RECTIFY}),
}


def my_todo(db: Any, listed: list[LocalFinding]) -> list[LocalFinding]:
    """我的待办: the open findings this laptop's user reported, and those whose next step is theirs to take, judged
    by the ledger's rules for the actor this laptop acts as (the signed-in account; before any login an inspector
    whose area is the record's own, so an assigned finding waits for their 整改反馈)."""
    me = profile.user_id(db)
    local_actor = profile.local_actors(db)
    actors: dict[str, Actor] = {}
    chosen: list[LocalFinding] = []
    for finding in listed:
        view = finding.view
        if view.state not in OPEN_STATES:
            continue
        if view.reported_by == me:
            chosen.append(finding)
            continue
        if view.jurisdiction not in actors:
            actors[view.jurisdiction] = local_actor(view.jurisdiction)
        actor = actors[view.jurisdiction]
        owed = frozenset().union(*(NEXT_STEPS.get(role, frozenset()) for role in actor.roles))
        if owed.intersection(allowed_actions(view, actor)):
            chosen.append(finding)
    return chosen


# 我的待办 judges the open findings most recently changed first, at most TODO_READ of them, and lists TODO_LISTED of
# the to-dos it finds, overdue ones first; the page says what it left out and where the rest is (the ledger filters
# by state).
TODO_READ = 2000
TODO_LISTED = 200


def load_today(folder: DataFolder) -> TodayData:
    """Read the page's data (runs in a worker, which also pays for importing these store modules)."""
    from inspector.store import findings, inspections, outbox, photos, places

    db = folder.connect()
    try:
        data = TodayData()
        subject_name = SubjectNames(db)
        for draft in inspections.list_inspections(db, status="draft"):
            try:
                pinned = inspections.checklists_of(db, draft)  # a "1+10" visit: every list's items count
                title = " + ".join(checklist_title(checklist.title, checklist.title_en) for checklist in pinned)
                total = sum(1 for checklist in pinned for item in checklist.items if item.can_fail)
            except StoreError:
                title, total = draft.checklist_id, 0
            answered = len(inspections.responses(db, draft.id))
            data.drafts.append(
                DraftRow(draft.id, subject_name(draft.subject_id), title, answered, total, draft.updated_at)
            )
        listed = findings.list_findings(db, states=OPEN_STATES, limit=TODO_READ)
        now = utc_now()
        mine = my_todo(db, listed)
        overdue = {finding.id for finding in mine if finding.is_overdue(now)}
        mine.sort(key=lambda finding: finding.id not in overdue)  # overdue first, each group newest first
        data.todo_unlisted = max(0, len(mine) - TODO_LISTED)
        data.todo_read_all = len(listed) < TODO_READ
        mine = mine[:TODO_LISTED]
        refusals = open_refusals(db, [finding.id for finding in mine if finding.has_conflict])
        reported = places.reported_places(db, [finding.id for finding in mine if not finding.view.subject_id])
        for finding in mine:
            view, refusal = finding.view, refusals.get(finding.id)
            data.findings.append(
                FindingRow(
                    finding.id,
                    view.state.value,
                    view.severity.value if view.severity else "",
                    view.category,
                    view.description,
                    subject_name(view.subject_id) or reported.get(finding.id, places.Place()).text(),
                    finding_state(finding.has_pending, finding.has_conflict, refusal),
                    refusal,
                    view.ledger_number or "",
                    view.deadline.isoformat() if view.deadline else "",
                    finding.id in overdue,
                )
            )
        data.pending = Counter(entry.kind for entry in outbox.list_pending(db, limit=100_000))
        data.photos_waiting = len(photos.not_uploaded(db))
        return data
    finally:
        db.close()


def _wrapping_list() -> QListWidget:
    """A list whose long lines wrap instead of scrolling sideways."""
    widget = QListWidget()
    widget.setWordWrap(True)
    widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    widget.setResizeMode(QListWidget.ResizeMode.Adjust)
    widget.setSpacing(2)
    return widget


class TodayView(Page):
    """The start page."""

    new_inspection_requested = Signal(str)  # a subject id, or '' to choose one
    adhoc_requested = Signal()
    inspection_requested = Signal(str)
    finding_requested = Signal(str)

    def __init__(self, ctx: AppContext, sync: SyncController | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.data = TodayData()
        self.loading = False
        self.left = False  # the user went to another page: a read that has not begun yet waits for the return
        self._reload_later = Debouncer(150, self.reload, self)

        self.title = title_label()
        self.date_label = hint_label()
        self.new_button = QPushButton(icon("new"), "")
        self.new_button.setObjectName("bigPrimary")
        self.new_button.clicked.connect(lambda: self.new_inspection_requested.emit(""))
        self.adhoc_button = QPushButton(icon("camera"), "")
        self.adhoc_button.setObjectName("bigSecondary")
        self.adhoc_button.clicked.connect(self.adhoc_requested)

        self.drafts_title = title_label(name="sectionTitle")
        self.drafts = _wrapping_list()
        self.drafts.itemActivated.connect(self._open_draft)
        self.drafts_empty = hint_label()
        self.findings_title = title_label(name="sectionTitle")
        self.findings = _wrapping_list()
        self.findings.itemActivated.connect(self._open_finding)
        self.findings_empty = hint_label()
        self.findings_more = hint_label()
        self.findings_more.setVisible(False)
        self.sync_title = title_label(name="sectionTitle")
        self.sync_lines = QLabel()
        self.sync_lines.setWordWrap(True)
        self.sync_lines.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.sync_note = hint_label()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addLayout(page_header(self.title, self.date_label))
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.adhoc_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        columns = QHBoxLayout()
        for title, body, hints, stretch in (
            (self.drafts_title, self.drafts, [self.drafts_empty], 3),
            (self.findings_title, self.findings, [self.findings_empty, self.findings_more], 3),
            (self.sync_title, self.sync_lines, [self.sync_note], 2),
        ):
            frame, inner = card(self)
            inner.addWidget(title)
            inner.addWidget(body, 1)
            for hint in hints:
                inner.addWidget(hint)
            columns.addWidget(frame, stretch)
        layout.addLayout(columns, 1)
        self.setTabOrder(self.new_button, self.adhoc_button)
        self.setTabOrder(self.adhoc_button, self.drafts)
        self.setTabOrder(self.drafts, self.findings)

        self.stale = False
        ctx.changed.connect(self._on_changed)
        if sync is not None:  # the "not configured" note goes once a server is set up
            sync.state_changed.connect(self._sync_state_changed)
            if sync.state is not None:
                self._sync_state_changed(sync.state)
        self.retranslate()
        self.reload()

    def _sync_state_changed(self, state: SyncState) -> None:
        self.sync_note.setVisible(not state.configured)

    def _on_changed(self, _kind: str) -> None:
        """Refresh now when shown; otherwise when shown next (no background reads while the runner is busy)."""
        if self.isVisible():
            self._reload_later.poke()
        else:
            self.stale = True

    def activate(self) -> None:
        if self.stale or not self.loading:
            self.stale = False
            self._reload_later.poke()

    def reload(self) -> None:
        """Read the page's data in the background; the lists fill in when it arrives."""
        if self.loading:
            self._reload_later.poke()
            return
        self.loading = True
        folder = self.ctx.folder

        def read(_worker: Any) -> TodayData | None:
            # the window opens on this page and the user may leave it at once: a read still queued then does not
            # take a thread from the page they went to (activate() reads again on their return)
            return None if self.left else load_today(folder)

        worker = FunctionWorker(read)
        worker.signals.finished.connect(self._loaded)
        worker.signals.failed.connect(self._load_failed)
        self.ctx.run(worker)

    def _load_failed(self, error: BaseException) -> None:
        self.loading = False
        on_error(self, error, self.tr("无法读取今日工作"))

    def _loaded(self, data: TodayData | None) -> None:
        self.loading = False
        if data is None:
            self.stale = True  # not read (the user had left): read when shown again
        else:
            self.data = data
            self._fill()

    def showEvent(self, event: QShowEvent) -> None:
        self.left = False
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        if not event.spontaneous():  # another page shown, not the window minimised
            self.left = True
        super().hideEvent(event)

    def _fill(self) -> None:
        self.drafts.clear()
        for draft in self.data.drafts:
            text = f"{draft.subject} · {draft.checklist}\n" + self.tr("已填 %1/%2 项 · 更新于 %3").replace(
                "%1", str(draft.answered)
            ).replace("%2", str(draft.total)).replace("%3", display(draft.updated_at))
            item = QListWidgetItem(icon("inspection"), text)
            item.setData(Qt.ItemDataRole.UserRole, draft.inspection_id)
            self.drafts.addItem(item)
        self.findings.clear()
        for finding in self.data.findings:
            head = f"{state_label(finding.state)} · {severity_label(finding.severity)} · {finding.category}"
            head += f" · {badge_label(finding.sync_state)}"
            facts = [finding.ledger_number or pending_label()]
            if finding.deadline:
                facts.append(self.tr("期限 %1").replace("%1", finding.deadline))
            if finding.overdue:
                facts.append(self.tr("逾期"))
            head += "\n" + " · ".join(facts)
            body = " ".join(part for part in (finding.subject, finding.description.replace("\n", " ")) if part)
            text = f"{head}\n{body}"
            item = QListWidgetItem(badge_icon(finding.sync_state), text)
            item.setData(Qt.ItemDataRole.UserRole, finding.finding_id)
            item.setData(SYNC_STATE_ROLE, finding.sync_state)
            item.setToolTip(finding.description + "\n" + badge_tooltip(finding.sync_state, finding.refusal))
            self.findings.addItem(item)
        self.drafts_empty.setVisible(not self.data.drafts)
        self.findings_empty.setVisible(not self.data.findings)
        self.findings_more.setText(self._unlisted_note())
        self.findings_more.setVisible(bool(self.findings_more.text()))
        lines = [f"{change_kind_label(kind)}：{count}" for kind, count in sorted(self.data.pending.items())]
        lines.append(self.tr("照片未上传：%1").replace("%1", str(self.data.photos_waiting)))
        if not self.data.pending:
            lines.insert(0, self.tr("没有待同步的变更"))
        self.sync_lines.setText("\n".join(lines))

    def _unlisted_note(self) -> str:
        """What the to-do list leaves out, and where to find it; empty when it lists everything."""
        if not self.data.todo_read_all:
            return self.tr("只判断了最近变动的 %1 个未结问题，可能还有更早的待办：请到“隐患台账”按状态查看。").replace(
                "%1", str(TODO_READ)
            )
        if self.data.todo_unlisted:
            return self.tr("另有 %1 项待办未在此列出：请到“隐患台账”按状态查看。").replace(
                "%1", str(self.data.todo_unlisted)
            )
        return ""

    def _open_draft(self, item: QListWidgetItem) -> None:
        self.inspection_requested.emit(item.data(Qt.ItemDataRole.UserRole))

    def _open_finding(self, item: QListWidgetItem) -> None:
        self.finding_requested.emit(item.data(Qt.ItemDataRole.UserRole))

    def retranslate(self) -> None:
        self.title.setText(self.tr("工作台"))
        today = local_date(utc_now())  # the Beijing calendar day, whatever the laptop's time zone
        self.date_label.setText(
            QLocale().toString(QDate(today.year, today.month, today.day), QLocale.FormatType.LongFormat)
        )
        self.new_button.setText(self.tr("新建检查"))
        self.new_button.setToolTip("Ctrl+N")
        self.adhoc_button.setText(self.tr("随手拍"))
        self.adhoc_button.setToolTip(self.tr("不按检查表，直接记录发现的问题") + " (Ctrl+Shift+N)")
        self.drafts_title.setText(self.tr("未完成的检查"))
        self.drafts_empty.setText(self.tr("没有未完成的检查。点“新建检查”开始。"))
        self.findings_title.setText(self.tr("我的待办问题"))
        self.findings_empty.setText(self.tr("没有待处理的问题。"))
        self.sync_title.setText(self.tr("待同步"))
        self.sync_note.setText(self.tr("未配置同步：数据都保存在本机，配置服务器后再上传。"))
        self._fill()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
