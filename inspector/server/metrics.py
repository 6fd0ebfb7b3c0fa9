"""Prometheus metrics of one server process (served at /metrics): requests, latency, push results, blob bytes, feed
lag."""

from __future__ import annotations

import re

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)

REQUESTS = Counter(
    "inspector_http_requests",
    "HTTP requests answered, by method, route template and status",
    ("method", "route", "status"),
    registry=REGISTRY,
)
LATENCY = Histogram(
    "inspector_http_request_seconds",
    "Time from a request's arrival to the end of its reply, by route template",
    ("method", "route"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
PUSH_RESULTS = Counter(
    "inspector_push_results",
    "Pushed changes by their result (applied, duplicate, conflict, rejected)",
    ("status",),
    registry=REGISTRY,
)
BLOB_BYTES = Counter(
    "inspector_blob_bytes_stored", "Bytes of verified blobs written to the photo store", ("store",), registry=REGISTRY
)
FEED_LAG = Histogram(
    "inspector_feed_lag_changes",
    "How many feed changes a pull found after the caller's cursor (before paging)",
    buckets=(0, 1, 10, 100, 1000, 10_000, 100_000),
    registry=REGISTRY,
)
RETRIES = Counter(
    "inspector_db_retries",
    "Requests and transactions run again after a lost database connection or a race",
    ("kind",),
    registry=REGISTRY,
)
UNAVAILABLE = Counter(
    "inspector_unavailable_replies",
    "Requests answered 503 because the database or photo store did not answer",
    ("what",),
    registry=REGISTRY,
)


_STATUS = re.compile(r'"status":\s*"([a-z_]+)"')


def count_push_results(results: list[str]) -> None:
    """Count a push's results (each its JSON text) by status."""
    for text in results:
        found = _STATUS.search(text)
        PUSH_RESULTS.labels(found.group(1) if found else "unknown").inc()


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
