"""The ledger search through the trigram text index finds exactly the findings a plain LIKE scan finds: random Chinese,
Latin and digit text (LIKE's own special characters among it), random queries of 1–4 characters, edits, deletes."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlite_utils import Database
from store_samples import COMMUNITY

from inspector.core.ledger import FindingState
from inspector.store import findings, ledger_queries, subjects, text_index
from inspector.store.database import DataFolder, open_data_folder, transaction
from inspector.store.errors import NewerDatabaseError
from inspector.store.findings import finding_to_json
from inspector.store.schema import STEPS
from inspector.store.seed_ledger import synthetic_findings

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
# Few characters, so that short queries often match: Chinese, ASCII letters in both cases, digits, LIKE's special
# characters, letters LIKE does not fold (É/é, full-width Ａ/ａ), a quote (FTS5's phrase delimiter), the END mark, and
# NUL (where LIKE stops reading a value).
CHINESE = "占道井盖经营垃圾门口通行乱停车"
OTHERS = 'aAbBxXzZ0129%_\\- "Éé\uff21\uff41\x01\x00'
ALPHABET = CHINESE * 2 + OTHERS
TEXT_COLUMNS = ("description", "category", "ledger_number", "responsible_unit")
NULLABLE = ("category", "ledger_number", "responsible_unit")


def random_text(rng: random.Random, longest: int = 14) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, longest)))


def random_query(rng: random.Random, texts: list[str]) -> str:
    """1–4 characters: a piece of a stored text (with ASCII letters in another case) or any characters."""
    length = rng.randint(1, 4)
    source = rng.choice(texts) if texts and rng.random() < 0.6 else ""
    if len(source) >= length:
        start = rng.randrange(len(source) - length + 1)
        piece = source[start : start + length]
        return "".join(c.swapcase() if c.isascii() and rng.random() < 0.5 else c for c in piece)
    return "".join(rng.choice(ALPHABET) for _ in range(length))


def like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def like_scan(db: Database, text: str, with_subjects: bool = True) -> set[str]:
    """The reference: every finding whose text columns (or subject's name or code) hold the text, by plain LIKE."""
    clauses = [f"{column} LIKE ? ESCAPE '\\'" for column in TEXT_COLUMNS]
    if with_subjects:
        clauses.append("subject_id IN (SELECT id FROM subjects WHERE name LIKE ? ESCAPE '\\' OR code LIKE ? "
                       "ESCAPE '\\')")  # fmt: skip
    values = [like(text)] * (len(TEXT_COLUMNS) + (2 if with_subjects else 0))
    return {row[0] for row in db.execute(f"SELECT id FROM findings WHERE {' OR '.join(clauses)}", values)}


def ids_of_rowids(db: Database, sql: str, values: list[Any]) -> set[str]:
    return {row[0] for row in db.execute(f"SELECT id FROM findings WHERE rowid IN ({sql})", values)}


def searched(db: Database, search: ledger_queries.TextSearch, text: str) -> set[str]:
    """The ids the ledger shows for a text: prepared once, then counted and read page by page, the same whether the
    matches are read as few (by rowid) or as many (along the order's index) and without a prepared search."""
    query = ledger_queries.LedgerQuery(text=text)
    order = ledger_queries.LedgerSort("deadline", descending=False)
    search.prepare(text)
    total = ledger_queries.count(db, query, search)
    rows = [row.finding.id for row in ledger_queries.page(db, query, order, 0, total + 10, search)]
    assert len(rows) == total
    many = ledger_queries.TextSearch(db, f"{search.table}_many")
    many.MANY = 0
    many.prepare(text)
    assert [row.finding.id for row in ledger_queries.page(db, query, order, 0, total + 10, many)] == rows
    assert [row.finding.id for row in ledger_queries.page(db, query, order, 0, total + 10)] == rows
    assert ledger_queries.count(db, query) == total
    return set(rows)


def random_findings(rng: random.Random, count: int, subject_ids: list[str], first: int = 0) -> list[FindingState]:
    made = []
    for number, finding in enumerate(synthetic_findings(count, subject_ids, rng, NOW)):
        made.append(replace(
            finding,
            finding_id=f"{finding.finding_id}-{first + number}",
            description=random_text(rng),
            category=random_text(rng, 5) if rng.random() < 0.9 else "",
            ledger_number=random_text(rng, 8) if rng.random() < 0.7 else None,
            responsible_unit=random_text(rng, 8) if rng.random() < 0.5 else None,
        ))  # fmt: skip
    return made


def make_subjects(db: Database, rng: random.Random, count: int) -> list[str]:
    made = []
    for _ in range(count):
        name, code = "店" + random_text(rng, 5), random_text(rng, 4) or None
        made.append(subjects.create(db, kind="street_front_unit", name=name, jurisdiction=COMMUNITY, code=code).id)
    return made


def stored_texts(db: Database) -> list[str]:
    rows = db.execute(f"SELECT {', '.join(TEXT_COLUMNS)} FROM findings").fetchall()
    names = [value for row in db.execute("SELECT name, code FROM subjects") for value in row if value]
    return [value for row in rows for value in row if value] + names


def check_queries(db: Database, rng: random.Random, runs: int) -> None:
    search = ledger_queries.TextSearch(db, "test_search")
    texts = stored_texts(db)
    for _ in range(runs):
        text = random_query(rng, texts)
        if not text.strip():
            continue
        expected = like_scan(db, text.strip())
        assert searched(db, search, text) == expected, text
        for scan_above in (float("inf"), 0.0):  # always the index, and the scan whenever it may be chosen
            found = text_index.matching_rowids(db, text, scan_above=scan_above)
            if found is not None:
                assert ids_of_rowids(db, *found) == like_scan(db, text, with_subjects=False), text


def edit_randomly(db: Database, rng: random.Random, edits: int) -> None:
    """Text changes (through the store and by plain SQL), deletions and new findings, some reusing freed rowids."""
    ids = [row[0] for row in db.execute("SELECT id FROM findings ORDER BY rowid")]
    subject_ids = [row[0] for row in db.execute("SELECT id FROM subjects")]
    added = len(ids)
    for _ in range(edits):
        chosen = rng.choice(ids)
        action = rng.random()
        if action < 0.3:
            column = rng.choice(TEXT_COLUMNS)
            value = None if column in NULLABLE and rng.random() < 0.2 else random_text(rng)
            db.execute(f"UPDATE findings SET {column} = ? WHERE id = ?", [value, chosen])
        elif action < 0.5:
            finding = findings.get(db, chosen).view
            newer = replace(finding, description=random_text(rng), event_count=finding.event_count + 1)
            with transaction(db):
                findings.on_pulled(db, finding_to_json(newer))
        elif action < 0.6:
            db.execute("UPDATE findings SET state = state, description = description WHERE id = ?", [chosen])
        elif action < 0.7:
            subjects.update(db, rng.choice(subject_ids), name="店" + random_text(rng, 5))
        elif action < 0.85:
            last = ids[-1] if rng.random() < 0.5 else chosen  # the last rowid is the one SQLite gives out again
            db.execute("DELETE FROM findings WHERE id = ?", [last])
            ids.remove(last)
        else:
            findings.on_pulled_many(db, random_findings(rng, 1, subject_ids, first=added))
            added += 1
            ids = [row[0] for row in db.execute("SELECT id FROM findings ORDER BY rowid")]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_indexed_search_finds_what_a_like_scan_finds(db: Database, seed: int) -> None:
    rng = random.Random(seed)
    subject_ids = make_subjects(db, rng, 12)
    findings.on_pulled_many(db, random_findings(rng, 300, subject_ids))
    check_queries(db, rng, 150)
    for _ in range(3):
        edit_randomly(db, rng, 80)
        check_queries(db, rng, 100)


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("%", "打折50%"), ("_", "a_b"), ("\\", "路径\\目录"), ("5%", "满5%减"), ("a_", "xa_y"), ("\\%", "x\\%y"),
        ("ab", "xAB"), ("AB", "xab"), ("abc", "xABCy"), ("Ｂ", "ｂ"), ("é", "É"), ("\"", "他说\"好\""),
        ("通", "通"), ("行", "通行"), ("占道", "占道"), ("道经", "占道经营"), ("营", "经营"), ("\x01", "a\x01b"),
        ("cd", "ab\x00cd"),
    ],
)  # fmt: skip
def test_special_characters_and_case_are_matched_as_like_does(db: Database, text: str, stored: str) -> None:
    findings.on_pulled_many(db, random_findings(random.Random(4), 3, []))
    first = db.execute("SELECT id FROM findings ORDER BY rowid LIMIT 1").fetchone()[0]
    db.execute("UPDATE findings SET description = ? WHERE id = ?", [stored, first])
    search = ledger_queries.TextSearch(db, "test_search")
    assert searched(db, search, text) == like_scan(db, text)
    found = text_index.matching_rowids(db, text, scan_above=float("inf"))
    if found is not None:
        assert ids_of_rowids(db, *found) == like_scan(db, text, with_subjects=False)


