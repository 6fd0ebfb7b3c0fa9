"""Push: idempotent under retries and races, per-change outcomes, subjects, inspections, photos before records."""

from __future__ import annotations

import threading

import httpx
from server_support import (
    SLT_COMMUNITY,
    Api,
    ServerEnv,
    accept,
    applied_result,
    assign,
    change,
    command,
    inspection,
    report,
    subject_create,
    upload,
)
from sqlalchemy import func, select

from inspector.core.ids import new_id
from inspector.server.models import FeedEntry, Finding, FindingEvent, SyncChange


def _count(env: ServerEnv, model: type) -> int:
    with env.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_same_push_three_times_applies_once_and_returns_the_original(api: Api, env: ServerEnv) -> None:
    inspector = api.login("slt-ins")
    changes = [report(), report(), subject_create()]
    first = inspector.push(*changes)
    feed_after_first = _count(env, FeedEntry)
    second = inspector.push(*changes)
    third = inspector.push(*changes)
    assert [r["status"] for r in first] == ["applied"] * 3
    for again in (second, third):
        assert [r["status"] for r in again] == ["duplicate"] * 3
        assert [r["original"] for r in again] == [{k: v for k, v in r.items() if k != "change_id"} for r in first]
    assert _count(env, Finding) == 2 and _count(env, FindingEvent) == 2
    assert _count(env, FeedEntry) == feed_after_first


