"""The photo pipeline: check, orient, downscale and re-encode an image, address it by SHA-256, store it atomically.

Safe to call from worker threads: the only shared state is immutable settings and the once-registered HEIF opener;
each thread passes its own database connection.
"""

from __future__ import annotations

import io
import math
import re
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Literal

import pi_heif
from PIL import Image, ImageChops, ImageFile, UnidentifiedImageError
from sqlite_utils import Database

from inspector.core.clock import SHANGHAI, now_iso, to_iso
from inspector.core.errors import CATALOGUE
from inspector.store.database import DataFolder, rows_in, transaction
from inspector.store.errors import DataFolderError, RecordNotFoundError, StoreError
from inspector.store.files import sha256_bytes, sha256_file, write_atomic

pi_heif.register_heif_opener()  # once, at import (the import lock makes this thread-safe)
# A cut file must fail, never be padded: Pillow's switch for loading truncated images stays off (the default).
ImageFile.LOAD_TRUNCATED_IMAGES = False

OwnerKind = Literal["inspection", "finding", "finding_event", "subject"]
Role = Literal["evidence", "before", "after"]

# Pillow format name → extension for a kept original. MPO is how Pillow names many phone JPEGs.
ACCEPTED_FORMATS: dict[str, str] = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "HEIF": ".heic", "WEBP": ".webp"}
_SIGNATURES: tuple[tuple[int, bytes], ...] = (
    (0, b"\xff\xd8\xff"),
    (0, b"\x89PNG\r\n\x1a\n"),
    (8, b"WEBP"),
    (4, b"ftypheic"),
    (4, b"ftypheix"),
    (4, b"ftypmif1"),
    (4, b"ftyphevc"),
    (4, b"ftypmsf1"),
)
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error, zlib.error)

# Modes whose ICC profile still describes the pixels after conversion to RGB (a CMYK or grey profile would not).
_ICC_KEEPING_MODES = frozenset({"RGB", "RGBA", "RGBX", "P"})

_TAG_ORIENTATION = 0x0112
_TAG_DATETIME = 0x0132
_TAG_MAKE = 0x010F
_TAG_MODEL = 0x0110
_IFD_EXIF = 0x8769
_IFD_GPS = 0x8825
_TAG_DATETIME_ORIGINAL = 0x9003
_TAG_CREATE_DATE = 0x9004  # DateTimeDigitized, which exiftool and XMP call CreateDate
_TAG_OFFSET_TIME_ORIGINAL = 0x9011
_TAG_OFFSET_TIME_DIGITIZED = 0x9012
# XMP names for the time a picture was taken, in order of preference.
_XMP_TAKEN = ("exif:DateTimeOriginal", "xmp:CreateDate", "photoshop:DateCreated")
# Bytes a decoded pixel costs Pillow (1 and 2 for 8- and 16-bit single bands, 4 for everything else) and libheif.
_PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2}
_HEIF_PIXEL_BYTES = 8  # libheif's own buffer, then Pillow's copy
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


# --------------------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------------------


class PhotoError(StoreError):
    """A file that cannot become a photo; nothing was stored. `str()` is "中文 / English" and names the file."""

    code = "photo_error"

    def __init__(self, path: str | Path, zh: str, en: str) -> None:
        name = Path(path).name
        zh, en = CATALOGUE["photo_error"].render(name=name, detail_zh=zh, detail_en=en)
        super().__init__(zh, en, name=name)
        self.path = str(path)


class PhotoUnreadableError(PhotoError):
    """The file cannot be read from its folder."""

    code = "unreadable"


class EmptyPhotoFileError(PhotoError):
    """The file has no bytes."""

    code = "empty"


class PhotoFileTooLargeError(PhotoError):
    """The file is larger than a photo may be."""

    code = "file_too_large"


class NotAnImageError(PhotoError):
    """The file is not an image at all."""

    code = "not_an_image"


class UnsupportedImageFormatError(PhotoError):
    """An image, but in a format the app does not take."""

    code = "unsupported_format"


class CorruptImageError(PhotoError):
    """An image whose data is damaged."""

    code = "corrupt"


class ImageTooLargeError(PhotoError):
    """Too many pixels or too long a side: a decompression bomb or an image no camera makes."""

    code = "too_many_pixels"


class PhotoWarning(StoreError):  # noqa: N818 (a warning, carried, never raised)
    """Something the user must know about a photo that was stored all the same; never raised, carried in results.

    Its `code` is one of the catalogue's photo_* warnings; `str()` is "中文 / English" and names the file.
    """

    code = "photo_exif_value"

    def __init__(self, code: str, name: str, **details: object) -> None:
        super().__init__(code=code, name=name, **details)


# --------------------------------------------------------------------------------------------------------------
# Settings and results
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhotoSettings:
    """Limits and output parameters of the pipeline."""

    max_edge: int = 2560
    jpeg_quality: int = 85
    thumb_edge: int = 320
    thumb_quality: int = 80
    max_file_bytes: int = 50 * 1024 * 1024
    max_pixels: int = 64_000_000  # below Pillow's own bomb warning (~89 MP), above any 50 MP phone
    max_side: int = 20_000
    keep_original: bool = True  # kept whenever the stored copy differs from the file (always, as it is re-encoded)
    keep_damaged: bool = False  # an incomplete photo is refused, or (True) stored marked damaged with its original
    # What decoding may cost at most (Pillow's pixels plus the reduced copy); above it the photo is refused. Large
    # JPEGs are decoded at reduced scale (draft) and other large images are reduced strip by strip, so a 64 MP PNG
    # costs its own pixels once and little more.
    max_decode_bytes: int = 512 * 1024 * 1024
    # Downscaling filter for the stored copy. Hamming (a windowed, area-aware filter) is close to Lanczos for the
    # usual 1.5× step from a 12 MP photo to 2560 px and about twice as fast (see bench/photo_ingest.py).
    resample: Image.Resampling = Image.Resampling.HAMMING


