"""Prints the size of a built bundle on disk and its biggest parts, against the 200 MB target.

Run: .venv/bin/python packaging/bundle_report.py [dist/Inspector] [--top 15]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

TARGET_MIB = 200
MIB = 1024 * 1024
# Folders reported one level further down, because one entry would hide what is inside them.
SPLIT_FOLDERS = ("PySide6", "PySide6/Qt")


@dataclass(frozen=True)
class BundleSize:
    """Sizes of one bundle: bytes in its files, bytes its blocks take on disk, and how many files."""

    apparent: int
    on_disk: int
    files: int
    parts: Counter[str]
    biggest_files: list[tuple[int, str]]


def measure(bundle: Path, top: int) -> BundleSize:
    """Walk the bundle once: total sizes, size per part (top-level entry of `_internal/`, some split), biggest files."""
    inner = bundle / "_internal"
    parts: Counter[str] = Counter()
    files: list[tuple[int, str]] = []
    apparent = on_disk = 0
    for path in bundle.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        stat = path.stat()
        apparent += stat.st_size
        on_disk += getattr(stat, "st_blocks", 0) * 512 or stat.st_size
        relative = path.relative_to(bundle).as_posix()
        files.append((stat.st_size, relative))
        parts[part_name(path, bundle, inner)] += stat.st_size
    files.sort(reverse=True)
    return BundleSize(apparent, on_disk, len(files), parts, files[:top])


def part_name(path: Path, bundle: Path, inner: Path) -> str:
    """The part a file is counted in: the executable, a package folder, or `system libraries` for loose files."""
    if inner not in path.parents:
        return path.relative_to(bundle).as_posix()
    relative = path.relative_to(inner)
    parent = relative.parent.as_posix()
    if parent == ".":
        return "_internal/* (Python, OpenSSL, X11 and other shared libraries)"
    if parent in SPLIT_FOLDERS:
        return f"{parent}/* (files)"
    for depth in range(len(relative.parts) - 1, 0, -1):
        folder = "/".join(relative.parts[:depth])
        if folder in SPLIT_FOLDERS:
            return "/".join(relative.parts[: depth + 1])
    return relative.parts[0]


def mib(size: int) -> str:
    return f"{size / MIB:7.1f} MiB"


def report(bundle: Path, top: int) -> int:
    """Print the report; returns 0 (the size is reported, not enforced)."""
    if not (bundle / "_internal").is_dir():
        print(f"bundle_report: {bundle} is not a PyInstaller one-folder bundle (no _internal/ inside)", file=sys.stderr)
        return 2
    size = measure(bundle, top)
    verdict = "within" if size.on_disk <= TARGET_MIB * MIB else "OVER"
    print(f"bundle {bundle}: {size.files} files")
    print(f"  on disk {mib(size.on_disk)} ({size.on_disk / 1e6:.1f} MB), in files {mib(size.apparent)}; "
          f"target ≤ {TARGET_MIB} MiB: {verdict}")
    print(f"  biggest parts (top {top}):")
    for name, part_size in size.parts.most_common(top):
        print(f"    {mib(part_size)}  {name}")
    print(f"  biggest files (top {top}):")
    for file_size, name in size.biggest_files:
        print(f"    {mib(file_size)}  {name}")
    return 0


def utf8_output() -> None:
    """Print "≤" and Chinese file names on any code page: a redirected stream on Windows is the ANSI one (1252)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and not stream.isatty():
            reconfigure(encoding="utf-8", errors="replace")


def main(argv: list[str] | None = None) -> int:
    utf8_output()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", nargs="?", default="dist/Inspector", type=Path)
    parser.add_argument("--top", type=int, default=15, help="how many parts and files to list (default 15)")
    args = parser.parse_args(argv)
    return report(args.bundle, args.top)


if __name__ == "__main__":
    sys.exit(main())
