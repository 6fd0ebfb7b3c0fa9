"""End-to-end helpers: the real server as a uvicorn subprocess on 127.0.0.1, client data folders, record builders,
and the checks that the server holds exactly what the clients made."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from PIL import Image, ImageDraw

from inspector.core.clock import add_days, local_date, utc_now
from inspector.core.ledger import Actor, Role
from inspector.paths import shipped_checklists_dir
from inspector.store import checklists, findings, inspections, photos, profile, settings, subjects
from inspector.store.database import DataFolder, open_data_folder
from inspector.sync import config
from inspector.sync.engine import SyncEngine, SyncSummary, login

REPO_ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "e2e-pass-2026"
ADMIN_PASSWORD = "e2e-admin-2026"
DISTRICT = "110105"
SLT = "110105004000000"  # 三里屯街道
SLT_COMMUNITY = "110105004032000"
CHECKLIST = ("beijie-xiaoxiang", "2026.2")
# username, roles, jurisdictions
USERS: list[tuple[str, list[str], list[str]]] = [
    ("ins", ["inspector"], [SLT]),
    ("ins2", ["inspector"], [SLT]),
    ("sup", ["supervisor"], [SLT]),
    ("sup2", ["supervisor"], [SLT]),
]
# Short timeouts and quick retries, so faults are found and overcome within a test's time.
FAST_SYNC = {
    "sync.connect_timeout": "2",
    "sync.read_timeout": "3",
    "sync.max_attempts": "40",
    "sync.max_retry_seconds": "60",
    "sync.backoff_base": "0.05",
}


def hazard_report(description: str, photos: list[str] | None = None) -> dict[str, Any]:
    """The payload of a general hazard reported on patrol in the 三里屯 community, with these photos if any."""
    payload: dict[str, Any] = {
        "description": description,
        "category": "乱堆物料",
        "kind": "hazard",
        "source": "patrol",
        "severity": "general",
        "jurisdiction": SLT_COMMUNITY,
        "location": {"lat": 39.93, "lon": 116.45},
    }
    if photos:
        payload["photos"] = photos
    return payload


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(root: Path) -> dict[str, str]:
    """The environment of the server and its CLI: an SQLite database in `root`, development mode, cheap argon2."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("INSPECTOR_")}
    env.update(
        {
            "INSPECTOR_DATABASE_URL": f"sqlite:///{root / 'server.db'}",
            "INSPECTOR_DATA_DIR": str(root),
            "INSPECTOR_DEV_MODE": "1",
            "INSPECTOR_ARGON2_TIME_COST": "1",
            "INSPECTOR_ARGON2_MEMORY_KIB": "8192",
            "INSPECTOR_LOG_LEVEL": "WARNING",
        }
    )
    return env


def build_server_template(root: Path) -> Path:
    """A seeded server database: `inspector-server init --demo` (sample district, checklists) plus the test users."""
    from inspector.server.auth import create_user
    from inspector.server.db import Database
    from inspector.server.settings import load_settings

    root.mkdir(parents=True, exist_ok=True)
    env = server_env(root)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "inspector.server.cli",
            "init",
            "--demo",
            "--jurisdiction",
            DISTRICT,
            "--password-stdin",
        ],
        input=ADMIN_PASSWORD + "\n",
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    server_settings = load_settings(environ=env)
    db = Database(server_settings.effective_database_url)
    with db.write() as session:
        for username, roles, codes in USERS:
            create_user(session, server_settings, username, PASSWORD, roles, codes, f"{username}-name")
    db.dispose()
    return root / "server.db"


