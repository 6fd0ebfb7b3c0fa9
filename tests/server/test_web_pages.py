"""The web face over HTTP on both databases: the unit's page (sign, fix with photos) through the ledger's rules and
into the feed, its token refused when expired, revoked or for another case; the public's report with its receipt;
CSRF, escaping, upload checks and rate limits; the dashboard's login and scope."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from uuid import uuid4

import pytest
from server_support import SLT, Api, ServerEnv, applied_result, command, report
from sqlalchemy import select, update
from web_support import assigned_case, challenge_answer, hidden, jpeg_bytes, unit_with_code

from inspector.core.clock import add_days, local_date, now_iso, utc_now
from inspector.server.ledger_store import verify_ledger
from inspector.server.models import Blob, Finding, FindingEvent, UnitLink
from inspector.server.web.unit import REQUEST_EXTENSION


def _sign(env: ServerEnv, token: str, name: str = "王经理", phone: str = "13800000000") -> Any:
    page = env.client.get(f"/u/{token}")
    assert page.status_code == 200, page.text
    return env.client.post(
        f"/u/{token}/sign",
        data={"csrf": hidden(page.text, "csrf"), "name": name, "phone": phone},
        follow_redirects=False,
    )


def _fix(env: ServerEnv, token: str, files: list[tuple[str, bytes]], note: str = "纸箱已清走") -> Any:
    page = env.client.get(f"/u/{token}")
    upload = [("photo", (name, data, "image/jpeg")) for name, data in files]
    return env.client.post(
        f"/u/{token}/fix", data={"csrf": hidden(page.text, "csrf"), "note": note}, files=upload, follow_redirects=False
    )


def _blob_count(env: ServerEnv) -> int:
    with env.db.read() as session:
        return len(list(session.scalars(select(Blob.sha256))))


def test_the_unit_signs_and_reports_the_fix_as_ledger_commands_of_its_own(env: ServerEnv, api: Api) -> None:
    case = assigned_case(api)
    page = env.client.get(f"/u/{case.token}")
    assert page.status_code == 200
    assert "门前堆放纸箱" in page.text and "清理堆物" in page.text and "三里屯" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")

    signed = _sign(env, case.token)
    assert signed.status_code == 303, signed.text
    assert "王经理" in env.client.get(f"/u/{case.token}").text

    photo = jpeg_bytes(colour=(20, 160, 90))
    fixed = _fix(env, case.token, [("after.jpg", photo)])
    assert fixed.status_code == 303, fixed.text

    with env.db.read() as session:
        finding = session.get(Finding, case.finding_id)
        events = list(session.scalars(select(FindingEvent).where(FindingEvent.finding_id == case.finding_id)))
        link = session.scalar(select(UnitLink).where(UnitLink.finding_id == case.finding_id))
        report = verify_ledger(session)
    assert finding is not None and finding.state == "rectified"
    assert [event.action for event in events][-2:] == ["sign", "rectify"]
    assert link is not None and {event.actor_id for event in events[-2:]} == {link.id}  # the unit, in the chain
    assert link.token_hash == hashlib.sha256(case.token.encode()).hexdigest()  # only the hash is kept
    assert report.ok, report.problems
    assert hashlib.sha256(photo).hexdigest() in finding.data

    # the laptops see the unit's answer in the feed; a supervisor then verifies as usual
    supervisor = api.login("slt-sup")
    entries = [entry for entry in supervisor.feed()["entries"] if entry["kind"] == "finding_event"]
    last = entries[-1]["data"]
    assert last["action"] == "rectify" and last["actor_name"].startswith("责任单位")
    verified = supervisor.push(command(case.finding_id, "verify_pass", {"opinion": "现场核查已整改"}, "rectified"))
    assert applied_result(verified)["finding"]["state"] == "closed"
    assert env.client.get(f"/u/{case.token}").status_code == 410  # closed: the link no longer works


def test_a_token_expired_revoked_or_unknown_is_refused_and_never_opens_another_case(env: ServerEnv, api: Api) -> None:
    first, second = assigned_case(api), assigned_case(api, "共享单车乱停放")
    page = env.client.get(f"/u/{first.token}")
    csrf_first = hidden(page.text, "csrf")
    # the first case's form token does not work on the second case's page
    crossed = env.client.post(
        f"/u/{second.token}/sign", data={"csrf": csrf_first, "name": "甲", "phone": "1"}, follow_redirects=False
    )
    assert crossed.status_code == 403 and "表单已失效" in crossed.text
    assert env.client.get(f"/u/{first.token}x").status_code == 404

    with env.db.write() as session:
        session.execute(update(UnitLink).where(UnitLink.finding_id == first.finding_id).values(expires_at=now_iso()))
    expired = env.client.get(f"/u/{first.token}")
    assert expired.status_code == 410 and "已过期" in expired.text

    supervisor = api.login("slt-sup")
    assert supervisor.post(f"/api/v1/findings/{second.finding_id}/unit-link/revoke").json()["revoked"] == 1
    revoked = env.client.get(f"/u/{second.token}")
    assert revoked.status_code == 410 and "已被撤销" in revoked.text
    feed = [entry["data"] for entry in supervisor.feed()["entries"] if entry["kind"] == "unit_link"]
    assert feed[-1] == {"finding_id": second.finding_id, "url": None, "expires_at": None, "revoked": True}
    inspector = api.login("slt-ins")
    assert inspector.post(f"/api/v1/findings/{second.finding_id}/unit-link/revoke").status_code == 403
    fresh = supervisor.post(f"/api/v1/findings/{second.finding_id}/unit-link").json()["url"]
    assert env.client.get("/u/" + fresh.rsplit("/", 1)[1]).status_code == 200


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(env: ServerEnv, api: Api) -> None:
    case = assigned_case(api)
    env.client.get(f"/u/{case.token}")
    refused = env.client.post(f"/u/{case.token}/sign", data={"name": "王", "phone": "1"}, follow_redirects=False)
    assert refused.status_code == 403 and "表单已失效" in refused.text
    with env.db.read() as session:
        actions = list(session.scalars(select(FindingEvent.action).where(FindingEvent.finding_id == case.finding_id)))
    assert "sign" not in actions


def test_a_non_image_or_oversized_upload_is_refused_with_a_clear_message_and_nothing_stored(
    make_env: Any, api: Api
) -> None:
    env: ServerEnv = make_env(web_upload_bytes=200_000)
    api = Api(env.client)
    case = assigned_case(api)
    before = _blob_count(env)
    not_image = _fix(env, case.token, [("a.jpg", jpeg_bytes()), ("virus.jpg", b"MZ\x90\x00 not a photo at all")])
    assert not_image.status_code == 415 and "不是照片" in not_image.text and "not a photo" in not_image.text
    truncated = jpeg_bytes()[:-400]
    assert _fix(env, case.token, [("cut.jpg", truncated)]).status_code == 415
    huge = jpeg_bytes(size=(2400, 2400), colour=(1, 2, 3)) + bytes(300_000)
    too_big = _fix(env, case.token, [("big.jpg", huge)])
    assert too_big.status_code == 413 and "照片太大" in too_big.text
    assert _blob_count(env) == before
    with env.db.read() as session:
        finding = session.get(Finding, case.finding_id)
    assert finding is not None and finding.state == "assigned"


def test_the_unit_pages_posts_are_rate_limited(make_env: Any) -> None:
    env: ServerEnv = make_env(web_unit_posts_per_hour=2)
    api = Api(env.client)
    case = assigned_case(api)
    assert _sign(env, case.token).status_code == 303
    assert _sign(env, case.token).status_code == 303  # signing again (another person) is allowed, and counted
    limited = _sign(env, case.token)
    assert limited.status_code == 429 and "提交过于频繁" in limited.text
    assert int(limited.headers["retry-after"]) > 0


def test_a_citizen_reports_through_the_board_and_follows_it_by_receipt(env: ServerEnv, api: Api) -> None:
    unit_with_code(api)
    page = env.client.get("/s/CY-SLT-0042")
    assert page.status_code == 200
    assert "三里屯便利店" in page.text and "东至路口" in page.text and "010-64161234" in page.text
    assert "包环境有序" in page.text
    form = {
        "csrf": hidden(page.text, "csrf"),
        "challenge": hidden(page.text, "challenge"),
        "answer": challenge_answer(page.text),
        "what": "<script>alert('x')</script> 门前堆放杂物",
        "where": "三里屯路19号门前",
        "phone": "13900000000",
    }
    photo = jpeg_bytes(colour=(90, 90, 200))
    sent = env.client.post(
        "/s/CY-SLT-0042/report", data=form, files=[("photo", ("p.jpg", photo, "image/jpeg"))], follow_redirects=False
    )
    assert sent.status_code == 303, sent.text
    status = env.client.get(sent.headers["location"])
    assert status.status_code == 200 and "待受理" in status.text
    assert "&lt;script&gt;alert(" in status.text and "<script>alert" not in status.text  # shown as text

    supervisor = api.login("slt-sup")
    reported = [
        entry["data"]
        for entry in supervisor.feed()["entries"]
        if entry["kind"] == "finding" and entry["data"]["category"] == "群众举报"
    ]
    assert reported and reported[-1]["state"] == "reported" and reported[-1]["jurisdiction"].startswith(SLT[:9])
    assert reported[-1]["photos"] == [hashlib.sha256(photo).hexdigest()]


def test_the_public_form_needs_its_challenge_and_is_limited_per_address(make_env: Any) -> None:
    env: ServerEnv = make_env(web_reports_per_hour_per_address=2)
    api = Api(env.client)
    unit_with_code(api)

    def send(answer: str | None = None) -> Any:
        page = env.client.get("/s/CY-SLT-0042")
        form = {
            "csrf": hidden(page.text, "csrf"),
            "challenge": hidden(page.text, "challenge"),
            "answer": answer if answer is not None else challenge_answer(page.text),
            "what": "路灯不亮",
        }
        return env.client.post("/s/CY-SLT-0042/report", data=form, follow_redirects=False)

    wrong = send("999")
    assert wrong.status_code == 400 and "答案不对" in wrong.text
    assert send().status_code == 303
    assert send().status_code == 303
    limited = send()
    assert limited.status_code == 429 and "提交过于频繁" in limited.text
    assert env.client.get("/s/NO-SUCH-CODE").status_code == 404


@pytest.mark.parametrize("username", ["slt-sup", "admin"])
def test_the_dashboard_needs_a_session_and_shows_only_the_viewers_jurisdiction(
    env: ServerEnv, api: Api, username: str
) -> None:
    assigned_case(api)
    jw = api.login("jw-ins")
    from server_support import JW, report

    applied_result(jw.push(report(jurisdiction=JW, description="建外的问题")))
    assert env.client.get("/dashboard", follow_redirects=False).headers["location"] == "/dashboard/login"
    page = env.client.get("/dashboard/login")
    wrong = env.client.post(
        "/dashboard/login", data={"csrf": hidden(page.text, "csrf"), "username": username, "password": "nope"}
    )
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
    from server_support import PASSWORD

    signed_in = env.client.post(
        "/dashboard/login",
        data={"csrf": hidden(page.text, "csrf"), "username": username, "password": PASSWORD},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    cookie = signed_in.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    board = env.client.get("/dashboard")
    assert board.status_code == 200 and "<svg" in board.text
    listing = env.client.get("/dashboard/cases").text
    assert ("建外的问题" in listing) == (username == "admin")
    assert "门前堆放纸箱" in listing


def test_cookies_are_secure_behind_a_tls_proxy(make_env: Any) -> None:
    env: ServerEnv = make_env(tls_proxy=True)
    api = Api(env.client)
    case = assigned_case(api)
    page = env.client.get(f"/u/{case.token}")
    assert "Secure" in page.headers["set-cookie"] and "HttpOnly" in page.headers["set-cookie"]


@pytest.mark.skipif(REQUEST_EXTENSION is None, reason="this ledger has no extension request (申请延期) yet")
def test_the_unit_asks_for_more_time_as_a_ledger_request(env: ServerEnv, api: Api) -> None:
    case = assigned_case(api)
    page = env.client.get(f"/u/{case.token}")
    assert "申请延期" in page.text
    later = add_days(local_date(utc_now()), 30).isoformat()
    sent = env.client.post(
        f"/u/{case.token}/extend",
        data={"csrf": hidden(page.text, "csrf"), "deadline": later, "reason": "需采购材料，工期较长"},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    with env.db.read() as session:
        actions = list(session.scalars(select(FindingEvent.action).where(FindingEvent.finding_id == case.finding_id)))
    assert actions[-1] == REQUEST_EXTENSION


def test_the_command_line_revokes_a_units_link(
    env: ServerEnv, api: Api, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from inspector.server.cli import main

    case = assigned_case(api)
    url = ["--database-url", env.settings.effective_database_url]
    assert main([*url, "unit-link", "revoke", case.finding_id]) == 0
    assert "1 unit link(s) revoked" in capsys.readouterr().out
    assert env.client.get(f"/u/{case.token}").status_code == 410
    assert main([*url, "unit-link", "revoke", case.finding_id]) == 1  # nothing left to revoke


def test_the_dashboard_counts_overdue_and_supervised_cases_in_the_database(env: ServerEnv, api: Api) -> None:
    late, supervised = assigned_case(api, "逾期的堆物"), assigned_case(api, "督办的堆物")
    supervisor = api.login("slt-sup")
    later = add_days(local_date(utc_now()), 14).isoformat()
    escalation = {"level": "district", "unit": "区城管委", "deadline": later, "note": "区级督办"}
    applied_result(supervisor.push(command(supervised.finding_id, "escalate", escalation, None)))
    hotline = report(description="12345 反映的堆物", kind="problem", source="hotline_12345", severity=None)
    applied_result(api.login("slt-ins").push(hotline))
    yesterday = add_days(local_date(utc_now()), -1).isoformat()
    with env.db.write() as session:  # time has passed: the deadline day is over
        finding = session.get(Finding, late.finding_id)
        assert finding is not None and finding.deadline is not None  # the deadline is a column of its own
        finding.deadline = yesterday
        finding.data = json.dumps({**json.loads(finding.data), "deadline": yesterday}, ensure_ascii=False)
    page = env.client.get("/dashboard/login")
    from server_support import PASSWORD

    form = {"csrf": hidden(page.text, "csrf"), "username": "slt-sup", "password": PASSWORD}
    assert env.client.post("/dashboard/login", data=form, follow_redirects=False).status_code == 303
    board = env.client.get("/dashboard").text
    assert '<span class="figure">1</span>逾期' in board and '<span class="figure">1</span>督办' in board
    assert '<span class="figure">2</span>整改中' in board
    assert '<span class="figure">1</span>问题' in board and '<span class="figure">2</span>隐患' in board
    assert '<span class="figure">1</span>12345工单' in board and '<span class="figure">0.0%</span>12345解决率' in board
    hotline_cases = env.client.get("/dashboard/cases?source=hotline_12345").text
    assert "12345 反映的堆物" in hotline_cases and "逾期的堆物" not in hotline_cases
    problems = env.client.get("/dashboard/cases?kind=problem").text
    assert "12345 反映的堆物" in problems and "督办的堆物" not in problems
    overdue = env.client.get("/dashboard/cases?overdue=1").text
    assert "逾期的堆物" in overdue and "督办的堆物" not in overdue
    one = env.client.get(f"/dashboard/case/{supervised.finding_id}")
    assert one.status_code == 200 and "district" in one.text
    assert env.client.get(f"/dashboard/case/{uuid4()}").status_code == 404
