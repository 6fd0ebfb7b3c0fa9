"""Server settings from INSPECTOR_* environment variables or a TOML file, with safe defaults and clear errors."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from inspector.paths import default_data_dir

ENV_PREFIX = "INSPECTOR_"
CONFIG_ENV = "INSPECTOR_CONFIG"
MiB = 1024 * 1024


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the setting and says what is wrong."""


@dataclass(frozen=True)
class Settings:
    """Everything the server reads from its environment. Field names match the env vars without the prefix."""

    data_dir: Path = field(default_factory=lambda: default_data_dir() / "server")
    database_url: str = ""  # empty: sqlite:///<data_dir>/server.db
    blob_dir: Path | None = None  # None: <data_dir>/blobs
    dev_mode: bool = False
    token_lifetime_days: int = 30
    max_request_bytes: int = 8 * MiB
    max_blob_bytes: int = 64 * MiB
    max_chunk_bytes: int = 8 * MiB
    max_batch_bytes: int = 32 * MiB  # a batch upload's whole body
    max_batch_blobs: int = 200
    max_push_changes: int = 500
    max_feed_limit: int = 1000
    max_page_limit: int = 500
    max_missing_query: int = 1000
    login_window_seconds: int = 300
    login_max_failures_per_user: int = 5
    login_max_failures_per_address: int = 30
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    min_client_version: str = "0.1.0"
    forwarded_allow_ips: str = "127.0.0.1"
    log_level: str = "INFO"
    db_pool_size: int = 10

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to an SQLite file in the data folder."""
        return self.database_url or f"sqlite:///{self.data_dir / 'server.db'}"

    @property
    def effective_blob_dir(self) -> Path:
        """Where blobs are stored."""
        return self.blob_dir or self.data_dir / "blobs"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    def limits(self) -> dict[str, int]:
        """The limits a client needs to know (reported by /api/v1/version)."""
        names = (
            "max_request_bytes",
            "max_push_changes",
            "max_blob_bytes",
            "max_chunk_bytes",
            "max_batch_bytes",
            "max_batch_blobs",
            "max_feed_limit",
            "max_page_limit",
            "max_missing_query",
        )
        return {name: getattr(self, name) for name in names}


def _convert(name: str, raw: Any, kind: str) -> Any:
    """Turn an env/TOML value into the field's type, or raise SettingsError naming the setting."""
    env_name = ENV_PREFIX + name.upper()
    try:
        if "bool" in kind:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(f"not a yes/no value: {raw!r}")
        if "int" in kind:
            value = int(raw)
            if value <= 0:
                raise ValueError(f"must be a positive number, got {value}")
            return value
        if "Path" in kind:
            return Path(str(raw)).expanduser()
        return str(raw)
    except ValueError as error:
        raise SettingsError(f"setting {env_name} ({name}): {error}") from None


def _field_kinds() -> dict[str, str]:
    return {f.name: str(f.type) for f in fields(Settings)}


def read_config_file(path: Path) -> dict[str, Any]:
    """The [server] table of a TOML config file (or the whole file when it has no such table)."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"config file {path}: {error}") from None
    table = document.get("server", document)
    if not isinstance(table, dict):
        raise SettingsError(f"config file {path}: [server] must be a table")
    return table


def load_settings(
    environ: Mapping[str, str] | None = None, config_file: str | Path | None = None, **overrides: Any
) -> Settings:
    """Settings from (lowest first) defaults, the config file, the environment, then explicit overrides."""
    env = os.environ if environ is None else environ
    kinds = _field_kinds()
    values: dict[str, Any] = {}
    config_path = config_file or env.get(CONFIG_ENV)
    if config_path:
        for key, raw in read_config_file(Path(config_path)).items():
            if key not in kinds:
                raise SettingsError(f"config file {config_path}: unknown setting {key!r}")
            values[key] = _convert(key, raw, kinds[key])
    for name, kind in kinds.items():
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None and raw != "":
            values[name] = _convert(name, raw, kind)
    for name, raw in overrides.items():
        if raw is not None:
            values[name] = _convert(name, raw, kinds[name])
    settings = replace(Settings(), **values)
    if settings.max_chunk_bytes > settings.max_blob_bytes:
        raise SettingsError("setting INSPECTOR_MAX_CHUNK_BYTES must not exceed INSPECTOR_MAX_BLOB_BYTES")
    return settings
