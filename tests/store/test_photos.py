"""The photo pipeline through real files: formats, EXIF, orientation, size cap, dedup, thumbnails, threads."""

from __future__ import annotations

import io
import shutil
import threading
from pathlib import Path

import pi_heif
import pytest
from PIL import Image
from sqlite_utils import Database
from store_samples import exif_block

from inspector.store import photos
from inspector.store.database import DataFolder
from inspector.store.files import sha256_file
from inspector.store.photos import PhotoLink, PhotoSettings, import_photo

SAMPLE_PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"

BEIJING_GPS = ((39.0, 56.0, 12.0), "N", (116.0, 27.0, 36.0), "E")


def stored_image(folder: DataFolder, sha: str) -> Image.Image:
    image = Image.open(folder.photo_path(sha))
    image.load()
    return image


def test_a_jpeg_is_stored_by_hash_with_its_exif_time_gps_and_a_thumbnail(folder, db, make_image) -> None:
    source = make_image("IMG_0001.JPG", size=(1200, 900), exif=exif_block(1, "2025:03:01 09:10:11", None, BEIJING_GPS))
    result = import_photo(folder, db, source)
    photo = result.photo
    assert not result.already_stored and result.warnings == ()
    assert sha256_file(folder.photo_path(photo.sha256)) == photo.sha256
    assert folder.photo_path(photo.sha256).parent.name == photo.sha256[:2]
    assert (photo.width, photo.height) == (1200, 900)
    assert photo.taken_at == "2025-03-01T01:10:11.000Z"  # no offset in EXIF: Beijing time assumed
    assert photo.gps_lat == pytest.approx(39.9366667, abs=1e-6)
    assert photo.gps_lon == pytest.approx(116.46, abs=1e-6)
    assert photo.original_name == "IMG_0001.JPG"
    assert photo.bytes == folder.photo_path(photo.sha256).stat().st_size
    stored = stored_image(folder, photo.sha256)
    assert stored.format == "JPEG"
    exif = stored.getexif()
    assert exif.get_ifd(0x8769)[0x9003] == "2025:03:01 09:10:11"
    assert exif.get_ifd(0x8769)[0x9011] == "+08:00"
    assert exif.get_ifd(0x8825)[1] == "N"
    assert 0x0112 not in exif  # orientation is applied, not recorded
    thumb = Image.open(folder.thumb_path(photo.sha256))
    assert max(thumb.size) == 320
    assert list(folder.tmp_dir.iterdir()) == []


def test_an_explicit_offset_and_southern_western_gps_are_honoured(folder, db, make_image) -> None:
    gps = ((33.0, 51.0, 0.0), "S", (151.0, 12.0, 0.0), "W")
    source = make_image("sydney.jpg", exif=exif_block(None, "2025:01:02 03:04:05", "+10:00", gps))
    photo = import_photo(folder, db, source).photo
    assert photo.taken_at == "2025-01-01T17:04:05.000Z"
    assert photo.gps_lat == pytest.approx(-33.85)
    assert photo.gps_lon == pytest.approx(-151.2)


@pytest.mark.parametrize(
    ("orientation", "expected"), [(1, (400, 300)), (3, (400, 300)), (6, (300, 400)), (8, (300, 400))]
)
def test_exif_orientation_is_applied_to_the_pixels(folder, db, make_image, orientation, expected) -> None:
    source = make_image(f"o{orientation}.jpg", size=(400, 300), exif=exif_block(orientation))
    photo = import_photo(folder, db, source).photo
    assert (photo.width, photo.height) == expected
    assert photo.orientation == orientation
    assert stored_image(folder, photo.sha256).size == expected


def test_the_rotation_moves_the_pixels_the_right_way(folder, db, tmp_path) -> None:
    # A picture whose left half is red and right half blue, stored sideways with orientation 6 (rotate 90° CW).
    sideways = Image.new("RGB", (200, 100), "red")
    sideways.paste(Image.new("RGB", (100, 100), "blue"), (100, 0))
    path = tmp_path / "sideways.jpg"
    sideways.save(path, "JPEG", quality=95, exif=exif_block(6))
    upright = stored_image(folder, import_photo(folder, db, path).photo.sha256)
    assert upright.size == (100, 200)
    top_r, _, top_b = upright.getpixel((50, 20))
    bottom_r, _, bottom_b = upright.getpixel((50, 180))
    assert top_r > 200 and top_b < 60  # red on top after turning clockwise
    assert bottom_b > 200 and bottom_r < 60


