"""Names, never ids: the server's name directory reaches the laptop, and every document the laptop writes names
people (the inspector, the supervisor) by their display names; no 32-hex-digit id appears in any of them."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from e2e_support import Client, ServerProcess, assign_payload

from inspector import exports
from inspector.store import findings, people
from inspector.store.ledger_queries import LedgerQuery, LedgerSort
from inspector.sync.client import ProtocolClient

HEX_ID = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")


def pdf_text(pdf: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run([tool, str(pdf), "-"], capture_output=True, check=True).stdout.decode("utf-8")


def test_the_directory_names_the_people_records_hold(
    server: ServerProcess, make_client: Callable[..., Client], tmp_path: Path
) -> None:
    inspector = make_client("inspector")
    supervisor = make_client("supervisor")
    inspector.login(server.url, "ins")
    supervisor.login(server.url, "sup")
    subject_id = inspector.subject("三里屯北小街", code="CY-SLT-0001")
    inspection_id, finding_id = inspector.inspection_with_finding(1, subject_id)
    assert inspector.sync().all_acknowledged

    # The supervisor's laptop learns every name of its district from GET /people, its own included.
    assert supervisor.sync().outcome == "ok"
    with supervisor.db() as db:
        names = people.display_names(db)
    inspector_id = inspector.actor().user_id
    assert names[inspector_id] == "ins-name"
    assert names[supervisor.actor().user_id] == "sup-name"
    supervisor.command(finding_id, "accept", {"severity": "general"})
    supervisor.command(finding_id, "assign", assign_payload())
    assert supervisor.sync().all_acknowledged
    assert inspector.sync().outcome == "ok"
    with inspector.db() as db:  # the supervisor who acted is named on the inspector's laptop too
        assert people.display_names(db)[supervisor.actor().user_id] == "sup-name"
        actors = {stored.event.actor_id for stored in findings.events(db, finding_id)}
        assert all(people.name_of(people.display_names(db), actor) != people.UNKNOWN_ZH for actor in actors)

    out = tmp_path / "out"
    out.mkdir()
    exports.export_notice(supervisor.folder, finding_id, out / "notice.pdf")
    exports.export_inspection(supervisor.folder, inspection_id, out / "record.pdf")
    exports.export_ledger(supervisor.folder, LedgerQuery(), LedgerSort(), out / "ledger.xlsx", "三里屯")
    notice = re.sub(r"\s+", "", pdf_text(out / "notice.pdf"))
    record = re.sub(r"\s+", "", pdf_text(out / "record.pdf"))
    assert "检查人ins-name" in notice
    assert "检查人ins-name" in record
    for text in (notice, record):
        assert not HEX_ID.search(text), HEX_ID.search(text)


def test_the_directory_is_scoped_and_paged(server: ServerProcess, make_client: Callable[..., Client]) -> None:
    client = make_client("inspector")
    client.login(server.url, "ins")
    from inspector.sync import config
    from inspector.sync.credentials import CredentialStore, account_key

    with client.db() as db:
        cfg = config.read_config(db)
    token = CredentialStore().load(account_key(cfg.server_url, cfg.username, cfg.device_id))
    assert token is not None
    with ProtocolClient(server.url, cfg.http, token=token.token) as api:
        first = api.get_json("/people?limit=2")
        assert len(first["items"]) == 2 and first["next"]
        seen = {item["display_name"] for item in first["items"]}
        after = first["next"]
        while after:
            page = api.get_json(f"/people?limit=2&after={after}")
            seen |= {item["display_name"] for item in page["items"]}
            after = page["next"]
    # The 三里屯 users and the district's people above them; not 建外's.
    assert {"ins-name", "ins2-name", "sup-name", "sup2-name", "三里屯巡查员", "区城管委督查员"} <= seen
    assert "建外巡查员" not in seen
