"""Bad server configuration answers one line that says what to fix, never a traceback (the real CLI, in a process)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from pg_support import free_port

CLI = [sys.executable, "-m", "inspector.server.cli"]


def _env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INSPECTOR_")}
    env.update(INSPECTOR_ARGON2_TIME_COST="1", INSPECTOR_ARGON2_MEMORY_KIB="8192", **settings)
    return env


def _refusal(env: dict[str, str], *args: str, prefix: list[str] | None = None, cwd: Path | None = None) -> str:
    """Run the CLI; it must exit 1 with exactly one line on stderr and no traceback. Returns the line."""
    command = [*(prefix or []), *CLI, *(args or ("serve", "--port", str(free_port())))]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, cwd=cwd)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("inspector-server: "), lines
    return lines[0]


def _initialised(folder: Path) -> Path:
    init = [*CLI, "init", "--jurisdiction", "110105", "--password-stdin"]
    env = _env(INSPECTOR_DATA_DIR=str(folder))
    done = subprocess.run(init, env=env, input="a-strong-password\n", capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return folder / "server.db"


@pytest.mark.parametrize("command", [("serve", "--port", "0"), ("init",), ("user", "list")])
def test_a_mysql_url_is_refused_by_name_without_its_password(tmp_path: Path, command: tuple[str, ...]) -> None:
    env = _env(INSPECTOR_DATA_DIR=str(tmp_path), INSPECTOR_DATABASE_URL="mysql://inspector:s3cret@db/inspector")
    line = _refusal(env, *command)
    assert "INSPECTOR_DATABASE_URL" in line and "mysql:// databases are not supported" in line
    assert "postgresql://" in line and "s3cret" not in line


def test_a_url_that_is_no_url_is_refused(tmp_path: Path) -> None:
    line = _refusal(_env(INSPECTOR_DATA_DIR=str(tmp_path), INSPECTOR_DATABASE_URL="inspector-db.example"))
    assert "INSPECTOR_DATABASE_URL" in line and "not a database URL" in line


def test_an_unreachable_postgresql_server_is_named_with_its_password_hidden(tmp_path: Path) -> None:
    url = f"postgresql://inspector:s3cret@127.0.0.1:{free_port()}/inspector"
    line = _refusal(_env(INSPECTOR_DATA_DIR=str(tmp_path), INSPECTOR_DATABASE_URL=url))
    assert "cannot use postgresql" in line and "127.0.0.1" in line and "s3cret" not in line


def test_a_garbage_sqlite_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "server.db").write_bytes(os.urandom(8192))
    for command in (("serve", "--port", "0"), ("init",)):
        line = _refusal(_env(INSPECTOR_DATA_DIR=str(tmp_path)), *command)
        assert f"{tmp_path / 'server.db'} is not a usable SQLite database" in line
        assert "inspector-server init" in line and "backup" in line


def test_a_data_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "data"
    target.write_text("not a folder")
    line = _refusal(_env(INSPECTOR_DATA_DIR=str(target)))
    assert "INSPECTOR_DATA_DIR" in line and "is a file, not a folder" in line
    line = _refusal(_env(INSPECTOR_DATA_DIR=str(target / "server")))
    assert str(target / "server") in line and "Not a directory" in line
    line = _refusal(_env(INSPECTOR_DATA_DIR=str(tmp_path), INSPECTOR_BLOB_DIR=str(target)))
    assert "INSPECTOR_BLOB_DIR" in line and "is a file, not a folder" in line


def test_a_read_only_database_is_refused_before_serving(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        _refuses_read_only(tmp_path / "data", [])
        return
    # root writes read-only files: the server runs as an unprivileged user, as in production, in a folder it can reach
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail("setpriv (util-linux) is needed to run the server unprivileged", pytrace=False)
    with tempfile.TemporaryDirectory(prefix="inspector-ro-") as outer:
        Path(outer).chmod(0o755)
        _refuses_read_only(Path(outer) / "data", [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"])


def _refuses_read_only(folder: Path, prefix: list[str]) -> None:
    database = _initialised(folder)
    database.chmod(0o444)
    if prefix:
        for path in (folder, *folder.rglob("*")):
            shutil.chown(path, user="nobody")
    line = _refusal(_env(INSPECTOR_DATA_DIR=str(folder)), prefix=prefix, cwd=Path("/"))
    assert "refusing to start" in line and "cannot be written" in line and "readonly" in line
    assert "writable by the server's user" in line
