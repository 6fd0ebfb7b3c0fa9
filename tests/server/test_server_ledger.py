"""The authoritative ledger: racing supervisors, ledger numbers under concurrent accepts, tamper detection."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
import pytest
from server_support import JW, SLT_COMMUNITY, Api, ServerEnv, accept, assign, command, report
from sqlalchemy import delete, func, select, update

from inspector.server.cli import main
from inspector.server.models import FindingEvent


def _race(live: str, jobs: list[tuple[Api, dict]]) -> list[dict]:
    """Send each (user, change) as its own push at the same moment; returns the results in job order."""
    barrier = threading.Barrier(len(jobs))
    results: list[dict | None] = [None] * len(jobs)

    def send(index: int) -> None:
        user, item = jobs[index]
        with httpx.Client(base_url=live, timeout=120) as http:
            barrier.wait()
            response = http.post("/api/v1/push", json={"changes": [item]}, headers=user.headers)
        assert response.status_code == 200, response.text
        results[index] = response.json()["results"][0]

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(result is not None for result in results)
    return results  # type: ignore[return-value]


def test_two_supervisors_acting_on_one_finding_exactly_one_is_applied(api: Api, live: str) -> None:
    inspector, first, second = api.login("slt-ins"), api.login("slt-sup"), api.login("slt-sup2")
    findings = [report() for _ in range(4)]
    inspector.push(*findings)
    for finding in findings:
        finding_id = finding["payload"]["finding_id"]
        reject = command(finding_id, "reject", {"reason": "不属于城管职责"}, "reported")
        results = _race(live, [(first, accept(finding_id)), (second, reject)])
        statuses = sorted(result["status"] for result in results)
        assert statuses == ["applied", "conflict"], results
        winner = next(r for r in results if r["status"] == "applied")
        loser = next(r for r in results if r["status"] == "conflict")
        assert loser["current"]["state"] == winner["result"]["finding"]["state"]
        assert loser["current"]["event_count"] == 2


def test_twenty_concurrent_accepts_get_unique_gap_free_numbers(api: Api, live: str) -> None:
    inspector, other_inspector = api.login("slt-ins"), api.login("jw-ins")
    slt = [report(SLT_COMMUNITY) for _ in range(20)]
    jw = [report(JW) for _ in range(4)]
    inspector.push(*slt)
    other_inspector.push(*jw)
    supervisors = [api.login("district-sup") for _ in range(4)]
    jobs = [(supervisors[i % 4], accept(f["payload"]["finding_id"])) for i, f in enumerate(slt + jw)]
    # two more accepts of findings that are already being accepted: conflicts must not use up numbers
    jobs += [
        (supervisors[0], accept(slt[0]["payload"]["finding_id"])),
        (supervisors[1], accept(jw[0]["payload"]["finding_id"])),
    ]
    results = _race(live, jobs)
    numbers = [r["result"]["finding"]["ledger_number"] for r in results if r["status"] == "applied"]
    assert sum(r["status"] == "conflict" for r in results) == 2
    year = numbers[0].split("-")[2]
    slt_numbers = sorted(int(n.rsplit("-", 1)[1]) for n in numbers if n.startswith(f"朝阳-三里屯-{year}-"))
    jw_numbers = sorted(int(n.rsplit("-", 1)[1]) for n in numbers if n.startswith(f"朝阳-建外-{year}-"))
    assert slt_numbers == list(range(1, 21))
    assert jw_numbers == list(range(1, 5))
    next_one = api.login("slt-sup").push(report(SLT_COMMUNITY))  # an inspector-only action: refused
    assert next_one[0]["code"] == "forbidden_role"


def _build_history(api: Api, count: int = 4) -> list[str]:
    """Findings (four unless told) with three events each (report, accept, assign)."""
    user = api.login("slt-both")
    ids = []
    for _ in range(count):
        finding = report()
        finding_id = finding["payload"]["finding_id"]
        results = user.push(finding, accept(finding_id), assign(finding_id))
        assert [r["status"] for r in results] == ["applied"] * 3
        ids.append(finding_id)
    return ids


def _verify(env: ServerEnv, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["--database-url", env.settings.effective_database_url, "ledger", "verify", *extra])
    return code, capsys.readouterr().out


def _tamper(env: ServerEnv, work: Callable) -> None:
    with env.db.write() as session:
        work(session)


def test_ledger_verify_finds_edited_and_deleted_events(
    api: Api, env: ServerEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    edited, middle_gone, last_gone, untouched, first_gone = _build_history(api, 5)
    code, output = _verify(env, capsys)
    assert code == 0 and "5 findings, 15 events, 0 problems" in output
    root = output.split("ledger root ")[1].split()[0]

    def event(session: object, finding_id: str, index: int) -> str:
        query = select(FindingEvent.event_id).where(FindingEvent.finding_id == finding_id, FindingEvent.idx == index)
        return session.scalar(query)  # type: ignore[attr-defined,no-any-return]

    _tamper(
        env,
        lambda s: s.execute(
            update(FindingEvent)
            .where(FindingEvent.event_id == event(s, edited, 3))
            .values(payload=func.replace(FindingEvent.payload, "清理堆物", "无需整改"))
        ),
    )
    _tamper(env, lambda s: s.execute(delete(FindingEvent).where(FindingEvent.event_id == event(s, middle_gone, 2))))
    _tamper(env, lambda s: s.execute(delete(FindingEvent).where(FindingEvent.event_id == event(s, last_gone, 3))))
    _tamper(env, lambda s: s.execute(delete(FindingEvent).where(FindingEvent.event_id == event(s, first_gone, 1))))
    code, output = _verify(env, capsys, "--root", root)
    assert code == 1
    problems = [line for line in output.splitlines() if line.startswith("PROBLEM")]
    assert any(edited in line and "was edited" in line for line in problems)
    assert any(middle_gone in line and "missing" in line for line in problems)
    assert any(last_gone in line and "last event was removed" in line for line in problems)
    assert not any(untouched in line for line in problems)
    first_lines = [line for line in problems if first_gone in line]
    assert first_lines and not any("last event was removed" in line for line in first_lines)
    assert any("an event before the last was removed" in line for line in first_lines)
    assert any("ledger root differs" in line for line in problems)
