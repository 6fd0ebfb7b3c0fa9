"""Entry point of `inspector` / `python -m inspector`: the desktop app and the CLI sub-commands."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from inspector import __version__
from inspector.cli import COMMAND_MODULES


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every module's sub-commands registered."""
    parser = argparse.ArgumentParser(
        prog="inspector",
        description="巡查 Inspector — offline-first field inspection (run without a command to open the app).",
    )
    parser.add_argument("--version", action="version", version=f"inspector {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="data folder (database, photos, logs); default: the platform's application-data folder",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation end to end (offscreen, in a temporary folder, made inside --data-dir when "
        "given), print the result and exit",
    )
    # The app's own child process: does the system's network backend load without hanging? (ui/sync/network.py)
    parser.add_argument("--network-backend-check", action="store_true", help=argparse.SUPPRESS)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def app_data_dir(argv: Sequence[str]) -> tuple[bool, str | None]:
    """Whether the arguments ask for the desktop app (no command, no --help/--version), and its --data-dir.

    Decided before the sub-commands are registered, so the app does not import every command's modules."""
    gui = argparse.ArgumentParser(add_help=False)
    gui.add_argument("--data-dir")
    known, rest = gui.parse_known_args(list(argv))
    return not rest, known.data_dir


def text_streams() -> None:
    """Never fail on a character the code page lacks: redirected output is UTF-8, a console keeps its own.

    On Windows a redirected stream would otherwise use the ANSI code page (1252, 936, ...), which cannot hold
    every Chinese name or symbol the commands print."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        encoding = str(getattr(stream, "encoding", "") or "").lower().replace("-", "").replace("_", "")
        if reconfigure is None or encoding == "utf8":  # no stream (a windowed app), or one that holds anything
            continue
        if stream.isatty():  # a Windows console writes Unicode whatever its code page
            reconfigure(errors="replace")
        else:
            reconfigure(encoding="utf-8", errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run the chosen sub-command; returns the process exit code."""
    text_streams()
    wants_app, data_dir = app_data_dir(sys.argv[1:] if argv is None else argv)
    if wants_app:
        from inspector.ui.app import run  # imported here so that CLI commands never load Qt

        return run(data_dir)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.network_backend_check:
        from inspector.ui.sync.network import check_backend_main

        return check_backend_main()
    if args.self_test:
        from pathlib import Path

        from inspector.selftest import main as self_test  # imported only when asked for

        return self_test(work_parent=Path(args.data_dir) if args.data_dir else None)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
