"""The published contract: every route's reply schemas, error statuses and protocol headers in the OpenAPI document.

The routes return assembled JSON (a push reply is built from stored texts), so their reply shapes are declared here,
by route name, and written into the document FastAPI generates; tests validate real replies against it.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

from inspector.server.middleware import CLIENT_HEADER, PROTOCOL_HEADER, UNNEGOTIATED

REF = "#/components/schemas/{model}"


class _Open(BaseModel):
    """A reply object whose listed fields are always present; a newer server may add others."""

    model_config = ConfigDict(extra="allow")


class ValidationDetail(BaseModel):
    loc: list[str]
    msg: str


class ErrorBody(_Open):
    """Every error reply (protocol §3): a stable code and a "中文 (English)" message."""

    error: str = Field(description="stable error code (docs/sync-protocol.md)")
    message: str
    request_id: str | None = None
    details: list[ValidationDetail] | None = Field(None, description="422: where and what, never the input values")
    limit: int | None = Field(None, description="413: the limit exceeded")
    supported: list[int] | None = Field(None, description="426: the protocol versions this server speaks")
    min_client_version: str | None = Field(None, description="426: the oldest client version accepted")


class Health(BaseModel):
    status: str
    database: str
    schema_revision: str | None = Field(alias="schema")
    blobs: str


class VersionReply(BaseModel):
    protocol: int
    protocols_supported: list[int]
    server_version: str
    min_client_version: str
    limits: dict[str, int]


class JurisdictionRef(BaseModel):
    code: str
    name: str | None
    short_name: str | None


class UserDocument(BaseModel):
    id: str
    username: str
    display_name: str
    roles: list[str]
    jurisdictions: list[JurisdictionRef]


class DeviceUser(BaseModel):
    id: str
    username: str


class DeviceDocument(BaseModel):
    id: str
    device_id: str
    name: str | None
    created_at: str
    last_seen_at: str | None
    revoked_at: str | None
    user: DeviceUser | None = None


class LoginReply(BaseModel):
    token: str
    token_type: str
    expires_at: str
    user: UserDocument
    device: DeviceDocument


class MeReply(BaseModel):
    user: UserDocument
    device: DeviceDocument
    token_expires_at: str


class DeviceList(BaseModel):
    items: list[DeviceDocument]


class OriginalResult(_Open):
    """The first result of a change (in a `duplicate` result); the fields beyond status depend on the status."""

    status: str = Field(description="applied, rejected or conflict")
    code: str | None = None
    message: str | None = None
    retryable: bool | None = None
    result: dict[str, Any] | None = None
    current: dict[str, Any] | None = None
    missing: list[str] | None = None


class PushResult(OriginalResult):
    """One change's result (protocol §5); the fields beyond change_id and status depend on the status."""

    change_id: str | None
    status: str = Field(description="applied, duplicate, rejected or conflict")
    original: OriginalResult | None = None


class PushReply(BaseModel):
    results: list[PushResult]
    server_time: str


class FeedEntry(_Open):
    seq: int
    kind: str
    id: str | None
    data: dict[str, Any] | None


class FeedReply(BaseModel):
    entries: list[FeedEntry]
    next: int
    has_more: bool
    head: int | None


class RecordPage(BaseModel):
    """One keyset page: `next` is the key to pass as `after` for the following page, null on the last."""

    items: list[dict[str, Any]]
    next: str | None


class FindingReply(BaseModel):
    finding: dict[str, Any]
    events: list[dict[str, Any]]


class Record(_Open):
    """A stored document (subject, inspection, checklist version) as the feed carries it."""


class MissingReply(BaseModel):
    missing: list[str]


class BatchResult(_Open):
    sha256: str


class BatchReply(BaseModel):
    results: list[BatchResult]


class UploadTargetsReply(BaseModel):
    targets: list[BatchResult]


class CommitReply(BaseModel):
    results: list[BatchResult]


class BlobStored(BaseModel):
    sha256: str
    size: int
    created: bool


class UploadState(BaseModel):
    offset: int
    size: int
    complete: bool


class UnitLinkIssued(BaseModel):
    finding_id: str
    url: str


class UnitLinkRevoked(BaseModel):
    finding_id: str
    revoked: int


class SelfCheckLinkIssued(BaseModel):
    subject_id: str
    url: str


