"""Helpers of the ledger, review and statistics tests: who works on the laptop, findings reported by an inspector,
and filling an action's form as a user does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QDateEdit, QLineEdit, QPlainTextEdit

from inspector.core.ledger import Action, Actor, Role
from inspector.store import findings, jurisdictions, photos, settings
from inspector.ui.ledger.action_dialogs import ActionDialog

STREET = "110105004000000"  # 三里屯街道
COMMUNITY = "110105004032000"
SUPERVISOR = "sup-1"
INSPECTOR = "ins-1"


def work_as(db: Any, user_id: str, *roles: str, scope: str = STREET) -> None:
    """What the sync engine's login records: the account, its roles and its jurisdictions."""
    settings.put(db, "user.id", user_id)
    settings.put(db, "user.roles", list(roles))
    settings.put(db, "user.jurisdictions", [scope])


def name_places(db: Any) -> None:
    jurisdictions.save(db, "110105000000000", "朝阳区")
    jurisdictions.save(db, STREET, "三里屯街道")


def report_finding(db: Any, folder: Any = None, photo: Path | None = None, **payload: Any) -> str:
    """A finding reported by an inspector on this laptop (with an evidence photo when given)."""
    body: dict[str, Any] = {
        "description": "店外堆放纸箱，占用人行道",
        "category": "乱堆乱放",
        "kind": "hazard",
        "source": "patrol",
        "severity": "general",
        "jurisdiction": COMMUNITY,
        "location": {"address": "三里屯路 19 号"},
        **payload,
    }
    if photo is not None:
        body["photos"] = [photos.import_photo(folder, db, photo).photo.sha256]
    actor = Actor(INSPECTOR, frozenset({Role.INSPECTOR}), frozenset({"110105000000000"}))  # 朝阳区
    return findings.record_command(db, action=Action.REPORT, actor=actor, payload=body).event.finding_id


def fill(dialog: ActionDialog, **values: Any) -> None:
    """Type into an action's form: text, a combo's value, or a date (datetime.date)."""
    for name, value in values.items():
        widget = dialog.inputs[name]
        if isinstance(widget, QLineEdit):
            widget.setText(value)
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(value)
        elif isinstance(widget, QComboBox):
            widget.setCurrentIndex(widget.findData(value))
        elif isinstance(widget, QDateEdit):
            widget.setDate(QDate(value.year, value.month, value.day))
        else:
            edit = widget.findChild(QDateEdit)
            assert edit is not None and dialog.use_deadline is not None, name
            dialog.use_deadline.setChecked(True)
            edit.setDate(QDate(value.year, value.month, value.day))


def save(qtbot: Any, dialog: ActionDialog) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()


def field_error(dialog: ActionDialog, name: str) -> str:
    label = dialog.errors[name]
    return label.text() if label.isVisibleTo(dialog) else ""
