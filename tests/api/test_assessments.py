"""POST/GET /v1/assessments: stored, durable, and visible only to their tenant."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.models.assessments import AssessmentPage, AssessmentPublic
from tests.utils.factories import SHIPPED_VERSION, body


def create(client: TestClient, auth: dict[str, str], example: str = "ready", **overrides: Any) -> Any:
    return client.post("/v1/assessments", json=body(example, **overrides), headers=auth)


class TestCreateAssessment:
    def test_created_with_location_and_result(self, client: TestClient, auth: dict[str, str]) -> None:
        response = create(client, auth)
        assert response.status_code == 201
        stored = AssessmentPublic.model_validate(response.json())
        assert response.headers["location"] == f"/v1/assessments/{stored.id}"
        assert stored.status == "submitted"
        assert stored.result.decision == "go"
        assert stored.decision == "go" and stored.score == stored.result.score
        assert stored.respondent.organisation == "Kahvila Esimerkki Oy"
        assert stored.answers == body("ready")["answers"]
        assert stored.created_at == stored.updated_at

    def test_stored_assessment_reads_back_identically(self, client: TestClient, auth: dict[str, str]) -> None:
        created = create(client, auth).json()
        fetched = client.get(f"/v1/assessments/{created['id']}", headers=auth)
        assert fetched.status_code == 200
        assert fetched.json() == created

    def test_result_equals_the_stateless_score(self, client: TestClient, auth: dict[str, str]) -> None:
        created = create(client, auth, "borderline").json()
        scored = client.post("/v1/score", json=body("borderline")).json()
        assert created["result"] == scored

    def test_reading_in_another_language_changes_texts_only(self, client: TestClient, auth: dict[str, str]) -> None:
        created = create(client, auth, "not_ready").json()
        fi = client.get(f"/v1/assessments/{created['id']}", params={"lang": "fi"}, headers=auth)
        assert fi.headers["content-language"] == "fi"
        result = fi.json()["result"]
        assert (result["decision"], result["score"], result["locale"]) == (
            created["result"]["decision"],
            created["result"]["score"],
            "fi",
        )
        assert [d["score"] for d in result["dimensions"]] == [d["score"] for d in created["result"]["dimensions"]]
        assert result["gaps"][0]["recommendation"] != created["result"]["gaps"][0]["recommendation"]

    def test_a_scale_answer_sent_as_an_integral_float_is_stored_as_an_integer(
        self, client: TestClient, auth: dict[str, str]
    ) -> None:
        request = body("ready")
        key = next(k for k, v in request["answers"].items() if isinstance(v, int) and not isinstance(v, bool) and v <= 5)
        expected = request["answers"][key]
        request["answers"][key] = float(expected)
        created = client.post("/v1/assessments", json=request, headers=auth)
        assert created.status_code == 201
        assert created.json()["answers"][key] == expected and isinstance(created.json()["answers"][key], int)
        request["answers"][key] = expected + 0.5
        assert client.post("/v1/assessments", json=request, headers=auth).status_code == 422

    def test_invalid_answers_store_nothing(self, client: TestClient, auth: dict[str, str]) -> None:
        request = body("ready")
        request["answers"]["no_such_question"] = 1
        response = client.post("/v1/assessments", json=request, headers=auth)
        assert response.status_code == 422
        assert client.get("/v1/assessments", headers=auth).json()["items"] == []

    def test_respondent_is_required_and_checked(self, client: TestClient, auth: dict[str, str]) -> None:
        request = body("ready")
        del request["respondent"]
        assert [e["field"] for e in client.post("/v1/assessments", json=request, headers=auth).json()["errors"]] == [
            "respondent"
        ]
        bad = create(client, auth, respondent={"organisation": "", "email": "not-an-email"})
        assert bad.status_code == 422
        assert sorted(e["field"] for e in bad.json()["errors"]) == ["respondent.email", "respondent.organisation"]

    def test_client_cannot_set_server_fields(self, client: TestClient, auth: dict[str, str]) -> None:
        response = create(client, auth, id=str(uuid.uuid4()), decision="go")
        assert response.status_code == 422
        assert sorted(e["field"] for e in response.json()["errors"]) == ["decision", "id"]


class TestAuthentication:
    def test_missing_key_is_401_with_challenge(self, client: TestClient) -> None:
        response = client.post("/v1/assessments", json=body("ready"))
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.headers["content-type"] == "application/problem+json"

    @pytest.mark.parametrize("header", ["Bearer rdy_sk_wrong", "Basic dXNlcjpwYXNz", "Bearer", "rdy_sk_x"])
    def test_bad_keys_are_401(self, client: TestClient, header: str) -> None:
        assert client.get("/v1/assessments", headers={"Authorization": header}).status_code == 401

    def test_key_made_with_another_pepper_is_refused(self, client: TestClient, make_key: Callable[..., str]) -> None:
        key = make_key()
        assert client.get("/v1/assessments", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        assert client.get("/v1/assessments", headers={"Authorization": f"Bearer {key}x"}).status_code == 401


class TestTenantIsolation:
    def test_another_tenants_assessment_is_404(
        self, client: TestClient, auth: dict[str, str], make_key: Callable[..., str]
    ) -> None:
        created = create(client, auth).json()
        other = {"Authorization": f"Bearer {make_key('agency-b')}"}
        response = client.get(f"/v1/assessments/{created['id']}", headers=other)
        assert response.status_code == 404
        assert client.get("/v1/assessments", headers=other).json()["items"] == []

    def test_unknown_and_malformed_ids(self, client: TestClient, auth: dict[str, str]) -> None:
        assert client.get(f"/v1/assessments/{uuid.uuid4()}", headers=auth).status_code == 404
        response = client.get("/v1/assessments/not-a-uuid", headers=auth)
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["path.assessment_id"]


class TestListAssessments:
    def test_newest_first_and_paged_without_repeats(self, client: TestClient, auth: dict[str, str]) -> None:
        ids = [create(client, auth, respondent={"organisation": f"Org {i}"}).json()["id"] for i in range(7)]
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
            page = AssessmentPage.model_validate(client.get("/v1/assessments", params=params, headers=auth).json())
            seen += [str(item.id) for item in page.items]
            pages += 1
            cursor = page.next_cursor
            if cursor is None:
                break
        assert pages == 3
        assert seen == list(reversed(ids))

    @pytest.mark.parametrize("microsecond", [0, 7, 123456])
    def test_listed_fields_are_those_read_one_by_one(
        self, client: TestClient, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch, microsecond: int
    ) -> None:
        # the list prints ids and times its own way on SQLite (from the stored text); they must read the same
        moment = datetime(2026, 3, 9, 8, 5, 1, microsecond, tzinfo=UTC)
        monkeypatch.setattr("app.services.assessments.utcnow", lambda: moment)
        earlier = create(client, auth).json()
        follow_up = create(client, auth, follows=earlier["id"], respondent={"organisation": "B", "email": "b@example.fi"})
        draft = create(client, auth, submit=False, respondent={"organisation": "C", "external_ref": "crm-9"})
        listed = client.get("/v1/assessments", params={"limit": 2}, headers=auth).json()
        listed["items"] += client.get("/v1/assessments", params={"cursor": listed["next_cursor"]}, headers=auth).json()["items"]
        assert len(listed["items"]) == 3
        for item in listed["items"]:
            one = client.get(f"/v1/assessments/{item['id']}", headers=auth).json()
            assert item == {key: one[key] for key in item}
            assert datetime.fromisoformat(item["created_at"]) == moment
        assert {item["id"] for item in listed["items"]} == {earlier["id"], follow_up.json()["id"], draft.json()["id"]}
        assert [i["follows"] for i in listed["items"] if i["id"] == follow_up.json()["id"]] == [earlier["id"]]

    def test_filters(self, client: TestClient, auth: dict[str, str]) -> None:
        ready = create(client, auth, respondent={"organisation": "A", "external_ref": "crm-7"}).json()
        create(client, auth, "not_ready", respondent={"organisation": "B"})

        def listed(**params: Any) -> list[str]:
            return [i["id"] for i in client.get("/v1/assessments", params=params, headers=auth).json()["items"]]

        assert listed(decision="go") == [ready["id"]]
        assert listed(external_ref="crm-7") == [ready["id"]]
        assert len(listed(bank="social-media-readiness", bank_version=SHIPPED_VERSION)) == 2
        assert listed(bank="other") == []
        assert listed(created_after=ready["created_at"]) != []
        assert ready["id"] not in listed(created_after=ready["created_at"])
        assert listed(created_before="2000-01-01T00:00:00Z") == []

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"cursor": "garbage"}, "query.cursor"),
            ({"limit": 0}, "query.limit"),
            ({"limit": 101}, "query.limit"),
            ({"decision": "maybe"}, "query.decision"),
            ({"created_after": "2026-01-01T00:00:00"}, "query.created_after"),
            ({"external_ref": "crm\x00-1"}, "query.external_ref"),
        ],
    )
    def test_bad_parameters_are_named(
        self, client: TestClient, auth: dict[str, str], params: dict[str, Any], field: str
    ) -> None:
        response = client.get("/v1/assessments", params=params, headers=auth)
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == [field]