class ServerProcess:
    """`inspector-server serve` in a subprocess on a free port, with its own data folder."""

    def __init__(self, root: Path, template: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.db_path = root / "server.db"
        self.db_path.write_bytes(template.read_bytes())
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = root / "server.log"
        self.env = server_env(root)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, **extra_env: str) -> None:
        env = {**self.env, **extra_env}
        command = [sys.executable, "-m", "inspector.server.cli", "serve", "--host", "127.0.0.1", "--port"]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen([*command, str(self.port)], env=env, stdout=log, stderr=log)
        self.wait_ready()

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log_path.read_text(errors='replace')[-2000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not become ready")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def blob_dir(self) -> Path:
        return self.root / "blobs" / "objects"

    @contextmanager
    def database(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=30)
        try:
            yield connection
        finally:
            connection.close()


# ---------------------------------------------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------------------------------------------


def jpeg_file(path: Path, seed: int, size: tuple[int, int] = (640, 480), quality: int = 85) -> Path:
    """A generated photo (shapes and noise, so it compresses like a real one)."""
    rnd = random.Random(seed)
    image = Image.new("RGB", size, tuple(rnd.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(20):
        x, y = rnd.randrange(size[0]), rnd.randrange(size[1])
        draw.rectangle(
            [x, y, x + rnd.randrange(5, size[0] // 2), y + rnd.randrange(5, size[1] // 2)],
            fill=tuple(rnd.randrange(256) for _ in range(3)),
        )
    noise = Image.effect_noise(size, 40).convert("RGB")
    image = Image.blend(image, noise, 0.25)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return path


@dataclass
class Client:
    """One laptop: a data folder with the shipped checklists, talking to one server."""

    folder: DataFolder
    camera: Path

    @classmethod
    def create(cls, root: Path, tunables: dict[str, str] | None = None) -> Client:
        folder = open_data_folder(root / "data")
        client = cls(folder, root / "camera")
        with client.db() as db:
            checklists.cache_shipped(db, shipped_checklists_dir())
            for key, value in {**FAST_SYNC, **(tunables or {})}.items():
                settings.put_text(db, key, value)
        return client

    @contextmanager
    def db(self) -> Iterator[Any]:
        connection = self.folder.connect()
        try:
            yield connection
        finally:
            connection.close()

    def login(self, server_url: str, username: str) -> None:
        login(self.folder, server_url, username, PASSWORD)

    def sync(self) -> SyncSummary:
        return SyncEngine(self.folder).run_cycle()

    def actor(self) -> Actor:
        with self.db() as db:
            return Actor(
                user_id=str(settings.get(db, config.USER_ID)),
                roles=frozenset(Role(role) for role in profile.user_roles(db)),
                jurisdictions=frozenset(settings.get(db, profile.USER_JURISDICTIONS)),
            )

    def photo(self, seed: int, size: tuple[int, int] = (640, 480)) -> str:
        """Import a generated photo; returns its hash."""
        with self.db() as db:
            source = jpeg_file(self.camera / f"p{seed}.jpg", seed, size)
            return photos.import_photo(self.folder, db, source).photo.sha256

    def report_photos(self, count: int, first_seed: int) -> list[str]:
        """`count` reported findings with a generated photo each; returns the photos' hashes."""
        hashes = [self.photo(seed, (320, 240)) for seed in range(first_seed, first_seed + count)]
        with self.db() as db:
            for sha in hashes:
                payload = hazard_report("堆物堆料", [sha])
                findings.record_command(db, action="report", actor=self.actor(), payload=payload)
        return hashes

    def subject(self, name: str, code: str | None = None) -> str:
        with self.db() as db:
            return subjects.create(db, kind="back_street", name=name, jurisdiction=SLT_COMMUNITY, code=code).id

    def inspection_with_finding(self, seed: int, subject_id: str) -> tuple[str, str]:
        """A finished inspection with a failed item and its photo, and the finding reported from it."""
        with self.db() as db:
            checklist = checklists.get(db, *CHECKLIST)
            item = next(item for item in checklist.items if item.response == "pass_fail")
            started = inspections.start(
                db,
                checklist_id=CHECKLIST[0],
                checklist_version=CHECKLIST[1],
                subject_id=subject_id,
                inspector_id=self.actor().user_id,
            )
            source = jpeg_file(self.camera / f"i{seed}.jpg", seed)
            sha = inspections.add_photo(self.folder, db, started.id, str(source), item_id=item.id).photo.sha256
            inspections.set_response(db, started.id, item.id, "fail", note=f"问题 {seed}")
            inspections.finish(db, started.id, allow_incomplete=True)
            recorded = findings.record_command(
                db,
                action="report",
                actor=self.actor(),
                payload={
                    "description": f"发现问题 {seed}",
                    "category": "私搭乱建",
                    "kind": "hazard",
                    "source": "patrol",
                    "severity": "general",
                    "jurisdiction": SLT_COMMUNITY,
                    "subject_id": subject_id,
                    "photos": [sha],
                },
                inspection_id=started.id,
                item_id=item.id,
            )
            return started.id, recorded.event.finding_id

    def command(self, finding_id: str, action: str, payload: dict[str, Any]) -> str:
        with self.db() as db:
            return findings.record_command(
                db, action=action, actor=self.actor(), payload=payload, finding_id=finding_id
            ).change_id

    def finding(self, finding_id: str) -> findings.LocalFinding:
        with self.db() as db:
            return findings.get(db, finding_id)

    def outbox_count(self) -> int:
        with self.db() as db:
            return int(db.execute("SELECT count(*) FROM outbox").fetchone()[0])


def deadline_in(days: int) -> str:
    return add_days(local_date(utc_now()), days).isoformat()


def assign_payload() -> dict[str, Any]:
    return {
        "responsible_unit": "某某物业",
        "responsible_person": "李四",
        "deadline": deadline_in(10),
        "measures": "拆除违建",
    }


# ---------------------------------------------------------------------------------------------------------------
# What the server holds
# ---------------------------------------------------------------------------------------------------------------


def local_records(client: Client) -> dict[str, set[str]]:
    """The ids of what a client made: subjects, finished inspections, findings, and its own ledger events."""
    with client.db() as db:
        return {
            "subjects": {row[0] for row in db.execute("SELECT id FROM subjects")},
            "inspections": {row[0] for row in db.execute("SELECT id FROM inspections WHERE status = 'finished'")},
            "findings": {row[0] for row in db.execute("SELECT id FROM findings")},
            "events": {row[0] for row in db.execute("SELECT event_id FROM finding_events WHERE origin = 'local'")},
            "photos": {row[0] for row in db.execute("SELECT photo_sha256 FROM photo_links")},
        }


def server_records(server: ServerProcess) -> dict[str, Any]:
    with server.database() as db:
        return {
            "subjects": [row[0] for row in db.execute("SELECT id FROM subjects")],
            "inspections": [row[0] for row in db.execute("SELECT id FROM inspections")],
            "findings": [row[0] for row in db.execute("SELECT id FROM findings")],
            "events": [row[0] for row in db.execute("SELECT event_id FROM finding_events")],
            "blobs": [row[0] for row in db.execute("SELECT sha256 FROM blobs")],
            "changes": {row[0]: row[1] for row in db.execute("SELECT change_id, status FROM sync_changes")},
            "head": db.execute("SELECT last FROM feed_counter").fetchone()[0],
            "event_counts": {row[0]: row[1] for row in db.execute("SELECT id, event_count FROM findings")},
        }


def assert_server_holds_exactly(server: ServerProcess, clients: list[Client]) -> None:
    """Every record the clients made is on the server once, every blob's file hashes to its name, every outbox is
    empty, each client's cursor is at the server's head, and the ledger's hash chains verify."""
    held = server_records(server)
    for key in ("subjects", "inspections", "findings", "events", "blobs"):
        assert len(held[key]) == len(set(held[key])), f"duplicated {key} on the server"
    made: dict[str, set[str]] = {"subjects": set(), "inspections": set(), "findings": set(), "events": set()}
    for client in clients:
        records = local_records(client)
        for key in made:
            made[key] |= records[key]
        assert records["photos"] <= set(held["blobs"]), "a photo of a record is not on the server"
        assert client.outbox_count() == 0
    for key in ("subjects", "inspections", "findings"):
        assert set(held[key]) == made[key], f"{key}: the server and the clients differ"
    assert made["events"] <= set(held["events"])
    assert all(status != "pending" for status in held["changes"].values())
    for sha in held["blobs"]:
        path = server.blob_dir() / sha[:2] / sha[2:4] / sha
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
    _assert_ledger_verifies(server)


def assert_cursor_consistent(server: ServerProcess, client: Client) -> None:
    """After a final sync the client's cursor is the server's head and its findings match the server's."""
    summary = client.sync()
    assert summary.outcome == "ok", summary.error
    held = server_records(server)
    with client.db() as db:
        cursor = db.execute("SELECT cursor FROM sync_cursors").fetchone()[0]
        confirmed = {
            row[0]: json.loads(row[1])["event_count"]
            for row in db.execute("SELECT id, confirmed_projection FROM findings")
            if row[1] is not None
        }
    assert cursor == held["head"]
    assert confirmed == {key: value for key, value in held["event_counts"].items() if key in confirmed}
    assert set(confirmed) == set(held["event_counts"])


def _assert_ledger_verifies(server: ServerProcess) -> None:
    """Every finding's hash chain links and projects to its stored state (`inspector-server ledger verify`)."""
    from inspector.server.db import Database
    from inspector.server.ledger_store import verify_ledger

    db = Database(server.env["INSPECTOR_DATABASE_URL"])
    try:
        with db.read() as session:
            report = verify_ledger(session)
    finally:
        db.dispose()
    assert report.ok, report.problems
