"""The name directory and places on a real database: offline work names this laptop's user, a login's name takes
over, the directory's names win for other ids, an unknown id is never shown as itself; a report's place reads as
address and coordinates; jurisdiction codes are checked against the shipped sample tree before any login."""

from __future__ import annotations

import pytest
from sqlite_utils import Database

from inspector.core.ledger import Action, Actor, Role
from inspector.store import findings, jurisdiction_tree, people, places, profile, settings
from inspector.store.jurisdiction_tree import JurisdictionChoiceError


def test_offline_work_names_this_laptops_user_and_a_login_takes_over(db: Database) -> None:
    device = settings.device_id(db)
    assert people.display_names(db)[device] == people.LOCAL_USER_ZH  # before any login
    assert people.name_of(people.display_names(db), "someone-else") == people.UNKNOWN_ZH
    assert people.name_of(people.display_names(db), "") == ""
    settings.put_many(db, {profile.USER_ID: "u-1", profile.DISPLAY_NAME: "张巡查"})
    assert people.save(db, {"u-2": "李督查", "u-3": "  "}) == 1  # a blank name is not kept
    names = people.display_names(db)
    assert names["u-1"] == names[device] == "张巡查" and names["u-2"] == "李督查" and "u-3" not in names
    people.save(db, {"u-2": "李督查（区）"})
    assert people.display_names(db)["u-2"] == "李督查（区）"


def test_a_reports_place_is_its_address_and_point(db: Database) -> None:
    actor = Actor("u-1", frozenset({Role.INSPECTOR}), frozenset({"110105004000000"}))
    payload = {"description": "井盖缺失", "category": "市政设施", "kind": "problem", "source": "patrol",
               "jurisdiction": "110105004032000", "location": {"address": "工体北路 8 号", "lat": 39.930123,
                                                                "lon": 116.450111}}  # fmt: skip
    finding_id = findings.record_command(db, action=Action.REPORT, actor=actor, payload=payload).event.finding_id
    place = places.reported_place(db, finding_id)
    assert place.text() == "工体北路 8 号（39.93012, 116.45011）"
    assert places.finding_place(db, None, finding_id) == place.text()
    assert places.reported_place(db, "no-such-finding").text() == ""


@pytest.mark.parametrize(
    ("typed", "code"),
    [("", "jurisdiction_missing"), ("11010", "jurisdiction_format"), ("abc", "jurisdiction_format"),
     ("110105099000000", "unknown_jurisdiction"), ("110105", "jurisdiction_too_coarse")],
)  # fmt: skip
def test_codes_are_checked_against_the_shipped_tree_before_any_login(db: Database, typed: str, code: str) -> None:
    with pytest.raises(JurisdictionChoiceError) as refused:
        jurisdiction_tree.check(db, typed)
    assert refused.value.code == code


def test_a_known_code_passes_and_the_users_area_comes_first(db: Database) -> None:
    assert jurisdiction_tree.check(db, "110105004") == "110105004000000"  # 三里屯街道 of the sample tree
    names = {node.code: node.path for node in jurisdiction_tree.known(db)}
    assert names["110105004032000"] == "朝阳区 › 三里屯街道 › 幸福一村社区"
    assert jurisdiction_tree.user_area(db) == ""
    settings.put(db, profile.USER_JURISDICTIONS, ["110105000000000", "110105004000000"])
    assert jurisdiction_tree.user_area(db) == "110105004000000"  # the 街乡, not the whole district
