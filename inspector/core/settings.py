"""The laptop's settings table: every key once, with its type, default and description, and how values become text."""

from __future__ import annotations

import base64
import binascii
import copy
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# What a setting is about. Profile facts come from the account at login; preferences are chosen in the interface;
# sync is the server and how to talk to it (set at login, or by an administrator); window is the window's
# remembered state; device is this installation's identity.
DEVICE, PROFILE, PREFERENCE, SYNC, WINDOW = "device", "profile", "preference", "sync", "window"

# The value types a setting may have. Text stores as itself, numbers in decimal, yes/no as 1/0, lists and
# mappings as JSON, bytes in base64.
KINDS: tuple[type, ...] = (str, int, float, bool, list, dict, bytes)


class SettingError(ValueError):
    """A setting was asked for by a key the table does not declare, or given a value of the wrong type."""


class UnknownSettingError(SettingError):
    """The key is not in the settings table."""

    def __init__(self, key: str) -> None:
        super().__init__(f"unknown setting {key!r}: every setting is declared in inspector.core.settings.SETTINGS")
        self.key = key


class SettingTypeError(SettingError):
    """The value does not fit the setting's type (or its bounds)."""

    def __init__(self, key: str, expected: str, value: Any) -> None:
        super().__init__(f"setting {key!r} takes {expected}, not {value!r}")
        self.key = key


@dataclass(frozen=True)
class Setting:
    """One setting: its key (`area.name`), value type, default, what it is for and which kind of fact it is."""

    key: str
    kind: type
    default: Any
    description: str
    group: str
    positive: bool = False  # numbers: only values above zero are taken (zero or less reads as the default)
    non_negative: bool = False  # numbers: zero is allowed, below zero is not

    def check(self, value: Any) -> Any:
        """The value as this setting keeps it; SettingTypeError when it does not fit."""
        if value is None and self.default is None:
            return None
        if self.kind is float and isinstance(value, int) and not isinstance(value, bool):
            return self.check(float(value))
        if (self.kind in (int, float) and isinstance(value, bool)) or not isinstance(value, self.kind):
            raise SettingTypeError(self.key, self.kind.__name__, value)
        return self._check_content(value)

    def _check_content(self, value: Any) -> Any:
        if self.kind is list and not all(isinstance(item, str) for item in value):
            raise SettingTypeError(self.key, "a list of text", value)
        if self.kind in (int, float):
            if self.kind is float and not math.isfinite(value):
                raise SettingTypeError(self.key, "a finite number", value)
            if self.positive and value <= 0:
                raise SettingTypeError(self.key, "a number above zero", value)
            if self.non_negative and value < 0:
                raise SettingTypeError(self.key, "a number of zero or more", value)
        return value

    def encode(self, value: Any) -> str:
        """The text stored for a (checked) value."""
        value = self.check(value)
        if self.kind is bool:
            return "1" if value else "0"
        if self.kind in (list, dict):
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        if self.kind is bytes:
            return base64.b64encode(value).decode("ascii")
        return str(value)

    def decode(self, text: str | None) -> Any:
        """The value of stored text; the default when there is none or it does not read as this setting's type."""
        if text is not None:
            try:
                return self.check(self._parse(text))
            except (ValueError, binascii.Error):  # SettingError is a ValueError
                pass
        return copy.deepcopy(self.default)

    def parse(self, text: str) -> Any:
        """The value a person or a test wrote as text (`"8"`, `"0.5"`, `"1"`); SettingTypeError when it is not one."""
        try:
            return self.check(self._parse(text))
        except (ValueError, binascii.Error) as exc:
            if isinstance(exc, SettingError):
                raise
            raise SettingTypeError(self.key, self.kind.__name__, text) from exc

    def _parse(self, text: str) -> Any:
        if self.kind is str:
            return text
        if self.kind is bool:
            lowered = text.strip().lower()
            if lowered in ("1", "true", "yes"):
                return True
            if lowered in ("0", "false", "no"):
                return False
            raise ValueError(text)
        if self.kind in (list, dict):
            return json.loads(text)
        if self.kind is bytes:
            return base64.b64decode(text.encode("ascii"), validate=True)
        return self.kind(text)


_KIB = 1024

