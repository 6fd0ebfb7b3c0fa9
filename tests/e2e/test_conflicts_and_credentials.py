"""Offline conflict between two supervisors; credentials without a keyring; revoked tokens; the CLI's exit codes
and its "please upgrade" refusal."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import keyring
from e2e_support import PASSWORD, Client, ServerProcess, assert_server_holds_exactly, server_records
from keyring.backends import fail

from inspector.store import conflicts
from inspector.sync.engine import logout
from inspector.sync.status import status


def test_two_supervisors_offline_one_wins_the_other_gets_a_conflict(
    server: ServerProcess, make_client: Callable[..., Client]
) -> None:
    inspector, first, second = make_client("ins"), make_client("sup"), make_client("sup2")
    inspector.login(server.url, "ins")
    first.login(server.url, "sup")
    second.login(server.url, "sup2")
    _, finding_id = inspector.inspection_with_finding(7, inspector.subject("酒仙桥路"))
    assert inspector.sync().all_acknowledged
    assert first.sync().outcome == "ok" and second.sync().outcome == "ok"

    # Both act while offline: one accepts, the other rejects the same reported finding.
    first.command(finding_id, "accept", {"severity": "major"})
    losing_change = second.command(finding_id, "reject", {"reason": "不属于城管职责"})

    won = first.sync()
    assert won.all_acknowledged
    lost = second.sync()
    assert lost.outcome == "incomplete" and lost.conflicts == 1 and not lost.all_acknowledged
    assert second.outbox_count() == 0

    with second.db() as db:
        [conflict] = conflicts.list_open(db)
    assert conflict.change_id == losing_change and conflict.status == "conflict"
    assert conflict.code in ("illegal_state", "stale")
    assert conflict.server_current is not None and conflict.server_current["state"] == "registered"
    assert conflict.local_payload["action"] == "reject"
    mine = second.finding(finding_id)
    assert mine.view.state.value == "registered" and mine.has_conflict and not mine.has_pending

    held = server_records(server)
    assert held["event_counts"][finding_id] == 2  # the report and exactly one of the two commands
    assert_server_holds_exactly(server, [inspector, first])


def test_without_a_keyring_the_token_stays_in_memory_never_on_disk(
    server: ServerProcess, make_client: Callable[..., Client], tmp_path: Path
) -> None:
    keyring.set_keyring(fail.Keyring())
    client = make_client("laptop")
    client.login(server.url, "ins")
    state = status(client.folder)
    assert state.logged_in and state.token_storage == "memory" and not state.secure_keyring
    client.inspection_with_finding(3, client.subject("三丰里"))
    assert client.sync().all_acknowledged

    from inspector.sync.credentials import _MEMORY

    tokens = [token for token in _MEMORY.values() if token.startswith("ins1_")]
    assert tokens, "the token should be held in memory"
    for token in tokens:
        for path in tmp_path.rglob("*"):
            if path.is_file() and "server" not in path.relative_to(tmp_path).parts:
                assert token.encode() not in path.read_bytes(), f"the token was written to {path}"

    assert logout(client.folder)
    assert not status(client.folder).logged_in
    client.inspection_with_finding(4, client.subject("三丰北里"))
    after = client.sync()
    assert after.outcome == "login_required" and client.outbox_count() == 3  # the work waits for a new login


def test_a_revoked_device_must_log_in_again_and_keeps_its_work(
    server: ServerProcess, make_client: Callable[..., Client], memory_keyring: object
) -> None:
    client = make_client("laptop")
    client.login(server.url, "ins")
    assert client.sync().outcome == "ok"
    client.inspection_with_finding(5, client.subject("东三里屯"))
    revoke_every_device(server)
    refused = client.sync()
    assert refused.outcome == "login_required" and refused.error_code == "token_revoked"
    assert client.outbox_count() == 3 and not status(client.folder).logged_in
    client.login(server.url, "ins")
    assert client.sync().all_acknowledged
    assert_server_holds_exactly(server, [client])


def revoke_every_device(server: ServerProcess) -> None:
    """What an administrator does for a lost laptop (`inspector-server device revoke`), through the server's API."""
    from inspector.server.auth import revoke_device
    from inspector.server.db import Database
    from inspector.server.models import Device

    db = Database(server.env["INSPECTOR_DATABASE_URL"])
    with db.write() as session:
        for device in session.query(Device).all():
            revoke_device(session, device, "test")
    db.dispose()


