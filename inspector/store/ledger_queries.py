"""Queries behind the ledger view (隐患台账): filtered, sorted pages of findings, counts, positions, and the events
that make up each finding's local view (for exports and statistics).

Every query reads the `findings` columns (the local view), so the indexes of the schema serve them (the search text
the trigram index of `text_index`); the JSON projection is parsed only for the rows of a page. Filters are values of
`LedgerQuery`; nothing here builds SQL from user text (search text and codes are parameters).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from itertools import groupby
from typing import Any

from sqlite_utils import Database

from inspector.core import ledger
from inspector.core.clock import SHANGHAI, end_of_local_day, to_iso, utc_now
from inspector.core.jurisdiction import parse_code
from inspector.core.ledger import Event, FindingState, State
from inspector.core.stage_clock import StageClock
from inspector.store import jsonutil, stage_clocks, text_index
from inspector.store.findings import LocalFinding, finding_from_json, local_finding, stored_event
from inspector.store.view_events import events_by_finding as _events_by_finding
from inspector.store.view_events import view_events

DATE_FIELDS = ("reported", "deadline", "closed")
# Sort keys the view offers, as SQL over the findings table `f` (state in the order of the ledger's life).
SORT_KEYS: dict[str, str] = {
    "number": "f.ledger_number",
    "state": (
        "CASE f.state WHEN 'reported' THEN 0 WHEN 'registered' THEN 1 WHEN 'assigned' THEN 2 "
        "WHEN 'rectified' THEN 3 WHEN 'closed' THEN 4 ELSE 5 END"
    ),
    "severity": "f.severity",
    "kind": "f.kind",
    "source": "f.source",
    "escalation": "f.escalation",
    "category": "f.category",
    "street": "f.jurisdiction",
    "reported_at": "f.reported_at",
    "deadline": "f.deadline",
    "unit": "f.responsible_unit",
    "updated_at": "f.updated_at",
}
DEFAULT_SORT = "reported_at"
ANY_ESCALATION = "any"
TEXT_INDEX = "idx_findings_text"  # made by the schema step 0002_ledger_view_indexes; scanned when the trigram index
# is not the better way (see text_index.matching_rowids)
TEXT_COLUMNS = text_index.SEARCHED  # description, category, ledger number, responsible unit


@dataclass(frozen=True)
class LedgerQuery:
    """Which findings the ledger shows. Empty values mean "any"; all given filters must hold."""

    states: tuple[str, ...] = ()
    severity: str = ""
    category: str = ""
    street: str = ""  # a jurisdiction code (any level): the finding lies inside it
    subject_id: str = ""
    overdue_at: datetime | None = None  # keep only the findings overdue at this instant
    pending_only: bool = False  # commands waiting for the server
    conflict_only: bool = False  # an unresolved conflict
    date_field: str = "reported"  # reported (上报日期) / deadline (整改期限) / closed (销账日期)
    date_from: date | None = None  # Beijing calendar days, both ends included
    date_to: date | None = None
    text: str = ""  # substring of description, category, ledger number, unit, subject name or code
    kind: str = ""  # problem / hazard
    source: str = ""  # 发现方式 (inspector.core.ledger.Source)
    escalation: str = ""  # a 督办 level, or ANY_ESCALATION for every case under 督办
    extension_requested: bool = False  # keep only the cases with an extension asked for and not yet decided


@dataclass(frozen=True)
class LedgerSort:
    """The order of the rows: a key of SORT_KEYS, ties broken by finding id in the same direction."""

    key: str = DEFAULT_SORT
    descending: bool = True


@dataclass(frozen=True)
class LedgerListRow:
    """One row of the ledger view: the finding, its subject's name and its open stage's clock (None: no clock)."""

    finding: LocalFinding
    subject_name: str
    clock: StageClock | None = None

    @property
    def case_fields(self) -> dict[str, Any]:
        """Kind, source, 督办, extensions and 重大隐患 fields under their export keys (ledger.case_fields)."""
        return ledger.case_fields(self.finding.view)


# --------------------------------------------------------------------------------------------------------------
# WHERE clauses
# --------------------------------------------------------------------------------------------------------------


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _instant_bounds(day_from: date | None, day_to: date | None) -> tuple[str | None, str | None]:
    """UTC text bounds [from, to) of Beijing calendar days, for columns holding instants."""
    start = to_iso(datetime.combine(day_from, datetime.min.time(), tzinfo=SHANGHAI)) if day_from else None
    end = to_iso(end_of_local_day(day_to)) if day_to else None
    return start, end


def _date_clauses(query: LedgerQuery) -> tuple[list[str], list[Any]]:
    if query.date_from is None and query.date_to is None:
        return [], []
    if query.date_field not in DATE_FIELDS:
        raise ValueError(f"unknown date field {query.date_field!r}; use one of {', '.join(DATE_FIELDS)}")
    if query.date_field == "deadline":  # a calendar date: both ends included
        start, end = (day.isoformat() if day else None for day in (query.date_from, query.date_to))
        column, upper = "f.deadline", "<="
    else:  # an instant: from the start of the first day to the end of the last
        start, end = _instant_bounds(query.date_from, query.date_to)
        column, upper = ("f.reported_at" if query.date_field == "reported" else "f.closed_at"), "<"
    bounds = [(f"{column} >= ?", start), (f"{column} {upper} ?", end)]
    return [clause for clause, value in bounds if value], [value for _clause, value in bounds if value]


def _subject_match(pattern: str) -> tuple[str, list[Any]]:
    """SELECT of the rowids of the findings whose subject's name or code holds the text (subjects are few)."""
    subjects = "SELECT id FROM subjects WHERE name LIKE ? ESCAPE '\\' OR code LIKE ? ESCAPE '\\'"
    return f"SELECT rowid FROM findings WHERE subject_id IN ({subjects})", [pattern, pattern]


