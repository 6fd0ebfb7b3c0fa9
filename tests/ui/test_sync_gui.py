"""Sync in the desktop app against the real server on 127.0.0.1: log in on the settings page, sync from the status
bar and watch the counts and badges change, cancel a running sync, the login errors people see, and the automatic
sync after start and when the server comes back — always on a worker thread, never on the GUI thread."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sync_gui_helpers import (
    FAST_SYNC,
    PASSWORD,
    Client,
    ServerProcess,
    click_sync,
    free_port,
    log_in,
    manual_sync,
    memory_keyring_fixture,  # noqa: F401  (autouse)
    server_template,
    sync_server_fixture,  # noqa: F401  (the sync_server fixture)
    wait_state,
    wait_today_badge,
)
from ui_helpers import close_app, open_app

from inspector.core.clock import display
from inspector.store import settings, subjects
from inspector.store.database import open_data_folder
from inspector.sync.engine import login
from inspector.ui.shared.context import INSPECTIONS
from inspector.ui.sync.badges import SYNC_STATE_ROLE
from inspector.ui.sync.controller import INTERVAL_SETTING, PROBE_SETTING, START_DELAY_SETTING


def _click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _login_on_page(qtbot, window, url: str, username: str, password: str):  # type: ignore[no-untyped-def]
    """Fill in the settings page's login form and click 登录; returns the panel once the answer is shown."""
    panel = window.show_page("settings").login_panel
    for field, text in ((panel.server_url, url), (panel.username, username), (panel.password, password)):
        field.clear()
        qtbot.keyClicks(field, text)
    with qtbot.waitSignal(window.sync.login_finished, timeout=30_000):
        _click(qtbot, panel.login_button)
    return panel


def _inspection_badge(window, inspection_id: str) -> str:  # type: ignore[no-untyped-def]
    page = window.show_page("inspections")
    page.reload()
    for row in range(page.table.topLevelItemCount()):
        line = page.table.topLevelItem(row)
        if line.data(0, Qt.ItemDataRole.UserRole) == inspection_id:
            return str(line.data(6, SYNC_STATE_ROLE))
    raise AssertionError(f"inspection {inspection_id} is not listed")