# One declaration a line or two, as a table reads.
# fmt: off
SETTINGS: tuple[Setting, ...] = (
    Setting("device.id", str, None, "This installation's id, made once on first start and never changed.", DEVICE),
    # -- who works here: written by the sync login from the account, read by the interface and the ledger rules
    Setting("user.id", str, None, "The signed-in account's user id (the device id stands in before a login).",
            PROFILE),
    Setting("user.username", str, None, "The signed-in account's user name.", PROFILE),
    Setting("user.display_name", str, None, "The signed-in account's name as people read it.", PROFILE),
    Setting("user.roles", list, [], "The account's roles as the last login gave them (an inspector's before any).",
            PROFILE),
    Setting("user.jurisdictions", list, [], "The 15-digit codes of the jurisdictions the account works in.",
            PROFILE),
    # -- chosen in the interface
    Setting("ui.language", str, "zh_CN", "The interface language (zh_CN or en).", PREFERENCE),
    Setting("ui.default_jurisdiction", str, "", "The jurisdiction code new subjects get by default.", PREFERENCE),
    Setting("ui.export_folder", str, "", "The folder exports were last saved in (empty: the Documents folder).",
            PREFERENCE),
    Setting("photos.max_edge", int, 2560, "The longest edge in pixels a photo is scaled down to when taken in.",
            PREFERENCE, positive=True),
    Setting("photos.keep_original", bool, True, "Keep the original file of each photo besides the scaled one.",
            PREFERENCE),
    Setting("photos.keep_damaged", bool, False,
            "Keep an incomplete photo marked 已损坏 (with its original) instead of refusing it.", PREFERENCE),
    Setting("sync.interval_minutes", int, 5, "Minutes between automatic syncs (0: only when the user asks).",
            PREFERENCE, non_negative=True),
    # -- the server and how to reach it
    Setting("sync.server_url", str, None, "The district server this laptop syncs with.", SYNC),
    Setting("sync.ca_bundle", str, "", "A CA certificate file to trust for the server (empty: the system's).", SYNC),
    Setting("sync.token_expires_at", str, "", "When the session token given at login ends.", SYNC),
    Setting("sync.token_storage", str, "", "Where the token is kept (keyring, file or memory; empty: none).", SYNC),
    Setting("sync.last_success_at", str, None, "When a sync last finished well.", SYNC),
    Setting("sync.last_attempt_at", str, None, "When a sync was last started.", SYNC),
    Setting("sync.last_error", str, None, "How the last sync failed (empty when it did not).", SYNC),
    Setting("sync.last_summary", dict, {}, "The figures of the last sync (sent, received, photos...).", SYNC),
    Setting("sync.start_delay_seconds", float, 8.0, "Seconds after start-up before the first automatic sync.",
            SYNC, non_negative=True),
    Setting("sync.probe_seconds", float, 60.0, "Seconds between checks whether the server can be reached.", SYNC,
            non_negative=True),
    Setting("sync.connect_timeout", float, 10.0, "Seconds to wait for a connection to the server.", SYNC,
            positive=True),
    Setting("sync.read_timeout", float, 60.0, "Seconds to wait for the server's answer.", SYNC, positive=True),
    Setting("sync.max_attempts", int, 8, "Tries of one request before the sync gives up.", SYNC, positive=True),
    Setting("sync.max_retry_seconds", float, 120.0, "Longest wait between two tries.", SYNC, positive=True),
    Setting("sync.backoff_base", float, 0.5, "The first wait between tries, doubled each time.", SYNC,
            positive=True),
    Setting("sync.push_batch_size", int, 500, "Changes sent in one push request.", SYNC, positive=True),
    Setting("sync.feed_page_size", int, 500, "Changes asked for in one pull request.", SYNC, positive=True),
    Setting("sync.resumable_threshold", int, 4 * _KIB * _KIB, "Photos this large or larger upload in chunks.",
            SYNC, positive=True),
    Setting("sync.chunk_bytes", int, 2 * _KIB * _KIB, "Bytes in one chunk of a resumable upload.", SYNC,
            positive=True),
    Setting("sync.upload_batch_bytes", int, 8 * _KIB * _KIB, "Bytes of small photos sent in one request.", SYNC,
            positive=True),
    Setting("sync.upload_workers", int, 4, "Photo uploads running at once.", SYNC, positive=True),
    Setting("sync.download_photos", bool, True, "Fetch the photos of records pulled from the server.", SYNC),
    # -- the window as it was left
    Setting("window.geometry", bytes, b"", "The main window's size and place (Qt's saveGeometry).", WINDOW),
    Setting("window.page", str, "today", "The page open when the window was closed.", WINDOW),
    Setting("window.inspection", str, "", "The draft inspection open in the runner when the window was closed.",
            WINDOW),
    Setting("window.inspection_item", str, "", "The item of that inspection shown when it was left.", WINDOW),
    Setting("window.splitters", dict, {}, "The sizes of each page's splitters, by page key ({page: [[sizes]]}).",
            WINDOW),
)
# fmt: on

BY_KEY: Mapping[str, Setting] = {setting.key: setting for setting in SETTINGS}

# Keys of older versions, renamed by the schema step that brought in the settings table (0005). Never edit.
RENAMED: Mapping[str, str] = {
    "device_id": "device.id",
    "user_id": "user.id",
    "sync.username": "user.username",
    "sync.display_name": "user.display_name",
    "sync.user_roles": "user.roles",
    "user_jurisdictions": "user.jurisdictions",
    "ui.sync_interval_minutes": "sync.interval_minutes",
    "ui.sync_start_delay_seconds": "sync.start_delay_seconds",
    "ui.sync_probe_seconds": "sync.probe_seconds",
}


def setting(key: str) -> Setting:
    """The declaration of a key; UnknownSettingError for a key the table does not have."""
    try:
        return BY_KEY[key]
    except KeyError:
        raise UnknownSettingError(key) from None
