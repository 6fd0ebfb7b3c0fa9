"""Hostile input to the district server: photos named by guessing, out-of-scope ids, bad text and headers."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from server_support import (
    JW,
    PASSWORD,
    SLT_COMMUNITY,
    Api,
    ServerEnv,
    accept,
    applied_result,
    command,
    inspection,
    report,
    subject_create,
    upload,
)
from sqlalchemy import update

from inspector.core.clock import add_days, local_date, parse_iso, to_iso, utc_now
from inspector.core.ids import new_id
from inspector.server.models import User

JW_COMMUNITY = "110105001000000"


def _other_areas_photo(api: Api) -> tuple[Api, str]:
    """A photo of 建外's inspector, attached to a finding of 建外; returns that inspector and the photo's hash."""
    owner = api.login("jw-ins")
    photo = upload(owner, b"photo of a finding in another area")
    assert owner.push(report(JW, photos=[photo]))[0]["status"] == "applied"
    return owner, photo


def test_a_photo_of_another_area_cannot_be_attached_by_its_hash(api: Api) -> None:
    _, photo = _other_areas_photo(api)
    unknown = "0" * 64
    stranger = api.login("slt-ins")
    results = stranger.push(
        report(SLT_COMMUNITY, photos=[photo]),
        inspection(stranger, SLT_COMMUNITY, photos=[photo]),
        report(SLT_COMMUNITY, photos=[unknown]),
    )
    # the same answer as for a photo the server does not have: no oracle of which hashes exist
    assert [(r["status"], r["code"]) for r in results] == [("rejected", "missing_blobs")] * 3
    assert [r["missing"] for r in results] == [[photo], [photo], [unknown]]
    assert stranger.get(f"/api/v1/blobs/{photo}").status_code == 404


def test_a_photo_may_be_named_by_its_uploader_and_by_anyone_who_may_read_it(api: Api) -> None:
    owner, photo = _other_areas_photo(api)
    assert owner.push(report(JW, photos=[photo]))[0]["status"] == "applied"  # the uploader, again
    colleague = api.login("jw-admin")  # did not upload it, but a record of its area references it
    assert colleague.get(f"/api/v1/blobs/{photo}").status_code == 200
    results = colleague.push(inspection(colleague, JW_COMMUNITY, photos=[photo]))
    applied_result(results)
    fresh = upload(colleague, b"a photo of the admin's own")
    assert colleague.push(inspection(colleague, JW_COMMUNITY, photos=[fresh]))[0]["status"] == "applied"


def _send_whole(user: Api, data: bytes, how: str) -> None:
    """Send a photo's bytes by one of the three upload paths, as a client sends a photo the server calls missing."""
    sha256 = hashlib.sha256(data).hexdigest()
    if how == "put":
        reply = user.request("PUT", f"/api/v1/blobs/{sha256}", content=data)
        assert (reply.status_code, reply.json()["created"]) == (201, True), reply.text
    elif how == "batch":
        manifest = json.dumps({"blobs": [{"sha256": sha256, "size": len(data)}]}).encode()
        reply = user.post("/api/v1/blobs/batch", content=manifest + b"\n" + data)
        assert [item["status"] for item in reply.json()["results"]] == ["stored"], reply.text
    else:
        start = user.post(f"/api/v1/blobs/{sha256}/upload", json={"size": len(data)})
        assert start.json() == {"offset": 0, "size": len(data), "complete": False}, start.text
        reply = user.request(
            "PATCH", f"/api/v1/blobs/{sha256}/upload", content=data, headers={"Upload-Offset": "0"}
        )
        assert (reply.status_code, reply.json()["complete"]) == (201, True), reply.text


