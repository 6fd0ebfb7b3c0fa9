"""A 重大隐患 assigned with its 治理方案 as a PDF: the supervisor's laptop uploads the document with the command, the
server keeps it, and the inspector's laptop pulls the case and the very same bytes."""

from __future__ import annotations

from collections.abc import Callable

from e2e_support import Client, ServerProcess, assign_payload, deadline_in

from inspector.store import documents
from inspector.store.files import sha256_bytes

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%\xe6\xb2\xbb\xe7\x90\x86\ntrailer\n%%EOF\n"  # binary bytes too


def test_a_governance_plan_pdf_syncs_to_the_other_laptop(
    server: ServerProcess, make_client: Callable[..., Client]
) -> None:
    inspector, supervisor = make_client("inspector"), make_client("supervisor")
    inspector.login(server.url, "ins")
    supervisor.login(server.url, "sup")
    _, finding_id = inspector.inspection_with_finding(1, inspector.subject("三里屯北小街"))
    assert inspector.sync().all_acknowledged
    assert supervisor.sync().outcome == "ok"

    source = supervisor.camera / "治理方案.pdf"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(PDF)
    plan = documents.import_document(supervisor.folder, source)
    assert plan == sha256_bytes(PDF)
    supervisor.command(finding_id, "accept", {"severity": "major"})
    supervisor.command(finding_id, "assign", {
        **assign_payload(), "funds": "专项经费", "contingency_plan": "设置围挡", "interim_controls": "专人值守",
        "governance_plan": [plan], "reported_upward_to": "朝阳区城市管理委", "reported_upward_on": deadline_in(0),
    })  # fmt: skip
    sent = supervisor.sync()
    assert sent.outcome == "ok" and sent.all_acknowledged, sent
    assert sent.photos_uploaded == 1 and supervisor.outbox_count() == 0
    with server.database() as connection:
        assert connection.execute("SELECT count(*) FROM blob_holders WHERE sha256 = ?", (plan,)).fetchone()[0] >= 1

    pulled = inspector.sync()
    assert pulled.outcome == "ok", pulled.error
    seen = inspector.finding(finding_id).view
    assert seen.state.value == "assigned" and seen.governance_plan == (plan,)
    assert documents.document_path(inspector.folder, plan).read_bytes() == PDF
    assert documents.stored_among(inspector.folder, [plan]) == {plan}
