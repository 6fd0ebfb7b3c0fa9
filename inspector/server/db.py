"""Database engine and sessions for SQLite and PostgreSQL, and retrying of transactions that lost a race."""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Engine, Table, any_, bindparam, create_engine, event, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
T = TypeVar("T")

# PostgreSQL SQLSTATEs that mean "try the transaction again": serialization failure, deadlock, lock timeout.
RETRY_SQLSTATES = {"40001", "40P01", "55P03"}
# SQLSTATEs of a lost or unusable server: admin/crash shutdown, cannot connect now, a primary that became a replica
# in a failover (read-only transaction); and class 08, connection exceptions.
CONNECTION_SQLSTATES = {"57P01", "57P02", "57P03", "25006"}


def is_connection_error(error: BaseException) -> bool:
    """Whether a database error means the connection (or the server behind it) went away, as in a restart or a
    failover: the work may run again on a new connection, or the request be answered 503."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    orig = error.orig
    if not type(orig).__module__.startswith("psycopg"):
        return False
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate is None:
        return isinstance(error, OperationalError)  # no reply at all: refused, reset, closed
    return sqlstate in CONNECTION_SQLSTATES or sqlstate.startswith("08")


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs (the installed driver)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_file(url: str) -> Path | None:
    database = make_url(url).database
    if not database or database == ":memory:":
        return None
    return Path(database)


def create_db_engine(url: str, pool_size: int = 10, prepared_statements: bool = True) -> Engine:
    """An engine with the project's connection rules (SQLite: WAL, foreign keys, IMMEDIATE write transactions;
    PostgreSQL: without server-side prepared statements when `prepared_statements` is off, as pgbouncer's
    transaction pooling needs)."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        path = _sqlite_file(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    # Plain executemany (pipelined by psycopg) is faster here than rewriting bulk inserts into one huge VALUES list.
    connect_args: dict[str, Any] = {} if prepared_statements else {"prepare_threshold": None}
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        use_insertmanyvalues=False,
        connect_args=connect_args,
    )


def _configure_sqlite(engine: Engine) -> None:
    """Let SQLAlchemy, not pysqlite, emit BEGIN, so writers take the write lock up front (no upgrade deadlocks)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """The engine plus session factories for writing and for reading."""

    def __init__(self, url: str, pool_size: int = 10, prepared_statements: bool = True) -> None:
        self.engine = create_db_engine(url, pool_size, prepared_statements)
        self.dialect = self.engine.dialect.name
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._reader_engine = self.engine.execution_options(sqlite_begin="DEFERRED") if self.is_sqlite else self.engine
        self._reader = sessionmaker(self._reader_engine, expire_on_commit=False)
        # SQLite has one writer at a time. Writers of this process queue on a lock instead of in SQLite's busy
        # handler, which sleeps 1, 2, 5, 10… ms between tries (concurrent photo uploads lost most of their time
        # there). Other processes on the same file still meet the busy timeout.
        self._write_turn: contextlib.AbstractContextManager[Any] = (
            threading.RLock() if self.is_sqlite else contextlib.nullcontext()
        )

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose work is committed at the end of the block (rolled back on an exception)."""
        with self._write_turn, self._writer() as session, session.begin():
            yield session

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only (never blocks writers on SQLite)."""
        with self._reader() as session, session.begin():
            yield session

    @contextlib.contextmanager
    def read_connection(self) -> Iterator[Connection]:
        """A Core connection for reading only: for the checks every request makes, where a session's objects would
        cost more than the query."""
        with self._reader_engine.connect() as connection, connection.begin():
            yield connection

    @contextlib.contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """A Core connection in a write transaction, committed at the end of the block: for a few statements where a
        session would cost more than the writes (no session hooks run, so nothing can be staged for the feed)."""
        with self._write_turn, self.engine.connect() as connection, connection.begin():
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()


def one_of(session: Session, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL `column = ANY(array)`: the whole list is one parameter, so a batch of
    hundreds of ids is not rendered (and cast) as a parameter each on every execution."""
    listed = sorted(set(values))
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, listed, type_=postgresql.ARRAY(column.type)))  # type: ignore[no-any-return]
    return column.in_(listed)  # type: ignore[no-any-return]


def insert_ignore(
    target: Session | Connection, model: type, rows: list[dict[str, Any]], returning: str | None = None
) -> Any:
    """INSERT … ON CONFLICT DO NOTHING for many rows (one cached statement, executemany), optionally RETURNING."""
    connection = target.connection() if isinstance(target, Session) else target
    table = model.__table__  # type: ignore[attr-defined]
    dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement: Any = dialect_insert(table).on_conflict_do_nothing()
    if returning is not None:
        statement = statement.returning(table.c[returning])
    return connection.execute(statement, rows)


