"""门前三包 as a cycle through a real server: a 责任书 with its scanned PDF and a 街巷长's patrol log recorded on one
laptop reach the other laptop whole, the log yields one visit row per street walked, and the unit's own 自查 sent
from its phone page reaches the laptop as its self-check visit."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import requests
from e2e_support import PASSWORD, SLT_COMMUNITY, Client, ServerProcess, jpeg_file

from inspector.core.unit_cycle import PledgeStanding
from inspector.store import documents, subjects, unit_cycle

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%\xe8\xb4\xa3\xe4\xbb\xbb\xe4\xb9\xa6\ntrailer\n%%EOF\n"


def test_pledge_and_patrol_log_reach_the_other_laptop(
    server: ServerProcess, make_client: Callable[..., Client]
) -> None:
    chief, other = make_client("chief"), make_client("other")
    chief.login(server.url, "ins")
    other.login(server.url, "sup")
    lane, side = chief.subject("三里屯北小街"), chief.subject("三里屯南小街")
    photo = chief.photo(7)
    source = chief.camera / "责任书.pdf"
    source.write_bytes(PDF)
    with chief.db() as db:
        unit = subjects.create(db, kind="street_front_unit", name="某某餐厅", jurisdiction=SLT_COMMUNITY).id
        scan = unit_cycle.store_scan(chief.folder, db, source)
        unit_cycle.record_pledge(db, unit, signed_on="2026-01-15", term_months=12, signer="李四", scan=scan)
        log = unit_cycle.record_patrol(
            db, role="street_chief", patroller_id=chief.actor().user_id,
            started_at="2026-03-04T23:30:00.000Z", ended_at="2026-03-05T01:00:00.000Z", streets=[lane, side],
            checks=[{"item": "暴露垃圾", "result": "fail", "note": "北口", "street_id": lane}], photo_hashes=[photo],
        )  # fmt: skip
    sent = chief.sync()
    assert sent.outcome == "ok" and sent.all_acknowledged, sent
    assert sent.photos_uploaded == 2
    with server.database() as connection:
        assert connection.execute("SELECT role, patroller_id FROM patrol_logs").fetchall() == [
            ("street_chief", chief.actor().user_id)
        ]
    with chief.db() as db:
        assert [entry.sync_state for entry in unit_cycle.list_patrols(db)] == ["synced"]

    _self_check_from_the_phone(server, unit, chief.camera)
    pulled = other.sync()
    assert pulled.outcome == "ok", pulled.error
    with other.db() as db:
        [entry] = unit_cycle.list_patrols(db, street_id=side)
        assert entry.log.id == log.id and entry.patroller_name == "ins-name" and entry.sync_state == "synced"
        assert [check.item for check in entry.log.checks] == ["暴露垃圾"] and entry.log.photos == (photo,)
        rows = unit_cycle.visit_rows(unit_cycle.visits(db))
        patrols = [
            (row["subject_id"], row["day"], row["level"], row["kind"]) for row in rows if row["kind"] == "patrol"
        ]
        assert sorted(patrols) == sorted(
            [(lane, "2026-03-05", "street_self", "patrol"), (side, "2026-03-05", "street_self", "patrol")]
        )
        [own] = [row for row in rows if row["kind"] == "self_check"]
        assert (own["subject_id"], own["level"]) == (unit, "unit_self")
        [row] = [row for row in unit_cycle.pledge_rows(db, date(2027, 1, 1)) if row.pledge]
        assert row.subject.id == unit and row.pledge.signer == "李四" and row.standing == PledgeStanding.DUE_SOON
        assert str(row.pledge.renewal_due) == "2027-01-14"
    assert documents.document_path(other.folder, scan).read_bytes() == PDF


def _self_check_from_the_phone(server: ServerProcess, unit: str, camera: Path) -> None:
    """A supervisor issues the unit its 自查 link; the unit answers every item on the page, one failed, with a photo."""
    headers = {"X-Inspector-Protocol": "2"}
    body = {"username": "sup", "password": PASSWORD, "device_id": "0190f5c3-0000-7000-8000-000000000001"}
    token = requests.post(f"{server.url}/api/v1/auth/login", json=body, headers=headers, timeout=30).json()["token"]
    issued = requests.post(
        f"{server.url}/api/v1/subjects/{unit}/self-check-link",
        headers={**headers, "Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert issued.status_code == 200, issued.text
    path = "/k/" + issued.json()["url"].rsplit("/k/", 1)[1]
    phone = requests.Session()
    page = phone.get(server.url + path, timeout=30)
    items = sorted(set(re.findall(r'name="r_([^"]+)"', page.text)))
    csrf = re.search(r'name="csrf" value="([^"]*)"', page.text)
    assert items and csrf, page.text
    form = {"csrf": csrf.group(1), **{f"r_{item}": "pass" for item in items}, f"r_{items[0]}": "fail"}
    picture = jpeg_file(camera / "today.jpg", 11).read_bytes()
    sent = phone.post(server.url + path, data=form, files={"photo": ("today.jpg", picture, "image/jpeg")}, timeout=30)
    assert sent.status_code == 200 and "今日自查已提交" in sent.text, sent.text
