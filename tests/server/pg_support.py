"""A throwaway PostgreSQL cluster in a temporary folder, for the server tests and the push benchmark (test support,
not shipped with the server)."""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

MISSING_MESSAGE = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found. Run `make test`, which installs them "
    "(Debian package `postgresql`), then run the tests again."
)


class PostgresMissingError(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def find_bindir() -> Path:
    """The folder with initdb and pg_ctl: `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin."""
    candidates: list[Path] = []
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
        candidates.append(Path(out))
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name.split(".")[0]))
    candidates += [Path(p) for p in reversed(versions)]
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise PostgresMissingError(MISSING_MESSAGE)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _check_identifier(identifier: str) -> None:
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", identifier):
        raise ValueError(f"not a plain database name: {identifier!r}")


class PgCluster:
    """initdb + pg_ctl in a temp folder; listens on 127.0.0.1:<free port> and a socket in the same folder.

    When run as root the folder is handed to the `postgres` user and the binaries run through `runuser`, because
    initdb refuses to run as root. `durable=False` turns off fsync (fast, for tests); the benchmark keeps it on.
    """

    def __init__(self, durable: bool = False, max_connections: int = 200) -> None:
        self.bindir = find_bindir()
        self.durable = durable
        self.max_connections = max_connections
        self.root = Path(tempfile.mkdtemp(prefix="inspector-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "sock"
        self.port = free_port()
        self.started = False

    def _as_owner(self, *args: str) -> list[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *command]
        return command

    def _run(self, *args: str) -> None:
        result = subprocess.run(self._as_owner(*args), capture_output=True, text=True)
        if result.returncode != 0:
            output = result.stderr.strip() or result.stdout.strip()
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): {output}")

    def start(self) -> PgCluster:
        self.socket_dir.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.socket_dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C")
        options = [
            f"-p {self.port}",
            f"-k {self.socket_dir}",
            "-c listen_addresses=127.0.0.1",
            f"-c max_connections={self.max_connections}",
            "-c shared_buffers=128MB",
        ]
        if not self.durable:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self._run("pg_ctl", "-D", str(self.data), "-o", " ".join(options), "-l", str(self.root / "log"), "-w", "start")
        self.started = True
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _admin(self, sql: str) -> None:
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create_database(self, name: str, template: str | None = None, tablespace: str | None = None) -> str:
        """Create a database (optionally copied from a template database, optionally in a tablespace); returns its
        URL."""
        for identifier in (name, template or "x", tablespace or "x"):
            _check_identifier(identifier)
        suffix = f" TEMPLATE {template}" if template else ""
        suffix += f" TABLESPACE {tablespace}" if tablespace else ""
        self._admin(f'CREATE DATABASE "{name}"{suffix}')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def create_tablespace(self, name: str, location: Path) -> None:
        """A tablespace in an empty folder that the server's owner may write to (handed to `postgres` as root)."""
        _check_identifier(name)
        if "'" in str(location):
            raise ValueError(f"a tablespace folder without quotes, please: {location}")
        if os.geteuid() == 0:
            shutil.chown(location, "postgres", "postgres")
        self._admin(f"CREATE TABLESPACE {name} LOCATION '{location}'")

    def drop_tablespace(self, name: str) -> None:
        _check_identifier(name)
        self._admin(f"DROP TABLESPACE IF EXISTS {name}")

    def stop(self) -> None:
        """Stop the server and delete the folder."""
        if self.started:
            with contextlib.suppress(RuntimeError):
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PgCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
