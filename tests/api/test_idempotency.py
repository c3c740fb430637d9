"""Idempotency-Key: a retry gets the first answer byte for byte, never a second assessment."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, update
from sqlmodel import Session, select

from app.main import create_app
from app.models import Assessment, IdempotencyRecord, Tenant
from app.models.common import utcnow
from app.services import idempotency as idempotency_service
from app.settings import Settings
from tests.utils.factories import answers, body

PROBLEM = "urn:problem-type:some-readiness:"


def post(client: TestClient, auth: dict[str, str], key: str, request: dict[str, Any] | None = None) -> httpx.Response:
    return client.post("/v1/assessments", json=request or body("ready"), headers=auth | {"Idempotency-Key": key})


def stored_count(db_engine: Engine) -> int:
    with Session(db_engine) as session:
        return session.exec(select(func.count()).select_from(Assessment)).one()


def tenant_id(db_engine: Engine, name: str = "agency-a") -> uuid.UUID:
    with Session(db_engine) as session:
        return session.exec(select(Tenant.id).where(Tenant.name == name)).one()


class TestReplay:
    def test_a_retry_gets_the_first_answer_byte_for_byte(
        self, client: TestClient, auth: dict[str, str], db_engine: Engine
    ) -> None:
        first = post(client, auth, "order-1")
        again = post(client, auth, "order-1")
        assert first.status_code == again.status_code == 201
        assert again.content == first.content
        for header in ("location", "etag", "content-type", "content-language"):
            assert again.headers[header] == first.headers[header]
        assert "idempotent-replayed" not in first.headers and again.headers["idempotent-replayed"] == "true"
        assert stored_count(db_engine) == 1

    def test_the_same_json_spelt_differently_is_the_same_request(
        self, client: TestClient, auth: dict[str, str], db_engine: Engine
    ) -> None:
        request = body("ready")
        first = post(client, auth, "k", request)
        respelt = json.dumps(dict(reversed(list(request.items()))), indent=2).encode()
        again = client.post(
            "/v1/assessments",
            content=respelt,
            headers=auth | {"Idempotency-Key": "k", "Content-Type": "application/json"},
        )
        assert again.content == first.content and stored_count(db_engine) == 1

    def test_the_draft_form_of_the_key_quoted_is_the_same_key(self, client: TestClient, auth: dict[str, str]) -> None:
        first = post(client, auth, "abc")
        assert post(client, auth, '"abc"').content == first.content

    def test_the_answer_survives_a_restart(self, settings: Settings, auth: dict[str, str]) -> None:
        with TestClient(create_app(settings)) as before:
            first = post(before, auth, "restart-1")
        with TestClient(create_app(settings)) as after:
            again = post(after, auth, "restart-1")
        assert (again.status_code, again.content) == (201, first.content)

    def test_submit_with_a_key_replays_instead_of_409(self, client: TestClient, auth: dict[str, str]) -> None:
        draft = client.post("/v1/assessments", json=body(submit=False), headers=auth).json()
        url = f"/v1/assessments/{draft['id']}/submit"
        first = client.post(url, headers=auth | {"Idempotency-Key": "submit-1"})
        again = client.post(url, headers=auth | {"Idempotency-Key": "submit-1"})
        assert first.status_code == again.status_code == 200 and again.content == first.content
        assert client.post(url, headers=auth | {"Idempotency-Key": "submit-2"}).status_code == 409


class TestRefusals:
    def test_the_same_key_with_another_body_is_422(
        self, client: TestClient, auth: dict[str, str], db_engine: Engine
    ) -> None:
        post(client, auth, "k")
        response = post(client, auth, "k", body("not_ready"))
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == PROBLEM + "idempotency-key-reused"
        assert stored_count(db_engine) == 1

    def test_the_same_key_on_another_path_is_422(self, client: TestClient, auth: dict[str, str]) -> None:
        draft = post(client, auth, "k", body(submit=False)).json()
        response = client.post(f"/v1/assessments/{draft['id']}/submit", headers=auth | {"Idempotency-Key": "k"})
        assert response.status_code == 422

    def test_a_retry_while_the_first_is_in_flight_is_409(
        self, client: TestClient, auth: dict[str, str], db_engine: Engine
    ) -> None:
        claim_in_flight(db_engine, "busy", body("ready"), lock=timedelta(minutes=1))
        response = post(client, auth, "busy")
        assert response.status_code == 409 and response.headers["retry-after"] == "1"
        assert response.json()["type"] == PROBLEM + "idempotency-request-in-flight"
        assert stored_count(db_engine) == 0

    def test_a_claim_whose_request_died_is_taken_over_after_its_lock(
        self, client: TestClient, auth: dict[str, str], db_engine: Engine
    ) -> None:
        claim_in_flight(db_engine, "died", body("ready"), lock=timedelta(seconds=-1))
        assert post(client, auth, "died").status_code == 201
        assert stored_count(db_engine) == 1

    def test_a_failed_request_is_not_remembered(self, client: TestClient, auth: dict[str, str], db_engine: Engine) -> None:
        wrong = body("ready")
        wrong["answers"]["no_such_question"] = 1
        assert post(client, auth, "fix-me", wrong).status_code == 422
        assert post(client, auth, "fix-me").status_code == 201
        assert stored_count(db_engine) == 1

    def test_a_malformed_key_is_422_naming_the_header(self, client: TestClient, auth: dict[str, str]) -> None:
        for key in ("x" * 256, "x" * 5000, "tab\there", '"', 'a"b', '""'):
            response = post(client, auth, key)
            assert response.status_code == 422, key
            assert response.json()["errors"][0]["field"] == "header.Idempotency-Key"

    def test_keys_are_scoped_per_tenant(
        self, client: TestClient, auth: dict[str, str], make_key: Callable[..., str], db_engine: Engine
    ) -> None:
        other = {"Authorization": f"Bearer {make_key('agency-b')}"}
        mine, theirs = post(client, auth, "shared"), post(client, other, "shared")
        assert mine.status_code == theirs.status_code == 201
        assert mine.json()["id"] != theirs.json()["id"] and stored_count(db_engine) == 2

    def test_an_expired_key_can_be_used_again(self, client: TestClient, auth: dict[str, str], db_engine: Engine) -> None:
        first = post(client, auth, "old")
        with Session(db_engine) as session:
            session.execute(update(IdempotencyRecord).values(expires_at=utcnow() - timedelta(seconds=1)))
            session.commit()
        again = post(client, auth, "old", body("not_ready"))
        assert again.status_code == 201 and again.json()["id"] != first.json()["id"]
        with Session(db_engine) as session:
            assert idempotency_service.purge_expired(session) == 0  # the reused record lives on with a new time


class TestConcurrency:
    def test_twenty_identical_concurrent_posts_store_exactly_one_assessment(
        self, client: TestClient, auth: dict[str, str], db_engine: Engine
    ) -> None:
        request = body("ready", answers=answers("ready"))
        barrier = threading.Barrier(20)
        responses: list[httpx.Response] = []

        def send() -> None:
            barrier.wait()
            responses.append(post(client, auth, "campaign-42", request))

        threads = [threading.Thread(target=send) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert len(responses) == 20
        statuses = sorted(r.status_code for r in responses)
        assert set(statuses) <= {201, 409} and 201 in statuses, statuses
        created = [r for r in responses if r.status_code == 201]
        assert len({r.content for r in created}) == 1
        assert stored_count(db_engine) == 1
        # once the first has answered, every retry gets its answer
        assert post(client, auth, "campaign-42", request).content == created[0].content


def claim_in_flight(db_engine: Engine, key: str, request: dict[str, Any], *, lock: timedelta) -> None:
    """A claim as a request leaves it while running, or when its process died (a lock in the past)."""
    with Session(db_engine) as session:
        claimed = idempotency_service.claim(
            session,
            tenant_id=tenant_id(db_engine),
            key=key,
            fingerprint=idempotency_service.fingerprint("POST", "/v1/assessments", json.dumps(request).encode()),
            method="POST",
            path="/v1/assessments",
            policy=idempotency_service.Policy(ttl=timedelta(days=1), lock=lock),
        )
        assert isinstance(claimed, uuid.UUID)


class TestHousekeeping:
    def test_claims_delete_expired_records_now_and_then(
        self, client: TestClient, auth: dict[str, str], db_engine: Engine, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        post(client, auth, "old-1")
        with Session(db_engine) as session:
            session.execute(update(IdempotencyRecord).values(expires_at=utcnow() - timedelta(seconds=1)))
            session.commit()
        monkeypatch.setattr(idempotency_service, "_next_purge", utcnow())
        post(client, auth, "new-1")
        with Session(db_engine) as session:
            assert session.exec(select(IdempotencyRecord.key)).all() == ["new-1"]
