"""12345 work orders (市民服务热线工单): the sheet's fields, column mapping by header, rows checked into orders with
one error per bad row, and the monthly figures per 街乡 (响应率, 解决率, 满意率). Pure: cells come in as values.
docs/hotline.md describes the template, the mapping and the formulas."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from inspector.core.clock import SHANGHAI, local_date
from inspector.core.jurisdiction import JurisdictionCodeError, parse_code, street_of
from inspector.core.ledger import Kind, Source
from inspector.core.scoring import month_key


@dataclass(frozen=True)
class Field:
    """One field of a work order: its key, the template's header, the headers other layouts use, and if required."""

    key: str
    header: str
    header_en: str
    synonyms: tuple[str, ...]
    required: bool


FIELDS: tuple[Field, ...] = (
    Field(
        "order_number",
        "工单编号",
        "work order number",
        ("工单号", "工单编码", "诉求编号", "编号", "order_number"),
        True,
    ),
    Field(
        "received_at", "派单时间", "received at", ("受理时间", "接单时间", "来电时间", "登记时间", "received_at"), False
    ),
    Field("demand", "诉求内容", "demand", ("反映内容", "来电内容", "问题描述", "诉求", "demand"), True),
    Field("address", "诉求地址", "address", ("地址", "事发地址", "问题地址", "发生地点", "address"), True),
    Field(
        "reply_deadline",
        "回复期限",
        "reply deadline",
        ("答复期限", "办理时限", "截止时间", "办结时限", "reply_deadline"),
        True,
    ),
    Field("category", "问题类别", "category", ("诉求类别", "问题分类", "类别", "category"), False),
    Field("street", "所属街乡", "street", ("街乡", "街道", "承办单位", "所属街道", "street"), False),
    Field("caller", "来电人", "caller", ("诉求人", "联系人", "caller"), False),
    Field("caller_phone", "联系电话", "caller phone", ("来电号码", "电话", "caller_phone"), False),
)
FIELD_KEYS = tuple(field.key for field in FIELDS)
REQUIRED = tuple(field.key for field in FIELDS if field.required)
TEMPLATE_HEADERS = tuple(field.header for field in FIELDS)
DEFAULT_CATEGORY = "12345诉求"
SOURCE_12345 = Source.HOTLINE.value  # the 发现方式 a case from a work order carries
MAX_TEXT = 2000
_MOMENT = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T]+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?")
_ORDER_NUMBER = re.compile(r"[0-9A-Za-z][0-9A-Za-z_\-]{0,63}")


class Satisfaction(StrEnum):
    """The caller's verdict at the callback (回访)."""

    SATISFIED = "satisfied"
    BASICALLY = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


SATISFACTION_LABELS: dict[Satisfaction, str] = {
    Satisfaction.SATISFIED: "满意",
    Satisfaction.BASICALLY: "基本满意",
    Satisfaction.DISSATISFIED: "不满意",
}


def _normal(header: str) -> str:
    return re.sub(r"[\s:：*（）()]", "", unicodedata.normalize("NFKC", header)).lower()


def header_signature(headers: Sequence[str]) -> str:
    """A file layout's key: the SHA-256 of its normalised header row (same headers in the same order, same key)."""
    return hashlib.sha256("\x1f".join(_normal(header) for header in headers).encode("utf-8")).hexdigest()


def guess_mapping(headers: Sequence[str]) -> dict[str, int]:
    """field key → column index for the headers this layout's columns match (template header first, then synonyms)."""
    normal = [_normal(header) for header in headers]
    mapping: dict[str, int] = {}
    taken: set[int] = set()
    for field in FIELDS:
        for name in (field.header, field.header_en, *field.synonyms):
            wanted = _normal(name)
            column = next((i for i, text in enumerate(normal) if text == wanted and i not in taken), None)
            if column is not None:
                mapping[field.key] = column
                taken.add(column)
                break
    return mapping


def missing_fields(mapping: Mapping[str, int]) -> list[Field]:
    """The required fields a mapping leaves without a column."""
    return [field for field in FIELDS if field.required and field.key not in mapping]


