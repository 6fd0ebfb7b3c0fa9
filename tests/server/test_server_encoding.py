"""The server's JSON encodings: the shortcuts taken on every push give exactly the text of the general encoders."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.core.clock import to_iso
from inspector.core.ledger import FindingState, Severity, State
from inspector.core.records import plain_record
from inspector.server.encoding import canonical_json
from inspector.server.ledger_store import HASHED_FIELDS, Chain, event_hash, hashed_fields_json, new_event_document

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
FLOATS = st.floats(allow_nan=False, allow_infinity=False)
SCALARS = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | TEXT | FLOATS
JSON_VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4), max_leaves=12
)


def _document(payload: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "event_id": text + "-event",
        "finding_id": "01a1ff7a-fa38-73dc-a10a-fa144045ca03",
        "index": 3,
        "action": "accept",
        "actor_id": text,
        "at": "2026-11-21T08:00:00.000Z",
        "recorded_at": "2026-11-21T08:00:01.000Z",
        "payload": payload,
        "base_state": None,
        "prev_hash": "0" * 64,
    }


@settings(max_examples=300, deadline=None)
@given(payload=st.dictionaries(TEXT, JSON_VALUES, max_size=6), text=TEXT)
def test_hashed_fields_with_the_payload_spliced_in_equal_the_canonical_text(payload: dict[str, Any], text: str) -> None:
    document = _document(payload, text)
    expected = canonical_json({name: document[name] for name in HASHED_FIELDS})
    assert hashed_fields_json(document, canonical_json(payload)) == expected


def test_a_payload_text_that_looks_like_the_prev_hash_key_does_not_move_the_splice() -> None:
    tricky = {"note": ',"prev_hash":"x"}', "prev_hash": "payload's own", "zz": ['"prev_hash":']}
    document = _document(tricky, ',"prev_hash":')
    expected = canonical_json({name: document[name] for name in HASHED_FIELDS})
    assert hashed_fields_json(document, canonical_json(tricky)) == expected


def test_a_new_event_carries_the_hash_the_verifier_recomputes() -> None:
    from inspector.core.ledger import Action, Event

    event = Event(
        event_id="e1",
        finding_id="f1",
        action=Action.REPORT,
        actor_id="u1",
        at=datetime(2026, 11, 21, 8, tzinfo=UTC),
        payload={"description": "占道经营", "location": {"lat": 39.93, "lon": 116.45}, "tiny": 1e-7},
        base_state=None,
    )
    new = new_event_document(Chain(), event, "2026-11-21T08:00:01.000Z", "2026-11-21T08:00:00.000Z")
    assert new.hash == event_hash(new.document)
    assert new.row_values()["payload"] == canonical_json(event.payload)
    reply = __import__("json").loads(new.reply_json("巡查员"))
    assert reply == {**{name: new.document[name] for name in HASHED_FIELDS}, "hash": new.hash, "actor_name": "巡查员"}


def test_a_finding_document_is_the_text_the_encoder_makes_of_the_record_itself() -> None:
    state = FindingState(
        finding_id="f1",
        state=State.ASSIGNED,
        jurisdiction="110105001000000",
        severity=Severity.MAJOR,
        category="占道经营",
        description="门前堆物",
        subject_id=None,
        ledger_number="朝阳-三里屯-2026-00001",
        deadline=date(2026, 12, 1),
        responsible_unit="某公司",
        responsible_person="张三",
        responsible_phone=None,
        measures=None,
        funds=None,
        contingency_plan=None,
        rectified_by=None,
        escalation=None,
        reported_by="u1",
        reported_at=datetime(2026, 11, 21, 16, 5, 7, 123000, tzinfo=timezone(timedelta(hours=8))),
        closed_at=None,
        photos=("a" * 64, "b" * 64),
        after_photos=(),
        event_count=3,
        last_event_id="e3",
    )
    assert plain_record(state)["reported_at"] == "2026-11-21T08:05:07.123Z"
    assert canonical_json(plain_record(state)) == canonical_json(state)
    assert canonical_json(plain_record(state)) == canonical_json(dataclasses.asdict(state))


def test_to_iso_keeps_milliseconds_and_utc() -> None:
    moment = datetime(2026, 1, 1, 0, 0, 0, 999999, tzinfo=timezone(timedelta(hours=8)))
    assert to_iso(moment) == "2025-12-31T16:00:00.999Z"
    assert to_iso(datetime(2026, 3, 5, 8, 15, 30, tzinfo=UTC)) == "2026-03-05T08:15:30.000Z"


# ---- the fast encoder gives the standard library's text, byte for byte ----

_STD_COMPACT = __import__("json").JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_STD_CANONICAL = __import__("json").JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
)
_STD_LAPTOP = __import__("json").JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)
# Floats where orjson and json part ways (exponent form, tiny values), and plain ones.
EDGE_FLOATS = st.sampled_from(
    [
        1e-05,
        2.5e-05,
        9.99e-05,
        0.0001,
        1e-7,
        1e15,
        1e16,
        1.5e16,
        1e21,
        1e22,
        5e-324,
        1.7976931348623157e308,
        -0.0,
        0.0,
        1.0,
        39.9365,
        116.4551,
        123456789012345.67,
        0.1 + 0.2,
    ]
)
UNICODE = TEXT | st.sampled_from(
    ["占道经营", "三里屯路19号", '😀\u2028\u2029\x7f\x1f"\\/\b\f\n\r\t', "a:1e5", "[0.00001", "", "\x00"]
)
ANY_SCALAR = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | UNICODE | FLOATS | EDGE_FLOATS
NESTED = st.recursive(
    ANY_SCALAR,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(UNICODE, inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(value=NESTED)
def test_the_fast_encoders_write_the_standard_text(value: Any) -> None:
    from inspector.server.encoding import dumps
    from inspector.store import jsonutil

    assert canonical_json(value) == _STD_CANONICAL.encode(value)
    assert dumps(value) == _STD_COMPACT.encode(value)
    assert jsonutil.dumps(value) == _STD_LAPTOP.encode(value)  # the laptop's stored JSON text


def test_key_order_and_values_that_orjson_refuses_keep_the_standard_text() -> None:
    from inspector.server.encoding import dumps

    shuffled = {"b": 1, "a": {"z": [1.0, 1e-05], "é": None, "中": 2, "\U0001f600": 3, "A": 4}, "": 0}
    assert canonical_json(shuffled) == _STD_CANONICAL.encode(shuffled)
    assert canonical_json({2: "x", 1: "y"}) == '{"1":"y","2":"x"}'  # json turns the keys into text; orjson refuses
    assert canonical_json({"big": 2**80}) == '{"big":1208925819614629174706176}'
    assert canonical_json({"bad": "\ud800"}) == _STD_CANONICAL.encode({"bad": "\ud800"})  # a lone surrogate
    assert dumps(1e-05) == "1e-05" and canonical_json(-1e16) == "-1e+16" and dumps([[2.5e-05]]) == "[[2.5e-05]]"
    assert canonical_json({"state": State.ASSIGNED, "on": date(2026, 12, 1), "tags": ("a", "b")}) == (
        '{"on":"2026-12-01","state":"assigned","tags":["a","b"]}'
    )


@settings(max_examples=200, deadline=None)
@given(value=st.dictionaries(UNICODE | st.sampled_from(["\ud800", "k\x00"]), NESTED | st.just("x\ud83d"), max_size=4))
def test_the_fast_storable_text_check_never_passes_what_the_walk_refuses(value: dict[str, Any]) -> None:
    from inspector.core.text import value_problem
    from inspector.server.schemas import _certainly_storable

    if _certainly_storable(value):
        assert value_problem(value) is None
    assert not _certainly_storable({"a": ["ok", {"b": "x\x00"}]}) and not _certainly_storable({"\ud800": 1})


def test_a_chain_writes_its_finding_as_the_canonical_text_of_its_document() -> None:
    state = FindingState(
        finding_id="f2",
        state=State.REPORTED,
        jurisdiction="110105004032000",
        severity=Severity.GENERAL,
        category="乱堆物料",
        description='门前堆物 \\ "引号" 😀',
        subject_id=None,
        ledger_number=None,
        deadline=date(2026, 12, 1),
        responsible_unit=None,
        responsible_person=None,
        responsible_phone=None,
        measures=None,
        funds=None,
        contingency_plan=None,
        rectified_by=None,
        escalation=None,
        reported_by="u1",
        reported_at=datetime(2026, 11, 21, 16, 5, 7, 123456, tzinfo=timezone(timedelta(hours=8))),
        closed_at=None,
        photos=("a" * 64,),
        after_photos=(),
        event_count=1,
        last_event_id="e1",
    )
    fast, plain = Chain(), Chain()
    for chain in (fast, plain):
        chain.advance(state, "c" * 64, 1, "2026-11-21T08:05:08.000Z")
    plain.document()  # made from the plain document first
    assert fast.document_json() == plain.document_json() == canonical_json(plain.document())
