"""Webhooks: endpoints registered over the API, signed deliveries to a real receiver, retries, 410, restarts."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, select
from standardwebhooks import Webhook
from typer.testing import CliRunner

from app.cli import app as cli
from app.main import create_app
from app.models import WebhookDelivery
from app.settings import Settings
from app.webhooks.worker import DeliveryWorker
from tests.utils.factories import SHIPPED_VERSION, body
from tests.utils.receiver import Receiver, eventually

Headers = dict[str, str]
# fractions of a second instead of hours, so a whole retry schedule runs within a test
FAST = {"webhooks_allow_localhost": True, "webhook_poll_seconds": 0.05, "webhook_retry_schedule": [0.1, 0.1, 0.1]}
BOTH_EVENTS = ["assessment.submitted", "assessment.deleted"]


@pytest.fixture
def hook_settings(settings: Settings) -> Settings:
    return settings.model_copy(update=FAST)


@pytest.fixture
def hook_client(hook_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(hook_settings)) as test_client:
        yield test_client


@pytest.fixture
def quiet(hook_settings: Settings) -> Settings:
    """No worker in the app: events wait in the outbox until a test sends them."""
    return hook_settings.model_copy(update={"webhooks_worker": False})


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver().running() as running:
        yield running


@pytest.fixture
def other(make_key: Callable[..., str]) -> Headers:
    return {"Authorization": f"Bearer {make_key('agency-b')}"}


def register(client: TestClient, auth: Headers, url: str, events: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    response = client.post("/v1/webhooks", json={"url": url, "events": events or BOTH_EVENTS, **extra}, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()


def submit(client: TestClient, auth: Headers) -> dict[str, Any]:
    response = client.post("/v1/assessments", json=body("ready"), headers=auth)
    assert response.status_code == 201, response.text
    return response.json()


def queued(settings: Settings, auth: Headers, urls: list[str], submissions: int = 1) -> list[dict[str, Any]]:
    """Endpoints registered and assessments submitted by an app without a worker: the events wait in the outbox."""
    with TestClient(create_app(settings.model_copy(update={"webhooks_worker": False}))) as client:
        endpoints = [register(client, auth, url) for url in urls]
        for _ in range(submissions):
            submit(client, auth)
    return endpoints


@contextmanager
def workers(engine: Engine, settings: Settings, count: int, **options: Any) -> Iterator[list[DeliveryWorker]]:
    running = [DeliveryWorker(engine=engine, settings=settings, **options) for _ in range(count)]
    try:
        yield running
    finally:
        for worker in running:
            worker.close()


def deliveries(client: TestClient, auth: Headers, webhook_id: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"/v1/webhooks/{webhook_id}/deliveries", params=params, headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


def settled(client: TestClient, auth: Headers, webhook_id: str, count: int = 1) -> list[dict[str, Any]]:
    """The endpoint's deliveries once COUNT of them are no longer pending."""

    def check() -> list[dict[str, Any]] | None:
        items = deliveries(client, auth, webhook_id)["items"]
        done = [d for d in items if d["status"] != "pending"]
        return items if len(done) >= count else None

    return eventually(check)


def unused_url() -> str:
    """A URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks"


def verified(secret: str, request: Any) -> dict[str, Any]:
    """The payload, once standardwebhooks, the spec's reference library, accepts the signature."""
    return Webhook(secret).verify(request.body, request.headers)


