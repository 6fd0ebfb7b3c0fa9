"""The findings' text indexes for the ledger search: FTS5 trigram indexes of the searched columns (the ledger number
in one of its own), kept by triggers.

Each indexed value is the column's text with ASCII letters lowered (as LIKE compares them) followed by two END marks,
so that every character of the text begins a trigram. Then a search text of three or more characters is a phrase
of its trigrams, and one of one or two characters is the prefix of the trigrams that begin with it (read from the
index's term list). Both give exactly the findings whose column holds the text, as LIKE '%text%' does. See
docs/data-model.md, "Text search".
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

TABLE = "finding_text"  # contentless FTS5 table; its rowid is the findings row's rowid
TERMS = "finding_text_terms"  # fts5vocab 'row' table over it: each trigram and in how many findings it occurs
COLUMNS: tuple[str, ...] = ("description", "category", "responsible_unit")
# The ledger number in an index of its own (schema step 0018): it is given when a case is accepted, and changing it in
# the shared index re-indexed the description too (a pull's accepted cases spent 0.3 s of 5,000 rows on that).
NUMBERS = "finding_text_numbers"
NUMBER_TERMS = "finding_text_numbers_terms"
NUMBER_COLUMNS: tuple[str, ...] = ("ledger_number",)
Index = tuple[str, str, tuple[str, ...]]  # an index's table, its term list, its columns
INDEXES: tuple[Index, ...] = ((TABLE, TERMS, COLUMNS), (NUMBERS, NUMBER_TERMS, NUMBER_COLUMNS))
SEARCHED = COLUMNS[:2] + NUMBER_COLUMNS + COLUMNS[2:]  # every searched findings column
# Contentless (only rowids come back), no column sizes (nothing is ranked), trigrams compared as they are (the values
# are folded before they are indexed).
OPTIONS = "content='', columnsize=0, tokenize='trigram case_sensitive 1'"
END = "\x01"  # closes each indexed value (twice); a search text holding it is not looked up in the index
# A search of one or two characters reads the findings of every trigram beginning with it; past this many findings
# per row of the table (summed over those trigrams) or this many trigrams, scanning the text is cheaper.
SCAN_ABOVE_FINDINGS_PER_ROW = 1.5
SCAN_ABOVE_TERMS = 400
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_LAST_CODE_POINT = 0x10FFFF
_SURROGATES = range(0xD800, 0xE000)
_TRIGGERS = ("insert", "delete", "update", "number_update")


def _indexed(row: str, columns: tuple[str, ...]) -> str:
    """The indexed values of a trigger's `new` or `old` row, in the columns' order: up to a NUL character, if any
    (where LIKE stops reading), ASCII letters lowered, two END marks."""
    value = "lower(substr({0}, 1, length({0}))) || char(1, 1)"
    return ", ".join(value.format(f"{row}.{column}") for column in columns)


def _add(table: str, columns: tuple[str, ...], row: str = "new") -> str:
    return f"INSERT INTO {table} (rowid, {', '.join(columns)}) VALUES ({row}.rowid, {_indexed(row, columns)});"


def _remove(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(columns)
    return f"INSERT INTO {table} ({table}, rowid, {names}) VALUES ('delete', old.rowid, {_indexed('old', columns)});"


def _changed(columns: tuple[str, ...]) -> str:
    return " OR ".join(f"old.{column} IS NOT new.{column}" for column in columns)


def _statements() -> tuple[str, ...]:
    """The two indexes, their term lists, and the triggers that keep them in step with the findings."""
    made: list[str] = []
    for table, terms, columns in INDEXES:
        made.append(f"CREATE VIRTUAL TABLE {table} USING fts5({', '.join(columns)}, {OPTIONS})")
        made.append(f"CREATE VIRTUAL TABLE {terms} USING fts5vocab({table}, 'row')")
    adds = " ".join(_add(table, columns) for table, _, columns in INDEXES)
    removes = " ".join(_remove(table, columns) for table, _, columns in INDEXES)
    made.append(f"CREATE TRIGGER findings_text_insert AFTER INSERT ON findings BEGIN {adds} END")
    made.append(f"CREATE TRIGGER findings_text_delete AFTER DELETE ON findings BEGIN {removes} END")
    for name, (table, _, columns) in zip(("update", "number_update"), INDEXES, strict=True):
        made.append(
            f"CREATE TRIGGER findings_text_{name} AFTER UPDATE OF {', '.join(columns)} ON findings "
            f"WHEN {_changed(columns)} BEGIN {_remove(table, columns)} {_add(table, columns)} END"
        )
    return tuple(made)


def create(db: Database) -> None:
    """Schema step 0003, as released: one index of the description, category, ledger number and responsible unit,
    its triggers and its term list, every finding indexed."""
    shared = ("description", "category", "ledger_number", "responsible_unit")
    db.execute(f"CREATE VIRTUAL TABLE {TABLE} USING fts5({', '.join(shared)}, {OPTIONS})")
    db.execute(f"CREATE VIRTUAL TABLE {TERMS} USING fts5vocab({TABLE}, 'row')")
    db.execute(f"CREATE TRIGGER findings_text_insert AFTER INSERT ON findings BEGIN {_add(TABLE, shared)} END")
    db.execute(f"CREATE TRIGGER findings_text_delete AFTER DELETE ON findings BEGIN {_remove(TABLE, shared)} END")
    db.execute(
        f"CREATE TRIGGER findings_text_update AFTER UPDATE OF {', '.join(shared)} ON findings WHEN {_changed(shared)} "
        f"BEGIN {_remove(TABLE, shared)} {_add(TABLE, shared)} END"
    )
    db.execute(f"INSERT INTO {TABLE} (rowid, {', '.join(shared)}) SELECT rowid, {_indexed('findings', shared)} "
               "FROM findings")  # fmt: skip
    db.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')")


def split_numbers(db: Database) -> None:
    """Schema step 0018: the ledger number moves to an index of its own (the other three columns keep theirs),
    every finding indexed again."""
    drop(db)
    for statement in _statements():
        db.execute(statement)
    rebuild(db)


def drop(db: Database) -> None:
    """The indexes, their term lists and their triggers gone (whichever of them exist)."""
    for name in _TRIGGERS:
        db.execute(f"DROP TRIGGER IF EXISTS findings_text_{name}")
    for table, terms, _ in INDEXES:
        db.execute(f"DROP TABLE IF EXISTS {terms}")
        db.execute(f"DROP TABLE IF EXISTS {table}")


def rebuild(db: Database) -> None:
    """Index every finding afresh (after anything that may renumber the findings' rowids, such as VACUUM)."""
    for table, _, columns in INDEXES:
        db.execute(f"INSERT INTO {table} ({table}) VALUES ('delete-all')")
        db.execute(f"INSERT INTO {table} (rowid, {', '.join(columns)}) SELECT rowid, {_indexed('findings', columns)} "
                   "FROM findings")  # fmt: skip
        db.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")  # one segment: the fastest to read


def fold(text: str) -> str:
    """The text as the index holds it: ASCII letters lowered, nothing else changed (SQLite's lower() and LIKE)."""
    return text.translate(_ASCII_LOWER)


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _after(prefix: str) -> str | None:
    """The least string above every string beginning with `prefix` (None when there is none)."""
    code = ord(prefix[-1]) + 1
    if code in _SURROGATES:
        code = _SURROGATES.stop
    return prefix[:-1] + chr(code) if code <= _LAST_CODE_POINT else None


def _terms_beginning(db: Database, terms_table: str, prefix: str) -> list[tuple[str, int]]:
    """The trigrams of one index beginning with a prefix and in how many findings each occurs."""
    upper = _after(prefix)
    sql = f"SELECT term, doc FROM {terms_table} WHERE term >= ?" + (" AND term < ?" if upper else "")
    return [(row[0], int(row[1])) for row in db.execute(sql, [prefix, upper] if upper else [prefix])]


def _rows(db: Database) -> int:
    """About how many findings there are (their largest rowid; read from the end of the table)."""
    return int(db.execute("SELECT coalesce(max(rowid), 0) FROM findings").fetchone()[0])


def matching_rowids(
    db: Database, text: str, *, scan_above: float = SCAN_ABOVE_FINDINGS_PER_ROW
) -> tuple[str, list[Any]] | None:
    """A SELECT of the rowids of the findings whose indexed columns hold `text` (a substring, ASCII letters in any
    case; a rowid may come twice), or None when scanning the columns is the better way (or the only one) to find
    them."""
    folded = fold(text)
    if not folded or END in folded or "\x00" in folded:
        return None
    if len(folded) >= 3:
        selects = [f"SELECT rowid FROM {table} WHERE {table} MATCH ?" for table, _, _ in INDEXES]
        return " UNION ALL ".join(selects), [_phrase(folded)] * len(INDEXES)
    found = {table: _terms_beginning(db, terms, folded) for table, terms, _ in INDEXES}
    every = [term for terms in found.values() for term in terms]
    if not every:
        return f"SELECT rowid FROM {TABLE} WHERE 0", []
    if len(every) > SCAN_ABOVE_TERMS or sum(count for _term, count in every) > scan_above * _rows(db):
        return None
    selects, values = [], []
    for table, terms in found.items():
        if terms:
            selects.append(f"SELECT rowid FROM {table} WHERE {table} MATCH ?")
            values.append(" OR ".join(_phrase(term) for term, _ in terms))
    return " UNION ALL ".join(selects), values
