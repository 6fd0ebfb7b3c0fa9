"""`inspector --self-test`: proves this installation works end to end, offscreen, from source or frozen.

Each step exercises the real code the app runs: the shipped checklists, a temporary data folder, the photo
pipeline (JPEG and HEIF), keyring's backends, the main window with every page, the inspection-record PDF with its
embedded Chinese font, and the statistics charts. The first failing step is named with the reason and the exit code
is 1; when all pass the last line is `self-test ok` and the exit code is 0.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

    from inspector.core.checklist import Checklist
    from inspector.store.database import DataFolder

OK_LINE = "self-test ok"
# The checklist the PDF step fills in; any valid shipped checklist would do, this one has photos and a score.
PDF_CHECKLIST_ID = "beijie-xiaoxiang"
PAGE_JOBS_SECONDS = 60  # the window step waits this long at most for the pages' background readings to end


class SelfTestError(Exception):
    """A check that ran and found the installation wrong (as opposed to a step that crashed)."""


@dataclass
class SelfTest:
    """What the steps share: the temporary work folder and what earlier steps produced."""

    work: Path
    checklists_dir: Path
    checklists: list[Checklist] = field(default_factory=list)
    folder: DataFolder | None = None
    photo_files: list[Path] = field(default_factory=list)

    @property
    def data_root(self) -> Path:
        return self.work / "data"


Step = Callable[[SelfTest], str]


def check(condition: object, message: str) -> None:
    """Raise SelfTestError with `message` unless `condition` holds."""
    if not condition:
        raise SelfTestError(message)


# --------------------------------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------------------------------


def step_version(_test: SelfTest) -> str:
    """The installed package metadata and the code agree on the version (the bundle must carry the metadata)."""
    from importlib import metadata

    from inspector import __version__

    try:
        installed = metadata.version("inspector")
    except metadata.PackageNotFoundError:
        return f"{__version__} (package metadata not installed; using the code's version)"
    check(installed == __version__, f"package metadata says {installed} but the code says {__version__}")
    where = "frozen bundle" if getattr(sys, "frozen", False) else "source"
    return f"{installed} ({where}, Python {sys.version.split()[0]})"


def step_checklists(test: SelfTest) -> str:
    """Every shipped checklist file loads and passes validation."""
    from inspector.checklist_files import checklist_paths, load_checklist_folder

    check(test.checklists_dir.is_dir(), f"the checklist folder {test.checklists_dir} is missing")
    files = checklist_paths(test.checklists_dir)
    check(files, f"no checklist files in {test.checklists_dir}")
    checklists, problems = load_checklist_folder(test.checklists_dir)
    check(not problems, f"{len(problems)} problem(s) in the shipped checklists: " + "; ".join(problems[:5]))
    check(len(checklists) == len(files), f"{len(files)} files gave {len(checklists)} checklists")
    test.checklists = checklists
    items = sum(len(checklist.items) for checklist in checklists)
    return f"{len(checklists)} checklists, {items} items, all valid"


def step_data_folder(test: SelfTest) -> str:
    """A new data folder is created and migrated, with its device id."""
    from inspector.store import settings
    from inspector.store.database import open_data_folder, schema_version

    folder = open_data_folder(test.data_root)
    db = folder.connect()
    try:
        version = schema_version(db)
        device = settings.ensure_device_id(db)
    finally:
        db.close()
    check(version > 0, "the database has no schema version after migration")
    check(folder.db_path.is_file(), f"no database file at {folder.db_path}")
    test.folder = folder
    return f"schema version {version}, device {device[:8]}…"


def step_photos(test: SelfTest) -> str:
    """A generated JPEG (EXIF-rotated) and a HEIF photo go through the real import pipeline into the store."""
    from inspector.store.photos import import_photo

    folder = test.folder
    check(folder is not None, "no data folder (the data folder step did not run)")
    assert folder is not None
    sources = _make_sample_photos(test.work / "camera")
    db = folder.connect()
    try:
        results = [import_photo(folder, db, path) for path in sources]
    finally:
        db.close()
    for result in results:
        photo = result.photo
        stored = folder.photo_path(photo.sha256)
        check(stored.is_file(), f"the stored copy of {photo.original_name} is missing")
        check(folder.thumb_path(photo.sha256).is_file(), f"the thumbnail of {photo.original_name} is missing")
        check(
            (photo.width, photo.height) == (480, 640),
            f"{photo.original_name} was not turned upright: stored {photo.width}×{photo.height}, expected 480×640",
        )
        test.photo_files.append(stored)
    formats = ", ".join(f"{result.photo.source_format} → {result.photo.sha256[:8]}…" for result in results)
    return f"{len(results)} photos stored upright ({formats})"


def _make_sample_photos(folder: Path) -> list[Path]:
    """A 640×480 JPEG and HEIF, each tagged "rotate 90° clockwise" (EXIF orientation 6), so they store as 480×640.

    The JPEG is drawn here; the HEIF is the shipped `resources/samples/street.heic` (the same picture), since
    the app only decodes HEIF (pi-heif has no encoder)."""
    import shutil

    from PIL import Image, ImageDraw

    from inspector.paths import resources_dir

    folder.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (640, 480), "#6d8fb3")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 160, 120), fill="#202020")
    draw.ellipse((220, 140, 420, 340), outline="#ffffff", width=10)
    exif = Image.Exif()
    exif[0x0112] = 6
    jpeg, heif = folder / "street.jpg", folder / "street.heic"
    image.save(jpeg, "JPEG", quality=90, exif=exif.tobytes())
    sample = resources_dir() / "samples" / "street.heic"
    check(sample.is_file(), f"the sample HEIF photo {sample} is missing")
    shutil.copyfile(sample, heif)
    return [jpeg, heif]


def step_keyring(_test: SelfTest) -> str:
    """keyring's backends are registered (entry points) and import; the backend in use is reported."""
    from importlib import metadata

    import keyring

    from inspector.sync.credentials import is_secure_backend

    entry_points = list(metadata.entry_points(group="keyring.backends"))
    check(entry_points, "no keyring backends are registered (the keyring package metadata is missing)")
    failed = []
    for entry_point in entry_points:
        try:
            entry_point.load()
        except Exception as error:
            failed.append(f"{entry_point.name}: {type(error).__name__}: {error}")
    check(not failed, "keyring backends that cannot be imported: " + "; ".join(failed))
    backend = keyring.get_keyring()
    storage = "tokens kept in the keyring" if is_secure_backend(backend) else "no secure keyring: tokens in memory"
    names = ", ".join(sorted(entry_point.name for entry_point in entry_points))
    return f"{len(entry_points)} backends ({names}); in use: {type(backend).__module__} — {storage}"