def test_the_ledger_number_and_the_subject_are_searched(db: Database) -> None:
    subject = subjects.create(db, kind="street_front_unit", name="东四炸酱面馆", jurisdiction="110105004001000",
                              code="MQ-0007")  # fmt: skip
    made = random_findings(random.Random(5), 3, [])
    findings.on_pulled_many(db, [replace(made[0], ledger_number="朝阳-三里屯-2026-000042"),
                                        replace(made[1], subject_id=subject.id), made[2]])  # fmt: skip
    search = ledger_queries.TextSearch(db, "test_search")
    assert searched(db, search, "000042") == {made[0].finding_id}
    assert searched(db, search, "三里屯") == {made[0].finding_id}
    assert searched(db, search, "mq-00") == {made[1].finding_id}
    assert searched(db, search, "面") == {made[1].finding_id}
    subjects.update(db, subject.id, name="东四卤煮店")
    assert searched(db, search, "面") == set()


def test_a_rolled_back_change_leaves_the_index_as_it_was(db: Database) -> None:
    findings.on_pulled_many(db, random_findings(random.Random(6), 5, []))
    first = db.execute("SELECT id FROM findings ORDER BY rowid LIMIT 1").fetchone()[0]
    db.execute("UPDATE findings SET description = '井盖缺失' WHERE id = ?", [first])
    with pytest.raises(RuntimeError), transaction(db):
        db.execute("UPDATE findings SET description = '垃圾满溢' WHERE id = ?", [first])
        db.execute("DELETE FROM findings WHERE id != ?", [first])
        raise RuntimeError("undo")
    search = ledger_queries.TextSearch(db, "test_search")
    assert searched(db, search, "井盖") == {first} == like_scan(db, "井盖")
    assert searched(db, search, "垃圾满") == like_scan(db, "垃圾满")
    assert db.execute("SELECT count(*) FROM findings").fetchone()[0] == 5


