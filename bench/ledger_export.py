"""Export a synthetic hazard ledger to .xlsx and print seconds, rows per second, peak memory and file size.

Usage: .venv/bin/python bench/ledger_export.py [ROWS ...]   (default: 1000 10000)

Rows are generated lazily, as a database cursor would hand them over, so the peak memory is the export's own.
Each size is run twice: once timed, once under tracemalloc for the peak of Python allocations.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from inspector.core.ledger import EscalationLevel, FindingState, Severity, State
from inspector.reports.ledger_xlsx import LedgerRow, export_ledger_xlsx

STREETS = [(f"110105{n:03d}", f"第{n}街道") for n in range(1, 11)]
CATEGORIES = ["私搭乱建", "乱停车", "乱占道经营", "垃圾堆物", "外立面破损", "违规广告牌匾", "燃气安全", "有限空间"]
NOW = datetime(2026, 6, 30, 4, 0, tzinfo=UTC)


def synthetic_rows(count: int, seed: int = 7) -> Iterator[LedgerRow]:
    """`count` varied findings: every state, both grades, some escalated, long Chinese descriptions."""
    rng = random.Random(seed)
    states = list(State)
    for n in range(count):
        code, street = rng.choice(STREETS)
        state = rng.choice(states)
        reported = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 260_000))
        assigned = state in (State.ASSIGNED, State.RECTIFIED, State.CLOSED)
        deadline = (reported + timedelta(days=rng.randrange(3, 60))).date() if assigned else None
        closed = reported + timedelta(days=rng.randrange(1, 40)) if state == State.CLOSED else None
        finding = FindingState(
            finding_id=f"0195f7a2-0000-7000-8000-{n:012d}",
            state=state,
            jurisdiction=f"{code}{rng.randrange(1, 20):03d}{rng.randrange(1, 30):03d}",
            severity=Severity.MAJOR if rng.random() < 0.05 else Severity.GENERAL,
            category=rng.choice(CATEGORIES),
            description="沿街商户店外堆放纸箱杂物，占用便道约三平方米，影响行人通行。" * rng.randrange(1, 4),
            subject_id=f"subject-{rng.randrange(5000)}",
            ledger_number=None if state in (State.REPORTED, State.REJECTED) else f"朝阳-{street}-2026-{n:05d}",
            deadline=deadline,
            responsible_unit="北京市朝阳区某某餐饮有限公司" if assigned else None,
            responsible_person="王某" if assigned else None,
            responsible_phone="13800000000" if assigned else None,
            measures="清理堆物，规范店外经营秩序，落实门前三包责任" if assigned else None,
            funds=None,
            contingency_plan=None,
            rectified_by="u-insp" if state in (State.RECTIFIED, State.CLOSED) else None,
            escalation=EscalationLevel.STREET if rng.random() < 0.03 else None,
            reported_by="u-insp",
            reported_at=reported,
            closed_at=closed,
            photos=tuple(f"{n:060x}{k:04x}" for k in range(rng.randrange(0, 4))),
            after_photos=(),
            event_count=3,
            last_event_id=f"e{n}",
        )
        yield LedgerRow(finding, street=street, location=f"{street}某某路{n % 200}号", reporter="张三")


def timed_export(count: int, folder: Path) -> tuple[float, float, int]:
    """Wall-clock seconds, CPU seconds of this process (steadier on a busy machine), file size."""
    path = folder / f"ledger-{count}.xlsx"
    started, cpu_started = time.perf_counter(), time.process_time()
    export_ledger_xlsx(synthetic_rows(count), path, now=NOW)
    return time.perf_counter() - started, time.process_time() - cpu_started, path.stat().st_size


def peak_memory(count: int, folder: Path) -> int:
    tracemalloc.start()
    export_ledger_xlsx(synthetic_rows(count), folder / f"traced-{count}.xlsx", now=NOW)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main(argv: list[str]) -> None:
    sizes = [int(arg) for arg in argv] or [1000, 10000]
    print(f"ledger xlsx export (write-only), {date.today()}")
    print(f"{'rows':>8} {'seconds':>8} {'cpu s':>7} {'rows/s':>9} {'peak MiB':>9} {'file KiB':>9}")
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for count in sizes:
            seconds, cpu, size = timed_export(count, folder)
            peak = peak_memory(count, folder)
            results.append((count, seconds, peak))
            rate = count / seconds
            print(f"{count:>8} {seconds:>8.2f} {cpu:>7.2f} {rate:>9.0f} {peak / 2**20:>9.1f} {size / 1024:>9.0f}")
    if len(results) > 1:
        (small, small_s, small_peak), (large, large_s, large_peak) = results[0], results[-1]
        print(
            f"{large / small:.0f}× the rows took {large_s / small_s:.1f}× the time "
            f"and {large_peak / small_peak:.2f}× the peak memory"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
