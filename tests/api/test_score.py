"""POST /v1/score: score without storing; every bad answer named at once."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from app.banks.schema import QuestionType
from app.models import Assessment
from app.scoring.answers import is_shown
from app.scoring.result import Result
from tests.utils.answers import best_answers, worst_answers
from tests.utils.factories import (
    SHIPPED_SLUG,
    SHIPPED_VERSION,
    answers,
    body,
    follow_up,
    knockout_choice,
    pitch_question,
    question_of_type,
    shipped_bank,
)


def score(client: TestClient, request: dict[str, Any], **kwargs: Any) -> Any:
    return client.post("/v1/score", json=request, **kwargs)


def error_fields(response: Any) -> list[str]:
    assert response.headers["content-type"] == "application/problem+json"
    return [e["field"] for e in response.json()["errors"]]


class TestDecisions:
    @pytest.mark.parametrize(
        ("example", "decision"),
        [
            ("ready", "go"),
            ("not_ready", "no_go"),
            ("knockout", "no_go"),
            ("borderline", "conditional_go"),
            ("insufficient", "insufficient_data"),
        ],
    )
    def test_example_answer_sets_get_their_decision(self, client: TestClient, example: str, decision: str) -> None:
        response = score(client, body(example))
        assert response.status_code == 200
        assert response.json()["decision"] == decision

    def test_best_worst_and_knocked_out_submissions(self, client: TestClient) -> None:
        bank = shipped_bank()
        best = score(client, {"bank": SHIPPED_SLUG, "answers": best_answers(bank)}).json()
        assert (best["decision"], best["score"], best["coverage"], best["gaps"]) == ("go", 100.0, 1.0, [])
        worst = score(client, {"bank": SHIPPED_SLUG, "answers": worst_answers(bank)}).json()
        assert worst["decision"] == "no_go" and worst["score"] < bank.policy.no_go_below and worst["knockouts"] == []
        question, value = knockout_choice(bank)
        knocked_out = score(client, {"bank": SHIPPED_SLUG, "answers": best_answers(bank) | {question.key: value}}).json()
        assert knocked_out["decision"] == "no_go" and knocked_out["score"] > bank.policy.go_at

    def test_no_owner_is_never_go(self, client: TestClient) -> None:
        result = score(client, body("no_owner")).json()
        assert result["decision"] != "go"
        assert any(g["dimension"] == "ownership" and g["severity"] == "blocker" for g in result["gaps"])

    def test_result_explains_itself(self, client: TestClient) -> None:
        response = score(client, body("ready"))
        result = Result.model_validate(response.json())
        bank = shipped_bank()
        assert [d.key for d in result.dimensions] == [d.key for d in bank.dimensions]
        assert [q.key for q in result.questions] == [q.key for q in bank.questions]
        assert result.bank.slug == SHIPPED_SLUG and result.bank.version == SHIPPED_VERSION
        assert result.bank.content_hash.startswith("sha256:")
        assert result.engine_version
        assert sum(q.contribution for q in result.questions) == pytest.approx(result.score, abs=0.05)

    def test_knockout_names_question_reason_and_recommendation(self, client: TestClient) -> None:
        bank = shipped_bank()
        question, value = knockout_choice(bank)
        request = body("ready")
        request["answers"][question.key] = value
        result = score(client, request).json()
        assert result["decision"] == "no_go"
        assert [k["question"] for k in result["knockouts"]] == [question.key]
        assert result["knockouts"][0]["reason"] and result["knockouts"][0]["recommendation"]
        assert result["gaps"][0]["severity"] == "blocker" and result["gaps"][0]["kind"] == "knockout"

    def test_gaps_are_ordered_blockers_first_then_priority(self, client: TestClient) -> None:
        gaps = score(client, body("not_ready")).json()["gaps"]
        assert gaps, "a not-ready organisation has gaps"
        ranks = [{"blocker": 0, "major": 1, "minor": 2}[g["severity"]] for g in gaps]
        assert ranks == sorted(ranks)
        for gap in gaps:
            assert gap["shortfall"] == pytest.approx(gap["target"] - gap["score"], abs=0.01)
            assert all(q["recommendation"] for q in gap["questions"])

    def test_texts_follow_the_language_but_numbers_do_not(self, client: TestClient) -> None:
        en = score(client, body("not_ready")).json()
        fi = score(client, body("not_ready"), params={"lang": "fi"})
        assert fi.headers["content-language"] == "fi"
        fi_result = fi.json()
        assert (fi_result["decision"], fi_result["score"]) == (en["decision"], en["score"])
        assert fi_result["gaps"][0]["recommendation"] != en["gaps"][0]["recommendation"]

    def test_body_locale_sets_the_language(self, client: TestClient) -> None:
        response = score(client, body("ready", locale="fi"))
        assert response.headers["content-language"] == "fi"
        assert response.json()["locale"] == "fi"

    def test_nothing_is_stored(self, client: TestClient, db_engine: Engine) -> None:
        assert score(client, body("ready")).status_code == 200
        with db_engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(Assessment)).scalar_one() == 0

    def test_answers_to_hidden_questions_are_ignored_and_reported(self, client: TestClient) -> None:
        bank = shipped_bank()
        questions = {q.key: q for q in bank.questions}
        question, parent = follow_up(bank)
        request = body("ready")
        request["answers"].pop(question.key, None)
        # give the parent an answer that hides the follow-up, then answer the follow-up anyway
        request["answers"][parent.key] = next(
            o.value
            for o in parent.options or []
            if o.knockout is None and not is_shown(question, {parent.key: o.value}, questions)
        )
        without = score(client, request).json()
        request["answers"][question.key] = (question.options or [])[0].value if question.options else "x"
        with_hidden = score(client, request).json()
        assert (with_hidden["score"], with_hidden["decision"]) == (without["score"], without["decision"])
        entry = next(q for q in with_hidden["questions"] if q["key"] == question.key)
        assert entry == entry | {"state": "hidden", "ignored_answer": True, "score": None, "contribution": 0.0}


class TestInvalidAnswers:
    def test_every_offending_key_is_named_at_once(self, client: TestClient) -> None:
        bank = shipped_bank()
        pitch = pitch_question(bank)
        single = next(q for q in bank.questions if q.type == QuestionType.single_choice and q.show_if is None)
        scale = next(q for q in bank.questions if q.type == QuestionType.scale and q.show_if is None)
        boolean = next(q for q in bank.questions if q.type == QuestionType.boolean and q.show_if is None)
        required = next(q for q in bank.questions if q.required and q.show_if is None and q.key not in {pitch.key, single.key, scale.key, boolean.key})
        request = body("ready")
        request["answers"] |= {
            "no_such_question": "x",
            pitch.key: "x" * (pitch.max_length + 1),  # type: ignore[operator]
            single.key: "not-an-option",
            scale.key: "five",
            boolean.key: 1,
        }
        request["answers"].pop(required.key)
        response = score(client, request)
        assert response.status_code == 422
        assert sorted(error_fields(response)) == sorted(
            f"answers.{k}" for k in ("no_such_question", pitch.key, single.key, scale.key, boolean.key, required.key)
        )
        codes = {e["field"]: e["code"] for e in response.json()["errors"]}
        assert codes[f"answers.{pitch.key}"] == "too_long"
        assert codes[f"answers.{required.key}"] == "missing_required"
        assert codes["answers.no_such_question"] == "unknown_question"

    def test_pitch_of_exactly_its_max_length_is_accepted(self, client: TestClient) -> None:
        request = body("ready")
        pitch = pitch_question(shipped_bank())
        request["answers"][pitch.key] = "a" * pitch.max_length  # type: ignore[operator]
        assert score(client, request).status_code == 200

    def test_disallowed_special_state_is_named(self, client: TestClient) -> None:
        bank = shipped_bank()
        question = next(q for q in bank.questions if not q.allow_not_applicable and q.show_if is None)
        request = body("ready")
        request["answers"][question.key] = {"state": "not_applicable"}
        response = score(client, request)
        assert response.status_code == 422
        assert response.json()["errors"][0] | {"detail": ""} == {
            "pointer": f"#/answers/{question.key}",
            "field": f"answers.{question.key}",
            "code": "state_not_allowed",
            "detail": "",
        }

    def test_control_characters_in_text_are_refused_on_every_engine(self, client: TestClient) -> None:
        bank = shipped_bank()
        question = next(q for q in bank.questions if q.type == QuestionType.text and q.show_if is None)
        request = body("ready")
        request["answers"][question.key] = "We grow 10%\u0000 in 2027"
        request["respondent"]["organisation"] = "Kahvila\x07 Oy"
        response = score(client, request)
        assert response.status_code == 422
        assert error_fields(response) == ["respondent.organisation"]
        del request["respondent"]
        response = score(client, request)
        assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
            (f"answers.{question.key}", "control_characters")
        ]

    def test_numbers_beyond_any_float_are_out_of_range_not_a_crash(self, client: TestClient) -> None:
        question = question_of_type(shipped_bank(), QuestionType.number)
        request = body("ready")
        request["answers"][question.key] = 10**400
        response = score(client, request)
        assert response.status_code == 422
        assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(f"answers.{question.key}", "out_of_range")]

    def test_unknown_bank_names_the_bank_field(self, client: TestClient) -> None:
        response = score(client, body("ready", bank="nope"))
        assert response.status_code == 422
        assert error_fields(response) == ["bank"]

    def test_unknown_version_names_the_version_field(self, client: TestClient) -> None:
        response = score(client, body("ready", bank_version="2.0.0"))
        assert response.status_code == 422
        assert error_fields(response) == ["bank_version"]
        assert "1.0.0" in response.json()["errors"][0]["detail"]

    def test_unknown_top_level_field_is_rejected_not_dropped(self, client: TestClient) -> None:
        response = score(client, body("ready", score=100))
        assert response.status_code == 422
        assert error_fields(response) == ["score"]

    def test_missing_answers_object_is_named(self, client: TestClient) -> None:
        response = score(client, {"bank": SHIPPED_SLUG})
        assert response.status_code == 422
        assert error_fields(response) == ["answers"]

    @pytest.mark.parametrize("raw", [b"{not json", b"", b"[1, 2", b"\xff\xfe"])
    def test_malformed_json_is_a_problem_not_a_crash(self, client: TestClient, raw: bytes) -> None:
        response = client.post("/v1/score", content=raw, headers={"Content-Type": "application/json"})
        assert response.status_code in (400, 422)
        assert response.headers["content-type"] == "application/problem+json"

    def test_answers_must_be_an_object(self, client: TestClient) -> None:
        response = score(client, {"bank": SHIPPED_SLUG, "answers": ["a"]})
        assert response.status_code == 422
        assert error_fields(response) == ["answers"]

    def test_example_answer_files_are_valid(self, client: TestClient) -> None:
        for name in ("ready", "not_ready", "knockout", "no_owner", "borderline", "insufficient"):
            assert score(client, {"bank": SHIPPED_SLUG, "answers": answers(name)}).status_code == 200, name
