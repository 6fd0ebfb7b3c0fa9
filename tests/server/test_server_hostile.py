"""Hostile input to the district server: photos named by guessing, out-of-scope ids, bad text and headers."""

from __future__ import annotations

from server_support import JW, SLT_COMMUNITY, Api, accept, applied_result, inspection, report, upload

from inspector.core.ids import new_id

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
