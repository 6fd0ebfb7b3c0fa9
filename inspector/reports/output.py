"""Where a document goes: a file path (written atomically) or a binary stream the caller owns."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from inspector.reports.errors import ReportError

Target = str | os.PathLike[str] | BinaryIO


def write_document(target: Target, produce: Callable[[BinaryIO], None]) -> None:
    """Run `produce` on a stream: the caller's stream as it is, or a temporary file renamed onto the path at the end.

    A path is never left half-written: the document appears complete or not at all.
    """
    if not isinstance(target, str | os.PathLike):
        produce(target)
        return
    check_target(target)
    path = Path(target)
    try:
        _write_atomically(path, produce)
    except OSError as error:
        reason = error.strerror or error
        raise ReportError(f"无法写入 {path}：{reason}", f"cannot write the file {path}: {reason}") from error


def check_target(target: Target) -> None:
    """Refuse a path whose folder does not exist or that is a folder (a stream is always fine)."""
    if not isinstance(target, str | os.PathLike):
        return
    path = Path(target)
    if not path.parent.is_dir():
        raise ReportError(f"输出文件夹不存在：{path.parent}", f"the output folder does not exist: {path.parent}")
    if path.is_dir():
        raise ReportError(f"输出路径是一个文件夹：{path}", f"the output path is a folder: {path}")


def _write_atomically(path: Path, produce: Callable[[BinaryIO], None]) -> None:
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            produce(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
