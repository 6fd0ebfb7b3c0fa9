"""A district on several processes, on this machine: SeaweedFS, two PostgreSQL servers managed by Patroni (etcd, a
leader and a streaming replica), three app processes and a read-only one (the feed) behind HAProxy, which also routes
the apps' database connections to Patroni's primary; 18 inspectors and 2 supervisors sync with the real client while
the S3 server is restarted as the photos go straight to the bucket (published through HAProxy, with presigned
uploads the apps hand out and confirm; the large ones are resumable uploads through the apps), Patroni switches the
primary over to the replica, the new primary's postmaster is killed (Patroni starts it again), one app process is
killed and restarted, the S3 server is restarted again, and another app process is killed. Afterwards: no client was
ever answered 500 by an app, nothing lost, nothing twice, every photo's hash right in the bucket, every cursor at the
head, ledger numbers without gaps, every hash chain verified."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from cluster_support import DistrictCluster, missing_tools
from e2e_support import Client, local_records

pytestmark = pytest.mark.cluster

INSPECTORS = 18
FINDINGS_EACH = 2
# every third inspector sends photos as resumable uploads in small chunks (S3 multipart with tail objects)
RESUMABLE = {"sync.resumable_threshold": "40000", "sync.chunk_bytes": "16384"}
FAST = {"sync.max_attempts": "60", "sync.max_retry_seconds": "90"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[DistrictCluster]:
    problem = missing_tools(patroni=True)
    if problem:
        pytest.skip(problem)
    district = DistrictCluster(apps=3, store="s3", reader=True, users=INSPECTORS, patroni=True).start()
    try:
        yield district
    finally:
        district.close()


def _sync_until_done(client: Client, seconds: float = 90) -> None:
    """Sync as a laptop does until all is acknowledged, trying again while a store or a process restarts (a
    restart of the object store under load takes longer than a few quick cycles)."""
    deadline = time.monotonic() + seconds
    while True:
        summary = client.sync()
        if summary.all_acknowledged:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"still not synced after {seconds:.0f} s: {summary.error}")
        time.sleep(0.5)


def _switchover(cluster: DistrictCluster, spans: list[tuple[float, float]]) -> None:
    """`patronictl switchover` to the replica; until the old primary streams from the new one."""
    assert cluster.patroni is not None
    started = time.time()
    old, new = cluster.patroni.switchover()
    assert cluster.patroni.wait_pair(timeout=60) == (new, old)
    spans.append((started, time.time()))


def _postmaster_killed(cluster: DistrictCluster, spans: list[tuple[float, float]]) -> None:
    """SIGKILL to the primary's postmaster (a crash); Patroni, still holding the leader key, starts it again."""
    assert cluster.patroni is not None
    leader = cluster.patroni.leader()
    pid = leader.postmaster_pid()
    assert pid is not None
    started = time.time()
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while True:  # until a new postmaster on the same node takes writes again
        with contextlib.suppress(psycopg.OperationalError):
            dsn = f"host=127.0.0.1 port={leader.port} user=postgres dbname=postgres connect_timeout=1"
            with psycopg.connect(dsn) as conn:
                standby = conn.execute("SELECT pg_is_in_recovery()").fetchone()
            if leader.postmaster_pid() not in (None, pid) and standby is not None and not standby[0]:
                break
        assert time.monotonic() < deadline, "the primary did not come back"
        time.sleep(0.1)
    spans.append((started, time.time()))
    assert cluster.patroni.wait_pair(timeout=60)[0] == leader.name


def _restart_after_a_direct_upload(cluster: DistrictCluster, timeout: float = 60) -> None:
    """Restart the object store once a laptop's photo went straight to the bucket, so that the restart meets
    uploads under way whatever the machine's speed."""
    assert cluster.proxy is not None and cluster.seaweed is not None
    deadline = time.monotonic() + timeout
    while not any(
        answer[1] == 200 and answer[3].startswith("seaweedfs/") and answer[4].startswith("PUT ")
        for answer in cluster.proxy.answers()
    ):
        assert time.monotonic() < deadline, "no photo went straight to the bucket"
        time.sleep(0.05)
    cluster.seaweed.restart(down_seconds=1.0)