def step_main_window(test: SelfTest) -> str:
    """The Qt application and the main window on the data folder, with the checklists loaded and every page built."""
    from inspector.ui.app import AppController, create_application
    from inspector.ui.main_window import PAGES
    from inspector.ui.shared.logs import CrashReporter, setup_logging
    from inspector.ui.shared.resources import icon

    app = create_application(["inspector", "--self-test"])
    reporter = CrashReporter(setup_logging(test.data_root / "logs"))
    controller = AppController(app, test.data_root, reporter, load_checklists=False)
    uncaught: list[str] = []  # an exception in a slot reaches sys.excepthook and the window goes on: the step fails
    previous_hook = sys.excepthook
    sys.excepthook = lambda kind, error, trace: uncaught.append(f"{kind.__name__}: {error}")
    window = controller.open_window()
    try:
        ctx = controller.ctx
        check(ctx is not None, "the window opened without its data folder")
        assert ctx is not None
        ctx.load_checklists_now()
        check(not ctx.checklist_problems, "checklist problems in the app: " + "; ".join(ctx.checklist_problems))
        check(
            len(ctx.catalog) == len(test.checklists),
            f"the app lists {len(ctx.catalog)} checklists, {len(test.checklists)} are shipped",
        )
        for page in PAGES:
            window.show_page(page.key)
            app.processEvents()
        waited_until = time.monotonic() + PAGE_JOBS_SECONDS  # the pages' readings end, their results are shown
        while ctx.pool.running and time.monotonic() < waited_until:
            app.processEvents()
            time.sleep(0.01)
        check(not ctx.pool.running, f"the pages' background jobs did not end within {PAGE_JOBS_SECONDS} s")
        app.processEvents()
        check(window.isVisible(), "the main window is not visible")
        check(not icon("app").pixmap(32, 32).isNull(), "the SVG app icon cannot be drawn (Qt's SVG plugins missing?)")
        frame = window.grab()
        check(not frame.isNull() and frame.width() > 0, "the main window cannot be drawn")
        check(not uncaught, "uncaught in the window: " + "; ".join(uncaught))
        platform = app.platformName()
        return (
            f"{len(PAGES)} pages built, {len(ctx.catalog)} checklists listed, {frame.width()}×{frame.height()} "
            f"drawn on the {platform} platform"
        )
    finally:
        controller.close_window()
        app.processEvents()
        sys.excepthook = previous_hook