def insert_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT many rows (all with the same keys) in one statement on PostgreSQL, through the driver's executemany
    elsewhere.

    On PostgreSQL the rows go as one array per column (`INSERT … SELECT * FROM unnest(…)`): one statement and one
    round trip for the whole batch, with no per-row statement for the driver to build and the server to plan; the
    arrays are sent in binary, so no value is quoted or escaped as array text. The
    tables a push writes in bulk hold only text and integer columns, which need no conversion of their values, so
    SQLAlchemy's per-row parameter processing is skipped; a table whose columns do convert values takes the usual path.
    """
    if not rows:
        return
    keys = tuple(rows[0])
    if connection.dialect.name == "postgresql":
        columnar = _unnest_insert(connection.dialect, table, keys)
        if columnar is not None:
            connection.exec_driver_sql(columnar, {f"c{n}": [row[key] for row in rows] for n, key in enumerate(keys)})
            return
    statement = _compiled_insert(connection.dialect, table, keys)
    if statement is None:
        connection.execute(insert(table), rows)
        return
    sql, order = statement
    params: list[Any] = [tuple(row[key] for key in order) for row in rows] if order is not None else rows
    connection.exec_driver_sql(sql, params)


_COMPILED: dict[tuple[str, str, tuple[str, ...]], tuple[str, tuple[str, ...] | None] | None] = {}
_UNNEST: dict[tuple[str, tuple[str, ...]], str | None] = {}


def _compiled_insert(dialect: Any, table: Table, keys: tuple[str, ...]) -> tuple[str, tuple[str, ...] | None] | None:
    """The driver-level INSERT text of a table for these keys and, for positional drivers, the keys' order; None when
    a column converts its values (then the statement must go through SQLAlchemy)."""
    cache_key = (dialect.name, table.name, keys)
    if cache_key not in _COMPILED:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
        if compiled._bind_processors:
            _COMPILED[cache_key] = None
        else:
            order = tuple(compiled.positiontup or ()) if compiled.positional else None
            _COMPILED[cache_key] = (compiled.string, order)
    return _COMPILED[cache_key]


def _unnest_insert(dialect: Any, table: Table, keys: tuple[str, ...]) -> str | None:
    """`INSERT INTO t (a, b) SELECT * FROM unnest(%(c0)s::type[], %(c1)s::type[])` for these keys (PostgreSQL, the
    psycopg driver's named parameters: one array per key, `c<n>` for the n-th); None when a column converts its
    values."""
    cache_key = (table.name, keys)
    if cache_key not in _UNNEST:
        if _compiled_insert(dialect, table, keys) is None or dialect.paramstyle != "pyformat":
            _UNNEST[cache_key] = None
        else:
            preparer = dialect.identifier_preparer
            columns = ", ".join(preparer.quote(table.c[key].name) for key in keys)
            arrays = ", ".join(
                f"%(c{n})b::{table.c[key].type.compile(dialect=dialect)}[]" for n, key in enumerate(keys)
            )
            target = preparer.format_table(table)
            _UNNEST[cache_key] = f"INSERT INTO {target} ({columns}) SELECT * FROM unnest({arrays})"
    return _UNNEST[cache_key]


def is_retryable(error: BaseException, retry_integrity: bool) -> bool:
    """Whether a database error means another transaction got in the way (so the whole work may run again)."""
    if isinstance(error, IntegrityError):
        return retry_integrity
    if not isinstance(error, DBAPIError):
        return False
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate in RETRY_SQLSTATES:
        return True
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)


def run_transaction(db: Database, work: Callable[[Session], T], attempts: int = 6, retry_integrity: bool = False) -> T:
    """Run work(session) in a write transaction, running it again (with back-off) when it lost a race."""
    return _retrying(db.write, work, attempts, retry_integrity)


def run_core_transaction(
    db: Database, work: Callable[[Connection], T], attempts: int = 6, retry_integrity: bool = False
) -> T:
    """run_transaction on a Core connection (Database.write_connection)."""
    return _retrying(db.write_connection, work, attempts, retry_integrity)


def _retrying(
    opener: Callable[[], contextlib.AbstractContextManager[Any]],
    work: Callable[[Any], T],
    attempts: int,
    retry_integrity: bool,
) -> T:
    for attempt in range(1, attempts + 1):
        try:
            with opener() as target:
                return work(target)
        except DBAPIError as error:
            lost = is_connection_error(error)
            if attempt == attempts or not (lost or is_retryable(error, retry_integrity)):
                raise
            pause = min(0.5, 0.01 * 2**attempt) * (0.5 + random.random())
            if lost:  # a new connection, perhaps to a new primary: give a failover a moment
                pause = min(2.0, 0.1 * 2**attempt) * (0.5 + random.random())
            log.info("transaction retry %d after %s", attempt, type(error.orig).__name__)
            time.sleep(pause)
    raise AssertionError("unreachable")