def _chaos(
    cluster: DistrictCluster, events: list[str], spans: list[tuple[float, float]], stop: threading.Event
) -> None:
    """Restart the object store while photos go to it; switch the PostgreSQL primary over; kill its postmaster; kill
    an app process mid-traffic and restart it; restart the object store again; kill another app process."""
    assert cluster.seaweed is not None
    steps: list[tuple[float, Callable[[], None], str]] = [
        # first, while the laptops send their photos straight to the bucket (once one has gone there)
        (0.2, lambda: _restart_after_a_direct_upload(cluster), "S3 restarted"),
        (1.0, lambda: _switchover(cluster, spans), "switchover"),
        (1.0, lambda: _postmaster_killed(cluster, spans), "postmaster killed"),
        (1.5, cluster.apps[1].kill, "app2 killed"),
        (1.5, lambda: (cluster.apps[1].start(), cluster.apps[1].wait_ready()), "app2 back"),
        (1.0, lambda: cluster.seaweed.restart(down_seconds=1.0), "S3 restarted"),  # type: ignore[union-attr]
        (1.5, cluster.apps[2].kill, "app3 killed"),
        (2.0, lambda: (cluster.apps[2].start(), cluster.apps[2].wait_ready()), "app3 back"),
    ]
    for pause, action, what in steps:
        if stop.wait(pause):
            break
        action()
        events.append(what)


def _accept_share(supervisor: Client, share: int, total: int, expected: int, deadline: float) -> None:
    """Pull, accept the reported findings of this supervisor's share (by id), push; until its share is accepted."""
    while time.monotonic() < deadline:
        _sync_until_done(supervisor)
        with supervisor.db() as db:
            rows = db.execute("SELECT id, state FROM findings").fetchall()
        mine = [
            (fid, state) for fid, state in rows if int(hashlib.sha256(fid.encode()).hexdigest(), 16) % total == share
        ]
        for finding_id, state in mine:
            if state == "reported":
                supervisor.command(finding_id, "accept", {"severity": "general"})
        _sync_until_done(supervisor)
        if len(rows) == expected and all(state != "reported" for _, state in mine):
            return
        time.sleep(0.5)
    raise AssertionError("the supervisors never saw every finding")


