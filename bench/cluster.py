"""Throughput of a district on several processes, through HAProxy, on this machine: pushes and photo uploads with 1,
2 and 3 app processes on PostgreSQL, the filesystem store against S3 (SeaweedFS); the S3/filesystem time ratio for
200 photos of 1 MB (target ≤ 1.5) the way laptops send them to S3 (straight to the bucket, published through HAProxy,
with presigned uploads the apps hand out and confirm), and for comparison through the apps; p99 latency with 50
concurrent clients. Prints each figure beside its limit.

Usage: .venv/bin/python bench/cluster.py [--photos 200] [--seconds 4]
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests" / "e2e"), str(REPO / "tests" / "server")]
from cluster_support import PASSWORD, DistrictCluster, missing_tools  # noqa: E402
from server_support import HEADERS, report  # noqa: E402

CLIENTS = 50
RATIO_LIMIT = 1.5


def login(base: str, username: str) -> dict[str, str]:
    body = {"username": username, "password": PASSWORD, "device_id": str(uuid.uuid4()), "device_name": "bench"}
    reply = httpx.post(f"{base}/api/v1/auth/login", json=body, headers=HEADERS, timeout=60)
    reply.raise_for_status()
    return {**HEADERS, "Authorization": f"Bearer {reply.json()['token']}"}


def push_rate(base: str, tokens: list[dict[str, str]], seconds: float, workers: int = 8, batch: int = 20) -> float:
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


def upload_time(base: str, tokens: list[dict[str, str]], photos: list[bytes], workers: int = 8) -> float:
    """Seconds to upload the photos (each a whole PUT) with `workers` clients at once."""
    chunks = [photos[index::workers] for index in range(workers)]

    def work(index: int) -> None:
        with httpx.Client(base_url=base, headers=tokens[index], timeout=120) as http:
            for data in chunks[index]:
                reply = http.put(f"/api/v1/blobs/{hashlib.sha256(data).hexdigest()}", content=data)
                assert reply.status_code == 201, reply.text

    started = time.monotonic()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(work, range(workers)))
    return time.monotonic() - started


COMMIT_EVERY = 25  # as the laptops confirm direct uploads


def direct_upload_time(base: str, tokens: list[dict[str, str]], photos: list[bytes], workers: int = 8) -> float:
    """Seconds to upload the photos as laptops do when the server offers direct uploads: ask for upload targets, PUT
    each photo to its presigned address in the bucket, have the server confirm them in groups (`workers` clients)."""
    chunks = [photos[index::workers] for index in range(workers)]
    committing = [0.0] * workers

    def commit(http: httpx.Client, hashes: list[str]) -> None:
        started = time.perf_counter()
        reply = http.post("/api/v1/blobs/commit", json={"hashes": hashes})
        committing[int(threading.current_thread().name.rsplit("_", 1)[-1])] += time.perf_counter() - started
        reply.raise_for_status()
        assert all(item["status"] == "stored" for item in reply.json()["results"]), reply.text

    def work(index: int) -> None:
        mine = {hashlib.sha256(data).hexdigest(): data for data in chunks[index]}
        with httpx.Client(base_url=base, headers=tokens[index], timeout=120) as http, httpx.Client(timeout=120) as s3:
            asked = {"blobs": [{"sha256": sha, "size": len(data)} for sha, data in mine.items()]}
            reply = http.post("/api/v1/blobs/targets", json=asked)
            reply.raise_for_status()
            written: list[str] = []
            for target in reply.json()["targets"]:
                assert target["status"] == "direct", target
                put = s3.put(target["url"], content=mine[target["sha256"]], headers=target["headers"])
                assert put.status_code == 200, put.text
                written.append(target["sha256"])
                if len(written) >= COMMIT_EVERY:
                    commit(http, written)
                    written = []
            if written:
                commit(http, written)

    started = time.monotonic()
    with ThreadPoolExecutor(workers, thread_name_prefix="direct") as pool:
        list(pool.map(work, range(workers)))
    elapsed = time.monotonic() - started
    print(f"  direct: {elapsed:.2f} s, of which each client waited {sum(committing) / workers:.2f} s for commits")
    return elapsed


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


def run_store(store: str, photo_count: int, seconds: float) -> dict[int, dict[str, Any]]:
    cluster = DistrictCluster(apps=3, store=store, reader=False, users=CLIENTS).start()
    figures: dict[int, dict[str, Any]] = {}
    try:
        assert cluster.proxy is not None
        base = cluster.proxy.url
        tokens = [login(base, f"ins{number:02d}") for number in range(1, CLIENTS + 1)]
        for apps in (1, 2, 3):
            cluster.proxy.stop()
            cluster.proxy.start(cluster.apps[:apps], [])
            photos = [os.urandom(1024 * 1024) for _ in range(photo_count)]
            rate = push_rate(base, tokens, seconds)
            upload = upload_time(base, tokens, photos)
            direct = None
            if store == "s3":  # other photos: none of them is in the bucket yet
                direct = direct_upload_time(base, tokens, [os.urandom(1024 * 1024) for _ in range(photo_count)])
            p50, p99, count = latency_p99(base, tokens, seconds)
            figures[apps] = {"push": rate, "upload": upload, "direct": direct, "p50": p50, "p99": p99}
            direct_text = ""
            if direct:
                direct_text = f" | direct to the bucket {direct:5.2f} s ({photo_count / direct:5.1f} MB/s)"
            print(
                f"{store:10} {apps} app(s): push {rate:7.0f} changes/s | {photo_count} x 1 MB photos through the apps "
                f"{upload:5.2f} s ({photo_count / upload:5.1f} MB/s){direct_text} | {CLIENTS} clients: "
                f"p50 {p50:6.1f} ms, p99 {p99:7.1f} ms ({count} requests)",
                flush=True,
            )
    finally:
        cluster.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    problem = missing_tools()
    if problem:
        print(f"cannot run: {problem}")
        return 2
    print(
        f"cpus: {os.cpu_count()}; PostgreSQL; HAProxy round robin; 8 pushing/uploading clients; {CLIENTS} for latency"
    )
    results = {store: run_store(store, args.photos, args.seconds) for store in ("filesystem", "s3")}
    for apps in (1, 2, 3):
        filesystem = results["filesystem"][apps]["upload"]
        for how, key in (("as laptops send them (direct)", "direct"), ("through the apps", "upload")):
            ratio = results["s3"][apps][key] / filesystem
            verdict = "ok" if ratio <= RATIO_LIMIT else "over the limit"
            print(f"S3/filesystem time for {args.photos} x 1 MB photos with {apps} app(s), {how}: {ratio:.2f} "
                  f"(limit {RATIO_LIMIT}) {verdict}")  # fmt: skip
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1, 5, 15 min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
