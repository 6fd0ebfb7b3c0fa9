"""Fixtures of the sync engine's unit tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sync_support import ScriptedServer


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
