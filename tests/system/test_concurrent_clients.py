"""64 clients at once against the real server: no error, no "database is locked", nothing lost.

On SQLite one server process (SQLite has one writer at a time: WAL and the
busy timeout make the others wait, not fail); on PostgreSQL two server
processes share the database, as behind a load balancer.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator

import httpx
import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from app.db import is_sqlite
from app.models import Assessment
from app.settings import Settings
from tests.conftest import TEST_PEPPER
from tests.utils.factories import body
from tests.utils.histograms import histogram_rows, recomputed
from tests.utils.server import Server

# the real-server tests take turns on one xdist worker: never two of them loading the machine at once
pytestmark = pytest.mark.xdist_group("system")

CLIENTS = 64
SECONDS = 6.0
EXAMPLES = ("ready", "borderline", "no_owner", "not_ready")


@pytest.fixture
def servers(settings: Settings) -> Iterator[list[Server]]:
    env = {
        "READINESS_DATABASE_URL": settings.database_url,
        "READINESS_KEY_PEPPER": TEST_PEPPER,
        "READINESS_RATE_LIMIT": "1000000/minute",
    }
    started = [Server(env) for _ in range(1 if is_sqlite(settings.database_url) else 2)]
    for server in started:
        server.start()
    yield started
    for server in started:
        server.stop()


def test_sixty_four_concurrent_clients_see_no_error(
    servers: list[Server], make_key: Callable[..., str], db_engine: Engine
) -> None:
    auth = {"Authorization": f"Bearer {make_key()}"}
    statuses: Counter[int] = Counter()
    created: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)
    deadline: list[float] = []

    def client(number: int) -> None:
        server = servers[number % len(servers)]
        with httpx.Client(base_url=server.url, headers=auth, timeout=60) as http:
            start.wait()
            while time.monotonic() < deadline[0]:
                if number % 4 == 3:  # a quarter of the clients read while the others write
                    response = http.get("/v1/assessments", params={"limit": 50})
                else:
                    # answer sets whose histogram rows overlap in part: concurrent upserts must never deadlock
                    response = http.post("/v1/assessments", json=body(EXAMPLES[number % len(EXAMPLES)]))
                with lock:
                    statuses[response.status_code] += 1
                    if response.status_code == 201:
                        created.append(response.json()["id"])

    deadline.append(time.monotonic() + SECONDS + 5)  # the barrier releases everyone at once, within seconds
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert set(statuses) <= {200, 201}, statuses
    assert statuses[201] >= CLIENTS and statuses[200] >= CLIENTS // 4
    with Session(db_engine) as session:
        assert session.exec(select(func.count()).select_from(Assessment)).one() == len(created) == len(set(created))
    # the score histograms, updated by every submission at once, lost no update and counted none twice
    assert histogram_rows(db_engine) == recomputed(db_engine)
