"""The findings' text index for the ledger search: an FTS5 trigram index of the searched columns, kept by triggers.

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
COLUMNS = ("description", "category", "ledger_number", "responsible_unit")
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


def _indexed(row: str) -> str:
    """The indexed values of a trigger's `new` or `old` row, in COLUMNS order: up to a NUL character, if any (where
    LIKE stops reading), ASCII letters lowered, two END marks."""
    value = "lower(substr({0}, 1, length({0}))) || char(1, 1)"
    return ", ".join(value.format(f"{row}.{column}") for column in COLUMNS)


def _statements() -> tuple[str, ...]:
    names = ", ".join(COLUMNS)
    changed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in COLUMNS)
    add = f"INSERT INTO {TABLE} (rowid, {names}) VALUES (new.rowid, {_indexed('new')});"
    remove = f"INSERT INTO {TABLE} ({TABLE}, rowid, {names}) VALUES ('delete', old.rowid, {_indexed('old')});"
    return (
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5({names}, {OPTIONS})",
        f"CREATE VIRTUAL TABLE {TERMS} USING fts5vocab({TABLE}, 'row')",
        f"CREATE TRIGGER findings_text_insert AFTER INSERT ON findings BEGIN {add} END",
        f"CREATE TRIGGER findings_text_delete AFTER DELETE ON findings BEGIN {remove} END",
        f"CREATE TRIGGER findings_text_update AFTER UPDATE OF {names} ON findings WHEN {changed} "
        f"BEGIN {remove} {add} END",
    )


def create(db: Database) -> None:
    """Make the index, its triggers and its term list, and index every finding there is (a schema step)."""
    for statement in _statements():
        db.execute(statement)
    rebuild(db)


def rebuild(db: Database) -> None:
    """Index every finding afresh (after anything that may renumber the findings' rowids, such as VACUUM)."""
    db.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('delete-all')")
    db.execute(f"INSERT INTO {TABLE} (rowid, {', '.join(COLUMNS)}) SELECT rowid, {_indexed('findings')} FROM findings")
    db.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')")  # one segment: the fastest to read


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


def _terms_beginning(db: Database, prefix: str) -> list[tuple[str, int]]:
    """The trigrams beginning with a prefix and in how many findings each occurs."""
    upper = _after(prefix)
    sql = f"SELECT term, doc FROM {TERMS} WHERE term >= ?" + (" AND term < ?" if upper else "")
    return [(row[0], int(row[1])) for row in db.execute(sql, [prefix, upper] if upper else [prefix])]


def _rows(db: Database) -> int:
    """About how many findings there are (their largest rowid; read from the end of the table)."""
    return int(db.execute("SELECT coalesce(max(rowid), 0) FROM findings").fetchone()[0])


def matching_rowids(
    db: Database, text: str, *, scan_above: float = SCAN_ABOVE_FINDINGS_PER_ROW
) -> tuple[str, list[Any]] | None:
    """A SELECT of the rowids of the findings whose indexed columns hold `text` (a substring, ASCII letters in any
    case), or None when scanning the columns is the better way (or the only one) to find them."""
    folded = fold(text)
    if not folded or END in folded or "\x00" in folded:
        return None
    if len(folded) >= 3:
        return f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH ?", [_phrase(folded)]
    terms = _terms_beginning(db, folded)
    if not terms:
        return f"SELECT rowid FROM {TABLE} WHERE 0", []
    if len(terms) > SCAN_ABOVE_TERMS or sum(found for _term, found in terms) > scan_above * _rows(db):
        return None
    return f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH ?", [" OR ".join(_phrase(term) for term, _ in terms)]
