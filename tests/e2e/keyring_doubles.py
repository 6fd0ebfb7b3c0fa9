"""Keyring backends for the tests: one in memory (this process), one that stands in for an OS keyring shared by the
`inspector` subprocesses of a test (a JSON file in the test's temp folder, outside every data folder)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

SHARED_FILE_ENV = "INSPECTOR_TEST_KEYRING_FILE"


@contextmanager
def memory_keyring_installed() -> Iterator[MemoryKeyring]:
    """The OS keyring replaced by one in memory (a secure backend, so tokens go there) until the block ends."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


class MemoryKeyring(KeyringBackend):
    """A secure-looking keyring that keeps secrets in a dict."""

    priority = 10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise PasswordDeleteError("no such secret")


class SharedTestKeyring(KeyringBackend):
    """Loaded in subprocesses through PYTHON_KEYRING_BACKEND; plays the OS keyring across processes."""

    priority = 10  # type: ignore[assignment]

    def _path(self) -> Path:
        return Path(os.environ[SHARED_FILE_ENV])

    def _load(self) -> dict[str, str]:
        path = self._path()
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def _save(self, secrets: dict[str, str]) -> None:
        path = self._path()
        temp = path.with_suffix(".tmp")
        temp.write_text(json.dumps(secrets), encoding="utf-8")
        temp.replace(path)

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}|{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        secrets = self._load()
        secrets[f"{service}|{username}"] = password
        self._save(secrets)

    def delete_password(self, service: str, username: str) -> None:
        secrets = self._load()
        if secrets.pop(f"{service}|{username}", None) is None:
            raise PasswordDeleteError("no such secret")
        self._save(secrets)
