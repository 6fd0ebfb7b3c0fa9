"""A change the server refused for a field the user can fix (a jurisdiction not in the tree or too coarse, one
outside the account's area, a subject code already taken): the field is edited and the change queued again, instead
of being dropped and the work typed again. The refusal's code names the field."""

from __future__ import annotations

import copy
from typing import Any

from sqlite_utils import Database

from inspector.core.clock import now_iso
from inspector.core.protocol import ChangeKind, PushCode
from inspector.store import conflicts, findings, jsonutil, jurisdiction_tree, outbox
from inspector.store.conflicts import Conflict
from inspector.store.database import transaction
from inspector.store.errors import InvalidRecordError

# The field each fixable refusal is about.
FIXABLE: dict[str, str] = {
    PushCode.UNKNOWN_JURISDICTION: "jurisdiction",
    PushCode.JURISDICTION_TOO_COARSE: "jurisdiction",
    PushCode.OUT_OF_JURISDICTION: "jurisdiction",
    PushCode.CODE_TAKEN: "code",
}
_REPORTS = ("report", "report_fixed_on_site")


def _fields(conflict: Conflict) -> dict[str, Any] | None:
    """The part of the refused change's payload that holds its fields (None when it has none this can edit)."""
    payload = conflict.local_payload
    if conflict.kind == ChangeKind.LEDGER_COMMAND:
        inner = payload.get("payload")
        return inner if payload.get("action") in _REPORTS and isinstance(inner, dict) else None
    if conflict.kind == ChangeKind.SUBJECT_UPDATE:
        inner = payload.get("fields")
        return inner if isinstance(inner, dict) else None
    return payload


def fixable_field(conflict: Conflict) -> str | None:
    """The field the refusal names, when the user can edit it and send the change again; else None."""
    if conflict.resolved_at is not None:
        return None
    field = FIXABLE.get(conflict.code)
    fields = _fields(conflict)
    if field is None or fields is None:
        return None
    if field == "code" and not conflict.kind.startswith("subject."):
        return None
    if field == "jurisdiction" and conflict.kind == ChangeKind.SUBJECT_UPDATE and field not in fields:
        return None
    return field


def current_value(conflict: Conflict) -> str:
    """The refused value of the field, to start the edit from."""
    field = fixable_field(conflict)
    fields = _fields(conflict) or {}
    return str(fields.get(field) or "") if field else ""


def resend(db: Database, conflict: Conflict, value: str) -> str:
    """Queue the refused change again with the field set to `value` (checked as the server would), keep the record
    in step, and mark the conflict re-applied — one transaction. Returns the new change id."""
    field = fixable_field(conflict)
    if field is None:
        raise InvalidRecordError("这项变更不能修改后重新提交", "this change cannot be edited and sent again")
    if field == "jurisdiction":
        value = jurisdiction_tree.check(db, value)
    else:
        value = value.strip()
        if not value:
            raise InvalidRecordError("编码不能为空", "the code cannot be empty")
    payload = copy.deepcopy(conflict.local_payload)
    inner: dict[str, str] = {ChangeKind.LEDGER_COMMAND: "payload", ChangeKind.SUBJECT_UPDATE: "fields"}
    target = inner.get(conflict.kind)
    fields = payload[target] if target else payload
    fields[field] = value
    with transaction(db):
        if conflict.kind == ChangeKind.LEDGER_COMMAND:
            db.execute(
                "UPDATE finding_events SET payload = ?, sync_state = 'pending', reason = NULL, updated_at = ? "
                "WHERE event_id = ?",
                [jsonutil.dumps(fields), now_iso(), payload.get("event_id")],
            )
        elif conflict.kind.startswith("subject."):
            db.execute(f"UPDATE subjects SET {field} = ?, sync_state = 'pending' WHERE id = ?",
                       [value, conflict.entity_id])  # fmt: skip
        elif conflict.kind == ChangeKind.INSPECTION_SUBMIT:
            db.execute("UPDATE inspections SET jurisdiction = ?, sync_state = 'pending' WHERE id = ?",
                       [value, conflict.entity_id])  # fmt: skip
        elif conflict.kind == ChangeKind.PATROL_SUBMIT:
            db.execute("UPDATE patrol_logs SET jurisdiction = ?, data = json_set(data, '$.jurisdiction', ?), "
                       "sync_state = 'pending' WHERE id = ?", [value, value, conflict.entity_id])  # fmt: skip
        change_id = outbox.enqueue(db, ChangeKind(conflict.kind), conflict.entity_id, payload)
        conflicts.resolve(db, conflict.id, "reapplied")
        if conflict.kind == ChangeKind.LEDGER_COMMAND:
            findings.refresh(db, str(payload.get("finding_id") or conflict.entity_id))
    return change_id
