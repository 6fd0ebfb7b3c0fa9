"""Small checks shared by the repositories; each failure is an InvalidRecordError with a bilingual message."""

from __future__ import annotations

import math
from typing import Any

from inspector.core.jurisdiction import JurisdictionCodeError, parse_code
from inspector.store import jsonutil
from inspector.store.errors import InvalidRecordError

SUBJECT_KINDS: dict[str, str] = {
    "street_front_unit": "门前三包责任单位",
    "back_street": "背街小巷",
    "site": "安全检查场所",
}


def required_text(value: Any, field_zh: str, field_en: str, limit: int = 200) -> str:
    """A non-blank text of at most limit characters, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidRecordError(f"{field_zh}不能为空", f"{field_en} is required")
    return optional_text(value, field_zh, field_en, limit) or ""


def optional_text(value: Any, field_zh: str, field_en: str, limit: int = 2000) -> str | None:
    """None, or a text of at most limit characters (stripped; blank becomes None)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidRecordError(f"{field_zh}必须是文本", f"{field_en} must be text")
    text = value.strip()
    if len(text) > limit:
        raise InvalidRecordError(f"{field_zh}不能超过 {limit} 个字符", f"{field_en} must be at most {limit} characters")
    return text or None


def subject_kind(value: Any) -> str:
    """One of the subject kinds."""
    if value not in SUBJECT_KINDS:
        allowed = "、".join(f"{kind}（{label}）" for kind, label in SUBJECT_KINDS.items())
        raise InvalidRecordError(
            f"检查对象类型 {value!r} 无效，应为 {allowed}",
            f"subject kind {value!r} is not one of {', '.join(SUBJECT_KINDS)}",
        )
    return str(value)


def jurisdiction_code(value: Any) -> str | None:
    """None, or a jurisdiction code in its full 15-digit form."""
    if value is None or value == "":
        return None
    try:
        return parse_code(str(value)).full
    except JurisdictionCodeError as exc:
        raise InvalidRecordError(f"辖区编码无效：{exc}", f"invalid jurisdiction code: {exc}") from exc


def json_object(value: Any, field_zh: str, field_en: str) -> dict[str, Any]:
    """A mapping that can be stored as JSON (an empty one for None)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidRecordError(f"{field_zh}必须是键值对象", f"{field_en} must be a mapping")
    try:
        jsonutil.dumps(value)
    except (TypeError, ValueError) as exc:
        raise InvalidRecordError(f"{field_zh}无法保存为 JSON", f"{field_en} cannot be stored as JSON: {exc}") from exc
    return value


def coordinate(value: Any, bound: float, field_zh: str, field_en: str) -> float | None:
    """None, or a finite number within ±bound."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidRecordError(f"{field_zh}必须是数字", f"{field_en} must be a number")
    if not -bound <= value <= bound:
        raise InvalidRecordError(f"{field_zh}超出范围 ±{bound}", f"{field_en} must lie within ±{bound}")
    return float(value)