def step_pdf(test: SelfTest) -> str:
    """The inspection-record PDF is written with a photo and the Chinese font embedded."""
    from reportlab.pdfbase import pdfmetrics

    from inspector.reports.fonts import cjk_font_name
    from inspector.reports.pdf_common import PhotoRef
    from inspector.reports.pdf_inspection import InspectionDocument, ItemAnswer, inspection_record_pdf

    checklist = next((c for c in test.checklists if c.id == PDF_CHECKLIST_ID), None)
    check(checklist is not None, f"the shipped checklist {PDF_CHECKLIST_ID} is missing")
    assert checklist is not None
    check(test.photo_files, "no stored photo to place in the record (the photo step did not run)")
    first = checklist.items[0]
    answers = {item.id: ItemAnswer("pass") for item in checklist.items}
    answers[first.id] = ItemAnswer("fail", note="自检：生成的测试记录")
    started = datetime.now(UTC) - timedelta(minutes=30)
    document = InspectionDocument(
        checklist=checklist,
        answers=answers,
        subject_name="自检样例街巷",
        started_at=started,
        finished_at=started + timedelta(minutes=25),
        subject_kind="back_street",
        inspectors=("自检",),
        photos=tuple(PhotoRef(path, "自检照片", first.id) for path in test.photo_files),
    )
    pdf = test.work / "inspection-record.pdf"
    inspection_record_pdf(document, pdf)
    face = pdfmetrics.getFont(cjk_font_name()).face
    face_name = face.name.decode("latin-1") if isinstance(face.name, bytes) else str(face.name)
    embedded = embedded_fonts(pdf.read_bytes())
    check(embedded, "the PDF embeds no TrueType font")
    check(all(face_name in name for name in embedded), f"the PDF embeds {embedded}, not the font {face_name}")
    font_file = Path(face.filename).name
    return f"{pdf.stat().st_size // 1024} KB, {face_name} from {font_file} embedded ({len(embedded)} subsets)"


def embedded_fonts(pdf: bytes) -> list[str]:
    """The names of the TrueType fonts embedded in a PDF: font descriptors that carry a FontFile2 stream.

    Raises SelfTestError when the bytes are not a complete PDF."""
    check(pdf.startswith(b"%PDF-"), "the report file is not a PDF (no %PDF- header)")
    check(pdf.rstrip().endswith(b"%%EOF"), "the PDF is cut short (no %%EOF trailer)")
    names = set()
    for dictionary in re.finditer(rb"<<((?:(?!<<|>>).)*)>>", pdf, re.DOTALL):
        body = dictionary.group(1)
        name = re.search(rb"/FontName\s*/([^\s/>]+)", body)
        if re.search(rb"/Type\s*/FontDescriptor", body) and b"/FontFile2" in body and name:
            names.add(name.group(1).decode("latin-1"))
    return sorted(names)


def step_charts(_test: SelfTest) -> str:
    """The statistics charts (pyqtgraph, with numpy) draw sample figures offscreen: each series' colour appears in
    its exported image."""
    from collections import Counter

    from inspector.core.statistics import ClosureSummary
    from inspector.ui.app import create_application
    from inspector.ui.statistics import charts

    create_application(["inspector", "--self-test"])
    months = ["2026-01", "2026-02", "2026-03"]
    labels = charts.ChartLabels(month=lambda key: f"{int(key[5:])}月", others="其他", closure_rate="销账率",
                                on_time_rate="按期销账率", overdue="月末逾期", empty="没有数据")  # fmt: skip
    by_month = {key: Counter({"垃圾堆物": 3 + n, "乱停车": 2}) for n, key in enumerate(months)}
    closure = {key: ClosureSummary(10, 5 + n, 4, (5 + n) / 10, 0.8, 2.0) for n, key in enumerate(months)}
    overdue = {"2026-02": 1, "2026-03": 4}
    draws: dict[str, Callable[[charts.ChartWidget], None]] = {
        "findings": lambda chart: charts.draw_findings_by_month(chart, months, by_month, labels),
        "closure": lambda chart: charts.draw_closure(chart, months, closure, labels),
        "overdue": lambda chart: charts.draw_overdue(chart, months, overdue, labels),
    }
    drawn = []
    for name, draw in draws.items():
        chart = charts.ChartWidget()
        draw(chart)
        image = chart.render_image()
        counts = {series.name: colour_pixels(image, series.colour) for series in chart.data.series}
        check(counts and min(counts.values()) > 100, f"the {name} chart: pixels in each series' colour {counts}")
        drawn.append(f"{name} {sum(counts.values())}")
    import pyqtgraph

    return (f"3 charts drawn with pyqtgraph {pyqtgraph.__version__} at {charts.EXPORT_WIDTH} px wide; pixels in series "
            "colours: " + ", ".join(drawn))  # fmt: skip


