"""Reading checklist files from disk (size limit, encoding) into validated Checklist objects."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

from inspector.core.checklist import Checklist
from inspector.core.checklist_loader import ChecklistError, ChecklistProblem, parse_checklist


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...


T = TypeVar("T", bound=_Keyed)
MAX_FILE_BYTES = 2 * 1024 * 1024
PATTERNS = ("*.yaml", "*.yml")


def display_name(path: Path) -> str:
    """A short name for messages: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_data_file(path: Path, refuse: Callable[[list[ChecklistProblem]], Exception] = ChecklistError) -> str:
    """The text of a data file (a checklist or a rule file); an unreadable, too large or non-UTF-8 file raises
    `refuse([problem])` with its file:line problem."""
    name = display_name(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise refuse(
                [ChecklistProblem(name, 1, "", f"the file is too large ({size} bytes; at most {MAX_FILE_BYTES})")]
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise refuse([ChecklistProblem(name, 1, "", f"cannot read the file: {exc.strerror or exc}")]) from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise refuse([ChecklistProblem(name, line, "", "the file is not UTF-8 text (save it as UTF-8)")]) from exc


def load_checklist_file(path: Path) -> Checklist:
    """Read and validate one file; raise ChecklistError (with file:line problems) when it is unusable."""
    return parse_checklist(read_data_file(path), display_name(path))


def check_file(path: Path) -> list[str]:
    """Every problem of one file as `file:line: message` lines; empty when the file is valid."""
    try:
        load_checklist_file(path)
    except ChecklistError as exc:
        return [str(p) for p in exc.problems]
    return []


def checklist_paths(folder: Path) -> list[Path]:
    """The checklist files directly inside a folder, sorted by name."""
    return sorted({p for pattern in PATTERNS for p in folder.glob(pattern) if p.is_file()})


def load_checklist_folder(folder: Path) -> tuple[list[Checklist], list[str]]:
    """Every valid checklist in a folder, plus one message per problem in the others (and duplicate ids)."""
    return load_each(checklist_paths(folder), load_checklist_file, ChecklistError, "checklist")


def load_each(
    paths: list[Path], load: Callable[[Path], T], refused: type[Exception], noun: str
) -> tuple[list[T], list[str]]:
    """Every file `load` takes (each with a `key`), plus one `file:line: message` per problem in the others and per
    key a second file repeats (checklists and rule files alike)."""
    loaded: list[T] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            item = load(path)
        except refused as exc:
            problems.extend(str(p) for p in getattr(exc, "problems", [exc]))
            continue
        key = str(item.key)
        if key in seen:
            problems.append(f"{display_name(path)}:1: {noun} {key} is also defined in {seen[key]}")
            continue
        seen[key] = display_name(path)
        loaded.append(item)
    return loaded, problems