class SelfCheckLinkRevoked(BaseModel):
    subject_id: str
    revoked: int


# route name -> {success status: model or None (no body)}
SUCCESS: dict[str, dict[int, type[BaseModel] | None]] = {
    "healthz": {200: Health},
    "version": {200: VersionReply},
    "post_login": {200: LoginReply},
    "post_logout": {204: None},
    "get_me": {200: MeReply},
    "get_devices": {200: DeviceList},
    "post_revoke": {200: DeviceDocument},
    "get_jurisdictions": {200: RecordPage},
    "get_people": {200: RecordPage},
    "get_checklists": {200: RecordPage},
    "get_checklist": {200: Record},
    "get_subjects": {200: RecordPage},
    "get_subject": {200: Record},
    "get_findings": {200: RecordPage},
    "get_finding": {200: FindingReply},
    "get_inspections": {200: RecordPage},
    "get_inspection": {200: Record},
    "post_push": {200: PushReply},
    "get_feed": {200: FeedReply},
    "post_missing": {200: MissingReply},
    "post_batch": {200: BatchReply},
    "post_targets": {200: UploadTargetsReply},
    "post_commit": {200: CommitReply},
    "put_blob": {200: BlobStored, 201: BlobStored},
    "get_blob": {200: None},
    "post_upload": {200: UploadState},
    "head_upload": {200: None},
    "patch_upload": {200: UploadState, 201: UploadState},
    "issue_unit_link": {200: UnitLinkIssued},
    "revoke_unit_link": {200: UnitLinkRevoked},
    "issue_self_check_link": {200: SelfCheckLinkIssued},
    "revoke_self_check_link": {200: SelfCheckLinkRevoked},
}

# route name -> error statuses beyond the common ones (see `_error_statuses`)
ERRORS: dict[str, set[int]] = {
    "healthz": {503},
    "post_login": {401, 403, 422, 429},
    "get_devices": {403, 422},
    "post_revoke": {403, 404, 422},
    "get_jurisdictions": {422},
    "get_people": {422},
    "get_checklist": {404},
    "get_subjects": {422},
    "get_subject": {404},
    "get_findings": {422},
    "get_finding": {404},
    "get_inspections": {422},
    "get_inspection": {404},
    "post_push": {422},
    "get_feed": {422},
    "post_missing": {422},
    "post_batch": {411, 422, 503},
    "post_targets": {422},
    "post_commit": {422, 503},
    "put_blob": {411, 422, 503},
    "get_blob": {404},
    "post_upload": {422, 503},
    "head_upload": {404},
    "patch_upload": {409, 411, 422, 503},
    "issue_unit_link": {403, 404, 422},
    "revoke_unit_link": {403, 404, 422},
    "issue_self_check_link": {403, 404, 422},
    "revoke_self_check_link": {403, 404, 422},
}

WRITES = {
    "post_login",
    "post_logout",
    "post_revoke",
    "post_push",
    "post_batch",
    "post_commit",
    "put_blob",
    "post_upload",
    "patch_upload",
    "issue_unit_link",
    "revoke_unit_link",
    "issue_self_check_link",
    "revoke_self_check_link",
}

SERVER_HEADERS = {
    "X-Request-Id": "The request's id, also in the server's log line and in every error body",
    "X-Inspector-Protocol": "The protocol version of the reply",
    "X-Inspector-Server": "The server's version",
}

STATUS_TEXT = {
    400: "Bad request: malformed JSON or a bad header",
    401: "Not authenticated: no, unknown, expired or revoked token; or wrong password at login",
    403: "Not allowed for the caller's role, or the account is disabled",
    404: "No such record, or one outside the caller's jurisdictions (the same reply)",
    409: "The resumable upload was not started",
    411: "Content-Length is required",
    413: "Body or batch over the server's limit (`limit` in the body)",
    422: "The request does not match the protocol (`details` says where)",
    426: "Protocol header missing or unsupported, or the client is too old",
    429: "Too many failed logins: wait `Retry-After` seconds",
    500: "Unexpected server error (logged with the request id)",
    503: "The database does not answer or its schema is not migrated (`unavailable`), or the photo store cannot be "
    "written (`storage_unwritable`) or does not answer (`storage_unavailable`), with `Retry-After`",
    507: "The server's disk is full: try again after `Retry-After` seconds",
}