def _text_scan(pattern: str) -> tuple[str, list[Any]]:
    """SELECT of the rowids whose text columns hold the pattern: a scan of the narrow covering index of the text
    columns (never of the wide rows)."""
    matches = " OR ".join(f"{column} LIKE ? ESCAPE '\\'" for column in TEXT_COLUMNS)
    return f"SELECT rowid FROM findings INDEXED BY {TEXT_INDEX} WHERE {matches}", [pattern] * len(TEXT_COLUMNS)


def _text_match(db: Database, text: str) -> tuple[str, list[Any]]:
    """SELECT of the rowids whose text or subject holds `text` (possibly twice): the findings' columns through the
    trigram index (or a scan when that is cheaper, see text_index), the subjects' name and code by LIKE."""
    pattern = _like_pattern(text)
    columns = text_index.matching_rowids(db, text)
    if columns is None:
        columns = _text_scan(pattern)
    subject_sql, subject_values = _subject_match(pattern)
    return f"{columns[0]} UNION ALL {subject_sql}", [*columns[1], *subject_values]


class TextSearch:
    """The findings matching one search text, found once and kept in a temporary table of one connection, so the
    count and every page of a search read the matches instead of scanning the text again."""

    # From this many matches on, a page is found by walking the index of its order and keeping the rows that match
    # (the first hundred come soon); below it, by reading the matches' rows and sorting them (fewer reads).
    MANY = 3000

    def __init__(self, db: Database, name: str = "ledger_search") -> None:
        if not name.isidentifier():
            raise ValueError(f"not a table name: {name!r}")
        self.db = db
        self.table = name
        self.text = ""
        self.found = 0
        db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} (id INTEGER PRIMARY KEY)")

    def prepare(self, text: str) -> None:
        """Find the matches of a text (again, as the data may have changed).

        A deferred transaction of its own: writing a temporary table takes no lock on the database, and nothing is
        left open (an open transaction would hold an old snapshot and swallow the next write's commit).
        """
        needle, found = text.strip(), 0
        own = not self.db.conn.in_transaction
        if own:
            self.db.execute("BEGIN")
        try:
            self.db.execute(f"DELETE FROM temp.{self.table}")
            self.text, self.found = "", 0
            if needle:
                sql, values = _text_match(self.db, needle)
                found = self.db.execute(f"INSERT OR IGNORE INTO temp.{self.table} (id) {sql}", values).rowcount
        except BaseException:
            if own:
                self.db.execute("ROLLBACK")
            raise
        if own:
            self.db.execute("COMMIT")
        self.text, self.found = needle, found

    def clause(self, text: str) -> tuple[str, list[Any]] | None:
        """The condition selecting the prepared matches, when they are those of this text (with many matches, a
        unary + keeps SQLite from looking each match up by rowid, so it walks the order's index instead)."""
        if text.strip() != self.text:
            return None
        rowid = "+f.rowid" if self.found >= self.MANY else "f.rowid"
        return f"{rowid} IN (SELECT id FROM temp.{self.table})", []


