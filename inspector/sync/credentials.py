"""The sync token: kept in the OS keyring, or in this process's memory when no secure keyring exists; never a file."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Literal

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail

log = logging.getLogger(__name__)

SERVICE = "Inspector sync"
Storage = Literal["keyring", "memory"]

# Tokens of this process when no secure keyring exists: gone when the process ends, by design.
_MEMORY: dict[str, str] = {}
_MEMORY_LOCK = threading.Lock()


def is_secure_backend(backend: keyring.backend.KeyringBackend) -> bool:
    """True for a backend that really protects secrets: not the fail backend, not an empty chain, priority ≥ 1."""
    if isinstance(backend, fail.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return any(is_secure_backend(member) for member in backend.backends)
    try:
        return float(backend.priority) >= 1
    except Exception:  # a backend whose priority cannot be read is not trusted
        return False


def account_key(server_url: str, username: str, device_id: str) -> str:
    """The keyring entry name of one account on one installation (two data folders never share a token)."""
    return f"{username}@{server_url}#{device_id}"


@dataclass(frozen=True)
class StoredToken:
    """A token and where it lives."""

    token: str
    storage: Storage


class CredentialStore:
    """Saves, finds and forgets tokens. The keyring backend is looked up at each call (tests replace it)."""

    def secure_keyring_available(self) -> bool:
        return is_secure_backend(keyring.get_keyring())

    def save(self, key: str, token: str) -> Storage:
        """Keep the token: in the keyring when a secure one exists (and accepts it), else in memory only."""
        if self.secure_keyring_available():
            try:
                keyring.set_password(SERVICE, key, token)
            except keyring.errors.KeyringError as exc:
                log.warning("the keyring refused the token (%s); keeping it in memory for this run", exc)
            else:
                _forget_memory(key)
                return "keyring"
        with _MEMORY_LOCK:
            _MEMORY[key] = token
        return "memory"

    def load(self, key: str) -> StoredToken | None:
        """The token of this account, from memory (this run) or the keyring; None when there is none."""
        with _MEMORY_LOCK:
            remembered = _MEMORY.get(key)
        if remembered is not None:
            return StoredToken(remembered, "memory")
        if not self.secure_keyring_available():
            return None
        try:
            token = keyring.get_password(SERVICE, key)
        except keyring.errors.KeyringError as exc:
            log.warning("the keyring could not be read: %s", exc)
            return None
        return StoredToken(token, "keyring") if token else None

    def delete(self, key: str) -> None:
        """Forget the token everywhere it might be."""
        _forget_memory(key)
        if not self.secure_keyring_available():
            return
        try:
            keyring.delete_password(SERVICE, key)
        except keyring.errors.PasswordDeleteError:
            pass  # there was none
        except keyring.errors.KeyringError as exc:
            log.warning("the keyring entry could not be removed: %s", exc)


def _forget_memory(key: str) -> None:
    with _MEMORY_LOCK:
        _MEMORY.pop(key, None)
