"""Probes and the OpenAPI document."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text


class TestProbes:
    def test_healthz(self, client: TestClient) -> None:
        assert client.get("/healthz").json() == {"status": "ok"}

    def test_readyz_when_migrated(self, client: TestClient) -> None:
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.json()["status"] == "ready"

    def test_readyz_refuses_a_schema_behind_head(self, client: TestClient, db_engine: Engine) -> None:
        with db_engine.begin() as connection:
            head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
        try:
            response = client.get("/readyz")
            assert response.status_code == 503
            assert response.headers["content-type"] == "application/problem+json"
            assert "older" in response.json()["detail"]
        finally:
            with db_engine.begin() as connection:
                connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})


class TestOpenAPI:
    def test_every_route_is_documented_with_its_errors(self, client: TestClient) -> None:
        document = client.get("/openapi.json").json()
        assert document["openapi"].startswith("3.1")
        operations = {(m.upper(), p): op for p, item in document["paths"].items() for m, op in item.items()}
        assert set(operations) == {
            ("GET", "/healthz"),
            ("GET", "/readyz"),
            ("GET", "/v1/banks"),
            ("GET", "/v1/banks/{slug}"),
            ("GET", "/v1/banks/{slug}/versions/{version}"),
            ("POST", "/v1/score"),
            ("POST", "/v1/assessments"),
            ("GET", "/v1/assessments"),
            ("GET", "/v1/assessments/{assessment_id}"),
            ("GET", "/v1/assessments/{assessment_id}/compare/{other_id}"),
            ("POST", "/v1/banks"),
            ("POST", "/v1/banks/{slug}/versions"),
            ("PUT", "/v1/banks/{slug}/versions/{version}"),
            ("POST", "/v1/banks/{slug}/versions/{version}/validate"),
            ("POST", "/v1/banks/{slug}/versions/{version}/publish"),
            ("POST", "/v1/banks/{slug}/versions/{version}/retire"),
            ("GET", "/v1/banks/{slug}/versions/{version}/diff"),
            ("POST", "/v1/banks/{slug}/versions/{version}/impact"),
            ("GET", "/v1/banks/{slug}/versions/{version}/form-schema"),
            ("DELETE", "/v1/assessments/{assessment_id}"),
            ("PATCH", "/v1/assessments/{assessment_id}"),
            ("POST", "/v1/assessments/{assessment_id}/submit"),
            ("GET", "/v1/assessments/{assessment_id}/report"),
            ("POST", "/v1/assessments/{assessment_id}/report/share"),
            ("GET", "/v1/assessments/{assessment_id}/report/share"),
            ("DELETE", "/v1/assessments/{assessment_id}/report/share/{share_id}"),
            ("GET", "/v1/reports/{token}"),
            ("GET", "/v1/assessments/{assessment_id}/peers"),
            ("GET", "/v1/banks/{slug}/versions/{version}/stats"),
            ("GET", "/v1/keys"),
            ("POST", "/v1/keys"),
            ("POST", "/v1/keys/{key_id}/revoke"),
            ("POST", "/v1/keys/{key_id}/rotate"),
            ("POST", "/v1/webhooks"),
            ("GET", "/v1/webhooks"),
            ("GET", "/v1/webhooks/{webhook_id}"),
            ("PATCH", "/v1/webhooks/{webhook_id}"),
            ("DELETE", "/v1/webhooks/{webhook_id}"),
            ("GET", "/v1/webhooks/{webhook_id}/deliveries"),
            ("POST", "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"),
        }
        assert {"201", "400", "401", "422"} <= set(operations["POST", "/v1/assessments"]["responses"])
        assert {"200", "401", "403", "404", "422"} <= set(operations["GET", "/v1/assessments/{assessment_id}"]["responses"])
        compare = operations["GET", "/v1/assessments/{assessment_id}/compare/{other_id}"]
        assert {"200", "401", "403", "404", "409", "422"} <= set(compare["responses"])
        report = operations["GET", "/v1/assessments/{assessment_id}/report"]["responses"]
        assert {"200", "401", "403", "404", "409", "422"} <= set(report) and list(report["200"]["content"]) == ["text/html"]
        assert {"200", "404", "410"} <= set(operations["GET", "/v1/reports/{token}"]["responses"])
        assert not operations["GET", "/v1/reports/{token}"].get("security")
        for (method, path), operation in operations.items():
            assert operation.get("description"), f"{method} {path} has no description"
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert list(response["content"]) == ["application/problem+json"], (method, path, status)

    def test_request_bodies_carry_examples(self, client: TestClient) -> None:
        document = client.get("/openapi.json").json()
        for path in ("/v1/score", "/v1/assessments"):
            content = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]
            assert content["examples"], path

    def test_docs_page_is_served(self, client: TestClient) -> None:
        response = client.get("/docs")
        assert response.status_code == 200
        assert "swagger" in response.text.lower()

    def test_documented_examples_are_accepted(self, client: TestClient, auth: dict[str, str]) -> None:
        from app.api.examples import ASSESSMENT_EXAMPLES, SCORE_EXAMPLES

        scored = client.post("/v1/score", json=SCORE_EXAMPLES["ready"]["value"])
        assert scored.status_code == 200 and scored.json()["decision"] == "go"
        stored = client.post("/v1/assessments", json=ASSESSMENT_EXAMPLES["ready"]["value"], headers=auth)
        assert stored.status_code == 201

    def test_response_examples_are_real_answers_of_the_api(self, client: TestClient) -> None:
        from app.api.examples import SCORE_EXAMPLES

        document = client.get("/openapi.json").json()

        def example(path: str, method: str, status: str) -> object:
            return document["paths"][path][method]["responses"][status]["content"]["application/json"]["example"]

        assert example("/v1/score", "post", "200") == client.post("/v1/score", json=SCORE_EXAMPLES["ready"]["value"]).json()
        bank = client.get("/v1/banks/social-media-readiness").json()
        assert example("/v1/banks/{slug}", "get", "200") == bank
        assert example("/v1/assessments/{assessment_id}", "get", "200")["result"]["decision"] == "go"  # type: ignore[index]

    def test_the_comparison_example_is_a_real_answer_but_for_its_ids(self, client: TestClient, auth: dict[str, str]) -> None:
        from app.api.examples import ASSESSMENT_EXAMPLES, FIRST_ANSWERS, FOLLOW_UP_ANSWERS

        document = client.get("/openapi.json").json()
        documented = document["paths"]["/v1/assessments/{assessment_id}/compare/{other_id}"]["get"]["responses"]["200"][
            "content"
        ]["application/json"]["example"]
        request = ASSESSMENT_EXAMPLES["ready"]["value"]
        first = client.post("/v1/assessments", json=request | {"answers": FIRST_ANSWERS}, headers=auth).json()["id"]
        later = client.post(
            "/v1/assessments", json=request | {"answers": FOLLOW_UP_ANSWERS, "follows": first}, headers=auth
        ).json()["id"]
        compared = client.get(f"/v1/assessments/{later}/compare/{first}", headers=auth).json()
        assert documented == compared | {"assessment": documented["assessment"], "baseline": documented["baseline"]}
        assert compared["decision"] == {"baseline": "conditional_go", "assessment": "go", "changed": True}
        assert [len(compared["gaps"][k]) for k in ("closed", "opened", "unchanged")] == [3, 1, 1]