def _text_clause(db: Database, text: str, search: TextSearch | None) -> tuple[list[str], list[Any]]:
    needle = text.strip()
    if not needle:
        return [], []
    prepared = search.clause(needle) if search is not None else None
    if prepared is not None:
        return [prepared[0]], prepared[1]
    sql, values = _text_match(db, needle)
    return [f"f.rowid IN ({sql})"], values


def where_clause(db: Database, query: LedgerQuery, search: TextSearch | None = None) -> tuple[str, list[Any]]:
    """The WHERE clause (with its parameters) selecting the query's findings from `findings f` (the text through
    `search` when it holds this text's matches)."""
    clauses: list[str] = []
    values: list[Any] = []
    if query.states:
        states = [State(state).value for state in query.states]
        clauses.append(f"f.state IN ({', '.join('?' for _ in states)})")
        values.extend(states)
    for column, value in (("f.severity", query.severity), ("f.category", query.category),
                          ("f.subject_id", query.subject_id), ("f.kind", query.kind),
                          ("f.source", query.source)):  # fmt: skip
        if value:
            clauses.append(f"{column} = ?")
            values.append(value)
    if query.escalation == ANY_ESCALATION:
        clauses.append("f.escalation IS NOT NULL")
    elif query.escalation:
        clauses.append("f.escalation = ?")
        values.append(query.escalation)
    if query.extension_requested:
        clauses.append("json_extract(f.projection, '$.requested_deadline') IS NOT NULL")
    if query.street:
        prefix = parse_code(query.street).short
        clauses.append("f.jurisdiction BETWEEN ? AND ?")
        values.extend([prefix.ljust(15, "0"), prefix.ljust(15, "9")])
    if query.overdue_at is not None:  # late at any open stage (core.stage_clock), judged in Python
        clauses.append("f.id IN (SELECT value FROM json_each(?))")
        values.append(jsonutil.dumps(stage_clocks.late_ids(db, query.overdue_at)))
    if query.pending_only:
        clauses.append("f.has_pending = 1")
    if query.conflict_only:
        clauses.append("f.has_conflict = 1")
    for extra_clauses, extra_values in (_date_clauses(query), _text_clause(db, query.text, search)):
        clauses.extend(extra_clauses)
        values.extend(extra_values)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", values


def _order(sort: LedgerSort) -> str:
    if sort.key not in SORT_KEYS:
        raise ValueError(f"unknown sort key {sort.key!r}; use one of {', '.join(SORT_KEYS)}")
    direction = "DESC" if sort.descending else "ASC"
    return f"ORDER BY {SORT_KEYS[sort.key]} {direction}, f.id {direction}"


# --------------------------------------------------------------------------------------------------------------
# Counts, pages, positions
# --------------------------------------------------------------------------------------------------------------


def count(db: Database, query: LedgerQuery, search: TextSearch | None = None) -> int:
    """How many findings the query selects."""
    if search is not None and query.text and replace(query, text="") == LedgerQuery() and search.clause(query.text):
        return search.found  # the search alone
    where, values = where_clause(db, query, search)
    return int(db.execute(f"SELECT count(*) FROM findings f {where}", values).fetchone()[0])


def page(
    db: Database,
    query: LedgerQuery,
    sort: LedgerSort,
    offset: int,
    limit: int,
    search: TextSearch | None = None,
    now: datetime | None = None,
) -> list[LedgerListRow]:
    """Rows offset … offset+limit−1 of the query in the given order.

    The ids are found on the indexes alone; only the page's own rows are then read (their JSON projection is large,
    and OFFSET would otherwise read every skipped row).
    """
    where, values = where_clause(db, query, search)
    ids = [
        row[0]
        for row in db.execute(
            f"SELECT f.id FROM findings f {where} {_order(sort)} LIMIT ? OFFSET ?",
            [*values, max(0, limit), max(0, offset)],
        )
    ]
    if not ids:
        return []
    rows = db.query(
        "SELECT f.*, (SELECT name FROM subjects WHERE id = f.subject_id) AS subject_name FROM findings f "
        f"WHERE f.id IN ({', '.join('?' for _ in ids)})",
        ids,
    )
    found = {row["id"]: (local_finding(row), row["subject_name"] or "") for row in rows}
    clocks = stage_clocks.clocks_for(db, ids, now or utc_now(), views={key: f.view for key, (f, _n) in found.items()})
    by_id = {key: LedgerListRow(finding, name, clocks.get(key)) for key, (finding, name) in found.items()}
    return [by_id[finding_id] for finding_id in ids if finding_id in by_id]


