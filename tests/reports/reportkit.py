"""Shared by the report tests: findings built from real ledger events, photos made with Pillow, poppler tools."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from inspector.checklist_files import load_checklist_file
from inspector.core.checklist import Checklist
from inspector.core.ledger import Action, Event, FindingState, State, project

REPO_ROOT = Path(__file__).resolve().parents[2]
STREET = "110105001"  # a 街乡 under 朝阳区 (110105)
OTHER_STREET = "110105002"
T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 2026-03-02 09:30 in Beijing


def photo_hash(n: int) -> str:
    return f"{n:064x}"


@dataclass
class History:
    """The events of one finding, appended one action at a time, each an hour after the one before."""

    finding_id: str
    at: datetime = T0
    events: list[Event] = field(default_factory=list)

    def add(self, action: Action, actor: str, payload: Mapping[str, Any], hours: float = 1.0) -> History:
        if self.events:
            self.at += timedelta(hours=hours)
        state = project(self.events).state if self.events else None
        event_id = f"{self.finding_id}-e{len(self.events)}"
        self.events.append(Event(event_id, self.finding_id, action, actor, self.at, dict(payload), state))
        return self

    @property
    def finding(self) -> FindingState:
        return project(self.events)


def report_payload(jurisdiction: str = STREET + "001001", **extra: Any) -> dict[str, Any]:
    payload = {
        "description": "店外乱堆纸箱杂物，占用便道约3平方米",
        "category": "垃圾堆物",
        "kind": "hazard",
        "source": "patrol",
        "severity": "general",
        "jurisdiction": jurisdiction,
        "subject_id": "subject-1",
        "photos": [photo_hash(1), photo_hash(2)],
    }
    payload.update(extra)
    return payload


def assign_payload(deadline: date, **extra: Any) -> dict[str, Any]:
    payload = {
        "responsible_unit": "北京市朝阳区某某餐饮店",
        "responsible_person": "王某",
        "responsible_phone": "13800000000",
        "deadline": deadline.isoformat(),
        "measures": "清理堆物，规范店外经营秩序",
    }
    payload.update(extra)
    return payload


def history_to(
    state: State,
    finding_id: str = "f1",
    *,
    deadline: date = date(2026, 3, 10),
    severity: str = "general",
    assign: Mapping[str, Any] | None = None,
    **report: Any,
) -> History:
    """A finding's history taken along the usual path until it reaches `state`; `severity` is the accepted grade,
    `assign` adds to the assign payload (e.g. the 五落实 funds and plan of a major hazard)."""
    history = History(finding_id).add(Action.REPORT, "u-insp", report_payload(**report))
    if state == State.REPORTED:
        return history
    if state == State.REJECTED:
        return history.add(Action.REJECT, "u-sup", {"reason": "不属于城市管理范围"})
    history.add(Action.ACCEPT, "u-sup", {"severity": severity, "ledger_number": f"朝阳-三里屯-2026-{finding_id}"})
    if state == State.REGISTERED:
        return history
    history.add(Action.ASSIGN, "u-sup", assign_payload(deadline, **(assign or {})))
    if state == State.ASSIGNED:
        return history
    history.add(Action.RECTIFY, "u-insp", {"description": "已清理", "after_photos": [photo_hash(9)]})
    if state == State.RECTIFIED:
        return history
    return history.add(Action.VERIFY_PASS, "u-sup", {"opinion": "现场核查已整改到位"})


# --------------------------------------------------------------------------------------------------------------
# Photos and checklists
# --------------------------------------------------------------------------------------------------------------


def make_photo(path: Path, size: tuple[int, int], colour: str, orientation: int | None = None) -> Path:
    """A photo with a marked top-left corner; `orientation` writes an EXIF Orientation tag."""
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size[0] // 4, size[1] // 4), fill="black")
    draw.ellipse((size[0] // 3, size[1] // 3, size[0] * 2 // 3, size[1] * 2 // 3), outline="white", width=8)
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    image.save(path, "JPEG", quality=90, exif=exif.tobytes())
    return path


def sample_photos(folder: Path) -> list[Path]:
    """Three photos: a large landscape one, a portrait one, and one whose EXIF says "rotate 90°"."""
    folder.mkdir(exist_ok=True)
    return [
        make_photo(folder / "wide.jpg", (4000, 3000), "#4a7"),
        make_photo(folder / "tall.jpg", (1200, 1600), "#a74"),
        make_photo(folder / "rotated.jpg", (1600, 1200), "#47a", orientation=6),
    ]


def load_shipped(name: str) -> Checklist:
    return load_checklist_file(REPO_ROOT / "checklists" / f"{name}.yaml")


# --------------------------------------------------------------------------------------------------------------
# poppler
# --------------------------------------------------------------------------------------------------------------


def _poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.fail(f"{tool} (poppler-utils) is not installed: run `make test`, which installs it")
    return found


def pdf_text(pdf: Path) -> str:
    done = subprocess.run([_poppler("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def pdf_fonts(pdf: Path) -> list[dict[str, str]]:
    """pdffonts' table: one dict per font with name, type, emb, sub."""
    done = subprocess.run([_poppler("pdffonts"), str(pdf)], capture_output=True, check=True, text=True)
    lines = done.stdout.splitlines()[2:]
    fonts = []
    for line in lines:
        parts = line.split()
        # name type [type...] encoding emb sub uni object ID
        fonts.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return fonts


def pdf_pages(pdf: Path) -> int:
    done = subprocess.run([_poppler("pdfinfo"), str(pdf)], capture_output=True, check=True, text=True)
    return int(next(line.split()[1] for line in done.stdout.splitlines() if line.startswith("Pages:")))


def render_png(pdf: Path, out_dir: Path, resolution: int = 60) -> list[Path]:
    prefix = out_dir / pdf.stem
    subprocess.run([_poppler("pdftoppm"), "-r", str(resolution), "-png", str(pdf), str(prefix)], check=True)
    return sorted(out_dir.glob(f"{pdf.stem}*.png"))


def pdf_images(pdf: Path, out_dir: Path) -> list[Path]:
    """The images embedded in the PDF, as PNG files at their own resolution."""
    prefix = out_dir / "img"
    subprocess.run([_poppler("pdfimages"), "-png", str(pdf), str(prefix)], check=True)
    return sorted(out_dir.glob("img-*.png"))


def qr_images(pdf: Path, out_dir: Path) -> list[Image.Image]:
    """The square pure black-and-white images embedded in the PDF (the QR codes), loaded with Pillow."""
    found = []
    for path in pdf_images(pdf, out_dir):
        with Image.open(path) as image:
            grey = image.convert("L")
        colours = grey.getcolors(maxcolors=2)  # None when the image has more than two colours
        if grey.width == grey.height and colours is not None and {value for _, value in colours} <= {0, 255}:
            found.append(grey)
    return found


def _grey(image: Image.Image, x: int, y: int) -> int:
    value = image.getpixel((x, y))
    assert isinstance(value, int), "a greyscale image has one value per pixel"
    return value


def read_modules(image: Image.Image, modules: int, border: int = 4) -> list[list[bool]]:
    """The dark/light modules of a QR image of `modules` per side plus its quiet zone, sampled at module centres."""
    pitch = image.width / (modules + 2 * border)
    return [
        [
            _grey(image, int((border + col + 0.5) * pitch), int((border + row + 0.5) * pitch)) < 128
            for col in range(modules)
        ]
        for row in range(modules)
    ]
