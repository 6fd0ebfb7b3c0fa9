"""One write transaction on the client database, nested uses becoming savepoints (below every store module)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database


@contextlib.contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """One write transaction (BEGIN IMMEDIATE, so concurrent writers queue instead of failing mid-way).

    Nested use becomes a savepoint of the outer transaction.
    """
    if db.conn.in_transaction:
        yield from _savepoint(db)
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    try:
        db.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise


# One name for every nested savepoint: nesting is strictly last-in first-out, SQLite releases or rolls back to the
# innermost savepoint of a name, and a fixed statement text stays in the connection's statement cache.
_SAVEPOINT = "inspector_nested"


def _savepoint(db: Database) -> Iterator[Database]:
    db.conn.execute(f"SAVEPOINT {_SAVEPOINT}")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:  # an error may have ended the whole transaction already
            db.conn.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
            db.conn.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
        raise
    db.conn.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
