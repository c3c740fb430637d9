"""The report's view and page from a bank and a result alone: no database, no HTTP."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from app.banks.loader import parse_bank
from app.banks.schema import Bank
from app.reports import html, view
from app.reports.texts import TEXTS, day, number, percent, signed
from app.scoring.engine import score
from tests.utils.answers import bank_data, best_answers, mini_bank, worst_answers
from tests.utils.factories import SHIPPED_PATH, answers, shipped_bank
from tests.utils.html import text, texts

MOMENT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def page(
    bank: Bank,
    given: dict[str, Any],
    lang: str = "en",
    progress: view.ProgressView | None = None,
    change: Callable[[dict[str, Any]], None] | None = None,
) -> str:
    result = score(bank, given, lang=lang, content_hash="sha256:" + "ab" * 32).model_dump(mode="json")
    if change is not None:
        change(result)
    context = view.build(
        bank=bank,
        result=result,
        answers=given,
        meta=view.Meta(assessment_id="a1", organisation="Kahvila Esimerkki Oy", submitted_at=MOMENT),
        lang=lang,
        generated_at=MOMENT,
        progress=progress,
    )
    return html.render(context)


PROGRESS = view.ProgressView(
    previous_date=date(2026, 5, 4),
    previous_decision="no_go",
    previous_score=55.25,
    score=81.12,
    dimensions=[
        view.DimensionChange("Ownership and responsibilities", 20.0, 32.46),
        view.DimensionChange("Elevator pitch", 100.0, 90.0),
        view.DimensionChange("Target audience and channels", None, 75.0),
    ],
    closed=["Purpose: why social media"],
    opened=["Elevator pitch"],
    unchanged=["Ownership and responsibilities"],
)


class TestProgress:
    def test_the_change_since_the_previous_assessment_when_given(self) -> None:
        section = text(page(shipped_bank(), answers("no_owner"), progress=PROGRESS), id="progress")
        assert section.startswith(
            "Change since the previous assessment Previous assessment on 4 May 2026: No go, score 55.2. Now 81.1 ( +25.9 )."
        )
        assert "Ownership and responsibilities 20.0 32.5 +12.5" in section
        assert "Elevator pitch 100.0 90.0 \u221210.0" in section
        assert "Target audience and channels – 75.0 –" in section
        assert "Gaps closed Purpose: why social media" in section
        assert "New gaps Elevator pitch" in section
        assert "Still open Ownership and responsibilities" in section

    def test_in_finnish(self) -> None:
        section = text(page(shipped_bank(), answers("no_owner"), "fi", progress=PROGRESS), id="progress")
        assert section.startswith(
            "Muutos edellisestä arvioinnista Edellinen arviointi 4.5.2026: Ei vielä valmis, pisteet 55,2. Nyt 81,1 ( +25,9 )."
        )
        assert "Korjatut puutteet" in section and "Uudet puutteet" in section

    def test_no_section_without_a_comparison(self) -> None:
        assert 'id="progress"' not in page(shipped_bank(), answers("no_owner"))


class TestBanksOfAnyShape:
    def test_two_dimensions_get_the_table_without_a_radar(self) -> None:
        rendered = page(mini_bank(), best_answers(mini_bank()))
        assert "<svg class=\"radar\"" not in rendered
        assert len(texts(rendered, class_="dimension")) == 2

    def test_a_custom_banks_texts_are_escaped_everywhere(self) -> None:
        data = bank_data(SHIPPED_PATH)
        data["title"] = {"en": "</style><script>alert(1)</script>", "fi": "x"}
        data["dimensions"][0]["title"] = {"en": "<script>alert(2)</script>", "fi": "x"}
        for question in data["questions"]:
            question["prompt"] = {"en": "<img src=x onerror=alert(3)>", "fi": "x"}
        bank = parse_bank(data, Path("hostile.yaml")).bank
        rendered = page(bank, worst_answers(bank))
        assert "<svg class=\"radar\"" in rendered
        assert "<script" not in rendered and "<img" not in rendered and "</style><" not in rendered
        # shown as the text it is, in the chart, the table and the answers
        assert texts(rendered, class_="radar-label")[0].startswith("<script>alert(2)</script>")
        assert texts(rendered, class_="dimension")[0].startswith("<script>alert(2)</script>")
        assert texts(rendered, class_="prompt")[0] == "<img src=x onerror=alert(3)>"
        assert texts(rendered, class_="meta")[0].startswith("Question bank </style><script>alert(1)</script>, version")

    def test_a_dimension_without_a_score_is_shown_as_not_applicable(self) -> None:
        def not_applicable(result: dict[str, Any]) -> None:
            dimension = result["dimensions"][2]
            dimension.update(score=None, coverage=0.0, status="not_applicable")

        rendered = page(shipped_bank(), answers("ready"), change=not_applicable)
        labels = texts(rendered, class_="radar-label")
        assert labels[2].endswith("not applicable") and not labels[1].endswith("not applicable")
        row = texts(rendered, class_="dimension")[2]
        assert row == "Elevator pitch Not applicable – 60"


class TestTexts:
    def test_every_text_in_both_languages_with_the_same_placeholders(self) -> None:
        assert TEXTS["en"].keys() == TEXTS["fi"].keys()
        for key, english in TEXTS["en"].items():
            assert set(re.findall(r"{(\w+)}", english)) == set(re.findall(r"{(\w+)}", TEXTS["fi"][key])), key
            assert english != TEXTS["fi"][key], key  # a text left untranslated


class TestFormats:
    @pytest.mark.parametrize(
        ("lang", "expected"),
        [("en", ("81.1", "+2.5", "\u22122.5", "0.0", "97%", "2 November 2026")),
         ("fi", ("81,1", "+2,5", "\u22122,5", "0,0", "97\u00a0%", "2.11.2026"))],
    )  # fmt: skip
    def test_figures_as_each_language_writes_them(self, lang: str, expected: tuple[str, ...]) -> None:
        assert (
            number(81.12, lang),
            signed(2.5, lang),
            signed(-2.5, lang),
            signed(-0.04, lang),
            percent(0.9722, lang),
            day(MOMENT, lang),
        ) == expected

    def test_never_a_negative_zero(self) -> None:
        assert number(-0.04, "en") == "0.0" and number(-0.0, "fi", 0) == "0"