def test_the_longest_edge_is_capped_and_the_cap_is_configurable(folder, db, make_image) -> None:
    big = make_image("big.jpg", size=(4000, 3000))
    photo = import_photo(folder, db, big).photo
    assert (photo.width, photo.height) == (2560, 1920)
    small_cap = PhotoSettings(max_edge=1000)
    other = make_image("big2.jpg", size=(3000, 4000), seed=2)
    capped = import_photo(folder, db, other, settings=small_cap).photo
    assert (capped.width, capped.height) == (750, 1000)


def test_large_jpegs_use_draft_decoding(folder, db, make_image) -> None:
    # 6000×4000 with a 1000 px cap: draft mode decodes at 1/4 scale (1500×1000) before the final resize.
    source = make_image("huge.jpg", size=(6000, 4000))
    opened = Image.open(source)
    opened.draft("RGB", (1000, 1000))
    assert opened.size == (1500, 1000)
    photo = import_photo(folder, db, source, settings=PhotoSettings(max_edge=1000)).photo
    assert (photo.width, photo.height) == (1000, 667)
    thumb_bytes = photos.make_thumbnail(folder.photo_path(photo.sha256))
    assert max(Image.open(io.BytesIO(thumb_bytes)).size) == 320


def test_png_with_transparency_webp_and_grey_images_are_accepted(folder, db, make_image) -> None:
    png = make_image("screen.png", fmt="PNG", mode="RGBA")
    webp = make_image("photo.webp", fmt="WEBP", seed=3)
    grey = make_image("grey.jpg", mode="L", seed=4)
    palette = make_image("palette.png", fmt="PNG", mode="P", seed=5)
    for path, source_format in ((png, "PNG"), (webp, "WEBP"), (grey, "JPEG"), (palette, "PNG")):
        photo = import_photo(folder, db, path).photo
        assert photo.source_format == source_format
        assert stored_image(folder, photo.sha256).mode == "RGB"


def test_a_16_bit_png_is_scaled_down_to_8_bits(folder, db, tmp_path) -> None:
    deep = Image.linear_gradient("L").transpose(Image.Transpose.ROTATE_90).resize((256, 64)).convert("I")
    deep = deep.point(lambda v: v * 256).convert("I;16")
    path = tmp_path / "deep.png"
    deep.save(path, "PNG")
    photo = import_photo(folder, db, path).photo
    stored = stored_image(folder, photo.sha256)
    left, right = stored.getpixel((2, 32)), stored.getpixel((253, 32))
    assert min(left[0], right[0]) < 20 and max(left[0], right[0]) > 230  # a gradient, not clipped to white


def test_an_iphone_heic_photo_is_accepted_with_its_rotation(folder, db, tmp_path) -> None:
    path = tmp_path / "IMG_4242.HEIC"  # made as scene(640, 480, 7) with exif_block(6, "2025:06:01 08:00:00", "+08:00")
    shutil.copyfile(SAMPLE_PHOTOS / "iphone-rotated.heic", path)  # pi-heif decodes only: a phone's file, shipped
    assert Image.open(path).format == "HEIF"
    photo = import_photo(folder, db, path).photo
    assert photo.source_format == "HEIF"
    assert (photo.width, photo.height) == (480, 640)  # turned once, not twice
    assert photo.orientation == 6
    assert photo.taken_at == "2025-06-01T00:00:00.000Z"
    assert pi_heif.__version__  # the opener is registered by the photos module itself


def test_the_same_photo_twice_is_stored_once(folder, db, make_image, tmp_path) -> None:
    source = make_image("a.jpg")
    first = import_photo(folder, db, source)
    copy = tmp_path / "copy-of-a.jpg"
    copy.write_bytes(source.read_bytes())
    second = import_photo(folder, db, copy)
    assert second.already_stored
    assert second.photo.sha256 == first.photo.sha256
    assert db.execute("SELECT count(*) FROM photos").fetchone()[0] == 1
    assert len(list(folder.photos_dir.rglob("*.jpg"))) == 1


def test_the_same_picture_from_another_file_gets_the_same_address(folder, db, make_image) -> None:
    # Re-encoding is deterministic, so identical pixels and metadata give identical stored bytes.
    a = make_image("one.png", fmt="PNG", seed=11)
    b = make_image("two.png", fmt="PNG", seed=11, compress_level=1)
    assert a.read_bytes() != b.read_bytes()
    first = import_photo(folder, db, a)
    second = import_photo(folder, db, b)
    assert second.photo.sha256 == first.photo.sha256 and second.already_stored


def test_the_original_is_kept_when_asked(folder, db, make_image) -> None:
    source = make_image("orig.webp", fmt="WEBP")
    photo = import_photo(folder, db, source, settings=PhotoSettings(keep_original=True)).photo
    assert photo.has_original and photo.original_ext == ".webp"
    kept = folder.original_path(photo.sha256, ".webp")
    assert kept.read_bytes() == source.read_bytes()


