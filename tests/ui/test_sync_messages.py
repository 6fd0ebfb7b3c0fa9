"""What people read about sync for the engine's errors and outcomes the live-server tests do not reach: a server on
another protocol, an untrusted certificate, a disabled account, and how a cycle ended."""

from __future__ import annotations

import pytest

from inspector.core.errors import message_in
from inspector.sync.client import check_compatible
from inspector.sync.engine import SyncSummary
from inspector.sync.errors import IncompatibleServerError, LoginFailedError, TransportError, UpgradeRequiredError
from inspector.ui.sync.messages import login_error_text, summary_text


def _refusal(info: dict[str, object]) -> Exception:
    with pytest.raises((IncompatibleServerError, UpgradeRequiredError)) as raised:
        check_compatible(info)
    return raised.value


def test_login_errors_name_the_cause_and_what_to_do() -> None:  # type: ignore[no-untyped-def]
    other_protocol = _refusal({"protocols_supported": [1], "min_client_version": "0.0.1"})  # an older server
    assert login_error_text(other_protocol, "zh_CN").startswith("服务器的同步协议与本程序不兼容，请联系管理员：")
    newer_protocol = _refusal({"protocols_supported": [3], "min_client_version": "0.0.1"})  # a newer server
    assert isinstance(newer_protocol, UpgradeRequiredError)
    assert "please install the new version" in login_error_text(newer_protocol, "en")
    too_old = _refusal({"protocols_supported": [2], "min_client_version": "99.0"})
    assert login_error_text(too_old, "zh_CN").startswith("需要安装新版本：本程序版本")
    assert "99.0" in login_error_text(too_old, "en") and "please upgrade" in login_error_text(too_old, "en")
    tls = TransportError("无法与服务器建立安全连接", "cannot make a secure connection", "tls")
    assert "CA" in login_error_text(tls, "zh_CN") and "证书不受信任" in login_error_text(tls, "zh_CN")
    disabled = LoginFailedError("登录失败：账号已停用", "login failed: account disabled", "account_disabled")
    assert login_error_text(disabled, "zh_CN") == "此账号已停用，请联系管理员。"
    limited = LoginFailedError("登录失败次数过多", "too many failed logins", "rate_limited", retry_after=41.2)
    assert login_error_text(limited, "zh_CN") == "登录失败次数过多，请 42 秒后再试。"


def test_a_cycle_s_end_in_one_line() -> None:  # type: ignore[no-untyped-def]
    done = SyncSummary(outcome="incomplete", photos_uploaded=2, acknowledged=5, pulled=7, conflicts=1, rejected=1)
    assert summary_text(done, "zh_CN") == "同步完成：上传照片 2 张，提交 5 项，收到 7 项。2 项冲突或被拒绝，请处理。"
    assert summary_text(SyncSummary(outcome="cancelled"), "zh_CN") == "同步已取消，下次同步从中断处继续。"
    assert summary_text(SyncSummary(outcome="login_required"), "zh_CN").startswith("登录已失效，请在设置中重新登录")
    unreachable = TransportError("无法连接服务器（ConnectionError）", "cannot reach the server")
    failed = SyncSummary(outcome="failed", failure=unreachable)
    assert summary_text(failed, "zh_CN") == "同步失败：无法连接服务器"  # the exception's name stays in English
    assert message_in(failed.failure, "en") == "cannot reach the server"