DEFAULT_SETTINGS = PhotoSettings()


@dataclass(frozen=True)
class PhotoLink:
    """What a photo is attached to, and as what."""

    owner_kind: OwnerKind
    owner_id: str
    role: Role = "evidence"
    item_id: str = ""


@dataclass(frozen=True)
class PhotoMetadata:
    """What the camera said about the picture (values it got wrong are dropped, with a warning)."""

    taken_at: str | None = None
    gps_lat: float | None = None
    gps_lon: float | None = None
    orientation: int = 1
    make: str | None = None
    model: str | None = None
    warnings: tuple[PhotoWarning, ...] = ()
    gps_unsigned: tuple[float, float] | None = None  # latitude and longitude without their N/S/E/W (not known)


@dataclass(frozen=True)
class Photo:
    """A stored photo, as its row says."""

    sha256: str
    bytes: int
    width: int
    height: int
    taken_at: str | None
    gps_lat: float | None
    gps_lon: float | None
    original_name: str | None
    orientation: int
    source_format: str | None
    has_original: bool
    original_ext: str | None
    imported_at: str
    uploaded: bool
    file_time: str | None = None  # the source file's modification time (UTC ISO): shown as such, never as taken-at
    warnings: tuple[str, ...] = ()  # the catalogue codes of the warnings it was stored with
    damaged: bool = False  # stored although its data was incomplete (the photos.keep_damaged setting)
    gps_unsigned: tuple[float, float] | None = None  # a position whose hemisphere the camera did not say


@dataclass(frozen=True)
class ImportResult:
    """The outcome of one import: the photo, whether it was already there, and metadata warnings."""

    photo: Photo
    already_stored: bool
    warnings: tuple[PhotoWarning, ...] = field(default=())


@dataclass(frozen=True)
class EncodedPhoto:
    """The pipeline's output before anything touches the disk."""

    stored: bytes
    thumbnail: bytes
    width: int
    height: int
    metadata: PhotoMetadata
    source_format: str
    warnings: tuple[PhotoWarning, ...] = ()  # the metadata's and the pipeline's (damage kept, animation)
    damaged: bool = False


# --------------------------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------------------------


def import_photo(
    folder: DataFolder,
    db: Database,
    path: str | Path,
    link: PhotoLink | None = None,
    settings: PhotoSettings = DEFAULT_SETTINGS,
    original_name: str | None = None,
) -> ImportResult:
    """Import one image file: files first (atomically), then the row and the optional link in one transaction.

    Raises a PhotoError subclass with a clear message for anything that is not an acceptable image.
    """
    source = Path(path)
    data = _read_source(source, settings)
    source_sha = sha256_bytes(data)
    known = _find_by_source(folder, db, source_sha)
    if known is not None:
        _save_link(db, known.sha256, link)
        return ImportResult(known, already_stored=True)
    encoded = encode_photo(data, source, settings)
    file_time = _file_time(source)
    warnings = encoded.warnings
    told = _has_code(warnings, "photo_exif_damaged") or any(w.details.get("what_en") == "date" for w in warnings)
    if encoded.metadata.taken_at is None and not told:  # (a damaged block or a nonsense date is warned already)
        shown = file_time or "?"
        warnings = (*warnings, PhotoWarning("photo_no_taken_at", source.name, file_time=shown))
    sha = sha256_bytes(encoded.stored)
    existed = _row_exists(db, sha)
    # The original is the evidence wherever the stored copy differs from it (re-encoded, so nearly always).
    keep = (settings.keep_original or encoded.damaged or _has_code(warnings, "photo_animated")) and sha != source_sha
    _write_files(folder, sha, encoded, data if keep else None)
    photo = _save_row(
        db, sha, encoded, source_sha, original_name or source.name, keep, link, file_time, _codes(warnings)
    )
    return ImportResult(photo, already_stored=existed, warnings=warnings)


def _codes(warnings: Iterable[PhotoWarning]) -> tuple[str, ...]:
    return tuple(warning.code for warning in warnings)


def _has_code(warnings: Iterable[PhotoWarning], *codes: str) -> bool:
    return any(warning.code in codes for warning in warnings)


def _file_time(source: Path) -> str | None:
    """The file's modification time, UTC ISO: what a file manager shows, which is not when the picture was taken."""
    try:
        return to_iso(datetime.fromtimestamp(source.stat().st_mtime, UTC))
    except (OSError, ValueError, OverflowError):
        return None


def _row_exists(db: Database, sha: str) -> bool:
    return db.execute("SELECT 1 FROM photos WHERE sha256 = ?", [sha]).fetchone() is not None


