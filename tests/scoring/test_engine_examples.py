"""Hand-computed scoring examples on the mini bank (tests/fixtures/mini-bank.yaml).

The mini bank, for reading the arithmetic below:

    policy: go_at 70, no_go_below 40, min_coverage 0.5
    purpose (weight 2, target 70, floor 40)
      why            single_choice  w2  written 2 | vague 1 | tobacco 0 (knock-out)   best 2
      backing        boolean        w1  true 1 | false 0                              best 1
      backing_level  scale, optional w1, shown if backing == true: 1->0, 2->1, 3->2  best 2
    pitch (weight 1, target 60, no floor)
      pitch_text     text           w1  check long_enough: >= 20 characters, 1 point  best 1
      hours          number 0..80, optional, not_applicable allowed, w1:
                                        [0, 1.99] -> 0, [2, 80] -> 3                  best 3
      channels       multi_choice, optional, w1: linkedin 1, instagram 1, no full_points -> best 2

Dimension = 100 * sum(w*s) / sum(w) over applicable questions; overall = (2*purpose + pitch) / 3.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.scoring.answers import check_answers
from app.scoring.engine import ENGINE_VERSION, score
from app.scoring.result import (
    BankRef,
    Decision,
    DimensionStatus,
    Gap,
    GapKind,
    GapQuestion,
    KnockoutResult,
    QuestionState,
    Result,
    Severity,
)
from tests.utils.answers import DONT_KNOW, NOT_APPLICABLE, mini_bank, mini_variant, question_data

PITCH = "We help small cafes fill quiet afternoons."  # the bank's example: 42 characters, passes
SHORT_PITCH = "Coffee."  # 7 characters: fails long_enough


def scored(answers: dict[str, Any], **kwargs: Any) -> Result:
    bank = kwargs.pop("bank", None) or mini_bank()
    assert check_answers(bank, answers) == [], "examples must be valid answers"
    return score(bank, answers, **kwargs)


def dimension_scores(result: Result) -> dict[str, float | None]:
    return {d.key: d.score for d in result.dimensions}


def question(result: Result, key: str) -> Any:
    return next(q for q in result.questions if q.key == key)


def all_best(**overrides: Any) -> dict[str, Any]:
    answers = {
        "why": "written",
        "backing": True,
        "backing_level": 3,
        "pitch_text": PITCH,
        "hours": 5,
        "channels": ["linkedin", "instagram"],
    }
    answers.update(overrides)
    return {k: v for k, v in answers.items() if v is not None}


class TestTypicalAnswerSet:
    """why vague, backing true, level 2, a short pitch, 5 hours, LinkedIn only."""

    @staticmethod
    def answers() -> dict[str, Any]:
        return {
            "why": "vague",
            "backing": True,
            "backing_level": 2,
            "pitch_text": SHORT_PITCH,
            "hours": 5,
            "channels": ["linkedin"],
        }

    def test_dimension_and_overall_scores(self) -> None:
        result = scored(self.answers())
        # purpose = 100 * (2*0.5 + 1*1 + 1*0.5) / 4 = 62.5
        # pitch   = 100 * (1*0 + 1*1 + 1*0.5) / 3 = 50
        # overall = (2*62.5 + 1*50) / 3 = 58.333.. -> 58.33
        assert dimension_scores(result) == {"purpose": 62.5, "pitch": 50.0}
        assert result.score == 58.33
        assert result.coverage == 1.0
        assert [d.status for d in result.dimensions] == [DimensionStatus.below_target, DimensionStatus.below_target]

    def test_decision_is_conditional_go_between_the_thresholds(self) -> None:
        # 40 <= 58.33 < 70, no knock-out, coverage 1
        assert scored(self.answers()).decision == Decision.conditional_go

    def test_question_scores_and_contributions(self) -> None:
        result = scored(self.answers())
        # contribution = 100 * (w / dimension weight) * (dimension weight / 3) * s
        #   why:   100 * 2/4 * 2/3 * 0.5 = 16.6667     backing: 100 * 1/4 * 2/3 * 1 = 16.6667
        #   level: 100 * 1/4 * 2/3 * 0.5 = 8.3333      pitch_text: 0
        #   hours: 100 * 1/3 * 1/3 * 1   = 11.1111     channels: 100 * 1/3 * 1/3 * 0.5 = 5.5556
        assert [(q.key, q.state, q.score, q.contribution) for q in result.questions] == [
            ("why", QuestionState.answered, 0.5, 16.6667),
            ("backing", QuestionState.answered, 1.0, 16.6667),
            ("backing_level", QuestionState.answered, 0.5, 8.3333),
            ("pitch_text", QuestionState.answered, 0.0, 0.0),
            ("hours", QuestionState.answered, 1.0, 11.1111),
            ("channels", QuestionState.answered, 0.5, 5.5556),
        ]
        assert sum(q.contribution for q in result.questions) == pytest.approx(58.33, abs=0.005)

    def test_recommendations_only_for_questions_below_full_score(self) -> None:
        result = scored(self.answers())
        assert {q.key: q.recommendation for q in result.questions} == {
            "why": "Agree on why.",
            "backing": None,
            "backing_level": "Strengthen backing.",
            "pitch_text": "Say more.",  # the failed check's advice, more specific than the question's
            "hours": None,
            "channels": "Pick channels.",
        }

    def test_gaps_are_ordered_by_priority_and_name_the_weakest_questions(self) -> None:
        result = scored(self.answers())
        # purpose: shortfall 70 - 62.5 = 7.5 (< 20: minor), priority 2 * 7.5 = 15
        #   lost: why 100*2*(1-0.5)/4 = 25, level 100*1*0.5/4 = 12.5; backing lost nothing
        # pitch: shortfall 60 - 50 = 10 (minor), priority 1 * 10 = 10
        #   lost: pitch_text 100*1*1/3 = 33.33, channels 100*1*0.5/3 = 16.67
        assert result.gaps == [
            Gap(
                dimension="purpose",
                kind=GapKind.target,
                severity=Severity.minor,
                score=62.5,
                target=70,
                floor=40,
                shortfall=7.5,
                priority=15.0,
                recommendation="Write the motivation down.",
                questions=[
                    GapQuestion(key="why", prompt="Why?", state=QuestionState.answered, score=0.5, lost=25.0,
                                recommendation="Agree on why."),
                    GapQuestion(key="backing_level", prompt="How strong?", state=QuestionState.answered, score=0.5,
                                lost=12.5, recommendation="Strengthen backing."),
                ],
            ),
            Gap(
                dimension="pitch",
                kind=GapKind.target,
                severity=Severity.minor,
                score=50.0,
                target=60,
                floor=None,
                shortfall=10.0,
                priority=10.0,
                recommendation="Write a pitch.",
                questions=[
                    GapQuestion(key="pitch_text", prompt="Your pitch", state=QuestionState.answered, score=0.0,
                                lost=33.33, recommendation="Say more."),
                    GapQuestion(key="channels", prompt="Channels?", state=QuestionState.answered, score=0.5,
                                lost=16.67, recommendation="Pick channels."),
                ],
            ),
        ]  # fmt: skip

    def test_result_names_the_bank_and_engine(self) -> None:
        result = scored(self.answers(), content_hash="sha256:abc")
        assert result.bank == BankRef(slug="mini", version="1.0.0", content_hash="sha256:abc")
        assert result.engine_version == ENGINE_VERSION
        assert result.locale == "en"


class TestBestAndWorst:
    def test_best_answers_score_100_and_go(self) -> None:
        result = scored(all_best())
        assert (result.score, result.coverage, result.decision) == (100.0, 1.0, Decision.go)
        assert dimension_scores(result) == {"purpose": 100.0, "pitch": 100.0}
        assert result.gaps == []
        assert all(q.recommendation is None for q in result.questions)

    def test_worst_answers_score_low_and_no_go(self) -> None:
        answers = {"why": "vague", "backing": False, "pitch_text": "", "hours": 0, "channels": []}
        result = scored(answers)
        # purpose = 100 * (2*0.5 + 0) / 3 = 33.33 (below the floor 40); pitch = 0
        # overall = (2*33.333 + 0) / 3 = 22.22 < 40
        assert dimension_scores(result) == {"purpose": 33.33, "pitch": 0.0}
        assert result.score == 22.22
        assert result.coverage == 1.0
        assert result.decision == Decision.no_go


class TestDontKnow:
    def test_dont_know_scores_0_and_lowers_coverage(self) -> None:
        result = scored(all_best(why=DONT_KNOW))
        # purpose = 100 * (2*0 + 1 + 1) / 4 = 50, its coverage 2/4 = 0.5; pitch 100
        # overall = (2*50 + 100) / 3 = 66.67; coverage = answered 5 / applicable 7 = 0.7143
        assert dimension_scores(result) == {"purpose": 50.0, "pitch": 100.0}
        assert [d.coverage for d in result.dimensions] == [0.5, 1.0]
        assert (result.score, result.coverage) == (66.67, 0.7143)
        assert result.decision == Decision.conditional_go
        why = question(result, "why")
        assert (why.state, why.score, why.contribution) == (QuestionState.dont_know, 0.0, 0.0)
        assert why.recommendation == "Agree on why."

    def test_dont_know_scores_like_a_zero_answer_but_only_the_answer_is_covered(self) -> None:
        zero, unknown = scored(all_best(backing=False)), scored(all_best(backing=DONT_KNOW))
        # either way backing_level is hidden and purpose = 100 * (2*1 + 0) / 3 = 66.67
        assert dimension_scores(zero) == dimension_scores(unknown) == {"purpose": 66.67, "pitch": 100.0}
        assert zero.score == unknown.score == 77.78  # (2*66.667 + 100) / 3
        # applicable weight 2+1+1+1+1 = 6; dont_know leaves backing (1) uncovered: 5/6
        assert (zero.coverage, unknown.coverage) == (1.0, 0.8333)


class TestNotApplicable:
    def test_not_applicable_removes_the_question_from_its_dimension(self) -> None:
        result = scored(all_best(hours=NOT_APPLICABLE, channels=[]))
        # pitch over pitch_text and channels only: 100 * (1 + 0) / 2 = 50 (with hours 0 it would be 33.33)
        # overall = (2*100 + 50) / 3 = 83.33; coverage: 6 applicable weight, all answered
        assert dimension_scores(result) == {"purpose": 100.0, "pitch": 50.0}
        assert (result.score, result.coverage) == (83.33, 1.0)
        hours = question(result, "hours")
        assert (hours.state, hours.score, hours.contribution) == (QuestionState.not_applicable, None, 0.0)
        assert hours.recommendation is None

    def test_go_can_come_with_a_minor_gap(self) -> None:
        result = scored(all_best(hours=NOT_APPLICABLE, channels=[]))
        # 83.33 >= 70 and purpose meets its floor; pitch 50 is still 10 below its target 60
        assert result.decision == Decision.go
        assert [(g.dimension, g.kind, g.severity, g.shortfall, g.priority) for g in result.gaps] == [
            ("pitch", GapKind.target, Severity.minor, 10.0, 10.0)
        ]

    def test_a_dimension_with_no_applicable_question_is_left_out_of_the_overall(self) -> None:
        def allow_not_applicable(data: dict[str, Any]) -> None:
            question_data(data, "pitch_text")["allow_not_applicable"] = True
            question_data(data, "channels")["allow_not_applicable"] = True

        bank = mini_variant(allow_not_applicable)
        answers = {
            "why": "written",
            "backing": False,
            "pitch_text": NOT_APPLICABLE,
            "hours": NOT_APPLICABLE,
            "channels": NOT_APPLICABLE,
        }
        result = scored(answers, bank=bank)
        # purpose = 100 * 2 / 3 = 66.67; pitch has no applicable question
        # overall = purpose alone = 66.67 (not (2*66.67 + 0) / 3 = 44.44)
        pitch = result.dimensions[1]
        assert (pitch.key, pitch.score, pitch.coverage) == ("pitch", None, 0.0)
        assert pitch.status == DimensionStatus.not_applicable
        assert (result.score, result.coverage, result.decision) == (66.67, 1.0, Decision.conditional_go)
        assert [g.dimension for g in result.gaps] == ["purpose"]
        # why: 100 * 2/3 * 2/2 * 1 = 66.6667: the contributions still add up to the overall
        assert {q.key: q.contribution for q in result.questions} == {
            "why": 66.6667, "backing": 0.0, "backing_level": 0.0, "pitch_text": 0.0, "hours": 0.0, "channels": 0.0,
        }  # fmt: skip


class TestOmittedOptionalQuestions:
    def test_an_omitted_optional_question_is_missing_scores_0_and_is_not_covered(self) -> None:
        result = scored(all_best(backing_level=None, channels=None))
        # purpose = 100 * (2 + 1 + 0) / 4 = 75; pitch = 100 * (1 + 1 + 0) / 3 = 66.67
        # overall = (150 + 66.667) / 3 = 72.22; coverage 5/7 = 0.7143
        assert dimension_scores(result) == {"purpose": 75.0, "pitch": 66.67}
        assert [d.coverage for d in result.dimensions] == [0.75, 0.6667]
        assert (result.score, result.coverage, result.decision) == (72.22, 0.7143, Decision.go)
        assert result.gaps == []
        for key, advice in (("backing_level", "Strengthen backing."), ("channels", "Pick channels.")):
            missing = question(result, key)
            assert (missing.state, missing.score, missing.contribution) == (QuestionState.missing, 0.0, 0.0)
            assert missing.recommendation == advice


class TestMultiChoice:
    def test_without_full_points_the_best_is_the_sum_of_all_options(self) -> None:
        # best = 1 + 1 = 2
        assert question(scored(all_best(channels=["instagram"])), "channels").score == 0.5
        assert question(scored(all_best(channels=["instagram", "linkedin"])), "channels").score == 1.0

    def test_an_empty_choice_is_an_answer_worth_0(self) -> None:
        channels = question(scored(all_best(channels=[])), "channels")
        assert (channels.state, channels.score) == (QuestionState.answered, 0.0)

    def test_points_are_capped_at_full_points(self) -> None:
        def full_points(data: dict[str, Any]) -> None:
            question_data(data, "channels")["full_points"] = 1.5

        bank = mini_variant(full_points)
        # one option: 1 / 1.5 = 0.6667; both: 2 / 1.5 capped at 1
        assert question(scored(all_best(channels=["linkedin"]), bank=bank), "channels").score == 0.6667
        both = scored(all_best(), bank=bank)
        assert question(both, "channels").score == 1.0
        assert both.score == 100.0


class TestNumberBands:
    @pytest.mark.parametrize(
        ("hours", "expected"),
        [
            (0, 0.0),  # low band [0, 1.99]: 0 points
            (1.99, 0.0),
            (2, 1.0),  # band [2, 80]: 3 of 3 points, bands are closed
            (2.0, 1.0),
            (37.5, 1.0),
            (80, 1.0),
            (1.995, 0.0),  # between the bands: no band, 0 points
        ],
    )
    def test_the_band_containing_the_value_gives_the_points(self, hours: float, expected: float) -> None:
        result = question(scored(all_best(hours=hours)), "hours")
        assert (result.state, result.score) == (QuestionState.answered, expected)

    def test_a_value_outside_every_band_is_answered_but_scores_0(self) -> None:
        result = scored(all_best(hours=1.995))
        hours = question(result, "hours")
        assert (hours.state, hours.score, hours.recommendation) == (QuestionState.answered, 0.0, "Reserve time.")
        assert result.coverage == 1.0
        assert dimension_scores(result)["pitch"] == 66.67  # 100 * (1 + 0 + 1) / 3

    def test_a_bands_own_recommendation_replaces_the_questions(self) -> None:
        def band_advice(data: dict[str, Any]) -> None:
            advice = {"en": "Two hours at least.", "fi": "Vähintään kaksi tuntia."}
            question_data(data, "hours")["bands"][0]["recommendation"] = advice

        bank = mini_variant(band_advice)
        assert question(scored(all_best(hours=1), bank=bank), "hours").recommendation == "Two hours at least."
        finnish = scored(all_best(hours=1), bank=bank, lang="fi")
        assert question(finnish, "hours").recommendation == "Vähintään kaksi tuntia."


def with_customer_check(data: dict[str, Any]) -> None:
    pitch = question_data(data, "pitch_text")
    # the bank's example must pass every check, the new one included
    pitch["example"] = {
        "en": "We help our customers fill quiet afternoons.",
        "fi": "Autamme asiakkaita täyttämään iltapäivät.",
    }
    pitch["checks"].append(
        {
            "key": "names_customer",
            "kind": "pattern",
            "value": {"en": r"\bcustomers?\b", "fi": "asiakka"},
            "points": 2,
            "label": {"en": "Names the customer", "fi": "Nimeää asiakkaan"},
            "recommendation": {"en": "Name your customer.", "fi": "Nimeä asiakkaasi."},
        }
    )


class TestTextChecks:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("We help small cafes", 0.0),  # 19 characters
            ("We help small cafes.", 1.0),  # 20 characters
            ("", 0.0),
        ],
    )
    def test_min_length_check(self, text: str, expected: float) -> None:
        assert question(scored(all_best(pitch_text=text)), "pitch_text").score == expected

    @pytest.mark.parametrize(
        ("text", "expected", "advice"),
        [
            # best = 1 (long_enough) + 2 (names_customer) = 3
            ("We help customers find good coffee.", 1.0, None),
            ("CUSTOMERS love us.", 0.6667, "Say more."),  # 18 characters; the pattern ignores case
            ("We sell coffee beans and cakes.", 0.3333, "Name your customer."),
            ("Asiakkaat löytävät hyvän kahvin.", 1.0, None),  # the Finnish pattern counts in an English result
            (SHORT_PITCH, 0.0, "Say more. Name your customer."),  # every failed check's advice, in order
        ],
    )
    def test_pattern_check_points_and_advice(self, text: str, expected: float, advice: str | None) -> None:
        bank = mini_variant(with_customer_check)
        pitch = question(scored(all_best(pitch_text=text), bank=bank), "pitch_text")
        assert (pitch.score, pitch.recommendation) == (expected, advice)


class TestShowIf:
    def test_an_answer_to_a_hidden_question_is_ignored_and_reported(self) -> None:
        with_hidden = scored(all_best(backing=False, backing_level=3))
        without = scored(all_best(backing=False, backing_level=None))
        level = question(with_hidden, "backing_level")
        assert (level.state, level.score, level.contribution) == (QuestionState.hidden, None, 0.0)
        assert level.ignored_answer is True
        assert question(without, "backing_level").ignored_answer is False
        # purpose = 100 * (2*1 + 0) / 3 = 66.67 either way
        assert dimension_scores(with_hidden) == dimension_scores(without) == {"purpose": 66.67, "pitch": 100.0}
        assert (with_hidden.score, with_hidden.coverage) == (without.score, without.coverage) == (77.78, 1.0)

    def test_a_knockout_answer_to_a_hidden_question_is_ignored(self) -> None:
        def weak_backing_knocks_out(data: dict[str, Any]) -> None:
            question_data(data, "backing_level")["options"][0]["knockout"] = {
                "reason": {"en": "No real backing.", "fi": "Ei todellista tukea."},
                "recommendation": {"en": "Get backing first.", "fi": "Hanki ensin tuki."},
            }

        bank = mini_variant(weak_backing_knocks_out)
        hidden = scored(all_best(backing=False, backing_level=1), bank=bank)
        assert (hidden.knockouts, hidden.decision) == ([], Decision.go)  # purpose 66.67, overall 77.78
        shown = scored(all_best(backing=True, backing_level=1), bank=bank)
        assert [(k.question, k.answer) for k in shown.knockouts] == [("backing_level", 1)]
        assert shown.decision == Decision.no_go

    def test_a_dont_know_parent_hides_its_follow_up(self) -> None:
        result = scored(all_best(backing=DONT_KNOW, backing_level=None))
        assert question(result, "backing_level").state == QuestionState.hidden

    def test_a_shown_follow_up_counts(self) -> None:
        result = scored(all_best(backing_level=1))
        # purpose = 100 * (2 + 1 + 0) / 4 = 75
        assert question(result, "backing_level").state == QuestionState.answered
        assert dimension_scores(result)["purpose"] == 75.0


class TestKnockout:
    @staticmethod
    def answers() -> dict[str, Any]:
        return all_best(why="tobacco")

    def test_a_knockout_is_no_go_whatever_the_score(self) -> None:
        result = scored(self.answers())
        # purpose = 100 * (0 + 1 + 1) / 4 = 50 (floor 40 met); overall = (100 + 100) / 3 = 66.67
        assert (result.score, result.coverage, result.decision) == (66.67, 1.0, Decision.no_go)
        assert result.knockouts == [
            KnockoutResult(
                question="why",
                answer="tobacco",
                reason="Ethically questionable industry.",
                recommendation="Do not start.",
            )
        ]

    def test_the_knockout_is_a_blocker_gap_before_the_shortfall_gaps(self) -> None:
        result = scored(self.answers())
        # knock-out gap priority = dimension weight * 100 = 200; why lost 100 * 2 * 1 / 4 = 50
        # purpose also misses its target by 20 (>= 20: major), priority 2 * 20 = 40
        assert [(g.dimension, g.kind, g.severity, g.shortfall, g.priority) for g in result.gaps] == [
            ("purpose", GapKind.knockout, Severity.blocker, 20.0, 200.0),
            ("purpose", GapKind.target, Severity.major, 20.0, 40.0),
        ]
        assert result.gaps[0].questions == [
            GapQuestion(key="why", prompt="Why?", state=QuestionState.answered, score=0.0, lost=50.0,
                        recommendation="Do not start."),
        ]  # fmt: skip
        assert result.gaps[0].recommendation == "Do not start."

    def test_a_knockout_outranks_insufficient_data(self) -> None:
        answers = {"why": "tobacco", "backing": DONT_KNOW, "pitch_text": DONT_KNOW}
        result = scored(answers)
        # coverage = why (2) / applicable 2+1+1+1+1 = 0.3333 < 0.5, but the knock-out decides first
        assert result.coverage == 0.3333
        assert result.decision == Decision.no_go

    def test_knockout_texts_follow_the_language(self) -> None:
        result = scored(self.answers(), lang="fi")
        assert result.locale == "fi"
        assert result.knockouts[0].reason == "Eettisesti kyseenalainen ala."
        assert result.knockouts[0].recommendation == "Älä aloita."
        assert [d.title for d in result.dimensions] == ["Miksi", "Hissitarina"]
        assert result.gaps[1].recommendation == "Kirjaa motivaatio."

    def test_an_unknown_language_falls_back_to_english(self) -> None:
        result = scored(self.answers(), lang="sv")
        assert result.locale == "en"
        assert result.knockouts[0].reason == "Ethically questionable industry."


class TestCoverageAndInsufficientData:
    def test_coverage_below_min_coverage_is_insufficient_data_even_with_a_low_score(self) -> None:
        answers = {"why": "vague", "backing": DONT_KNOW, "pitch_text": DONT_KNOW}
        result = scored(answers)
        # applicable: why 2, backing 1, pitch_text 1, hours 1 (missing), channels 1 (missing) = 6
        # covered: why 2 -> 0.3333 < 0.5. Overall (2*33.33 + 0) / 3 = 22.22 would be no_go
        assert (result.score, result.coverage) == (22.22, 0.3333)
        assert result.decision == Decision.insufficient_data

    def test_coverage_exactly_at_min_coverage_is_enough(self) -> None:
        answers = {"why": "written", "backing": DONT_KNOW, "pitch_text": DONT_KNOW, "channels": ["linkedin"]}
        result = scored(answers)
        # covered: why 2 + channels 1 = 3 of 6 = 0.5
        # purpose = 100 * 2 / 3 = 66.67; pitch = 100 * (0 + 0 + 0.5) / 3 = 16.67; overall = 50
        assert (result.score, result.coverage) == (50.0, 0.5)
        assert result.decision == Decision.conditional_go

    def test_nothing_answered_is_insufficient_data(self) -> None:
        result = scored({"why": DONT_KNOW, "backing": DONT_KNOW, "pitch_text": DONT_KNOW})
        assert (result.score, result.coverage, result.decision) == (0.0, 0.0, Decision.insufficient_data)

    def test_the_decision_agrees_with_the_reported_coverage(self) -> None:
        def two_thirds(data: dict[str, Any]) -> None:
            data["policy"]["min_coverage"] = 0.6667

        bank = mini_variant(two_thirds)
        answers = {"why": "written", "backing": DONT_KNOW, "pitch_text": PITCH, "hours": 5}
        result = scored(answers, bank=bank)
        # covered 4 of 6 = 0.666.. reported as 0.6667, which meets min_coverage 0.6667
        assert result.coverage == 0.6667
        assert result.decision != Decision.insufficient_data


def thresholds_75_50(data: dict[str, Any]) -> None:
    data["policy"].update(go_at=75, no_go_below=50)


class TestDecisionThresholds:
    def test_overall_exactly_at_go_at_is_go(self) -> None:
        answers = all_best(backing_level=1, hours=NOT_APPLICABLE, channels=["linkedin"])
        result = scored(answers, bank=mini_variant(thresholds_75_50))
        # purpose = 100 * (2 + 1 + 0) / 4 = 75; pitch = 100 * (1 + 0.5) / 2 = 75; overall 75
        assert (result.score, result.decision) == (75.0, Decision.go)

    def test_overall_exactly_at_no_go_below_is_conditional_go(self) -> None:
        answers = all_best(why="vague", backing_level=1, hours=NOT_APPLICABLE, channels=[])
        result = scored(answers, bank=mini_variant(thresholds_75_50))
        # purpose = 100 * (1 + 1 + 0) / 4 = 50; pitch = 100 * (1 + 0) / 2 = 50; overall 50
        assert (result.score, result.decision) == (50.0, Decision.conditional_go)

    def test_overall_below_no_go_below_is_no_go(self) -> None:
        answers = all_best(
            why="vague", backing_level=1, pitch_text=SHORT_PITCH, hours=NOT_APPLICABLE, channels=["linkedin"]
        )
        result = scored(answers, bank=mini_variant(thresholds_75_50))
        # purpose 50; pitch 25; overall = (100 + 25) / 3 = 41.67 < 50
        assert (result.score, result.decision) == (41.67, Decision.no_go)

    def test_a_floor_not_met_gives_conditional_go_even_with_a_high_overall(self) -> None:
        def heavy_pitch(data: dict[str, Any]) -> None:
            data["dimensions"][1]["weight"] = 8

        answers = all_best(why="vague", backing=False, backing_level=None)
        result = scored(answers, bank=mini_variant(heavy_pitch))
        # purpose = 100 * (2*0.5 + 0) / 3 = 33.33 < floor 40; pitch 100
        # overall = (2*33.333 + 8*100) / 10 = 86.67 >= 70, but the floor is not met
        assert dimension_scores(result) == {"purpose": 33.33, "pitch": 100.0}
        assert result.dimensions[0].status == DimensionStatus.below_floor
        assert (result.score, result.decision) == (86.67, Decision.conditional_go)
        # the floor gap is a blocker: shortfall 70 - 33.33 = 36.67, priority 2 * 36.67 = 73.34
        assert [(g.dimension, g.kind, g.severity, g.shortfall, g.priority) for g in result.gaps] == [
            ("purpose", GapKind.floor, Severity.blocker, 36.67, 73.34)
        ]
