"""12345 work orders on the laptop: the column layouts people mapped (by header signature), the import that makes each
new order a case through the ledger's report command (all rows or none), the callback's satisfaction, the facts
behind 响应率/解决率/满意率, and the handling status the hotline platform takes back."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from inspector.core import hotline
from inspector.core.clock import now_iso, parse_iso, to_iso, utc_now
from inspector.core.errors import UserError
from inspector.core.hotline import Order, OrderFacts, RowProblem, Satisfaction
from inspector.core.jurisdiction import JurisdictionCodeError, parse_code
from inspector.core.ledger import STATE_LABELS, Action, State
from inspector.store import findings, jsonutil
from inspector.store.database import transaction
from inspector.store.errors import RecordNotFoundError, StoreError
from inspector.store.profile import local_actor


class HotlineImportError(StoreError):
    """Rows of a work-order sheet are wrong: nothing was imported; `problems` says which rows and why."""

    code = "hotline_rows_invalid"

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        super().__init__(count=len({problem.row for problem in problems}))
        self.problems = list(problems)


class HotlineMappingError(StoreError):
    """The column mapping leaves a required field without a column."""

    code = "hotline_mapping_incomplete"

    def __init__(self, missing: Sequence[hotline.Field]) -> None:
        super().__init__(
            fields_zh="、".join(item.header for item in missing),
            fields_en=", ".join(item.header_en for item in missing),
        )


@dataclass
class ImportResult:
    """What an import did."""

    created: list[str] = field(default_factory=list)  # work-order numbers that became cases
    already: list[str] = field(default_factory=list)  # numbers this district already had (left as they were)
    finding_ids: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------------------
# Layouts
# --------------------------------------------------------------------------------------------------------------


def remembered_mapping(db: Database, headers: Sequence[str]) -> dict[str, int] | None:
    """The mapping kept for this file layout, or None when this layout was never mapped."""
    row = db.execute(
        "SELECT mapping FROM hotline_layouts WHERE signature = ?", [hotline.header_signature(headers)]
    ).fetchone()
    return None if row is None else {str(key): int(value) for key, value in jsonutil.loads(row[0], {}).items()}


def mapping_for(db: Database, headers: Sequence[str]) -> dict[str, int]:
    """The mapping to offer for a layout: the one remembered, else the one its headers suggest."""
    return remembered_mapping(db, headers) or hotline.guess_mapping(headers)


def remember_mapping(db: Database, headers: Sequence[str], mapping: Mapping[str, int]) -> None:
    """Keep the mapping for this layout (the next file with the same header row gets it)."""
    with transaction(db):
        db.execute(
            "INSERT INTO hotline_layouts (signature, headers, mapping, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (signature) DO UPDATE SET headers = excluded.headers, mapping = excluded.mapping, "
            "updated_at = excluded.updated_at",
            [
                hotline.header_signature(headers),
                jsonutil.dumps(list(headers)),
                jsonutil.dumps(dict(mapping)),
                now_iso(),
            ],
        )


# --------------------------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------------------------


def street_resolver(db: Database) -> Callable[[str], str | None]:
    """A 街乡 cell (a code, or a 街乡 name as the jurisdictions table holds it) → a 15-digit code, or None."""
    names: dict[str, str] = {}
    for row in db.query("SELECT code, name FROM jurisdictions WHERE level = 2"):
        names.setdefault(str(row["name"]).strip(), str(row["code"]))

    def resolve(text: str) -> str | None:
        value = text.strip()
        if value.isdigit():
            try:
                return parse_code(value).full
            except JurisdictionCodeError:
                return None
        return names.get(value)

    return resolve


def read_orders(
    db: Database,
    table: Sequence[Sequence[Any]],
    mapping: Mapping[str, int],
    default_jurisdiction: str | None,
) -> tuple[list[Order], list[RowProblem]]:
    """The sheet's data rows (the header row first in `table`) as orders and problems, with 街乡 names resolved."""
    missing = hotline.missing_fields(mapping)
    if missing:
        raise HotlineMappingError(missing)
    return hotline.read_orders(table[1:], mapping, street_resolver(db), default_jurisdiction)


def known_numbers(db: Database, orders: Iterable[Order]) -> set[tuple[str, str]]:
    """The (district, work-order number) pairs of these orders that this laptop already holds."""
    wanted = {(hotline.district_of(order.jurisdiction), order.order_number) for order in orders}
    held = {(str(row[0]), str(row[1])) for row in db.execute("SELECT district, order_number FROM hotline_orders")}
    return wanted & held


