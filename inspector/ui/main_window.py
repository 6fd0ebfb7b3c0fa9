"""The main window: navigation on the left, one page per area, the status bar; remembers geometry and last page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from inspector.store import settings
from inspector.ui.shared.resources import icon, tinted_icon
from inspector.ui.shared.widgets import Page, shortcut

if TYPE_CHECKING:
    from inspector.ui.ledger.view import FindingsView
    from inspector.ui.runner.inspections_view import InspectionsView
    from inspector.ui.shared.context import AppContext
    from inspector.ui.sync.controller import SyncController
    from inspector.ui.sync.status_bar import StatusBar

# Where older versions kept the window's state; read once into the settings table, then removed.
OLD_STATE_FILENAME = "ui-state.ini"
DEFAULT_SIZE = QSize(1280, 720)
MINIMUM_SIZE = QSize(1000, 620)
STATISTICS_WARM_UP_TRIES = 30  # each STATISTICS_WARM_UP_MS apart while the worker pool is busy
STATISTICS_WARM_UP_MS = 2000  # after the window has its data: start-up's work and the first steps go first


@dataclass(frozen=True)
class PageSpec:
    """One navigation entry: its key and icon (the window builds the page on first use)."""

    key: str
    icon: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("today", "today"),
    PageSpec("inspections", "inspection"),
    PageSpec("subjects", "subjects"),
    PageSpec("review", "pass"),
    PageSpec("findings", "findings"),
    PageSpec("statistics", "template"),
    PageSpec("campaigns", "campaign"),
    PageSpec("settings", "settings"),
)


class MainWindow(QMainWindow):
    """The app's one window. Pages get the context and the collaborators they need, and ask the window for what
    crosses pages (open an inspection, start one, show a finding, restore a backup) through their signals."""

    restore_requested = Signal(Path)  # a backup archive to replace this folder's data with

    def __init__(self, root: Path, ctx: AppContext | None = None) -> None:
        """The window's frame for the data folder at root; its pages appear once attach() gives it the data."""
        super().__init__()
        self.ctx: AppContext | None = None  # set by attach()
        self.root = root
        self.pages: dict[str, Page] = {}
        self.builders: dict[str, Callable[[AppContext], Page]] = {
            "today": self._today_page,
            "inspections": self._inspections_page,
            "subjects": self._subjects_page,
            "review": self._review_page,
            "findings": self._findings_page,
            "statistics": self._statistics_page,
            "campaigns": self._campaigns_page,
            "settings": self._settings_page,
        }
        self.closing_quietly = False
        self.shown_inspection = ""  # the inspection the runner shows ('' for none), as its page last said
        self.status: StatusBar | None = None
        self.sync: SyncController | None = None  # once attached
        self.setWindowIcon(icon("app"))
        self.setMinimumSize(MINIMUM_SIZE)

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setIconSize(QSize(22, 22))
        self.nav.setFixedWidth(168)
        self.nav.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        for spec in PAGES:
            item = QListWidgetItem(tinted_icon(spec.icon, "#e8eef6"), "")
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self.nav.addItem(item)
        self.nav.setEnabled(False)
        self.stack = QStackedWidget()
        self.stack.setObjectName("pages")
        self.opening = QLabel()
        self.opening.setObjectName("hint")
        self.opening.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.opening)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(self._on_nav)
        self._add_shortcuts()
        self.retranslate()
        self._restore_geometry()
        if ctx is not None:
            self.attach(ctx)

    def attach(self, ctx: AppContext) -> None:
        """Give the window its data: the status bar, the pages, and the page that was open last time."""
        from inspector.ui.sync.controller import SyncController
        from inspector.ui.sync.status_bar import StatusBar

        self.ctx = ctx
        self.sync = SyncController(ctx, self)
        self.status = StatusBar(ctx, self.sync)
        self.setStatusBar(self.status)
        self.sync.start()
        if _take_in_old_state(self.root, ctx):
            self._restore_geometry()
        self.nav.setEnabled(True)
        self._restore_page()
        QTimer.singleShot(STATISTICS_WARM_UP_MS, self, lambda: self._warm_up_statistics(STATISTICS_WARM_UP_TRIES))

    def _warm_up_statistics(self, tries: int) -> None:
        """Prepare the statistics page's imports in the background (statistics/warm_up.py), so opening it later
        does not wait for the chart library; while other background work runs (a photo import, a sync), a little
        later, so the warm-up never slows what the user started (after STATISTICS_WARM_UP_TRIES, regardless)."""
        if self.ctx is None or self.closing_quietly:
            return
        if self.ctx.pool.running and tries > 1:
            QTimer.singleShot(STATISTICS_WARM_UP_MS, self, lambda: self._warm_up_statistics(tries - 1))
            return
        from inspector.ui.statistics import warm_up

        warm_up.start(self.ctx)

    # -- pages ------------------------------------------------------------------------------------------------

    def page(self, key: str) -> Page:
        """The page for a key, built on first use (its module is imported then, not at start-up)."""
        if key not in self.pages:
            assert self.ctx is not None, "pages exist once the data folder is attached"
            widget = self.builders[key](self.ctx)
            self.pages[key] = widget
            self.stack.addWidget(widget)
            self._restore_splitters(key, widget)
        return self.pages[key]

    def show_page(self, key: str) -> Page:
        """Switch to a page (and select it in the navigation)."""
        row = next(index for index, spec in enumerate(PAGES) if spec.key == key)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)  # _on_nav does the switch
        else:
            self._on_nav(row)
        return self.pages[key]

    def current_page_key(self) -> str:
        return PAGES[max(0, self.nav.currentRow())].key

    def _on_nav(self, row: int) -> None:
        if row < 0:
            return
        widget = self.page(PAGES[row].key)
        self.stack.setCurrentWidget(widget)
        widget.activate()

    def _today_page(self, ctx: AppContext) -> Page:
        from inspector.ui.today_view import TodayView

        page = TodayView(ctx, self.sync)
        page.new_inspection_requested.connect(self.new_inspection)
        page.adhoc_requested.connect(self.report_adhoc)
        page.inspection_requested.connect(self.open_inspection)
        page.finding_requested.connect(self.show_finding)
        return page

    def _inspections_page(self, ctx: AppContext) -> Page:
        from inspector.ui.runner.inspections_view import InspectionsView

        page = InspectionsView(ctx)
        page.new_inspection_requested.connect(self.new_inspection)
        page.inspection_shown.connect(self._remember_inspection)
        # written at once, so a restart comes back to the item even after a kill
        page.runner.item_shown.connect(lambda item_id: settings.put(ctx.db, "window.inspection_item", item_id))
        return page

    def _subjects_page(self, ctx: AppContext) -> Page:
        from inspector.ui.subjects.view import SubjectsView

        page = SubjectsView(ctx)
        page.new_inspection_requested.connect(self.new_inspection)
        return page

    def _review_page(self, ctx: AppContext) -> Page:
        from inspector.ui.ledger.review_view import ReviewView

        return ReviewView(ctx)

    def _findings_page(self, ctx: AppContext) -> Page:
        from inspector.ui.ledger.view import FindingsView

        page = FindingsView(ctx)
        page.adhoc_requested.connect(self.report_adhoc)
        return page

    def _statistics_page(self, ctx: AppContext) -> Page:
        from inspector.ui.statistics.view import StatisticsView

        return StatisticsView(ctx)

    def _campaigns_page(self, ctx: AppContext) -> Page:
        from inspector.ui.runner.campaigns_view import CampaignsView

        page = CampaignsView(ctx)
        page.campaign_inspection_requested.connect(self.new_inspection)
        return page

    def _settings_page(self, ctx: AppContext) -> Page:
        from inspector.ui.settings_view import SettingsView

        assert self.sync is not None
        page = SettingsView(ctx, self.sync)
        page.save_pending_requested.connect(self.flush_pending)
        page.restore_requested.connect(self.restore_requested)
        return page

    def inspections_page(self) -> InspectionsView:
        """The inspections page (list and runner), shown."""
        from inspector.ui.runner.inspections_view import InspectionsView

        page = self.show_page("inspections")
        assert isinstance(page, InspectionsView)
        return page

    def findings_page(self) -> FindingsView:
        """The ledger page, shown."""
        from inspector.ui.ledger.view import FindingsView

        page = self.show_page("findings")
        assert isinstance(page, FindingsView)
        return page

    # -- actions shared by several pages --------------------------------------------------------------------

    def open_inspection(self, inspection_id: str) -> None:
        """Show an inspection in the runner (a draft resumes where it was left)."""
        self.inspections_page().open_inspection(inspection_id)

    def new_inspection(
        self, subject_id: str | None = None, checklist_id: str | None = None, programme: str | None = None
    ) -> None:
        """Pick a subject and a checklist (preselected when given: a campaign's site and list, the inspection then
        made under the campaign), then start the runner."""
        from inspector.ui.runner.new_inspection import NewInspectionDialog

        assert self.ctx is not None
        dialog = NewInspectionDialog(self.ctx, self, subject_id=subject_id or None)
        if subject_id and checklist_id:
            dialog.choose(subject_id, checklist_id)
        if programme:
            dialog.programme.setText(programme)
        if dialog.exec() and dialog.inspection_id:
            self.open_inspection(dialog.inspection_id)

    def report_adhoc(self) -> None:
        """Record a problem without a checklist (随手拍)."""
        from inspector.ui.ledger.adhoc_dialog import AdhocFindingDialog

        assert self.ctx is not None
        dialog = AdhocFindingDialog(self.ctx, self)
        if dialog.exec() and dialog.finding_id:
            self.show_finding(dialog.finding_id)

    def show_finding(self, finding_id: str) -> None:
        self.findings_page().select_finding(finding_id)

    def _remember_inspection(self, inspection_id: str) -> None:
        """The runner shows an inspection ('' once back on the list): a restart resumes it."""
        assert self.ctx is not None
        self.shown_inspection = inspection_id
        values: dict[str, object] = {"window.inspection": inspection_id}
        if inspection_id:
            values["window.page"] = "inspections"
        settings.put_many(self.ctx.db, values)

    def flush_pending(self) -> None:
        """Save edits that wait for a pause in typing (notes); called before closing and after a crash."""
        if self.ctx is None:
            return
        for widget in self.pages.values():
            widget.flush()

    # -- keyboard ---------------------------------------------------------------------------------------------

    def _add_shortcuts(self) -> None:
        for index, spec in enumerate(PAGES):
            shortcut(f"Ctrl+{index + 1}", self, self._when_open(functools.partial(self.show_page, spec.key)))
        shortcut("Ctrl+N", self, self._when_open(self.new_inspection))
        shortcut("Ctrl+Shift+N", self, self._when_open(self.report_adhoc))

    def _when_open(self, action: Callable[[], object]) -> Callable[[], None]:
        """The action, doing nothing until the data folder is open."""

        def guarded() -> None:
            if self.ctx is not None:
                action()

        return guarded

    # -- language ---------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("巡查 · 城市管理现场检查"))
        self.opening.setText(self.tr("正在打开数据…"))
        titles = {
            "today": self.tr("工作台"),
            "inspections": self.tr("检查"),
            "subjects": self.tr("检查对象"),
            "review": self.tr("审核"),
            "findings": self.tr("隐患台账"),
            "statistics": self.tr("统计"),
            "campaigns": self.tr("专项行动"),
            "settings": self.tr("设置"),
        }
        for index, spec in enumerate(PAGES):
            item = self.nav.item(index)
            item.setText(titles[spec.key])
            item.setToolTip(f"{titles[spec.key]} (Ctrl+{index + 1})")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- geometry and last page -------------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        if self.ctx is not None:
            geometry = settings.get(self.ctx.db, "window.geometry")
        else:  # the first frame comes before the data folder is open
            geometry = settings.peek(self.root, ["window.geometry"])["window.geometry"]
        if not geometry or not self.restoreGeometry(QByteArray(geometry)):
            self._default_geometry()

    @staticmethod
    def saved_language(root: Path) -> str | None:
        """The interface language of the last run in this data folder, known before the data folder is opened."""
        return str(settings.peek(root, ["ui.language"])["ui.language"]) or None

    def _restore_page(self) -> None:
        assert self.ctx is not None
        last = str(settings.get(self.ctx.db, "window.page"))
        keys = [spec.key for spec in PAGES]
        self.show_page(last if last in keys else "today")
        inspection_id = settings.get(self.ctx.db, "window.inspection")
        if last == "inspections" and inspection_id:
            QTimer.singleShot(0, lambda: self._resume(str(inspection_id)))

    def _resume(self, inspection_id: str) -> None:
        assert self.ctx is not None
        self.inspections_page().resume(inspection_id, str(settings.get(self.ctx.db, "window.inspection_item")) or None)

    def _default_geometry(self) -> None:
        screen = QGuiApplication.primaryScreen()
        available = screen.availableGeometry() if screen else None
        size = QSize(DEFAULT_SIZE)
        if available is not None:
            size = size.boundedTo(available.size() - QSize(24, 24))
        self.resize(size.expandedTo(MINIMUM_SIZE))
        if available is not None:
            frame = self.frameGeometry()
            frame.moveCenter(available.center())
            self.move(frame.topLeft())

    def save_state(self) -> None:
        """Keep the window's geometry, page and open inspection in the settings table (once the data is open)."""
        if self.ctx is None:
            return
        splitters = dict(settings.get(self.ctx.db, "window.splitters"))  # pages not built this time keep theirs
        for key, widget in self.pages.items():
            sizes = [splitter.sizes() for splitter in widget.findChildren(QSplitter)]
            if sizes:
                splitters[key] = sizes
        settings.put_many(self.ctx.db, {
            "window.geometry": self.saveGeometry().data(),
            "window.page": self.current_page_key(),
            "window.inspection": self.shown_inspection,
            "window.splitters": splitters,
        })  # fmt: skip

    def _restore_splitters(self, key: str, widget: QWidget) -> None:
        """Give a page's splitters the sizes they had when the window was last closed (when the page still has as
        many splitters, each with as many parts)."""
        assert self.ctx is not None
        saved = settings.get(self.ctx.db, "window.splitters").get(key)
        splitters = widget.findChildren(QSplitter)
        if not isinstance(saved, list) or len(saved) != len(splitters):
            return
        for splitter, sizes in zip(splitters, saved, strict=True):
            if isinstance(sizes, list) and len(sizes) == splitter.count() and all(isinstance(n, int) for n in sizes):
                splitter.setSizes(sizes)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.sync is not None:
            self.sync.stop()
        if not self.closing_quietly and self.ctx is not None:
            self.flush_pending()
            self.save_state()
        super().closeEvent(event)


def _take_in_old_state(root: Path, ctx: AppContext) -> bool:
    """Move the window state an older version kept in `ui-state.ini` into the settings table, once: geometry, page
    and open inspection (the language it mirrored is in the table already). True when there was one to take in."""
    path = root / OLD_STATE_FILENAME
    if not path.is_file():
        return False
    old = QSettings(str(path), QSettings.Format.IniFormat)
    values: dict[str, object] = {}
    geometry = old.value("window/geometry")
    if isinstance(geometry, QByteArray) and not geometry.isEmpty():
        values["window.geometry"] = geometry.data()
    renamed = (("window/page", "window.page"), ("runner/inspection", "window.inspection"),
               ("runner/item", "window.inspection_item"))  # fmt: skip
    for old_key, key in renamed:
        value = old.value(old_key)
        if isinstance(value, str) and value:
            values[key] = value
    del old
    settings.put_many(ctx.db, values)
    path.unlink(missing_ok=True)
    return bool(values)
