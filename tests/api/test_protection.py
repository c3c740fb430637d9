"""Limits, headers, CORS, erasure and tenant isolation across every route with an id."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.utils.factories import SHIPPED_SLUG, body

Headers = dict[str, str]


class TestBodySize:
    def test_a_body_over_the_limit_is_413_before_it_is_read(self, settings: Settings) -> None:
        small = settings.model_copy(update={"max_body_bytes": 2048})
        with TestClient(create_app(small)) as client:
            response = client.post("/v1/score", content=b"{" + b" " * 4096 + b"}", headers={"Content-Type": "application/json"})
            assert response.status_code == 413
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["status"] == 413

    def test_a_streamed_body_without_length_is_cut_off_too(self, settings: Settings) -> None:
        small = settings.model_copy(update={"max_body_bytes": 2048})

        def chunks() -> Any:
            for _ in range(10):
                yield b" " * 1000

        with TestClient(create_app(small)) as client:
            response = client.post("/v1/score", content=chunks(), headers={"Content-Type": "application/json"})
            assert response.status_code == 413

    def test_the_default_limit_admits_a_real_submission(self, client: TestClient) -> None:
        assert client.post("/v1/score", json=body("ready")).status_code == 200


class TestRateLimit:
    def test_too_many_requests_get_429_with_retry_after(self, settings: Settings, make_key: Callable[..., str]) -> None:
        limited = settings.model_copy(update={"rate_limit": "5/minute"})
        key = {"Authorization": f"Bearer {make_key()}"}
        with TestClient(create_app(limited)) as client:
            statuses = [client.get("/v1/banks", headers=key).status_code for _ in range(6)]
            assert statuses == [200] * 5 + [429]
            refused = client.get("/v1/banks", headers=key)
            assert refused.headers["content-type"] == "application/problem+json"
            assert 1 <= int(refused.headers["retry-after"]) <= 61
            # another key, and the probes, are counted apart
            other = {"Authorization": f"Bearer {make_key('agency-b')}"}
            assert client.get("/v1/banks", headers=other).status_code == 200
            assert client.get("/healthz").status_code == 200


    @pytest.mark.skipif(not os.environ.get("READINESS_TEST_REDIS_URL"), reason="needs READINESS_TEST_REDIS_URL")
    def test_processes_sharing_redis_share_one_limit(self, settings: Settings, make_key: Callable[..., str]) -> None:
        shared = settings.model_copy(
            update={"rate_limit": "4/minute", "redis_url": os.environ["READINESS_TEST_REDIS_URL"]}
        )
        # every key is new, so counts left in Redis by an earlier run cannot interfere
        key = {"Authorization": f"Bearer {make_key()}"}
        with TestClient(create_app(shared)) as first, TestClient(create_app(shared)) as second:
            statuses = [(first if i % 2 else second).get("/v1/banks", headers=key).status_code for i in range(5)]
        assert statuses == [200, 200, 200, 200, 429]


class TestHeaders:
    def test_security_headers_on_every_answer(self, client: TestClient, auth: Headers) -> None:
        for response in (client.get("/v1/banks"), client.get("/v1/banks/nope"), client.get("/v1/assessments", headers=auth)):
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["content-security-policy"].startswith("default-src 'none'")
        assert client.get("/v1/assessments", headers=auth).headers["cache-control"] == "no-store"
        assert "content-security-policy" not in client.get("/docs").headers

    def test_no_cors_by_default(self, client: TestClient) -> None:
        response = client.get("/v1/banks", headers={"Origin": "https://intake.example"})
        assert "access-control-allow-origin" not in response.headers

    def test_cors_for_configured_origins_exposes_the_useful_headers(self, settings: Settings) -> None:
        allowed = settings.model_copy(update={"cors_origins": ["https://intake.example"]})
        with TestClient(create_app(allowed)) as client:
            preflight = client.options(
                "/v1/assessments",
                headers={
                    "Origin": "https://intake.example",
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "authorization, content-type",
                },
            )
            assert preflight.status_code == 200
            assert preflight.headers["access-control-allow-origin"] == "https://intake.example"
            response = client.get(f"/v1/banks/{SHIPPED_SLUG}", headers={"Origin": "https://intake.example"})
            exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
            assert {"etag", "link", "retry-after", "content-language"} <= exposed
            stranger = client.get("/v1/banks", headers={"Origin": "https://evil.example"})
            assert "access-control-allow-origin" not in stranger.headers


class TestErasure:
    def test_delete_removes_the_assessment_and_its_personal_data(
        self, client: TestClient, auth: Headers, db_engine: Any
    ) -> None:
        created = client.post("/v1/assessments", json=body("ready"), headers=auth).json()
        assert client.delete(f"/v1/assessments/{created['id']}", headers=auth).status_code == 204
        assert client.get(f"/v1/assessments/{created['id']}", headers=auth).status_code == 404
        assert client.delete(f"/v1/assessments/{created['id']}", headers=auth).status_code == 404
        with db_engine.connect() as connection:
            from sqlalchemy import text

            rows = connection.execute(text("SELECT organisation, email FROM assessment")).all()
        assert rows == []

    def test_a_retry_after_erasure_gets_no_copy_of_the_erased_assessment(
        self, client: TestClient, auth: Headers, db_engine: Any
    ) -> None:
        keyed = auth | {"Idempotency-Key": "intake-4711"}
        respondent = {"organisation": "Erased Oy", "email": "gone@example.fi"}
        created = client.post("/v1/assessments", json=body("ready", respondent=respondent, submit=False), headers=keyed)
        submit = auth | {"Idempotency-Key": "intake-4711-submit"}
        submitted = client.post(f"/v1/assessments/{created.json()['id']}/submit", headers=submit)
        assert submitted.status_code == 200
        assert client.delete(f"/v1/assessments/{created.json()['id']}", headers=auth).status_code == 204
        with db_engine.connect() as connection:
            from sqlalchemy import text

            assert connection.execute(text("SELECT count(*) FROM idempotency_record")).scalar_one() == 0
        again = client.post("/v1/assessments", json=body("ready", respondent=respondent, submit=False), headers=keyed)
        assert again.status_code == 201 and "idempotent-replayed" not in again.headers
        assert again.json()["id"] != created.json()["id"]

    def test_another_tenant_cannot_delete(self, client: TestClient, auth: Headers, make_key: Callable[..., str]) -> None:
        created = client.post("/v1/assessments", json=body("ready"), headers=auth).json()
        other = {"Authorization": f"Bearer {make_key('agency-b')}"}
        assert client.delete(f"/v1/assessments/{created['id']}", headers=other).status_code == 404
        assert client.get(f"/v1/assessments/{created['id']}", headers=auth).status_code == 200


class TestMassAssignment:
    @pytest.mark.parametrize(
        "field", ["id", "tenant_id", "score", "decision", "result", "status", "created_at", "updated_at"]
    )
    def test_server_fields_in_a_body_are_refused_and_nothing_is_stored(
        self, client: TestClient, auth: Headers, field: str
    ) -> None:
        response = client.post("/v1/assessments", json=body("ready") | {field: "x"}, headers=auth)
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == [field]
        assert client.get("/v1/assessments", headers=auth).json()["items"] == []


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    # included routers stay wrapped in this FastAPI version; their own route lists hold the APIRoutes
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += _api_routes(route.original_router.routes)
    return found


def _id_routes(client: TestClient) -> list[tuple[str, str]]:
    """Every (method, path) of the app with a path parameter."""
    routes = [
        (method, route.path_format)
        for route in _api_routes(client.app.routes)  # type: ignore[attr-defined]
        if "{" in route.path_format
        for method in route.methods - {"HEAD", "OPTIONS"}
    ]
    assert routes, "the route table could not be read"
    return sorted(routes)


class TestIsolationAcrossRoutes:
    """Built from the app's own route table: a new route with an id is covered without editing this test."""

    def test_another_tenant_gets_404_on_every_route_with_an_id(
        self, client: TestClient, auth: Headers, make_key: Callable[..., str]
    ) -> None:
        assessment = client.post("/v1/assessments", json=body("ready"), headers=auth).json()
        bank = client.post("/v1/banks", json=_own_bank(), headers=auth)
        assert bank.status_code == 201
        own_key = client.get("/v1/keys", headers=auth).json()["items"][0]["id"]
        webhook = client.post("/v1/webhooks", json={"url": "https://crm.example.com/h", "events": ["assessment.deleted"]}, headers=auth)
        values = {"assessment_id": assessment["id"], "slug": "iso-bank", "version": "1.0.0", "key_id": own_key}
        values["webhook_id"] = webhook.json()["id"]
        other = {"Authorization": f"Bearer {make_key('agency-b')}"}
        checked = []
        for method, path in _id_routes(client):
            names = re.findall(r"{(\w+)}", path)
            if "slug" in names and not path.startswith("/v1/banks"):
                continue
            url = path.format(**{n: values.get(n, str(uuid.uuid4())) for n in names})
            if "diff" in url:
                url += "?against=1.0.0"
            # a well-formed body, so that only ownership can be the reason for refusing
            payload: dict[str, Any] = {}
            if method in ("PUT", "POST") and url.endswith(("versions", "1.0.0")):
                payload = _own_bank()
            elif url.endswith("/rotate"):
                payload = {"grace_seconds": 0}
            response = client.request(method, url, headers=other, json=payload)
            assert response.status_code == 404, (method, url, response.status_code, response.text)
            checked.append((method, path))
        assert len(checked) >= 10
        # and nothing of the owner's changed
        assert client.get(f"/v1/assessments/{assessment['id']}", headers=auth).status_code == 200
        assert client.get("/v1/banks/iso-bank/versions/1.0.0", headers=auth).json()["status"] == "draft"
        assert client.get("/v1/keys", headers=auth).json()["items"][0]["revoked_at"] is None
        assert client.get(f"/v1/webhooks/{values['webhook_id']}", headers=auth).json()["enabled"] is True

    def test_no_list_shows_another_tenants_rows(
        self, client: TestClient, auth: Headers, make_key: Callable[..., str]
    ) -> None:
        client.post("/v1/assessments", json=body("ready"), headers=auth)
        client.post("/v1/banks", json=_own_bank(), headers=auth)
        other = {"Authorization": f"Bearer {make_key('agency-b')}"}
        assert client.get("/v1/assessments", headers=other).json()["items"] == []
        assert [b["slug"] for b in client.get("/v1/banks", headers=other).json()["items"]] == [SHIPPED_SLUG]


