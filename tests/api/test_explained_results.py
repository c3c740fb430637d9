"""Results a client can act on: the path to go and text checks that teach, through the API."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import col

from app.models import Assessment
from tests.utils.factories import SHIPPED_VERSION, body

LONG_PITCH = (
    "Since 1987 our family-run bakery in the heart of Tampere has baked sourdough bread, cinnamon buns "
    "and birthday cakes for families who want good mornings."
)


def scored(client: TestClient, request: dict[str, Any], lang: str = "en") -> dict[str, Any]:
    response = client.post("/v1/score", json=request, params={"lang": lang})
    assert response.status_code == 200, response.text
    return response.json()


def question(result: dict[str, Any], key: str) -> dict[str, Any]:
    return next(q for q in result["questions"] if q["key"] == key)


class TestPathToGo:
    def test_a_go_says_by_how_much_each_dimension_clears_its_target(self, client: TestClient) -> None:
        result = scored(client, body("ready"))
        assert result["decision"] == "go"
        route = result["path_to_go"]
        assert route["steps"] == []
        assert route["score_margin"] == pytest.approx(result["score"] - 70, abs=0.005)
        margins = {m["dimension"]: m["margin"] for m in route["margins"]}
        assert margins == {d["key"]: pytest.approx(d["score"] - d["target"], abs=0.005) for d in result["dimensions"]}

    def test_a_conditional_go_lists_the_dimensions_to_lift_and_how_far(self, client: TestClient) -> None:
        result = scored(client, body("borderline"))
        assert result["decision"] == "conditional_go"
        route = result["path_to_go"]
        assert route["reachable"] is True and route["margins"] == []
        assert route["projected_score"] >= 70
        lifted = [s for s in route["steps"] if s["kind"] in ("floor", "target", "raise")]
        assert lifted
        gaps = {g["dimension"]: g for g in result["gaps"]}
        for step in lifted:
            assert step["reach"] >= step["target"]
            assert step["recommendations"], step
            if step["kind"] != "raise":
                # the step carries its gap's own advice, first the dimension's and then its questions'
                assert step["recommendations"][0] == gaps[step["dimension"]]["recommendation"]

    def test_a_knockout_comes_first_with_its_own_recommendation(self, client: TestClient) -> None:
        result = scored(client, body("knockout"))
        assert result["decision"] == "no_go"
        first = result["path_to_go"]["steps"][0]
        knockout = result["knockouts"][0]
        assert (first["kind"], first["question"]) == ("knockout", knockout["question"])
        assert first["recommendations"] == [knockout["recommendation"]]

    def test_too_little_known_asks_for_the_heaviest_unanswered_questions(self, client: TestClient) -> None:
        result = scored(client, body("insufficient"))
        assert result["decision"] == "insufficient_data"
        step = next(s for s in result["path_to_go"]["steps"] if s["kind"] == "coverage")
        assert step["score"] == result["coverage"] and step["target"] == 0.7
        assert step["reach"] >= 0.7
        unanswered = {q["key"] for q in result["questions"] if q["state"] in ("dont_know", "missing")}
        assert set(step["questions"]) <= unanswered

    def test_texts_follow_the_language(self, client: TestClient) -> None:
        english, finnish = (scored(client, body("borderline"), lang)["path_to_go"] for lang in ("en", "fi"))
        assert [s["dimension"] for s in english["steps"]] == [s["dimension"] for s in finnish["steps"]]
        assert english["steps"][0]["title"] != finnish["steps"][0]["title"]
        assert english["steps"][0]["recommendations"] != finnish["steps"][0]["recommendations"]

    def test_a_result_stored_before_the_path_existed_gains_it_when_read(
        self, client: TestClient, auth: dict[str, str], db_engine: Engine
    ) -> None:
        created = client.post("/v1/assessments", json=body("borderline"), headers=auth).json()
        fresh = created["result"]["path_to_go"]
        old = {k: v for k, v in created["result"].items() if k != "path_to_go"} | {"engine_version": "1.0.0"}
        with db_engine.begin() as connection:
            connection.execute(update(Assessment).where(col(Assessment.id) == uuid.UUID(created["id"])).values(result=old))
        read = client.get(f"/v1/assessments/{created['id']}", headers=auth).json()
        assert read["result"]["path_to_go"] == fresh
        assert read["result"]["score"] == created["result"]["score"]


class TestTextChecks:
    def test_a_long_pitch_is_scored_and_told_what_to_cut(self, client: TestClient) -> None:
        request = body("ready")
        request["answers"]["pitch_text"] = LONG_PITCH
        assert len(LONG_PITCH) > 140
        for lang, word in (("en", "140"), ("fi", "140")):
            result = scored(client, request, lang)
            pitch = question(result, "pitch_text")
            checks = {c["key"]: c for c in pitch["checks"]}
            assert checks["fits_140"]["passed"] is False
            assert word in checks["fits_140"]["recommendation"]
            assert checks["names_audience"]["passed"] is True  # "for families"
            assert checks["names_benefit"]["passed"] is False
            assert all(c["recommendation"] is None for c in checks.values() if c["passed"])
            assert pitch["score"] == pytest.approx(3 / 8)  # long_enough 1 + names_audience 2 of 8 points
            assert checks["fits_140"]["recommendation"] in pitch["recommendation"]
            assert checks["names_benefit"]["recommendation"] in pitch["recommendation"]
        english = question(scored(client, request, "en"), "pitch_text")["checks"]
        finnish = question(scored(client, request, "fi"), "pitch_text")["checks"]
        assert english[0]["label"] == "Fits in 140 characters" and finnish[0]["label"] == "Mahtuu 140 merkkiin"

    @pytest.mark.parametrize(
        ("goal", "failed"),
        [
            ("Get more likes and be visible on Facebook.", {"has_number", "has_time_frame"}),
            ("Double our newsletter subscribers, it would be great.", {"has_time_frame"}),
            ("Be much more visible to young families by the end of 2027.", set()),  # 2027 is a number and a time
            ("Kaksinkertaistamme uutiskirjeen tilaajat ensi kesään mennessä.", set()),
            ("Haluamme enemmän näkyvyyttä ja tykkäyksiä Facebookissa.", {"has_number", "has_time_frame"}),
        ],
    )
    def test_the_main_goal_must_be_measurable_and_time_bound(
        self, client: TestClient, goal: str, failed: set[str]
    ) -> None:
        request = body("ready")
        request["answers"]["main_goal"] = goal
        result = scored(client, request)
        checks = question(result, "main_goal")["checks"]
        assert {c["key"] for c in checks if not c["passed"]} == failed

    def test_a_failed_check_reaches_the_gap_that_lists_its_question(self, client: TestClient) -> None:
        request = body("ready")
        request["answers"]["main_goal"] = "Get more likes and be visible on Facebook."
        result = scored(client, request, "fi")
        checks = {c["key"]: c for c in question(result, "main_goal")["checks"]}
        gap = next(g for g in result["gaps"] if g["dimension"] == "goals")
        listed = next(q for q in gap["questions"] if q["key"] == "main_goal")
        assert checks["has_number"]["recommendation"] in listed["recommendation"]
        assert "mitattava" in checks["has_number"]["recommendation"]

    def test_other_questions_carry_no_checks(self, client: TestClient) -> None:
        result = scored(client, body("ready"))
        assert question(result, "why_needed")["checks"] is None

    def test_the_rubric_shows_each_check_rule(self, client: TestClient) -> None:
        bank = client.get(
            f"/v1/banks/social-media-readiness/versions/{SHIPPED_VERSION}", params={"include": "rubric", "lang": "fi"}
        ).json()
        pitch = next(q for q in bank["questions"] if q["key"] == "pitch_text")
        rules = {c["key"]: c for c in pitch["checks"]}
        assert rules["fits_140"]["value"] == 140 and rules["fits_140"]["kind"] == "max_length"
        assert set(rules["names_audience"]["value"]) == {"en", "fi"}
        assert rules["names_benefit"]["label"] == "Nimeää hyödyn"
