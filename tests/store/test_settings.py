"""The settings table: every declared setting round-trips through a real database file, unknown keys and wrong types
are refused, text written by a person is parsed by the declaration, and older keys are renamed by the migration."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from store_samples import put_stored_setting, stored_setting

from inspector.core.ledger import Role
from inspector.core.settings import BY_KEY, KINDS, RENAMED, SETTINGS, SettingTypeError, UnknownSettingError
from inspector.store import profile, settings
from inspector.store.database import DataFolder, open_data_folder, schema_version
from inspector.store.photos import DEFAULT_SETTINGS
from inspector.store.schema import STEPS

# A value of each type that differs from every declared default.
SAMPLES: dict[type, Any] = {
    str: "值 value",
    int: 7,
    float: 2.5,
    bool: True,
    list: ["110101001000000", "甲"],
    dict: {"sent": 3, "note": "好"},
    bytes: b"\x01\xd9\xd0\xcb\x00\x03",
}
WRONG: dict[type, Any] = {str: 5, int: "5", float: "2.5", bool: 1, list: "a", dict: ["a"], bytes: "AQ=="}


def test_the_table_declares_each_key_once_in_one_naming_scheme() -> None:
    keys = [item.key for item in SETTINGS]
    assert len(keys) == len(set(keys))
    for item in SETTINGS:
        area, _, name = item.key.partition(".")
        assert area and name and "." not in name and item.key == item.key.lower(), item.key
        assert item.kind in KINDS and item.description
        assert item.default is None or item.check(item.default) == item.default
    assert set(RENAMED.values()) <= set(keys) and not set(RENAMED) & set(keys)


@pytest.mark.parametrize("item", SETTINGS, ids=lambda item: item.key)
def test_every_setting_round_trips_through_the_database_file(tmp_path: Path, item: settings.Setting) -> None:
    folder = open_data_folder(tmp_path / "data")
    db = folder.connect()
    if item.key != settings.DEVICE_ID:
        assert settings.get(db, item.key) == item.default
    value = SAMPLES[item.kind] if SAMPLES[item.kind] != item.default else not item.default
    assert value != item.default
    settings.put(db, item.key, value)
    db.close()
    again = DataFolder(folder.root).connect()
    read = settings.get(again, item.key)
    assert read == value and type(read) is item.kind
    settings.reset(again, item.key)
    if item.key != settings.DEVICE_ID:
        assert settings.get(again, item.key) == item.default
    again.close()


def test_an_unknown_key_is_refused_for_reading_and_writing(tmp_path: Path) -> None:
    db = open_data_folder(tmp_path / "data").connect()
    for call in (
        lambda: settings.get(db, "ui.sync_interval_minutes"),
        lambda: settings.put(db, "window/geometry", b""),
        lambda: settings.put_text(db, "sync.timeout", "5"),
        lambda: settings.reset(db, "language"),
    ):
        with pytest.raises(UnknownSettingError, match="unknown setting"):
            call()
    with pytest.raises(UnknownSettingError):  # nothing of the batch is written
        settings.put_many(db, {"ui.language": "en", "ui.lang": "en"})
    assert settings.get(db, "ui.language") == "zh_CN"
    db.close()


@pytest.mark.parametrize("item", SETTINGS, ids=lambda item: item.key)
def test_a_value_of_the_wrong_type_is_refused(tmp_path: Path, item: settings.Setting) -> None:
    db = open_data_folder(tmp_path / "data").connect()
    before = stored_setting(db, item.key)
    with pytest.raises(SettingTypeError, match=re.escape(item.key)):
        settings.put(db, item.key, WRONG[item.kind])
    assert stored_setting(db, item.key) == before
    db.close()


def test_bounds_and_text_written_by_a_person(db: Any) -> None:
    with pytest.raises(SettingTypeError, match="above zero"):
        settings.put(db, "sync.upload_workers", 0)
    with pytest.raises(SettingTypeError, match="zero or more"):
        settings.put(db, "sync.interval_minutes", -1)
    with pytest.raises(SettingTypeError):
        settings.put(db, "sync.read_timeout", float("nan"))
    with pytest.raises(SettingTypeError):
        settings.put(db, "user.roles", ["supervisor", 3])
    settings.put(db, "sync.interval_minutes", 0)
    assert settings.get(db, "sync.interval_minutes") == 0
    settings.put(db, "sync.read_timeout", 30)  # a whole number is a number of seconds too
    assert settings.get(db, "sync.read_timeout") == 30.0
    settings.put_text(db, "sync.backoff_base", "0.05")
    settings.put_text(db, "sync.download_photos", "0")
    assert settings.get(db, "sync.backoff_base") == 0.05 and settings.get(db, "sync.download_photos") is False
    with pytest.raises(SettingTypeError, match=re.escape("sync.max_attempts")):
        settings.put_text(db, "sync.max_attempts", "many")
    settings.put_text(db, "sync.max_attempts", "")  # empty text: back to the default
    assert settings.get(db, "sync.max_attempts") == 8 and stored_setting(db, "sync.max_attempts") is None


def test_a_stored_value_that_does_not_read_gives_the_default(db: Any) -> None:
    put_stored_setting(db, "photos.max_edge", "huge")
    put_stored_setting(db, "sync.upload_workers", "-2")
    put_stored_setting(db, "user.roles", "{not json")
    assert settings.get(db, "photos.max_edge") == DEFAULT_SETTINGS.max_edge
    assert settings.get(db, "sync.upload_workers") == 4
    assert profile.user_roles(db) == frozenset({Role.INSPECTOR})


def test_peek_reads_before_the_folder_is_opened_and_leaves_it_alone(tmp_path: Path) -> None:
    assert settings.peek(tmp_path / "nothing", ["ui.language"]) == {"ui.language": "zh_CN"}
    folder = open_data_folder(tmp_path / "data")
    db = folder.connect()
    settings.put_many(db, {"ui.language": "en", "window.geometry": b"\x00\x01"})
    db.close()
    assert settings.peek(folder.root, ["ui.language", "window.geometry"]) == {
        "ui.language": "en",
        "window.geometry": b"\x00\x01",
    }
    with pytest.raises(UnknownSettingError):
        settings.peek(folder.root, ["window/geometry"])


def test_the_photo_default_is_the_pipelines() -> None:
    assert BY_KEY["photos.max_edge"].default == DEFAULT_SETTINGS.max_edge


def test_keys_of_the_previous_schema_are_renamed_when_the_database_is_opened(tmp_path: Path) -> None:
    previous = open_data_folder(tmp_path / "data", STEPS[:4])
    db = previous.connect()
    assert schema_version(db) == 4
    db.execute("DELETE FROM settings")  # as the previous version left it: its own device id key
    db.conn.commit()
    device = "dev-of-the-previous-version"
    old_rows = {
        "device_id": device,
        "user_id": "u-7",
        "sync.username": "wang",
        "sync.display_name": "王巡查",
        "sync.user_roles": '["inspector","supervisor"]',
        "user_jurisdictions": '["110105020000000"]',
        "ui.sync_interval_minutes": "15",
        "ui.sync_start_delay_seconds": "0.5",
        "ui.sync_probe_seconds": "20",
        "ui.language": "en",  # kept: the same key before and after
        "photos.keep_original": "1",
        "sync.server_url": "https://district.example",
        "sync.upload_workers": "2",
    }
    for key, text in old_rows.items():
        put_stored_setting(db, key, text)
    db.close()

    db = open_data_folder(tmp_path / "data").connect()
    assert schema_version(db) == len(STEPS)
    assert settings.device_id(db) == device
    assert profile.user_id(db) == "u-7"
    assert settings.get(db, "user.username") == "wang" and settings.get(db, profile.DISPLAY_NAME) == "王巡查"
    assert profile.user_roles(db) == frozenset({Role.INSPECTOR, Role.SUPERVISOR})
    assert profile.user_jurisdictions(db) == frozenset({"110105020000000"})
    assert settings.get(db, "sync.interval_minutes") == 15
    assert settings.get(db, "sync.start_delay_seconds") == 0.5 and settings.get(db, "sync.probe_seconds") == 20.0
    assert settings.get(db, "ui.language") == "en" and profile.photo_settings(db).keep_original is True
    assert settings.get(db, "sync.server_url") == "https://district.example"
    assert settings.get(db, "sync.upload_workers") == 2
    stored = {row[0] for row in db.execute("SELECT key FROM settings").fetchall()}
    assert not stored & set(RENAMED) and stored <= {item.key for item in SETTINGS}
    db.close()
