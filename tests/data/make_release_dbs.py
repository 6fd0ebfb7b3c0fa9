"""Make the previous release's databases kept as migration test data (run once with that release's code).

Writes `release-0.1-client.sqlite` (a laptop's database: `seed_demo_data`, small) and `release-0.1-server.sqlite`
(a district server on SQLite after two laptops synced findings from a 背街小巷 and a "1+10" gas checklist through
every ledger state, graded 一般 and 重大, with a 督办) next to this file.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "e2e"))

from e2e_support import (  # noqa: E402
    SLT_COMMUNITY,
    Client,
    ServerProcess,
    assign_payload,
    build_server_template,
    deadline_in,
)

from inspector.store import checklists, findings, inspections  # noqa: E402
from inspector.store.database import open_data_folder  # noqa: E402
from inspector.store.seed import seed_demo_data  # noqa: E402


def _vacuum_copy(source: Path, target: Path) -> None:
    connection = sqlite3.connect(source)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        target.unlink(missing_ok=True)
        connection.execute("VACUUM INTO ?", (str(target),))
    finally:
        connection.close()


def make_client(root: Path) -> None:
    folder = open_data_folder(root / "seeded")
    report = seed_demo_data(folder, inspections=8, photos=4, random_seed=16)
    print("client:", report.describe())
    _vacuum_copy(folder.db_path, HERE / "release-0.1-client.sqlite")


def _gas_finding(client: Client, seed: int, subject_id: str, severity: str) -> str:
    with client.db() as db:
        checklist = checklists.get(db, "anquan-ranqi", "2026.1")
        item = next(item for item in checklist.items if item.response == "pass_fail")
        started = inspections.start(
            db,
            checklist_id=checklist.id,
            checklist_version=checklist.version,
            subject_id=subject_id,
            inspector_id=client.actor().user_id,
        )
        inspections.set_response(db, started.id, item.id, "fail", note=f"燃气 {seed}")
        inspections.finish(db, started.id, allow_incomplete=True)
        recorded = findings.record_command(
            db,
            action="report",
            actor=client.actor(),
            payload={
                "description": f"燃气隐患 {seed}",
                "category": "燃气",
                "severity": severity,
                "jurisdiction": SLT_COMMUNITY,
                "subject_id": subject_id,
                "photos": [],
            },
            inspection_id=started.id,
            item_id=item.id,
        )
        return recorded.event.finding_id


def make_server(root: Path) -> None:
    template = build_server_template(root / "template")
    server = ServerProcess(root / "server", template)
    server.start()
    try:
        ins = Client.create(root / "ins")
        ins.login(server.url, "ins")
        sup = Client.create(root / "sup")
        sup.login(server.url, "sup")
        street = ins.subject("中纺街", code="BJ-0001")
        site = ins.subject("福满楼川菜馆", code="SITE-0001")
        problems = [ins.inspection_with_finding(seed, street)[1] for seed in (1, 2, 3, 4)]
        gas_general = _gas_finding(ins, 5, site, "general")
        gas_major = _gas_finding(ins, 6, site, "major")
        gas_closed = _gas_finding(ins, 7, site, "general")
        ins.sync()
        sup.sync()
        # problems: one left reported, one rejected, one graded 重大 and assigned with 督办, one closed
        sup.command(problems[1], "reject", {"reason": "重复上报"})
        sup.command(problems[2], "accept", {"severity": "major", "ledger_number": "SLT-2026-001"})
        sup.command(problems[2], "assign", {**assign_payload(), "funds": "2000元", "contingency_plan": "设置围挡"})
        sup.command(problems[2], "escalate", {"level": "district", "note": "区级挂牌督办"})
        sup.command(problems[3], "accept", {"severity": "general"})
        sup.command(problems[3], "assign", assign_payload())
        # hazards: a general one assigned and extended, a major one assigned with 五落实, one closed
        sup.command(gas_general, "accept", {"severity": "general"})
        sup.command(gas_general, "assign", assign_payload())
        sup.command(gas_general, "extend", {"deadline": deadline_in(30), "reason": "需更换管线"})
        sup.command(gas_major, "accept", {"severity": "major", "ledger_number": "SLT-2026-002"})
        sup.command(
            gas_major, "assign", {**assign_payload(), "funds": "5万元", "contingency_plan": "停用燃气，设置警戒"}
        )
        sup.command(gas_major, "escalate", {"level": "city", "note": "市级挂牌督办"})
        sup.command(gas_closed, "accept", {"severity": "general"})
        sup.command(gas_closed, "assign", assign_payload())
        sup.sync()
        ins.sync()
        ins.command(problems[3], "rectify", {"description": "已整改", "after_photos": [ins.photo(30)]})
        ins.command(gas_closed, "rectify", {"description": "已更换软管", "after_photos": [ins.photo(31)]})
        ins.sync()
        sup.sync()
        sup.command(problems[3], "verify_pass", {"opinion": "复查合格"})
        sup.command(gas_closed, "verify_pass", {"opinion": "验收合格"})
        sup.sync()
        ins.sync()
    finally:
        server.stop()
    _vacuum_copy(server.db_path, HERE / "release-0.1-server.sqlite")
    print("server: findings synced from", len(problems) + 3, "reports")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_client(root)
        make_server(root)


if __name__ == "__main__":
    main()