def position(
    db: Database, query: LedgerQuery, sort: LedgerSort, finding_id: str, search: TextSearch | None = None
) -> int | None:
    """The row number of a finding in the query's order, or None when the query does not select it."""
    _order(sort)  # checks the key
    where, values = where_clause(db, query, search)
    key = SORT_KEYS[sort.key]
    found = db.execute(
        f"SELECT {key} FROM findings f {where + ' AND' if where else 'WHERE'} f.id = ?", [*values, finding_id]
    ).fetchone()
    if found is None:
        return None
    before, before_values = _sorts_before(key, found[0], finding_id, sort.descending)
    connector = f"{where} AND" if where else "WHERE"
    return int(db.execute(f"SELECT count(*) FROM findings f {connector} {before}", [*values, *before_values])
               .fetchone()[0])  # fmt: skip


def _sorts_before(key: str, value: Any, finding_id: str, descending: bool) -> tuple[str, list[Any]]:
    """A condition true for the rows ordered before (value, finding_id); SQLite puts NULLs first when ascending."""
    if value is None:
        if descending:
            return f"({key} IS NOT NULL OR f.id > ?)", [finding_id]
        return f"({key} IS NULL AND f.id < ?)", [finding_id]
    if descending:
        return f"({key} > ? OR ({key} = ? AND f.id > ?))", [value, value, finding_id]
    return f"({key} IS NULL OR {key} < ? OR ({key} = ? AND f.id < ?))", [value, value, finding_id]


def escalation_counts(db: Database, query: LedgerQuery | None = None) -> dict[str, int]:
    """How many of the query's findings are under 督办, per level (levels with none left out)."""
    where, values = where_clause(db, replace(query or LedgerQuery(), escalation=ANY_ESCALATION))
    rows = db.execute(f"SELECT f.escalation, count(*) FROM findings f {where} GROUP BY f.escalation", values)
    return {level: number for level, number in rows.fetchall()}


def categories(db: Database) -> list[str]:
    """The categories findings use, in order."""
    rows = db.execute("SELECT DISTINCT category FROM findings WHERE category IS NOT NULL ORDER BY category")
    return [row[0] for row in rows if row[0]]


# --------------------------------------------------------------------------------------------------------------
# The events behind each finding's local view
# --------------------------------------------------------------------------------------------------------------


def iter_with_events(
    db: Database, query: LedgerQuery, sort: LedgerSort, batch: int = 500
) -> Iterator[tuple[LedgerListRow, list[Event]]]:
    """Every selected finding in order with its view events, read a batch at a time (memory stays flat)."""
    offset = 0
    while True:
        rows = page(db, query, sort, offset, batch)
        if not rows:
            return
        grouped = _events_by_finding(db, [row.finding.id for row in rows])
        for row in rows:
            yield row, view_events(grouped.get(row.finding.id, []))
        offset += len(rows)


def iter_histories(db: Database) -> Iterator[list[Event]]:
    """The view events of every finding that was ever assigned a deadline (the overdue trend replays these)."""
    rows = db.query(
        "SELECT * FROM finding_events WHERE finding_id IN "
        "(SELECT DISTINCT finding_id FROM finding_events WHERE action = 'assign') "
        "ORDER BY finding_id, server_seq IS NULL, server_seq, created_at, rowid"
    )
    for _finding_id, group in groupby(rows, key=lambda r: r["finding_id"]):
        events = view_events([stored_event(row) for row in group])
        if events:
            yield events


def iter_views(db: Database, batch: int = 2000) -> Iterator[FindingState]:
    """Every finding's local view (the statistics read these), a batch of rows at a time."""
    last = ""
    while True:
        rows = db.execute(
            "SELECT id, projection FROM findings WHERE id > ? ORDER BY id LIMIT ?", [last, batch]
        ).fetchall()
        if not rows:
            return
        for _finding_id, projection in rows:
            yield finding_from_json(jsonutil.loads(projection))
        last = rows[-1][0]
