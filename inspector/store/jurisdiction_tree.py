"""The jurisdictions a person picks from: the tree the server sent, or — before any login — the sample tree shipped
with the app (resources/samples/jurisdictions-sample.csv); and the check of a chosen or typed code against it, so a
code the server would refuse for good is refused here, before anything is saved."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache

from sqlite_utils import Database

from inspector.core.jurisdiction import JurisdictionCodeError, Level, parse_code
from inspector.paths import resources_dir
from inspector.store import jurisdictions, profile
from inspector.store.errors import StoreError

SAMPLE_TREE = "jurisdictions-sample.csv"


class JurisdictionChoiceError(StoreError):
    """A jurisdiction that cannot be used: none chosen, a malformed code, one not in the tree, or too coarse."""

    code = "jurisdiction_format"


@dataclass(frozen=True)
class Node:
    """One jurisdiction to pick: its code, name, level and the names of the levels above it."""

    code: str
    name: str
    level: int
    path: str  # 朝阳区 › 三里屯街道 › 幸福三村社区

    def label(self) -> str:
        return f"{self.path}  {self.code}"


@lru_cache(maxsize=1)
def sample_tree() -> tuple[tuple[str, str], ...]:
    """The shipped sample tree: (code, name) pairs (empty when the file is missing)."""
    path = resources_dir() / "samples" / SAMPLE_TREE
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError:
        return ()
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    pairs = []
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        try:
            pairs.append((parse_code(row["code"]).full, row["name"].strip()))
        except (JurisdictionCodeError, KeyError, AttributeError):
            continue
    return tuple(pairs)


def known(db: Database) -> list[Node]:
    """Every jurisdiction a person may pick, parents before children: the server's tree when it sent one, else
    the shipped sample."""
    pairs = [(node.code, node.name) for node in jurisdictions.list_all(db)] or list(sample_tree())
    names = dict(pairs)
    nodes = []
    for code, name in sorted(pairs):
        parsed = parse_code(code)
        chain = [names.get(parent.full, "") for parent in reversed(parsed.ancestors())]
        path = " › ".join(part for part in (*chain, name) if part)
        nodes.append(Node(code, name, int(parsed.level), path))
    return nodes


def user_area(db: Database) -> str:
    """The jurisdiction new records start in: the signed-in user's own (the first 街乡 or finer), else the default
    chosen in the settings, else ""."""
    for code in sorted(profile.user_jurisdictions(db)):
        try:
            if parse_code(code).level >= Level.STREET:
                return parse_code(code).full
        except JurisdictionCodeError:
            continue
    return profile.default_jurisdiction(db)


def check(db: Database, text: str, finest: bool = True) -> str:
    """The full code of a chosen or typed jurisdiction; JurisdictionChoiceError when it is empty, malformed, not in
    the known tree, or (with `finest`) coarser than a 街乡 — what the server would refuse for good."""
    raw = (text or "").strip()
    if not raw:
        raise JurisdictionChoiceError(code="jurisdiction_missing")
    try:
        code = parse_code(raw).full
    except JurisdictionCodeError:
        raise JurisdictionChoiceError(code="jurisdiction_format", jurisdiction=raw) from None
    tree = {node.code: node for node in known(db)}
    if tree and code not in tree:
        raise JurisdictionChoiceError(code="unknown_jurisdiction", jurisdiction=code)
    if finest and parse_code(code).level < Level.STREET:
        raise JurisdictionChoiceError(code="jurisdiction_too_coarse", jurisdiction=code)
    return code