def _cli(client: Client, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "inspector", "--data-dir", str(client.folder.root), *args]
    env_keyring = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    return subprocess.run(
        command, input=stdin, capture_output=True, text=True, timeout=120, env={**os.environ, **env_keyring}
    )


def test_cli_exit_codes_memory_only_notice_and_upgrade_refusal(
    server: ServerProcess, make_client: Callable[..., Client]
) -> None:
    client = make_client("laptop")
    bad = _cli(client, "login", "--server", server.url, "--username", "ins", "--password-stdin", stdin="wrong\n")
    assert bad.returncode == 1 and "login failed" in bad.stderr and "Traceback" not in bad.stderr
    login = _cli(client, "login", "--server", server.url, "--username", "ins", "--password-stdin", stdin=PASSWORD)
    assert login.returncode == 0 and "in memory for this run only" in login.stderr
    client.inspection_with_finding(6, client.subject("幸福三村"))

    not_logged_in = _cli(client, "sync", "--json")
    assert not_logged_in.returncode == 4
    synced = _cli(client, "sync", "--json", "--password-stdin", stdin=PASSWORD + "\n")
    assert synced.returncode == 0, synced.stdout + synced.stderr
    state = _cli(client, "status", "--json")
    assert state.returncode == 0 and '"pending_changes": 0' in state.stdout

    server.stop()
    server.start(INSPECTOR_MIN_CLIENT_VERSION="99.0.0")
    refused = _cli(client, "sync", "--password-stdin", stdin=PASSWORD + "\n")
    assert refused.returncode == 5 and "please upgrade" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_another_account_cannot_log_in_over_work_still_waiting_unless_it_takes_it_over(
    server: ServerProcess, make_client: Callable[..., Client]
) -> None:
    """A shared laptop: the first inspector's report is still queued when a colleague tries to log in."""
    from inspector.sync.engine import login
    from inspector.sync.errors import PendingWorkOfAnotherAccountError

    laptop = make_client("shared")
    laptop.login(server.url, "ins")
    _, finding_id = laptop.inspection_with_finding(3, laptop.subject("三里屯路"))
    waiting = laptop.outbox_count()
    assert waiting > 0

    laptop.login(server.url, "ins")  # the same account again: allowed
    try:
        login(laptop.folder, server.url, "ins2", PASSWORD)
    except PendingWorkOfAnotherAccountError as refused:
        assert refused.count == waiting and "ins" in refused.zh
    else:
        raise AssertionError("the login over another account's queued work was allowed")
    assert laptop.outbox_count() == waiting
    assert status(laptop.folder).username == "ins"  # still the first account, its token kept

    login(laptop.folder, server.url, "ins2", PASSWORD, take_over_pending=True)
    assert laptop.sync().all_acknowledged
    with server.database() as db:
        reporter = db.execute(
            "SELECT u.username FROM finding_events e JOIN users u ON u.id = e.actor_id WHERE e.finding_id = ?",
            [finding_id],
        ).fetchone()[0]
    assert reporter == "ins2"


def test_the_cli_refuses_the_switch_with_the_reason(server: ServerProcess, make_client: Callable[..., Client]) -> None:
    laptop = make_client("shared-cli")
    laptop.login(server.url, "ins")
    laptop.inspection_with_finding(4, laptop.subject("工体北路"))
    done = _cli(laptop, "login", "--server", server.url, "--username", "ins2", "--password-stdin", stdin=PASSWORD)
    assert done.returncode != 0
    assert "尚未同步" in done.stderr and "--take-over-pending" in done.stderr
