"""docs/architecture.md stays true: each module and folder it names exists, and every room of the interface is in it."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")


def _named_paths() -> set[str]:
    """Backticked names that look like a module or a folder of the package (`core/ledger.py`, `ui/ledger/`)."""
    return {name for name in re.findall(r"`([a-z_]+(?:/[a-z_]+)*(?:\.py|/))`", DOC) if "/" in name}


def _exists(name: str) -> bool:
    return any((root / name).exists() for root in (REPO / "inspector", REPO / "inspector" / "ui", REPO))


def test_every_module_and_folder_the_architecture_names_exists() -> None:
    named = _named_paths()
    assert len(named) > 30
    assert sorted(name for name in named if not _exists(name)) == []


def test_every_room_of_the_interface_is_described() -> None:
    rooms = {path.name for path in (REPO / "inspector" / "ui").iterdir() if (path / "__init__.py").is_file()}
    assert {"runner", "ledger", "sync", "statistics", "subjects", "shared"} <= rooms
    assert sorted(room for room in rooms if f"| `{room}/` |" not in DOC) == []
