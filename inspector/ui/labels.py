"""Translated names of the domain's vocabulary (results, provenance, subject kinds, states, severities)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def _t(text: str) -> str:
    return QCoreApplication.translate("Labels", text)


def result_label(result: str | None) -> str:
    """合格 / 不合格 / 不适用 / 未填."""
    return {
        "pass": _t("合格"),
        "fail": _t("不合格"),
        "na": _t("不适用"),
    }.get(result or "", _t("未填"))


def provenance_label(status: str) -> str:
    """官方原文 / 规划文件 / 参考条目."""
    return {
        "official": _t("官方原文"),
        "seed": _t("规划文件"),
        "reconstructed": _t("参考条目"),
    }.get(status, status)


def subject_kind_label(kind: str) -> str:
    """门前三包责任单位 / 背街小巷 / 检查场所."""
    return {
        "street_front_unit": _t("门前三包责任单位"),
        "back_street": _t("背街小巷"),
        "site": _t("检查场所"),
    }.get(kind, kind)


SUBJECT_KINDS = ("street_front_unit", "back_street", "site")


def severity_label(severity: str | None) -> str:
    """一般隐患 / 重大隐患."""
    return {"general": _t("一般隐患"), "major": _t("重大隐患")}.get(severity or "", severity or "")


SEVERITIES = ("general", "major")


def state_label(state: str) -> str:
    """The ledger state's name (待受理 … 已销账)."""
    return {
        "reported": _t("待受理"),
        "rejected": _t("不予立案"),
        "registered": _t("已挂账"),
        "assigned": _t("整改中"),
        "rectified": _t("待核查"),
        "closed": _t("已销账"),
    }.get(state, state)


STATES = ("reported", "rejected", "registered", "assigned", "rectified", "closed")


def action_label(action: str) -> str:
    """The ledger action's name (上报 … 督办)."""
    return {
        "report": _t("上报"),
        "report_fixed_on_site": _t("现场整改"),
        "accept": _t("受理挂账"),
        "reject": _t("不予立案"),
        "assign": _t("派遣整改"),
        "extend": _t("延期"),
        "rectify": _t("整改反馈"),
        "verify_pass": _t("核查通过(销账)"),
        "verify_fail": _t("核查不通过"),
        "reopen": _t("重新打开"),
        "escalate": _t("督办"),
    }.get(action, action)


def sync_state_label(state: str) -> str:
    """A record's sync state: 仅本机 / 待同步 / 已同步 / 冲突."""
    return {
        "local": _t("仅本机"),
        "pending": _t("待同步"),
        "synced": _t("已同步"),
        "conflict": _t("冲突"),
    }.get(state, state)


def change_kind_label(kind: str) -> str:
    """An outbox change's kind for people."""
    return {
        "subject.create": _t("新建检查对象"),
        "subject.update": _t("修改检查对象"),
        "inspection.submit": _t("检查记录"),
        "ledger.command": _t("问题上报与处理"),
    }.get(kind, kind)


def pending_label() -> str:
    """Shown instead of a ledger number until the server assigns one."""
    return _t("待编号")