def colour_pixels(image: QImage, colour: str) -> int:
    """How many pixels of the image have exactly this colour (#rrggbb), counted on every second row and column."""
    from PySide6.QtGui import QColor

    wanted = QColor(colour).rgb()
    return sum(
        1 for y in range(0, image.height(), 2) for x in range(0, image.width(), 2) if image.pixel(x, y) == wanted
    )


STEPS: tuple[tuple[str, Step], ...] = (
    ("version", step_version),
    ("checklists", step_checklists),
    ("data folder", step_data_folder),
    ("photo import", step_photos),
    ("keyring", step_keyring),
    ("main window", step_main_window),
    ("PDF report", step_pdf),
    ("charts", step_charts),
)


# --------------------------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------------------------


def run_steps(
    steps: Sequence[tuple[str, Step]], test: SelfTest, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the steps in order, one line each; stop at the first failure. Returns the exit code (0 ok, 1 failed)."""
    out = out or sys.stdout
    err = err or sys.stderr
    started = time.perf_counter()
    for name, step in steps:
        step_start = time.perf_counter()
        try:
            detail = step(test)
        except SelfTestError as failure:
            _report_failure(err, name, str(failure), None)
            return 1
        except Exception as error:
            _report_failure(err, name, f"{type(error).__name__}: {error}", traceback.format_exc())
            return 1
        _write(out, f"  ok  {name:<15} {time.perf_counter() - step_start:5.2f} s  {detail}")
    _write(out, f"{OK_LINE} ({len(steps)} steps, {time.perf_counter() - started:.1f} s)")
    return 0


def _report_failure(err: TextIO, step: str, reason: str, details: str | None) -> None:
    _write(err, f"self-test FAILED at step '{step}': {reason}")
    if details:
        _write(err, details.rstrip())


def _write(stream: TextIO | None, line: str) -> None:
    """Print a line; a windowed Windows build has no console (stream None), then the exit code is the result."""
    if stream is not None:
        print(line, file=stream, flush=True)


def _tolerant_streams() -> None:
    """Never fail on a character the console's code page lacks: replace it instead."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def main(checklists_dir: Path | None = None, work_parent: Path | None = None) -> int:
    """Run every step offscreen in a temporary folder that is removed afterwards; returns the exit code.

    `work_parent` (`--data-dir`): make that temporary folder inside it, to prove the app can work there."""
    from inspector import __version__
    from inspector.paths import shipped_checklists_dir

    if not os.environ.get("QT_QPA_PLATFORM", "").startswith("offscreen"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt loads: no window appears, no display is needed
    _tolerant_streams()
    _write(sys.stdout, f"Inspector {__version__} self-test")
    if work_parent is not None:
        work_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="inspector-self-test-", dir=work_parent,
                                     ignore_cleanup_errors=True) as work:  # fmt: skip
        test = SelfTest(Path(work), checklists_dir or shipped_checklists_dir())
        try:
            return run_steps(STEPS, test)
        finally:
            _close_log_files(Path(work))


def _close_log_files(work: Path) -> None:
    """Close the log files the main window step opened in the work folder: Windows cannot delete an open file,
    and the folder would be left behind (in --data-dir, or in %TEMP%)."""
    import logging

    loggers = [logging.getLogger(), *(logger for logger in logging.Logger.manager.loggerDict.values()
                                      if isinstance(logger, logging.Logger))]  # fmt: skip
    for logger in loggers:
        for handler in list(logger.handlers):
            filename = getattr(handler, "baseFilename", None)
            if filename and Path(filename).resolve().is_relative_to(work.resolve()):
                logger.removeHandler(handler)
                handler.close()
