"""A push decided as one batch gives what the same changes give one request each: statuses, codes, states, chains."""

from __future__ import annotations

import copy
from typing import Any

from server_support import SLT_COMMUNITY, Api, ServerEnv, accept, assign, change, command, report
from sqlalchemy import select

from inspector.core.ids import new_id
from inspector.server.encoding import canonical_json, loads
from inspector.server.ledger_store import verify_ledger
from inspector.server.models import Finding


def _mixed_plan() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A mixed batch (and one change pushed before it): new findings, three changes to one finding, a change id
    repeated inside the batch, one repeated from the earlier push, a stale command (conflict), a malformed payload,
    a finding outside the caller's jurisdictions, an event id used twice, and a refused accept before a good one."""
    earlier = report()
    first, second = report(), report()
    one, two = first["payload"]["finding_id"], second["payload"]["finding_id"]
    no_category = report()
    del no_category["payload"]["payload"]["category"]
    reused_event = accept(two)
    reused_event["payload"]["event_id"] = first["payload"]["event_id"]
    stale = command(one, "accept", {"severity": "general"}, "registered")
    plan = [
        first,
        second,
        accept(one),
        first,  # the same change id again in this batch: a duplicate
        stale,  # base state no longer matches: a conflict
        assign(one),  # the third change to the same finding
        earlier,  # pushed in the request before: a duplicate
        no_category,
        report(jurisdiction="110105001000000"),  # 建外: not the inspector's
        reused_event,  # its event id is taken
        change("ledger.command", {"event_id": "not-a-uuid"}),
        command(two, "assign", {"responsible_unit": "某单位"}, "reported"),  # not before an accept: a conflict
        accept(two),
        report(),
    ]
    return plan, earlier


def _fresh_ids(plan: list[dict[str, Any]], earlier: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The same plan with every change, event and finding id renamed (consistently), for a second run."""
    names: dict[str, str] = {}

    def rename(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: rename(item) for key, item in value.items()}
        if isinstance(value, list):
            return [rename(item) for item in value]
        if isinstance(value, str) and len(value) == 36 and value.count("-") == 4:
            return names.setdefault(value, new_id())
        return value

    return rename(copy.deepcopy(plan)), rename(copy.deepcopy(earlier))


def _shape(result: dict[str, Any]) -> tuple[Any, ...]:
    """What must be equal between the two runs (ids, times, hashes and ledger numbers differ by construction)."""
    original = result.get("original") or {}
    applied = result.get("result") or original.get("result") or {}
    finding = applied.get("finding") or {}
    event = applied.get("event") or {}
    return (
        result["status"],
        result.get("code"),
        original.get("status"),
        finding.get("state"),
        finding.get("event_count"),
        event.get("action"),
        event.get("index"),
        bool(finding.get("ledger_number")),
    )


def test_a_mixed_batch_gives_what_the_same_changes_give_one_request_each(api: Api, env: ServerEnv) -> None:
    user = api.login("slt-both")
    plan, earlier = _mixed_plan()
    assert user.push(earlier)[0]["status"] == "applied"
    batched = user.push(*plan)

    single_plan, single_earlier = _fresh_ids(plan, earlier)
    assert user.push(single_earlier)[0]["status"] == "applied"
    one_by_one = [user.push(item)[0] for item in single_plan]

    assert [_shape(r) for r in batched] == [_shape(r) for r in one_by_one]
    assert [r["status"] for r in batched] == [
        "applied", "applied", "applied", "duplicate", "conflict", "applied", "duplicate",
        "rejected", "rejected", "rejected", "rejected", "conflict", "applied", "applied",
    ]  # fmt: skip
    assert batched[5]["result"]["event"]["prev_hash"] == batched[2]["result"]["event"]["hash"]

    with env.db.read() as session:
        report_ = verify_ledger(session)
        rows = session.execute(select(Finding.id, Finding.data, Finding.head_hash)).all()
    assert report_.ok, report_.problems  # every stored hash is what the chain recomputes
    replies = {
        r["result"]["finding"]["finding_id"]: r["result"]["finding"]
        for r in (*batched, *one_by_one)
        if r["status"] == "applied"
    }
    for finding_id, data, head_hash in rows:
        assert data == canonical_json(loads(data))  # stored in canonical form
        assert loads(data)["head_hash"] == head_hash
        if finding_id in replies and replies[finding_id]["head_hash"] == head_hash:
            assert loads(data) == replies[finding_id]  # the reply carries the stored document
    assert SLT_COMMUNITY in {loads(data)["jurisdiction"] for _, data, _ in rows}
