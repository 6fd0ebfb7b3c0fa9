"""A 约谈 recorded on one supervisor's laptop reaches the server through `talk.create` and the other laptops of its
街乡 through the `talk` feed kind (docs/sync-protocol.md §5.5)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from e2e_support import SLT, Client, ServerProcess

from inspector.core.month import BASIS_RANK, Talk
from inspector.store import outbox, people, talks


def test_a_talk_is_pushed_once_and_reaches_the_other_laptop(
    server: ServerProcess, make_client: Callable[..., Client]
) -> None:
    recorder, reader = make_client("recorder"), make_client("reader")
    recorder.login(server.url, "sup")
    reader.login(server.url, "sup2")
    with recorder.db() as db:
        made = talks.record(
            db,
            Talk(
                "",
                "2026-03",
                date(2026, 4, 8),
                "王某",
                "三里屯街道办事处",
                SLT[:9],
                "3月排名末位",
                BASIS_RANK,
                SLT[:9],
                "第 5 名（共 5 个街乡）",
            ),
            recorder.actor().user_id,
        )
        assert talks.sync_state(db, made.talk_id) == "pending" and len(outbox.list_pending(db)) == 1
    recorder.sync()
    with recorder.db() as db:
        assert talks.sync_state(db, made.talk_id) == "synced" and outbox.list_pending(db) == []
    reader.sync()
    with reader.db() as db:
        [received] = talks.talks(db, "2026-03")
        recorder_name = people.display_names(db).get(recorder.actor().user_id)
    assert (received.talk_id, received.person, received.street, received.basis_text) == (
        made.talk_id, "王某", SLT[:9], "第 5 名（共 5 个街乡）")  # fmt: skip
    assert received.recorded_by == recorder.actor().user_id and recorder_name == "sup-name"
