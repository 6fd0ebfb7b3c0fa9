"""Errors of the sync engine that reach people: `UserError`s whose codes are the catalogue's (and so the server's)."""

from __future__ import annotations

from inspector.core.errors import CATALOGUE, UserError


class SyncError(UserError):
    """Base of every sync error; `str()` gives "中文 / English" so one line serves the GUI, the CLI and logs."""

    code = "sync_error"

    def __init__(self, zh: str | None = None, en: str | None = None, code: str | None = None,
                 **details: object) -> None:  # fmt: skip
        super().__init__(zh, en, code=code, **details)


class NotConfiguredError(SyncError):
    """No server has been set up on this installation yet."""

    code = "not_configured"


class LocalStorageFullError(SyncError):
    """This computer's disk is full: the cycle stopped; what was saved here is kept."""

    code = "local_storage_full"


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

    def __init__(self, zh: str, en: str, code: str, retry_after: float | None = None) -> None:
        super().__init__(zh, en, code)
        self.retry_after = retry_after


class UpgradeRequiredError(SyncError):
    """This app is older than the server accepts: the user must install a newer version."""

    code = "upgrade_required"


class IncompatibleServerError(SyncError):
    """The server speaks no protocol version this app knows."""

    code = "incompatible_server"


class RequestRefusedError(SyncError):
    """A 4xx reply that is not about credentials or versions; `status`, `server_code` and `body` say which (`code`
    is the same when the catalogue holds it)."""

    code = "request_refused"

    def __init__(self, status: int, code: str, message: str, body: dict[str, object] | None = None) -> None:
        zh, en = CATALOGUE[RequestRefusedError.code].render(status=status, server_code=code, message=message)
        super().__init__(zh, en, code)
        self.status = status
        self.server_code = code
        self.server_message = message
        self.body = body or {}


class CancelledError(SyncError):
    """The user (or the app shutting down) cancelled the sync; the next cycle continues from where it stopped."""

    code = "cancelled"


class BadServerAddressError(SyncError):
    """The server address typed by the user cannot be used."""

    code = "bad_server_address"


class PendingWorkOfAnotherAccountError(SyncError):
    """Another account's changes are still waiting on this computer: logging in as someone else would send them
    under the new account. The previous account syncs them first, or the new one takes them over on purpose."""

    code = "pending_work_of_another_account"

    def __init__(self, previous: str, count: int) -> None:
        super().__init__(previous=previous, count=count)
        self.previous = previous
        self.count = count
