"""Test wiring: one migrated database per run and per xdist worker (SQLite, or
PostgreSQL when READINESS_TEST_DATABASE_URL is set), emptied after every test
that used it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, make_url, text
from sqlmodel import Session

from app import migrations
from app.banks.loader import LoadedBank, bank_files
from app.db import is_sqlite, make_engine, metadata
from app.main import create_app
from app.models.tenants import KeyKind
from app.services import banks as bank_service
from app.services import keys as key_service
from app.settings import Settings, get_settings

TEST_DATABASE_ENV = "READINESS_TEST_DATABASE_URL"
TEST_PEPPER = "test-pepper"


@pytest.fixture(scope="session", autouse=True)
def parse_each_bank_directory_once() -> Iterator[None]:
    """Every app start-up syncs the shipped banks; the same files need parsing only once per run.

    Keyed by each file's path and bytes, so a test that writes or changes a bank gets a parse of
    its own, and a directory that fails to load is never kept: it fails again on every start-up.
    """
    parsed: dict[tuple[tuple[str, bytes], ...], list[LoadedBank]] = {}
    load_bank_directory = bank_service.load_bank_directory

    def load_once(directory: Path) -> list[LoadedBank]:
        contents = tuple((str(path), path.read_bytes()) for path in bank_files(directory))
        if contents not in parsed:
            parsed[contents] = load_bank_directory(directory)
        return list(parsed[contents])  # LoadedBank and Bank are frozen: only the list is the caller's

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bank_service, "load_bank_directory", load_once)
        yield


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # tmp_path_factory is already a folder per xdist worker
    url = os.environ.get(TEST_DATABASE_ENV) or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    if not is_sqlite(url):
        url = worker_database(url, os.environ.get("PYTEST_XDIST_WORKER"))
        engine = make_engine(url)
        with engine.begin() as connection:  # start from an empty database, as a new install does
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    migrations.upgrade(Settings(database_url=url))
    yield url


def worker_database(url: str, worker: str | None) -> str:
    """URL's own database without xdist; under it, URL's database name + `_gw0` (made if missing) for worker gw0."""
    if not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = make_engine(url)
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).first()
            if exists is None:
                connection.execute(text(f"CREATE DATABASE {connection.dialect.identifier_preparer.quote(name)}"))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def db_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(database_url: str, db_engine: Engine) -> Iterator[Settings]:
    yield Settings(database_url=database_url, key_pepper=SecretStr(TEST_PEPPER))
    empty_database(db_engine)


def empty_database(engine: Engine) -> None:
    """Every row gone, the schema kept: how each test leaves the database."""
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def env_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The test database and pepper as environment variables, for the `readiness` command."""
    monkeypatch.setenv("READINESS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("READINESS_KEY_PEPPER", TEST_PEPPER)
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def make_key(settings: Settings, db_engine: Engine) -> Callable[..., str]:
    """Create an API key for a tenant, as `readiness keys create` does: `make_key("agency-b", kind="publishable")`."""

    def make(tenant: str = "agency-a", kind: str = "secret", name: str | None = None) -> str:
        with Session(db_engine) as session:
            _, key = key_service.create_key(
                session=session, tenant_name=tenant, pepper=TEST_PEPPER, kind=KeyKind(kind), name=name
            )
        return key

    return make


@pytest.fixture
def auth(make_key: Callable[..., str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_key()}"}


@pytest.fixture
def mini_banks_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "mini.yaml").write_text((FIXTURES / "mini-bank.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return folder


FIXTURES = Path(__file__).parent / "fixtures"



UNGROUPED = pytest.StashKey[str]()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Catch xdist's loadgroup ignoring a group: it marks one by a suffix of the node id.

    pytest 9.2 made node ids immutable, and xdist 3.8 then drops every xdist_group silently
    (pytest-dev/pytest-xdist#1386): the real-server tests would run beside each other.
    """
    if not getattr(config.option, "loadgroup", False):  # set on xdist's workers under --dist loadgroup
        return
    for item in items:
        if item.get_closest_marker("xdist_group") and "@" not in item.nodeid:
            item.stash[UNGROUPED] = "--dist loadgroup ignored this test's xdist_group: see pytest-dev/pytest-xdist#1386"


def pytest_runtest_setup(item: pytest.Item) -> None:
    if UNGROUPED in item.stash:
        pytest.fail(item.stash[UNGROUPED], pytrace=False)
