"""Image helpers of the store tests: generated pictures, EXIF blocks, small encoded images."""

from __future__ import annotations

import io
import random
from typing import Any

from PIL import Image, ImageDraw


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
