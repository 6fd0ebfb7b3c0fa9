"""Hostile photos: incomplete files are refused (or, by the setting, kept marked damaged with their original), no
time or position is guessed, damaged EXIF and animation are warned, decoding stays within its memory budget."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from heif_samples import grid_heic
from PIL import Image, ImageDraw, ImageFile
from sqlite_utils import Database
from store_samples import exif_block, jpeg_bytes, scene

from inspector.store import photos
from inspector.store.database import DataFolder
from inspector.store.photos import PhotoSettings, import_photo

KEEP_DAMAGED = PhotoSettings(keep_damaged=True)


def cut_with_end_marker(keep: float) -> bytes:
    """A JPEG cut part-way through its entropy data, with an end-of-image marker appended so it looks whole."""
    data = jpeg_bytes((640, 480))
    return data[: int(len(data) * keep)] + b"\xff\xd9"


def forged_header_jpeg() -> bytes:
    """A few hundred bytes of JPEG whose frame header claims 8000×8000."""
    data = bytearray(jpeg_bytes((16, 16), quality=30))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = (8000).to_bytes(2, "big") * 2
    return bytes(data)


def cut_heic(keep: float) -> bytes:
    data = grid_heic(4)
    return data[: int(len(data) * keep)]


# Incomplete files that the decoders take without a word: libheif fills missing grid tiles with green, libjpeg
# fills a cut entropy stream with grey. Each is refused by default and kept marked damaged when the setting says so.
INCOMPLETE: list[tuple[str, Callable[[], bytes]]] = [
    ("cut-95.heic", lambda: cut_heic(0.95)),
    ("cut-80.heic", lambda: cut_heic(0.8)),
    ("cut-60.heic", lambda: cut_heic(0.6)),
    ("cut-40.heic", lambda: cut_heic(0.4)),
    ("half-with-eoi.jpg", lambda: cut_with_end_marker(0.5)),
    ("most-with-eoi.jpg", lambda: cut_with_end_marker(0.9)),
    ("8000x8000-header.jpg", forged_header_jpeg),
]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def stored_exif(folder: DataFolder, sha: str) -> tuple[Image.Exif, dict[int, object], dict[int, object]]:
    with Image.open(folder.photo_path(sha)) as image:
        exif = image.getexif()
        return exif, dict(exif.get_ifd(0x8769)), dict(exif.get_ifd(0x8825))


def test_the_whole_grid_heic_decodes_so_only_the_cut_is_to_blame(folder, db, tmp_path) -> None:
    result = import_photo(folder, db, write(tmp_path, "whole.heic", grid_heic(4)))
    assert (result.photo.width, result.photo.height) == (1024, 256)
    assert not result.photo.damaged and "photo_damaged_kept" not in result.photo.warnings


def test_a_whole_heic_with_stray_bytes_after_its_last_box_is_taken(folder, db, tmp_path) -> None:
    result = import_photo(folder, db, write(tmp_path, "padded.heic", grid_heic(4) + b"\x00" * 5))
    assert not result.photo.damaged and result.photo.width == 1024


@pytest.mark.parametrize(("name", "content"), INCOMPLETE, ids=[name for name, _ in INCOMPLETE])
def test_an_incomplete_photo_is_refused(folder: DataFolder, db: Database, tmp_path, name, content) -> None:
    with pytest.raises(photos.CorruptImageError) as caught:
        import_photo(folder, db, write(tmp_path, name, content()))
    assert caught.value.code == "corrupt"
    assert name in str(caught.value) and "incomplete" in str(caught.value)
    assert db.execute("SELECT count(*) FROM photos").fetchone()[0] == 0
    assert [p for p in folder.photos_dir.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize(("name", "content"), INCOMPLETE, ids=[name for name, _ in INCOMPLETE])
def test_by_the_setting_an_incomplete_photo_is_kept_marked_with_its_original(
    folder: DataFolder, db: Database, tmp_path, name, content
) -> None:
    data = content()
    result = import_photo(folder, db, write(tmp_path, name, data), settings=KEEP_DAMAGED)
    assert result.photo.damaged
    assert "photo_damaged_kept" in [warning.code for warning in result.warnings]
    assert "已损坏" in result.warnings[-1].zh or any("已损坏" in w.zh for w in result.warnings)
    assert result.photo.has_original
    original = folder.original_path(result.photo.sha256, result.photo.original_ext or "")
    assert original.read_bytes() == data
    assert photos.get_photo(db, result.photo.sha256).damaged  # the mark is in the row, for every view of it


@pytest.mark.parametrize("quality", [75, 95])
def test_a_whole_jpeg_whose_last_block_is_flat_grey_is_not_taken_for_a_cut_one(folder, db, tmp_path, quality) -> None:
    picture = Image.new("RGB", (640, 480), (128, 128, 128))  # a drawn scene on grey ground: the decoder's own fill
    ImageDraw.Draw(picture).rectangle([10, 10, 400, 200], fill=(200, 30, 30))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=quality)
    with Image.open(io.BytesIO(buffer.getvalue())) as decoded:
        assert decoded.getpixel((639, 479)) == (128, 128, 128)  # the same last block as a cut file's
    result = import_photo(folder, db, write(tmp_path, "grey-ground.jpg", buffer.getvalue()))
    assert not result.photo.damaged
    assert "photo_damaged_kept" not in [warning.code for warning in result.warnings]


def test_truncated_images_are_never_loaded_padded() -> None:
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_without_date_time_original_taken_at_is_unknown_and_the_file_time_is_only_shown(folder, db, tmp_path) -> None:
    exif = Image.Exif()
    exif[0x0132] = "2024:05:01 10:20:30"  # the EXIF modification time: not when the picture was taken
    path = write(tmp_path, "edited.jpg", jpeg_bytes((320, 240), exif=exif.tobytes()))
    result = import_photo(folder, db, path)
    assert result.photo.taken_at is None
    assert result.photo.file_time is not None and result.photo.file_time.endswith("Z")
    warning = next(w for w in result.warnings if w.code == "photo_no_taken_at")
    assert "文件时间" in warning.zh and "file time" in warning.en
    stored, exif_ifd, _gps = stored_exif(folder, result.photo.sha256)
    assert 0x9003 not in exif_ifd and 0x9004 not in exif_ifd and 0x0132 not in stored


def test_create_date_and_xmp_are_read_when_date_time_original_is_absent(folder, db, tmp_path) -> None:
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9004] = "2024:05:01 10:20:30"
    created = import_photo(folder, db, write(tmp_path, "created.jpg", jpeg_bytes((320, 240), exif=exif.tobytes())))
    assert created.photo.taken_at == "2024-05-01T02:20:30.000Z"
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/"'
        b' exif:DateTimeOriginal="2023-07-08T09:10:11+08:00"/>'
        b"</rdf:RDF></x:xmpmeta>"
    )
    from_xmp = import_photo(folder, db, write(tmp_path, "xmp.jpg", jpeg_bytes((320, 240), seed=3, xmp=xmp)))
    assert from_xmp.photo.taken_at == "2023-07-08T01:10:11.000Z"
    assert "photo_no_taken_at" not in [w.code for w in from_xmp.warnings]


def test_gps_without_references_is_kept_as_unknown_hemisphere_not_guessed(folder, db, tmp_path) -> None:
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[2], gps[4] = (40.0, 25.0, 0.0), (3.0, 43.0, 12.0)  # Madrid is west: +3.72 would be a guess, and wrong
    result = import_photo(folder, db, write(tmp_path, "noref.jpg", jpeg_bytes((320, 240), exif=exif.tobytes())))
    assert result.photo.gps_lat is None and result.photo.gps_lon is None
    assert result.photo.gps_unsigned == pytest.approx((40.416667, 3.72))
    assert "photo_gps_no_hemisphere" in [w.code for w in result.warnings]
    _exif, _ifd, stored_gps = stored_exif(folder, result.photo.sha256)
    assert 1 not in stored_gps and 3 not in stored_gps  # no N/S/E/W written
    assert stored_gps[2] and stored_gps[4]


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_a_damaged_exif_block_is_warned(folder, db, tmp_path) -> None:
    data = jpeg_bytes((320, 240), exif=b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08" + b"\xff" * 40)
    result = import_photo(folder, db, write(tmp_path, "odd-exif.jpg", data))
    assert "photo_exif_damaged" in [w.code for w in result.warnings]
    assert result.photo.width == 320


def test_a_whole_exif_block_is_not_called_damaged(folder, db, make_image) -> None:
    source = make_image("fine.jpg", exif=exif_block(1, "2024:05:01 10:20:30", "+08:00"))
    assert import_photo(folder, db, source).warnings == ()


@pytest.mark.parametrize(("name", "fmt"), [("moving.webp", "WEBP"), ("moving.png", "PNG")])
def test_an_animated_image_is_warned_and_its_original_kept(folder, db, tmp_path, name, fmt) -> None:
    frames = [scene(160, 120, seed) for seed in range(3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    path = write(tmp_path, name, buffer.getvalue())
    result = import_photo(folder, db, path, settings=PhotoSettings(keep_original=False))
    warning = next(w for w in result.warnings if w.code == "photo_animated")
    assert "3" in warning.en and "第一帧" in warning.zh
    assert result.photo.has_original


def test_the_original_is_kept_by_default_beside_the_re_encoded_copy(folder, db, make_image) -> None:
    source = make_image("camera.jpg", exif=exif_block(6, "2024:05:01 10:20:30", "+08:00"))
    photo = import_photo(folder, db, source).photo
    assert photo.has_original
    assert folder.original_path(photo.sha256, ".jpg").read_bytes() == source.read_bytes()


MEMORY_CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from inspector.store.database import open_data_folder
    from inspector.store.photos import import_photo
    folder = open_data_folder(Path(sys.argv[1]))
    db = folder.connect()
    print(json.dumps({"width": import_photo(folder, db, Path(sys.argv[2])).photo.width}))
    """
)
# Linux keeps a process's peak RSS across fork and exec, so a child of the (large) test process would report the
# test process's peak: a small launcher runs the import in its own child and reads that child's peak, which starts
# from the launcher's few megabytes.
MEMORY_LAUNCHER = textwrap.dedent(
    """
    import json, resource, subprocess, sys
    done = subprocess.run([sys.executable, "-c", sys.argv[1], *sys.argv[2:]], capture_output=True, text=True)
    if done.returncode:
        sys.exit(done.stderr)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["peak_kib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps(figures))
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="resource.getrusage is POSIX")
def test_a_small_png_at_the_pixel_limit_costs_its_pixels_once(tmp_path) -> None:
    # A palette picture with a transparent colour, as drawings and screenshots are: 64 MP in about 240 KB.
    picture = Image.new("P", (8000, 8000), 0)
    picture.putpalette([value % 256 for value in range(768)])
    draw = ImageDraw.Draw(picture)
    for step in range(0, 8000, 400):
        draw.rectangle([step, step // 2, step + 300, 8000 - step // 2], fill=(step // 400) * 7 % 256)
    path = tmp_path / "64mp.png"
    picture.save(path, "PNG", compress_level=9, transparency=0)
    del picture, draw
    assert path.stat().st_size < 1_000_000  # a few hundred KB for 64 megapixels
    child = subprocess.run(
        [sys.executable, "-c", MEMORY_LAUNCHER, MEMORY_CHILD, str(tmp_path / "data"), str(path)],
        capture_output=True, text=True, timeout=240, check=True,
    )
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    peak_mib = figures["peak_kib"] / 1024
    print(f"64 MP PNG of {path.stat().st_size // 1024} KiB: peak RSS {peak_mib:.0f} MiB (limit 350 MiB)")
    assert figures["width"] == 2560
    # The palette pixels cost 61 MiB; converting the whole picture to RGBA and then to RGB cost about 650 MiB.
    assert peak_mib < 350


def test_a_photo_over_the_memory_budget_is_refused_before_decoding(folder, db, tmp_path) -> None:
    path = tmp_path / "big.png"
    Image.new("RGB", (3000, 3000), (1, 2, 3)).save(path, "PNG")
    with pytest.raises(photos.ImageTooLargeError) as caught:
        import_photo(folder, db, path, settings=PhotoSettings(max_decode_bytes=20 * 1024 * 1024))
    assert "memory" in str(caught.value) and "内存" in str(caught.value)


# ---- real camera files (tests/data/photos/piexif, MIT: see the README there) ----

CAMERA_DIR = Path(__file__).resolve().parents[1] / "data" / "photos" / "piexif"
CAMERA_FILES = sorted(CAMERA_DIR.glob("*.jpg"))


@pytest.mark.parametrize("source", CAMERA_FILES, ids=[path.name for path in CAMERA_FILES])
def test_a_real_camera_file_keeps_its_time_and_camera_without_warnings(folder, db, source: Path) -> None:
    with Image.open(source) as image:
        exif = image.getexif()
        taken = exif.get_ifd(0x8769)[0x9003]
        make = exif[0x010F].replace("\x00", "").strip()
    result = import_photo(folder, db, source)
    assert result.warnings == ()
    assert not result.photo.damaged and result.photo.has_original
    stored, exif_ifd, _gps = stored_exif(folder, result.photo.sha256)
    assert exif_ifd[0x9003] == taken  # Beijing time, as no offset was recorded
    assert stored[0x010F] == make[:100]
    assert result.photo.taken_at is not None


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9])
def test_a_real_camera_file_cut_with_an_end_marker_is_refused(folder, db, tmp_path, keep: float) -> None:
    data = (CAMERA_DIR / "L01.jpg").read_bytes()
    exif_end = data.rindex(b"\xff\xda")  # the main picture's scan (the EXIF thumbnail has its own): cut after it
    cut = data[: exif_end + int((len(data) - exif_end) * keep)] + b"\xff\xd9"
    with pytest.raises(photos.CorruptImageError):
        import_photo(folder, db, write(tmp_path, f"L01-cut-{keep}.jpg", cut))
    kept = import_photo(folder, db, write(tmp_path, f"kept-{keep}.jpg", cut), settings=KEEP_DAMAGED)
    assert kept.photo.damaged and kept.photo.taken_at is not None  # the metadata survives, the mark says the rest
