"""Fixtures of the client store tests: a fresh data folder, a connection, a small checklist, image factories."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database
from store_samples import TEST_CHECKLIST, scene

from inspector.store import checklists
from inspector.store.database import DataFolder, open_data_folder


@pytest.fixture
def folder(tmp_path: Path) -> DataFolder:
    return open_data_folder(tmp_path / "data")


@pytest.fixture
def db(folder: DataFolder) -> Iterator[Database]:
    connection = folder.connect()
    yield connection
    connection.close()


@pytest.fixture
def checklist(db: Database) -> Any:
    return checklists.cache_text(db, TEST_CHECKLIST, "test-street.yaml", "shipped")


ImageFactory = Callable[..., Path]


@pytest.fixture
def make_image(tmp_path: Path) -> ImageFactory:
    """Write a generated image: make_image("a.jpg", size=(w, h), fmt="JPEG", exif=bytes, mode="RGB", seed=0)."""
    source_dir = tmp_path / "camera"
    source_dir.mkdir()

    def factory(
        name: str,
        size: tuple[int, int] = (800, 600),
        fmt: str = "JPEG",
        exif: bytes | None = None,
        mode: str = "RGB",
        seed: int = 0,
        **options: Any,
    ) -> Path:
        image = scene(*size, seed)
        if mode != "RGB":
            image = image.convert(mode)
        if exif is not None:
            options["exif"] = exif
        path = source_dir / name
        image.save(path, fmt, **options)
        return path

    return factory
