"""`inspector-server`: init + serve, users, devices, imports with per-row errors, ledger verify, settings."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from openpyxl import Workbook
from pg_support import PgCluster, free_port
from server_support import SLT_COMMUNITY, Api, ServerEnv
from sqlalchemy import select

from inspector.server.cli import main
from inspector.server.migrate import head_revision
from inspector.server.models import Jurisdiction, Subject
from inspector.server.settings import Settings, SettingsError, load_settings

_blank_counter = iter(range(1, 1000))


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind (no schema)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh' / 'server.db'}"
        return
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    name = f"blank{next(_blank_counter)}"
    yield cluster.create_database(name)
    cluster.drop_database(name)


def run_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str, stdin: str = ""
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _base_env(data_dir: Path, url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INSPECTOR_")}
    env.update(
        INSPECTOR_DATA_DIR=str(data_dir),
        INSPECTOR_DATABASE_URL=url,
        INSPECTOR_ARGON2_TIME_COST="1",
        INSPECTOR_ARGON2_MEMORY_KIB="8192",
        **extra,
    )
    return env


def test_init_then_serve_on_a_fresh_database(
    blank_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = _base_env(tmp_path / "data", blank_database_url)
    for key, value in env.items():
        if key.startswith("INSPECTOR_"):
            monkeypatch.setenv(key, value)
    code, out, err = run_cli(
        monkeypatch, capsys, "init", "--jurisdiction", "110105", "--password-stdin", stdin="a-strong-password\n"
    )
    assert code == 0, err
    assert f"schema empty -> {head_revision()}" in out and "created admin admin" in out
    code, out, _ = run_cli(monkeypatch, capsys, "init")
    assert code == 0 and "created admin" not in out and "0 published" in out
    port = free_port()
    command = [sys.executable, "-m", "inspector.server.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.2)
        with httpx.Client(base_url=base) as http:
            user = Api(http).login("admin", "a-strong-password")
            assert user.get("/api/v1/me").json()["user"]["roles"] == ["admin"]
    finally:
        server.terminate()
        server.wait(timeout=30)
    log = server.stderr.read() if server.stderr else ""
    assert '"path": "/api/v1/auth/login"' in log and "a-strong-password" not in log


def test_serve_refuses_demo_accounts_outside_development_mode(
    blank_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in _base_env(tmp_path, blank_database_url).items():
        if key.startswith("INSPECTOR_"):
            monkeypatch.setenv(key, value)
    code, _, err = run_cli(monkeypatch, capsys, "init", "--demo")
    assert code == 1 and "INSPECTOR_DEV_MODE=1" in err
    monkeypatch.setenv("INSPECTOR_DEV_MODE", "1")
    code, out, _ = run_cli(monkeypatch, capsys, "init", "--demo")
    assert code == 0 and "demo accounts: 6 created" in out
    monkeypatch.delenv("INSPECTOR_DEV_MODE")
    code, _, err = run_cli(monkeypatch, capsys, "serve", "--port", str(free_port()))
    assert code == 1 and "demo accounts with published passwords are active" in err
    assert run_cli(monkeypatch, capsys, "user", "disable", "admin")[0] == 0
    code, _, err = run_cli(monkeypatch, capsys, "serve", "--port", str(free_port()))
    assert code == 1 and "admin" not in err.split("active (")[1]


def test_user_commands(env: ServerEnv, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    url = ["--database-url", env.settings.effective_database_url]
    code, out, _ = run_cli(
        monkeypatch,
        capsys,
        *url,
        "user",
        "add",
        "wangwu",
        "--role",
        "inspector",
        "--jurisdiction",
        "110105004",
        "--display-name",
        "王五",
        "--password-stdin",
        stdin="wangwu-password\n",
    )
    assert code == 0 and "wangwu\t王五\tinspector\t110105004000000\tactive" in out
    code, _, err = run_cli(
        monkeypatch,
        capsys,
        *url,
        "user",
        "add",
        "wangwu",
        "--role",
        "inspector",
        "--jurisdiction",
        "110105004",
        "--password-stdin",
        stdin="another-password\n",
    )
    assert code == 1 and "already exists" in err
    code, _, err = run_cli(
        monkeypatch,
        capsys,
        *url,
        "user",
        "add",
        "zhao",
        "--role",
        "inspector",
        "--jurisdiction",
        "12",
        "--password-stdin",
        stdin="zhao-password\n",
    )
    assert code == 1 and "12" in err
    user = Api(env.client).login("wangwu", "wangwu-password")
    assert run_cli(monkeypatch, capsys, *url, "user", "disable", "wangwu")[0] == 0
    assert user.get("/api/v1/me").json()["error"] == "token_revoked"
    assert run_cli(monkeypatch, capsys, *url, "user", "enable", "wangwu")[0] == 0
    code, _, _ = run_cli(
        monkeypatch, capsys, *url, "user", "reset-password", "wangwu", "--password-stdin", stdin="brand-new-password\n"
    )
    assert code == 0
    Api(env.client).login("wangwu", "brand-new-password")
    code, out, _ = run_cli(monkeypatch, capsys, *url, "user", "list")
    assert code == 0 and "wangwu" in out and "slt-ins" in out
    code, out, _ = run_cli(monkeypatch, capsys, *url, "device", "list", "--user", "wangwu")
    device_id = out.split("\t")[0]
    assert code == 0 and "wangwu-pc" in out
    assert run_cli(monkeypatch, capsys, *url, "device", "revoke", device_id)[0] == 0
    assert run_cli(monkeypatch, capsys, *url, "device", "revoke", "no-such-device")[0] == 1


def test_jurisdiction_import_reports_bad_rows_and_keeps_good_ones(
    env: ServerEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_file = tmp_path / "grid.csv"
    csv_file.write_text(
        "code,name,parent\n"
        "110105004032001,幸福一村第一网格,110105004032000\n"
        "110105004099001,孤儿网格,\n"
        "abc,坏编码,\n"
        "110105004032002,,\n"
        "110105004032003,错父级,110105004000000\n",
        encoding="utf-8",
    )
    code, out, err = run_cli(
        monkeypatch,
        capsys,
        "--database-url",
        env.settings.effective_database_url,
        "jurisdictions",
        "import",
        str(csv_file),
    )
    assert code == 1 and "1 added" in out
    assert [line.split(":")[0].strip() for line in err.strip().splitlines()] == ["row 3", "row 4", "row 5", "row 6"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "parent", "short_name"])
    sheet.append([110105004032002, "幸福一村第二网格", "110105004032000", "二网格"])
    xlsx = tmp_path / "grid.xlsx"
    workbook.save(xlsx)
    code, out, _ = run_cli(
        monkeypatch, capsys, "--database-url", env.settings.effective_database_url, "jurisdictions", "import", str(xlsx)
    )
    assert code == 0 and "1 added" in out
    with env.db.read() as session:
        row = session.get(Jurisdiction, "110105004032002")
        assert row is not None and row.short_name == "二网格" and row.level == 4


def test_subject_import_from_csv_and_xlsx(
    env: ServerEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_file = tmp_path / "units.csv"
    csv_file.write_text(
        "kind,name,code,jurisdiction,address,responsible_person,phone\n"
        f"street_front_unit,某某餐厅,CY-0001,{SLT_COMMUNITY},三里屯路19号,李四,010-1\n"
        "street_front_unit,没有辖区,CY-0002,,三里屯路20号,,\n"
        f"shop,错误类型,CY-0003,{SLT_COMMUNITY},,,\n"
        f"back_street,幸福一村北巷,CY-0004,{SLT_COMMUNITY},,,\n"
        f"street_front_unit,某某餐厅（更名）,CY-0001,{SLT_COMMUNITY},三里屯路19号,李四,010-1\n",
        encoding="utf-8",
    )
    url = ["--database-url", env.settings.effective_database_url]
    code, out, err = run_cli(monkeypatch, capsys, *url, "subjects", "import", str(csv_file))
    assert code == 1 and "2 added, 1 changed" in out
    assert [line.split(":")[0].strip() for line in err.strip().splitlines()] == ["row 3", "row 4"]
    with env.db.read() as session:
        renamed = session.scalar(select(Subject).where(Subject.code == "CY-0001"))
        assert renamed is not None and renamed.name == "某某餐厅（更名）" and renamed.version == 2
    workbook = Workbook()
    workbook.active.append(["kind", "name", "jurisdiction", "site_type"])
    workbook.active.append(["site", "加油站", SLT_COMMUNITY, "加油站"])
    xlsx = tmp_path / "sites.xlsx"
    workbook.save(xlsx)
    assert run_cli(monkeypatch, capsys, *url, "subjects", "import", str(xlsx))[0] == 0
    seen = Api(env.client).login("slt-ins").get("/api/v1/subjects?kind=site").json()["items"]
    assert [(s["name"], s["details"]) for s in seen] == [("加油站", {"site_type": "加油站"})]
    assert run_cli(monkeypatch, capsys, *url, "subjects", "import", str(tmp_path / "none.csv"))[0] == 1


def test_settings_from_a_toml_file_and_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "server.toml"
    config.write_text('[server]\ntoken_lifetime_days = 7\nmin_client_version = "0.2.0"\n', encoding="utf-8")
    settings = load_settings(environ={"INSPECTOR_CONFIG": str(config), "INSPECTOR_MAX_PUSH_CHANGES": "100"})
    assert (settings.token_lifetime_days, settings.min_client_version, settings.max_push_changes) == (7, "0.2.0", 100)
    assert settings.effective_database_url.endswith("server.db")
    with pytest.raises(SettingsError, match="INSPECTOR_TOKEN_LIFETIME_DAYS"):
        load_settings(environ={"INSPECTOR_TOKEN_LIFETIME_DAYS": "forever"})
    config.write_text("[server]\nsecret_key = 'x'\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="unknown setting"):
        load_settings(environ={"INSPECTOR_CONFIG": str(config)})


def test_settings_are_typed_by_the_model_and_bad_values_are_named(tmp_path: Path) -> None:
    config = tmp_path / "server.toml"
    config.write_text('[server]\ndev_mode = true\nmax_blob_bytes = 16777216\nblob_dir = "~/photos"\n', encoding="utf-8")
    from_file = load_settings(environ={"INSPECTOR_CONFIG": str(config)})
    assert from_file.dev_mode is True and from_file.max_blob_bytes == 16777216
    assert from_file.blob_dir == Path("~/photos").expanduser()
    typed = load_settings(
        environ={"INSPECTOR_DEV_MODE": "no", "INSPECTOR_MAX_PUSH_CHANGES": "100", "INSPECTOR_DATA_DIR": ""}
    )
    assert typed.dev_mode is False and typed.max_push_changes == 100 and isinstance(typed.max_push_changes, int)
    assert typed.data_dir == Settings().data_dir  # an empty variable is no setting
    refused = {
        "INSPECTOR_DEV_MODE": "maybe",
        "INSPECTOR_MAX_FEED_LIMIT": "0",
        "INSPECTOR_ARGON2_TIME_COST": "2.5",
        "INSPECTOR_MIN_CLIENT_VERSION": "newest",
    }
    for name, raw in refused.items():
        with pytest.raises(SettingsError) as caught:
            load_settings(environ={name: raw})
        assert str(caught.value).startswith(f"setting {name} ("), caught.value
    with pytest.raises(SettingsError, match=r"INSPECTOR_DEV_MODE .*INSPECTOR_MAX_FEED_LIMIT"):
        load_settings(environ={"INSPECTOR_DEV_MODE": "maybe", "INSPECTOR_MAX_FEED_LIMIT": "-1"})
