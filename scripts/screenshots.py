"""Render each main screen of the desktop app with demo data into docs/screenshots/*.png (offscreen, 1366×768).

Usage: .venv/bin/python scripts/screenshots.py [--out docs/screenshots]
Seeds a temporary data folder with `inspector seed`, opens the real window on it and grabs every page.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCREEN = {"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768, "logicalDpi": 96, "logicalBaseDpi": 96,
          "dpr": 1}
WINDOW_SIZE = (1366, 728)  # a 1366×768 laptop screen less the Windows taskbar


def use_offscreen_laptop_screen(folder: Path) -> None:
    """Qt's offscreen platform with one 1366×768 screen (set before Qt starts)."""
    config = folder / "screen.json"
    config.write_text(json.dumps({"screens": [SCREEN]}), encoding="utf-8")
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


def seed(data: Path) -> None:
    """Demo data through the CLI, as a user would make it."""
    command = [sys.executable, "-m", "inspector", "--data-dir", str(data), "seed", "--inspections", "14",
               "--photos", "8"]
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.gettempdir()) / "inspector-demo"  # a fixed name: the settings page shows the path
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        use_offscreen_laptop_screen(work)
        data = work / "data"
        seed(data)
        render_all(data, work, args.out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def render_all(data: Path, work: Path, out: Path) -> None:
    from PIL import Image

    from inspector.store import profile, settings, subjects
    from inspector.store.seed import INSPECTOR, STREET
    from inspector.ui.app import AppController, create_application
    from inspector.ui.ledger.adhoc_dialog import AdhocFindingDialog
    from inspector.ui.runner.new_inspection import NewInspectionDialog
    from inspector.ui.shared.logs import CrashReporter, setup_logging
    from inspector.ui.shared.photo_viewer import PhotoViewer

    app = create_application(["inspector-screenshots"])
    controller = AppController(app, data, CrashReporter(setup_logging(data / "logs")), load_checklists=False)
    window = controller.open_window()
    ctx = controller.ctx
    assert ctx is not None
    ctx.load_checklists_now()
    # The demo laptop is the demo inspector's: their findings are "mine", their 街乡 is the default.
    settings.put(ctx.db, profile.USER_ID, INSPECTOR.user_id)
    settings.put(ctx.db, profile.DEFAULT_JURISDICTION, STREET[0])
    window.resize(*WINDOW_SIZE)

    def settle() -> None:
        for _ in range(3):
            ctx.pool.wait()
            app.processEvents()

    def save(widget, name: str) -> None:  # type: ignore[no-untyped-def]
        settle()
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}")

    # A draft on a back street: some answers, one failed item with two photos and a note.
    street = next(s for s in subjects.list_subjects(ctx.db, kind="back_street"))
    dialog = NewInspectionDialog(ctx, window, subject_id=street.id)
    dialog.choose(street.id, "beijie-xiaoxiang")
    dialog.resize(900, 520)
    save(dialog, "new-inspection")
    dialog.start()
    window.open_inspection(dialog.inspection_id)
    runner = window.pages["inspections"].runner
    ids = runner.model.item_ids()
    for item_id in ids[1:7]:
        runner.select_item(item_id)
        runner.answer("pass")
    runner.select_item(ids[0])
    runner.answer("fail")
    pictures = []
    for index, color in enumerate(((150, 120, 95), (110, 105, 100))):
        picture = work / f"IMG_20{index}.jpg"
        Image.new("RGB", (1600, 1200), color).save(picture, quality=85)
        pictures.append(picture)
    runner.panel.photos.add_sources(pictures)
    settle()
    runner.panel.note_edit.setPlainText("院墙外侧新搭彩钢板棚一处，约 6 平方米")
    runner.panel.flush()
    runner.select_item(ids[0])
    save(window, "runner")
    runner.scroll_area.verticalScrollBar().setValue(runner.scroll_area.verticalScrollBar().maximum())
    save(window, "runner-finding")

    ctx.set_language("en")
    runner.scroll_area.verticalScrollBar().setValue(0)
    save(window, "runner-en")
    ctx.set_language("zh_CN")

    runner.back_requested.emit()
    save(window, "inspections")
    window.show_page("today")
    save(window, "today")
    page = window.show_page("subjects")
    page.search.setText("三里屯")
    page._search_later.flush()
    save(window, "subjects")
    page.search.clear()
    findings_page = window.show_page("findings")
    assigned = next((f for f in findings_page.model.rows if f.view.state.value in ("assigned", "closed")), None)
    window.show_page("settings")
    save(window, "settings")

    adhoc = AdhocFindingDialog(ctx, window, subject_id=street.id)
    adhoc.category.setCurrentText("乱堆乱放")
    adhoc.description.setPlainText("巷口东侧堆放废弃家具，占用消防通道")
    adhoc.photos.add_sources(pictures[:1])
    settle()
    save(adhoc, "adhoc")
    adhoc.reject()

    strip_photos = runner.session.item_photos(ids[0]) if runner.session else []
    if not strip_photos:
        from inspector.store import photos
        strip_photos = photos.photos_of(ctx.db, "finding", assigned.id) if assigned else []
    if strip_photos:
        viewer = PhotoViewer(ctx, strip_photos, 0, window)
        viewer.resize(1000, 680)
        viewer.show()
        settle()
        save(viewer, "photo-viewer")
        viewer.close()
    render_supervisor_screens(ctx, window, save)
    render_sync_screens(ctx, window, save)
    controller.close_window()


