"""Errors of the client store that the app shows to people: `UserError`s with codes from the one catalogue."""

from __future__ import annotations

from inspector.core.errors import UserError


class StoreError(UserError):
    """Base of every store error; `str()` gives "中文 / English" so one line serves both UIs and logs."""

    code = "store_error"


class NewerDatabaseError(StoreError):
    """The database was written by a newer version of the app; this version must not touch it."""

    code = "newer_database"

    def __init__(self, found_version: int, supported_version: int, path: str) -> None:
        super().__init__(path=path, found_version=found_version, supported_version=supported_version)
        self.found_version = found_version
        self.supported_version = supported_version


class DatabaseDamagedError(StoreError):
    """The database file cannot be read as an Inspector database."""

    code = "database_damaged"

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(path=path, detail=detail)


class DataFolderError(StoreError):
    """The data folder cannot be created or written."""

    code = "data_folder"

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(path=path, detail=detail)


class RecordNotFoundError(StoreError):
    """A record that a repository function needs does not exist."""

    code = "not_found"

    def __init__(self, what: str, record_id: str) -> None:
        super().__init__(what=what, what_zh=_ZH_NAMES.get(what, what), record_id=record_id)
        self.what = what
        self.record_id = record_id


class InvalidRecordError(StoreError):
    """A value given to a repository function is not acceptable; the message says which and why."""

    code = "invalid"


class InspectionFinishedError(StoreError):
    """A finished inspection is immutable; changing it is refused."""

    code = "inspection_finished"

    def __init__(self, inspection_id: str) -> None:
        super().__init__(inspection_id=inspection_id)


_ZH_NAMES = {
    "subject": "检查对象",
    "inspection": "检查记录",
    "finding": "问题",
    "checklist": "检查表",
    "photo": "照片",
    "outbox change": "待同步变更",
    "conflict": "冲突",
}
