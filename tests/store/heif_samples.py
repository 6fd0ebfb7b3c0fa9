"""HEIF test files built from the shipped one: a grid picture of two tiles, as phones write them (meta, then mdat)."""

from __future__ import annotations

import struct
from pathlib import Path

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "photos" / "small.heic"


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full(kind: bytes, version: int, flags: int, payload: bytes) -> bytes:
    return _box(kind, struct.pack(">I", (version << 24) | flags) + payload)


def _children(data: bytes, start: int, end: int) -> dict[bytes, tuple[int, int]]:
    found: dict[bytes, tuple[int, int]] = {}
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        found.setdefault(kind, (pos, size))
        pos += size
    return found


def _tile_parts() -> tuple[bytes, bytes, bytes]:
    """The shipped file's ftyp box, its hvcC property box and its one coded picture (a 256×256 tile)."""
    data = SHIPPED.read_bytes()
    top = _children(data, 0, len(data))
    ftyp_at, ftyp_size = top[b"ftyp"]
    meta_at, meta_size = top[b"meta"]
    meta = _children(data, meta_at + 12, meta_at + meta_size)
    iprp_at, iprp_size = meta[b"iprp"]
    ipco_at, ipco_size = _children(data, iprp_at + 8, iprp_at + iprp_size)[b"ipco"]
    hvcc_at, hvcc_size = _children(data, ipco_at + 8, ipco_at + ipco_size)[b"hvcC"]
    iloc_at, _ = meta[b"iloc"]
    # iloc v0 with 4-byte offset, length and base offset: one item, one extent (as the shipped file has it)
    (base,) = struct.unpack(">I", data[iloc_at + 20 : iloc_at + 24])
    extent, length = struct.unpack(">II", data[iloc_at + 26 : iloc_at + 34])
    offset = base + extent
    return data[ftyp_at : ftyp_at + ftyp_size], data[hvcc_at : hvcc_at + hvcc_size], data[offset : offset + length]


def grid_heic(columns: int = 4) -> bytes:
    """A (256·columns)×256 HEIC whose primary item is a grid of `columns` tiles, each its own item in mdat."""
    ftyp, hvcc, tile = _tile_parts()
    grid_id = columns + 1
    grid = struct.pack(">BBBBHH", 0, 0, 0, columns - 1, 256 * columns, 256)
    infes = b"".join(_full(b"infe", 2, 1, struct.pack(">HH", i, 0) + b"hvc1\x00") for i in range(1, columns + 1))
    infes += _full(b"infe", 2, 0, struct.pack(">HH", grid_id, 0) + b"grid\x00")
    iinf = _full(b"iinf", 0, 0, struct.pack(">H", columns + 1) + infes)
    iref = _full(b"iref", 0, 0, _box(b"dimg", struct.pack(">HH", grid_id, columns) + b"".join(
        struct.pack(">H", i) for i in range(1, columns + 1))))
    ispe_tile = _full(b"ispe", 0, 0, struct.pack(">II", 256, 256))
    ispe_grid = _full(b"ispe", 0, 0, struct.pack(">II", 256 * columns, 256))
    ipco = _box(b"ipco", hvcc + ispe_tile + ispe_grid)
    entries = b"".join(struct.pack(">HBBB", i, 2, 0x81, 0x02) for i in range(1, columns + 1))
    entries += struct.pack(">HBB", grid_id, 1, 0x03)
    ipma = _full(b"ipma", 0, 0, struct.pack(">I", columns + 1) + entries)
    iprp = _box(b"iprp", ipco + ipma)
    hdlr = _full(b"hdlr", 0, 0, b"\x00" * 4 + b"pict" + b"\x00" * 12 + b"\x00")
    pitm = _full(b"pitm", 0, 0, struct.pack(">H", grid_id))

    def iloc(mdat_data_at: int) -> bytes:
        items = []
        for i in range(1, columns + 1):
            items.append(struct.pack(">HHHII", i, 0, 1, mdat_data_at + len(grid) + (i - 1) * len(tile), len(tile)))
        items.append(struct.pack(">HHHII", grid_id, 0, 1, mdat_data_at, len(grid)))
        return _full(b"iloc", 0, 0, bytes([0x44, 0x00]) + struct.pack(">H", columns + 1) + b"".join(items))

    def meta(mdat_data_at: int) -> bytes:
        return _full(b"meta", 0, 0, hdlr + pitm + iloc(mdat_data_at) + iinf + iref + iprp)

    head = len(ftyp) + len(meta(0)) + 8
    mdat = _box(b"mdat", grid + tile * columns)
    return ftyp + meta(head) + mdat
