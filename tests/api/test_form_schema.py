"""GET /v1/banks/{slug}/versions/{version}/form-schema, and its schema agreeing with POST /v1/score.

The agreement tests fetch the schema over HTTP, generate answers objects from it
(tests/banks/test_form_schema.py), judge them with `jsonschema`, and check that
the API accepts exactly the ones the schema accepts.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from httpx import Response
from starlette.routing import NoMatchFound

from app.api.routes import form_schema as form_schema_routes
from app.banks.form_schema import FormSchemaDocument, form_schema
from app.main import create_app
from app.problems import PROBLEM_JSON
from app.settings import Settings
from tests.banks.test_form_schema import (
    FORM_SLUG,
    answer_sets,
    form_bank,
    form_bank_data,
    schema_answers,
    schema_mutants,
    validator,
)
from tests.utils.factories import SHIPPED_SLUG, SHIPPED_VERSION, SHIPPED_VERSIONS, shipped_bank

PATH = "/v1/banks/{slug}/versions/{version}/form-schema"
AGREEMENT = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)


def _app(settings: Settings) -> FastAPI:
    app = create_app(settings)
    try:
        app.url_path_for("get_form_schema", slug=SHIPPED_SLUG, version=SHIPPED_VERSION)
    except NoMatchFound:  # until app/main.py includes the router
        app.include_router(form_schema_routes.router)
    return app


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def form_client(settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    """The shipped banks plus the small bank with required follow-ups of every kind."""
    banks = tmp_path / "banks"
    shutil.copytree(settings.banks_dir, banks)
    (banks / f"{FORM_SLUG}.yaml").write_text(json.dumps(form_bank_data(), ensure_ascii=False), encoding="utf-8")
    with TestClient(_app(settings.model_copy(update={"banks_dir": banks}))) as test_client:
        yield test_client


def url(slug: str = SHIPPED_SLUG, version: str | None = None) -> str:
    version = version or (SHIPPED_VERSION if slug == SHIPPED_SLUG else "1.0.0")
    return PATH.format(slug=slug, version=version)


def score(client: TestClient, slug: str, answers: dict[str, Any]) -> Response:
    return client.post("/v1/score", json={"bank": slug, "answers": answers})


class TestGetFormSchema:
    def test_english_by_default_with_the_bank_version_identity(self, client: TestClient) -> None:
        response = client.get(url())
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert response.headers["content-language"] == "en"
        assert "Accept-Language" in response.headers["vary"]
        body = response.json()
        bank = client.get(f"/v1/banks/{SHIPPED_SLUG}/versions/{SHIPPED_VERSION}").json()
        assert (body["slug"], body["version"], body["locale"], body["content_hash"]) == (
            SHIPPED_SLUG, SHIPPED_VERSION, "en", bank["content_hash"],
        )  # fmt: skip
        assert {k: body[k] for k in ("schema", "ui_schema", "json_forms_ui_schema")} == form_schema(
            shipped_bank(), "en"
        )
        FormSchemaDocument.model_validate(body)  # the documented response model describes it

    def test_finnish_by_query_parameter_or_accept_language(self, client: TestClient) -> None:
        bank = shipped_bank()
        by_query = client.get(url(), params={"lang": "fi"})
        by_header = client.get(url(), headers={"Accept-Language": "sv, fi;q=0.8, en;q=0.5"})
        for response in (by_query, by_header):
            assert response.headers["content-language"] == "fi"
            body = response.json()
            assert body["locale"] == "fi"
            assert body["schema"]["title"] == bank.title.fi
            titles = [body["schema"]["properties"][q.key]["title"] for q in bank.questions]
            assert titles == [q.prompt.fi for q in bank.questions]
            groups = body["json_forms_ui_schema"]["elements"]
            assert [g["label"] for g in groups] == [d.title.fi for d in bank.dimensions]
        english = client.get(url(), params={"lang": "en"}, headers={"Accept-Language": "fi"})
        assert english.headers["content-language"] == "en"
        assert english.json()["schema"]["title"] == bank.title.en != bank.title.fi

    def test_the_pitch_has_its_max_length(self, client: TestClient) -> None:
        for version in SHIPPED_VERSIONS:
            pitch = client.get(url(version=version)).json()["schema"]["properties"]["pitch_text"]
            bank = client.get(f"/v1/banks/{SHIPPED_SLUG}/versions/{version}").json()
            limit = next(q["max_length"] for q in bank["questions"] if q["key"] == "pitch_text")
            assert pitch["anyOf"][0]["maxLength"] == limit

    @pytest.mark.parametrize(
        ("slug", "version"), [("no-such-bank", "1.0.0"), (SHIPPED_SLUG, "9.9.9")], ids=["bank", "version"]
    )
    def test_unknown_bank_or_version_is_a_404_problem(self, client: TestClient, slug: str, version: str) -> None:
        response = client.get(url(slug, version))
        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM_JSON
        problem = response.json()
        assert problem["status"] == 404 and problem["type"].endswith("not-found")
        assert problem["instance"] == url(slug, version)

    def test_unsupported_language_is_a_422_problem_naming_it(self, client: TestClient) -> None:
        response = client.get(url(), params={"lang": "sv"})
        assert response.status_code == 422
        assert response.headers["content-type"] == PROBLEM_JSON
        assert [e["field"] for e in response.json()["errors"]] == ["query.lang"]

    def test_documented_in_openapi(self, client: TestClient) -> None:
        operation = client.get("/openapi.json").json()["paths"][PATH]["get"]
        assert "banks" in operation["tags"]
        assert "JSON Schema" in operation["description"]
        assert {"200", "404", "422"} <= set(operation["responses"])
        assert set(operation["responses"]["404"]["content"]) == {PROBLEM_JSON}
        ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok == {"$ref": "#/components/schemas/FormSchemaDocument"}

    def test_no_rubric_in_the_response(self, client: TestClient) -> None:
        text = client.get(url()).text
        for key in ("points", "weight", "knockout", "target", "floor", "recommendation", "source", "bands", "checks"):
            assert f'"{key}"' not in text


class TestAgreementWithTheApi:
    """Answers objects the schema accepts are scored (200); the ones it rejects are 422."""

    @pytest.mark.parametrize("path", answer_sets(), ids=lambda p: p.stem)
    def test_the_example_answer_sets_are_valid_and_scored(self, client: TestClient, path: Path) -> None:
        answers = json.loads(path.read_text(encoding="utf-8"))
        assert validator(client.get(url()).json()["schema"]).is_valid(answers)
        assert score(client, SHIPPED_SLUG, answers).status_code == 200

    @pytest.mark.parametrize("slug", [SHIPPED_SLUG, FORM_SLUG])
    def test_every_answers_object_the_schema_accepts_is_scored(self, form_client: TestClient, slug: str) -> None:
        schema = form_client.get(url(slug), params={"lang": "fi"}).json()["schema"]

        @settings(AGREEMENT, max_examples=60)
        @given(schema_answers(schema))
        def scored(answers: dict[str, Any]) -> None:
            response = score(form_client, slug, answers)
            assert response.status_code == 200, response.json()

        scored()

    @pytest.mark.parametrize("slug", [SHIPPED_SLUG, FORM_SLUG])
    def test_changed_answers_are_scored_exactly_when_the_schema_accepts_them(
        self, form_client: TestClient, slug: str
    ) -> None:
        schema = form_client.get(url(slug)).json()["schema"]
        check = validator(schema)
        seen = {200: 0, 422: 0}

        @settings(AGREEMENT, max_examples=100)
        @given(schema_mutants(schema, integral_floats=True))
        def agree(answers: dict[str, Any]) -> None:
            expected = 200 if check.is_valid(answers) else 422
            response = score(form_client, slug, answers)
            assert response.status_code == expected, (response.json(), [e.message for e in check.iter_errors(answers)])
            if expected == 422:
                assert all(e["pointer"].startswith("#/answers") for e in response.json()["errors"])
            seen[expected] += 1

        agree()
        assert seen[200] >= 5 and seen[422] >= 5, seen

    @pytest.mark.parametrize(
        ("key", "value", "code"),
        [
            ("why_needed", 3, "wrong_type"),
            ("why_needed", "maybe", "not_an_option"),
            ("business_goals", ["retention", "retention"], "duplicate_option"),
            ("internal_agreement", 99, "out_of_range"),
            ("hours_per_week", 400.5, "out_of_range"),
            ("management_backing", 1, "wrong_type"),
            ("pitch_text", "x" * 501, "too_long"),
            ("main_goal", "nul\x00", "control_characters"),
            ("industry_ethics", {"state": "dont_know"}, "state_not_allowed"),
            ("channel_adaptation", {"state": "sometimes"}, "invalid_state"),
            ("not_a_question", 1, "unknown_question"),
            ("why_needed", None, "missing_required"),  # None: leave the key out
        ],
    )
    def test_each_kind_of_rejection_is_shared(self, client: TestClient, key: str, value: Any, code: str) -> None:
        schema = client.get(url()).json()["schema"]
        answers = json.loads(answer_sets()[[p.stem for p in answer_sets()].index("ready")].read_text())
        if value is None:
            answers.pop(key)
        else:
            answers[key] = value
        assert not validator(schema).is_valid(answers)
        response = score(client, SHIPPED_SLUG, answers)
        assert response.status_code == 422
        assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(f"answers.{key}", code)]

    def test_hidden_required_follow_ups_are_not_required(self, form_client: TestClient) -> None:
        schema = form_client.get(url(FORM_SLUG)).json()["schema"]
        base = {"why": "tobacco", "backing": False, "pitch_text": "We help."}
        cases = [
            (base, 200),
            (base | {"backing": True}, 422),
            (base | {"backing": True, "backing_level": 3}, 422),
            (base | {"backing": True, "backing_level": 3, "level_note": {"state": "not_applicable"}}, 200),
            (base | {"backing_level": 3}, 200),  # shown only under a hidden question: not required
            (base | {"channels": ["linkedin"]}, 422),
            (base | {"channels": ["instagram"], "channel_detail": "personal"}, 200),  # hidden answer ignored
        ]
        for answers, status in cases:
            assert validator(schema).is_valid(answers) is (status == 200), answers
            assert score(form_client, FORM_SLUG, answers).status_code == status, answers

    def test_an_integral_float_for_a_scale_is_scored_as_the_integer(self, client: TestClient) -> None:
        # JSON Schema (like JSON) does not tell 3.0 from 3: the schema accepts it, so the API must too
        schema = client.get(url()).json()["schema"]
        answers = json.loads(answer_sets()[[p.stem for p in answer_sets()].index("ready")].read_text())
        answers["internal_agreement"] = 3.0
        assert validator(schema).is_valid(answers)
        as_float = score(client, SHIPPED_SLUG, answers)
        assert as_float.status_code == 200
        answers["internal_agreement"] = 3
        assert as_float.json() == score(client, SHIPPED_SLUG, answers).json()


def test_the_small_bank_is_served(form_client: TestClient) -> None:
    body = form_client.get(url(FORM_SLUG)).json()
    assert body["schema"] == form_schema(form_bank(), "en")["schema"]
    assert body["schema"]["allOf"]  # the required follow-ups are conditionals
