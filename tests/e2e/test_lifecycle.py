"""Two clients and the real server: a finding with photos goes up, is accepted, assigned, rectified with an
after-photo and closed, and each client ends with the server's state."""

from __future__ import annotations

from collections.abc import Callable

from e2e_support import Client, ServerProcess, assert_cursor_consistent, assert_server_holds_exactly, assign_payload

from inspector.store import findings, inspections, photos
from inspector.store import subjects as subject_store
from inspector.sync.client import ProtocolClient


def test_inspector_and_supervisor_close_a_finding(server: ServerProcess, make_client: Callable[..., Client]) -> None:
    inspector = make_client("inspector")
    supervisor = make_client("supervisor")
    inspector.login(server.url, "ins")
    supervisor.login(server.url, "sup")

    subject_id = inspector.subject("三里屯北小街", code="CY-SLT-0001")
    inspection_id, finding_id = inspector.inspection_with_finding(1, subject_id)
    evidence = inspector.finding(finding_id).view.photos

    first = inspector.sync()
    assert first.outcome == "ok", first.error
    assert first.all_acknowledged
    assert first.photos_uploaded == 1 and first.acknowledged == 3  # subject, inspection, report
    assert inspector.outbox_count() == 0
    with inspector.db() as db:
        assert subject_store.get(db, subject_id).sync_state == "synced"
        assert inspections.get(db, inspection_id).sync_state == "synced"
        assert photos.get_photo(db, evidence[0]).uploaded

    # The supervisor pulls the finding, its inspection and its photo, then accepts and assigns it.
    pulled = supervisor.sync()
    assert pulled.outcome == "ok", pulled.error
    assert pulled.photos_downloaded == 1
    seen = supervisor.finding(finding_id)
    assert seen.view.state.value == "reported" and seen.view.photos == evidence
    with supervisor.db() as db:
        assert inspections.get(db, inspection_id).status == "finished"
        assert subject_store.get(db, subject_id).name == "三里屯北小街"
        assert supervisor.folder.photo_path(evidence[0]).is_file()
    supervisor.command(finding_id, "accept", {"severity": "general"})
    supervisor.command(finding_id, "assign", assign_payload())
    assert supervisor.finding(finding_id).has_pending
    assigned = supervisor.sync()
    assert assigned.all_acknowledged, assigned
    on_supervisor = supervisor.finding(finding_id)
    assert on_supervisor.view.state.value == "assigned" and not on_supervisor.has_pending
    ledger_number = on_supervisor.view.ledger_number
    assert ledger_number and ledger_number.startswith("朝阳-三里屯-")

    # The inspector pulls the new state, with the number only the server gives.
    assert inspector.sync().outcome == "ok"
    on_inspector = inspector.finding(finding_id)
    assert on_inspector.view.state.value == "assigned"
    assert on_inspector.view.ledger_number == ledger_number
    assert on_inspector.view.responsible_unit == "某某物业"

    # Rectification with an after-photo, then closure by the supervisor.
    after = inspector.photo(99)
    inspector.command(finding_id, "rectify", {"description": "已拆除", "after_photos": [after]})
    rectified = inspector.sync()
    assert rectified.all_acknowledged and rectified.photos_uploaded == 1
    assert supervisor.sync().outcome == "ok"
    assert supervisor.finding(finding_id).view.after_photos == (after,)
    assert supervisor.folder.photo_path(after).is_file()
    supervisor.command(finding_id, "verify_pass", {"opinion": "整改到位"})
    assert supervisor.sync().all_acknowledged

    assert inspector.sync().outcome == "ok"
    closed = inspector.finding(finding_id)
    assert closed.view.state.value == "closed" and closed.view.closed_at is not None
    with inspector.db() as db:
        timeline = [stored.event.action.value for stored in findings.events(db, finding_id)]
        assert timeline == ["report", "accept", "assign", "rectify", "verify_pass"]
        assert all(stored.sync_state == "acknowledged" for stored in findings.events(db, finding_id))

    again = inspector.sync()  # a second sync right after sends and pulls nothing
    assert again.all_acknowledged
    assert (again.photos_uploaded, again.photo_bytes_sent, again.pushed, again.pulled) == (0, 0, 0, 0)

    assert_server_holds_exactly(server, [inspector, supervisor])
    assert_cursor_consistent(server, inspector)
    assert_cursor_consistent(server, supervisor)


def test_an_interrupted_large_upload_resumes_where_the_server_stopped(
    server: ServerProcess, make_client: Callable[..., Client]
) -> None:
    client = make_client("inspector", {"sync.resumable_threshold": "50000", "sync.chunk_bytes": "20000"})
    client.login(server.url, "ins")
    client.inspection_with_finding(8, client.subject("团结湖路"))
    with client.db() as db:
        [sha] = [row[0] for row in db.execute("SELECT sha256 FROM photos")]
    data = client.folder.photo_path(sha).read_bytes()
    assert len(data) > 50000

    # A first attempt got two chunks to the server and then broke off (as if the laptop lost its network).
    with ProtocolClient(server.url, token=_token(client)) as http:
        start = http.post_json(f"/blobs/{sha}/upload", {"size": len(data)})
        assert start["offset"] == 0
        for offset in (0, 20000):
            http.request(
                "PATCH",
                f"/api/v1/blobs/{sha}/upload",
                data=data[offset : offset + 20000],
                headers={"Upload-Offset": str(offset)},
            )

    summary = client.sync()
    assert summary.all_acknowledged and summary.photos_uploaded == 1
    assert summary.photo_bytes_sent == len(data) - 40000  # only the rest was sent
    stored = server.blob_dir() / sha[:2] / sha[2:4] / sha
    assert stored.read_bytes() == data


def _token(client: Client) -> str:
    from inspector.sync import config
    from inspector.sync.credentials import CredentialStore, account_key

    with client.db() as db:
        cfg = config.read_config(db)
    found = CredentialStore().load(account_key(str(cfg.server_url), str(cfg.username), cfg.device_id))
    assert found is not None
    return found.token
