"""Translated names of the domain's vocabulary (results, provenance, subject kinds, states, severities)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from inspector.core.protocol import ChangeKind

translate = QCoreApplication.translate  # each call below names the "Labels" context and a literal, for lupdate


def result_label(result: str | None) -> str:
    """合格 / 不合格 / 不适用 / 未填."""
    return {
        "pass": translate("Labels", "合格"),
        "fail": translate("Labels", "不合格"),
        "na": translate("Labels", "不适用"),
    }.get(result or "", translate("Labels", "未填"))


def provenance_label(status: str) -> str:
    """现行规定原文 / 已废止规定 / 通知通报 / 新闻报道 / 区级方案 / 文件摘录 / 参考条目 / 旧版标注官方."""
    return {
        "current_rule": translate("Labels", "现行规定原文"),
        "repealed_rule": translate("Labels", "已废止规定"),
        "notice": translate("Labels", "通知通报"),
        "news_summary": translate("Labels", "新闻报道"),
        "district_plan": translate("Labels", "区级方案"),
        "seed": translate("Labels", "文件摘录"),
        "reconstructed": translate("Labels", "参考条目"),
        "legacy_official": translate("Labels", "旧版标注官方"),
    }.get(status, status)


def provenance_explanation(status: str) -> str:
    """One sentence under an item saying what its provenance status means for the inspector (empty for rule text)."""
    return {
        "repealed_rule": translate("Labels", "出自已废止或被替代的规定，非现行原文；以现行规定为准。"),
        "notice": translate("Labels", "出自通知通报，不是规章或标准原文。"),
        "news_summary": translate("Labels", "出自新闻报道或摘要，不是规定原文；以规定全文为准。"),
        "district_plan": translate("Labels", "出自区级工作方案，非全市统一规定。"),
        "seed": translate("Labels", "出自所列规划、意见等文件的表述，不是检查标准原文。"),
        "reconstructed": translate("Labels", "参考条目：非官方原文，由检查经验整理，仅供参考。"),
        "legacy_official": translate("Labels", "旧版检查表标注为官方，未区分现行与已废止，未经复核。"),
    }.get(status, "")


def subject_kind_label(kind: str) -> str:
    """门前三包责任单位 / 背街小巷 / 检查场所."""
    return {
        "street_front_unit": translate("Labels", "门前三包责任单位"),
        "back_street": translate("Labels", "背街小巷"),
        "site": translate("Labels", "检查场所"),
    }.get(kind, kind)


SUBJECT_KINDS = ("street_front_unit", "back_street", "site")


def severity_label(severity: str | None) -> str:
    """一般隐患 / 重大隐患."""
    names = {"general": translate("Labels", "一般隐患"), "major": translate("Labels", "重大隐患")}
    return names.get(severity or "", severity or "—")


SEVERITIES = ("general", "major")


def state_label(state: str, kind: str | None = "hazard") -> str:
    """The ledger state's name in the words of the case's kind: a hazard's (待受理 … 已销账) or a problem's (待受理,
    已立案, 处置中, 待核查, 已结案)."""
    if kind == "problem":
        return {
            "reported": translate("Labels", "待受理"),
            "rejected": translate("Labels", "不予立案"),
            "registered": translate("Labels", "已立案"),
            "assigned": translate("Labels", "处置中"),
            "rectified": translate("Labels", "待核查"),
            "closed": translate("Labels", "已结案"),
        }.get(state, state)
    return {
        "reported": translate("Labels", "待受理"),
        "rejected": translate("Labels", "不予挂账"),
        "registered": translate("Labels", "已挂账"),
        "assigned": translate("Labels", "整改中"),
        "rectified": translate("Labels", "待复查验收"),
        "closed": translate("Labels", "已销账"),
    }.get(state, state)


STATES = ("reported", "rejected", "registered", "assigned", "rectified", "closed")


def action_label(action: str, kind: str | None = "hazard") -> str:
    """The ledger action's name (上报 … 督办) in the words of the case's kind."""
    if kind == "problem":
        problem_words = {
            "report_fixed_on_site": translate("Labels", "现场处置"),
            "accept": translate("Labels", "立案"),
            "reject": translate("Labels", "不予立案"),
            "assign": translate("Labels", "派遣"),
            "rectify": translate("Labels", "处置反馈"),
            "verify_pass": translate("Labels", "核查通过(结案)"),
            "verify_fail": translate("Labels", "核查不通过"),
        }
        if action in problem_words:
            return problem_words[action]
    return {
        "report": translate("Labels", "上报"),
        "report_fixed_on_site": translate("Labels", "现场整改"),
        "accept": translate("Labels", "受理挂账"),
        "reject": translate("Labels", "不予挂账"),
        "assign": translate("Labels", "派遣整改"),
        "extend": translate("Labels", "延期"),
        "rectify": translate("Labels", "整改反馈"),
        "verify_pass": translate("Labels", "复查验收通过(销账)"),
        "verify_fail": translate("Labels", "复查验收不通过"),
        "reopen": translate("Labels", "重新打开"),
        "escalate": translate("Labels", "督办"),
        "lift_escalation": translate("Labels", "摘牌"),
        "request_extension": translate("Labels", "申请延期"),
        "approve_extension": translate("Labels", "批准延期"),
        "refuse_extension": translate("Labels", "不予延期"),
    }.get(action, action)


def kind_label(kind: str | None) -> str:
    """城市管理问题 / 安全隐患."""
    return {"problem": translate("Labels", "城市管理问题"), "hazard": translate("Labels", "安全隐患")}.get(
        kind or "", kind or ""
    )


KINDS = ("problem", "hazard")


def source_label(source: str | None) -> str:
    """发现方式: 巡查, 自查, 12345工单, 群众举报, 上级交办, 区级检查, 市级检查, 第三方检查."""
    return {
        "patrol": translate("Labels", "巡查"),
        "self_check": translate("Labels", "自查"),
        "hotline_12345": translate("Labels", "12345工单"),
        "public_report": translate("Labels", "群众举报"),
        "assigned_from_above": translate("Labels", "上级交办"),
        "district_check": translate("Labels", "区级检查"),
        "city_check": translate("Labels", "市级检查"),
        "third_party_check": translate("Labels", "第三方检查"),
    }.get(source or "", source or "")


SOURCES = (
    "patrol",
    "self_check",
    "hotline_12345",
    "public_report",
    "assigned_from_above",
    "district_check",
    "city_check",
    "third_party_check",
)


def level_label(level: str | None) -> str:
    """Who did an inspection: 市级检查 / 区级检查 / 第三方检查 / 街乡自查 / 责任单位自查."""
    return {
        "city": translate("Labels", "市级检查"),
        "district": translate("Labels", "区级检查"),
        "third_party": translate("Labels", "第三方检查"),
        "street_self": translate("Labels", "街乡自查"),
        "unit_self": translate("Labels", "责任单位自查"),
    }.get(level or "", level or "")


LEVELS = ("street_self", "district", "city", "third_party", "unit_self")  # the new-inspection dialog's order


def tier_label(tier: str | None) -> str:
    """A back street's tier: 精品街巷 / 优美街巷 / 达标街巷 (empty when none is set)."""
    return {
        "premium": translate("Labels", "精品街巷"),
        "fine": translate("Labels", "优美街巷"),
        "standard": translate("Labels", "达标街巷"),
    }.get(tier or "", tier or "")


