"""`talk.create` (§5.5): a supervisor's 约谈 record is stored once, answered the same when sent again under its id,
refused outside the caller's scope or role, and sent by the `talk` feed kind to the laptops in its 街乡 only."""

from __future__ import annotations

from typing import Any

from server_support import JW, SLT, Api, change

from inspector.core.ids import new_id


def talk(talk_id: str | None = None, jurisdiction: str = SLT, **extra: Any) -> dict[str, Any]:
    payload = {
        "talk_id": talk_id or new_id(), "month": "2026-03", "held_on": "2026-04-08", "person": "王某",
        "unit": "三里屯街道办事处", "jurisdiction": jurisdiction, "reason": "3月排名末位，逾期隐患 4 个",
        "basis": "rank", "basis_ref": jurisdiction[:9], "basis_text": "第 5 名（共 5 个街乡），得分 61.20",
    }  # fmt: skip
    payload.update(extra)
    return change("talk.create", payload)


def test_a_talk_is_stored_once_and_fed_to_its_street_only(api: Api) -> None:
    supervisor = api.login("slt-sup")
    first = talk()
    talk_id = first["payload"]["talk_id"]
    [result] = supervisor.push(first)
    assert result["status"] == "applied"
    stored = result["result"]["talk"]
    assert stored["person"] == "王某" and stored["jurisdiction"] == SLT and stored["recorded_by"]
    assert stored["recorded_by_name"] == "slt-sup" and stored["recorded_at"]
    [again] = supervisor.push(first)  # the same change: its stored answer
    assert again["status"] == "duplicate" and again["original"]["result"]["talk"] == stored
    [resent] = supervisor.push(talk(talk_id))  # the same talk under a new change id: applied again, unchanged
    assert resent["status"] == "applied" and resent["result"]["talk"] == stored
    [other] = supervisor.push(talk(talk_id, person="李某"))
    assert other["status"] == "conflict" and other["code"] == "exists" and other["current"]["person"] == "王某"

    fed = [e for e in api.login("slt-ins").feed()["entries"] if e["kind"] == "talk"]
    assert [(e["id"], e["data"]["person"], e["jurisdiction"]) for e in fed] == [(talk_id, "王某", SLT)]
    assert [e for e in api.login("jw-ins").feed()["entries"] if e["kind"] == "talk"] == []


def test_a_talk_is_refused_outside_scope_role_or_street_level(api: Api) -> None:
    supervisor = api.login("slt-sup")
    results = supervisor.push(
        talk(jurisdiction=JW), talk(jurisdiction="110105004032000"), talk(month="2026-13"), talk(held_on="2026-02-30"),
        talk(basis="mood"), talk(person=""),
    )  # fmt: skip
    assert [(r["status"], r["code"]) for r in results] == [("rejected", "out_of_jurisdiction")] + [
        ("rejected", "invalid_payload")
    ] * 5
    [inspector] = api.login("slt-ins").push(talk())
    assert (inspector["status"], inspector["code"]) == ("rejected", "forbidden_role")
    [district] = api.login("district-sup").push(talk(jurisdiction=JW))
    assert district["status"] == "applied"
