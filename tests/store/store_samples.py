"""Samples for the store tests: a small checklist, area codes, generated pictures, EXIF blocks, encoded images."""

from __future__ import annotations

import io
import random
from typing import Any

from PIL import Image, ImageDraw

TEST_CHECKLIST = """\
format: inspector-checklist/1
id: test-street
version: "1.0"
title: 测试街巷检查表
subject_kinds: [back_street]
scoring:
  method: deduction
  pass_score: 90
  outcome_labels: {pass: 达标, fail: 不达标}
sources:
  - id: S1
    title: 测试来源
sections:
  - id: shiwu
    title: 十无
    items:
      - id: T-01
        text: 无私搭乱建
        response: pass_fail
        points: 50
        deduct_per: 10
        on_fail: {severity: general, category: 私搭乱建, deadline_days: 15}
        provenance: {status: seed, source: S1}
      - id: T-02
        text: 无乱停车
        response: pass_fail
        points: 50
        on_fail: {severity: general, category: 乱停车}
        provenance: {status: seed, source: S1}
  - id: notes
    title: 记录
    items:
      - id: T-03
        text: 街巷长姓名
        response: text
        provenance: {status: reconstructed, note: 现场记录}
"""

STREET = "110105004000000"  # 朝阳区 三里屯街道
COMMUNITY = "110105004001000"


def scene(width: int, height: int, seed: int) -> Image.Image:
    """A picture with shapes and noise, so JPEG sizes and timings resemble real photos."""
    rnd = random.Random(seed)
    image = Image.new("RGB", (width, height), tuple(rnd.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rnd.randrange(width), rnd.randrange(height)
        w, h = rnd.randrange(1, max(2, width // 3)), rnd.randrange(1, max(2, height // 3))
        draw.rectangle([x, y, x + w, y + h], fill=tuple(rnd.randrange(256) for _ in range(3)))
    return image


def exif_block(
    orientation: Any = None,
    taken: str | None = None,
    offset: str | None = None,
    gps: tuple[Any, Any, Any, Any] | None = None,
) -> bytes:
    """EXIF bytes with the given orientation, DateTimeOriginal (+ offset) and GPS (lat, ref, lon, ref)."""
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if taken is not None:
        exif.get_ifd(0x8769)[0x9003] = taken
        if offset is not None:
            exif.get_ifd(0x8769)[0x9011] = offset
    if gps is not None:
        lat, lat_ref, lon, lon_ref = gps
        ifd = exif.get_ifd(0x8825)
        ifd[1], ifd[2], ifd[3], ifd[4] = lat_ref, lat, lon_ref, lon
    return exif.tobytes()


def jpeg_bytes(size: tuple[int, int] = (64, 48), seed: int = 0, **options: Any) -> bytes:
    """A small JPEG in memory."""
    buffer = io.BytesIO()
    scene(*size, seed).save(buffer, "JPEG", **options)
    return buffer.getvalue()


def png_bytes(size: tuple[int, int] = (64, 48), seed: int = 0) -> bytes:
    """A small PNG in memory."""
    buffer = io.BytesIO()
    scene(*size, seed).save(buffer, "PNG")
    return buffer.getvalue()


def put_stored_setting(db: Any, key: str, text: str) -> None:
    """A settings row written as it lies in the file, bypassing the declared table: the keys of older versions, or
    rows for the database layer's own tests."""
    from inspector.store.database import transaction

    with transaction(db):
        db.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 'then') "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, text],
        )


def stored_setting(db: Any, key: str) -> str | None:
    """The text of a settings row as it lies in the file (None when there is no such row)."""
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return str(row[0]) if row else None