TIERS = ("premium", "fine", "standard")


def escalation_label(level: str | None) -> str:
    """街乡督办 / 区级督办 / 市级督办 (empty when not escalated)."""
    return {
        "street": translate("Labels", "街乡督办"),
        "district": translate("Labels", "区级督办"),
        "city": translate("Labels", "市级督办"),
    }.get(level or "", level or "")


ESCALATION_LEVELS = ("street", "district", "city")


def sync_state_label(state: str) -> str:
    """A record's sync state: 仅本机 / 待同步 / 已同步 / 冲突."""
    return {
        "local": translate("Labels", "仅本机"),
        "pending": translate("Labels", "待同步"),
        "synced": translate("Labels", "已同步"),
        "conflict": translate("Labels", "冲突"),
    }.get(state, state)


def change_kind_label(kind: str) -> str:
    """An outbox change's kind for people."""
    labels: dict[str, str] = {
        ChangeKind.SUBJECT_CREATE: translate("Labels", "新建检查对象"),
        ChangeKind.SUBJECT_UPDATE: translate("Labels", "修改检查对象"),
        ChangeKind.INSPECTION_SUBMIT: translate("Labels", "检查记录"),
        ChangeKind.LEDGER_COMMAND: translate("Labels", "问题上报与处理"),
        ChangeKind.TALK_CREATE: translate("Labels", "约谈记录"),
        ChangeKind.PATROL_SUBMIT: translate("Labels", "巡查日志"),
    }
    return labels.get(kind, kind)


def pending_label() -> str:
    """Shown instead of a ledger number until the server assigns one."""
    return translate("Labels", "待编号")


def checklist_title(title: str, title_en: str | None) -> str:
    """A checklist's title in the interface language: its `title_en` in English when the file has one."""
    from inspector.ui.shared.i18n import current_language

    return title_en if title_en and current_language().startswith("en") else title


def cached_checklist_title(db: object, checklist_id: str, version: str, title: str) -> str:
    """The title of a cached checklist version in the interface language (its file read only in English)."""
    from inspector.ui.shared.i18n import current_language

    if not current_language().startswith("en"):
        return title
    from inspector.store import checklists
    from inspector.store.errors import StoreError

    try:
        parsed = checklists.get(db, checklist_id, version)  # type: ignore[arg-type]
    except StoreError:
        return title
    return checklist_title(parsed.title, parsed.title_en)