def _own_bank() -> dict[str, Any]:
    from app.banks.loader import load_bank_file
    from tests.conftest import FIXTURES

    document = load_bank_file(FIXTURES / "mini-bank.yaml").bank.model_dump(mode="json", by_alias=True)
    return document | {"slug": "iso-bank", "version": "1.0.0"}


class TestControlCharactersEverywhere:
    """PostgreSQL refuses NUL in text and JSONB: each of these was a 500 there before."""

    def test_a_nul_in_the_bank_name_of_a_submission(self, client: TestClient, auth: Headers) -> None:
        for path in ("/v1/score", "/v1/assessments"):
            response = client.post(path, json=body("ready", bank="social\u0000media"), headers=auth)
            assert response.status_code == 422
            assert [e["field"] for e in response.json()["errors"]] == ["bank"]

    @pytest.mark.parametrize("text", ["B2B\u0000", "B2B\u0001"])
    def test_control_characters_in_a_bank_document(self, client: TestClient, auth: Headers, text: str) -> None:
        overlay = {
            "slug": "b2b-readiness",
            "version": "1.0.0",
            "base": {"slug": SHIPPED_SLUG, "version": "1.0.0"},
            "title": {"en": text},
        }
        response = client.post("/v1/banks", json=overlay, headers=auth)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "title.en"
        assert client.get("/v1/banks/b2b-readiness/versions/1.0.0", headers=auth).status_code == 404
