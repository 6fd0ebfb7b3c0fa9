"""A district's scoring rule from the server to the laptop: `inspector-server rules publish` on a real server, a
laptop syncs, and its statistics use the newest rule for its district and name it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from e2e_support import DISTRICT, Client, ServerProcess, server_env

from inspector.core.clock import utc_now
from inspector.rule_files import default_rule, shipped_rules_dir
from inspector.server import scoring_rules as scoring_rules_server
from inspector.server.db import Database
from inspector.server.settings import load_settings
from inspector.store import scoring_rules
from inspector.ui.statistics.data import load_statistics, recent_months


def _publish(server: ServerProcess, path: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "inspector.server.cli", "rules", "publish", str(path)]
    return subprocess.run(command, env=server_env(server.root), capture_output=True, text=True, timeout=120)


def test_a_published_rule_reaches_the_laptop_and_its_figures_name_it(
    server: ServerProcess, make_client: Callable[..., Client], tmp_path: Path
) -> None:
    laptop = make_client("laptop")
    laptop.login(server.url, "ins")
    with laptop.db() as db:
        assert scoring_rules.active_rule(db) == default_rule()  # nothing published yet: the shipped default
    data = json.loads((shipped_rules_dir() / "inspector-default.json").read_text(encoding="utf-8"))
    data.update(id="chaoyang-2027", status="district", district=DISTRICT, title="朝阳区2027年评分规则")
    data["back_streets"].update(pass_score=85, restore_levels=["city", "district"])
    database = Database(load_settings(environ=server_env(server.root)).effective_database_url)
    try:  # an older version of this district's rule and another district's rule, published directly
        with database.write() as session:
            scoring_rules_server.publish(session, json.dumps({**data, "version": "1"}), "chaoyang-1.json", by="t")
            other = {**data, "id": "haidian-2027", "version": "3", "district": "110108"}
            scoring_rules_server.publish(session, json.dumps(other), "haidian.json", by="t")
    finally:
        database.dispose()
    path = tmp_path / "chaoyang-2.json"  # the newest, through the command
    path.write_text(json.dumps({**data, "version": "2"}, ensure_ascii=False, indent=2), encoding="utf-8")
    published = _publish(server, path)
    assert published.returncode == 0 and "rule chaoyang-2027@2 for district 110105 published" in published.stdout
    laptop.sync()
    with laptop.db() as db:
        rule = scoring_rules.active_rule(db)
        kept = {row[0] + "@" + row[1] for row in scoring_rules.published(db)}
    assert kept == {"chaoyang-2027@1", "chaoyang-2027@2", "haidian-2027@3"}
    assert rule.key == "chaoyang-2027@2" and rule.rules.street_pass_score == 85
    assert rule.rules.street_restore_levels == {"city", "district"}
    figures = load_statistics(laptop.folder, recent_months(utc_now()), recent_months(utc_now())[-1])
    assert figures.rule == "chaoyang-2027 v2"
