"""Fixtures of the report tests: sample photos in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportkit import sample_photos


@pytest.fixture
def photos(tmp_path: Path) -> list[Path]:
    return sample_photos(tmp_path / "photos")
