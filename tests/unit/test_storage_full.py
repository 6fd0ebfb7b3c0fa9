"""A full disk is recognised in the errors the OS, SQLite and PostgreSQL raise, also when wrapped by another."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import psycopg.errors
import pytest
import sqlalchemy

from inspector.storage_full import is_storage_full


def _write_to_dev_full() -> OSError:
    try:
        with open("/dev/full", "wb", buffering=0) as device:
            device.write(b"evidence")
    except OSError as error:
        return error
    raise AssertionError("/dev/full took the bytes")


def _sqlite_full(path: Path) -> sqlite3.Error:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE photos (data BLOB)")
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")
    try:
        connection.execute("INSERT INTO photos VALUES (?)", [b"x" * 100_000])
    except sqlite3.Error as error:
        return error
    finally:
        connection.close()
    raise AssertionError("the capped database grew")


def test_the_kernels_no_space_error_is_a_full_disk() -> None:
    error = _write_to_dev_full()
    assert error.errno == errno.ENOSPC
    assert is_storage_full(error)
    assert is_storage_full(OSError(errno.EDQUOT, "Disk quota exceeded"))


def test_sqlites_full_error_is_a_full_disk_also_under_sqlalchemy(tmp_path: Path) -> None:
    assert is_storage_full(_sqlite_full(tmp_path / "plain.db"))
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'wrapped.db'}")

    @sqlalchemy.event.listens_for(engine, "connect")
    def _cap(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute("PRAGMA max_page_count = 2")

    with pytest.raises(sqlalchemy.exc.OperationalError) as raised, engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE photos (data BLOB)")
        connection.exec_driver_sql("INSERT INTO photos VALUES (?)", (b"x" * 100_000,))
    engine.dispose()
    assert is_storage_full(raised.value)


def test_postgresqls_disk_full_is_a_full_disk() -> None:
    assert is_storage_full(psycopg.errors.DiskFull("could not extend file"))


def test_an_error_raised_from_a_full_disk_counts_and_others_do_not() -> None:
    try:
        try:
            raise _write_to_dev_full()
        except OSError as cause:
            raise RuntimeError("saving the photo failed") from cause
    except RuntimeError as wrapped:
        assert is_storage_full(wrapped)
    assert not is_storage_full(OSError(errno.EACCES, "Permission denied"))
    assert not is_storage_full(sqlite3.OperationalError("database is locked"))
    assert not is_storage_full(psycopg.errors.SerializationFailure("could not serialize access"))
    assert not is_storage_full(ValueError("not a number"))


def test_a_cycle_of_causes_ends() -> None:
    first, second = ValueError("a"), ValueError("b")
    first.__cause__, second.__cause__ = second, first
    assert not is_storage_full(first)
