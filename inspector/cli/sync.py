"""`inspector login|logout|sync|status`: connect this computer to the district server and sync with it."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from typing import Any

from inspector.paths import resolve_data_dir
from inspector.store.errors import StoreError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INCOMPLETE = 3
EXIT_LOGIN = 4
EXIT_UPGRADE = 5
SYNC_EXIT_CODES = {
    "ok": EXIT_OK,
    "incomplete": EXIT_INCOMPLETE,
    "login_required": EXIT_LOGIN,
    "not_configured": EXIT_LOGIN,
    "upgrade_required": EXIT_UPGRADE,
}
EXIT_HELP = (
    "exit status: 0 everything pending was acknowledged; 1 the cycle could not finish (network, server); "
    "3 finished, but some changes were refused or still wait; 4 log in first; 5 this app must be upgraded"
)
MEMORY_ONLY = (
    "注意：本机没有安全的密钥存储，登录凭据只保存在本次运行的内存中，不会写入文件 / "
    "note: there is no secure keyring on this computer, so the login is kept in memory for this run only "
    "(never written to a file); `inspector sync --password-stdin` logs in again for each run"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `login`, `logout`, `sync` and `status` commands."""
    login = subparsers.add_parser("login", help="log in to the district server (the token goes to the OS keyring)")
    login.add_argument("--server", required=True, metavar="URL", help="the server address, e.g. https://sync.example")
    login.add_argument("--username", required=True, metavar="NAME")
    login.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    login.add_argument("--ca-bundle", metavar="FILE", help="PEM file of the certificate authorities to trust")
    login.add_argument(
        "--take-over-pending",
        action="store_true",
        help="log in although another account's changes still wait here; they are then sent under this account",
    )
    login.set_defaults(handler=_guarded(run_login))

    logout = subparsers.add_parser("logout", help="end the login on the server and forget it here (work stays)")
    logout.set_defaults(handler=_guarded(run_logout))

    sync = subparsers.add_parser("sync", help="run one sync cycle with the server", epilog=EXIT_HELP)
    sync.add_argument("--json", action="store_true", help="print the summary as JSON")
    sync.add_argument(
        "--password-stdin", action="store_true", help="when no login is saved, log in with a password from stdin"
    )
    sync.set_defaults(handler=_guarded(run_sync))

    status = subparsers.add_parser("status", help="show the sync state: server, login, waiting changes, conflicts")
    status.add_argument("--json", action="store_true", help="print the state as JSON")
    status.set_defaults(handler=_guarded(run_status))


