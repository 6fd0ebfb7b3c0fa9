"""Photo import speed: median milliseconds per 12-megapixel JPEG through the full pipeline, against a bare Pillow
open+save of the same files in the same run.

Run: .venv/bin/python bench/photo_ingest.py [--photos N] [--size 4000x3000]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from inspector.store import photos
from inspector.store.database import open_data_folder
from inspector.store.files import sha256_bytes


def camera_like_jpeg(path: Path, size: tuple[int, int], seed: int) -> None:
    """A phone-like photo: smooth light, shapes with edges, sensor noise, EXIF time/GPS, sometimes turned."""
    rnd = random.Random(seed)
    width, height = size
    base = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(base)
    for _ in range(150):
        x, y = rnd.randrange(width), rnd.randrange(height)
        w, h = rnd.randrange(40, width // 4), rnd.randrange(40, height // 4)
        colour = tuple(rnd.randrange(256) for _ in range(3))
        (draw.ellipse if rnd.random() < 0.5 else draw.rectangle)([x, y, x + w, y + h], fill=colour)
    base = base.filter(ImageFilter.GaussianBlur(2))
    noise = Image.effect_noise(size, 24).convert("RGB")
    picture = Image.blend(base, noise, 0.12)
    exif = Image.Exif()
    exif[0x0112] = 6 if seed % 2 else 1
    exif.get_ifd(0x8769)[0x9003] = f"2026:11:{1 + seed % 28:02d} 10:{seed % 60:02d}:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (39.0, 56.0, 10.0 + seed), "E", (116.0, 27.0, 5.0)
    picture.save(path, "JPEG", quality=92, exif=exif.tobytes())


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed(action: Callable[[], object], cpu: list[float] | None = None) -> float:
    """Wall time of one call; its CPU time (immune to other processes' load, blind to disk waits) into cpu."""
    start, start_cpu = time.perf_counter(), time.process_time()
    action()
    if cpu is not None:
        cpu.append(time.process_time() - start_cpu)
    return time.perf_counter() - start


def bare_open_save(path: Path) -> None:
    with Image.open(path) as image:
        image.save(io.BytesIO(), "JPEG", quality=85)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=12, help="how many photos (default 12)")
    parser.add_argument("--size", default="4000x3000", help="pixel size of the generated photos (default 4000x3000)")
    args = parser.parse_args()
    size = tuple(int(part) for part in args.size.lower().split("x"))
    assert len(size) == 2
    if hasattr(os, "sched_setaffinity"):  # one core, as the target says
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    if hasattr(os, "getloadavg"):
        print(f"load average before the run: {os.getloadavg()[0]:.2f} (other work on this machine skews absolute ms)")

    with tempfile.TemporaryDirectory(prefix="photo-bench-") as scratch:
        root = Path(scratch)
        camera = root / "camera"
        camera.mkdir()
        print(f"generating {args.photos} photos of {size[0]}×{size[1]} ({size[0] * size[1] / 1e6:.1f} MP)…")
        sources = []
        for n in range(args.photos):
            path = camera / f"IMG_{n:04d}.JPG"
            camera_like_jpeg(path, size, n)  # type: ignore[arg-type]
            sources.append(path)
        mean_mb = statistics.mean(p.stat().st_size for p in sources) / 1_048_576
        folder = open_data_folder(root / "data")
        db = folder.connect()

        # Interleave the measurements so both see the same machine load.
        full, bare, encode_only, thumbs, full_cpu, bare_cpu = [], [], [], [], [], []
        for path in sources:
            bare.append(timed(lambda p=path: bare_open_save(p), bare_cpu))
            encode_only.append(timed(lambda p=path: photos.encode_photo(p.read_bytes(), p)))
            full.append(timed(lambda p=path: photos.import_photo(folder, db, p), full_cpu))
            thumbs.append(timed(lambda p=path: photos.make_thumbnail(p)))
        stored = db.execute(
            "SELECT avg(bytes), min(max(width, height)), max(max(width, height)) FROM photos"
        ).fetchone()
        db.close()

        full_ms, bare_ms = median_ms(full), median_ms(bare)
        print(f"source JPEG size (mean)                     {mean_mb:8.2f} MB")
        print(
            f"stored copy (mean)                          {stored[0] / 1_048_576:8.2f} MB, "
            f"longest edge {stored[1]}–{stored[2]} px"
        )
        print(f"full pipeline, median per photo             {full_ms:8.1f} ms   (target ≤ 250 ms)")
        print(f"  of which decode/resize/encode (no disk)   {median_ms(encode_only):8.1f} ms")
        print(f"bare Pillow open + save (q85), median       {bare_ms:8.1f} ms")
        print(f"ratio full pipeline / bare open+save        {full_ms / bare_ms:8.2f}")
        cpu_full, cpu_bare = median_ms(full_cpu), median_ms(bare_cpu)
        print(f"CPU time: full pipeline {cpu_full:.1f} ms, bare {cpu_bare:.1f} ms, ratio {cpu_full / cpu_bare:.2f}")
        print(f"thumbnail straight from the source (draft)  {median_ms(thumbs):8.1f} ms")
        print(
            f"photos stored: {len({sha256_bytes(p.read_bytes()) for p in sources})} sources → "
            f"{len(list(folder.photos_dir.rglob('*.jpg')))} files"
        )


if __name__ == "__main__":
    main()
