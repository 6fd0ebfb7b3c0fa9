"""The pages of one table in an SQLite file, found by walking its b-tree from the schema's root page.

The tests that damage one table need its pages; SQLite's `dbstat` table would say, but it is compiled into Debian's
SQLite and not into python.org's Windows build, so the b-tree is read here from the file format itself
(https://www.sqlite.org/fileformat2.html#b_tree_pages): interior table pages (type 5) point at their children,
leaf table pages (type 13) hold the rows. Overflow pages are not followed.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

INTERIOR, LEAF = 5, 13


def table_pages(db: Path, table: str) -> dict[int, str]:
    """Page number → "interior" or "leaf" for every b-tree page of a table (the database checkpointed first)."""
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if table == "sqlite_master":
            root = 1  # the table list itself
        else:
            (root,) = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [table]).fetchone()
        (size,) = connection.execute("PRAGMA page_size").fetchone()
    connection.close()
    data = db.read_bytes()
    found: dict[int, str] = {}
    todo = [int(root)]
    while todo:
        page = todo.pop()
        start = (page - 1) * size
        header = start + (100 if page == 1 else 0)
        kind = data[header]
        if kind == LEAF:
            found[page] = "leaf"
            continue
        if kind != INTERIOR:
            raise ValueError(f"page {page} of {table} is not a table b-tree page (type {kind})")
        found[page] = "interior"
        cells = int.from_bytes(data[header + 3 : header + 5], "big")
        todo.append(int.from_bytes(data[header + 8 : header + 12], "big"))  # the right-most child
        for index in range(cells):
            pointer = int.from_bytes(data[header + 12 + 2 * index : header + 14 + 2 * index], "big")
            todo.append(int.from_bytes(data[start + pointer : start + pointer + 4], "big"))  # the left child
    return found
