"""All settings in one place, read from `READINESS_*` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="READINESS_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./readiness.db",
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user:pass@host/db",
    )
    banks_dir: Path = Field(default=PROJECT_ROOT / "question_banks", description="Shipped bank files")
    migrations_dir: Path = Field(default=PROJECT_ROOT / "migrations", description="Alembic scripts")
    key_pepper: SecretStr = Field(
        default=SecretStr("development-pepper-change-me"),
        description="Server-side secret mixed into every API key hash; set your own in production",
    )
    key_cache_seconds: float = Field(
        default=5,
        ge=0,
        description="How long a process trusts a key it has looked up; a key revoked through another process "
        "stops working within this time (0: look up every request)",
    )
    default_page_size: int = Field(default=20, ge=1, le=100)
    max_page_size: int = Field(default=100, ge=1, le=1000)
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)
    db_pool_size: int = Field(default=10, ge=1, description="PostgreSQL connections kept open per process")
    db_max_overflow: int = Field(default=10, ge=0, description="extra PostgreSQL connections a busy process may open")
    db_pool_timeout_seconds: float = Field(default=30, gt=0, description="how long a request waits for a connection")
    db_pool_recycle_seconds: int = Field(
        default=1800, ge=-1, description="reconnect connections older than this (-1: never); below a proxy's idle cut-off"
    )
    worker_threads: int = Field(
        default=4,
        ge=1,
        le=1000,
        description="Threads per process for the routes that wait on the database; more only add contention "
        "for Python's one interpreter lock",
    )
    max_body_bytes: int = Field(default=256 * 1024, ge=1024, description="Larger request bodies get 413")
    rate_limit: str = Field(
        default="600/minute", description="Requests per API key (or client address without one), limits syntax"
    )
    redis_url: str | None = Field(
        default=None, description="Share rate limits between processes through Redis (redis://host:6379/0)"
    )
    idempotency_ttl_seconds: int = Field(
        default=24 * 3600, ge=60, description="How long a retry with the same Idempotency-Key gets the first answer"
    )
    idempotency_lock_seconds: int = Field(
        default=60, ge=1, description="After this long a request that never answered (its process died) may be retried"
    )
    cors_origins: list[str] = Field(default_factory=list, description="Browser origins allowed to call the API")
    public_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^/?#\s]+(/[^?#\s]*)?$",
        description="Where clients reach this API (https://readiness.example.com): report share links start with it; "
        "by default they start with the URL the request came in on",
    )

    webhooks_allow_localhost: bool = Field(
        default=False, description="Allow http://localhost and 127.0.0.1 webhook endpoints (development and tests only)"
    )
    webhooks_worker: bool = Field(
        default=True, description="Deliver webhooks from a thread of the server; off when `readiness webhooks worker` runs"
    )
    webhook_poll_seconds: float = Field(default=1.0, gt=0, le=60, description="How often the worker looks for due deliveries")
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60, description="Per delivery attempt")
    # 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, 10 h: Svix's schedule plus one more step, so that even
    # with every delay jittered 20 % short the retries span more than a day (30 h)
    webhook_retry_schedule: list[Annotated[float, Field(gt=0)]] = Field(
        default=[5, 300, 1800, 7200, 18000, 36000, 36000, 36000],
        max_length=50,
        description="Seconds before each retry of a failed delivery (±20 % jitter); after the last one it fails",
    )

    metrics_enabled: bool = Field(
        default=True, description="Serve GET /metrics (Prometheus); reachable only from the monitoring network"
    )
    log_format: Literal["json", "console"] = Field(
        default="json", description="json: one JSON object a line; console: readable lines for development"
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(default="info", description="The lowest level logged")

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _lower_case(cls, value: object) -> object:
        # INFO and info alike, as logging's own names are upper case
        return value.lower() if isinstance(value, str) else value

    @property
    def rate_limit_storage(self) -> str:
        return f"async+{self.redis_url}" if self.redis_url else "async+memory://"


@lru_cache
def get_settings() -> Settings:
    return Settings()
