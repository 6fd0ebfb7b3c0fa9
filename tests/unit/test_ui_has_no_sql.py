"""The interface asks the store for data and never speaks SQL itself: no database library at run time, no SQL text,
no query calls on a connection anywhere under inspector/ui (DESIGN §2: SQL lives next to its tables in store)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "inspector" / "ui"

DATABASE_LIBRARIES = {"sqlite3", "sqlite_utils", "apsw", "sqlalchemy"}
SQL_TEXT = re.compile(
    r"^\s*(SELECT\b.*\bFROM\b|INSERT\s+(OR\s+\w+\s+)?INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|"
    r"CREATE\s+(TABLE|INDEX|VIEW|TRIGGER)\b|DROP\s+(TABLE|INDEX)\b|PRAGMA\b|WITH\s+\w+\s+AS\b)",
    re.DOTALL,
)
QUERY_METHODS = {"execute", "executemany", "executescript", "query", "rows_where", "table", "insert", "insert_all",
                 "upsert", "upsert_all", "delete_where"}  # fmt: skip
CONNECTION_NAMES = {"db", "conn", "connection", "database"}


def _receiver_name(node: ast.expr) -> str:
    """The last name of what a method is called on: `db`, `self.db`, `self.ctx.db` all give "db"."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Line numbers of imports inside `if TYPE_CHECKING:` blocks (annotations only, never run)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _receiver_name(node.test) == "TYPE_CHECKING":
            for inner in node.body:
                for child in ast.walk(inner):
                    if isinstance(child, ast.Import | ast.ImportFrom):
                        lines.add(child.lineno)
    return lines


def _string_text(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):  # an f-string: its literal parts, with a placeholder for each value
        return "".join(part.value if isinstance(part, ast.Constant) else "?" for part in node.values)
    return None


def sql_offences(source: str, name: str = "<source>") -> list[str]:
    """Each place in a module's source that uses the database directly, as 'name:line what'."""
    tree = ast.parse(source, filename=name)
    annotations_only = _type_checking_only(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and node.lineno not in annotations_only:
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"{name}:{node.lineno} imports {module}" for module in modules
                      if module.split(".")[0] in DATABASE_LIBRARIES]  # fmt: skip
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method, receiver = node.func.attr, _receiver_name(node.func.value)
            if method in QUERY_METHODS and receiver in CONNECTION_NAMES:
                found.append(f"{name}:{node.lineno} calls {receiver}.{method}()")
        elif isinstance(node, ast.Subscript) and _receiver_name(node.value) in CONNECTION_NAMES:
            found.append(f"{name}:{node.lineno} opens a table with {_receiver_name(node.value)}[…]")
        elif isinstance(node, ast.Constant | ast.JoinedStr):
            text = _string_text(node)
            if text is not None and SQL_TEXT.match(text):
                found.append(f"{name}:{node.lineno} has SQL text {text[:40]!r}")
    return sorted(set(found))


def test_no_module_of_the_interface_uses_the_database_directly() -> None:
    files = sorted(UI.rglob("*.py"))
    assert len(files) >= 40  # the whole interface is read, rooms included
    offences = [
        line for path in files for line in sql_offences(path.read_text(encoding="utf-8"), str(path.relative_to(UI)))
    ]
    assert offences == []


# What inspector/ui/sync/badges.py did before its query moved to inspector/store/sync_state.py.
OLD_BADGES = '''
from sqlite_utils import Database

def open_refusals(db: Database, entity_ids: Iterable[str]) -> dict[str, Refusal]:
    wanted = sorted(set(entity_ids))
    found: dict[str, Refusal] = {}
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        marks = ", ".join("?" for _ in part)
        rows = db.execute(
            f"SELECT entity_id, status, message FROM conflicts WHERE resolved_at IS NULL AND entity_id IN ({marks}) "
            "ORDER BY created_at",
            part,
        )
        return rows
'''


def test_the_check_finds_the_query_the_sync_badges_ran() -> None:
    assert sql_offences(OLD_BADGES, "badges.py") == [
        "badges.py:10 calls db.execute()",
        "badges.py:11 has SQL text 'SELECT entity_id, status, message FROM c'",
        "badges.py:2 imports sqlite_utils",
    ]


def test_each_way_of_reaching_the_database_is_found_and_plain_interface_code_is_not() -> None:
    sample = """
import sqlite3
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from sqlite_utils import Database
rows = list(self.ctx.db.query("select 1"))
self.db["findings"].insert({"id": 1})
conn.executescript(script)
sql = "DELETE FROM photos WHERE sha256 = ?"
query = self.filters.query()
label = QLabel("Select a file from the list")
dialog.exec()
"""
    assert sql_offences(sample, "s.py") == [
        "s.py:2 imports sqlite3",
        "s.py:6 calls db.query()",
        "s.py:7 opens a table with db[…]",
        "s.py:8 calls conn.executescript()",
        "s.py:9 has SQL text 'DELETE FROM photos WHERE sha256 = ?'",
    ]
