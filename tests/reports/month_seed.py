"""A seeded month (2026-03) for the month's outputs: two 街乡, three 门前三包 units, two back streets, inspections
at several levels, cases exposed for each reason and one not, a photo on this laptop and one missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from PIL import Image

from inspector.core.ledger import EscalationLevel, FindingState, Kind, Severity, Source, State
from inspector.core.levels import level_from_source
from inspector.store import findings, jurisdictions, people, subjects
from inspector.store.database import DataFolder, transaction

MONTH = "2026-03"
NOW = datetime(2026, 3, 20, 4, 0, tzinfo=UTC)  # 2026-03-20 12:00 in Beijing: the month is running
STREET_A, STREET_B = "110105001", "110105002"
PHOTO = "a" * 64  # stored on this laptop
MISSING_PHOTO = "b" * 64  # named by a case, never downloaded


@dataclass
class SeededMonth:
    units: dict[str, str]  # name → subject id
    streets: dict[str, str]  # back street name → subject id


def beijing(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC) - timedelta(hours=8)


def _finding(number: int, street: str, **fields: object) -> FindingState:
    base: dict[str, object] = dict(
        finding_id=f"0195f7a2-0000-7000-8000-{number:012d}", state=State.ASSIGNED,
        jurisdiction=f"{street}001000", severity=Severity.GENERAL, category="垃圾堆物",
        description=f"问题{number}", subject_id=None, ledger_number=f"朝阳-2026-{number:04d}",
        deadline=date(2026, 3, 25), responsible_unit="某单位", responsible_person="王某",
        responsible_phone="13800000000", measures="清理", funds=None, contingency_plan=None, rectified_by=None,
        escalation=None, reported_by="u-insp", reported_at=beijing(2), closed_at=None, photos=(), after_photos=(),
        event_count=3, last_event_id=f"e{number}", kind=Kind.HAZARD, source=Source.PATROL,
    )  # fmt: skip
    base.update(fields)
    return FindingState(**base)  # type: ignore[arg-type]


def seed_month(folder: DataFolder) -> SeededMonth:
    db = folder.connect()
    try:
        with transaction(db):
            jurisdictions.save(db, "110105000000000", "朝阳区")
            jurisdictions.save(db, f"{STREET_A}000000", "甲街道")
            jurisdictions.save(db, f"{STREET_B}000000", "乙街道")
            people.save(db, {"u-insp": "李巡查", "u-city": "市级检查组", "u-sup": "周督导"})
            units = {
                name: subjects.create(db, kind="street_front_unit", name=name, jurisdiction=f"{street}001000",
                                      address=f"{name}门前").id
                for name, street in (("甲一餐馆", STREET_A), ("甲二超市", STREET_A), ("乙三药店", STREET_B))
            }  # fmt: skip
            streets = {
                name: subjects.create(db, kind="back_street", name=name, jurisdiction=f"{street}001000").id
                for name, street in (("甲东胡同", STREET_A), ("乙西巷", STREET_B))
            }
        db.execute("PRAGMA foreign_keys = OFF")  # the inspections name checklist versions not cached here
        rows = [
            (units["甲一餐馆"], "menqian-sanbao", "patrol", "u-insp", 3, 96.0),
            (units["甲一餐馆"], "menqian-sanbao", "patrol", "u-insp", 17, 98.0),
            (units["甲一餐馆"], "menqian-sanbao", "self_check", "u-unit", 1, None),
            (units["甲一餐馆"], "menqian-sanbao", "self_check", "u-unit", 2, None),
            (units["甲二超市"], "menqian-sanbao", "patrol", "u-insp", 5, 90.0),
            (streets["甲东胡同"], "beijie-xiaoxiang", "third_party_check", "u-city", 10, 85.0),  # 降档: 第三方 < 90
            (streets["乙西巷"], "beijie-xiaoxiang", "city_check", "u-city", 11, 95.0),
            (streets["乙西巷"], "beijie-xiaoxiang", "district_check", "u-insp", 12, 93.0),
        ]
        with transaction(db):
            for number, (subject_id, checklist, source, by, day, score) in enumerate(rows):
                at = beijing(day).isoformat().replace("+00:00", "Z")
                db.execute(
                    "INSERT INTO inspections (id, checklist_id, checklist_version, subject_id, jurisdiction, "
                    "inspector_id, status, started_at, finished_at, score, updated_at, source, level) "
                    "VALUES (?, ?, '1', ?, ?, ?, 'finished', ?, ?, ?, ?, ?, ?)",
                    [f"i{number}", checklist, subject_id, f"{STREET_A}001000", by, at, at, score, at, source,
                     level_from_source(source).value],
                )
                db.execute(
                    "INSERT INTO inspection_lists (inspection_id, position, checklist_id, checklist_version, score) "
                    "VALUES (?, 0, ?, '1', ?)",
                    [f"i{number}", checklist, score],
                )
        db.execute("PRAGMA foreign_keys = ON")
        cases = [
            _finding(1, STREET_A, subject_id=streets["甲东胡同"], source=Source.CITY_CHECK, reported_at=beijing(10),
                     description="胡同口堆放建筑垃圾", photos=(PHOTO,)),
            _finding(2, STREET_A, subject_id=units["甲二超市"], deadline=date(2026, 3, 15),
                     description="店外占道经营", photos=(MISSING_PHOTO,)),
            _finding(3, STREET_B, escalation=EscalationLevel.STREET, escalated_at=beijing(6),
                     description="桥下私搭乱建"),
            _finding(4, STREET_B, state=State.CLOSED, closed_at=beijing(8), description="已整改的小广告"),
            _finding(5, STREET_B, state=State.REJECTED, source=Source.THIRD_PARTY_CHECK, deadline=None,
                     ledger_number=None, description="不予立案的问题"),
        ]  # fmt: skip
        findings.on_pulled_many(db, cases)
    finally:
        db.close()
    photo = folder.photo_path(PHOTO)
    photo.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (320, 240), "orange").save(photo, "JPEG")
    return SeededMonth(units, streets)