def test_a_rebuilt_index_finds_the_findings_again_after_their_rowids_changed(db: Database) -> None:
    rng = random.Random(9)
    findings.on_pulled_many(db, random_findings(rng, 120, make_subjects(db, rng, 4)))
    db.execute("UPDATE findings SET rowid = rowid + 1000")  # as VACUUM may do to a table without INTEGER PRIMARY KEY
    with transaction(db):
        text_index.rebuild(db)
    check_queries(db, rng, 100)


def test_an_older_database_gets_the_index_of_its_findings_and_the_older_app_refuses_it(tmp_path: Any) -> None:
    older = open_data_folder(tmp_path / "data", STEPS[:2])
    db = older.connect()
    rng = random.Random(8)
    newer = ("kind", "source", "extension_count")  # columns of a later step (0011_case_kinds)
    for finding in random_findings(rng, 200, make_subjects(db, rng, 5)):
        columns = {k: v for k, v in findings._view_columns(finding).items() if k not in newer}
        db.execute(
            f"INSERT INTO findings (id, {', '.join(columns)}, confirmed_projection, updated_at) "
            f"VALUES (?, {', '.join('?' for _ in columns)}, ?, ?)",
            [finding.finding_id, *columns.values(), columns["projection"], "2026-01-01T00:00:00.000Z"],
        )
    db.close()
    folder: DataFolder = open_data_folder(tmp_path / "data")  # applies 0003 and later
    db = folder.connect()
    try:
        assert [name for name, _ in STEPS][-1] in {row[0] for row in db.execute("SELECT name FROM _sqlite_migrations")}
        check_queries(db, rng, 150)
    finally:
        db.close()
    with pytest.raises(NewerDatabaseError) as caught:
        open_data_folder(tmp_path / "data", STEPS[:2])
    assert caught.value.found_version == len(STEPS)
