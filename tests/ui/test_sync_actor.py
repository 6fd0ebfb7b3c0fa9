"""After a login the laptop acts as the account: its roles and jurisdictions decide which ledger commands pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.core.ledger import Role
from inspector.store import findings, profile
from inspector.store.database import open_data_folder
from inspector.store.findings import CommandRefusedError
from inspector.sync import config

STREET = "110105004000000"
COMMUNITY = "110105004032000"


def _login_reply(roles: list[str], codes: list[str]) -> dict[str, object]:
    """What the server's login answers, as the sync engine stores it."""
    user = {"id": "u-1", "username": "sup", "display_name": "王督查", "roles": roles,
            "jurisdictions": [{"code": code} for code in codes]}  # fmt: skip
    return {"token": "t", "expires_at": "2099-01-01T00:00:00.000Z", "user": user}


def _report(db, actor) -> str:  # type: ignore[no-untyped-def]
    payload = {"description": "占道经营", "category": "市容",
               "kind": "hazard", "source": "patrol", "severity": "general", "jurisdiction": COMMUNITY,
               "location": {"lat": 39.93, "lon": 116.45}}  # fmt: skip
    return findings.record_command(db, action="report", actor=actor, payload=payload).event.finding_id


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    connection = open_data_folder(tmp_path / "data").connect()
    yield connection
    connection.close()


def test_before_any_login_the_laptop_is_an_inspector_of_the_record_s_street(db) -> None:  # type: ignore[no-untyped-def]
    actor = profile.local_actor(db, COMMUNITY)
    assert actor.roles == frozenset({Role.INSPECTOR}) and actor.jurisdictions == frozenset({COMMUNITY})


def test_a_supervisor_s_login_gives_the_supervisor_s_roles_and_scope(db) -> None:  # type: ignore[no-untyped-def]
    inspector = profile.local_actor(db, COMMUNITY)
    finding_id = _report(db, inspector)
    config.save_account(db, "http://127.0.0.1:1", _login_reply(["supervisor"], [STREET]), "memory", None)

    actor = profile.local_actor(db, COMMUNITY)
    assert actor.user_id == "u-1"
    assert actor.roles == frozenset({Role.SUPERVISOR}) and actor.jurisdictions == frozenset({STREET})
    accepted = findings.record_command(db, action="accept", actor=actor, payload={"severity": "major"},
                                      finding_id=finding_id)  # fmt: skip
    assert accepted.finding.state.value == "registered"
    with pytest.raises(CommandRefusedError) as refused:  # a supervisor does not report in the field
        _report(db, actor)
    assert refused.value.code == "forbidden_role"


def test_an_inspector_account_may_not_accept_and_out_of_scope_records_are_refused(db) -> None:  # type: ignore[no-untyped-def]
    config.save_account(db, "http://127.0.0.1:1", _login_reply(["inspector"], ["110101001000000"]), "memory", None)
    actor = profile.local_actor(db, COMMUNITY)
    assert actor.roles == frozenset({Role.INSPECTOR}) and actor.jurisdictions == frozenset({"110101001000000"})
    with pytest.raises(CommandRefusedError) as refused:
        _report(db, actor)
    assert refused.value.code == "out_of_jurisdiction"
