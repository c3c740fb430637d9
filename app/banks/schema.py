"""The on-disk question bank format: strict, frozen Pydantic models.

A bank file is parsed into `Bank`; every cross-reference (dimensions, `show_if`,
options, bands, checks) is checked here so that the scoring engine can trust
what it is given and stay free of defensive code.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StringConstraints,
    field_validator,
    model_validator,
)

from app.scoring.result import Decision

LANGUAGES = ("en", "fi")
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
SemVer = Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Weight = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Points = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
Finite = Annotated[float, Field(allow_inf_nan=False)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A text in every supported language: a bank is unusable if one is missing."""

    en: NonEmpty
    fi: NonEmpty

    def get(self, lang: str) -> str:
        return self.fi if lang == "fi" else self.en


class QuestionType(StrEnum):
    single_choice = "single_choice"
    multi_choice = "multi_choice"
    scale = "scale"
    boolean = "boolean"
    number = "number"
    text = "text"


class Knockout(Strict):
    reason: Text
    recommendation: Text


class Option(Strict):
    # str for choice questions, int for scale, bool for boolean; checked per type below.
    value: bool | int | str
    label: Text
    points: Points = 0
    knockout: Knockout | None = None
    recommendation: Text | None = None  # overrides the question's when this option is chosen


class Band(Strict):
    """A closed range [min, max] of a number answer and the points it earns."""

    min: Finite
    max: Finite
    points: Points
    recommendation: Text | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        if self.min > self.max:
            raise ValueError(f"band min {self.min} is above its max {self.max}")
        return self


class TextCheck(Strict):
    """A deterministic, readable rule on a text answer; passing it earns its points.

    `min_length`/`max_length` count characters; `pattern` is a regular expression
    searched case-insensitively, per language so that each can name its own words.
    """

    key: Key
    kind: Literal["min_length", "max_length", "pattern"]
    value: int | Text
    points: Weight
    label: Text
    recommendation: Text

    @model_validator(mode="after")
    def _value_fits_kind(self) -> TextCheck:
        if self.kind == "pattern":
            if not isinstance(self.value, Text):
                raise ValueError("a pattern check needs a value with en and fi patterns")
            for lang in LANGUAGES:
                try:
                    re.compile(self.value.get(lang))
                except re.error as exc:
                    raise ValueError(f"pattern for {lang} is not a valid regular expression: {exc}") from exc
        elif not isinstance(self.value, int) or isinstance(self.value, bool) or self.value < 0:
            raise ValueError(f"a {self.kind} check needs a non-negative integer value")
        return self

    def passes(self, text: str) -> bool:
        if self.kind == "min_length":
            return len(text.strip()) >= int(self.value)  # type: ignore[arg-type]
        if self.kind == "max_length":
            return len(text) <= int(self.value)  # type: ignore[arg-type]
        # An answer may be written in either language, whatever language the result is shown in.
        patterns: Text = self.value  # type: ignore[assignment]
        return any(_pattern(patterns.get(lang)).search(text) for lang in LANGUAGES)


@cache
def _pattern(source: str) -> re.Pattern[str]:
    return re.compile(source, re.IGNORECASE)