def _finding_photo_badges(window, finding_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    page = window.show_page("findings")
    page.select_finding(finding_id)
    strip = page.detail.photos.list
    return [strip.item(row).data(SYNC_STATE_ROLE) for row in range(strip.count())]


def test_log_in_on_the_settings_page_and_sync_from_the_status_bar(  # type: ignore[no-untyped-def]
    started, qtbot, sync_server: ServerProcess, tmp_path: Path
) -> None:
    window = started.window
    manual_sync(window)
    status = window.status
    assert status.sync_label.text() == "未配置同步"
    today = window.show_page("today")
    wait_state(qtbot, window, lambda s: not s.configured)
    assert today.sync_note.isVisibleTo(today)
    _click(qtbot, status.sync_widget.sync_button)  # nothing to sync with yet: the button leads to the login
    assert window.current_page_key() == "settings" and window.sync.worker is None
    assert status.sync_widget.last_message == "请先在设置中登录同步服务器。"

    panel = _login_on_page(qtbot, window, sync_server.url, "ins", "not-the-password")
    assert panel.message.text() == "用户名或密码不正确。" and panel.message.objectName() == "error"
    panel = _login_on_page(qtbot, window, sync_server.url, "ins", PASSWORD)
    assert panel.message.text() == "已登录。" and panel.password.text() == ""
    state = wait_state(qtbot, window, lambda s: s.logged_in)
    assert state.roles == ("inspector",) and state.status.token_storage == "keyring"
    assert "已登录：ins-name (ins)" in panel.account.text() and "角色：巡查员" in panel.account.text()
    assert "110105004000000" in panel.account.text()
    assert not panel.memory_notice.isVisibleTo(panel)
    assert status.sync_label.text() == "尚未同步"
    assert not today.sync_note.isVisibleTo(today)  # no more "sync not configured" on the today page
    assert panel.interval.currentData() == 0  # as manual_sync chose; a choice applies at once
    panel.interval.setCurrentIndex(panel.interval.findData(15))
    assert window.sync.interval_timer.isActive() and window.sync.interval_timer.interval() == 15 * 60_000
    panel.interval.setCurrentIndex(panel.interval.findData(0))
    assert not window.sync.interval_timer.isActive() and settings.get(window.ctx.db, INTERVAL_SETTING) == 0

    # Work done on this laptop: an inspection with a failed item, its photo, and the finding reported from it.
    laptop = Client(window.ctx.folder, tmp_path / "camera")
    inspection_id, finding_id = laptop.inspection_with_finding(1, laptop.subject("三里屯北小街"))
    window.ctx.notify(INSPECTIONS)
    wait_state(qtbot, window, lambda s: s.waiting == 4)  # subject, inspection, report, and one photo
    assert status.pending_label.text() == "待同步 4 项"
    assert "照片 1 张" in status.pending_label.toolTip()
    assert _inspection_badge(window, inspection_id) == "pending"
    assert _finding_photo_badges(window, finding_id) == ["pending"]
    wait_today_badge(qtbot, window, finding_id, "pending")

    worker, summary = click_sync(qtbot, window)
    assert worker.thread_ident is not None and worker.thread_ident != threading.get_ident()
    assert worker.progress_threads == {worker.thread_ident}  # the engine's progress reports came from the worker
    assert summary.outcome == "ok" and summary.photos_uploaded == 1 and summary.acknowledged == 3
    # the queue empties before the cycle's end is recorded (photos are fetched after the records): wait for both
    state = wait_state(qtbot, window, lambda s: s.waiting == 0 and s.status.last_success_at is not None)
    assert status.pending_label.text() == "待同步 0 项"
    assert status.sync_label.text() == "上次同步 " + display(state.status.last_success_at)
    assert status.sync_widget.last_message.startswith("同步完成：上传照片 1 张，提交 3 项")
    assert not status.sync_widget.progress.isVisibleTo(status)
    assert _inspection_badge(window, inspection_id) == "synced"
    assert _finding_photo_badges(window, finding_id) == ["synced"]
    wait_today_badge(qtbot, window, finding_id, "synced")
    assert "三里屯" in panel.account.text()  # the jurisdiction's name came with the pull

    panel = window.show_page("settings").login_panel
    with qtbot.waitSignal(window.sync.logout_finished, timeout=30_000):
        _click(qtbot, panel.logout_button)
    assert panel.message.text().startswith("已退出登录")
    wait_state(qtbot, window, lambda s: not s.logged_in)
    assert status.sync_label.text() == "需要登录"
    assert "登录已失效或未保存" in panel.account.text()


def test_a_running_sync_can_be_cancelled_and_the_next_one_finishes(  # type: ignore[no-untyped-def]
    started, qtbot, sync_server: ServerProcess, tmp_path: Path
) -> None:
    window = started.window
    manual_sync(window)
    log_in(qtbot, window, sync_server.url, "ins2")
    laptop = Client(window.ctx.folder, tmp_path / "camera")
    laptop.inspection_with_finding(2, laptop.subject("幸福二村"))
    assert sync_server.process is not None
    sync_server.process.send_signal(signal.SIGSTOP)  # the server takes connections but answers nothing
    try:
        widget = window.status.sync_widget
        with qtbot.waitSignal(window.sync.cycle_finished, timeout=30_000) as finished:
            _click(qtbot, widget.sync_button)
            assert window.sync.running and widget.cancel_button.isVisibleTo(widget)
            assert not widget.sync_button.isEnabled()
            assert window.sync.sync_now("again") is None  # one cycle at a time
            _click(qtbot, widget.cancel_button)
            assert widget.progress.format() == "正在取消…"
    finally:
        sync_server.process.send_signal(signal.SIGCONT)
    summary = finished.args[0]
    assert summary.outcome == "cancelled" and summary.acknowledged == 0
    assert widget.last_message == "同步已取消，下次同步从中断处继续。"
    assert not widget.cancel_button.isVisibleTo(widget) and widget.sync_button.isEnabled()
    assert laptop.outbox_count() == 3

    _worker, summary = click_sync(qtbot, window)
    assert summary.outcome == "ok" and summary.acknowledged == 3 and laptop.outbox_count() == 0


def test_login_errors_say_what_to_do(started, qtbot, sync_server: ServerProcess, tmp_path: Path,  # type: ignore[no-untyped-def]
                                     tmp_path_factory) -> None:  # fmt: skip
    window = started.window
    manual_sync(window)
    nowhere = f"http://127.0.0.1:{free_port()}"
    panel = _login_on_page(qtbot, window, nowhere, "ins", PASSWORD)
    assert panel.message.text().startswith("无法连接服务器，请检查网络和服务器地址。")
    assert panel.message.objectName() == "error" and panel.login_button.isEnabled()

    panel.ca_bundle.setText(str(tmp_path / "missing-ca.pem"))
    _click(qtbot, panel.login_button)
    assert panel.message.text().startswith("找不到 CA 证书文件")
    panel.ca_bundle.clear()

    for _attempt in range(5):  # the server allows five failures per account in its window
        _login_on_page(qtbot, window, sync_server.url, "sup2", "wrong")
        assert panel.message.text() == "用户名或密码不正确。"
    _login_on_page(qtbot, window, sync_server.url, "sup2", "wrong")
    assert panel.message.text().startswith("登录失败次数过多，请 ") and panel.message.text().endswith(" 秒后再试。")
    seconds = int(panel.message.text().removeprefix("登录失败次数过多，请 ").removesuffix(" 秒后再试。"))
    assert 0 < seconds <= 300

    newer = ServerProcess(tmp_path / "newer-server", server_template(tmp_path_factory))
    newer.start(INSPECTOR_MIN_CLIENT_VERSION="99.0.0")
    try:
        _login_on_page(qtbot, window, newer.url, "ins", PASSWORD)
    finally:
        newer.stop()
    assert panel.message.text().startswith("需要安装新版本：本程序版本")
    assert "99.0.0" in panel.message.text() and "请安装新版本" in panel.message.text()
    assert settings.get(window.ctx.db, "sync.server_url") is None  # nothing was kept from the failed logins


def test_sync_starts_by_itself_after_start_and_when_the_server_comes_back(  # type: ignore[no-untyped-def]
    app, qtbot, sync_server: ServerProcess, data_dir: Path, tmp_path: Path
) -> None:
    folder = open_data_folder(data_dir)
    laptop = Client(folder, tmp_path / "camera")
    with laptop.db() as db:
        automatic = {INTERVAL_SETTING: "5", START_DELAY_SETTING: "0.1", PROBE_SETTING: "0.2"}
        for key, value in {**FAST_SYNC, **automatic}.items():
            settings.put_text(db, key, value)
    login(folder, sync_server.url, "sup", PASSWORD)
    controller = open_app(data_dir)
    try:
        window = controller.window
        qtbot.waitUntil(lambda: window.sync.cycles >= 1, timeout=30_000)  # nobody clicked: the start did it
        first = window.sync.last_worker
        assert first.trigger == "start" and first.thread_ident != threading.get_ident()
        assert window.sync.last_summary.outcome == "ok"
        assert window.sync.interval_timer.isActive() and window.sync.interval_timer.interval() == 5 * 60_000

        # The server goes away; the app only probes it (as where the system has no network information).
        window.sync.network.fall_back_to_probe()
        sync_server.stop()
        qtbot.waitUntil(lambda: window.status.network_label.text() == "离线", timeout=20_000)
        with laptop.db() as db:
            subjects.create(db, kind="back_street", name="三里屯南路", jurisdiction="110105004032000")
        window.ctx.notify(INSPECTIONS)
        cycles = window.sync.cycles
        sync_server.start()
        qtbot.waitUntil(lambda: window.sync.cycles > cycles, timeout=30_000)
        assert window.status.network_label.text() == "在线"
        assert window.sync.last_worker.trigger == "network"
        summary = window.sync.last_summary
        assert summary.outcome == "ok" and summary.acknowledged == 1
        assert laptop.outbox_count() == 0
        QApplication.processEvents()
    finally:
        close_app(controller)
