"""门前三包 as a cycle on the server (SQLite and PostgreSQL): patrol logs pushed and fed, a 责任书 scan checked like a
photo, and a unit's standing 自查 link whose page turns the day's answers into an inspection at level unit_self."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from server_support import SLT_COMMUNITY, Api, ServerEnv, applied_result, change
from web_support import hidden, jpeg_bytes, unit_with_code, upload_photo

from inspector.core.ids import new_id


def _street(api: Api, name: str) -> str:
    payload = {"subject_id": new_id(), "kind": "back_street", "name": name, "jurisdiction": SLT_COMMUNITY}
    return str(applied_result(api.push(change("subject.create", payload)))["subject"]["id"])


def _walk(streets: list[str], **changes: Any) -> dict[str, Any]:
    payload = {
        "patrol_id": new_id(), "role": "lane_steward", "jurisdiction": SLT_COMMUNITY,
        "started_at": "2026-03-05T01:00:00.000Z", "ended_at": "2026-03-05T02:00:00.000Z", "streets": streets,
        "checks": [{"item": "乱堆物料", "result": "fail", "street_id": streets[0]}],
    }  # fmt: skip
    return change("patrol.submit", {**payload, **changes})


def test_patrol_logs_and_pledge_scans_are_judged_like_other_records(api: Api) -> None:
    steward, supervisor = api.login("slt-ins"), api.login("slt-sup")
    street = _street(steward, "幸福村北巷")
    photo = upload_photo(steward, jpeg_bytes())
    sent = _walk([street], photos=[photo])
    first = applied_result(steward.push(sent))["patrol"]
    assert first["patroller_id"] == steward.user["id"] and first["checks"][0]["result"] == "fail"
    assert steward.push(sent)[0]["status"] == "duplicate"
    assert steward.push(_walk([new_id()]))[0]["code"] == "unknown_subject"
    late = steward.push(_walk([street], ended_at="2026-03-05T00:00:00.000Z"))[0]
    assert (late["status"], late["code"]) == ("rejected", "invalid_payload")
    entries = [entry for entry in supervisor.feed()["entries"] if entry["kind"] == "patrol"]
    assert [entry["id"] for entry in entries] == [sent["payload"]["patrol_id"]]
    assert supervisor.get(f"/api/v1/blobs/{photo}").status_code == 200  # the log's photo is readable in scope

    unit = unit_with_code(steward)
    scan_bytes = jpeg_bytes(colour=(10, 10, 200))
    scan = hashlib.sha256(scan_bytes).hexdigest()
    details = {"pledge_signed_on": "2026-01-20", "pledge_term_months": 12, "pledge_signer": "李四", "pledge_scan": scan}
    update = change("subject.update", {"subject_id": unit, "base_version": 1, "fields": {"details": details}})
    waiting = steward.push(update)[0]
    assert (waiting["code"], waiting["retryable"], waiting["missing"]) == ("missing_blobs", True, [scan])
    upload_photo(steward, scan_bytes)
    assert applied_result(steward.push(update))["subject"]["details"]["pledge_scan"] == scan
    assert supervisor.get(f"/api/v1/blobs/{scan}").status_code == 200
    bad = change("subject.update", {"subject_id": unit, "base_version": 2, "fields": {"details": {"pledge_scan": "x"}}})
    assert steward.push(bad)[0]["code"] == "invalid_payload"


def test_a_units_daily_self_check_becomes_a_unit_self_inspection(env: ServerEnv, api: Api) -> None:
    inspector, supervisor = api.login("slt-ins"), api.login("slt-sup")
    unit = unit_with_code(inspector)
    assert inspector.post(f"/api/v1/subjects/{unit}/self-check-link").status_code == 403
    issued = supervisor.post(f"/api/v1/subjects/{unit}/self-check-link")
    assert issued.status_code == 200, issued.text
    token = issued.json()["url"].rsplit("/k/", 1)[1]

    page = env.client.get(f"/k/{token}")
    assert page.status_code == 200 and "三里屯便利店" in page.text and "每日自查" in page.text
    items = sorted(set(re.findall(r'name="r_([^"]+)"', page.text)))
    assert len(items) >= 5
    answers = {f"r_{item}": "pass" for item in items} | {f"r_{items[0]}": "fail"}
    form = {"csrf": hidden(page.text, "csrf"), "note": "门前有纸箱，已清理", **answers}
    photo = [("photo", ("today.jpg", jpeg_bytes(colour=(200, 200, 40)), "image/jpeg"))]
    sent = env.client.post(f"/k/{token}", data=form, files=photo, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    [entry] = [entry["data"] for entry in supervisor.feed()["entries"] if entry["kind"] == "inspection"]
    assert entry["level"] == "unit_self" and entry["subject_id"] == unit
    assert entry["inspector_name"] == "责任单位 三里屯便利店" and entry["failed_items"] == [items[0]]
    assert supervisor.get(f"/api/v1/blobs/{entry['photos'][0]}").status_code == 200

    again = env.client.get(f"/k/{token}")
    assert "今日已自查" in again.text
    twice = env.client.post(f"/k/{token}", data={**form, "csrf": hidden(page.text, "csrf")}, follow_redirects=False)
    assert twice.status_code == 409
    incomplete = env.client.post(f"/k/{token}", data={"csrf": hidden(page.text, "csrf")}, follow_redirects=False)
    assert incomplete.status_code in (400, 409)

    revoked = supervisor.post(f"/api/v1/subjects/{unit}/self-check-link/revoke")
    assert revoked.json() == {"subject_id": unit, "revoked": 1}
    assert env.client.get(f"/k/{token}").status_code == 404


def test_a_district_assigns_who_walks_a_street(env: ServerEnv, api: Api) -> None:
    from inspector.core.unit_cycle import PatrolRole, assigned_streets
    from inspector.server.streets import AssignmentError, assign

    inspector = api.login("slt-ins")
    street = _street(inspector, "幸福村南巷")
    with env.db.write() as session:
        assign(session, street, {PatrolRole.STREET_CHIEF: "slt-ins", PatrolRole.LANE_STEWARD: "slt-sup"})
    with env.db.write() as session:
        try:
            assign(session, street, {PatrolRole.STREET_CHIEF: "nobody"})
        except AssignmentError as error:
            assert "nobody" in str(error)
        else:
            raise AssertionError("an unknown user was assigned")
    [latest] = [entry["data"] for entry in inspector.feed()["entries"] if entry["id"] == street][-1:]
    assert latest["version"] == 2
    mine = assigned_streets(inspector.user["id"], [(street, latest["details"])])
    assert mine == {street: [PatrolRole.STREET_CHIEF]}


def test_visit_rows_come_from_inspections_and_patrol_logs(env: ServerEnv, api: Api) -> None:
    from datetime import date

    from inspector.core.unit_cycle import VisitKind
    from inspector.server.scope import Scope
    from inspector.server.visits import visits

    steward = api.login("slt-ins")
    north, south = _street(steward, "北巷"), _street(steward, "南巷")
    applied_result(steward.push(_walk([north, south], started_at="2026-03-04T16:30:00.000Z")))
    checked = {
        "inspection_id": new_id(), "checklist_id": "beijie-xiaoxiang", "checklist_version": "2026.2",
        "subject_id": north, "jurisdiction": SLT_COMMUNITY, "started_at": "2026-03-20T02:00:00.000Z",
        "finished_at": "2026-03-20T03:00:00.000Z", "responses": {}, "level": "district",
    }  # fmt: skip
    applied_result(steward.push(change("inspection.submit", checked)))
    with env.db.read() as session:
        mine = Scope.of(steward.user["id"], frozenset(), [SLT_COMMUNITY])
        rows = visits(session, mine, "2026-03-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z")
        elsewhere = Scope.of(steward.user["id"], frozenset(), ["110105001000000"])
        assert visits(session, elsewhere, "2026-03-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z") == []
    assert [(row.subject_id, row.day, row.level.value, row.kind) for row in rows] == sorted(
        [(north, date(2026, 3, 5), "street_self", VisitKind.PATROL), (south, date(2026, 3, 5), "street_self",
         VisitKind.PATROL), (north, date(2026, 3, 20), "district", VisitKind.INSPECTION)]
    )  # fmt: skip