class ShowIf(Strict):
    """Show a question only when an earlier question's answer matches."""

    question: Key
    equals: bool | int | str | None = None
    in_: list[bool | int | str] | None = Field(default=None, alias="in", min_length=1)
    contains: str | None = None  # for multi_choice answers

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _exactly_one_condition(self) -> ShowIf:
        given = [n for n in ("equals", "in_", "contains") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("show_if needs exactly one of equals, in, contains")
        return self


class Question(Strict):
    key: Key
    dimension: Key
    type: QuestionType
    prompt: Text
    help: Text | None = None
    required: bool = True
    weight: Weight = 1.0
    options: list[Option] | None = None
    full_points: Weight | None = None  # multi_choice: the points that make a full score
    min: Finite | None = None
    max: Finite | None = None
    bands: list[Band] | None = None
    max_length: Annotated[int, Field(gt=0, le=10_000)] | None = None
    checks: list[TextCheck] | None = None
    example: Text | None = None  # text: an answer that passes every check
    show_if: ShowIf | None = None
    allow_dont_know: bool = True
    allow_not_applicable: bool = False
    recommendation: Text
    source: NonEmpty

    @model_validator(mode="after")
    def _fits_type(self) -> Question:
        t = self.type
        choice = t in (QuestionType.single_choice, QuestionType.multi_choice, QuestionType.scale, QuestionType.boolean)
        fields = {"options": choice, "bands": t == QuestionType.number, "checks": t == QuestionType.text}
        for name, wanted in fields.items():
            if wanted and not getattr(self, name):
                raise ValueError(f"a {t} question needs {name}")
            if not wanted and getattr(self, name) is not None:
                raise ValueError(f"a {t} question cannot have {name}")
        if t == QuestionType.text:
            if self.max_length is None:
                raise ValueError("a text question needs max_length")
            if self.example is None:
                raise ValueError("a text question needs an example that passes its checks")
            self._check_example(self.example, self.max_length, self.checks or [])
        elif self.max_length is not None or self.example is not None:
            raise ValueError(f"a {t} question cannot have max_length or example")
        if self.full_points is not None and t != QuestionType.multi_choice:
            raise ValueError("only a multi_choice question can have full_points")
        if t == QuestionType.number:
            self._check_number()
        elif (self.min is not None or self.max is not None) and t != QuestionType.scale:
            raise ValueError(f"a {t} question cannot have min or max")
        if choice:
            self._check_options()
        if self.checks:
            keys = [c.key for c in self.checks]
            _no_duplicates(keys, "check key")
        return self

    @staticmethod
    def _check_example(example: Text, max_length: int, checks: list[TextCheck]) -> None:
        # the example is the proof that a full score is reachable, in both languages
        for lang in LANGUAGES:
            text = example.get(lang)
            if len(text) > max_length:
                raise ValueError(f"example.{lang} is {len(text)} characters, over max_length {max_length}")
            failed = [c.key for c in checks if not c.passes(text)]
            if failed:
                raise ValueError(f"example.{lang} fails the checks {', '.join(failed)}")

    def _check_number(self) -> None:
        if self.min is None or self.max is None or self.min > self.max:
            raise ValueError("a number question needs min <= max")
        bands = sorted(self.bands or [], key=lambda b: b.min)
        for band in bands:
            if band.min < self.min or band.max > self.max:
                raise ValueError(f"band {band.min}..{band.max} is outside {self.min}..{self.max}")
        for lower, upper in pairwise(bands):
            if upper.min <= lower.max:
                raise ValueError(f"bands {lower.min}..{lower.max} and {upper.min}..{upper.max} overlap")

    def _check_options(self) -> None:
        options = self.options or []
        _no_duplicates([_value_id(o.value) for o in options], "option value")
        expected: type = {
            QuestionType.single_choice: str,
            QuestionType.multi_choice: str,
            QuestionType.scale: int,
            QuestionType.boolean: bool,
        }[self.type]
        for option in options:
            if type(option.value) is not expected:
                raise ValueError(f"option {option.value!r}: a {self.type} option value must be {expected.__name__}")
        if self.type == QuestionType.boolean and {o.value for o in options} != {True, False}:
            raise ValueError("a boolean question needs exactly the options true and false")
        if self.type == QuestionType.scale:
            values = sorted(int(o.value) for o in options)
            if values != list(range(values[0], values[-1] + 1)):
                raise ValueError("scale options must be consecutive integers")
            if self.min is not None and self.min != values[0] or self.max is not None and self.max != values[-1]:
                raise ValueError("scale min/max must match its options")
        if self.type != QuestionType.multi_choice and all(o.knockout is not None for o in options):
            raise ValueError("every option is a knock-out: no answer could pass")
        if self.type != QuestionType.multi_choice and self.best_points() <= 0:
            raise ValueError("no option without a knock-out earns points: the best points must be positive")
        if self.type == QuestionType.multi_choice:
            reachable = sum(o.points for o in options if o.knockout is None)
            if self.best_points() <= 0:
                raise ValueError("a multi_choice question needs positive full points")
            if self.full_points is not None and self.full_points > reachable:
                raise ValueError(f"full_points {self.full_points:g} is more than all options together ({reachable:g})")

    def best_points(self) -> float:
        """The points that score 1: the divisor of PRODUCT.md's question score."""
        if self.type == QuestionType.multi_choice:
            return self.full_points or sum(o.points for o in self.options or [] if o.knockout is None)
        if self.type == QuestionType.number:
            return max(b.points for b in self.bands or [])
        if self.type == QuestionType.text:
            return sum(c.points for c in self.checks or [])
        # a knock-out can never be the best answer, whatever points it carries
        return max(o.points for o in self.options or [] if o.knockout is None)

    def scale_range(self) -> tuple[int, int] | None:
        if self.type != QuestionType.scale:
            return None
        values = [int(o.value) for o in self.options or []]
        return min(values), max(values)


class Dimension(Strict):
    key: Key
    title: Text
    description: Text
    weight: Weight
    target: Percent
    floor: Percent | None = None
    recommendation: Text
    source: NonEmpty

    @model_validator(mode="after")
    def _floor_below_target(self) -> Dimension:
        if self.floor is not None and self.floor > self.target:
            raise ValueError(f"floor {self.floor} is above target {self.target}")
        return self


class Policy(Strict):
    go_at: Percent
    no_go_below: Percent
    min_coverage: Annotated[float, Field(ge=0, le=1)]

    @model_validator(mode="after")
    def _ordered(self) -> Policy:
        if self.no_go_below > self.go_at:
            raise ValueError(f"thresholds out of order: no_go_below {self.no_go_below} is above go_at {self.go_at}")
        return self


class Fixture(Strict):
    """An example answer set and the decision it must produce: a test of the rubric.

    Only its structure is checked here; `app.banks.fixtures.run_fixtures` checks
    the answers against the bank and scores them, so loading stays structural.
    """

    key: Key
    description: Text | None = None
    expect: Decision
    answers: dict[str, JsonValue]


class Bank(Strict):
    slug: Slug
    version: SemVer
    title: Text
    description: Text
    policy: Policy
    dimensions: list[Dimension] = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)
    fixtures: list[Fixture] = Field(default_factory=list)

    @field_validator("dimensions")
    @classmethod
    def _unique_dimensions(cls, dimensions: list[Dimension]) -> list[Dimension]:
        _no_duplicates([d.key for d in dimensions], "dimension key")
        return dimensions

    @field_validator("fixtures")
    @classmethod
    def _unique_fixtures(cls, fixtures: list[Fixture]) -> list[Fixture]:
        _no_duplicates([f.key for f in fixtures], "fixture key")
        return fixtures

    @model_validator(mode="after")
    def _cross_references(self) -> Bank:
        first: dict[str, int] = {}
        for index, question in enumerate(self.questions):
            if question.key in first:
                raise ValueError(
                    f"questions.{index}: duplicate question key {question.key!r} (first at questions.{first[question.key]})"
                )
            first[question.key] = index
        dimension_keys = {d.key for d in self.dimensions}
        seen: dict[str, Question] = {}
        for index, question in enumerate(self.questions):
            where = f"questions.{index} ({question.key})"
            if question.dimension not in dimension_keys:
                raise ValueError(f"{where}: unknown dimension {question.dimension!r}")
            if question.show_if is not None:
                _check_show_if(where, question.show_if, seen, self.questions)
            seen[question.key] = question
        used = {q.dimension for q in self.questions}
        for index, dimension in enumerate(self.dimensions):
            if dimension.key not in used:
                raise ValueError(f"dimensions.{index}: dimension {dimension.key!r} has no questions")
        return self

    def question(self, key: str) -> Question:
        return next(q for q in self.questions if q.key == key)

    def dimension(self, key: str) -> Dimension:
        return next(d for d in self.dimensions if d.key == key)

    def fixture(self, key: str) -> Fixture:
        return next(f for f in self.fixtures if f.key == key)


