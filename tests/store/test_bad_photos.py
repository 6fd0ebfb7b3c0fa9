"""A corpus of bad files: each is refused with its own clear bilingual error, nothing is stored, the app goes on."""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from sqlite_utils import Database
from store_samples import jpeg_bytes, png_bytes, scene

from inspector.store import photos
from inspector.store.database import DataFolder
from inspector.store.photos import PhotoSettings, import_photo

CJK = re.compile(r"[\u4e00-\u9fff]")


def png_chunk(kind: bytes, data: bytes, crc: int | None = None) -> bytes:
    checksum = zlib.crc32(kind + data) if crc is None else crc
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)


def forged_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims huge dimensions (the pixel data is a few bytes)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def png_with_bad_crc(chunk: bytes) -> bytes:
    """A valid small PNG whose IHDR or IDAT checksum is wrong."""
    data = bytearray(png_bytes())
    start = data.index(chunk) - 4
    length = struct.unpack(">I", data[start : start + 4])[0]
    crc_at = start + 8 + length
    data[crc_at : crc_at + 4] = bytes(b ^ 0xFF for b in data[crc_at : crc_at + 4])
    return bytes(data)


def encoded(fmt: str, size: tuple[int, int] = (64, 48), **options: object) -> bytes:
    buffer = io.BytesIO()
    scene(*size, 1).save(buffer, fmt, **options)
    return buffer.getvalue()


def truncated(data: bytes, keep: float) -> bytes:
    return data[: int(len(data) * keep)]


def heic_bytes() -> bytes:
    """A 256×256 HEIC, made as encoded("HEIF", (256, 256), quality=60): shipped, since pi-heif decodes only."""
    return (Path(__file__).resolve().parents[1] / "data" / "photos" / "small.heic").read_bytes()


def jpeg_with_zero_width() -> bytes:
    data = bytearray(jpeg_bytes())
    sof = data.index(b"\xff\xc0")
    data[sof + 7 : sof + 9] = b"\x00\x00"  # SOF0: length(2) precision(1) height(2) width(2)
    return bytes(data)


