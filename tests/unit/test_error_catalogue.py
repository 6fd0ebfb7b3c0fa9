"""The one error path: every user-facing error class and every catalogue entry has a catalogued code and both
languages; the server's replies, the push results and the ledger's refusals use codes of the same catalogue."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

import inspector
from inspector.core import ledger, protocol
from inspector.core.errors import CATALOGUE, UserError, message_in, user_error

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "inspector"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _all_subclasses(base: type) -> set[type]:
    found: set[type] = set()
    for sub in base.__subclasses__():
        found |= {sub, *_all_subclasses(sub)}
    return found


@pytest.fixture(scope="module")
def error_classes() -> set[type[UserError]]:
    """Every UserError subclass defined in `inspector`, after importing each of its modules."""
    for module in pkgutil.walk_packages(inspector.__path__, "inspector."):
        if ".migrations." in module.name or module.name.endswith("__main__"):
            continue
        if sys.platform == "win32" and module.name.startswith("inspector.server"):
            continue  # the district server runs on Linux only (fcntl); its codes are checked from its source below
        importlib.import_module(module.name)
    return {kind for kind in _all_subclasses(UserError) if kind.__module__.startswith("inspector.")}


def _example(template: str, fields: set[str]) -> str:
    return template.format(**{name: "x" for name in fields})


def test_each_catalogue_code_is_written_once() -> None:
    tree = ast.parse((PACKAGE / "core" / "errors.py").read_text(encoding="utf-8"))
    catalogue = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "CATALOGUE"
    )
    assert isinstance(catalogue, ast.Dict)
    keys = [key.value for key in catalogue.keys if isinstance(key, ast.Constant)]
    assert len(keys) == len(catalogue.keys) == len(CATALOGUE)
    assert sorted(key for key in set(keys) if keys.count(key) > 1) == []


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_catalogue_entry_speaks_both_languages(code: str) -> None:
    entry = CATALOGUE[code]
    assert re.fullmatch(r"[a-z][a-z_]*", code), code
    zh_fields, en_fields = entry.fields()
    fields = zh_fields | en_fields
    zh, en = _example(entry.zh, fields), _example(entry.en, fields)
    assert CJK.search(zh), f"{code}: the Chinese text has no Chinese"
    assert en.strip() and not CJK.search(en), f"{code}: the English text is missing or not English"
    assert user_error(code, **{name: "x" for name in fields}).text("en") == en


def test_every_user_facing_error_class_has_a_catalogued_code(error_classes: set[type[UserError]]) -> None:
    names = {kind.__name__ for kind in error_classes}
    for expected in ("StoreError", "SyncError", "SheetError", "ExportError", "ReportError", "RefusalError"):
        assert expected in names, f"{expected} is not a UserError"
    uncatalogued = sorted(f"{kind.__module__}.{kind.__name__}: {kind.code}" for kind in error_classes
                          if kind.code not in CATALOGUE)  # fmt: skip
    assert uncatalogued == []
    undocumented = sorted(kind.__name__ for kind in error_classes if not (kind.__doc__ or "").strip())
    assert undocumented == []


def test_no_error_of_the_app_carries_its_languages_another_way(error_classes: set[type[UserError]]) -> None:
    """The old shapes (message_zh / message_en, one mixed string) are gone from every layer."""
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "message_zh" not in text and "message_en" not in text, path
        assert 'hasattr(error, "' not in text and '__name__ == "' not in text.replace('if __name__ == "', ""), path


def _string_args(tree: ast.AST, callee: str, position: int) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name == callee and len(node.args) > position:
            argument = node.args[position]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found.add(argument.value)
    return found


def _error_fields(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "error" and isinstance(value, ast.Constant):
                    found.add(str(value.value))
    return found


def test_the_server_and_the_ledger_refuse_with_catalogued_codes() -> None:
    codes: set[str] = set()
    for path in (PACKAGE / "server").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        codes |= _string_args(tree, "ApiError", 1) | _string_args(tree, "problem", 1) | _error_fields(tree)
        codes |= _string_args(tree, "rejected", 0) | _string_args(tree, "conflict", 0)
    ledger_tree = ast.parse((PACKAGE / "core" / "ledger.py").read_text(encoding="utf-8"))
    codes |= _string_args(ledger_tree, "_deny", 0)
    protocol = (REPO / "docs" / "sync-protocol.md").read_text(encoding="utf-8")
    documented = {code for row in re.findall(r"^\| \d{3} \| (.+?) \|", protocol, re.M)
                  for code in re.findall(r"`([a-z_]+)`", row)}  # fmt: skip
    assert {"not_found", "illegal_state", "insufficient_storage", "token_revoked"} <= codes | documented
    assert sorted((codes | documented) - set(CATALOGUE)) == []


def test_every_code_of_the_protocol_is_catalogued() -> None:
    """The server's replies name their codes through core.protocol: each has its two languages here."""
    wire = {code.value for code in (*protocol.PushCode, *protocol.ErrorCode)}
    assert len(wire) > 10
    assert sorted(wire - set(CATALOGUE)) == []


def test_a_refused_decision_carries_a_catalogued_refusal_and_keeps_its_wire_reason() -> None:
    actor = ledger.Actor("u1", frozenset({ledger.Role.INSPECTOR}), frozenset({"110101001000000"}))
    decision = ledger.decide(None, "demolish", actor, {}, datetime(2026, 5, 1, tzinfo=UTC))
    assert not decision.allowed and decision.refusal is not None
    assert decision.refusal.code == decision.code == "unknown_action" and decision.code in CATALOGUE
    assert decision.reason == f"{decision.refusal.zh} ({decision.refusal.en})"
    assert CJK.search(message_in(decision.refusal, "zh_CN")) and "unknown action" in message_in(decision.refusal, "en")


def test_message_in_gives_one_language_and_never_a_traceback() -> None:
    from inspector.store.errors import InspectionFinishedError

    finished = InspectionFinishedError("ins-1")
    assert message_in(finished, "zh_CN") == "检查记录 ins-1 已完成，不能再修改"
    assert message_in(finished, "en") == "Inspection ins-1 is finished and can no longer be changed"
    assert str(finished) == f"{finished.zh} / {finished.en}" and finished.code == "inspection_finished"

    try:
        {}["missing"]
    except KeyError as error:
        chinese, english = message_in(error, "zh_CN"), message_in(error, "en")
    assert "KeyError" not in chinese and CJK.search(chinese) and "Traceback" not in chinese  # the name goes to the log
    assert english.startswith("something went wrong (KeyError") and not CJK.search(english)


def test_a_code_the_catalogue_does_not_hold_is_kept_as_the_server_s() -> None:
    from inspector.sync.errors import RequestRefusedError

    refused = RequestRefusedError(418, "teapot", "I am a teapot")
    assert refused.code == "unlisted_server_code" and refused.server_code == "teapot"
    assert "teapot" in message_in(refused, "en") and "418" in message_in(refused, "zh_CN")
    known = RequestRefusedError(422, "hash_mismatch", "bytes differ")
    assert known.code == "hash_mismatch"
