"""Jurisdiction isolation matrix: each role × own / other 街乡 × each endpoint, allowed exactly where it should be."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from server_support import (
    JW,
    SLT,
    Api,
    accept,
    applied_result,
    change,
    inspection,
    report,
    subject_create,
    upload,
)

from inspector.core.ids import new_id

COMMUNITY = {SLT: "110105004032000", JW: "110105001000000"}


@dataclass
class StreetData:
    """Records of one 街乡, made by its own inspector."""

    street: str
    subject: dict
    inspection_id: str
    finding_id: str
    reported_finding_id: str
    photo: str
    inspector: Api


def _make_street(api: Api, street: str, inspector_name: str) -> StreetData:
    inspector = api.login(inspector_name)
    photo = upload(inspector, f"photo of {street}".encode())
    subject = applied_result(inspector.push(subject_create(COMMUNITY[street])))["subject"]
    submitted = inspector.push(inspection(inspector, COMMUNITY[street], subject["id"], [photo]))
    finding, reported = report(COMMUNITY[street], photos=[photo]), report(COMMUNITY[street])
    results = inspector.push(finding, reported)
    assert [r["status"] for r in results] == ["applied", "applied"]
    return StreetData(
        street=street,
        subject=subject,
        inspection_id=applied_result(submitted)["inspection"]["id"],
        finding_id=finding["payload"]["finding_id"],
        reported_finding_id=reported["payload"]["finding_id"],
        photo=photo,
        inspector=inspector,
    )


# role -> (the user, the user's own 街乡)
ACTORS = {"inspector": ("slt-ins", SLT), "supervisor": ("slt-sup", SLT), "admin": ("jw-admin", JW)}

# Which writes each role may do in its own 街乡 (none are allowed in another 街乡).
WRITES_ALLOWED = {
    "inspector": {"subject.create", "subject.update", "inspection.submit", "ledger.report"},
    "supervisor": {"subject.create", "subject.update", "inspection.submit", "ledger.accept"},
    "admin": {"subject.create", "subject.update", "inspection.submit", "device.revoke"},
}


def _reads(user: Api, data: StreetData) -> dict[str, bool]:
    """Whether each read endpoint shows the street's records to this user."""
    feed_ids = {entry["id"] for entry in user.feed()["entries"]}
    return {
        "subjects.get": user.get(f"/api/v1/subjects/{data.subject['id']}").status_code == 200,
        "subjects.list": data.subject["id"] in {s["id"] for s in user.get("/api/v1/subjects").json()["items"]},
        "findings.get": user.get(f"/api/v1/findings/{data.finding_id}").status_code == 200,
        "findings.list": data.finding_id in {f["id"] for f in user.get("/api/v1/findings").json()["items"]},
        "inspections.get": user.get(f"/api/v1/inspections/{data.inspection_id}").status_code == 200,
        "inspections.list": data.inspection_id in {i["id"] for i in user.get("/api/v1/inspections").json()["items"]},
        "blobs.get": user.get(f"/api/v1/blobs/{data.photo}").status_code == 200,
        "feed.finding": data.finding_id in feed_ids,
        "feed.subject": data.subject["id"] in feed_ids,
        "feed.inspection": data.inspection_id in feed_ids,
        "jurisdictions.list": data.street in {j["code"] for j in user.get("/api/v1/jurisdictions").json()["items"]},
    }


def _writes(user: Api, data: StreetData) -> dict[str, bool]:
    """Whether each write on the street's records is applied for this user."""
    community = COMMUNITY[data.street]
    update = change(
        "subject.update",
        {"subject_id": data.subject["id"], "base_version": data.subject["version"], "fields": {"name": "新名称"}},
    )
    results = user.push(
        subject_create(community),
        update,
        inspection(user, community),
        report(community),
        accept(data.reported_finding_id),
    )
    outcome = dict(
        zip(
            ["subject.create", "subject.update", "inspection.submit", "ledger.report", "ledger.accept"],
            [r["status"] == "applied" for r in results],
            strict=True,
        )
    )
    device_id = data.inspector.get("/api/v1/me").json()["device"]["id"]
    outcome["device.revoke"] = user.post(f"/api/v1/devices/{device_id}/revoke").status_code == 200
    for result in results:
        if result["status"] == "conflict":  # an out-of-scope finding is answered as an unknown id: nothing shown
            assert result["code"] == "illegal_state" and result["current"] is None, result
        elif result["status"] != "applied":
            assert result["status"] == "rejected", result
            assert result["code"] in {"out_of_jurisdiction", "forbidden_role", "not_found"}, result
    return outcome


@pytest.mark.parametrize("role", sorted(ACTORS))
def test_each_role_reaches_its_own_street_and_nothing_of_another(api: Api, role: str) -> None:
    streets = {SLT: _make_street(api, SLT, "slt-both"), JW: _make_street(api, JW, "jw-ins")}
    username, home = ACTORS[role]
    user = api.login(username)
    other = JW if home == SLT else SLT
    mismatches = []
    for target, expect_reads in ((home, True), (other, False)):
        for endpoint, visible in _reads(user, streets[target]).items():
            if visible != expect_reads:
                mismatches.append(f"{role} read {endpoint} of {'own' if expect_reads else 'other'} 街乡: {visible}")
    for target in (other, home):  # the other street first: its writes must not change anything
        for endpoint, done in _writes(user, streets[target]).items():
            expected = target == home and endpoint in WRITES_ALLOWED[role]
            if done != expected:
                mismatches.append(f"{role} write {endpoint} in {'own' if target == home else 'other'} 街乡: {done}")
    assert mismatches == []


def test_an_out_of_scope_finding_is_not_revealed_by_a_command(api: Api) -> None:
    inspector = api.login("jw-ins")
    finding = report(COMMUNITY[JW])
    inspector.push(finding)
    supervisor = api.login("slt-sup")
    result = supervisor.push(accept(finding["payload"]["finding_id"]))[0]
    assert result["status"] == "conflict" and result["code"] == "illegal_state"  # as for an unknown id, below
    assert "current" not in result or result["current"] is None
    # a finding id nobody has used is simply a conflict: there is nothing to act on
    missing = supervisor.push(accept(new_id()))[0]
    assert missing["status"] == "conflict" and missing["current"] is None