# name, bytes, expected error code
CORPUS: list[tuple[str, Callable[[], bytes], str]] = [
    ("empty.jpg", lambda: b"", "empty"),
    ("notes.jpg", lambda: "现场记录：这不是图片。\nnot an image\n".encode() * 20, "not_an_image"),
    ("page.heic", lambda: b"<!DOCTYPE html><html><body>404</body></html>", "not_an_image"),
    ("noise.png", lambda: bytes(range(256)) * 40, "not_an_image"),
    ("report.jpg", lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" * 10, "not_an_image"),
    ("drawing.png", lambda: b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "not_an_image"),
    ("half.jpg", lambda: truncated(jpeg_bytes((640, 480)), 0.5), "corrupt"),
    ("header-only.jpg", lambda: jpeg_bytes((640, 480))[:300], "corrupt"),
    ("soi-then-junk.jpg", lambda: b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x13" * 500, "corrupt"),
    ("zero-width.jpg", jpeg_with_zero_width, "corrupt"),
    ("bad-ihdr-crc.png", lambda: png_with_bad_crc(b"IHDR"), "corrupt"),
    ("bad-idat-crc.png", lambda: png_with_bad_crc(b"IDAT"), "corrupt"),
    ("cut.png", lambda: truncated(png_bytes((300, 300)), 0.6), "corrupt"),
    ("signature-only.png", lambda: b"\x89PNG\r\n\x1a\n", "corrupt"),
    ("cut.webp", lambda: truncated(encoded("WEBP", (400, 300)), 0.5), "corrupt"),
    ("riff-junk.webp", lambda: b"RIFF\x00\x10\x00\x00WEBPVP8 " + b"\x07" * 200, "corrupt"),
    ("cut.heic", lambda: truncated(heic_bytes(), 0.5), "corrupt"),
    ("pixel-bomb.png", lambda: forged_png(100_000, 100_000), "too_many_pixels"),
    ("80-megapixels.png", lambda: forged_png(10_000, 8_000), "too_many_pixels"),
    ("long-strip.png", lambda: encoded("PNG", (25_000, 4)), "too_many_pixels"),
    ("animation.gif", lambda: encoded("GIF"), "unsupported_format"),
    ("scan.bmp", lambda: encoded("BMP"), "unsupported_format"),
    ("scan.tif", lambda: encoded("TIFF"), "unsupported_format"),
    ("icon.ico", lambda: encoded("ICO", (32, 32)), "unsupported_format"),
]


def assert_nothing_stored(folder: DataFolder, db: Database) -> None:
    assert db.execute("SELECT count(*) FROM photos").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM photo_links").fetchone()[0] == 0
    for area in (folder.photos_dir, folder.thumbs_dir, folder.originals_dir, folder.tmp_dir):
        assert [p for p in area.rglob("*") if p.is_file()] == []


def assert_clear_message(error: photos.PhotoError, name: str) -> None:
    text = str(error)
    zh, en = text.split(" / ", 1)
    assert CJK.search(zh) and name in zh
    assert re.search(r"[a-z]{3,}", en) and name in en
    assert "Traceback" not in text


def test_the_corpus_has_at_least_twenty_distinct_bad_files() -> None:
    assert len({name for name, _, _ in CORPUS}) >= 20


@pytest.mark.parametrize(("name", "content", "code"), CORPUS, ids=[name for name, _, _ in CORPUS])
def test_each_bad_file_is_refused_clearly_and_nothing_is_stored(
    folder: DataFolder, db: Database, tmp_path: Path, name: str, content: Callable[[], bytes], code: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content())
    with pytest.raises(photos.PhotoError) as caught:
        import_photo(
            folder, db, path, link=photos.PhotoLink("inspection", "I1"), settings=PhotoSettings(keep_original=True)
        )
    assert caught.value.code == code, str(caught.value)
    assert_clear_message(caught.value, name)
    assert_nothing_stored(folder, db)
    good = tmp_path / "good.jpg"
    good.write_bytes(jpeg_bytes())
    assert import_photo(folder, db, good).photo.width == 64  # the app goes on


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(folder, db, tmp_path) -> None:
    path = tmp_path / "big.jpg"
    path.write_bytes(jpeg_bytes((800, 600)))
    with pytest.raises(photos.PhotoFileTooLargeError) as caught:
        import_photo(folder, db, path, settings=PhotoSettings(max_file_bytes=10_000))
    assert "MB" in str(caught.value)
    assert_clear_message(caught.value, "big.jpg")
    assert_nothing_stored(folder, db)


def test_missing_files_and_folders_are_refused(folder, db, tmp_path) -> None:
    with pytest.raises(photos.PhotoUnreadableError) as missing:
        import_photo(folder, db, tmp_path / "gone.jpg")
    assert_clear_message(missing.value, "gone.jpg")
    directory = tmp_path / "album.jpg"
    directory.mkdir()
    with pytest.raises(photos.PhotoUnreadableError):
        import_photo(folder, db, directory)
    assert_nothing_stored(folder, db)


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_a_damaged_exif_block_loses_only_the_metadata(folder, db, tmp_path) -> None:
    data = bytearray(jpeg_bytes((320, 240), exif=b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08" + b"\xff" * 40))
    path = tmp_path / "odd-exif.jpg"
    path.write_bytes(bytes(data))
    result = import_photo(folder, db, path)
    assert result.photo.width == 320
    assert result.photo.taken_at is None and result.photo.gps_lat is None
    assert Image.open(folder.photo_path(result.photo.sha256)).size == (320, 240)


def test_a_full_disk_gives_a_clear_error_and_no_row(folder, db, tmp_path, monkeypatch) -> None:
    from inspector.store import files
    from inspector.store.errors import DataFolderError

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", disk_full)
    path = tmp_path / "fine.jpg"
    path.write_bytes(jpeg_bytes())
    with pytest.raises(DataFolderError, match="No space left"):
        import_photo(folder, db, path)
    assert_nothing_stored(folder, db)
