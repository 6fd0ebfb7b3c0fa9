"""What the interface says about sync: login failures, how a cycle ended, its phases, and the account's roles.

The engine's errors are `UserError`s (`message_in` gives their text); the interface adds what the user can do.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication

from inspector.core.errors import UserError, message_in
from inspector.sync.errors import IncompatibleServerError, LoginFailedError, TransportError, UpgradeRequiredError

translate = QCoreApplication.translate  # each call names the "SyncMessages" context and a literal, for lupdate


def login_error_text(error: BaseException, language: str) -> str:
    """Why a login failed and what to do, for the settings page."""
    code = error.code if isinstance(error, UserError) else ""
    detail = message_in(error, language)
    if code == "login_failed":
        return translate("SyncMessages", "用户名或密码不正确。")
    if code == "account_disabled":
        return translate("SyncMessages", "此账号已停用，请联系管理员。")
    if code == "rate_limited":
        wait = error.retry_after if isinstance(error, LoginFailedError) else None
        if wait:
            return translate("SyncMessages", "登录失败次数过多，请 %1 秒后再试。").replace("%1", str(int(wait + 0.999)))
        return translate("SyncMessages", "登录失败次数过多，请稍后再试。")
    if isinstance(error, UpgradeRequiredError):
        return translate("SyncMessages", "需要安装新版本：%1").replace("%1", detail)
    if isinstance(error, IncompatibleServerError):
        return translate("SyncMessages", "服务器的同步协议与本程序不兼容，请联系管理员：%1").replace("%1", detail)
    if code == "tls":
        return translate("SyncMessages", "无法建立安全连接：服务器证书不受信任。如单位使用自己的证书，请指定 CA 文件。")
    if isinstance(error, TransportError):
        return translate("SyncMessages", "无法连接服务器，请检查网络和服务器地址。（%1）").replace("%1", detail)
    return detail


def summary_text(summary: Any, language: str) -> str:
    """One line on how a sync cycle ended."""
    if summary is None:
        return translate("SyncMessages", "同步出错，详情见日志。")
    outcome = summary.outcome
    if outcome in ("ok", "incomplete"):
        text = (
            translate("SyncMessages", "同步完成：上传照片 %1 张，提交 %2 项，收到 %3 项。")
            .replace("%1", str(summary.photos_uploaded))
            .replace("%2", str(summary.acknowledged))
            .replace("%3", str(summary.pulled))
        )
        refused = summary.conflicts + summary.rejected
        if refused:
            text += translate("SyncMessages", "%1 项冲突或被拒绝，请处理。").replace("%1", str(refused))
        if summary.pending_after:
            text += translate("SyncMessages", "%1 项仍待同步。").replace("%1", str(summary.pending_after))
        return text
    messages = {
        "cancelled": translate("SyncMessages", "同步已取消，下次同步从中断处继续。"),
        "login_required": translate("SyncMessages", "登录已失效，请在设置中重新登录（待同步的数据仍保留在本机）。"),
        "busy": translate("SyncMessages", "另一个同步正在此数据文件夹上进行（本程序或命令行），请稍后再试。"),
        "not_configured": translate("SyncMessages", "未配置同步：请先在设置中登录服务器。"),
    }
    if outcome in messages:
        return messages[outcome]
    detail = message_in(summary.failure, language) if summary.failure is not None else (summary.error or "")
    if outcome == "upgrade_required":
        return translate("SyncMessages", "需要安装新版本：%1").replace("%1", detail)
    return translate("SyncMessages", "同步失败：%1").replace("%1", detail)


def phase_label(phase: str) -> str:
    """A sync phase for the progress line."""
    return {
        "version": translate("SyncMessages", "连接服务器"),
        "photos": translate("SyncMessages", "上传照片"),
        "push": translate("SyncMessages", "提交变更"),
        "pull": translate("SyncMessages", "接收更新"),
        "download": translate("SyncMessages", "下载照片"),
    }.get(phase, phase)


def role_label(role: str) -> str:
    """巡查员 / 督查员 / 系统管理员."""
    return {
        "inspector": translate("SyncMessages", "巡查员"),
        "supervisor": translate("SyncMessages", "督查员"),
        "admin": translate("SyncMessages", "系统管理员"),
    }.get(role, role)
