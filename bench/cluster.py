"""Throughput of a district on several processes, through HAProxy, on this machine: pushes and photo uploads with 1,
2 and 3 app processes on PostgreSQL, the filesystem store against S3 (SeaweedFS); the S3/filesystem time ratio for
200 photos of 1 MB (target ≤ 1.5) the way laptops send them to S3 (straight to the bucket, published through HAProxy,
with presigned uploads the apps hand out and confirm), and for comparison through the apps; p99 latency with 50
concurrent clients. Prints each figure beside its limit.

A filesystem district and an S3 district run side by side, and their uploads are timed in alternating rounds (the
median of each is compared), so that both stores meet the same moments of this shared machine.

Usage: .venv/bin/python bench/cluster.py [--photos 200] [--seconds 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests" / "e2e"), str(REPO / "tests" / "server")]
from cluster_support import PASSWORD, DistrictCluster, missing_tools  # noqa: E402
from server_support import HEADERS, report  # noqa: E402

CLIENTS = 50
UPLOADERS = 8  # laptops pushing or uploading at once
RATIO_LIMIT = 1.5


def login(base: str, username: str) -> dict[str, str]:
    body = {"username": username, "password": PASSWORD, "device_id": str(uuid.uuid4()), "device_name": "bench"}
    reply = httpx.post(f"{base}/api/v1/auth/login", json=body, headers=HEADERS, timeout=60)
    reply.raise_for_status()
    return {**HEADERS, "Authorization": f"Bearer {reply.json()['token']}"}


def push_rate(
    base: str, tokens: list[dict[str, str]], seconds: float, workers: int = UPLOADERS, batch: int = 20
) -> float:
    """Changes applied per second by `workers` clients pushing batches of reports for `seconds`."""
    stop = time.monotonic() + seconds
    applied = [0] * workers

    def work(index: int) -> None:
        with httpx.Client(base_url=base, headers=tokens[index], timeout=60) as http:
            while time.monotonic() < stop:
                reply = http.post("/api/v1/push", json={"changes": [report() for _ in range(batch)]})
                reply.raise_for_status()
                applied[index] += sum(1 for item in reply.json()["results"] if item["status"] == "applied")

    started = time.monotonic()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(work, range(workers)))
    return sum(applied) / (time.monotonic() - started)


def clients(base: str, tokens: list[dict[str, str]]) -> list[httpx.Client]:
    """One HTTP client per uploading laptop, made before the clock starts (a laptop's client exists before it
    uploads; making one builds a TLS context, which is not what is measured)."""
    return [httpx.Client(base_url=base, headers=token, timeout=120) for token in tokens[:UPLOADERS]]


def run_uploaders(work: Callable[[int], None], made: list[httpx.Client]) -> float:
    """Seconds for UPLOADERS laptops to run `work(index)` at once; their clients `made` are closed after."""
    try:
        started = time.monotonic()
        with ThreadPoolExecutor(UPLOADERS) as pool:
            list(pool.map(work, range(UPLOADERS)))
        return time.monotonic() - started
    finally:
        for client in made:
            client.close()


def upload_time(base: str, tokens: list[dict[str, str]], photos: list[bytes]) -> float:
    """Seconds to upload the photos (each a whole PUT through the apps) with UPLOADERS clients at once."""
    chunks = [photos[index::UPLOADERS] for index in range(UPLOADERS)]
    made = clients(base, tokens)

    def work(index: int) -> None:
        for data in chunks[index]:
            reply = made[index].put(f"/api/v1/blobs/{hashlib.sha256(data).hexdigest()}", content=data)
            assert reply.status_code == 201, reply.text

    return run_uploaders(work, made)


COMMIT_EVERY = 25  # as the laptops confirm direct uploads


def direct_upload_time(base: str, tokens: list[dict[str, str]], photos: list[bytes]) -> tuple[float, float]:
    """Seconds to upload the photos as laptops do when the server offers direct uploads: ask for upload targets, PUT
    each photo to its presigned address in the bucket, have the server confirm them in groups (UPLOADERS clients).
    Also the seconds each client waited for confirmations, on average."""
    chunks = [photos[index::UPLOADERS] for index in range(UPLOADERS)]
    committing = [0.0] * UPLOADERS
    made = clients(base, tokens)
    buckets = [httpx.Client(timeout=120) for _ in range(UPLOADERS)]

    def commit(index: int, hashes: list[str]) -> None:
        started = time.perf_counter()
        reply = made[index].post("/api/v1/blobs/commit", json={"hashes": hashes})
        committing[index] += time.perf_counter() - started
        reply.raise_for_status()
        assert all(item["status"] == "stored" for item in reply.json()["results"]), reply.text

    def work(index: int) -> None:
        mine = {hashlib.sha256(data).hexdigest(): data for data in chunks[index]}
        asked = {"blobs": [{"sha256": sha, "size": len(data)} for sha, data in mine.items()]}
        reply = made[index].post("/api/v1/blobs/targets", json=asked)
        reply.raise_for_status()
        written: list[str] = []
        for target in reply.json()["targets"]:
            assert target["status"] == "direct", target
            put = buckets[index].put(target["url"], content=mine[target["sha256"]], headers=target["headers"])
            assert put.status_code == 200, put.text
            written.append(target["sha256"])
            if len(written) >= COMMIT_EVERY:
                commit(index, written)
                written = []
        if written:
            commit(index, written)

    return run_uploaders(work, made + buckets), sum(committing) / UPLOADERS


def latency_p99(base: str, tokens: list[dict[str, str]], seconds: float) -> tuple[float, float, int]:
    """p50 and p99 (ms) of pushes of one change and feed pages, from 50 clients at once; and how many requests (a 5xx
    is waited out and sent again, as a laptop does, and counted)."""
    stop = time.monotonic() + seconds
    times: list[float] = []
    refused: list[str] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        mine: list[float] = []
        with httpx.Client(base_url=base, headers=tokens[index], timeout=120) as http:
            turn = 0
            while time.monotonic() < stop:
                started = time.perf_counter()
                if turn % 2:
                    reply = http.get("/api/v1/feed?since=0&limit=100")
                else:
                    reply = http.post("/api/v1/push", json={"changes": [report()]})
                if reply.status_code >= 500:  # as the laptops do: wait as asked, then again
                    with lock:
                        refused.append(f"{reply.status_code} {reply.text[:80]!r}")
                    time.sleep(float(reply.headers.get("Retry-After", "0.2")))
                    continue
                reply.raise_for_status()
                mine.append((time.perf_counter() - started) * 1000)
                turn += 1
        with lock:
            times.extend(mine)

    with ThreadPoolExecutor(len(tokens)) as pool:
        list(pool.map(work, range(len(tokens))))
    ordered = sorted(times)
    if refused:
        print(f"  {len(refused)} replies 5xx (retried), e.g. {refused[0]}", flush=True)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1], len(ordered)


def photos_of(count: int) -> list[bytes]:
    return [os.urandom(1024 * 1024) for _ in range(count)]


def measure(
    clusters: dict[str, DistrictCluster],
    tokens: dict[str, list[dict[str, str]]],
    apps: int,
    photo_count: int,
    rounds: int,
    seconds: float,
) -> dict:
    """With `apps` processes behind each proxy: the photo uploads in alternating rounds (the filesystem store, then
    S3 through the apps, then S3 direct), so that both stores meet the same moments of this machine; then the push
    rate and the latency of each."""
    bases = {}
    for store, cluster in clusters.items():
        assert cluster.proxy is not None
        cluster.proxy.stop()
        cluster.proxy.start(cluster.apps[:apps], [])
        bases[store] = cluster.proxy.url
    times: dict[str, list[float]] = {"filesystem": [], "s3": [], "direct": []}
    for turn in range(rounds):
        photos = photos_of(photo_count)  # in neither store yet
        times["filesystem"].append(upload_time(bases["filesystem"], tokens["filesystem"], photos))
        times["s3"].append(upload_time(bases["s3"], tokens["s3"], photos))
        seconds_direct, waited = direct_upload_time(bases["s3"], tokens["s3"], photos_of(photo_count))
        times["direct"].append(seconds_direct)
        print(
            f"  round {turn + 1}: filesystem {times['filesystem'][-1]:5.2f} s | S3 through the apps "
            f"{times['s3'][-1]:5.2f} s | S3 direct {seconds_direct:5.2f} s (each client waited {waited:.2f} s for "
            "confirmations)",
            flush=True,
        )
    figures: dict[str, Any] = {key: statistics.median(values) for key, values in times.items()}
    for store, base in bases.items():
        rate = push_rate(base, tokens[store], seconds)
        p50, p99, count = latency_p99(base, tokens[store], seconds)
        upload = figures[store]
        direct_text = ""
        if store == "s3":
            direct_text = (
                f" | direct to the bucket {figures['direct']:5.2f} s ({photo_count / figures['direct']:5.1f} MB/s)"
            )
        print(
            f"{store:10} {apps} app(s): push {rate:7.0f} changes/s | {photo_count} x 1 MB photos through the apps "
            f"{upload:5.2f} s ({photo_count / upload:5.1f} MB/s){direct_text} (medians of {rounds}) | {CLIENTS} "
            f"clients: p50 {p50:6.1f} ms, p99 {p99:7.1f} ms ({count} requests)",
            flush=True,
        )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3, help="upload rounds per number of apps (medians printed)")
    args = parser.parse_args()
    problem = missing_tools()
    if problem:
        print(f"cannot run: {problem}")
        return 2
    print(
        f"cpus: {os.cpu_count()}; PostgreSQL; HAProxy round robin; {UPLOADERS} pushing/uploading clients; {CLIENTS} "
        "for latency; a filesystem district and an S3 district side by side, measured in turns"
    )
    clusters: dict[str, DistrictCluster] = {}
    tokens: dict[str, list[dict[str, str]]] = {}  # each district's logged-in laptops
    try:
        for store in ("filesystem", "s3"):
            clusters[store] = DistrictCluster(apps=3, store=store, reader=False, users=CLIENTS).start()
            assert clusters[store].proxy is not None
            base = clusters[store].proxy.url  # type: ignore[union-attr]
            tokens[store] = [login(base, f"ins{number:02d}") for number in range(1, CLIENTS + 1)]
        results = {apps: measure(clusters, tokens, apps, args.photos, args.rounds, args.seconds) for apps in (1, 2, 3)}
    finally:
        for cluster in clusters.values():
            cluster.close()
    for apps, figures in results.items():
        for how, key in (("as laptops send them (direct)", "direct"), ("through the apps", "s3")):
            ratio = figures[key] / figures["filesystem"]
            verdict = "ok" if ratio <= RATIO_LIMIT else "over the limit"
            print(f"S3/filesystem time for {args.photos} x 1 MB photos with {apps} app(s), {how}: {ratio:.2f} "
                  f"(limit {RATIO_LIMIT}) {verdict}")  # fmt: skip
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1, 5, 15 min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