def test_links_attach_photos_to_records_in_roles(folder, db, make_image) -> None:
    before = import_photo(folder, db, make_image("b.jpg", seed=1), link=PhotoLink("finding", "F1", "before")).photo
    after = import_photo(folder, db, make_image("a.jpg", seed=2), link=PhotoLink("finding", "F1", "after")).photo
    photos.link_photo(db, before.sha256, PhotoLink("finding", "F2"))
    assert [p.sha256 for p in photos.photos_of(db, "finding", "F1")] == [before.sha256, after.sha256]
    assert [p.sha256 for p in photos.photos_of(db, "finding", "F1", "after")] == [after.sha256]
    photos.unlink_photo(db, before.sha256, PhotoLink("finding", "F1", "before"))
    assert [p.sha256 for p in photos.photos_of(db, "finding", "F1")] == [after.sha256]
    assert photos.get_photo(db, before.sha256)  # the photo itself stays


def test_nonsense_exif_is_dropped_with_warnings_and_the_photo_is_kept(folder, db, make_image) -> None:
    bad_gps = ((200.0, 99.0, 0.0), "Q", (500.0, 0.0, 0.0), "E")
    source = make_image("odd.jpg", exif=exif_block(42, "0000:00:00 00:00:00", None, bad_gps))
    result = import_photo(folder, db, source)
    assert result.photo.gps_lat is None and result.photo.gps_lon is None
    assert result.photo.taken_at is None
    assert result.photo.orientation == 1
    assert [warning.code for warning in result.warnings] == ["photo_exif_value"] * 3
    assert all(" / " in str(warning) and "odd.jpg" in str(warning) for warning in result.warnings)


def test_a_gps_of_zero_zero_is_treated_as_no_fix(folder, db, make_image) -> None:
    source = make_image("nofix.jpg", exif=exif_block(None, None, None, ((0.0, 0.0, 0.0), "N", (0.0, 0.0, 0.0), "E")))
    result = import_photo(folder, db, source)
    assert result.photo.gps_lat is None and result.warnings


def test_photo_files_are_checked_against_their_rows(folder, db, make_image) -> None:
    one = import_photo(folder, db, make_image("1.jpg", seed=1)).photo
    two = import_photo(folder, db, make_image("2.jpg", seed=2)).photo
    assert photos.check_photo_files(folder, db) == []
    folder.photo_path(one.sha256).unlink()
    folder.photo_path(two.sha256).write_bytes(b"tampered")
    problems = {(p.sha256, p.problem) for p in photos.check_photo_files(folder, db)}
    assert problems == {(one.sha256, "missing"), (two.sha256, "hash_mismatch")}


def test_a_missing_thumbnail_is_rebuilt_from_the_stored_photo(folder, db, make_image) -> None:
    photo = import_photo(folder, db, make_image("t.jpg", size=(3000, 2000))).photo
    folder.thumb_path(photo.sha256).unlink()
    path = photos.ensure_thumbnail(folder, photo.sha256)
    assert max(Image.open(path).size) == 320


def test_blobs_from_the_server_are_stored_under_their_verified_hash(folder, db, make_image) -> None:
    data = make_image("srv.jpg").read_bytes()
    from inspector.store.files import sha256_bytes

    photo = photos.store_photo_blob(folder, db, data, sha256_bytes(data))
    assert folder.photo_path(photo.sha256).read_bytes() == data
    assert folder.thumb_path(photo.sha256).is_file()
    with pytest.raises(photos.CorruptImageError):
        photos.store_photo_blob(folder, db, data, "0" * 64)


def test_upload_bookkeeping(folder, db, make_image) -> None:
    a = import_photo(folder, db, make_image("u1.jpg", seed=1), link=PhotoLink("inspection", "I1")).photo
    b = import_photo(folder, db, make_image("u2.jpg", seed=2)).photo
    assert set(photos.not_uploaded(db)) == {a.sha256, b.sha256}
    photos.mark_uploaded(db, [a.sha256])
    assert photos.not_uploaded(db) == [b.sha256]


def test_imports_from_worker_threads_each_with_its_own_connection(folder: DataFolder, make_image) -> None:
    sources = [make_image(f"w{i}.jpg", size=(900, 700), seed=100 + i) for i in range(12)]
    sources += sources[:4]  # some duplicates across threads
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(paths: list[Path]) -> None:
        db: Database = folder.connect()
        try:
            for path in paths:
                sha = import_photo(folder, db, path).photo.sha256
                with lock:
                    results.append(sha)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=worker, args=(sources[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 16 and len(set(results)) == 12
    db = folder.connect()
    assert db.execute("SELECT count(*) FROM photos").fetchone()[0] == 12
    assert photos.check_photo_files(folder, db) == []
    db.close()
