"""Frozen desktop app start-up: from spawning the bundle's executable to the main window shown, median of N runs.

The bundle (`make package` builds it) starts offscreen on a 1366×768 virtual screen with a seeded data folder (seeded
by the bundle itself). Each run is a new process; the time is read from the app's own log: the line "main window
shown" (written right after the window is shown) and the line "data folder … open" (the window has its data),
both stamped to the millisecond, minus the moment the process was spawned. The same is measured for the app run
from source, interleaved, for the ratio. The first frozen run is reported apart: it is the coldest the file cache
gets here without dropping the machine's caches.

Run: .venv/bin/python bench/frozen_startup.py [--bundle dist/Inspector] [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCREEN = {"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768, "logicalDpi": 96, "logicalBaseDpi": 96,
          "dpr": 1}
LOG_STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ")
SHOWN, READY = "main window shown", re.compile(r"data folder .* open")
TIMEOUT_S = 120.0
READY_WAIT_S = 10.0  # after the window is shown; an app that opens its data first logs no separate line


def executable(bundle: Path) -> Path:
    """The bundle's executable (Inspector, or Inspector.exe on Windows)."""
    for name in ("Inspector", "Inspector.exe"):
        if (bundle / name).is_file():
            return bundle / name
    raise SystemExit(f"no Inspector executable in {bundle}: build it first with `make package`")


def log_lines(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8", errors="replace").splitlines() if log.is_file() else []


def stamp(line: str) -> float:
    """The log line's time as seconds since the epoch (the log writes local time with milliseconds)."""
    match = LOG_STAMP.match(line)
    assert match, f"log line without a time stamp: {line!r}"
    return datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()


def time_start(command: list[str], data: Path, env: dict[str, str]) -> tuple[float, float | None]:
    """Seconds from spawn to "main window shown" and to "data folder … open" (None when the app does not log it),
    from the app's log; then stop the app."""
    log = data / "logs" / "inspector.log"
    seen = len(log_lines(log))
    spawned = time.time()
    process = subprocess.Popen([*command, "--data-dir", str(data)], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    shown: float | None = None
    ready: float | None = None
    try:
        deadline = time.monotonic() + TIMEOUT_S
        while ready is None and time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} ended before its window had its data: "
                                   f"{(process.stderr.read() if process.stderr else '')[-2000:]}")
            for entry in log_lines(log)[seen:]:
                if shown is None and SHOWN in entry:
                    shown = stamp(entry) - spawned
                    deadline = time.monotonic() + READY_WAIT_S
                if ready is None and READY.search(entry):
                    ready = stamp(entry) - spawned
            time.sleep(0.01)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if shown is None:
        raise RuntimeError(f"{command[0]} showed no window within {TIMEOUT_S:.0f} s")
    return shown, ready


def seed(frozen: Path, data: Path, env: dict[str, str]) -> None:
    """Fill the data folder with demo records, using the bundle's own `seed` command."""
    subprocess.run([str(frozen), "--data-dir", str(data), "seed", "--inspections", "20", "--photos", "10"],
                   env=env, check=True, stdout=subprocess.DEVNULL)


def line(label: str, measured: list[float | None]) -> str:
    values = [value for value in measured if value is not None]
    if len(values) < len(measured):
        return f"   {label:30s} not logged by this version of the app"
    return (f"   {label:30s} median {statistics.median(values) * 1000:6.0f} ms   "
            f"(min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f}, {len(values)} runs)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=REPO / "dist" / "Inspector")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    frozen = executable(args.bundle)
    with tempfile.TemporaryDirectory(prefix="inspector-frozen-bench-") as temp:
        work = Path(temp)
        config = work / "screen.json"
        config.write_text(json.dumps({"screens": [SCREEN]}), encoding="utf-8")
        env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}"}
        data = work / "data"
        seed(frozen, data, env)
        first = time_start([str(frozen)], data, env)
        frozen_runs, source_runs = [], []
        for _ in range(args.runs):  # interleaved, so both see the same machine load
            frozen_runs.append(time_start([str(frozen)], data, env))
            source_runs.append(time_start([sys.executable, "-m", "inspector"], data, env))
    print(f"frozen start-up of {frozen} (offscreen, seeded data folder, new process each run)")
    print(f"   first run after seeding: window shown {first[0] * 1000:.0f} ms")
    print(line("frozen: window shown", [run[0] for run in frozen_runs]))
    print(line("frozen: window with its data", [run[1] for run in frozen_runs]))
    print(line("source: window shown", [run[0] for run in source_runs]))
    print(line("source: window with its data", [run[1] for run in source_runs]))
    ratio = statistics.median(run[0] for run in frozen_runs) / statistics.median(run[0] for run in source_runs)
    print(f"   ratio frozen/source (window shown) {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