def _missing(user: Api, *hashes: str) -> list[str]:
    reply = user.post("/api/v1/blobs/missing", json={"hashes": list(hashes)})
    assert reply.status_code == 200, reply.text
    return reply.json()["missing"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("how", ["put", "batch", "resumable"])
def test_a_second_holder_of_the_same_bytes_uploads_them_and_may_name_them(api: Api, env: ServerEnv, how: str) -> None:
    owner, photo = _other_areas_photo(api)
    data = b"photo of a finding in another area"  # forwarded to a colleague of another area: the same bytes
    stored = env.app.state.context.blobs.path(photo)
    before = stored.stat()
    unknown = "0" * 64
    holder = api.login("slt-ins")
    assert _missing(holder, photo, unknown) == [photo, unknown]  # not "present": the client sends it
    _send_whole(holder, data, how)
    after = stored.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # verified, not rewritten
    assert _missing(holder, photo, unknown) == [unknown]

    stranger = api.login("slt-both")  # never sent the bytes; no record of its area references the photo yet
    assert _missing(stranger, photo, unknown) == [photo, unknown]
    refused = stranger.push(report(SLT_COMMUNITY, photos=[photo]), report(SLT_COMMUNITY, photos=[unknown]))
    assert [(r["status"], r["code"], r["missing"]) for r in refused] == [
        ("rejected", "missing_blobs", [photo]),
        ("rejected", "missing_blobs", [unknown]),
    ]
    assert stranger.get(f"/api/v1/blobs/{photo}").status_code == stranger.get(f"/api/v1/blobs/{unknown}").status_code
    assert stranger.get(f"/api/v1/blobs/{photo}").status_code == 404

    assert holder.push(report(SLT_COMMUNITY, photos=[photo]))[0]["status"] == "applied"
    download = holder.get(f"/api/v1/blobs/{photo}")
    assert (download.status_code, download.content) == (200, data)
    assert owner.get(f"/api/v1/blobs/{photo}").content == data
    assert stranger.get(f"/api/v1/blobs/{photo}").status_code == 200  # now a record of its own area references it


def test_other_bytes_sent_under_a_stored_photos_hash_make_nobody_its_holder(api: Api, env: ServerEnv) -> None:
    _, photo = _other_areas_photo(api)
    stranger = api.login("slt-ins")
    wrong = stranger.request("PUT", f"/api/v1/blobs/{photo}", content=b"a guess at the photo's bytes")
    assert (wrong.status_code, wrong.json()["error"]) == (422, "hash_mismatch")
    start = stranger.post(f"/api/v1/blobs/{photo}/upload", json={"size": 5})
    assert start.json()["complete"] is False  # a resumable upload does not say the server has it either
    patch = stranger.request("PATCH", f"/api/v1/blobs/{photo}/upload", content=b"guess", headers={"Upload-Offset": "0"})
    assert (patch.status_code, patch.json()["error"]) == (422, "hash_mismatch")
    assert _missing(stranger, photo) == [photo]
    assert stranger.push(report(SLT_COMMUNITY, photos=[photo]))[0]["code"] == "missing_blobs"
    assert stranger.get(f"/api/v1/blobs/{photo}").status_code == 404
    assert env.app.state.context.blobs.path(photo).read_bytes() == b"photo of a finding in another area"


def test_an_out_of_scope_finding_is_answered_like_an_unknown_one(api: Api) -> None:
    owner = api.login("jw-ins")
    finding = report(JW)
    assert owner.push(finding)[0]["status"] == "applied"
    supervisor = api.login("slt-sup")
    hidden, unknown = supervisor.push(accept(finding["payload"]["finding_id"]), accept(new_id()))
    strip = ("change_id",)
    assert {k: v for k, v in hidden.items() if k not in strip} == {k: v for k, v in unknown.items() if k not in strip}
    assert JW not in str(hidden) and hidden["current"] is None
    assert supervisor.get(f"/api/v1/findings/{finding['payload']['finding_id']}").status_code == 404
    # reporting under a taken id of another area tells nothing of that finding either
    taken = supervisor.push(report(SLT_COMMUNITY, finding_id=finding["payload"]["finding_id"]))[0]
    assert taken["status"] != "applied" and taken.get("current") is None and JW not in str(taken)


# ---- text that cannot be stored: NUL characters and lone surrogates ----


def _raw_push(user: Api, *changes: dict[str, Any]) -> list[dict[str, Any]]:
    """A push whose body is written with ASCII escapes (so a lone surrogate reaches the server as `\\ud800`)."""
    body = json.dumps({"changes": list(changes)}).encode("ascii")
    response = user.post("/api/v1/push", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    return response.json()["results"]  # type: ignore[no-any-return]


BAD_TEXTS = {"nul": "堆物\x00堆料", "surrogate": "堆物\ud800堆料"}


@pytest.mark.parametrize("bad", sorted(BAD_TEXTS))
def test_a_change_with_unstorable_text_is_refused_alone_and_the_batch_goes_on(api: Api, bad: str) -> None:
    text = BAD_TEXTS[bad]
    user = api.login("slt-ins")
    good = report(SLT_COMMUNITY)
    named = subject_create(SLT_COMMUNITY)
    named["payload"]["name"] = text
    keyed = subject_create(SLT_COMMUNITY)
    keyed["payload"]["details"] = {text: "x"}
    changes = [report(SLT_COMMUNITY, category=text), named, keyed, report(SLT_COMMUNITY, description=text), good]
    results = _raw_push(user, *changes)
    assert [(r["status"], r.get("code")) for r in results[:4]] == [("rejected", "invalid_payload")] * 4
    assert all(r["retryable"] is False for r in results[:4])
    assert results[4]["status"] == "applied"
    again = _raw_push(user, *changes)  # sent again, each has its first answer: nothing is stuck
    assert [r["status"] for r in again] == ["duplicate"] * 5
    assert [r["original"]["code"] for r in again[:4]] == ["invalid_payload"] * 4
    assert user.get(f"/api/v1/findings/{good['payload']['finding_id']}").status_code == 200


def test_unstorable_text_is_refused_in_paths_queries_headers_and_login(api: Api) -> None:
    user = api.login("slt-ins")
    for path in ("/api/v1/findings/%00", "/api/v1/subjects/a%00b", "/api/v1/checklists/x%00/versions/1"):
        reply = user.get(path)
        assert reply.status_code == 422 and reply.json()["error"] == "validation_failed", (path, reply.text)
    for query in ("state=%00", "kind=a%00", "after=%00"):
        path = {"state": "/api/v1/findings", "kind": "/api/v1/subjects", "after": "/api/v1/jurisdictions"}
        reply = user.get(f"{path[query.split('=')[0]]}?{query}")
        assert reply.status_code == 422 and reply.json()["error"] == "validation_failed", (query, reply.text)
    for name in ("slt\x00ins", "slt\ud800ins"):
        body = {"username": name, "password": PASSWORD, "device_id": str(uuid.uuid4()), "device_name": "pc"}
        reply = api.post(
            "/api/v1/auth/login", content=json.dumps(body).encode("ascii"), headers={"Content-Type": "application/json"}
        )
        assert reply.status_code == 422 and reply.json()["error"] == "validation_failed", reply.text
        assert "\\u" not in reply.text or "ud800" not in reply.text
    body = {"hashes": ["\x00" * 64]}
    assert user.post("/api/v1/blobs/missing", json=body).status_code == 422


def test_an_over_long_client_version_is_a_bad_header_not_a_fault(api: Api) -> None:
    for headers in ({"X-Inspector-Client": "inspector/" + "1" * 4301}, {"X-Inspector-Protocol": "1" * 4301}):
        reply = api.get("/api/v1/me", headers=headers)
        assert reply.status_code == 400 and reply.json()["error"] == "bad_header", reply.text
    # a long but readable version is still answered (401: no token), not refused
    assert api.get("/api/v1/me", headers={"X-Inspector-Client": "inspector/0.1.0 (Windows 11)"}).status_code == 401


# ---- a command's `at`: bounded by the account's creation and the server's clock ----


def _assign_at(finding_id: str, at: str, deadline: str) -> dict[str, Any]:
    payload = {"responsible_unit": "某某餐厅", "responsible_person": "李四", "deadline": deadline, "measures": "清理"}
    return command(finding_id, "assign", payload, "registered", at=at)


def test_a_command_dated_before_the_account_or_ahead_of_the_server_is_refused(api: Api) -> None:
    user = api.login("slt-both")
    year_one = report(SLT_COMMUNITY)
    year_one["payload"]["at"] = "0001-01-01T00:00:00Z"
    ahead = report(SLT_COMMUNITY)
    ahead["payload"]["at"] = to_iso(utc_now() + timedelta(days=1))
    slightly_ahead = report(SLT_COMMUNITY)
    slightly_ahead["payload"]["at"] = to_iso(utc_now() + timedelta(minutes=2))  # a clock a little fast: kept
    results = user.push(year_one, ahead, slightly_ahead)
    assert [(r["status"], r.get("code")) for r in results[:2]] == [("rejected", "invalid_payload")] * 2
    assert "at:" in results[0]["message"] and "at:" in results[1]["message"]
    event = applied_result(results, 2)["event"]
    assert parse_iso(event["at"]) <= utc_now()
    finding = report(SLT_COMMUNITY)
    finding_id = finding["payload"]["finding_id"]
    assert [r["status"] for r in user.push(finding, accept(finding_id))] == ["applied", "applied"]
    old = user.push(_assign_at(finding_id, "0001-01-01T00:00:00Z", "0001-01-02"))[0]
    assert (old["status"], old["code"]) == ("rejected", "invalid_payload")


def test_deadline_rules_use_the_servers_clock(api: Api, env: ServerEnv) -> None:
    with env.db.write() as session:  # an account from long ago: its old dates are within bounds
        session.execute(update(User).where(User.username == "slt-both").values(created_at="2000-01-01T00:00:00.000Z"))
    user = api.login("slt-both")
    finding = report(SLT_COMMUNITY)
    finding_id = finding["payload"]["finding_id"]
    assert [r["status"] for r in user.push(finding, accept(finding_id))] == ["applied", "applied"]
    # the client says it is 2020 and sets a deadline of the next day: long past by the server's clock
    result = user.push(_assign_at(finding_id, "2020-01-01T02:00:00Z", "2020-01-02"))[0]
    assert (result["status"], result["code"]) == ("rejected", "invalid_payload"), result
    assert "deadline" in result["message"]
    later = add_days(local_date(utc_now() + timedelta(hours=1)), 7).isoformat()
    applied = applied_result(user.push(_assign_at(finding_id, "2020-01-01T02:00:00Z", later)))
    assert applied["event"]["at"].startswith("2020-01-01")  # the time the user gave is kept for the record