def _guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn store and sync errors into one clear line on stderr and exit status 1 (never a traceback)."""

    def run(args: argparse.Namespace) -> int:
        from inspector.sync.errors import LoginFailedError, SyncError, UpgradeRequiredError

        try:
            return handler(args)
        except UpgradeRequiredError as exc:
            print(f"错误 / error: {exc}", file=sys.stderr)
            return EXIT_UPGRADE
        except LoginFailedError as exc:
            wait = f" ({int(exc.retry_after)} s)" if exc.retry_after else ""
            print(f"错误 / error: {exc}{wait}", file=sys.stderr)
            return EXIT_FAILED
        except (StoreError, SyncError) as exc:
            print(f"错误 / error: {exc}", file=sys.stderr)
            return EXIT_FAILED

    return run


def _folder(args: argparse.Namespace) -> Any:
    from inspector.store.database import open_data_folder

    return open_data_folder(resolve_data_dir(args.data_dir))


def _read_password(from_stdin: bool) -> str:
    password = sys.stdin.readline().rstrip("\r\n") if from_stdin else getpass.getpass("密码 / password: ")
    if not password:
        from inspector.sync.errors import SyncError

        raise SyncError("密码为空", "the password is empty", "empty_password")
    return password


def run_login(args: argparse.Namespace) -> int:
    """Log in and say who is logged in and where the token is kept."""
    from inspector.sync.engine import login

    folder = _folder(args)
    password = _read_password(args.password_stdin)
    result = login(
        folder, args.server, args.username, password, ca_bundle=args.ca_bundle, take_over_pending=args.take_over_pending
    )
    roles = ", ".join(result.roles) or "-"
    scope = ", ".join(result.jurisdictions) or "-"
    print(f"已登录 / logged in: {result.display_name or result.username} ({result.username}; {roles}; {scope})")
    if result.storage == "memory":
        print(MEMORY_ONLY, file=sys.stderr)
    return EXIT_OK


def run_logout(args: argparse.Namespace) -> int:
    from inspector.sync.engine import logout

    confirmed = logout(_folder(args))
    if confirmed:
        print("已退出登录 / logged out (work not yet synced stays on this computer)")
    else:
        print("已在本机退出登录（服务器未确认）/ logged out here (the server could not confirm it)")
    return EXIT_OK


def run_sync(args: argparse.Namespace) -> int:
    """Run one cycle (logging in first when no login is saved and a password can be asked for)."""
    from inspector.sync.engine import SyncEngine, login
    from inspector.sync.status import status

    folder = _folder(args)
    state = status(folder)
    if state.server_url and state.username and not state.logged_in and (args.password_stdin or sys.stdin.isatty()):
        login(folder, state.server_url, state.username, _read_password(args.password_stdin))
    summary = SyncEngine(folder).run_cycle(None if args.json else _terminal_progress())
    if args.json:
        print(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
    else:
        _print_summary(summary)
    return SYNC_EXIT_CODES.get(summary.outcome, EXIT_FAILED)


def _terminal_progress() -> Callable[[Any], None] | None:
    if not sys.stderr.isatty():
        return None
    names = {"version": "版本 version", "photos": "照片 photos", "push": "上传 push", "pull": "下载 pull"}

    def show(progress: Any) -> None:
        total = f"/{progress.total}" if progress.total is not None else ""
        label = names.get(progress.phase, progress.phase)
        print(f"\r{label}: {progress.done}{total}   ", end="", file=sys.stderr, flush=True)

    return show


def _print_summary(summary: Any) -> None:
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if summary.outcome in ("not_configured", "busy", "damaged"):
        print(f"错误 / error: {summary.error}", file=sys.stderr)
        return
    print(
        f"照片 photos uploaded {summary.photos_uploaded} ({summary.photo_bytes_sent / 1_048_576:.1f} MB), "
        f"上传 pushed {summary.pushed} (acknowledged {summary.acknowledged}), 下载 pulled {summary.pulled}, "
        f"冲突 conflicts {summary.conflicts}, 拒绝 rejected {summary.rejected}, 待重试 retry later "
        f"{summary.retry_later + summary.held_back}, 待同步 still pending {summary.pending_after}"
    )
    for item in summary.refused:
        print(f"  {item['status']}: {item['kind']} {item['entity_id']} — {item['code']}: {item['message']}")
    for problem in summary.problems:
        print(f"  photo: {problem}")
    if summary.error:
        print(f"错误 / error: {summary.error}", file=sys.stderr)
    elif summary.all_acknowledged:
        print("同步完成 / sync complete")


def run_status(args: argparse.Namespace) -> int:
    from inspector.sync.status import status

    state = status(_folder(args))
    if args.json:
        print(json.dumps(state.to_json(), ensure_ascii=False, indent=2))
        return EXIT_OK
    login_text = "未登录 / not logged in"
    if state.logged_in:
        where = "系统密钥环 / OS keyring" if state.token_storage == "keyring" else "仅内存 / memory only"
        login_text = f"已登录 / logged in ({where})"
    print(f"服务器 server: {state.server_url or '未设置 / not set'}")
    print(f"用户 user: {state.username or '-'} — {login_text}")
    print(f"待同步 pending changes: {state.pending_changes} (retry later {state.retry_later})")
    print(f"待上传照片 photos waiting: {state.photos_waiting}")
    print(f"冲突 open conflicts: {state.open_conflicts}; 被拒绝 rejected: {state.open_rejections}")
    print(
        f"上次成功 last success: {state.last_success_at or '-'}; 上次尝试 last attempt: {state.last_attempt_at or '-'}"
    )
    if state.last_error:
        print(f"上次错误 last error: {state.last_error}")
    if not state.secure_keyring:
        print(MEMORY_ONLY, file=sys.stderr)
    return EXIT_OK
