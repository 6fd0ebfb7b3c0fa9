"""Errors of the sync engine that reach people: each carries a Chinese and an English message and a stable code."""

from __future__ import annotations


class SyncError(Exception):
    """Base of every sync error; `str()` gives "中文 / English" so one line serves the GUI, the CLI and logs."""

    code = "sync_error"

    def __init__(self, message_zh: str, message_en: str, code: str | None = None) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en
        if code is not None:
            self.code = code


class NotConfiguredError(SyncError):
    """No server has been set up on this installation yet."""

    code = "not_configured"

    def __init__(self) -> None:
        super().__init__(
            "尚未设置同步服务器，请先登录（inspector login --server 地址 --username 用户名）",
            "no sync server is set up yet: log in first (inspector login --server URL --username NAME)",
        )


class LocalStorageFullError(SyncError):
    """This computer's disk is full: the cycle stopped; what was saved here is kept."""

    code = "local_storage_full"

    def __init__(self) -> None:
        super().__init__(
            "本机磁盘空间已满，同步已停止：请清理磁盘后再同步；本机已保存的记录和照片不受影响",
            "this computer's disk is full, so the sync stopped: free some space and sync again; the records and "
            "photos already saved here are kept",
        )


class TransportError(SyncError):
    """The server could not be reached, or kept failing, within the retry budget; nothing was lost."""

    code = "network"


class ServerFaultError(SyncError):
    """The server answered with a fault (5xx) or a reply that does not follow the protocol."""

    code = "server_error"


class AuthRequiredError(SyncError):
    """There is no usable token: log in (again). Pending work stays on this computer."""

    code = "login_required"


class LoginFailedError(SyncError):
    """The server refused the login (wrong name or password, disabled account, too many attempts)."""

    code = "login_failed"

    def __init__(self, message_zh: str, message_en: str, code: str, retry_after: float | None = None) -> None:
        super().__init__(message_zh, message_en, code)
        self.retry_after = retry_after


class UpgradeRequiredError(SyncError):
    """This app is older than the server accepts: the user must install a newer version."""

    code = "upgrade_required"


class IncompatibleServerError(SyncError):
    """The server speaks no protocol version this app knows."""

    code = "incompatible_server"


class RequestRefusedError(SyncError):
    """A 4xx reply that is not about credentials or versions; `status`, `code` and `body` say which."""

    def __init__(self, status: int, code: str, message: str, body: dict[str, object] | None = None) -> None:
        super().__init__(
            f"服务器拒绝了请求（{status} {code}）：{message}",
            f"the server refused the request ({status} {code}): {message}",
        )
        self.status = status
        self.code = code
        self.server_message = message
        self.body = body or {}


class CancelledError(SyncError):
    """The user (or the app shutting down) cancelled the sync; the next cycle continues from where it stopped."""

    code = "cancelled"

    def __init__(self) -> None:
        super().__init__("同步已取消", "sync cancelled")


class BadServerAddressError(SyncError):
    """The server address typed by the user cannot be used."""

    code = "bad_server_address"


class PendingWorkOfAnotherAccountError(SyncError):
    """Another account's changes are still waiting on this computer: logging in as someone else would send them
    under the new account. The previous account syncs them first, or the new one takes them over on purpose."""

    code = "pending_work_of_another_account"

    def __init__(self, previous: str, count: int) -> None:
        super().__init__(
            f"这台电脑上还有 {count} 条 {previous} 的记录尚未同步。请先用 {previous} 登录并同步，再切换账号"
            f"（如确需由新账号接手这些记录，请在命令行使用 inspector login --take-over-pending）",
            f"{count} change(s) of {previous} are still waiting on this computer. Log in as {previous} and sync "
            f"them first, then switch accounts (to send them under the new account on purpose, use "
            f"inspector login --take-over-pending)",
        )
        self.previous = previous
        self.count = count
