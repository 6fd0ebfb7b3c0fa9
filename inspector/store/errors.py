"""Errors of the client store that the app shows to people: each carries a Chinese and an English message."""

from __future__ import annotations


class StoreError(Exception):
    """Base of every store error; `str()` gives "中文 / English" so one line serves both UIs and logs."""

    code = "store_error"

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en


class NewerDatabaseError(StoreError):
    """The database was written by a newer version of the app; this version must not touch it."""

    code = "newer_database"

    def __init__(self, found_version: int, supported_version: int, path: str) -> None:
        super().__init__(
            f"数据库 {path} 来自更新版本的巡查程序（数据结构版本 {found_version}，本程序支持到 {supported_version}），"
            "请安装最新版本后再打开。",
            f"The database {path} was written by a newer Inspector (schema version {found_version}; this version "
            f"supports up to {supported_version}). Install the latest version to open it.",
        )
        self.found_version = found_version
        self.supported_version = supported_version


class DatabaseDamagedError(StoreError):
    """The database file cannot be read as an Inspector database."""

    code = "database_damaged"

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(
            f"数据库 {path} 已损坏或不是巡查数据库：{detail}",
            f"The database {path} is damaged or not an Inspector database: {detail}",
        )


class DataFolderError(StoreError):
    """The data folder cannot be created or written."""

    code = "data_folder"

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(f"无法使用数据文件夹 {path}：{detail}", f"Cannot use the data folder {path}: {detail}")


class RecordNotFoundError(StoreError):
    """A record that a repository function needs does not exist."""

    code = "not_found"

    def __init__(self, what: str, record_id: str) -> None:
        super().__init__(f"找不到{_ZH_NAMES.get(what, what)} {record_id}", f"No {what} with id {record_id}")
        self.what = what
        self.record_id = record_id


class InvalidRecordError(StoreError):
    """A value given to a repository function is not acceptable; the message says which and why."""

    code = "invalid"


class InspectionFinishedError(StoreError):
    """A finished inspection is immutable; changing it is refused."""

    code = "inspection_finished"

    def __init__(self, inspection_id: str) -> None:
        super().__init__(
            f"检查记录 {inspection_id} 已完成，不能再修改",
            f"Inspection {inspection_id} is finished and can no longer be changed",
        )


_ZH_NAMES = {
    "subject": "检查对象",
    "inspection": "检查记录",
    "finding": "问题",
    "checklist": "检查表",
    "photo": "照片",
    "outbox change": "待同步变更",
    "conflict": "冲突",
}