def _read_source(source: Path, settings: PhotoSettings) -> bytes:
    try:
        size = source.stat().st_size
        if not source.is_file():
            raise PhotoUnreadableError(source, "不是普通文件", "is not a regular file")
        if size == 0:
            raise EmptyPhotoFileError(source, "是空文件（0 字节）", "the file is empty (0 bytes)")
        if size > settings.max_file_bytes:
            raise PhotoFileTooLargeError(
                source,
                f"太大（{_mb(size)}，上限 {_mb(settings.max_file_bytes)}）",
                f"the file is too large ({_mb(size)}; the limit is {_mb(settings.max_file_bytes)})",
            )
        with source.open("rb") as handle:
            data = handle.read(settings.max_file_bytes + 1)
    except FileNotFoundError as exc:
        raise PhotoUnreadableError(source, "不存在", "the file does not exist") from exc
    except PermissionError as exc:
        raise PhotoUnreadableError(source, "无权读取", "permission denied") from exc
    except OSError as exc:
        raise PhotoUnreadableError(source, f"无法读取：{exc.strerror}", f"cannot be read: {exc.strerror}") from exc
    if len(data) > settings.max_file_bytes:
        raise PhotoFileTooLargeError(source, "在读取时变大，超过上限", "grew past the size limit while being read")
    return data


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def encode_photo(data: bytes, source: Path, settings: PhotoSettings = DEFAULT_SETTINGS) -> EncodedPhoto:
    """Decode, check, orient, downscale and re-encode an image held in memory; no disk, no database."""
    image = _open_checked(data, source, settings)
    source_format = str(image.format)
    metadata = read_metadata(image, source.name)
    if source_format == "PNG":
        _verify_png(data, source)
    warnings = list(metadata.warnings)
    damage = _structural_damage(data, image)
    if damage is not None:
        warnings.append(_damaged(source, damage, settings))
    frames = getattr(image, "n_frames", 1)
    if isinstance(frames, int) and frames > 1:
        warnings.append(PhotoWarning("photo_animated", source.name, frames=frames))
    icc = image.info.get("icc_profile") if image.mode in _ICC_KEEPING_MODES else None
    try:
        pixels = _decode_capped(image, source, settings)
        if damage is None and source_format in ("JPEG", "MPO") and _grey_tail(pixels) and _reads_past(data, settings):
            damage = ("末尾的图像数据缺失（以灰色填充）", "its last image data is missing (filled with grey)")
            warnings.append(_damaged(source, damage, settings))
        pixels = _to_rgb(pixels)
        if source_format != "HEIF":  # libheif has applied the rotation already
            pixels = _apply_orientation(pixels, metadata.orientation)
        stored = _encode_jpeg(pixels, settings.jpeg_quality, _exif_bytes(metadata), icc)
        thumbnail = _thumbnail_bytes(pixels, settings)
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(source, image.size, settings) from exc
    except _DECODE_ERRORS as exc:
        raise CorruptImageError(source, f"已损坏或不完整：{exc}", f"the image is damaged or truncated: {exc}") from exc
    return EncodedPhoto(
        stored, thumbnail, pixels.width, pixels.height, metadata, source_format, tuple(warnings), damage is not None
    )


def _damaged(source: Path, damage: tuple[str, str], settings: PhotoSettings) -> PhotoWarning:
    """Refuse an incomplete photo, or (photos.keep_damaged) the warning it is stored with."""
    zh, en = damage
    if not settings.keep_damaged:
        raise CorruptImageError(source, f"不完整：{zh}", f"the image is incomplete: {en}")
    return PhotoWarning("photo_damaged_kept", source.name, detail_zh=zh, detail_en=en)


def _structural_damage(data: bytes, image: Image.Image) -> tuple[str, str] | None:
    """Damage visible before decoding: HEIF boxes and items past the end of the file, a JPEG header larger than
    any data it could hold. Decoders fill such gaps (libheif with green tiles, libjpeg with grey) without a word."""
    if image.format == "HEIF":
        return _heif_shortfall(data)
    if image.format in ("JPEG", "MPO"):
        width, height = image.size
        # Every 8×8 block of the first component costs at least one bit of entropy-coded data, whatever the tables.
        least = math.ceil(width / 8) * math.ceil(height / 8) // 8
        if len(data) < least:
            return (
                f"文件头声称 {width}×{height}，但文件只有 {len(data)} 字节（至少需要 {least} 字节）",
                f"the header claims {width}×{height} but the file holds {len(data)} bytes (at least {least} needed)",
            )
    return None


def _heif_shortfall(data: bytes) -> tuple[str, str] | None:
    """A top-level box, or an item's extent in the `iloc` box, that reaches past the end of the file."""
    size = len(data)
    pos = 0
    try:
        while pos + 8 <= size:  # a few stray bytes after the last box are no box
            length, kind = struct.unpack_from(">I4s", data, pos)
            header = 8
            if length == 1:
                (length,) = struct.unpack_from(">Q", data, pos + 8)
                header = 16
            elif length == 0:
                length = size - pos
            name = kind.decode("latin-1")
            if length < header or pos + length > size:
                return (
                    f"“{name}”数据块声明 {length} 字节，文件中只有 {size - pos} 字节",
                    f"the {name!r} box declares {length} bytes but {size - pos} are there",
                )
            if kind == b"meta":
                end = _iloc_end(data, pos + header + 4, pos + length)
                if end > size:
                    return (
                        f"图像数据应到第 {end} 字节，文件只有 {size} 字节",
                        f"the image data should reach byte {end} but the file has {size}",
                    )
            pos += length
    except struct.error:
        return ("文件结构被截断", "the file's structure is cut short")
    return None


def _iloc_end(data: bytes, start: int, end: int) -> int:
    """The furthest byte any item of the `iloc` box inside a `meta` box (start..end) points at (0 without one)."""
    pos = start
    while pos + 8 <= end:
        length, kind = struct.unpack_from(">I4s", data, pos)
        if length < 8:
            raise struct.error("bad box")
        if kind == b"iloc":
            return _iloc_extents_end(data, pos + 8)
        pos += length
    return 0