@dataclass(frozen=True)
class Order:
    """One work order as read from a row."""

    row: int  # the row number as the user sees it in the sheet (the header is row 1)
    order_number: str
    demand: str
    address: str
    reply_deadline: datetime
    jurisdiction: str
    category: str
    received_at: datetime | None
    caller: str | None
    caller_phone: str | None


@dataclass(frozen=True)
class RowProblem:
    """Why a row cannot be imported."""

    row: int
    field: str
    zh: str
    en: str

    def text(self) -> str:
        """One line, both languages."""
        return f"第 {self.row} 行 {self.field}：{self.zh} / row {self.row} {self.field}: {self.en}"


def parse_moment(value: Any, end_of_day: bool = False) -> datetime | None:
    """A cell as an aware instant (Beijing time when the cell has none); a bare date is its start, or its end of
    working day (17:30) with end_of_day. None for an empty cell; ValueError for text that is no date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(17, 30) if end_of_day else time.min)
    else:
        text = str(value).strip().replace("/", "-").replace("年", "-").replace("月", "-").replace("日", " ")
        match = _MOMENT.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"{value!r} is not a date and time")
        year, month, day, hour, minute, second = (int(part) if part else None for part in match.groups())
        assert year is not None and month is not None and day is not None
        if hour is None:
            hour, minute = (17, 30) if end_of_day else (0, 0)
        moment = datetime(year, month, day, hour, minute or 0, second or 0)
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_orders(
    rows: Sequence[Sequence[Any]],
    mapping: Mapping[str, int],
    street_code: Callable[[str], str | None],
    default_jurisdiction: str | None,
    first_row: int = 2,
) -> tuple[list[Order], list[RowProblem]]:
    """The data rows as orders, and every problem (a row may have several). Blank rows are skipped.

    `street_code` turns a 街乡 cell (a name or a code) into a 15-digit jurisdiction code, or None when unknown;
    rows without a 街乡 cell go to `default_jurisdiction`. A work-order number twice in the file is a problem."""
    orders: list[Order] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for offset, cells in enumerate(rows):
        number = first_row + offset

        def cell(key: str, cells: Sequence[Any] = cells) -> Any:
            column = mapping.get(key)
            return cells[column] if column is not None and column < len(cells) else None

        if not any(_text(value) for value in cells):
            continue
        found: list[RowProblem] = []

        def problem(key: str, zh: str, en: str, row: int = number, into: list[RowProblem] = found) -> None:
            into.append(RowProblem(row, _header(key), zh, en))

        values = {key: _text(cell(key)) for key in FIELD_KEYS}
        for key in REQUIRED:
            if not values[key]:
                problem(key, "必填，不能为空", "required")
        order_number = values["order_number"]
        if order_number and not _ORDER_NUMBER.fullmatch(order_number):
            problem("order_number", f"“{order_number}”不是有效的工单编号（字母、数字、-、_）",
                    f"{order_number!r} is not a work-order number (letters, digits, - and _)")  # fmt: skip
        elif order_number in seen:
            problem("order_number", f"与第 {seen[order_number]} 行重复", f"repeats row {seen[order_number]}")
        for key in ("demand", "address", "category", "caller", "caller_phone"):
            if len(values[key]) > MAX_TEXT:
                problem(key, f"超过 {MAX_TEXT} 个字符", f"longer than {MAX_TEXT} characters")
        moments: dict[str, datetime | None] = {}
        for key in ("reply_deadline", "received_at"):
            try:
                moments[key] = parse_moment(cell(key), end_of_day=key == "reply_deadline")
            except ValueError:
                moments[key] = None
                problem(key, f"“{values[key]}”不是日期时间（如 2026-12-01 17:30）",
                        f"{values[key]!r} is not a date and time (e.g. 2026-12-01 17:30)")  # fmt: skip
        jurisdiction = default_jurisdiction
        if values["street"]:
            jurisdiction = street_code(values["street"])
            if jurisdiction is None:
                problem("street", f"找不到街乡“{values['street']}”", f"no 街乡 named {values['street']!r}")
        elif jurisdiction is None:
            problem("street", "未填街乡，也未选择默认辖区", "no 街乡 given and no default jurisdiction chosen")
        if found:
            problems.extend(found)
            continue
        if order_number:
            seen[order_number] = number
        deadline = moments["reply_deadline"]
        assert deadline is not None and jurisdiction is not None  # required, checked above
        orders.append(
            Order(
                row=number,
                order_number=order_number,
                demand=values["demand"],
                address=values["address"],
                reply_deadline=deadline,
                jurisdiction=jurisdiction,
                category=values["category"] or DEFAULT_CATEGORY,
                received_at=moments["received_at"],
                caller=values["caller"] or None,
                caller_phone=values["caller_phone"] or None,
            )
        )
    return orders, problems


def _header(key: str) -> str:
    return next(field.header for field in FIELDS if field.key == key)


def district_of(jurisdiction: str) -> str:
    """The 6-digit district code a work order belongs to (work-order numbers are unique per district)."""
    try:
        return parse_code(jurisdiction).full[:6]
    except JurisdictionCodeError as exc:
        raise ValueError(str(exc)) from exc


def report_payload(order: Order, source: str = SOURCE_12345) -> dict[str, Any]:
    """The ledger `report` payload that records a work order as a case: a problem (城市管理问题, ungraded) with the
    发现方式 12345 unless told otherwise."""
    return {
        "description": f"【12345工单 {order.order_number}】{order.demand}"[:MAX_TEXT],
        "category": order.category[:200],
        "kind": Kind.PROBLEM.value,
        "source": source,
        "jurisdiction": order.jurisdiction,
        "location": {"address": order.address},
        "work_order_number": order.order_number,
    }


# --------------------------------------------------------------------------------------------------------------
# Monthly figures per 街乡
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderFacts:
    """What the figures need of one imported order and its case."""

    jurisdiction: str
    received_at: datetime  # the order's own time, or when it was imported
    reply_deadline: datetime
    responded_at: datetime | None  # the case's first step past 待受理 (accepted, assigned, rejected…)
    closed_at: datetime | None  # the case was closed (销账)
    satisfaction: Satisfaction | None


@dataclass(frozen=True)
class HotlineMonth:
    """One 街乡's work orders received in one month."""

    street: str  # 9-digit street code
    month: str
    received: int
    responded_in_time: int
    solved: int
    rated: int
    satisfied: int

    @property
    def response_rate(self) -> float | None:
        """响应率: orders answered (the case moved past 待受理) by their reply deadline / orders received."""
        return self.responded_in_time / self.received if self.received else None

    @property
    def solution_rate(self) -> float | None:
        """解决率: orders whose case is closed / orders received."""
        return self.solved / self.received if self.received else None

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: 满意 and 基本满意 / orders rated at the callback (None when none was rated)."""
        return self.satisfied / self.rated if self.rated else None


def hotline_months(orders: Iterable[OrderFacts], months: Sequence[str] | None = None) -> list[HotlineMonth]:
    """Per 街乡 and month of receipt, the counts behind 响应率, 解决率 and 满意率; by month then street."""
    groups: dict[tuple[str, str], list[OrderFacts]] = defaultdict(list)
    for order in orders:
        key = (street_of(order.jurisdiction), month_key(local_date(order.received_at)))
        if months is None or key[1] in months:
            groups[key].append(order)
    return [
        HotlineMonth(
            street=street,
            month=month,
            received=len(group),
            responded_in_time=sum(
                1 for o in group if o.responded_at is not None and o.responded_at <= o.reply_deadline
            ),
            solved=sum(1 for o in group if o.closed_at is not None),
            rated=sum(1 for o in group if o.satisfaction is not None),
            satisfied=sum(1 for o in group if o.satisfaction in (Satisfaction.SATISFIED, Satisfaction.BASICALLY)),
        )
        for (street, month), group in sorted(groups.items(), key=lambda item: (item[0][1], item[0][0]))
    ]
