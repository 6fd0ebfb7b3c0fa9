"""Push (client changes in) and the feed (server changes out)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from inspector.core.clock import now_iso
from inspector.core.protocol import ErrorCode
from inspector.server import feed, metrics
from inspector.server.api.deps import Context, CurrentPrincipal, CurrentScope, page_limit
from inspector.server.encoding import dumps
from inspector.server.errors import ApiError
from inspector.server.push import Caller, push
from inspector.server.schemas import PushIn
from inspector.server.web.links import UnitLinks

router = APIRouter(prefix="/api/v1", tags=["sync"])


@router.post("/push", summary="Apply a batch of client changes; one result per change, in order")
def post_push(body: PushIn, principal: CurrentPrincipal, scope: CurrentScope, context: Context) -> Response:
    limit = context.settings.max_push_changes
    if len(body.changes) > limit:
        raise ApiError(
            413,
            ErrorCode.PAYLOAD_TOO_LARGE,
            f"一次最多推送 {limit} 条变更 (at most {limit} changes per push)",
            {"limit": limit},
        )
    skew = timedelta(seconds=context.settings.max_clock_skew_seconds)
    caller = Caller(
        principal.user_id, principal.display_name, principal.device_row_id, scope, skew, UnitLinks.of(context.settings)
    )
    results = push(context.db, caller, body.changes)
    metrics.count_push_results(results)
    return json_reply(f'{{"results":[{",".join(results)}],"server_time":{dumps(now_iso())}}}')


@router.get("/feed", summary="Changes after a cursor, filtered by the caller's jurisdictions")
def get_feed(
    scope: CurrentScope,
    context: Context,
    since: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query()] = 200,
) -> Response:
    limit = page_limit(limit, context.settings.max_feed_limit)
    with context.db.read() as session:
        page = feed.read_page(session, scope, since, limit)
    metrics.FEED_LAG.observe(max(0, page.head - since))
    return json_reply(page.to_json())


def json_reply(text: str) -> Response:
    """A 200 reply whose JSON text was assembled from stored or already encoded parts."""
    return Response(text.encode("utf-8"), media_type="application/json")