def _iloc_extents_end(data: bytes, pos: int) -> int:
    """Walk an ISO/IEC 14496-12 item location box (versions 0, 1, 2) and return the end of its furthest extent."""
    version = data[pos]
    sizes = data[pos + 4]
    offset_size, length_size = sizes >> 4, sizes & 0x0F
    more = data[pos + 5]
    base_offset_size, index_size = more >> 4, (more & 0x0F if version in (1, 2) else 0)
    pos += 6

    def number(width: int) -> int:
        nonlocal pos
        value = int.from_bytes(data[pos : pos + width], "big") if width else 0
        if pos + width > len(data):
            raise struct.error("cut")
        pos += width
        return value

    count = number(2 if version < 2 else 4)
    furthest = 0
    for _ in range(count):
        number(2 if version < 2 else 4)  # item_ID
        method = number(2) & 0x0F if version in (1, 2) else 0
        number(2)  # data_reference_index
        base = number(base_offset_size)
        for _ in range(number(2)):
            number(index_size)
            offset, length = number(offset_size), number(length_size)
            if method == 0 and length > 0:  # in the file itself (1: in idat, 2: another item)
                furthest = max(furthest, base + offset + length)
    return furthest


def _grey_tail(image: Image.Image) -> bool:
    """libjpeg fills what a cut file lacks with grey 128 from the first missing block to the end, even when an end
    marker was appended after the cut: the last block of a decoded JPEG is then exactly grey in every band."""
    width, height = image.size
    side = min(8, width, height)
    corner = image.crop((width - side, height - side, width, height))
    return all(low == high == 128 for low, high in _extrema(corner))


def _reads_past(data: bytes, settings: PhotoSettings) -> bool:
    """Whether the decoder ran out of this JPEG's data: decoded again with more entropy-coded bytes before its end
    marker, a whole file gives the same pixels (the decoder stops after its last block) and a cut one other pixels
    (the decoder goes on into them). Tells a cut file from one whose last block really is flat grey."""
    base = _decode_jpeg(data, settings.max_edge)
    end = data.rfind(b"\xff\xd9")
    body = data[:end] if end > 0 else data
    scan = data.rfind(b"\xff\xda")
    start = scan + 2 + int.from_bytes(data[scan + 2 : scan + 4], "big") if scan >= 0 else len(data)
    sample = data[start : start + 4096].replace(b"\xff", b"")  # the file's own codes, without markers
    for filler in (sample, bytes((0x5A, 0xA5, 0x3C, 0xC3)) * 1024):
        try:
            other = _decode_jpeg(body + filler + b"\xff\xd9", settings.max_edge)
        except _DECODE_ERRORS:
            return True  # the added bytes were read, so the file's own data had ended before its picture
        if other.size != base.size or ImageChops.difference(base, other).getbbox() is not None:
            return True
    return False


def _decode_jpeg(data: bytes, max_edge: int) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        if max(image.size) > max_edge:
            image.draft("RGB", (max_edge, max_edge))
        image.load()
        return image.copy() if image.mode in ("RGB", "L") else image.convert("RGB")


def _extrema(image: Image.Image) -> list[tuple[int, int]]:
    found = image.getextrema()
    if isinstance(found[0], tuple):
        return [tuple(band) for band in found]  # type: ignore[misc]
    return [found]  # type: ignore[list-item]


def _open_checked(data: bytes, source: Path, settings: PhotoSettings) -> ImageFile.ImageFile:
    """Open the header and check format and size before any pixel is decoded."""
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError(
            source, "像素数量过多（疑似解压炸弹）", "too many pixels (a decompression bomb?)"
        ) from exc
    except UnidentifiedImageError as exc:
        if _looks_like_accepted_image(data):
            raise CorruptImageError(source, "已损坏，无法识别", "the image is damaged and cannot be read") from exc
        raise NotAnImageError(
            source,
            "不是图片文件（支持 JPEG、PNG、HEIC、WebP）",
            "is not an image (JPEG, PNG, HEIC and WebP are accepted)",
        ) from exc
    except _DECODE_ERRORS as exc:
        raise CorruptImageError(source, f"已损坏：{exc}", f"the image is damaged: {exc}") from exc
    if image.format not in ACCEPTED_FORMATS:
        raise UnsupportedImageFormatError(
            source,
            f"的格式 {image.format} 不受支持（支持 JPEG、PNG、HEIC、WebP）",
            f"the format {image.format} is not supported (JPEG, PNG, HEIC and WebP are accepted)",
        )
    width, height = image.size
    if width <= 0 or height <= 0:
        raise CorruptImageError(source, "的尺寸无效", f"invalid dimensions {width}×{height}")
    if width * height > settings.max_pixels or max(width, height) > settings.max_side:
        raise _too_many_pixels(source, image.size, settings)
    return image


def _too_many_pixels(source: Path, size: tuple[int, int], settings: PhotoSettings) -> ImageTooLargeError:
    width, height = size
    megapixels = width * height / 1_000_000
    limit = settings.max_pixels / 1_000_000
    return ImageTooLargeError(
        source,
        f"尺寸过大（{width}×{height}，{megapixels:.0f} 百万像素；上限 {limit:.0f} 百万像素、单边 {settings.max_side}）",
        f"the image is too large ({width}×{height}, {megapixels:.0f} MP; limits {limit:.0f} MP and "
        f"{settings.max_side} px per side)",
    )


def _looks_like_accepted_image(data: bytes) -> bool:
    return any(data[offset : offset + len(magic)] == magic for offset, magic in _SIGNATURES)


def _verify_png(data: bytes, source: Path) -> None:
    """PNG carries a CRC on every chunk; Pillow's verify() checks them all without decoding pixels."""
    try:
        Image.open(io.BytesIO(data)).verify()
    except _DECODE_ERRORS as exc:
        raise CorruptImageError(source, f"已损坏（校验失败）：{exc}", f"the PNG is damaged (checksum): {exc}") from exc


