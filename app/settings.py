"""All settings in one place, read from `READINESS_*` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
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
    default_page_size: int = Field(default=20, ge=1, le=100)
    max_page_size: int = Field(default=100, ge=1, le=1000)
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)
    db_pool_size: int = Field(default=10, ge=1)


@lru_cache
def get_settings() -> Settings:
    return Settings()
