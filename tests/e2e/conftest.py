"""Fixtures of the end-to-end tests: a seeded server template (built once), a live server per test, clients, and
an in-memory keyring standing in for the OS one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from e2e_support import Client, ServerProcess, build_server_template
from keyring_doubles import MemoryKeyring, memory_keyring_installed


@pytest.fixture(scope="session")
def server_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_server_template(tmp_path_factory.mktemp("server-template"))


@pytest.fixture
def server(tmp_path: Path, server_template: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path / "server", server_template)
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    with memory_keyring_installed() as backend:
        yield backend


@pytest.fixture
def make_client(tmp_path: Path) -> Callable[..., Client]:
    def factory(name: str, tunables: dict[str, str] | None = None) -> Client:
        return Client.create(tmp_path / name, tunables)

    return factory
