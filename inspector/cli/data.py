"""`inspector backup|restore|seed`: the data folder as one file, back again, and demo data for trials and benchmarks."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from inspector.paths import resolve_data_dir
from inspector.store.errors import StoreError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `backup`, `restore` and `seed` commands."""
    backup = subparsers.add_parser("backup", help="write the data folder (database and photos) into one backup file")
    backup.add_argument("--out", required=True, type=Path, metavar="FILE", help="the backup file to write (.zip)")
    backup.set_defaults(handler=_guarded(run_backup))

    restore = subparsers.add_parser("restore", help="restore a backup file into an empty data folder")
    restore.add_argument("file", type=Path, metavar="FILE", help="a backup file written by `inspector backup`")
    restore.add_argument(
        "--force", action="store_true", help="replace existing data (it is moved into a replaced-… folder, not deleted)"
    )
    restore.set_defaults(handler=_guarded(run_restore))

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
    return 0


def run_restore(args: argparse.Namespace) -> int:
    """Restore a backup file into the data folder."""
    from inspector.store.backup import restore_backup

    summary = restore_backup(args.file, resolve_data_dir(args.data_dir), force=args.force)
    print(f"恢复完成 / restored into {summary.target}: {summary.files} files verified, schema {summary.schema_version}")
    if summary.replaced_into is not None:
        print(f"原有数据已移至 / previous data moved to: {summary.replaced_into}")
    return 0


def run_seed(args: argparse.Namespace) -> int:
    """Fill the data folder with demo records."""
    from inspector.store.database import open_data_folder
    from inspector.store.seed import seed_demo_data

    folder = open_data_folder(resolve_data_dir(args.data_dir))
    report = seed_demo_data(folder, inspections=args.inspections, photos=args.photos, random_seed=args.random_seed)
    print(f"演示数据已生成 / demo data written to {folder.root}: {report.describe()}")
    return 0
