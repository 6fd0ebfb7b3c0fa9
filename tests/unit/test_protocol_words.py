"""The protocol's words in core/protocol.py agree with the server's pydantic request models, with the replies the
server writes, with the client database's schema and with docs/sync-protocol.md."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from inspector.core.protocol import (
    CHANGE_KINDS,
    CHANGE_PAYLOADS,
    RETRYABLE_CODES,
    Change,
    ChangeKind,
    ChangeResult,
    ErrorCode,
    FeedKind,
    PushCode,
    PushRequest,
    Status,
    parse_feed_page,
    parse_push_results,
    photo_hashes,
)
from inspector.server import feed, push
from inspector.server.schemas import ChangeIn, PushIn
from inspector.store.database import open_data_folder

DOC = (Path(__file__).parents[2] / "docs" / "sync-protocol.md").read_text(encoding="utf-8")


def required(model: type[BaseModel]) -> set[str]:
    return {name for name, field in model.model_fields.items() if field.is_required()}


@pytest.mark.parametrize("kind", list(ChangeKind))
def test_each_change_payload_has_the_fields_of_the_server_model(kind: ChangeKind) -> None:
    shape, model = CHANGE_PAYLOADS[kind], push.KIND_MODELS[kind]
    assert set(shape.__annotations__) == set(model.model_fields)
    assert set(shape.__required_keys__) == required(model)  # type: ignore[attr-defined]


def test_the_server_knows_every_change_kind_and_no_other() -> None:
    assert set(push.KIND_MODELS) == set(CHANGE_KINDS) == set(CHANGE_PAYLOADS)
    assert set(Change.__annotations__) == set(ChangeIn.model_fields) == required(ChangeIn)
    assert set(PushRequest.__annotations__) == set(PushIn.model_fields)


def test_the_client_database_accepts_every_change_kind(tmp_path: Path) -> None:
    db = open_data_folder(tmp_path / "data").connect()
    (outbox_table,) = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").fetchone()
    db.close()
    checked = re.search(r"CHECK \(kind IN \(([^)]*)\)\)", outbox_table)
    assert checked is not None
    assert {kind.strip(" '") for kind in checked.group(1).split(",")} == set(CHANGE_KINDS)


def test_the_feed_kinds_are_the_servers() -> None:
    assert set(feed.KINDS) == {kind.value for kind in FeedKind}


def test_every_word_is_in_the_protocol_document() -> None:
    for word in [*ChangeKind, *Status, *PushCode, *ErrorCode, *FeedKind]:
        assert f"`{word}`" in DOC, word
    retryable = re.findall(r"^\| `rejected`, retryable \| `([a-z_]+)`", DOC, flags=re.MULTILINE)
    assert set(retryable) == set(RETRYABLE_CODES)


def reply_of(*outcomes: tuple[str, push.Outcome]) -> dict[str, object]:
    """A push reply as the server writes it (JSON text), read back."""
    items = [push._result_json(change_id, outcome.reply_json()) for change_id, outcome in outcomes]
    return json.loads('{"results":[' + ",".join(items) + "]}")  # type: ignore[no-any-return]


def test_the_client_reads_each_reply_the_server_writes() -> None:
    reply = reply_of(
        ("c1", push.applied({"subject": {"version": 2}})),
        ("c2", push.conflict(PushCode.STALE, "moved on", {"id": "s"})),
        ("c3", push.rejected(PushCode.MISSING_BLOBS, "later", True, missing=["a" * 64])),
        ("c4", push.rejected(PushCode.OUT_OF_JURISDICTION, "not yours")),
        ("c5", push.CHANGE_ID_TAKEN),
    )
    applied, stale, later, refused, taken = parse_push_results(reply, ["c1", "c2", "c3", "c4", "c5"])
    assert (applied.status, applied.result) == (Status.APPLIED, {"subject": {"version": 2}})
    assert (stale.status, stale.code, stale.current) == (Status.CONFLICT, PushCode.STALE, {"id": "s"})
    assert later.retry_later and later.missing == ("a" * 64,)
    assert (refused.status, refused.code, refused.retry_later) == (Status.REJECTED, "out_of_jurisdiction", False)
    assert taken.code == PushCode.CHANGE_ID_TAKEN and not taken.retry_later


def test_a_duplicate_stands_for_its_original() -> None:
    original = push.conflict(PushCode.EXISTS, "already there", None).reply_json()
    duplicate = json.loads(push._result_json("c1", push._duplicate_json(original)))
    (result,) = parse_push_results({"results": [duplicate]}, ["c1"])
    assert result.status == Status.DUPLICATE
    assert (result.effective().status, result.effective().code) == (Status.CONFLICT, PushCode.EXISTS)
    again = ChangeResult.parse({"change_id": "c2", "status": "duplicate", "original": {"status": "rejected",
                                "code": "busy", "retryable": True}})  # fmt: skip
    assert again.retry_later


def test_results_that_do_not_answer_the_changes_sent_are_refused() -> None:
    with pytest.raises(ValueError):
        parse_push_results({"results": [{"change_id": "c2", "status": "applied"}]}, ["c1"])
    with pytest.raises(ValueError):
        parse_push_results({"results": "nothing"}, [])
    with pytest.raises(ValueError):
        parse_push_results([], [])


def test_a_change_names_its_photos_the_same_way_on_both_sides() -> None:
    event_payload = {"description": "x", "photos": ["a" * 64], "after_photos": ["b" * 64, 3]}
    command = {"event_id": "e", "finding_id": "f", "action": "rectify", "payload": event_payload}
    assert photo_hashes(command) == photo_hashes({"payload": event_payload}) == {"a" * 64, "b" * 64}


def test_a_feed_page_is_read_once_into_entries() -> None:
    body = {
        "entries": [
            {"seq": 7, "kind": "finding_event", "id": "e1", "jurisdiction": "110105004032000", "data": {"index": 1}},
            {"seq": "8", "kind": "later_kind", "id": 9, "data": "not an object"},
            "not an entry",
        ],
        "next": 9,
        "has_more": True,
        "head": 12,
    }
    page = parse_feed_page(body)
    assert (page.next, page.has_more, page.head) == (9, True, 12)
    first, second = page.entries
    assert (first.seq, first.kind, first.id, first.data) == (7, FeedKind.FINDING_EVENT, "e1", {"index": 1})
    assert (second.seq, second.kind, second.id, second.data) == (None, "later_kind", "9", None)
    for broken in ({"entries": {}, "next": 1}, {"entries": [], "next": "1"}, []):
        with pytest.raises(ValueError):
            parse_feed_page(broken)
