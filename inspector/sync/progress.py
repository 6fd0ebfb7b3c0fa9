"""Progress reports of a sync cycle, for a status bar or a terminal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SyncProgress:
    """Where a cycle is: its phase (version, photos, push, pull), how much of it is done, and a short note."""

    phase: str
    done: int
    total: int | None
    message: str = ""


ProgressCallback = Callable[[SyncProgress], None]


def ignore_progress(progress: SyncProgress) -> None:
    """The callback used when nobody listens."""
