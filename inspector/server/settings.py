"""Server settings from INSPECTOR_* environment variables or a TOML file, with safe defaults and clear errors."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from packaging.version import InvalidVersion, Version
from pydantic import AfterValidator, Field, PositiveInt, ValidationError
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

from inspector.paths import default_data_dir

ENV_PREFIX = "INSPECTOR_"
CONFIG_ENV = "INSPECTOR_CONFIG"
MiB = 1024 * 1024


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the setting and says what is wrong."""


def _version_text(text: str) -> str:
    try:
        Version(text)
    except InvalidVersion:
        raise ValueError("not a version number like 0.1.0") from None
    return text


DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres", "postgresql+psycopg")


def _database_url(text: str) -> str:
    """An SQLite or PostgreSQL URL (or empty: the SQLite file in the data folder)."""
    if not text:
        return text
    scheme, separator, _ = text.partition("://")
    if not separator or not scheme:
        raise ValueError("not a database URL: use postgresql://USER:PASSWORD@HOST/NAME or sqlite:////path/server.db")
    if scheme.lower() not in DATABASE_SCHEMES:
        raise ValueError(
            f"{scheme}:// databases are not supported: use postgresql://USER:PASSWORD@HOST/NAME or sqlite:////path/server.db"
        )
    return text


def _folder(path: Path) -> Path:
    """A folder path (created when missing); refused when something else is there."""
    path = path.expanduser()
    if path.exists() and not path.is_dir():
        raise ValueError(f"{path} is a file, not a folder: name a folder (it is created when missing)")
    return path


UserPath = Annotated[Path, AfterValidator(_folder)]
VersionText = Annotated[str, AfterValidator(_version_text)]
DatabaseUrl = Annotated[str, AfterValidator(_database_url)]