def test_two_racing_identical_pushes_apply_each_change_once(api: Api, env: ServerEnv, live: str) -> None:
    inspector = api.login("slt-ins")
    for _round in range(3):
        changes = [report() for _ in range(15)]
        barrier = threading.Barrier(2)
        replies: list[list[dict]] = []

        def send(changes: list[dict] = changes, barrier: threading.Barrier = barrier, replies: list = replies) -> None:
            with httpx.Client(base_url=live, timeout=60) as http:
                barrier.wait()
                response = http.post("/api/v1/push", json={"changes": changes}, headers=inspector.headers)
                assert response.status_code == 200, response.text
                replies.append(response.json()["results"])

        threads = [threading.Thread(target=send) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(replies) == 2
        for index in range(len(changes)):
            statuses = sorted(reply[index]["status"] for reply in replies)
            assert statuses == ["applied", "duplicate"]
    assert _count(env, Finding) == 45 and _count(env, FindingEvent) == 45
    assert _count(env, SyncChange) == 45


def test_one_bad_change_never_blocks_the_others(api: Api) -> None:
    inspector = api.login("slt-ins")
    no_description = report()
    del no_description["payload"]["payload"]["description"]
    results = inspector.push(
        report(),
        change("ledger.command", {"event_id": "not-a-uuid"}),
        change("subject.delete", {"subject_id": new_id()}),
        no_description,
        report(jurisdiction="110105001000000"),  # 建外: not the inspector's
        report(),
    )
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected", "rejected", "rejected", "applied"]
    assert [r.get("code") for r in results[1:5]] == [
        "invalid_payload",
        "unknown_kind",
        "invalid_payload",
        "out_of_jurisdiction",
    ]
    assert all(r["retryable"] is False for r in results[1:5])
    assert "description" in results[3]["message"]


def test_photos_must_be_uploaded_first_and_the_change_can_then_be_resent(api: Api) -> None:
    inspector = api.login("slt-ins")
    photo = b"\xff\xd8 a photo of a pile of rubbish"
    import hashlib

    sha256 = hashlib.sha256(photo).hexdigest()
    finding = report(photos=[sha256])
    early = inspector.push(finding)[0]
    assert early["status"] == "rejected" and early["code"] == "missing_blobs"
    assert early["retryable"] is True and early["missing"] == [sha256]
    upload(inspector, photo)
    later = inspector.push(finding)[0]
    assert later["status"] == "applied"
    assert later["result"]["finding"]["photos"] == [sha256]


def test_a_change_repeated_inside_one_push_is_a_duplicate_of_the_first(api: Api) -> None:
    inspector = api.login("slt-ins")
    same = report()
    results = inspector.push(same, same)
    assert results[0]["status"] == "applied"
    assert results[1]["status"] == "duplicate" and results[1]["original"]["status"] == "applied"


def test_later_changes_see_earlier_ones_of_the_same_push(api: Api) -> None:
    user = api.login("slt-both")  # inspector and supervisor
    finding = report()
    finding_id = finding["payload"]["finding_id"]
    results = user.push(finding, accept(finding_id), assign(finding_id))
    assert [r["status"] for r in results] == ["applied"] * 3
    final = results[2]["result"]["finding"]
    assert final["state"] == "assigned" and final["event_count"] == 3
    assert final["ledger_number"].startswith("朝阳-三里屯-") and final["ledger_number"].endswith("-00001")
    events = user.get(f"/api/v1/findings/{finding_id}").json()["events"]
    assert [e["action"] for e in events] == ["report", "accept", "assign"]
    assert events[1]["prev_hash"] == events[0]["hash"] and events[2]["prev_hash"] == events[1]["hash"]


def test_accepts_in_one_push_and_the_next_get_consecutive_ledger_numbers(api: Api) -> None:
    user = api.login("slt-both")
    reports = [report() for _ in range(5)]
    ids = [finding["payload"]["finding_id"] for finding in reports]
    stale = command(ids[2], "accept", {"severity": "general"}, "registered")  # refused: no number is used up
    first = user.push(*reports, accept(ids[0]), stale, accept(ids[1]), accept(ids[2]))
    assert [r["status"] for r in first] == ["applied"] * 5 + ["applied", "conflict", "applied", "applied"]
    second = user.push(accept(ids[3]), accept(ids[4]))
    numbers = [r["result"]["finding"]["ledger_number"] for r in (first[5], first[7], first[8], *second)]
    assert [int(number.rsplit("-", 1)[1]) for number in numbers] == [1, 2, 3, 4, 5]
    assert len({number.rsplit("-", 1)[0] for number in numbers}) == 1


def test_a_client_cannot_choose_its_ledger_number(api: Api) -> None:
    user = api.login("slt-both")
    finding = report(ledger_number="朝阳-三里屯-2026-99999")
    finding_id = finding["payload"]["finding_id"]
    forged_accept = command(finding_id, "accept", {"severity": "general", "ledger_number": "X-1"}, "reported")
    results = user.push(finding, forged_accept)
    assert results[0]["result"]["finding"]["ledger_number"] is None
    assert results[1]["result"]["finding"]["ledger_number"].endswith("-00001")


def test_a_stale_command_is_a_conflict_with_the_current_state(api: Api) -> None:
    user = api.login("slt-both")
    finding = report()
    finding_id = finding["payload"]["finding_id"]
    user.push(finding, accept(finding_id))
    stale = user.push(command(finding_id, "reject", {"reason": "不是问题"}, "reported"))[0]
    assert stale["status"] == "conflict" and stale["code"] in {"stale", "illegal_state"}
    assert stale["current"]["state"] == "registered"


def test_subject_updates_are_optimistic(api: Api) -> None:
    inspector = api.login("slt-ins")
    created = applied_result(inspector.push(subject_create(code="CY-SLT-0001")))["subject"]
    assert created["version"] == 1

    def update(base_version: int, **fields: object) -> dict:
        payload = {"subject_id": created["id"], "base_version": base_version, "fields": fields}
        return inspector.push(change("subject.update", payload))[0]

    first = update(1, name="某某餐厅（新）", details={"responsible_person": "王五"})
    assert first["status"] == "applied" and first["result"]["subject"]["version"] == 2
    stale = update(1, name="另一个名字")
    assert stale["status"] == "conflict" and stale["code"] == "stale"
    assert stale["current"]["name"] == "某某餐厅（新）" and stale["current"]["version"] == 2
    taken = inspector.push(subject_create(code="CY-SLT-0001"))[0]
    assert taken["status"] == "conflict" and taken["code"] == "code_taken"
    moved_out = update(2, jurisdiction="110105001000000")
    assert moved_out["status"] == "rejected" and moved_out["code"] == "out_of_jurisdiction"


def test_an_inspection_is_scored_by_the_server_and_immutable(api: Api) -> None:
    inspector = api.login("slt-ins")
    submitted = inspection(inspector, SLT_COMMUNITY)
    result = applied_result(inspector.push(submitted))["inspection"]
    assert result["client_score"] == 100.0
    assert result["score"] is not None and result["score"] < result["max_score"]  # one item failed
    assert result["inspector_id"] == inspector.user["id"]
    again = dict(submitted, change_id=new_id())
    assert inspector.push(again)[0]["code"] == "exists"
    unknown_version = inspection(inspector, SLT_COMMUNITY)
    unknown_version["payload"]["checklist_version"] = "1999.1"
    assert inspector.push(unknown_version)[0]["code"] == "unknown_checklist"
    unknown_item = inspection(inspector, SLT_COMMUNITY)
    unknown_item["payload"]["responses"]["NO-SUCH-ITEM"] = {"result": "pass"}
    rejected = inspector.push(unknown_item)[0]
    assert rejected["code"] == "invalid_payload" and "NO-SUCH-ITEM" in rejected["message"]


def test_another_users_change_id_is_refused_without_revealing_its_result(api: Api) -> None:
    first = api.login("slt-ins")
    finding = report()
    first.push(finding)
    second = api.login("slt-both")
    reply = second.push(finding)[0]
    assert reply["status"] == "rejected" and reply["code"] == "change_id_taken"
    assert "original" not in reply