def _error_statuses(name: str, path: str, operation: dict[str, Any]) -> set[int]:
    # 400/422 on any route: a NUL or an over-long value in a header, the path or the query is refused before routing
    statuses = {400, 413, 422, 500} | ERRORS.get(name, set())
    if _negotiated(path):
        statuses.add(426)
    if operation.get("security"):
        statuses.add(401)
    if name in WRITES:
        statuses.add(507)
    return statuses


def _negotiated(path: str) -> bool:
    return path.startswith("/api/v1/") and not path.startswith(UNNEGOTIATED)


def _route_name(operation_id: str) -> str | None:
    """The route whose generated operationId this is (`<name>_<path>_<method>`)."""
    names = [name for name in SUCCESS if operation_id.startswith(name + "_")]
    return max(names, key=len) if names else None


def _component_schemas() -> dict[str, Any]:
    models: list[type[BaseModel]] = [ErrorBody]
    models += {model for replies in SUCCESS.values() for model in replies.values() if model is not None}
    pairs: list[tuple[type[BaseModel], Literal["serialization"]]] = [(model, "serialization") for model in models]
    _, document = models_json_schema(pairs, ref_template=REF)
    return dict(document.get("$defs", {}))


def _reply(description: str, schema: dict[str, Any] | None, headers: dict[str, Any]) -> dict[str, Any]:
    reply: dict[str, Any] = {"description": description, "headers": headers}
    if schema is not None:
        reply["content"] = {"application/json": {"schema": schema}}
    return reply


def contract(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of the app with the protocol's replies, errors and headers written in."""
    document = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes, tags=app.openapi_tags
    )
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    components.update(_component_schemas())
    headers = {name: {"description": text, "schema": {"type": "string"}} for name, text in SERVER_HEADERS.items()}
    error_ref = {"$ref": REF.format(model="ErrorBody")}
    for path, operations in document["paths"].items():
        for operation in operations.values():
            name = _route_name(operation.get("operationId", ""))
            if name is None:
                continue
            replies: dict[str, Any] = {}
            for status, model in SUCCESS[name].items():
                if name == "get_blob":
                    replies[str(status)] = _reply("The blob's bytes", None, headers)
                    replies[str(status)]["content"] = {"application/octet-stream": {"schema": {}}}
                    continue
                schema = None if model is None else {"$ref": REF.format(model=model.__name__)}
                replies[str(status)] = _reply(_success_text(status), schema, headers)
            for status in sorted(_error_statuses(name, path, operation)):
                replies[str(status)] = _reply(STATUS_TEXT[status], error_ref, headers)
            operation["responses"] = replies
            if _negotiated(path):
                operation.setdefault("parameters", []).extend(_protocol_parameters())
    return document


def _success_text(status: int) -> str:
    return {200: "Success", 201: "Created", 204: "Done (no body)"}.get(status, "Success")


def _protocol_parameters() -> list[dict[str, Any]]:
    return [
        {
            "name": PROTOCOL_HEADER,
            "in": "header",
            "required": True,
            "description": "The protocol version the client speaks (1)",
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
        },
        {
            "name": CLIENT_HEADER,
            "in": "header",
            "required": False,
            "description": "The client product and version, e.g. `inspector/0.1.0 (Windows)`; too old gets 426",
            "schema": {"type": "string", "maxLength": 200},
        },
    ]


def install_contract(app: FastAPI) -> None:
    """Serve `contract(app)` (built once, on first request) as the app's OpenAPI document."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = contract(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


DOCS_PATH = "/api/v1/docs"


def install_docs(app: FastAPI, openapi_url: str) -> None:
    """Swagger UI at /api/v1/docs from files shipped with the server (fastapi-offline's copy), so it works on an
    intranet with no way to a CDN."""
    from importlib.resources import files

    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles

    static = files("fastapi_offline") / "static"
    app.mount(f"{DOCS_PATH}/static", StaticFiles(directory=str(static)), name="docs-static")

    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} — API",
            swagger_js_url=f"{DOCS_PATH}/static/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_PATH}/static/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_PATH}/static/favicon.png",
        )

    app.add_api_route(DOCS_PATH, swagger_ui, methods=["GET"], include_in_schema=False)
