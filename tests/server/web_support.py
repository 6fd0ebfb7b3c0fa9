"""Helpers of the web face's tests: a case assigned to a unit (with its link), a unit with a code, real photos, and
reading a form's hidden fields out of a page."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from PIL import Image
from server_support import SLT_COMMUNITY, Api, accept, applied_result, assign, change, report

from inspector.core.ids import new_id


@dataclass(frozen=True)
class AssignedCase:
    """A finding assigned to a unit, and the token of the unit's link."""

    finding_id: str
    token: str
    url: str


def assigned_case(api: Api, description: str = "门前堆放纸箱，占用人行道") -> AssignedCase:
    """Report (slt-ins), accept and assign (slt-sup) a finding; the link comes from the feed as a laptop gets it."""
    inspector = api.login("slt-ins")
    supervisor = api.login("slt-sup")
    photo = upload_photo(inspector, jpeg_bytes(colour=(180, 40, 40)))
    finding_id = applied_result(inspector.push(report(photos=[photo], description=description)))["finding"][
        "finding_id"
    ]
    applied_result(supervisor.push(accept(finding_id)))
    applied_result(supervisor.push(assign(finding_id)))
    links = [entry for entry in supervisor.feed()["entries"] if entry["kind"] == "unit_link"]
    mine = [entry["data"] for entry in links if entry["id"] == finding_id]
    assert mine and mine[-1]["url"], links
    url = mine[-1]["url"]
    return AssignedCase(finding_id, url.rsplit("/", 1)[1], url)


def upload_photo(api: Api, data: bytes) -> str:
    import hashlib

    sha256 = hashlib.sha256(data).hexdigest()
    response = api.request("PUT", f"/api/v1/blobs/{sha256}", content=data)
    assert response.status_code in (200, 201), response.text
    return sha256


def jpeg_bytes(size: tuple[int, int] = (640, 480), colour: tuple[int, int, int] = (40, 120, 60)) -> bytes:
    """A real JPEG (as a phone camera would send one, only smaller)."""
    image = Image.new("RGB", size, colour)
    for x in range(0, size[0], 40):
        for y in range(0, size[1], 40):
            image.putpixel((x, y), (255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def unit_with_code(api: Api, code: str = "CY-SLT-0042", zone: str = "东至路口，西至3号楼，门前人行道") -> str:
    """A street-front unit with a 一户一码 code in 三里屯's community; returns the subject id."""
    inspector = api.login("slt-ins")
    subject = change(
        "subject.create",
        {
            "subject_id": new_id(),
            "kind": "street_front_unit",
            "name": "三里屯便利店",
            "jurisdiction": SLT_COMMUNITY,
            "code": code,
            "address": "三里屯路19号",
            "details": {"responsible_person": "李四", "zone": zone, "street_phone": "010-64161234"},
        },
    )
    return str(applied_result(inspector.push(subject))["subject"]["id"])


def hidden(html: str, name: str) -> str:
    """The value of a hidden input of a page."""
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden {name} in the page"
    return found.group(1)


def challenge_answer(html: str) -> str:
    """The answer to the page's sum."""
    found = re.search(r"验证：(\d+) \+ (\d+) = \?", html)
    assert found, "no challenge in the page"
    return str(int(found.group(1)) + int(found.group(2)))
