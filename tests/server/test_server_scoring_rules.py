"""A district publishes its scoring rule on the server (SQLite and PostgreSQL): a valid file is kept once and sent
in the feed as `scoring_rule`; a file with problems is refused with file:line messages by `rules publish`; the
same id@version with other text is refused."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from server_support import Api, ServerEnv
from sqlalchemy import select

from inspector.core.rules import RuleError
from inspector.rule_files import shipped_rules_dir
from inspector.server import cli, scoring_rules
from inspector.server.models import ScoringRule

DEFAULT = (shipped_rules_dir() / "inspector-default.json").read_text(encoding="utf-8")


def district_rule(version: str = "1", coverage: str = "0.3") -> str:
    data = json.loads(DEFAULT)
    data.update(id="chaoyang-2027", version=version, status="district", district="110105", title="朝阳区2027年评分规则")
    data["ranking"].update(on_time_closure=0.7 - float(coverage), overdue=0.3, coverage=float(coverage))
    return json.dumps(data, ensure_ascii=False, indent=2)


def test_a_district_rule_is_published_once_and_fed_to_the_laptops(api: Api, env: ServerEnv) -> None:
    text = district_rule()
    with env.db.write() as session:
        rule, new = scoring_rules.publish(session, text, "chaoyang.json", by="admin")
    assert new and rule.key == "chaoyang-2027@1" and rule.rules.ranking.on_time_closure == pytest.approx(0.4)
    with env.db.write() as session:
        assert scoring_rules.publish(session, text, "chaoyang.json", by="admin")[1] is False  # the same again
    with (
        env.db.write() as session,
        pytest.raises(scoring_rules.RulePublishError, match=r"chaoyang\.json:1: .*new version"),
    ):
        scoring_rules.publish(session, district_rule(coverage="0.2"), "chaoyang.json", by="admin")
    with env.db.write() as session, pytest.raises(scoring_rules.RulePublishError, match='names its "district"'):
        scoring_rules.publish(session, DEFAULT, "inspector-default.json", by="admin")
    with env.db.read() as session:
        assert [(row.id, row.version, row.district) for row in session.scalars(select(ScoringRule))] == [
            ("chaoyang-2027", "1", "110105")
        ]
    entries = [entry for entry in api.login("slt-ins").feed()["entries"] if entry["kind"] == "scoring_rule"]
    assert [(entry["id"], entry["jurisdiction"]) for entry in entries] == [("chaoyang-2027@1", None)]
    assert entries[0]["data"]["text"] == text and entries[0]["data"]["district"] == "110105"


def test_rules_publish_refuses_a_bad_file_with_file_and_line(
    env: ServerEnv, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(district_rule().replace('"restore_months": 3', '"restore_months": 0'), encoding="utf-8")
    line = bad.read_text(encoding="utf-8").split("\n").index('    "restore_months": 0,') + 1
    with env.db.write() as session, pytest.raises(RuleError):
        scoring_rules.publish(session, bad.read_text(encoding="utf-8"), str(bad), by="cli")
    for key in [key for key in os.environ if key.startswith("INSPECTOR_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("INSPECTOR_DATABASE_URL", env.settings.effective_database_url)
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(env.settings.data_dir))
    assert cli.main(["rules", "publish", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f'{bad}:{line}: back_streets: "restore_months" must be at least 1 (got 0)' in err
    good = tmp_path / "good.json"
    good.write_text(district_rule(version="2"), encoding="utf-8")
    assert cli.main(["rules", "publish", str(good)]) == 0
    assert "rule chaoyang-2027@2 for district 110105 published" in capsys.readouterr().out
