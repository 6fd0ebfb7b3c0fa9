"""Who may act on the ledger from this laptop, and ledger commands as the interface issues them.

The signed-in account's roles and jurisdictions come from the settings the sync engine's login writes
(`profile.local_actor`); before any login this installation acts as an inspector. Every action is a local
command checked by the core state machine and queued for the server (`findings.record_command`): it shows as waiting
until the server answers, then as applied, as a conflict (stale, may be re-applied) or as rejected for good.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication

from inspector.core.ledger import Action, Actor, Role
from inspector.store import findings, profile
from inspector.store.findings import LocalFinding, RecordedCommand
from inspector.store.sync_state import CONFLICT, REJECTED, Refusal
from inspector.ui.sync.badges import PENDING, finding_state

if TYPE_CHECKING:
    from sqlite_utils import Database

translate = QCoreApplication.translate


def actor_for(db: Database, jurisdiction: str | None) -> Actor:
    """The actor for a command on a record of this jurisdiction."""
    return profile.local_actor(db, jurisdiction)


def is_supervisor(db: Database) -> bool:
    return Role.SUPERVISOR in profile.user_roles(db)


def record(db: Database, finding: LocalFinding, action: Action, payload: Mapping[str, Any]) -> RecordedCommand:
    """Queue an action on a finding as the current user; raises CommandRefusedError with the rule's reason."""
    actor = actor_for(db, finding.view.jurisdiction)
    return findings.record_command(db, action=action, actor=actor, payload=dict(payload), finding_id=finding.id)


def sync_labels() -> tuple[str, str, str, str]:
    """冲突, 被拒绝, 等待服务器确认, 已同步 in the interface language."""
    return (
        translate("LedgerActions", "冲突"),
        translate("LedgerActions", "被拒绝"),
        translate("LedgerActions", "等待服务器确认"),
        translate("LedgerActions", "已同步"),
    )


def sync_label(finding: LocalFinding, refusal: Refusal | None = None) -> str:
    """冲突 / 被拒绝 / 等待服务器确认 / 已同步 for a finding. The finding's flag only says "refused"; whether the server
    rejected the command for good or found it stale is in its open conflict record (`refusal`, see sync_badges)."""
    conflict, rejected, waiting, synced = sync_labels()
    state = finding_state(finding.has_pending, finding.has_conflict, refusal)
    return {CONFLICT: conflict, REJECTED: rejected, PENDING: waiting}.get(state, synced)


def event_sync_label(state: str) -> str:
    """An event's sync state: waiting for the server, applied, conflict, refused."""
    return {
        "pending": translate("LedgerActions", "等待服务器确认"),
        "acknowledged": translate("LedgerActions", "已生效"),
        "conflict": translate("LedgerActions", "冲突"),
        "rejected": translate("LedgerActions", "被拒绝"),
    }.get(state, state)