def assert_problem(response: Any, status: int, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if field is not None:
        assert [e["field"] for e in response.json()["errors"]] == [field]


class TestRegisterEndpoint:
    def test_the_secret_is_shown_once(self, hook_client: TestClient, auth: Headers, receiver: Receiver) -> None:
        created = register(hook_client, auth, receiver.url, description="CRM sync")
        assert created["secret"].startswith("whsec_")
        assert (created["url"], created["events"], created["description"]) == (receiver.url, BOTH_EVENTS, "CRM sync")
        assert (created["enabled"], created["disabled_reason"]) == (True, None)
        fetched = hook_client.get(f"/v1/webhooks/{created['id']}", headers=auth)
        listing = hook_client.get("/v1/webhooks", headers=auth)
        assert fetched.json() == {k: v for k, v in created.items() if k != "secret"}
        assert listing.json() == {"items": [fetched.json()], "next_cursor": None}
        for response in (fetched, listing):
            assert created["secret"] not in response.text
            assert response.headers["cache-control"] == "no-store"

    def test_the_201_is_never_cached(self, hook_client: TestClient, auth: Headers, receiver: Receiver) -> None:
        response = hook_client.post("/v1/webhooks", json={"url": receiver.url, "events": BOTH_EVENTS}, headers=auth)
        assert (response.status_code, response.headers["cache-control"]) == (201, "no-store")

    def test_an_unknown_event_is_422_naming_it(self, hook_client: TestClient, auth: Headers, receiver: Receiver) -> None:
        payload = {"url": receiver.url, "events": ["assessment.submitted", "assessment.exploded"]}
        assert_problem(hook_client.post("/v1/webhooks", json=payload, headers=auth), 422, "events.1")

    def test_no_events_and_unknown_fields_are_422(self, hook_client: TestClient, auth: Headers, receiver: Receiver) -> None:
        assert_problem(hook_client.post("/v1/webhooks", json={"url": receiver.url, "events": []}, headers=auth), 422, "events")
        extra = {"url": receiver.url, "events": BOTH_EVENTS, "secret": "whsec_mine"}
        assert_problem(hook_client.post("/v1/webhooks", json=extra, headers=auth), 422, "secret")

    def test_repeated_events_are_kept_once(self, hook_client: TestClient, auth: Headers, receiver: Receiver) -> None:
        created = register(hook_client, auth, receiver.url, ["assessment.deleted", "assessment.deleted"])
        assert created["events"] == ["assessment.deleted"]

    @pytest.mark.parametrize(
        "url",
        [
            "http://example.com/hooks",
            "ftp://example.com/hooks",
            "https://10.1.2.3/hooks",
            "https://192.168.0.10/hooks",
            "https://169.254.169.254/latest/meta-data",
            "https://[fe80::1]/hooks",
            "https://[fd00::1]/hooks",
            "https://[::ffff:10.0.0.1]/hooks",
            "https://0.0.0.0/hooks",
            "https://224.0.0.1/hooks",
            "https://user:password@example.com/hooks",
            "https://intranet/hooks",
            "https://2130706433/hooks",
            "https://printer.local/hooks",
            "not a url",
        ],
    )
    def test_unsafe_urls_are_422(self, hook_client: TestClient, auth: Headers, url: str) -> None:
        response = hook_client.post("/v1/webhooks", json={"url": url, "events": BOTH_EVENTS}, headers=auth)
        assert_problem(response, 422, "url")
        assert response.json()["errors"][0]["code"] == "unsafe_url"

    @pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hooks", "http://localhost/hooks", "https://[::1]/hooks"])
    def test_localhost_only_when_the_server_allows_it(
        self, client: TestClient, hook_client: TestClient, auth: Headers, url: str
    ) -> None:
        payload = {"url": url, "events": BOTH_EVENTS}
        assert_problem(client.post("/v1/webhooks", json=payload, headers=auth), 422, "url")
        assert hook_client.post("/v1/webhooks", json=payload, headers=auth).status_code == 201

    def test_a_retry_with_an_idempotency_key_registers_one_endpoint(self, client: TestClient, auth: Headers) -> None:
        request = {"url": "https://crm.example.com/hooks", "events": BOTH_EVENTS}
        sent = [client.post("/v1/webhooks", json=request, headers=auth | {"Idempotency-Key": "hook-1"}) for _ in range(2)]
        assert [r.status_code for r in sent] == [201, 201] and sent[1].content == sent[0].content
        assert sent[1].headers["idempotent-replayed"] == "true"
        assert len(client.get("/v1/webhooks", headers=auth).json()["items"]) == 1

    def test_a_public_https_url_is_accepted(self, client: TestClient, auth: Headers) -> None:
        assert register(client, auth, "https://crm.example.com/hooks/readiness")["enabled"] is True

    def test_a_publishable_key_is_403(self, client: TestClient, make_key: Callable[..., str]) -> None:
        publishable = {"Authorization": f"Bearer {make_key(kind='publishable')}"}
        payload = {"url": "https://crm.example.com/hooks", "events": BOTH_EVENTS}
        assert_problem(client.post("/v1/webhooks", json=payload, headers=publishable), 403)
        assert_problem(client.get("/v1/webhooks", headers=publishable), 403)


class TestChangeEndpoint:
    def test_events_and_description_change(self, client: TestClient, auth: Headers) -> None:
        created = register(client, auth, "https://crm.example.com/hooks", description="old")
        response = client.patch(
            f"/v1/webhooks/{created['id']}", json={"events": ["assessment.deleted"], "description": None}, headers=auth
        )
        assert response.status_code == 200, response.text
        assert (response.json()["events"], response.json()["description"]) == (["assessment.deleted"], None)
        assert response.json()["updated_at"] > created["updated_at"]

    def test_an_empty_patch_changes_nothing(self, client: TestClient, auth: Headers) -> None:
        created = register(client, auth, "https://crm.example.com/hooks", description="kept")
        changed = client.patch(f"/v1/webhooks/{created['id']}", json={}, headers=auth).json()
        assert (changed["events"], changed["description"], changed["enabled"]) == (BOTH_EVENTS, "kept", True)

    @pytest.mark.parametrize("patch", [{"enabled": 0}, {"enabled": "no"}, {"events": []}, {"url": "https://x.example.com/"}])
    def test_invalid_changes_are_422(self, client: TestClient, auth: Headers, patch: dict[str, Any]) -> None:
        created = register(client, auth, "https://crm.example.com/hooks")
        assert_problem(client.patch(f"/v1/webhooks/{created['id']}", json=patch, headers=auth), 422, next(iter(patch)))
        assert client.get(f"/v1/webhooks/{created['id']}", headers=auth).json() == {
            k: v for k, v in created.items() if k != "secret"
        }

    def test_delete_removes_it(self, client: TestClient, auth: Headers) -> None:
        created = register(client, auth, "https://crm.example.com/hooks")
        assert client.delete(f"/v1/webhooks/{created['id']}", headers=auth).status_code == 204
        assert_problem(client.get(f"/v1/webhooks/{created['id']}", headers=auth), 404)
        assert client.get("/v1/webhooks", headers=auth).json()["items"] == []

    def test_a_retry_after_delete_registers_it_anew(self, client: TestClient, auth: Headers) -> None:
        keyed = auth | {"Idempotency-Key": "register-crm"}
        request = {"url": "https://crm.example.com/hooks", "events": ["assessment.submitted"]}
        first = client.post("/v1/webhooks", json=request, headers=keyed).json()
        assert client.delete(f"/v1/webhooks/{first['id']}", headers=auth).status_code == 204
        again = client.post("/v1/webhooks", json=request, headers=keyed)
        assert again.status_code == 201 and "idempotent-replayed" not in again.headers
        assert again.json()["id"] != first["id"] and again.json()["secret"] != first["secret"]
        assert client.get(f"/v1/webhooks/{again.json()['id']}", headers=auth).status_code == 200

    def test_another_tenants_endpoint_is_404_everywhere(self, client: TestClient, auth: Headers, other: Headers) -> None:
        webhook_id = register(client, auth, "https://crm.example.com/hooks")["id"]
        delivery_id = "0b7e2f44-8a51-4c1e-9f0e-3d2a6c1b5e77"
        for method, path, payload in [
            ("GET", f"/v1/webhooks/{webhook_id}", None),
            ("PATCH", f"/v1/webhooks/{webhook_id}", {"enabled": False}),
            ("DELETE", f"/v1/webhooks/{webhook_id}", None),
            ("GET", f"/v1/webhooks/{webhook_id}/deliveries", None),
            ("POST", f"/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", None),
        ]:
            assert_problem(client.request(method, path, json=payload, headers=other), 404)
        assert client.get("/v1/webhooks", headers=other).json()["items"] == []
        assert client.get(f"/v1/webhooks/{webhook_id}", headers=auth).json()["enabled"] is True


class TestDelivery:
    def test_retried_until_it_succeeds_signed_with_the_same_id(
        self, hook_client: TestClient, auth: Headers, receiver: Receiver
    ) -> None:
        receiver.script = [500, 500, 200]
        endpoint = register(hook_client, auth, receiver.url)
        assessment = submit(hook_client, auth)
        received = receiver.wait_for(3)
        payloads = [verified(endpoint["secret"], request) for request in received]
        assert {request.headers["webhook-id"] for request in received} == {received[0].headers["webhook-id"]}
        assert received[0].headers["webhook-id"].startswith("msg_")
        assert {request.body for request in received} == {received[0].body}  # the same bytes every time
        assert received[0].headers["content-type"] == "application/json"
        assert received[0].headers["user-agent"].startswith("SoMe-Readiness-Webhooks/")
        assert received[0].path == "/hooks/readiness"
        payload = payloads[0]
        assert payload["type"] == "assessment.submitted"
        assert payload["data"] == {
            "id": assessment["id"],
            "bank": "social-media-readiness",
            "bank_version": SHIPPED_VERSION,
            "decision": "go",
            "score": assessment["score"],
            "external_ref": "crm-1",
            "submitted_at": payload["data"]["submitted_at"],
            "url": f"/v1/assessments/{assessment['id']}",
        }
        [delivery] = settled(hook_client, auth, endpoint["id"])
        assert (delivery["status"], delivery["attempt_count"], delivery["last_status_code"]) == ("succeeded", 3, 200)
        assert (delivery["event_id"], delivery["event_type"]) == (received[0].headers["webhook-id"], "assessment.submitted")
        assert delivery["payload"] == payload and delivery["next_attempt_at"] is None
        assert [a["status_code"] for a in delivery["attempts"]] == [500, 500, 200]
        assert [a["response_body_excerpt"] for a in delivery["attempts"]] == ["answered 500", "answered 500", "answered 200"]
        assert all(a["error"] is None and a["duration_ms"] >= 0 for a in delivery["attempts"])

    def test_fails_once_the_schedule_is_used_up(self, hook_client: TestClient, auth: Headers, receiver: Receiver) -> None:
        receiver.script = [503] * 10
        endpoint = register(hook_client, auth, receiver.url)
        submit(hook_client, auth)
        [delivery] = settled(hook_client, auth, endpoint["id"])
        assert (delivery["status"], delivery["attempt_count"], delivery["next_attempt_at"]) == ("failed", 4, None)
        time.sleep(0.3)
        assert len(receiver.requests) == 4  # the first attempt and the three retries of FAST, no more
        assert hook_client.get(f"/v1/webhooks/{endpoint['id']}", headers=auth).json()["enabled"] is True

    def test_410_disables_the_endpoint(self, hook_client: TestClient, auth: Headers, receiver: Receiver) -> None:
        receiver.script = [410]
        endpoint = register(hook_client, auth, receiver.url)
        submit(hook_client, auth)
        [delivery] = settled(hook_client, auth, endpoint["id"])
        assert (delivery["status"], delivery["attempt_count"], delivery["last_status_code"]) == ("failed", 1, 410)
        disabled = hook_client.get(f"/v1/webhooks/{endpoint['id']}", headers=auth).json()
        assert (disabled["enabled"], disabled["disabled_reason"]) == (False, "the endpoint answered 410 Gone")
        submit(hook_client, auth)
        time.sleep(0.3)
        assert len(receiver.requests) == 1
        assert len(deliveries(hook_client, auth, endpoint["id"])["items"]) == 1  # nothing queued while disabled

    def test_re_enabled_after_410_it_receives_again(self, hook_client: TestClient, auth: Headers, receiver: Receiver) -> None:
        receiver.script = [410]
        endpoint = register(hook_client, auth, receiver.url)
        submit(hook_client, auth)
        settled(hook_client, auth, endpoint["id"])
        enabled = hook_client.patch(f"/v1/webhooks/{endpoint['id']}", json={"enabled": True}, headers=auth).json()
        assert (enabled["enabled"], enabled["disabled_reason"]) == (True, None)
        submit(hook_client, auth)
        receiver.wait_for(2)
        assert [d["status"] for d in settled(hook_client, auth, endpoint["id"], count=2)] == ["succeeded", "failed"]

    def test_connection_refused_is_recorded_and_retried(self, hook_client: TestClient, auth: Headers) -> None:
        endpoint = register(hook_client, auth, unused_url())
        submit(hook_client, auth)
        [delivery] = settled(hook_client, auth, endpoint["id"])
        assert (delivery["status"], delivery["attempt_count"], delivery["last_status_code"]) == ("failed", 4, None)
        assert {a["error"] for a in delivery["attempts"]} == {"connection refused"}
        assert {a["status_code"] for a in delivery["attempts"]} == {None}

    def test_redeliver_sends_the_same_event_again(self, hook_client: TestClient, auth: Headers, receiver: Receiver) -> None:
        endpoint = register(hook_client, auth, receiver.url)
        submit(hook_client, auth)
        [first] = settled(hook_client, auth, endpoint["id"])
        response = hook_client.post(f"/v1/webhooks/{endpoint['id']}/deliveries/{first['id']}/redeliver", headers=auth)
        assert response.status_code == 202, response.text
        queued = response.json()
        assert (queued["status"], queued["attempt_count"], queued["attempts"]) == ("pending", 0, [])
        assert (queued["event_id"], queued["payload"]) == (first["event_id"], first["payload"])
        again = receiver.wait_for(2)[1]
        assert again.headers["webhook-id"] == first["event_id"]
        verified(endpoint["secret"], again)
        items = settled(hook_client, auth, endpoint["id"], count=2)
        assert [(d["id"], d["status"]) for d in items] == [(queued["id"], "succeeded"), (first["id"], "succeeded")]

    def test_redeliver_to_a_disabled_endpoint_is_409(self, hook_client: TestClient, auth: Headers, receiver: Receiver) -> None:
        endpoint = register(hook_client, auth, receiver.url)
        submit(hook_client, auth)
        [first] = settled(hook_client, auth, endpoint["id"])
        hook_client.patch(f"/v1/webhooks/{endpoint['id']}", json={"enabled": False}, headers=auth)
        path = f"/v1/webhooks/{endpoint['id']}/deliveries/{first['id']}/redeliver"
        assert_problem(hook_client.post(path, headers=auth), 409)

    def test_redeliver_an_unknown_delivery_is_404(self, client: TestClient, auth: Headers) -> None:
        endpoint = register(client, auth, "https://crm.example.com/hooks")
        path = f"/v1/webhooks/{endpoint['id']}/deliveries/0b7e2f44-8a51-4c1e-9f0e-3d2a6c1b5e77/redeliver"
        assert_problem(client.post(path, headers=auth), 404)

    def test_a_deleted_assessment_is_reported_by_id_only(
        self, hook_client: TestClient, auth: Headers, receiver: Receiver
    ) -> None:
        endpoint = register(hook_client, auth, receiver.url, ["assessment.deleted"])
        assessment = submit(hook_client, auth)
        assert hook_client.delete(f"/v1/assessments/{assessment['id']}", headers=auth).status_code == 204
        [request] = receiver.wait_for(1)
        payload = verified(endpoint["secret"], request)
        assert (payload["type"], payload["data"]) == ("assessment.deleted", {"id": assessment["id"]})
        assert b"Kahvila" not in request.body and b"crm-1" not in request.body

    def test_the_erasure_reaches_earlier_events(
        self, hook_client: TestClient, auth: Headers, receiver: Receiver, db_engine: Engine
    ) -> None:
        endpoint = register(hook_client, auth, receiver.url)
        assessment = submit(hook_client, auth)
        settled(hook_client, auth, endpoint["id"])
        assert hook_client.delete(f"/v1/assessments/{assessment['id']}", headers=auth).status_code == 204
        items = settled(hook_client, auth, endpoint["id"], count=2)
        assert [(d["event_type"], d["payload"]["data"]) for d in items] == [
            ("assessment.deleted", {"id": assessment["id"]}),
            ("assessment.submitted", {"id": assessment["id"]}),
        ]
        with db_engine.connect() as connection:
            stored = connection.execute(text("SELECT payload FROM webhook_event")).scalars().all()
        assert len(stored) == 2 and not any("crm-1" in payload for payload in stored)

    def test_nothing_for_unsubscribed_types_or_disabled_endpoints(
        self, hook_client: TestClient, auth: Headers, receiver: Receiver, other: Headers
    ) -> None:
        deleted_only = register(hook_client, auth, receiver.url, ["assessment.deleted"])
        disabled = register(hook_client, auth, receiver.url)
        hook_client.patch(f"/v1/webhooks/{disabled['id']}", json={"enabled": False}, headers=auth)
        other_tenants = register(hook_client, other, receiver.url)
        submit(hook_client, auth)
        time.sleep(0.3)
        assert receiver.requests == []
        for endpoint, headers in ((deleted_only, auth), (disabled, auth), (other_tenants, other)):
            assert deliveries(hook_client, headers, endpoint["id"])["items"] == []

    def test_deliveries_are_paged_newest_first(self, hook_client: TestClient, auth: Headers, receiver: Receiver) -> None:
        endpoint = register(hook_client, auth, receiver.url)
        ids = [submit(hook_client, auth)["id"] for _ in range(3)]
        settled(hook_client, auth, endpoint["id"], count=3)
        first = deliveries(hook_client, auth, endpoint["id"], limit=2)
        second = deliveries(hook_client, auth, endpoint["id"], limit=2, cursor=first["next_cursor"])
        assert second["next_cursor"] is None
        assert [d["payload"]["data"]["id"] for d in first["items"] + second["items"]] == ids[::-1]
        bad = hook_client.get(f"/v1/webhooks/{endpoint['id']}/deliveries?cursor=nonsense", headers=auth)
        assert_problem(bad, 422, "query.cursor")


class TestDurability:
    def test_an_event_queued_before_a_restart_is_sent_once_after_it(
        self, hook_settings: Settings, quiet: Settings, auth: Headers, receiver: Receiver
    ) -> None:
        [endpoint] = queued(quiet, auth, [receiver.url])
        with TestClient(create_app(quiet)) as stopped:
            [waiting] = deliveries(stopped, auth, endpoint["id"])["items"]
            assert (waiting["status"], waiting["attempt_count"]) == ("pending", 0)
        time.sleep(0.2)
        assert receiver.requests == []  # the process "died" with the event in its outbox
        with TestClient(create_app(hook_settings)) as restarted:
            [request] = receiver.wait_for(1)
            verified(endpoint["secret"], request)
            [delivery] = settled(restarted, auth, endpoint["id"])
            assert (delivery["id"], delivery["status"], delivery["attempt_count"]) == (waiting["id"], "succeeded", 1)
            time.sleep(0.3)
        assert len(receiver.requests) == 1

    def test_a_dead_workers_lease_runs_out_and_another_sends_it(
        self, quiet: Settings, auth: Headers, receiver: Receiver, db_engine: Engine
    ) -> None:
        [endpoint] = queued(quiet, auth, [receiver.url])
        with workers(db_engine, quiet, 2) as (dead, alive):
            dead.lease = timedelta(seconds=0.3)
            assert len(dead.claim()) == 1  # ... and the process dies before it sends
            assert alive.run_once() == 0  # leased: not taken
            time.sleep(0.4)
            assert alive.run_once() == 1
        assert len(receiver.wait_for(1)) == 1
        with Session(db_engine) as session:
            [row] = session.exec(select(WebhookDelivery)).all()
        assert (row.status, row.attempt_count, row.locked_until, str(row.endpoint_id)) == (
            "succeeded",
            1,
            None,
            endpoint["id"],
        )

    def test_concurrent_workers_send_each_delivery_once(
        self, quiet: Settings, auth: Headers, receiver: Receiver, db_engine: Engine
    ) -> None:
        queued(quiet, auth, [receiver.url, receiver.url], submissions=10)
        with workers(db_engine, quiet, 3, batch_size=3) as running:
            threads = [threading.Thread(target=worker.drain) for worker in running]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
        sent = [(r.headers["webhook-id"], r.headers["webhook-signature"]) for r in receiver.wait_for(20)]
        time.sleep(0.2)
        assert len(receiver.requests) == 20
        assert len({request.headers["webhook-id"] for request in receiver.requests}) == 10
        assert len(set(sent)) == 20  # each event once to each of the two endpoints (their secrets differ)

    def test_an_address_that_resolves_privately_is_never_called(
        self, quiet: Settings, auth: Headers, receiver: Receiver, db_engine: Engine
    ) -> None:
        [endpoint] = queued(quiet, auth, [receiver.url])
        port = int(receiver.url.split(":")[2].split("/")[0])

        def rebound(host: str, *_: Any, **__: Any) -> list[tuple[Any, ...]]:
            return [(2, 1, 6, "", ("10.0.0.7", port))]  # as if DNS now pointed inside the network

        with workers(db_engine, quiet, 1, resolve=rebound) as (worker,):
            assert worker.run_once() == 1
        with TestClient(create_app(quiet)) as client:
            [delivery] = deliveries(client, auth, endpoint["id"])["items"]
        assert receiver.requests == []
        [attempt] = delivery["attempts"]
        assert attempt["status_code"] is None
        assert attempt["error"] == "127.0.0.1 resolves to 10.0.0.7, which is not a public address; not connecting"
        assert (delivery["status"], delivery["attempt_count"]) == ("pending", 1)


class TestWorkerCommand:
    def test_once_delivers_what_is_queued(
        self, env_settings: Settings, auth: Headers, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("READINESS_WEBHOOKS_ALLOW_LOCALHOST", "true")
        [endpoint] = queued(env_settings.model_copy(update=FAST), auth, [receiver.url])
        result = CliRunner().invoke(cli, ["webhooks", "worker", "--once"])
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == "1 attempt"
        [request] = receiver.requests
        assert orjson.loads(request.body)["type"] == "assessment.submitted"
        verified(endpoint["secret"], request)
