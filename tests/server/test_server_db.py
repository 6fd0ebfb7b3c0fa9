"""Bulk inserts (one statement of column arrays on PostgreSQL, the driver's executemany on SQLite)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, select

from inspector.server.db import Database, insert_rows
from inspector.server.models import FeedEntry, User


def test_rows_are_inserted_with_their_values_in_column_order(database_url: str) -> None:
    db = Database(database_url)
    table = cast(Table, FeedEntry.__table__)
    rows = [
        {"seq": 10_000 + n, "kind": "finding", "entity_id": f"id-{n}", "jurisdiction": "110105001000000",
         "data": f'{{"n":{n},"text":"问题 {n}"}}', "at": "2026-11-21T08:00:00.000Z"}
        for n in range(3)
    ]  # fmt: skip
    reordered = [{key: row[key] for key in reversed(list(row))} for row in rows]  # keys in another order
    with db.write_connection() as connection:
        insert_rows(connection, table, reordered)
    with db.read_connection() as connection:
        stored = connection.execute(select(table).where(table.c.seq >= 10_000).order_by(table.c.seq)).mappings().all()
    assert [dict(row) for row in stored] == rows
    db.dispose()


def test_values_that_array_text_would_quote_are_stored_as_given(database_url: str) -> None:
    """Quotes, backslashes, braces, commas, the word NULL, empty text, a column that is NULL in every row and numbers
    beyond 32 bits come back exactly as they went in."""
    db = Database(database_url)
    table = cast(Table, FeedEntry.__table__)
    texts = ['{"a":"b\\"c"}', "{1,2}", "NULL", "", " spaced ", 'back\\slash "quoted"', "多行\n文本\t制表"]
    rows = [
        {"seq": 2**40 + n, "kind": "finding", "entity_id": f"e{n}", "jurisdiction": None, "data": text,
         "at": "2026-11-21T08:00:00.000Z"}
        for n, text in enumerate(texts)
    ]  # fmt: skip
    with db.write_connection() as connection:
        insert_rows(connection, table, rows)
    with db.read_connection() as connection:
        stored = connection.execute(select(table).where(table.c.seq >= 2**40).order_by(table.c.seq)).mappings().all()
    assert [dict(row) for row in stored] == rows
    db.dispose()


def test_a_table_whose_columns_convert_values_takes_the_usual_path(database_url: str) -> None:
    db = Database(database_url)
    table = cast(Table, User.__table__)
    row = {"id": "u-bulk", "username": "bulk", "display_name": "批量", "password_hash": "x", "roles": "inspector",
           "active": True, "is_demo": False, "created_at": "2026-11-21T08:00:00.000Z",
           "updated_at": "2026-11-21T08:00:00.000Z"}  # fmt: skip
    with db.write_connection() as connection:
        insert_rows(connection, table, [row])
    with db.read_connection() as connection:
        stored = connection.execute(select(table.c.active, table.c.is_demo).where(table.c.id == "u-bulk")).one()
    assert stored.active is True and stored.is_demo is False
    db.dispose()