def _check_show_if(where: str, show_if: ShowIf, seen: dict[str, Question], questions: list[Question]) -> None:
    target = seen.get(show_if.question)
    if target is None:
        if any(q.key == show_if.question for q in questions):
            raise ValueError(f"{where}: show_if names {show_if.question!r}, which comes later; it must come earlier")
        raise ValueError(f"{where}: show_if names {show_if.question!r}, which does not exist")
    if target.options is None:
        # number and text answers have no fixed values to match (is 5.0 equal to 5?): refuse, do not guess
        raise ValueError(f"{where}: show_if must name a question with options; {target.key!r} is a {target.type}")
    if show_if.contains is not None and target.type != QuestionType.multi_choice:
        raise ValueError(f"{where}: show_if.contains needs a multi_choice question")
    values = [show_if.equals] if show_if.equals is not None else list(show_if.in_ or [])
    if show_if.contains is not None:
        values = [show_if.contains]
    known = {_value_id(o.value) for o in target.options}
    for value in values:
        if _value_id(value) not in known:
            raise ValueError(f"{where}: show_if value {value!r} is not an option of {target.key!r}")


def _value_id(value: Any) -> tuple[str, Any]:
    # True == 1 in Python; keep booleans and integers apart when comparing values
    return (type(value).__name__, value)


def _no_duplicates(items: list[Any], what: str) -> None:
    seen: set[Any] = set()
    for item in items:
        if item in seen:
            shown = item[1] if isinstance(item, tuple) else item
            raise ValueError(f"duplicate {what} {shown!r}")
        seen.add(item)
