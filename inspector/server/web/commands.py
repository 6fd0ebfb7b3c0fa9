"""Ledger commands from the web face's actors (the responsible unit, the public): sent through the same push path
as a laptop's, so the same core rules judge them, the hash chain records them and the feed carries them."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from inspector.core.clock import now_iso
from inspector.core.ledger import Role
from inspector.core.protocol import ChangeKind, Status
from inspector.server.api.deps import ServerContext
from inspector.server.push import Caller, push
from inspector.server.schemas import ChangeIn
from inspector.server.scope import Scope
from inspector.server.web.links import UnitLinks
from inspector.server.web.security import WebRefusalError


@dataclass(frozen=True)
class WebActor:
    """Who acts from a web page: an actor id (the unit's link, or one report), its role, its name, its scope."""

    actor_id: str
    role: Role
    name: str
    jurisdiction: str


def send(
    context: ServerContext,
    actor: WebActor,
    finding_id: str,
    action: str,
    payload: dict[str, Any],
    base_state: str | None,
) -> dict[str, Any]:
    """Apply one command as this actor; returns the applied result, or refuses with the rule's own reason."""
    scope = Scope.of(actor.actor_id, frozenset({actor.role}), [actor.jurisdiction])
    caller = Caller(actor.actor_id, actor.name, None, scope, unit_links=UnitLinks.of(context.settings))
    change = ChangeIn.model_validate(
        {
            "change_id": str(uuid.uuid4()),
            "kind": ChangeKind.LEDGER_COMMAND.value,
            "payload": {
                "event_id": str(uuid.uuid4()),
                "finding_id": finding_id,
                "action": action,
                "payload": payload,
                "base_state": base_state,
                "at": now_iso(),
            },
        }
    )
    reply = json.loads(push(context.db, caller, [change])[0])
    if reply.get("status") == Status.APPLIED.value:
        return dict(reply["result"])
    message = str(reply.get("message") or reply.get("code") or "")
    raise WebRefusalError(
        409 if reply.get("status") == Status.CONFLICT.value else 400,
        f"未能提交：{message}",
        f"not accepted: {message}",
    )
