"""Fixtures of the client store tests: a fresh data folder, a connection, a small checklist, image factories."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database
from store_helpers import scene

from inspector.store import checklists
from inspector.store.database import DataFolder, open_data_folder

TEST_CHECKLIST = """\
format: inspector-checklist/1
id: test-street
version: "1.0"
title: 测试街巷检查表
subject_kinds: [back_street]
scoring:
  method: deduction
  pass_score: 90
  outcome_labels: {pass: 达标, fail: 不达标}
sources:
  - id: S1
    title: 测试来源
sections:
  - id: shiwu
    title: 十无
    items:
      - id: T-01
        text: 无私搭乱建
        response: pass_fail
        points: 50
        deduct_per: 10
        on_fail: {severity: general, category: 私搭乱建, deadline_days: 15}
        provenance: {status: seed, source: S1}
      - id: T-02
        text: 无乱停车
        response: pass_fail
        points: 50
        on_fail: {severity: general, category: 乱停车}
        provenance: {status: seed, source: S1}
  - id: notes
    title: 记录
    items:
      - id: T-03
        text: 街巷长姓名
        response: text
        provenance: {status: reconstructed, note: 现场记录}
"""

STREET = "110105004000000"  # 朝阳区 三里屯街道
COMMUNITY = "110105004001000"


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