def test_a_cluster_loses_and_duplicates_nothing_while_processes_die(
    cluster: DistrictCluster, make_client: Callable[..., Client]
) -> None:
    assert cluster.proxy is not None
    url = cluster.proxy.url
    inspectors = []
    for number in range(1, INSPECTORS + 1):
        client = make_client(f"ins{number:02d}", {**FAST, **(RESUMABLE if number % 3 == 0 else {})})
        client.login(url, f"ins{number:02d}")
        subject = client.subject(f"街巷 {number}")
        for seed in range(FINDINGS_EACH):
            client.inspection_with_finding(number * 100 + seed, subject)
        inspectors.append(client)
    supervisors = [make_client(f"sup{number}", FAST) for number in (1, 2)]
    for number, supervisor in enumerate(supervisors, start=1):
        supervisor.login(url, f"sup{number}")

    events: list[str] = []
    spans: list[tuple[float, float]] = []
    stop = threading.Event()
    chaos = threading.Thread(target=_chaos, args=(cluster, events, spans, stop), daemon=True)
    chaos.start()
    expected = INSPECTORS * FINDINGS_EACH
    deadline = time.monotonic() + 150
    with ThreadPoolExecutor(INSPECTORS + 2) as pool:
        pushed = [pool.submit(_sync_until_done, client) for client in inspectors]
        accepted = [
            pool.submit(_accept_share, supervisor, share, len(supervisors), expected, deadline)
            for share, supervisor in enumerate(supervisors)
        ]
        for future in [*pushed, *accepted]:
            future.result()
    chaos.join(timeout=60)
    stop.set()
    assert events == [
        "S3 restarted",
        "switchover",
        "postmaster killed",
        "app2 killed",
        "app2 back",
        "S3 restarted",
        "app3 killed",
        "app3 back",
    ]

    # no client was ever answered 500; every 503 came from an app process with Retry-After (or from HAProxy itself
    # while no app process was ready), and the client retried it
    assert cluster.proxy is not None
    logged = cluster.proxy.answers()
    # the bucket's own answers (a restarting store may answer 5xx: the client tries again, then goes through the app)
    to_bucket = [answer for answer in logged if answer[3].startswith("seaweedfs/")]
    answers = [answer for answer in logged if not answer[3].startswith("seaweedfs/")]
    direct = [answer for answer in to_bucket if answer[4].startswith("PUT /district-110105/objects/")]
    # every photo below the resumable threshold was sent straight to the bucket (some while it restarted: tried
    # again, or sent through the apps in the end); the confirmed ones were committed
    small_photos = (INSPECTORS - INSPECTORS // 3) * FINDINGS_EACH
    assert len({answer[4] for answer in direct}) >= small_photos, sorted(Counter(a[1] for a in to_bucket).items())
    assert any(answer[1] == 200 for answer in direct)
    assert any(answer[4].startswith("POST /api/v1/blobs/commit") and answer[1] == 200 for answer in answers)
    print(f"\ndirect uploads: {sorted(Counter(answer[1] for answer in direct).items())}")
    failed = [answer for answer in answers if answer[1] >= 500 and answer[1] not in (502, 503, 504)]
    assert answers and not failed, (failed, _app_errors(cluster))
    assert all(answer[2] or answer[3].endswith("<NOSRV>") for answer in answers if answer[1] == 503)
    statuses = sorted(Counter(answer[1] for answer in answers).items())
    limits = [spans[1][0], float("inf")]  # the answers after one event and before the next are that event's
    for what, (started, ended), limit in zip(("switchover", "postmaster killed"), spans, limits, strict=True):
        during = [answer for answer in answers if started <= answer[0] < min(ended + 3, limit) and answer[1] == 503]
        window = f"{during[-1][0] - during[0][0]:.1f} s" if during else "-"
        own = sum(1 for answer in during if answer[3].endswith("<NOSRV>"))
        print(
            f"\n{what}: {ended - started:.1f} s; 503s: {len(during)} over {window} ({own} from HAProxy, the rest "
            f"from the apps with Retry-After), from {during[0][0] - started if during else 0:.1f} s on"
        )
    print(f"answers: {statuses}")

    # nothing lost, nothing twice
    clients = [*inspectors, *supervisors]
    made: dict[str, set[str]] = defaultdict(set)
    for client in clients:
        records = local_records(client)
        for key in ("subjects", "inspections", "findings", "events", "photos"):
            made[key] |= records[key]
        assert client.outbox_count() == 0
    held = {
        table: [row[0] for row in cluster.query(f"SELECT id FROM {table}")]
        for table in ("subjects", "inspections", "findings")
    }
    for table, ids in held.items():
        assert len(ids) == len(set(ids))
        assert set(ids) >= made[table] and len(made[table]) > 0
    assert len(held["findings"]) == expected
    events_held = [row[0] for row in cluster.query("SELECT event_id FROM finding_events")]
    assert len(events_held) == len(set(events_held)) and made["events"] <= set(events_held)
    assert not cluster.query("SELECT change_id FROM sync_changes WHERE status = 'pending'")

    # every photo in the bucket, its bytes hashing to its name
    blobs = [row[0] for row in cluster.query("SELECT sha256 FROM blobs")]
    assert made["photos"] <= set(blobs) and len(blobs) >= expected
    store = cluster.blob_store()
    assert store.kind == "s3"
    assert all(store.verify_object(sha256) == sha256 for sha256 in blobs)
    # a process killed (or a store restarted) between writing a chunk's tail object and dropping the one before can
    # leave that tail behind: garbage no upload refers to, which the daily cleanup removes
    assert not cluster.query("SELECT sha256 FROM blob_uploads")
    cleanup = subprocess.run(
        [sys.executable, "-m", "inspector.server.cli", "cleanup", "--max-age-days", "0"],
        env=cluster.environ(cluster.database_url()), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert cleanup.returncode == 0, cleanup.stderr
    assert not list(store.iter_objects("partial/"))
    assert not store.client.list_multipart_uploads(Bucket=store.bucket).get("Uploads")

    # ledger numbers: one per accepted finding, per 街乡 and year 1..n without a gap
    numbers = [row[0] for row in cluster.query("SELECT ledger_number FROM findings WHERE ledger_number IS NOT NULL")]
    assert len(numbers) == expected
    series: dict[str, list[int]] = defaultdict(list)
    for number in numbers:
        prefix, _, value = number.rpartition("-")
        series[prefix].append(int(value))
    for values in series.values():
        assert sorted(values) == list(range(1, len(values) + 1))

    # feed cursors: after the replica caught up, a last sync leaves every client at the head
    cluster.wait_replica_caught_up()
    head = cluster.query("SELECT last FROM feed_counter")[0][0]
    counts = dict(cluster.query("SELECT id, event_count FROM findings"))
    for client in clients:
        assert client.sync().outcome == "ok"
        with client.db() as db:
            cursor = db.execute("SELECT cursor FROM sync_cursors").fetchone()[0]
            confirmed = {
                row[0]: json.loads(row[1])["event_count"]
                for row in db.execute("SELECT id, confirmed_projection FROM findings")
                if row[1] is not None
            }
        assert cursor == head
        assert confirmed == {key: counts[key] for key in confirmed} and set(confirmed) == set(counts)

    # every hash chain links
    from inspector.server.db import Database
    from inspector.server.ledger_store import verify_ledger

    db = Database(cluster.database_url())
    try:
        with db.read() as session:
            report = verify_ledger(session)
    finally:
        db.dispose()
    assert report.ok, report.problems


def _app_errors(cluster: DistrictCluster) -> dict[str, list[str]]:
    """The error lines and tracebacks the app processes logged (shown when a client was answered 500)."""
    found: dict[str, list[str]] = {}
    for app in [*cluster.apps, *cluster.readers]:
        lines = app.log.read_text(errors="replace").splitlines() if app.log.exists() else []
        found[app.name] = [line[:400] for line in lines if "ERROR" in line or "Error" in line][-12:]
    return found
