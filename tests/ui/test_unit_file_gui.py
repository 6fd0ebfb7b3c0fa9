"""The 门前三包 cycle in the window: the subjects page warns of 责任书 due for renewal, a unit's file (一户一码一档)
records a renewed 责任书 with its scanned PDF and exports the file as a PDF, and a 巡查日志 is recorded and listed."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt

from inspector.core.unit_cycle import pledge_of
from inspector.store import documents, outbox, subjects, unit_cycle

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"


def test_a_units_file_renews_its_pledge_and_a_patrol_log_is_recorded(  # type: ignore[no-untyped-def]
    started, qtbot, tmp_path: Path, photo_files: list[Path]
) -> None:
    ctx = started.ctx
    unit = subjects.create(ctx.db, kind="street_front_unit", name="老北京炸酱面", jurisdiction="110105004032000",
                           code="MQ-7").id  # fmt: skip
    lapsed = date.today() - timedelta(days=400)
    unit_cycle.record_pledge(ctx.db, unit, signed_on=lapsed, term_months=12, signer="王")
    page = started.window.show_page("subjects")
    page.reload()
    assert page.renewals.isVisibleTo(page) and "1 家已过期" in page.renewals.text()

    page.select(unit)
    dialog = page.open_file()
    assert dialog is not None and "已过期" in dialog.standing.text() and "MQ-7" in dialog.heading.text()
    qtbot.waitUntil(lambda: dialog.loaded, timeout=20_000)
    assert dialog.points.rowCount() == 6 and dialog.points.item(5, 2).text() == "100"  # six months, nothing deducted
    scan = tmp_path / "责任书.pdf"
    scan.write_bytes(PDF)
    dialog.take_scan(scan)
    assert not dialog.save_button.isEnabled()  # the scan is stored on a worker; saving waits for it
    qtbot.waitUntil(lambda: dialog.scan_worker is None, timeout=20_000)
    today = QDate.currentDate()
    dialog.signed_on.setDate(today)
    dialog.term.setValue(24)
    dialog.signer.setText("王经理")
    dialog.save_button.click()
    assert not dialog.error.isVisibleTo(dialog), dialog.error.text()
    pledge = pledge_of(subjects.get(ctx.db, unit).extra)
    assert pledge is not None and (pledge.signer, pledge.term_months) == ("王经理", 24)
    assert pledge.scan and documents.document_path(ctx.folder, pledge.scan).read_bytes() == PDF
    assert "有效" in dialog.standing.text() and pledge.scan in outbox.queued_photo_hashes(ctx.db)
    qtbot.waitUntil(lambda: not page.renewals.isVisibleTo(page), timeout=5000)

    target = tmp_path / "档案.pdf"
    dialog.export_to(target)
    qtbot.waitUntil(lambda: dialog.exported == target, timeout=20_000)
    assert target.read_bytes().startswith(b"%PDF-")
    dialog.close()

    # 巡查日志: refused without a street, then recorded, listed and queued
    lane = subjects.create(ctx.db, kind="back_street", name="幸福村北巷", jurisdiction="110105004032000").id
    dialog = page.open_patrols()
    dialog.save_button.click()
    assert dialog.error.isVisibleTo(dialog)  # no street ticked
    [item] = [dialog.streets.item(index) for index in range(dialog.streets.count())]
    item.setCheckState(Qt.CheckState.Checked)
    dialog.checks[0][0].setText("暴露垃圾")
    dialog.checks[0][1].setCurrentIndex(1)
    dialog.add_photos(photo_files[:1])
    assert not dialog.save_button.isEnabled()  # the photo is stored on a worker; saving waits for it
    qtbot.waitUntil(lambda: dialog.photo_worker is None, timeout=20_000)
    assert len(dialog.photo_hashes) == 1
    dialog_photos = list(dialog.photo_hashes)
    dialog.save_button.click()
    assert not dialog.error.isVisibleTo(dialog), dialog.error.text()
    [entry] = unit_cycle.list_patrols(ctx.db)
    assert entry.log.streets == (lane,) and [(c.item, c.result) for c in entry.log.checks] == [("暴露垃圾", "fail")]
    assert list(entry.log.photos) == dialog_photos
    assert dialog.logs.rowCount() == 1 and "幸福村北巷" in dialog.logs.item(0, 2).text()
    assert [entry.kind for entry in outbox.list_pending(ctx.db)][-1] == "patrol.submit"
    dialog.close()
