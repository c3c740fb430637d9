"""Nothing acknowledged is lost: SIGKILL the real server mid-load, start it again, and count.

Several clients submit assessments with an Idempotency-Key each, as a careful
integration does; the server is killed at a random moment; every submission
that went unanswered is retried with its key after the restart. Then: every
201 is stored with the same result, no submission is stored twice, and the
database passes its integrity check. Ten cycles, on the suite's engine.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, text
from sqlmodel import Session, select

from app.db import is_sqlite
from app.models import Assessment
from app.settings import Settings
from tests.conftest import TEST_PEPPER
from tests.utils.factories import answers, body
from tests.utils.histograms import histogram_rows, recomputed
from tests.utils.server import Server

# the real-server tests take turns on one xdist worker: never two of them loading the machine at once
pytestmark = pytest.mark.xdist_group("system")

CYCLES = 10
CLIENTS = 4
SEED = 20261122


@pytest.fixture
def server(settings: Settings) -> Iterator[Server]:
    running = Server(
        {
            "READINESS_DATABASE_URL": settings.database_url,
            "READINESS_KEY_PEPPER": TEST_PEPPER,
            "READINESS_RATE_LIMIT": "1000000/minute",
            # a claim left by a killed request may be taken over after a second, not a minute
            "READINESS_IDEMPOTENCY_LOCK_SECONDS": "1",
        }
    )
    yield running
    running.stop()


@dataclass
class Ledger:
    """What the clients were told: the 201 body per key, and the keys still waiting for an answer."""

    acknowledged: dict[str, dict[str, Any]] = field(default_factory=dict)
    unanswered: list[str] = field(default_factory=list)
    retried: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acknowledge(self, key: str, response: httpx.Response) -> None:
        with self.lock:
            first = self.acknowledged.setdefault(key, response.json())
            assert first == response.json(), f"a retry of {key} got another answer"


def submission(key: str, rng: random.Random) -> dict[str, Any]:
    name = rng.choice(["ready", "not_ready", "borderline", "no_owner", "knockout"])
    return body(name, answers=answers(name), respondent={"organisation": "Crash Test Oy", "external_ref": key})


def send(client: httpx.Client, key: str, request: dict[str, Any], ledger: Ledger) -> bool:
    """True once the submission is acknowledged; False if the server went away first."""
    while True:
        try:
            response = client.post("/v1/assessments", json=request, headers={"Idempotency-Key": key})
        except httpx.TransportError:
            return False
        if response.status_code == 409:  # the first try still holds the key: wait as told
            time.sleep(float(response.headers.get("retry-after", "1")))
            continue
        assert response.status_code == 201, response.text
        ledger.acknowledge(key, response)
        return True


def clients_until_killed(server: Server, auth: dict[str, str], ledger: Ledger, cycle: int, rng: random.Random) -> None:
    stop = threading.Event()
    requests: dict[str, dict[str, Any]] = {}

    def work(number: int) -> None:
        local = random.Random(rng.random())
        with httpx.Client(base_url=server.url, headers=auth, timeout=30) as client:
            sent = 0
            while not stop.is_set():
                key = f"cycle{cycle}-client{number}-{sent}"
                requests[key] = submission(key, local)
                if not send(client, key, requests[key], ledger):
                    with ledger.lock:
                        ledger.unanswered.append(key)
                    return
                sent += 1

    threads = [threading.Thread(target=work, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(rng.uniform(0.2, 1.2))
    server.kill()
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    server.start()
    # every submission that went unanswered is sent again with its key
    with httpx.Client(base_url=server.url, headers=auth, timeout=30) as client:
        for key in ledger.unanswered:
            assert send(client, key, requests[key], ledger)
    ledger.retried += len(ledger.unanswered)
    ledger.unanswered.clear()


def check_integrity(db_engine: Engine) -> None:
    with db_engine.connect() as connection:
        if is_sqlite(str(db_engine.url)):
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            return
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
        indexes = connection.execute(
            text(
                "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'btree' "
                "AND i.indrelid IN ('assessment'::regclass, 'idempotency_record'::regclass)"
            )
        ).scalars().all()
        assert indexes
        for index in indexes:
            connection.execute(text("SELECT bt_index_check(CAST(:index AS regclass), true)"), {"index": index})
        connection.commit()


def test_every_acknowledged_submission_survives_sigkill(
    server: Server, make_key: Callable[..., str], db_engine: Engine
) -> None:
    rng = random.Random(SEED)
    auth = {"Authorization": f"Bearer {make_key()}"}
    ledger = Ledger()
    server.start()
    for cycle in range(CYCLES):
        clients_until_killed(server, auth, ledger, cycle, rng)
    server.stop()

    # the load really ran, and kills really cut requests off mid-flight
    assert len(ledger.acknowledged) >= 10 * CYCLES and ledger.retried >= CYCLES
    print(f"{len(ledger.acknowledged)} submissions acknowledged, {ledger.retried} retried after a kill")
    check_integrity(db_engine)
    with Session(db_engine) as session:
        stored = {a.external_ref: a for a in session.exec(select(Assessment)).all()}
        total = session.exec(select(func.count()).select_from(Assessment)).one()
    # one row per submission: no retry made a duplicate, and nothing unacknowledged lingers twice
    assert total == len(stored)
    for key, acknowledged in ledger.acknowledged.items():
        row = stored[key]
        assert str(row.id) == acknowledged["id"]
        assert row.result == acknowledged["result"] and row.decision == acknowledged["decision"]
    assert set(stored) == set(ledger.acknowledged)
    # the score histograms were written in each submission's transaction: they count exactly what survived
    assert histogram_rows(db_engine) == recomputed(db_engine)