def import_orders(
    db: Database,
    orders: Sequence[Order],
    problems: Sequence[RowProblem],
    source_file: str,
    *,
    source: str = hotline.SOURCE_12345,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Make each new order a case (the ledger's `report` command, queued for the server) and keep its work-order
    fields, in one transaction: any problem, or any refusal, and nothing is imported. An order whose number the
    district already has is left alone. `source` is the 发现方式 the report carries (e.g. hotline.SOURCE_12345)."""
    if problems:
        raise HotlineImportError(problems)
    moment = now or utc_now()
    result = ImportResult()
    with transaction(db):
        held = known_numbers(db, orders)
        for index, order in enumerate(orders, 1):
            district = hotline.district_of(order.jurisdiction)
            if (district, order.order_number) in held:
                result.already.append(order.order_number)
                continue
            try:
                recorded = findings.record_command(
                    db,
                    action=Action.REPORT,
                    actor=local_actor(db, order.jurisdiction),
                    payload=hotline.report_payload(order, source),
                    now=moment,
                )
            except UserError as error:
                raise HotlineImportError([RowProblem(order.row, "工单编号", error.zh, error.en)]) from error
            _insert_order(db, recorded.event.finding_id, district, order, source_file, moment)
            result.created.append(order.order_number)
            result.finding_ids.append(recorded.event.finding_id)
            if progress is not None:
                progress(index, len(orders))
    return result


def _insert_order(
    db: Database, finding_id: str, district: str, order: Order, source_file: str, moment: datetime
) -> None:
    db.execute(
        "INSERT INTO hotline_orders (finding_id, district, order_number, demand, address, reply_deadline, caller, "
        "caller_phone, received_at, source_file, source_row, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            finding_id,
            district,
            order.order_number,
            order.demand,
            order.address,
            to_iso(order.reply_deadline),
            order.caller,
            order.caller_phone,
            to_iso(order.received_at) if order.received_at else None,
            source_file,
            order.row,
            to_iso(moment),
        ],
    )


# --------------------------------------------------------------------------------------------------------------
# Orders, callbacks, figures, status
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredOrder:
    """A work order kept on the laptop, with its case."""

    finding_id: str
    district: str
    order_number: str
    demand: str
    address: str
    reply_deadline: datetime
    received_at: datetime | None
    imported_at: datetime
    satisfaction: Satisfaction | None
    callback_at: datetime | None


def _stored(row: Mapping[str, Any]) -> StoredOrder:
    return StoredOrder(
        finding_id=row["finding_id"],
        district=row["district"],
        order_number=row["order_number"],
        demand=row["demand"],
        address=row["address"],
        reply_deadline=parse_iso(row["reply_deadline"]),
        received_at=parse_iso(row["received_at"]) if row["received_at"] else None,
        imported_at=parse_iso(row["imported_at"]),
        satisfaction=Satisfaction(row["satisfaction"]) if row["satisfaction"] else None,
        callback_at=parse_iso(row["callback_at"]) if row["callback_at"] else None,
    )


def orders(db: Database) -> list[StoredOrder]:
    """Every work order, by district and number."""
    return [_stored(row) for row in db.query("SELECT * FROM hotline_orders ORDER BY district, order_number")]


def record_callback(
    db: Database, finding_id: str, satisfaction: Satisfaction | str, at: datetime | None = None
) -> None:
    """Keep the caller's verdict from the callback (回访) for the order of this case."""
    verdict = Satisfaction(satisfaction)
    with transaction(db):
        changed = db.execute(
            "UPDATE hotline_orders SET satisfaction = ?, callback_at = ? WHERE finding_id = ?",
            [verdict.value, to_iso(at or utc_now()), finding_id],
        ).rowcount
    if not changed:
        raise RecordNotFoundError("hotline order", finding_id)


def _responded_at(db: Database, finding_id: str) -> datetime | None:
    """When the case first moved past 待受理 (its first event after the report)."""
    row = db.execute(
        "SELECT min(at) FROM finding_events WHERE finding_id = ? AND action NOT IN ('report', 'report_fixed_on_site') "
        "AND sync_state IN ('acknowledged', 'pending')",
        [finding_id],
    ).fetchone()
    return parse_iso(row[0]) if row and row[0] else None


def order_facts(db: Database) -> list[OrderFacts]:
    """The facts behind the monthly 响应率, 解决率 and 满意率."""
    facts = []
    for order in orders(db):
        case = findings.get_or_none(db, order.finding_id)
        if case is None:
            continue
        facts.append(
            OrderFacts(
                jurisdiction=case.view.jurisdiction,
                received_at=order.received_at or order.imported_at,
                reply_deadline=order.reply_deadline,
                responded_at=_responded_at(db, order.finding_id),
                closed_at=case.view.closed_at,
                satisfaction=order.satisfaction,
            )
        )
    return facts


HANDLING_LABELS: dict[State, str] = {
    State.REPORTED: "已接收",
    State.REGISTERED: "已受理",
    State.ASSIGNED: "办理中",
    State.RECTIFIED: "已办理待核查",
    State.CLOSED: "已办结",
    State.REJECTED: "不予受理",
}


def status_rows(db: Database) -> list[dict[str, Any]]:
    """One row per work order for the hotline platform: number, handling status, dates, result, satisfaction."""
    rows = []
    for order in orders(db):
        case = findings.get_or_none(db, order.finding_id)
        if case is None:
            continue
        view = case.view
        events = findings.events(db, order.finding_id)
        result = next(
            (
                str(entry.event.payload.get("description") or entry.event.payload.get("reason") or "")
                for entry in reversed(events)
                if entry.event.action in (Action.RECTIFY, Action.REJECT, Action.VERIFY_PASS)
            ),
            "",
        )
        responded = _responded_at(db, order.finding_id)
        rows.append(
            {
                "order_number": order.order_number,
                "status": HANDLING_LABELS.get(view.state, STATE_LABELS[view.state]),
                "ledger_number": view.ledger_number or "",
                "responsible_unit": view.responsible_unit or "",
                "responded_at": responded,
                "closed_at": view.closed_at,
                "reply_deadline": order.reply_deadline,
                "in_time": responded is not None and responded <= order.reply_deadline,
                "result": result,
                "satisfaction": hotline.SATISFACTION_LABELS[order.satisfaction] if order.satisfaction else "",
            }
        )
    return rows