def render_supervisor_screens(ctx, window, save) -> None:  # type: ignore[no-untyped-def]
    """The supervisor's screens: the review queue, the ledger with a rectified finding (before/after photos), the
    assign and verify forms, and the statistics."""
    from datetime import timedelta

    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QApplication

    from inspector.core.clock import local_date, utc_now
    from inspector.core.ledger import Action, Severity
    from inspector.store import profile, settings
    from inspector.store.seed import STREET, SUPERVISOR

    settings.put(ctx.db, profile.USER_ID, SUPERVISOR.user_id)
    settings.put(ctx.db, profile.USER_ROLES, ["supervisor"])
    settings.put(ctx.db, profile.USER_JURISDICTIONS, [STREET[0]])
    review = window.show_page("review")
    review.activate()
    save(window, "review")

    page = window.show_page("findings")
    page.reload()
    rows = list(page.model.rows)
    rectified = next(f for f in rows if f.view.state.value == "rectified" and f.view.after_photos)
    page.select_finding(rectified.id)
    save(window, "findings")
    verify = page.start_action(Action.VERIFY_PASS)
    verify.inputs["opinion"].setPlainText("现场核查，堆物已清理，同意销账")
    save(verify, "ledger-verify")
    verify.reject()

    major = next(
        (f for f in rows if f.view.state.value == "registered" and f.view.severity == Severity.MAJOR),
        None,
    )
    target = major or next(f for f in rows if f.view.state.value == "registered")
    page.select_finding(target.id)
    assign = page.start_action(Action.ASSIGN)
    assign.inputs["responsible_unit"].setText("三里屯街道城管科")
    assign.inputs["responsible_person"].setText("王建国")
    assign.inputs["measures"].setPlainText("拆除违规广告牌，恢复外立面原貌")
    day = local_date(utc_now()) + timedelta(days=15)
    assign.inputs["deadline"].setDate(QDate(day.year, day.month, day.day))
    assign.save()  # a 重大隐患 without funds and plan: the form shows the rule's words
    QApplication.processEvents()
    save(assign, "ledger-assign")
    assign.reject()

    statistics = window.show_page("statistics")
    ctx.pool.wait()
    save(window, "statistics")
    bar = statistics.scroll_area.verticalScrollBar()
    bar.setValue(bar.maximum())
    save(window, "statistics-lists")



def render_sync_screens(ctx, window, save) -> None:  # type: ignore[no-untyped-def]
    """The settings page logged in (kept in memory: no keyring is touched here) and the conflicts view with one
    conflict and one rejection, as a sync leaves them."""
    import keyring
    from keyring.backends import fail
    from PySide6.QtWidgets import QApplication

    from inspector.core.clock import now_iso
    from inspector.core.ids import new_id
    from inspector.store import findings, profile, server_answers, settings
    from inspector.store.database import transaction
    from inspector.store.seed import OTHER_SUPERVISOR, STREET, SUPERVISOR
    from inspector.sync import config
    from inspector.sync.credentials import CredentialStore, account_key

    keyring.set_keyring(fail.Keyring())  # never a demo token in this computer's keyring
    server, username = "https://sync.chaoyang.example.gov.cn", "wangjg"
    user = {"id": SUPERVISOR.user_id, "username": username, "display_name": "王建国", "roles": ["supervisor"],
            "jurisdictions": [{"code": STREET[0]}]}  # fmt: skip
    config.save_account(ctx.db, server, {"user": user, "expires_at": ""}, "memory", None)
    CredentialStore().save(account_key(server, username, settings.device_id(ctx.db)), "demo")
    settings.put(ctx.db, config.LAST_SUCCESS, now_iso())
    first, second = [f for f in findings.list_findings(ctx.db, state="reported") if f.confirmed is not None][:2]
    actor = profile.local_actor(ctx.db, first.view.jurisdiction)
    accept = findings.record_command(ctx.db, action="accept", actor=actor, payload={"severity": "general"},
                                     finding_id=first.id)  # fmt: skip
    other = {"event_id": new_id(), "finding_id": first.id, "action": "accept", "actor_id": OTHER_SUPERVISOR.user_id,
             "at": now_iso(), "payload": {"severity": "general", "ledger_number": "朝阳-三里屯-2026-00042"},
             "base_state": "reported", "index": first.view.event_count + 1}  # fmt: skip
    with transaction(ctx.db):  # another supervisor was first: the feed brings their accept
        findings.on_pulled_event(ctx.db, other)
    taken = findings.get(ctx.db, first.id).confirmed
    assert taken is not None
    server_answers.conflict(ctx.db, accept.change_id, "illegal_state", "隐患当前为已挂账，不能「受理挂账」",
                         findings.finding_to_json(taken))  # fmt: skip
    reject = findings.record_command(ctx.db, action="reject", actor=actor, payload={"reason": "重复上报"},
                                     finding_id=second.id)  # fmt: skip
    server_answers.reject(ctx.db, reject.change_id, "out_of_jurisdiction", "辖区不在您负责的范围内")
    window.sync.refresh_state()
    window.show_page("settings")
    for _ in range(6):  # wrapped lines settle their heights over a few layout passes
        QApplication.processEvents()
    save(window, "settings-sync")
    dialog = window.status.sync_widget.open_conflicts()
    dialog.view.select_row(dialog.view.row_of(first.id))
    save(dialog, "conflicts")
    dialog.close()


if __name__ == "__main__":
    sys.exit(main())
