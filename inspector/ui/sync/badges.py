"""Per-record and per-photo sync state for the lists (仅本机 / 待同步 / 已同步 / 被拒绝 / 冲突): icon and tooltip.

A record's row says pending, synced or "refused"; whether the server refused it for good (被拒绝) or found it stale
(冲突) and why is in its open conflict record (`store.sync_state.open_refusals`, for the rows on screen at once).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QRect, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QTreeWidgetItem

from inspector.store.sync_state import CONFLICT, REJECTED, Refusal
from inspector.ui.shared.resources import icon

translate = QCoreApplication.translate

LOCAL, PENDING, SYNCED = "local", "pending", "synced"
PHOTOS_COMING = "photos_coming"  # the server confirmed the record, its photos are still on their way here
_ICONS = {PENDING: "sync", SYNCED: "pass", REJECTED: "fail", CONFLICT: "warning", PHOTOS_COMING: "sync"}
SYNC_STATE_ROLE = Qt.ItemDataRole.UserRole + 7  # list and tree items keep their badge's state here


def badge_label(state: str) -> str:
    """The state's name for people."""
    return {
        LOCAL: translate("SyncBadges", "仅本机"),
        PENDING: translate("SyncBadges", "待同步"),
        SYNCED: translate("SyncBadges", "已同步"),
        REJECTED: translate("SyncBadges", "被拒绝"),
        CONFLICT: translate("SyncBadges", "冲突"),
        PHOTOS_COMING: translate("SyncBadges", "照片下载中"),
    }.get(state, state)


def badge_icon(state: str) -> QIcon:
    """A small icon for the state (none for records that only exist here)."""
    name = _ICONS.get(state)
    return icon(name) if name else QIcon()


def badge_tooltip(state: str, refusal: Refusal | None = None) -> str:
    """What the state means, and the server's reason for a refused record."""
    text = {
        LOCAL: translate("SyncBadges", "只保存在本机（草稿不上传）"),
        PENDING: translate("SyncBadges", "已保存在本机，等待上传到服务器"),
        SYNCED: translate("SyncBadges", "服务器已确认"),
        REJECTED: translate("SyncBadges", "服务器拒绝了这项变更"),
        CONFLICT: translate("SyncBadges", "服务器上的记录已变化，这项变更未生效"),
        PHOTOS_COMING: translate("SyncBadges", "记录已同步，照片尚未全部下载到本机"),
    }.get(state, state)
    if refusal is not None and refusal.message:
        text += "\n" + translate("SyncBadges", "原因：%1").replace("%1", refusal.message)
    return text


def record_state(row_state: str, refusal: Refusal | None) -> str:
    """A record's badge from its row's sync state and its open conflict record, if any."""
    if refusal is not None:
        return REJECTED if refusal.status == REJECTED else CONFLICT
    return row_state if row_state in (LOCAL, PENDING, SYNCED, CONFLICT) else PENDING


def finding_state(has_pending: bool, has_conflict: bool, refusal: Refusal | None) -> str:
    """A finding's badge from its flags: refused (conflict or rejected) before waiting before synced."""
    if has_conflict or refusal is not None:
        return REJECTED if refusal is not None and refusal.status == REJECTED else CONFLICT
    return PENDING if has_pending else SYNCED


def photo_state(uploaded: bool) -> str:
    """A photo is synced once the server holds it (verified by hash); until then it waits."""
    return SYNCED if uploaded else PENDING


def show_badge(item: QTreeWidgetItem, column: int, state: str, refusal: Refusal | None = None) -> None:
    """Put a record's badge in a list row's sync column: its name, icon and tooltip (the state in SYNC_STATE_ROLE)."""
    item.setText(column, badge_label(state))
    item.setIcon(column, badge_icon(state))
    item.setToolTip(column, badge_tooltip(state, refusal))
    item.setData(column, SYNC_STATE_ROLE, state)


def with_badge(pixmap: QPixmap, state: str, size: int = 20) -> QPixmap:
    """The thumbnail with the state's icon in its bottom-right corner."""
    badge = badge_icon(state)
    if pixmap.isNull() or badge.isNull():
        return pixmap
    marked = QPixmap(pixmap)
    painter = QPainter(marked)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    corner = QRect(marked.width() - size - 2, marked.height() - size - 2, size, size)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(Qt.GlobalColor.white)
    painter.drawEllipse(corner.adjusted(-2, -2, 2, 2))
    painter.drawPixmap(corner, badge.pixmap(QSize(size, size)))
    painter.end()
    return marked
