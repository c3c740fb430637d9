"""API keys: two kinds, stored only as a keyed hash, listed, revoked and rotated with a grace period."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from app.cli import app as cli
from app.main import create_app
from app.models.common import utcnow
from app.settings import Settings
from tests.api.test_bank_versions import mini_document
from tests.conftest import TEST_PEPPER
from tests.utils.factories import SHIPPED_SLUG, body

Headers = dict[str, str]
LISTED_FIELDS = {"id", "kind", "name", "prefix", "created_at", "last_used_at", "revoked_at", "expires_at"}
SHIPPED_VERSION = f"/v1/banks/{SHIPPED_SLUG}/versions/1.0.0"


def bearer(key: str) -> Headers:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def publishable(make_key: Callable[..., str]) -> Headers:
    return bearer(make_key(kind="publishable"))


@pytest.fixture
def other(make_key: Callable[..., str]) -> Headers:
    return bearer(make_key("agency-b"))


def new_key(client: TestClient, auth: Headers, **request: Any) -> dict[str, Any]:
    response = client.post("/v1/keys", json=request, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()


def listed(client: TestClient, auth: Headers) -> dict[str, dict[str, Any]]:
    response = client.get("/v1/keys", headers=auth)
    assert response.status_code == 200, response.text
    return {item["id"]: item for item in response.json()["items"]}


def stored_rows(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(text("SELECT * FROM api_key")).mappings()]


def assert_problem(response: Any, status: int, slug: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"urn:problem-type:some-readiness:{slug}"


class TestKeyFormat:
    def test_the_prefix_tells_the_kind(self, client: TestClient, auth: Headers, make_key: Callable[..., str]) -> None:
        assert make_key().startswith("rdy_sk_")
        assert make_key(kind="publishable").startswith("rdy_pk_")
        secret = new_key(client, auth, kind="secret")
        publishable = new_key(client, auth, kind="publishable")
        assert (secret["kind"], secret["key"][:7]) == ("secret", "rdy_sk_")
        assert (publishable["kind"], publishable["key"][:7]) == ("publishable", "rdy_pk_")
        for created in (secret, publishable):
            assert len(created["key"]) == 7 + 43  # secrets.token_urlsafe(32)
            assert created["prefix"] == created["key"][:13]

    def test_the_stored_row_never_contains_the_key(
        self, client: TestClient, auth: Headers, db_engine: Engine
    ) -> None:
        created = new_key(client, auth, kind="publishable", name="intake form")
        key = created["key"]
        token = key[len("rdy_pk_"):]
        row = next(r for r in stored_rows(db_engine) if str(r["id"]).replace("-", "") == created["id"].replace("-", ""))
        for column, value in row.items():
            assert token not in str(value), column
            assert token[:16] not in str(value), column
        assert row["key_hash"] == hmac.new(TEST_PEPPER.encode(), key.encode(), hashlib.sha256).hexdigest()
        assert row["key_hash"] != hashlib.sha256(key.encode()).hexdigest()  # keyed with the pepper, not a bare digest
        assert (row["kind"], row["name"], row["prefix"]) == ("publishable", "intake form", key[:13])


class TestPublishableKey:
    def test_reads_banks_scores_and_submits(self, client: TestClient, publishable: Headers) -> None:
        assert client.get("/v1/banks", headers=publishable).status_code == 200
        assert client.get(f"/v1/banks/{SHIPPED_SLUG}", headers=publishable).status_code == 200
        assert client.get(SHIPPED_VERSION, headers=publishable).status_code == 200
        assert client.get(f"{SHIPPED_VERSION}/form-schema", headers=publishable).status_code == 200
        assert client.post("/v1/score", json=body("ready"), headers=publishable).status_code == 200

    def test_the_201_body_is_the_whole_result(self, client: TestClient, publishable: Headers, auth: Headers) -> None:
        created = client.post("/v1/assessments", json=body("ready"), headers=publishable)
        assert created.status_code == 201
        assessment = created.json()
        assert assessment["result"]["decision"] == "go" and assessment["result"]["gaps"] == []
        assert assessment["answers"] == body("ready")["answers"]
        # stored for the tenant: its secret key reads it back
        fetched = client.get(f"/v1/assessments/{assessment['id']}", headers=auth)
        assert fetched.status_code == 200 and fetched.json() == assessment

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/v1/assessments"),
            ("GET", "/v1/assessments/{id}"),
            ("POST", "/v1/banks"),
            ("GET", "/v1/keys"),
            ("POST", "/v1/keys"),
        ],
    )
    def test_everything_else_is_403(
        self, client: TestClient, publishable: Headers, auth: Headers, method: str, path: str
    ) -> None:
        assessment_id = client.post("/v1/assessments", json=body("ready"), headers=auth).json()["id"]
        payload = {"POST /v1/banks": mini_document(), "POST /v1/keys": {"kind": "secret"}}.get(f"{method} {path}")
        response = client.request(method, path.format(id=assessment_id), json=payload, headers=publishable)
        assert_problem(response, 403, "forbidden")

    def test_bank_management_is_403(self, client: TestClient, publishable: Headers, auth: Headers) -> None:
        assert client.post("/v1/banks", json=mini_document(), headers=auth).status_code == 201
        base = "/v1/banks/agency-mini/versions/1.0.0"
        for method, path in [
            ("PUT", base),
            ("POST", "/v1/banks/agency-mini/versions"),
            ("POST", f"{base}/validate"),
            ("POST", f"{base}/publish"),
            ("POST", f"{base}/retire"),
            ("GET", f"{base}/diff?against=1.0.0"),
            ("POST", f"{base}/impact"),
        ]:
            payload = mini_document() if method == "PUT" or path.endswith("/versions") else None
            assert_problem(client.request(method, path, json=payload, headers=publishable), 403, "forbidden")


class TestAuthentication:
    def test_an_unknown_well_formed_key_is_401(self, client: TestClient) -> None:
        response = client.get("/v1/keys", headers=bearer("rdy_sk_" + "A" * 43))
        assert_problem(response, 401, "unauthorized")
        assert response.headers["www-authenticate"].startswith("Bearer")

    @pytest.mark.parametrize(
        "header",
        [
            "Bearer rdy_sk_has spaces in it",
            "Bearer  rdy_sk_ two spaces",
            "Bearer",
            "Bearer ",
            "Basic dXNlcjpwYXNz",
            "Token rdy_sk_" + "A" * 43,
            "Bearer rdy_sk_" + "A" * 20_000,
            "Bearer " + "x" * 8_000,
            "",
        ],
        ids=["spaces", "two-spaces", "no-key", "empty-key", "basic", "other-scheme", "very-long", "long-junk", "empty"],
    )
    @pytest.mark.parametrize("path", ["/v1/keys", "/v1/banks"])
    def test_malformed_headers_are_401(self, client: TestClient, header: str, path: str) -> None:
        response = client.get(path, headers={"Authorization": header})
        assert_problem(response, 401, "unauthorized")
        assert response.headers["www-authenticate"].startswith("Bearer")

    @pytest.mark.parametrize("path", ["/v1/keys", "/v1/banks"])
    def test_non_ascii_keys_are_401(self, client: TestClient, path: str) -> None:
        for raw in ("Bearer rdy_sk_" + "ä" * 43, "Bearer rdy_sk_🔑", "Bearer rdy_sk_\u00a0" + "A" * 42):
            response = client.get(path, headers={"Authorization": raw.encode("utf-8")})  # type: ignore[dict-item]
            assert_problem(response, 401, "unauthorized")

    def test_a_valid_key_with_a_lowercase_scheme_works(self, client: TestClient, make_key: Callable[..., str]) -> None:
        assert client.get("/v1/keys", headers={"Authorization": f"bearer {make_key()}"}).status_code == 200

    def test_the_key_altered_by_one_character_is_401(self, client: TestClient, make_key: Callable[..., str]) -> None:
        key = make_key()
        flipped = key[:-1] + ("A" if key[-1] != "A" else "B")
        assert client.get("/v1/keys", headers=bearer(key)).status_code == 200
        assert client.get("/v1/keys", headers=bearer(flipped)).status_code == 401


class TestCreateKey:
    def test_shown_once_and_usable(self, client: TestClient, auth: Headers) -> None:
        created = new_key(client, auth, kind="publishable", name="intake form")
        assert set(created) == LISTED_FIELDS | {"key"}
        assert (created["name"], created["last_used_at"], created["revoked_at"], created["expires_at"]) == (
            "intake form",
            None,
            None,
            None,
        )
        assert client.post("/v1/assessments", json=body("ready"), headers=bearer(created["key"])).status_code == 201
        listing = client.get("/v1/keys", headers=auth).text
        assert created["key"] not in listing and created["key"][13:] not in listing

    def test_secret_by_default(self, client: TestClient, auth: Headers) -> None:
        created = new_key(client, auth)
        assert (created["kind"], created["name"]) == ("secret", None)
        assert client.get("/v1/keys", headers=bearer(created["key"])).status_code == 200

    @pytest.mark.parametrize(
        ("request_body", "field"),
        [
            ({"kind": "admin"}, "kind"),
            ({"kind": "secret", "tenant_id": str(uuid.uuid4())}, "tenant_id"),
            ({"key": "rdy_sk_" + "A" * 43}, "key"),
            ({"name": "a\x00b"}, "name"),
            ({"name": ""}, "name"),
            ({"name": "n" * 101}, "name"),
        ],
    )
    def test_invalid_bodies_are_422(self, client: TestClient, auth: Headers, request_body: Any, field: str) -> None:
        response = client.post("/v1/keys", json=request_body, headers=auth)
        assert_problem(response, 422, "validation-error")
        assert [e["field"] for e in response.json()["errors"]] == [field]
        assert len(listed(client, auth)) == 1  # nothing was created

    def test_needs_a_key(self, client: TestClient) -> None:
        assert_problem(client.post("/v1/keys", json={}), 401, "unauthorized")


class TestListKeys:
    def test_prefix_and_last_use_only(
        self, client: TestClient, auth: Headers, make_key: Callable[..., str], other: Headers
    ) -> None:
        unused = make_key(kind="publishable", name="never used")
        items = listed(client, auth)
        assert len(items) == 2  # the other tenant's key is not among them
        for item in items.values():
            assert set(item) == LISTED_FIELDS
        by_prefix = {item["prefix"]: item for item in items.values()}
        used = by_prefix[auth["Authorization"][len("Bearer "):][:13]]
        assert used["kind"] == "secret" and used["last_used_at"] is not None
        idle = by_prefix[unused[:13]]
        assert (idle["kind"], idle["name"], idle["last_used_at"]) == ("publishable", "never used", None)

    def test_last_use_is_written_at_most_once_a_minute(
        self, settings: Settings, auth: Headers, db_engine: Engine
    ) -> None:
        with TestClient(create_app(settings.model_copy(update={"key_cache_seconds": 0}))) as client:
            self._check_last_use(client, auth, db_engine)

    def _check_last_use(self, client: TestClient, auth: Headers, db_engine: Engine) -> None:
        first = next(iter(listed(client, auth).values()))["last_used_at"]
        assert next(iter(listed(client, auth).values()))["last_used_at"] == first
        with db_engine.begin() as connection:  # as if the key was last used two minutes ago
            stored = connection.execute(text("SELECT last_used_at FROM api_key")).scalar_one()
            stored = stored if isinstance(stored, datetime) else datetime.fromisoformat(stored)  # SQLite: text
            connection.execute(text("UPDATE api_key SET last_used_at = :t"), {"t": stored - timedelta(minutes=2)})
        later = next(iter(listed(client, auth).values()))["last_used_at"]
        assert datetime.fromisoformat(later) > datetime.fromisoformat(first)

    def test_a_key_revoked_by_another_process_stops_within_the_cache_time(
        self, settings: Settings, auth: Headers, db_engine: Engine
    ) -> None:
        with TestClient(create_app(settings.model_copy(update={"key_cache_seconds": 0.5}))) as client:
            assert client.get("/v1/keys", headers=auth).status_code == 200
            with db_engine.begin() as connection:  # `readiness keys revoke` in another process
                connection.execute(text("UPDATE api_key SET revoked_at = last_used_at"))
            assert client.get("/v1/keys", headers=auth).status_code == 200  # still trusted from the cache
            time.sleep(0.6)
            assert client.get("/v1/keys", headers=auth).status_code == 401

    def test_paged_newest_first_without_repeats(self, client: TestClient, auth: Headers) -> None:
        made = [new_key(client, auth, name=f"key {i}")["id"] for i in range(4)]
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = client.get("/v1/keys", params=params, headers=auth).json()
            assert len(page["items"]) <= 2
            seen += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 5
        assert seen[:4] == made[::-1]

    @pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"cursor": "not-a-cursor"}])
    def test_bad_query_is_422(self, client: TestClient, auth: Headers, params: dict[str, Any]) -> None:
        assert_problem(client.get("/v1/keys", params=params, headers=auth), 422, "validation-error")


class TestRevokeKey:
    def test_stops_working_at_once_and_twice_is_409(self, client: TestClient, auth: Headers) -> None:
        created = new_key(client, auth, kind="publishable")
        revoked = client.post(f"/v1/keys/{created['id']}/revoke", headers=auth)
        assert revoked.status_code == 200
        assert set(revoked.json()) == LISTED_FIELDS and revoked.json()["revoked_at"] is not None
        response = client.post("/v1/score", json=body("ready"), headers=bearer(created["key"]))
        assert_problem(response, 401, "unauthorized")
        assert "revoked" in response.json()["detail"]
        assert_problem(client.post(f"/v1/keys/{created['id']}/revoke", headers=auth), 409, "conflict")
        assert listed(client, auth)[created["id"]]["revoked_at"] == revoked.json()["revoked_at"]

    def test_a_key_can_revoke_itself(self, client: TestClient, auth: Headers) -> None:
        own = next(iter(listed(client, auth)))
        assert client.post(f"/v1/keys/{own}/revoke", headers=auth).status_code == 200
        assert_problem(client.get("/v1/keys", headers=auth), 401, "unauthorized")

    def test_another_tenants_or_an_unknown_key_is_404(self, client: TestClient, auth: Headers, other: Headers) -> None:
        theirs = next(iter(listed(client, other)))
        assert_problem(client.post(f"/v1/keys/{theirs}/revoke", headers=auth), 404, "not-found")
        assert_problem(client.post(f"/v1/keys/{uuid.uuid4()}/revoke", headers=auth), 404, "not-found")
        assert client.get("/v1/keys", headers=other).status_code == 200  # still works
        assert_problem(client.post("/v1/keys/not-a-uuid/revoke", headers=auth), 422, "validation-error")


class TestRotateKey:
    def test_both_keys_work_inside_the_grace_period(self, client: TestClient, auth: Headers) -> None:
        old = new_key(client, auth, kind="publishable", name="intake form")
        before = utcnow()
        rotated = client.post(f"/v1/keys/{old['id']}/rotate", json={"grace_seconds": 3600}, headers=auth)
        assert rotated.status_code == 201
        new = rotated.json()
        assert (new["kind"], new["name"], new["key"][:7]) == ("publishable", "intake form", "rdy_pk_")
        assert new["id"] != old["id"] and new["key"] != old["key"] and new["expires_at"] is None
        for key in (old["key"], new["key"]):
            assert client.post("/v1/score", json=body("ready"), headers=bearer(key)).status_code == 200
        expires_at = datetime.fromisoformat(listed(client, auth)[old["id"]]["expires_at"])
        assert before + timedelta(seconds=3600) <= expires_at <= utcnow() + timedelta(seconds=3600)

    def test_only_the_new_key_works_after_it(self, client: TestClient, auth: Headers) -> None:
        old = new_key(client, auth)
        new = client.post(f"/v1/keys/{old['id']}/rotate", json={"grace_seconds": 0}, headers=auth).json()
        response = client.get("/v1/keys", headers=bearer(old["key"]))
        assert_problem(response, 401, "unauthorized")
        assert "expired" in response.json()["detail"]
        assert new["kind"] == "secret"
        assert client.get("/v1/keys", headers=bearer(new["key"])).status_code == 200

    def test_a_revoked_or_already_rotated_key_is_409(self, client: TestClient, auth: Headers) -> None:
        def rotate(key_id: str) -> Any:
            return client.post(f"/v1/keys/{key_id}/rotate", json={"grace_seconds": 60}, headers=auth)

        revoked = new_key(client, auth)["id"]
        client.post(f"/v1/keys/{revoked}/revoke", headers=auth)
        assert_problem(rotate(revoked), 409, "conflict")
        rotated = new_key(client, auth)["id"]
        assert rotate(rotated).status_code == 201
        assert_problem(rotate(rotated), 409, "conflict")

    def test_another_tenants_or_an_unknown_key_is_404(self, client: TestClient, auth: Headers, other: Headers) -> None:
        theirs = next(iter(listed(client, other)))
        for key_id in (theirs, str(uuid.uuid4())):
            response = client.post(f"/v1/keys/{key_id}/rotate", json={"grace_seconds": 0}, headers=auth)
            assert_problem(response, 404, "not-found")
        assert client.get("/v1/keys", headers=other).status_code == 200  # still works, not rotated
        assert listed(client, other)[theirs]["expires_at"] is None

    @pytest.mark.parametrize(
        "request_body",
        [{}, {"grace_seconds": -1}, {"grace_seconds": 30 * 24 * 3600 + 1}, {"grace_seconds": 60, "kind": "secret"}],
    )
    def test_invalid_bodies_are_422(self, client: TestClient, auth: Headers, request_body: Any) -> None:
        own = next(iter(listed(client, auth)))
        assert_problem(client.post(f"/v1/keys/{own}/rotate", json=request_body, headers=auth), 422, "validation-error")
        assert listed(client, auth)[own]["expires_at"] is None

    def test_publishable_keys_cannot_rotate(self, client: TestClient, auth: Headers, publishable: Headers) -> None:
        own = next(iter(listed(client, auth)))
        response = client.post(f"/v1/keys/{own}/rotate", json={"grace_seconds": 0}, headers=publishable)
        assert_problem(response, 403, "forbidden")
        assert_problem(client.post(f"/v1/keys/{own}/revoke", headers=publishable), 403, "forbidden")


runner = CliRunner()


class TestKeysCommands:
    def test_create_publishable_list_and_revoke(self, env_settings: Settings, settings: Settings) -> None:
        # the server's key cache off: a key revoked from the command line is refused on the next request
        with TestClient(create_app(settings.model_copy(update={"key_cache_seconds": 0}))) as client:
            self._create_list_and_revoke(client)

    def _create_list_and_revoke(self, client: TestClient) -> None:
        command = ["keys", "create", "--tenant", "agency-cli", "--kind", "publishable", "--name", "form"]
        created = runner.invoke(cli, command)
        assert created.exit_code == 0, created.output
        key = created.stdout.strip()
        assert key.startswith("rdy_pk_") and len(key) == 50
        assert client.post("/v1/score", json=body("ready"), headers=bearer(key)).status_code == 200
        assert client.get("/v1/keys", headers=bearer(key)).status_code == 403

        listing = runner.invoke(cli, ["keys", "list", "--tenant", "agency-cli"])
        assert listing.exit_code == 0, listing.output
        [line] = listing.stdout.splitlines()
        key_id, kind, prefix, *rest = line.split()
        assert (kind, prefix, rest[0], rest[-1]) == ("publishable", key[:13] + "...", "active", "form")
        assert key[13:] not in listing.stdout

        revoked = runner.invoke(cli, ["keys", "revoke", key_id])
        assert revoked.exit_code == 0, revoked.output
        assert client.post("/v1/score", json=body("ready"), headers=bearer(key)).status_code == 401
        again = runner.invoke(cli, ["keys", "revoke", key_id])
        assert again.exit_code == 1 and "already revoked" in again.stderr

    def test_secret_by_default(self, env_settings: Settings) -> None:
        created = runner.invoke(cli, ["keys", "create", "--tenant", "agency-cli"])
        assert created.exit_code == 0 and created.stdout.startswith("rdy_sk_")

    def test_unknown_tenant_or_key(self, env_settings: Settings) -> None:
        listing = runner.invoke(cli, ["keys", "list", "--tenant", "nobody"])
        assert listing.exit_code == 1 and "no tenant 'nobody'" in listing.stderr
        revoked = runner.invoke(cli, ["keys", "revoke", str(uuid.uuid4())])
        assert revoked.exit_code == 1 and "no API key" in revoked.stderr
