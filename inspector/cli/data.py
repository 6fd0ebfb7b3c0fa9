"""`inspector backup|restore|recover|seed`: the data folder as one file and back, recovery, and demo data."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from inspector.paths import resolve_data_dir
from inspector.store.errors import StoreError

EXIT_INCOMPLETE = 3  # done, but something named in the database is not there: the notice lists it


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `backup`, `restore`, `recover` and `seed` commands."""
    backup = subparsers.add_parser("backup", help="write the data folder (database and photos) into one backup file")
    backup.add_argument("--out", required=True, type=Path, metavar="FILE", help="the backup file to write (.zip)")
    backup.set_defaults(handler=_guarded(run_backup))

    restore = subparsers.add_parser("restore", help="restore a backup file into an empty data folder")
    restore.add_argument("file", type=Path, metavar="FILE", help="a backup file written by `inspector backup`")
    restore.add_argument(
        "--force", action="store_true", help="replace existing data (it is moved into a replaced-… folder, not deleted)"
    )
    restore.set_defaults(handler=_guarded(run_restore))

    recover = subparsers.add_parser(
        "recover", help="copy what can still be read from a damaged database into a new, empty data folder"
    )
    recover.add_argument("--out", required=True, type=Path, metavar="DIR", help="the new data folder (must be empty)")
    recover.set_defaults(handler=_guarded(run_recover))

    seed = subparsers.add_parser("seed", help="fill the data folder with realistic demo records")
    seed.add_argument("--inspections", type=_count, default=20, metavar="N", help="finished inspections (default 20)")
    seed.add_argument("--photos", type=_count, default=30, metavar="M", help="generated photos (default 30)")
    seed.add_argument("--random-seed", type=int, default=2026, metavar="S", help="for repeatable demo data")
    seed.set_defaults(handler=_guarded(run_seed))


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from exc
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn store errors into one clear line on stderr and exit code 1 (never a traceback)."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except StoreError as exc:
            print(f"错误 / error: {exc}", file=sys.stderr)
            return 1

    return run


def run_backup(args: argparse.Namespace) -> int:
    """Write the backup file and say what it holds."""
    from inspector.store.backup import create_backup
    from inspector.store.database import open_data_folder

    folder = open_data_folder(resolve_data_dir(args.data_dir))
    summary = create_backup(folder, args.out)
    counts = summary.counts
    print(
        f"备份完成 / backup written: {summary.path} ({summary.bytes / 1_048_576:.1f} MB, {summary.files} files; "
        f"{counts['subjects']} subjects, {counts['inspections']} inspections, {counts['findings']} findings, "
        f"{counts['photos']} photos)"
    )
    if summary.missing_photos:
        _list_missing(
            "数据文件夹中缺少以下照片文件，备份中没有它们 / these photo files were missing from the data "
            "folder and are not in the backup",
            summary.missing_photos,
        )
        return EXIT_INCOMPLETE
    return 0


def _list_missing(heading: str, hashes: tuple[str, ...]) -> None:
    print(f"注意 / notice: {len(hashes)} — {heading}:", file=sys.stderr)
    for sha in hashes:
        print(f"  {sha}", file=sys.stderr)


def run_restore(args: argparse.Namespace) -> int:
    """Restore a backup file into the data folder."""
    from inspector.store.backup import restore_backup

    summary = restore_backup(args.file, resolve_data_dir(args.data_dir), force=args.force)
    print(f"恢复完成 / restored into {summary.target}: {summary.files} files verified, schema {summary.schema_version}")
    if summary.replaced_into is not None:
        print(f"原有数据已移至 / previous data moved to: {summary.replaced_into}")
    if summary.missing_photos:
        _list_missing(
            "其余数据已恢复，以下照片不在备份中 / the rest is restored; these photos were not in the backup",
            summary.missing_photos,
        )
        return EXIT_INCOMPLETE
    return 0


def run_recover(args: argparse.Namespace) -> int:
    """Copy the readable rows and the photo files into a new folder; say what was lost and where a backup is."""
    from inspector.store.recovery import recover

    source = resolve_data_dir(args.data_dir)
    summary = recover(source, args.out.expanduser().resolve())
    copied, lost = sum(summary.copied.values()), sum(summary.lost.values())
    print(f"已取回 / recovered into {summary.target}: {copied} rows, {summary.files} photo files ({summary.method})")
    for table, count in sorted(summary.lost.items()):
        if count:
            print(f"  无法读取 / unreadable: {table} {count} rows (kept {summary.copied.get(table, 0)})")
    if summary.last_backup is not None:
        print(f"最近的备份 / last backup: {summary.last_backup}")
    else:
        print("数据文件夹中没有找到备份 / no backup found in the data folder's backups/")
    print(
        f"原文件夹未改动 / the damaged folder is unchanged: {source}. "
        f"使用新文件夹 / use the new folder: inspector --data-dir {summary.target}"
    )
    return EXIT_INCOMPLETE if lost else 0


def run_seed(args: argparse.Namespace) -> int:
    """Fill the data folder with demo records."""
    from inspector.store.database import open_data_folder
    from inspector.store.seed import seed_demo_data

    folder = open_data_folder(resolve_data_dir(args.data_dir))
    report = seed_demo_data(folder, inspections=args.inspections, photos=args.photos, random_seed=args.random_seed)
    print(f"演示数据已生成 / demo data written to {folder.root}: {report.describe()}")
    return 0
