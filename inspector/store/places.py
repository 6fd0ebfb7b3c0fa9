"""Where a finding is: the place its report named (address text and coordinates), read from the report event's
payload, and the subject's name and address when it has one. Lists, the detail pane and every document show it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from inspector.store import subjects
from inspector.store.errors import StoreError


@dataclass(frozen=True)
class Place:
    """The reported place of a finding: address text and/or coordinates (WGS-84 degrees)."""

    address: str = ""
    lat: float | None = None
    lon: float | None = None

    @property
    def coordinates(self) -> str:
        """"39.93012, 116.45011" (five decimals, about a metre), or "" without a point."""
        if self.lat is None or self.lon is None:
            return ""
        return f"{self.lat:.5f}, {self.lon:.5f}"

    def text(self) -> str:
        """The address, then the coordinates in brackets: 东四北大街12号门前（39.93012, 116.45011）."""
        point = self.coordinates
        if self.address and point:
            return f"{self.address}（{point}）"
        return self.address or point


def _from_payload(text: str | None) -> Place:
    try:
        payload = json.loads(text or "{}")
    except ValueError:
        return Place()
    location = payload.get("location") if isinstance(payload, dict) else None
    if not isinstance(location, dict):
        return Place()

    def number(key: str) -> float | None:
        value = location.get(key)
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

    return Place(str(location.get("address") or "").strip(), number("lat"), number("lon"))


def reported_places(db: Database, finding_ids: Iterable[str]) -> dict[str, Place]:
    """The reported place of each of these findings that has one (from its report event)."""
    ids = list(dict.fromkeys(finding_ids))
    found: dict[str, Place] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = db.execute(
            "SELECT finding_id, payload FROM finding_events WHERE action IN ('report', 'report_fixed_on_site') "
            f"AND finding_id IN ({', '.join('?' for _ in chunk)}) ORDER BY at",
            chunk,
        )
        for finding_id, payload in rows:
            place = _from_payload(payload)
            if (place.address or place.coordinates) and finding_id not in found:
                found[finding_id] = place
    return found


def reported_place(db: Database, finding_id: str) -> Place:
    """The reported place of one finding (empty when its report named none)."""
    return reported_places(db, [finding_id]).get(finding_id, Place())


def subject_place(db: Database, subject_id: str | None) -> str:
    """A subject as a place: 名称（地址）, or "" when there is none or it is unknown here."""
    if not subject_id:
        return ""
    try:
        subject = subjects.get(db, subject_id)
    except StoreError:
        return ""
    return subject.name + (f"（{subject.address}）" if subject.address else "")


def finding_place(db: Database, subject_id: str | None, finding_id: str) -> str:
    """Where a finding is, as one line: the subject (name and address) and the reported place when it adds to it."""
    subject = subject_place(db, subject_id)
    reported = reported_place(db, finding_id).text()
    if subject and reported and reported not in subject:
        return f"{subject}，{reported}"
    return subject or reported