class Settings(BaseSettings):
    """Everything the server reads from its environment. Field names match the env vars without the prefix.

    Constructed directly it takes only its arguments; `load_settings` adds the config file and the environment.
    """

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, extra="forbid", frozen=True)

    data_dir: UserPath = Field(default_factory=lambda: default_data_dir() / "server")
    database_url: DatabaseUrl = ""  # empty: sqlite:///<data_dir>/server.db
    blob_dir: UserPath | None = None  # None: <data_dir>/blobs
    dev_mode: bool = False
    api_docs: bool | None = None  # Swagger UI at /api/v1/docs; unset: on in development mode only
    tls_proxy: bool = False  # a proxy in front terminates TLS: every reply carries Strict-Transport-Security
    hsts_max_age: PositiveInt = 365 * 24 * 3600
    token_lifetime_days: PositiveInt = 30
    max_request_bytes: PositiveInt = 8 * MiB
    max_blob_bytes: PositiveInt = 64 * MiB
    max_chunk_bytes: PositiveInt = 8 * MiB
    max_batch_bytes: PositiveInt = 32 * MiB  # a batch upload's whole body
    max_batch_blobs: PositiveInt = 200
    max_push_changes: PositiveInt = 500
    max_feed_limit: PositiveInt = 1000
    max_page_limit: PositiveInt = 500
    max_missing_query: PositiveInt = 1000
    login_window_seconds: PositiveInt = 300
    login_max_failures_per_user: PositiveInt = 5
    login_max_failures_per_address: PositiveInt = 30
    argon2_time_cost: PositiveInt = 3
    argon2_memory_kib: PositiveInt = 65536
    min_client_version: VersionText = "0.1.0"
    max_clock_skew_seconds: PositiveInt = 600  # how far ahead of the server's clock a command's `at` may be
    forwarded_allow_ips: str = "127.0.0.1"
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"  # json: one JSON object per line (with the request id)
    db_pool_size: PositiveInt = 10
    # off for pgbouncer in transaction pooling, where a prepared statement may live on another server connection
    db_prepared_statements: bool = True
    # a process that only reads (the feed, the dashboard) from a read replica: start-up checks no write access
    read_only: bool = False
    db_request_retries: int = Field(default=2, ge=0, le=10)  # a request that lost its database connection, again
    retry_after_seconds: PositiveInt = 2  # what a 503 asks the client to wait (database or photo store away)
    blob_store: Literal["filesystem", "s3"] = "filesystem"
    s3_bucket: str = ""  # one bucket per district
    s3_endpoint_url: str = ""  # empty: AWS; else e.g. http://seaweedfs.example:8333
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_presign_downloads: bool = False  # downloads answered 307 to a signed URL of the store instead of streamed
    s3_presign_seconds: PositiveInt = 300
    # the bucket's address as laptops reach it (e.g. through the site's proxy): set, laptops upload photos straight to
    # it with presigned PUTs and the server only confirms them; empty: every photo goes through the server
    s3_public_endpoint_url: str = ""
    s3_upload_seconds: int = Field(default=300, ge=30, le=3600)  # how long a presigned upload address is valid
    # the web face (server/web): the address the public reaches /u/ and /s/ at, printed in QR codes
    public_base_url: str = "http://127.0.0.1:8765"
    unit_link_days: PositiveInt = 90  # a unit's link expires this long after the assignment (or at closing)
    web_upload_bytes: PositiveInt = 10 * MiB  # one photo from a phone
    web_unit_posts_per_hour: PositiveInt = 30  # per unit link
    web_reports_per_hour_per_address: PositiveInt = 5
    web_reports_per_day_per_subject: PositiveInt = 50
    web_secret: str = ""  # signs forms and sessions; empty: a random one per process (set it when several run)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only the arguments: which environment and file apply is `load_settings`' choice."""
        return (init_settings,)

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to an SQLite file in the data folder."""
        return self.database_url or f"sqlite:///{self.data_dir / 'server.db'}"

    @property
    def effective_blob_dir(self) -> Path:
        """Where blobs are stored."""
        return self.blob_dir or self.data_dir / "blobs"

    @property
    def docs_enabled(self) -> bool:
        """Whether the Swagger UI is served (off in production unless asked for)."""
        return self.dev_mode if self.api_docs is None else self.api_docs

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


class _Environment(EnvSettingsSource):
    """The INSPECTOR_* variables of one environment (the process's, or the one a caller passes), untyped: the model
    types them."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(Settings)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {key.lower(): value for key, value in self._environ.items() if value != ""}


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
    """Settings from (lowest first) defaults, the config file, the environment, then explicit overrides (None values
    are left out); every value typed by the model. Raises SettingsError naming each setting that cannot be used."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    config_path = config_file or env.get(CONFIG_ENV)
    if config_path:
        values.update(read_config_file(Path(config_path)))
    values.update(_Environment(env)())
    values.update({name: raw for name, raw in overrides.items() if raw is not None})
    try:
        settings = Settings(**values)
    except ValidationError as error:
        raise SettingsError(_problems(error, config_path)) from None
    if settings.blob_store == "s3" and not settings.s3_bucket:
        raise SettingsError("setting INSPECTOR_S3_BUCKET is required when INSPECTOR_BLOB_STORE is s3")
    if settings.max_chunk_bytes > settings.max_blob_bytes:
        raise SettingsError("setting INSPECTOR_MAX_CHUNK_BYTES must not exceed INSPECTOR_MAX_BLOB_BYTES")
    return settings


def _problems(error: ValidationError, config_path: str | Path | None) -> str:
    """One line per refused value, each naming its variable (or the config file's unknown key)."""
    lines = []
    for problem in error.errors(include_url=False):
        name = str(problem["loc"][0]) if problem["loc"] else ""
        if problem["type"] == "extra_forbidden":
            lines.append(f"config file {config_path}: unknown setting {name!r}")
        else:
            message = str(problem["msg"]).removeprefix("Value error, ")
            got = "" if name == "database_url" else f" (got {problem['input']!r})"  # a URL may hold a password
            lines.append(f"setting {ENV_PREFIX}{name.upper()} ({name}): {message}{got}")
    return "; ".join(lines)