def _decode_capped(image: ImageFile.ImageFile, source: Path, settings: PhotoSettings) -> Image.Image:
    """Decode with the longest edge at most max_edge, within the memory budget: JPEG draft mode decodes big photos
    at 1/2, 1/4 or 1/8 scale; other big images are reduced strip by strip, never converted whole."""
    max_edge = settings.max_edge
    if image.format in ("JPEG", "MPO") and max(image.size) > max_edge:
        image.draft("RGB", (max_edge, max_edge))
    width, height = image.size
    factor = max(1, max(width, height) // max_edge) if image.format not in ("JPEG", "MPO") else 1
    per_pixel = _HEIF_PIXEL_BYTES if image.format == "HEIF" else _PIXEL_BYTES.get(image.mode, 4)
    cost = width * height * per_pixel + (width // factor) * (height // factor) * 4 * (factor > 1)
    if cost > settings.max_decode_bytes:
        raise ImageTooLargeError(
            source,
            f"解码需要约 {_mb(cost)} 内存，超过上限 {_mb(settings.max_decode_bytes)}",
            f"decoding would need about {_mb(cost)} of memory, over the limit of {_mb(settings.max_decode_bytes)}",
        )
    image.load()
    pixels: Image.Image = image if factor == 1 else _reduce_in_strips(image, factor)
    if max(pixels.size) > max_edge:
        pixels = _to_rgb(pixels)
        pixels.thumbnail((max_edge, max_edge), settings.resample, reducing_gap=2.0)
    return pixels


def _reduce_in_strips(image: Image.Image, factor: int) -> Image.Image:
    """The image as RGB, reduced by an integer factor a band of rows at a time (so no full-size copy is made)."""
    width, height = image.size
    out = Image.new("RGB", (width // factor, height // factor))
    rows = factor * max(1, 256 // factor)
    for top in range(0, (height // factor) * factor, rows):
        bottom = min(top + rows, (height // factor) * factor)
        strip = _to_rgb(image.crop((0, top, (width // factor) * factor, bottom)))
        out.paste(strip.reduce(factor), (0, top // factor))
    return out


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB pixels; transparency becomes white (evidence photos are shown on paper and screens alike)."""
    if image.mode == "RGB":
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L").convert("RGB")
    if image.mode in ("P", "PA", "RGBA", "LA", "La", "RGBa"):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _apply_orientation(image: Image.Image, orientation: int) -> Image.Image:
    method = _TRANSPOSE.get(orientation)
    return image if method is None else image.transpose(method)


def _encode_jpeg(image: Image.Image, quality: int, exif: bytes | None, icc: bytes | None) -> bytes:
    buffer = io.BytesIO()
    options: dict[str, Any] = {"quality": quality}
    if exif:
        options["exif"] = exif
    if icc:
        options["icc_profile"] = icc
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def _thumbnail_bytes(image: Image.Image, settings: PhotoSettings) -> bytes:
    """A small JPEG: an integer box reduction first (cheap, no copy of the full image), then a fine resample."""
    factor = max(1, max(image.size) // (settings.thumb_edge * 2))
    small = image.reduce(factor) if factor > 1 else image.copy()
    small.thumbnail((settings.thumb_edge, settings.thumb_edge), Image.Resampling.BICUBIC)
    return _encode_jpeg(small, settings.thumb_quality, None, None)


def make_thumbnail(photo_file: Path, settings: PhotoSettings = DEFAULT_SETTINGS) -> bytes:
    """A thumbnail straight from a stored JPEG, decoding at reduced scale (draft mode) so big files stay fast."""
    with Image.open(photo_file) as image:
        # the size the thumbnail will have (its longest edge thumb_edge): draft decodes at the smallest scale that
        # still covers it, a quarter of a 1400 × 1050 photo where a square box of thumb_edge kept half
        width, height = image.size
        scale = settings.thumb_edge / max(width, height, 1)
        image.draft("RGB", (max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))))
        image.load()
        return _thumbnail_bytes(_to_rgb(image), settings)


# --------------------------------------------------------------------------------------------------------------
# Metadata (EXIF)
# --------------------------------------------------------------------------------------------------------------


def read_metadata(image: Image.Image, name: str = "") -> PhotoMetadata:
    """Taken-at (as UTC ISO), GPS (decimal degrees) and orientation; nonsense values are dropped with a warning.

    Taken-at comes only from DateTimeOriginal or CreateDate (EXIF, else XMP): never from the file's or the EXIF's
    modification time. A position without its N/S/E/W references is kept unsigned, never guessed.
    """
    warnings: list[PhotoWarning] = []
    try:
        exif = image.getexif()
        exif_ifd = dict(exif.get_ifd(_IFD_EXIF))
        gps_ifd = dict(exif.get_ifd(_IFD_GPS))
    except _DECODE_ERRORS:
        exif, exif_ifd, gps_ifd = Image.Exif(), {}, {}
    if not exif and not exif_ifd and _has_raw_exif(image):
        warnings.append(PhotoWarning("photo_exif_damaged", name))
    orientation = _read_orientation(image, exif.get(_TAG_ORIENTATION), warnings, name)
    if exif_ifd.get(_TAG_DATETIME_ORIGINAL):
        stamp, offset = exif_ifd.get(_TAG_DATETIME_ORIGINAL), exif_ifd.get(_TAG_OFFSET_TIME_ORIGINAL)
    else:
        stamp, offset = exif_ifd.get(_TAG_CREATE_DATE), exif_ifd.get(_TAG_OFFSET_TIME_DIGITIZED)
    taken_at = _read_taken_at(stamp, offset, warnings, name)
    if taken_at is None and not stamp:
        taken_at = _xmp_taken_at(image, warnings, name)
    lat, lon, unsigned = _read_gps(gps_ifd, warnings, name)
    return PhotoMetadata(
        taken_at=taken_at,
        gps_lat=lat,
        gps_lon=lon,
        orientation=orientation,
        make=_clean_text(exif.get(_TAG_MAKE)),
        model=_clean_text(exif.get(_TAG_MODEL)),
        warnings=tuple(warnings),
        gps_unsigned=unsigned,
    )


def _has_raw_exif(image: Image.Image) -> bool:
    """The file carries an EXIF block (a JPEG's APP1 "Exif", a PNG's eXIf, a WebP or HEIF EXIF item) with content."""
    raw = image.info.get("exif")
    if isinstance(raw, bytes) and len(raw.removeprefix(b"Exif\x00\x00")) > 8:
        return True
    if image.format in ("JPEG", "MPO"):
        for marker, content in getattr(image, "applist", []):
            if marker == "APP1" and content.startswith(b"Exif\x00\x00") and len(content) > 14:
                return True
    return False


def _xmp_taken_at(image: Image.Image, warnings: list[PhotoWarning], name: str) -> str | None:
    """DateTimeOriginal or CreateDate from an XMP packet (attribute or element form, ISO 8601 values)."""
    raw = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
    if not raw:
        return None
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    for tag in _XMP_TAKEN:
        found = re.search(rf'{re.escape(tag)}\s*=\s*"([^"]+)"|<{re.escape(tag)}>([^<]+)</', text)
        if not found:
            continue
        value = (found.group(1) or found.group(2)).strip()
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=SHANGHAI)
            if not 1990 <= moment.year <= 2100:
                raise ValueError("year out of range")
            return to_iso(moment)
        except ValueError:
            warnings.append(
                PhotoWarning("photo_exif_value", name, what_zh="拍摄时间", what_en="date", value=repr(value))
            )
            return None
    return None


def _read_orientation(image: Image.Image, value: Any, warnings: list[PhotoWarning], name: str) -> int:
    if image.format == "HEIF":
        value = image.info.get("original_orientation", 1)
    if value is None:
        return 1
    if isinstance(value, int) and 1 <= value <= 8:
        return value
    warnings.append(PhotoWarning("photo_exif_value", name, what_zh="方向值", what_en="orientation", value=repr(value)))
    return 1


def _clean_text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.replace("\x00", "").strip()
    return text[:100] or None


def _read_taken_at(value: Any, offset: Any, warnings: list[PhotoWarning], name: str) -> str | None:
    """EXIF "YYYY:MM:DD HH:MM:SS" with an optional "+08:00" offset; without one, Beijing time is assumed."""
    text = _clean_text(value)
    if text is None:
        return None
    try:
        moment = datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
        zone = _parse_offset(_clean_text(offset)) or SHANGHAI
        if not 1990 <= moment.year <= 2100:
            raise ValueError("year out of range")
        return to_iso(moment.replace(tzinfo=zone))
    except ValueError:
        warnings.append(PhotoWarning("photo_exif_value", name, what_zh="拍摄时间", what_en="date", value=repr(text)))
        return None


def _parse_offset(text: str | None) -> timezone | None:
    if not text or len(text) != 6 or text[0] not in "+-" or text[3] != ":":
        return None
    try:
        hours, minutes = int(text[1:3]), int(text[4:6])
    except ValueError:
        return None
    if hours > 14 or minutes >= 60:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(delta if text[0] == "+" else -delta)


def _read_gps(
    gps: dict[int, Any], warnings: list[PhotoWarning], name: str
) -> tuple[float | None, float | None, tuple[float, float] | None]:
    """Signed latitude and longitude; or, when a reference (N/S, E/W) is missing, both unsigned and a warning."""
    if 2 not in gps and 4 not in gps:
        return None, None, None
    lat_ref, lon_ref = _clean_text(gps.get(1)), _clean_text(gps.get(3))
    lat = _degrees(gps.get(2), lat_ref or "N", "NS", 90)
    lon = _degrees(gps.get(4), lon_ref or "E", "EW", 180)
    if lat is None or lon is None or (lat == 0 and lon == 0):
        warnings.append(PhotoWarning("photo_exif_value", name, what_zh="GPS 位置", what_en="GPS position", value=""))
        return None, None, None
    if lat_ref is None or lon_ref is None:
        unsigned = (abs(lat), abs(lon))
        shown = {"lat": f"{unsigned[0]:.6f}", "lon": f"{unsigned[1]:.6f}"}
        warnings.append(PhotoWarning("photo_gps_no_hemisphere", name, **shown))
        return None, None, unsigned
    return lat, lon, None


def _degrees(value: Any, reference: str, refs: str, bound: float) -> float | None:
    """Degrees/minutes/seconds rationals and an N/S or E/W reference as signed decimal degrees, or None."""
    try:
        degrees, minutes, seconds = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if reference not in refs or not all(math.isfinite(part) and part >= 0 for part in (degrees, minutes, seconds)):
        return None
    if minutes >= 60 or seconds >= 60:
        return None
    decimal = degrees + minutes / 60 + seconds / 3600
    if decimal > bound:
        return None
    return round(-decimal if reference == refs[1] else decimal, 7)


def _exif_bytes(metadata: PhotoMetadata) -> bytes | None:
    """EXIF for the stored copy: taken-at (Beijing time with offset), GPS, camera; orientation is already applied."""
    exif = Image.Exif()
    if metadata.make:
        exif[_TAG_MAKE] = metadata.make
    if metadata.model:
        exif[_TAG_MODEL] = metadata.model
    if metadata.taken_at:
        local = datetime.fromisoformat(metadata.taken_at.replace("Z", "+00:00")).astimezone(SHANGHAI)
        stamp = local.strftime("%Y:%m:%d %H:%M:%S")
        exif[_TAG_DATETIME] = stamp
        exif_ifd = exif.get_ifd(_IFD_EXIF)
        exif_ifd[_TAG_DATETIME_ORIGINAL] = stamp
        exif_ifd[_TAG_OFFSET_TIME_ORIGINAL] = "+08:00"
    if metadata.gps_lat is not None and metadata.gps_lon is not None:
        gps = exif.get_ifd(_IFD_GPS)
        gps[0] = b"\x02\x03\x00\x00"
        gps[1] = "N" if metadata.gps_lat >= 0 else "S"
        gps[2] = _dms(abs(metadata.gps_lat))
        gps[3] = "E" if metadata.gps_lon >= 0 else "W"
        gps[4] = _dms(abs(metadata.gps_lon))
    elif metadata.gps_unsigned is not None:  # as the camera wrote it: no reference, so none is invented
        gps = exif.get_ifd(_IFD_GPS)
        gps[0] = b"\x02\x03\x00\x00"
        gps[2] = _dms(metadata.gps_unsigned[0])
        gps[4] = _dms(metadata.gps_unsigned[1])
    filled = len(exif) or metadata.gps_unsigned is not None or metadata.gps_lat is not None  # sub-IFDs: not in len()
    return exif.tobytes() if filled else None


def _dms(value: float) -> tuple[float, float, float]:
    degrees = math.floor(value)
    minutes = math.floor((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 4)
    return float(degrees), float(minutes), seconds


# --------------------------------------------------------------------------------------------------------------
# Files and rows
# --------------------------------------------------------------------------------------------------------------


def _write_files(folder: DataFolder, sha: str, encoded: EncodedPhoto, original: bytes | None) -> None:
    """Files before rows: the photo, its thumbnail and (optionally) the original, each written atomically."""
    writes = [(folder.photo_path(sha), encoded.stored), (folder.thumb_path(sha), encoded.thumbnail)]
    if original is not None:
        writes.append((folder.original_path(sha, ACCEPTED_FORMATS[encoded.source_format]), original))
    try:
        for target, data in writes:
            if not target.exists():
                write_atomic(folder, target, data)
    except OSError as exc:  # disk full, folder removed, USB stick pulled…
        raise DataFolderError(str(folder.root), f"photo files: {exc.strerror or exc}") from exc


def _save_row(
    db: Database,
    sha: str,
    encoded: EncodedPhoto,
    source_sha: str,
    original_name: str | None,
    keep_original: bool,
    link: PhotoLink | None,
    file_time: str | None = None,
    warning_codes: tuple[str, ...] = (),
) -> Photo:
    meta = encoded.metadata
    unsigned = meta.gps_unsigned
    with transaction(db):
        db.execute(
            "INSERT OR IGNORE INTO photos (sha256, bytes, width, height, taken_at, gps_lat, gps_lon, original_name, "
            "orientation, source_format, source_sha256, has_original, original_ext, imported_at, file_time, "
            "warnings, damaged, gps_unsigned) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                sha,
                len(encoded.stored),
                encoded.width,
                encoded.height,
                meta.taken_at,
                meta.gps_lat,
                meta.gps_lon,
                original_name,
                meta.orientation,
                encoded.source_format,
                source_sha,
                int(keep_original),
                ACCEPTED_FORMATS[encoded.source_format] if keep_original else None,
                now_iso(),
                file_time,
                " ".join(dict.fromkeys(warning_codes)),
                int(encoded.damaged),
                f"{unsigned[0]},{unsigned[1]}" if unsigned else None,
            ],
        )
        if keep_original:
            db.execute(
                "UPDATE photos SET has_original = 1, original_ext = ? WHERE sha256 = ?",
                [ACCEPTED_FORMATS[encoded.source_format], sha],
            )
        _save_link(db, sha, link)
    return get_photo(db, sha)


def _find_by_source(folder: DataFolder, db: Database, source_sha: str) -> Photo | None:
    """A photo already imported from the very same bytes, if its file is still in place."""
    row = db.execute("SELECT sha256 FROM photos WHERE source_sha256 = ? LIMIT 1", [source_sha]).fetchone()
    if row is None or not folder.photo_path(row[0]).exists():
        return None
    return get_photo(db, row[0])


def _save_link(db: Database, sha: str, link: PhotoLink | None) -> None:
    if link is None:
        return
    with transaction(db):
        db.execute(
            "INSERT OR IGNORE INTO photo_links (photo_sha256, owner_kind, owner_id, item_id, role, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [sha, link.owner_kind, link.owner_id, link.item_id, link.role, now_iso()],
        )


def link_photo(db: Database, sha256: str, link: PhotoLink) -> None:
    """Attach an already stored photo to a record."""
    get_photo(db, sha256)
    _save_link(db, sha256, link)


def unlink_photo(db: Database, sha256: str, link: PhotoLink) -> None:
    """Detach a photo from a record (the photo itself stays: photos are immutable and may be linked elsewhere)."""
    with transaction(db):
        db.execute(
            "DELETE FROM photo_links WHERE photo_sha256 = ? AND owner_kind = ? AND owner_id = ? AND item_id = ? "
            "AND role = ?",
            [sha256, link.owner_kind, link.owner_id, link.item_id, link.role],
        )


def _photo(row: dict[str, Any]) -> Photo:
    return Photo(
        sha256=row["sha256"],
        bytes=row["bytes"],
        width=row["width"],
        height=row["height"],
        taken_at=row["taken_at"],
        gps_lat=row["gps_lat"],
        gps_lon=row["gps_lon"],
        original_name=row["original_name"],
        orientation=row["orientation"],
        source_format=row["source_format"],
        has_original=bool(row["has_original"]),
        original_ext=row["original_ext"],
        imported_at=row["imported_at"],
        uploaded=bool(row["uploaded"]),
        file_time=row.get("file_time"),
        warnings=tuple((row.get("warnings") or "").split()),
        damaged=bool(row.get("damaged")),
        gps_unsigned=_unsigned(row.get("gps_unsigned")),
    )


def _unsigned(text: str | None) -> tuple[float, float] | None:
    if not text:
        return None
    lat, lon = text.split(",")
    return float(lat), float(lon)


def get_photo(db: Database, sha256: str) -> Photo:
    """The stored photo with this hash."""
    rows = list(db.query("SELECT * FROM photos WHERE sha256 = ?", [sha256]))
    if not rows:
        raise RecordNotFoundError("photo", sha256)
    return _photo(rows[0])


def photos_of(db: Database, owner_kind: OwnerKind, owner_id: str, role: Role | None = None) -> list[Photo]:
    """The photos linked to a record (optionally in one role), oldest link first."""
    sql = (
        "SELECT photos.* FROM photo_links JOIN photos ON photos.sha256 = photo_links.photo_sha256 "
        "WHERE owner_kind = ? AND owner_id = ?"
    )
    params: list[Any] = [owner_kind, owner_id]
    if role is not None:
        sql += " AND role = ?"
        params.append(role)
    return [_photo(row) for row in db.query(sql + " ORDER BY photo_links.created_at, photo_links.rowid", params)]


def mark_uploaded(db: Database, sha256s: Iterable[str]) -> None:
    """The server holds these blobs (verified by hash)."""
    with transaction(db):
        for sha in sha256s:
            db.execute("UPDATE photos SET uploaded = 1 WHERE sha256 = ?", [sha])


def not_uploaded(db: Database) -> list[str]:
    """Hashes of photos the server does not have yet."""
    return [row[0] for row in db.execute("SELECT sha256 FROM photos WHERE uploaded = 0 ORDER BY imported_at")]


def uploaded_among(db: Database, hashes: Iterable[str]) -> set[str]:
    """Which of these photos this client already knows to be on the server."""
    return _present_among(db, "uploaded = 1 AND sha256", hashes)


def stored_among(db: Database, hashes: Iterable[str]) -> set[str]:
    """Which of these photos are stored on this client."""
    return _present_among(db, "sha256", hashes)


def _present_among(db: Database, condition: str, hashes: Iterable[str]) -> set[str]:
    """The hashes of photos rows matching `condition IN (…)`."""
    rows = rows_in(db, f"SELECT sha256 FROM photos WHERE {condition} IN ({{}})", sorted(set(hashes)))
    return {row["sha256"] for row in rows}


def ensure_thumbnail(folder: DataFolder, sha256: str, settings: PhotoSettings = DEFAULT_SETTINGS) -> Path:
    """The thumbnail's path, made from the stored photo if it is missing (e.g. a photo that came from the server)."""
    target = folder.thumb_path(sha256)
    if not target.exists():
        write_atomic(folder, target, make_thumbnail(folder.photo_path(sha256), settings))
    return target


@dataclass(frozen=True)
class BlobFile:
    """An already-processed JPEG written under its own hash, with its thumbnail, not yet recorded."""

    sha256: str
    encoded: EncodedPhoto


def write_photo_blob(folder: DataFolder, data: bytes, expected_sha256: str | None = None) -> BlobFile:
    """Check an already-processed JPEG (from the server or a backup) against its hash and write it and its thumbnail
    under that hash; nothing is written for bytes of another hash or that are no image. Needs no database, so a
    download writes its megabyte before it takes the write lock."""
    sha = sha256_bytes(data)
    if expected_sha256 is not None and sha != expected_sha256:
        raise CorruptImageError(expected_sha256, "内容与其 SHA-256 不符", f"content hash {sha} does not match")
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        metadata = read_metadata(image)
    write_atomic(folder, folder.photo_path(sha), data)
    ensure_thumbnail(folder, sha)
    return BlobFile(sha, EncodedPhoto(data, b"", width, height, metadata, "JPEG"))


def record_photo_blob(db: Database, blob: BlobFile) -> Photo:
    """The photos row of a blob written by write_photo_blob."""
    return _save_row(db, blob.sha256, blob.encoded, blob.sha256, None, False, None)


def store_photo_blob(folder: DataFolder, db: Database, data: bytes, expected_sha256: str | None = None) -> Photo:
    """Store an already-processed JPEG (from the server or a backup) under its own hash; thumbnail made here."""
    return record_photo_blob(db, write_photo_blob(folder, data, expected_sha256))


@dataclass(frozen=True)
class PhotoFileProblem:
    """A photo row whose file is missing or whose content no longer matches its hash."""

    sha256: str
    problem: Literal["missing", "hash_mismatch"]


def check_photo_files(folder: DataFolder, db: Database) -> list[PhotoFileProblem]:
    """Every photo row checked against its file (existence and SHA-256)."""
    problems: list[PhotoFileProblem] = []
    for (sha,) in db.execute("SELECT sha256 FROM photos ORDER BY sha256").fetchall():
        path = folder.photo_path(sha)
        if not path.is_file():
            problems.append(PhotoFileProblem(sha, "missing"))
        elif sha256_file(path) != sha:
            problems.append(PhotoFileProblem(sha, "hash_mismatch"))
    return problems
