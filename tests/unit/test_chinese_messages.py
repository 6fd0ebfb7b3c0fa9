"""No Chinese message shown to a user holds an internal code, a payload's field key or an English exception name:
the ledger's refusals, the network's failures, program faults and every catalogue text, as `message_in` words them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import requests

from inspector.core.errors import CATALOGUE, UserError, message_in, zh_text
from inspector.core.ledger import Action, Actor, Role, decide
from inspector.sync.client import _transport_failure

ENGLISH_WORD = re.compile(r"[A-Za-z_]{3,}")
NOW = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)
INSPECTOR = Actor("ins-1", frozenset({Role.INSPECTOR}), frozenset({"110105004000000"}))
SUPERVISOR = Actor("sup-1", frozenset({Role.SUPERVISOR}), frozenset({"110105004000000"}))


def chinese(error: BaseException) -> str:
    return message_in(error, "zh_CN")


@pytest.mark.parametrize(
    ("actor", "payload"),
    [
        (INSPECTOR, {}),  # nothing filled in
        (INSPECTOR, {"description": "堆物", "category": "乱堆乱放", "severity": "general",
                     "jurisdiction": "110105004032000"}),  # neither subject nor place
        (INSPECTOR, {"description": "堆物", "category": "乱堆乱放", "severity": "general",
                     "jurisdiction": "110101001000000", "location": {"address": "东四"}}),  # out of the user's area
        (INSPECTOR, {"description": "堆物", "category": "乱堆乱放", "severity": "general",
                     "jurisdiction": "110105004032000", "location": {"lat": 123}}),  # a point off the globe
        (SUPERVISOR, {"description": "堆物"}),  # a role that does not report
    ],
)  # fmt: skip
def test_a_ledger_refusal_reads_in_chinese_only(actor: Actor, payload: dict[str, object]) -> None:
    decision = decide(None, Action.REPORT, actor, payload, NOW)
    assert not decision.allowed and decision.refusal is not None
    text = chinese(decision.refusal)
    assert text and not ENGLISH_WORD.search(text), text
    assert "(" not in text


@pytest.mark.parametrize(
    "failure", [requests.ConnectionError("refused"), requests.ConnectTimeout("slow"), requests.ReadTimeout("slow")]
)
def test_a_network_failure_names_no_exception(failure: Exception) -> None:
    error = _transport_failure(failure)
    assert not ENGLISH_WORD.search(chinese(error)), chinese(error)
    assert type(failure).__name__ in message_in(error, "en")  # the English text (and the log) keep the name


def test_a_program_fault_names_no_exception_in_chinese() -> None:
    assert chinese(KeyError("boom")) == "程序出错，详情见日志"
    assert "KeyError" in message_in(KeyError("boom"), "en")


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_no_catalogue_text_holds_a_code(code: str) -> None:
    zh_fields, en_fields = CATALOGUE[code].fields()
    error = UserError(code=code, **{name: "某值" for name in zh_fields | en_fields})
    text = chinese(error)
    assert not re.search(r"[a-z]+_[a-z_]+", text), text


def test_field_keys_become_their_chinese_names() -> None:
    assert zh_text("填写内容有误 (invalid payload): responsible_person: 必填，不能为空 (required)") == (
        "填写内容有误：责任人：必填，不能为空"
    )
    assert zh_text("out_of_jurisdiction: 辖区 110105 不在您负责的范围内") == "辖区 110105 不在您负责的范围内"
    assert zh_text("照片 IMG_0001.jpg 无法读取") == "照片 IMG_0001.jpg 无法读取"  # a file's name is kept
