"""Answers for any valid `Bank`: hypothesis strategies, best/worst answer sets, and
an independent reading of PRODUCT.md's rules (visibility, points) to test against.

Everything here works from the bank alone, so the same properties run on the mini
bank and on every shipped bank.
"""

from __future__ import annotations

import copy
import functools
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from app.banks.loader import LoadedBank, load_bank_file, parse_bank
from app.banks.schema import Bank, Question, QuestionType, ShowIf, TextCheck

ROOT = Path(__file__).resolve().parents[2]
MINI_BANK = ROOT / "tests" / "fixtures" / "mini-bank.yaml"
SHIPPED_BANKS = ROOT / "question_banks"

DONT_KNOW = {"state": "dont_know"}
NOT_APPLICABLE = {"state": "not_applicable"}
CHOICE_TYPES = (QuestionType.single_choice, QuestionType.scale, QuestionType.boolean)

# Words for generated text answers: English and Finnish, with digits and marks so
# that pattern checks (numbers, deadlines, "for", "autamme") are sometimes met.
WORDS = (
    "we", "help", "small", "cafes", "for", "customers", "grow", "by", "20", "percent",
    "within", "6", "months", "2026", "local", "brand", "autamme", "asiakkaita", "kuukauden",
    "kuluessa", "ääni", "!", "#some",
)  # fmt: skip


# ---------------------------------------------------------------- banks


def shipped_bank_files() -> list[Path]:
    """Every bank file under question_banks/, whether or not it loads."""
    if not SHIPPED_BANKS.is_dir():
        return []
    return sorted(p for p in SHIPPED_BANKS.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def bank_paths() -> list[Path]:
    """The mini bank and every shipped bank that exists and loads (they are written in parallel)."""
    return [MINI_BANK, *(p for p in shipped_bank_files() if _loads(p))]


def bank_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _loads(path: Path) -> bool:
    try:
        load_bank(path)
    except Exception:  # noqa: BLE001 - a half-written bank is the loader tests' business
        return False
    return True


@functools.cache
def load_bank(path: Path) -> LoadedBank:
    """Load once per run: `LoadedBank` and `Bank` are frozen, so sharing them is safe."""
    return load_bank_file(path)


def mini_bank() -> Bank:
    return load_bank(MINI_BANK).bank


def bank_data(path: Path = MINI_BANK) -> dict[str, Any]:
    """A fresh, mutable plain-data copy of a bank, as its file would hold it.

    Built from the loaded model rather than `yaml.safe_load`, which would turn the
    mini bank's `Yes`/`No` labels into booleans (YAML 1.1).
    """
    data = load_bank(path).bank.model_dump(mode="json", by_alias=True, exclude_none=True)
    return copy.deepcopy(data)


def question_data(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(q for q in data["questions"] if q["key"] == key)


def mini_variant(mutate: Callable[[dict[str, Any]], None]) -> Bank:
    """The mini bank with `mutate` applied to a fresh copy of its data."""
    data = bank_data(MINI_BANK)
    mutate(data)
    return parse_bank(data, Path("mini-variant.yaml")).bank


# ---------------------------------------------------------------- PRODUCT.md's rules, read independently


def is_special(value: Any) -> bool:
    return isinstance(value, dict)


def same_value(a: Any, b: Any) -> bool:
    """Answer equality where true is never 1 (Python's bool is an int)."""
    return isinstance(a, bool) == isinstance(b, bool) and a == b


def condition_holds(condition: ShowIf, value: Any) -> bool:
    if condition.contains is not None:
        return isinstance(value, list) and condition.contains in value
    wanted = [condition.equals] if condition.equals is not None else list(condition.in_ or [])
    return any(same_value(value, w) for w in wanted)


def shown(question: Question, answers: Mapping[str, Any], questions: Mapping[str, Question]) -> bool:
    """A question is shown when its show_if matches a real answer of a shown question."""
    if question.show_if is None:
        return True
    parent = questions[question.show_if.question]
    if not shown(parent, answers, questions):
        return False
    value = answers.get(parent.key)
    if value is None or is_special(value):
        return False
    return condition_holds(question.show_if, value)


def hidden_keys(bank: Bank, answers: Mapping[str, Any]) -> list[str]:
    questions = {q.key: q for q in bank.questions}
    return [q.key for q in bank.questions if not shown(q, answers, questions)]


def show_if_targets(bank: Bank) -> set[str]:
    """Keys of questions that some other question's visibility depends on."""
    return {q.show_if.question for q in bank.questions if q.show_if is not None}


def text_check_passes(check: TextCheck, text: str) -> bool:
    if check.kind == "min_length":
        return len(text.strip()) >= int(check.value)  # type: ignore[arg-type]
    if check.kind == "max_length":
        return len(text) <= int(check.value)  # type: ignore[arg-type]
    # a text may be written in either language, whatever the result's language
    return any(re.search(check.value.get(lang), text, re.IGNORECASE) for lang in ("en", "fi"))  # type: ignore[union-attr]


def answer_points(question: Question, value: Any) -> float:
    """The raw points a (non-special) answer earns, before dividing by the best points."""
    match question.type:
        case QuestionType.multi_choice:
            return sum(o.points for o in question.options or [] if o.value in value)
        case QuestionType.number:
            return next((b.points for b in question.bands or [] if b.min <= value <= b.max), 0.0)
        case QuestionType.text:
            return sum(c.points for c in question.checks or [] if text_check_passes(c, value))
        case _:
            return next(o.points for o in question.options or [] if same_value(o.value, value))


def expected_question_score(question: Question, value: Any) -> float:
    return min(1.0, answer_points(question, value) / question.best_points())


# ---------------------------------------------------------------- value strategies


def special_states(question: Question) -> list[dict[str, str]]:
    states = []
    if question.allow_dont_know:
        states.append(DONT_KNOW)
    if question.allow_not_applicable:
        states.append(NOT_APPLICABLE)
    return states


def option_values(question: Question, *, knockouts: bool = True) -> list[Any]:
    return [o.value for o in question.options or [] if knockouts or o.knockout is None]


def text_values(question: Question) -> SearchStrategy[str]:
    limit = question.max_length or 0
    words = st.lists(st.sampled_from(WORDS), max_size=16).map(lambda ws: " ".join(ws)[:limit])
    examples = [t for t in (question.example.en, question.example.fi) if len(t) <= limit] if question.example else []
    # any printable text: control characters are refused by the API (app/text.py)
    free_text = st.text(st.characters(exclude_categories=("Cc", "Cs")) | st.sampled_from("\t\n\r"), max_size=min(limit, 60))
    parts = [words, free_text]
    if examples:
        parts.append(st.sampled_from(examples))
    return st.one_of(*parts)


def number_values(question: Question) -> SearchStrategy[float | int]:
    low, high = float(question.min or 0), float(question.max or 0)
    edges = sorted({e for b in question.bands or [] for e in (b.min, b.max)} | {low, high})
    parts: list[SearchStrategy[Any]] = [
        st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False),
        st.sampled_from(edges),
    ]
    if math.ceil(low) <= math.floor(high):
        parts.append(st.integers(min_value=math.ceil(low), max_value=math.floor(high)))
    return st.one_of(*parts)


def values(question: Question, *, knockouts: bool = True) -> SearchStrategy[Any]:
    """Any valid (non-special) answer value of `question`."""
    match question.type:
        case QuestionType.multi_choice:
            choices = option_values(question, knockouts=knockouts)
            return st.lists(st.sampled_from(choices), unique=True) if choices else st.just([])
        case QuestionType.number:
            return number_values(question)
        case QuestionType.text:
            return text_values(question)
        case _:
            return st.sampled_from(option_values(question, knockouts=knockouts))


def knockout_values(question: Question) -> SearchStrategy[Any]:
    """An answer that chooses one of the question's knock-out options."""
    knockouts = [o.value for o in question.options or [] if o.knockout is not None]
    if question.type != QuestionType.multi_choice:
        return st.sampled_from(knockouts)
    others = st.lists(st.sampled_from(option_values(question)), unique=True)
    return st.tuples(st.sampled_from(knockouts), others).flatmap(
        lambda pair: st.permutations([pair[0], *(v for v in pair[1] if v != pair[0])])
    )


def satisfying(condition: ShowIf, parent: Question) -> SearchStrategy[Any]:
    """An answer to `parent` that makes `condition` true."""
    if condition.contains is not None:
        wanted = condition.contains
        others = st.lists(st.sampled_from(option_values(parent)), unique=True)
        return others.flatmap(lambda vs: st.permutations([wanted, *(v for v in vs if v != wanted)]))
    if condition.equals is not None:
        return st.just(condition.equals)
    return st.sampled_from(list(condition.in_ or []))


def showing(bank: Bank, key: str) -> dict[str, SearchStrategy[Any]]:
    """Forced answers for the show_if chain above `key`, so that `key` is shown."""
    force: dict[str, SearchStrategy[Any]] = {}
    question = bank.question(key)
    while question.show_if is not None:
        parent = bank.question(question.show_if.question)
        force[parent.key] = satisfying(question.show_if, parent)
        question = parent
    return force


def better_values(question: Question, current: Any) -> SearchStrategy[Any] | None:
    """A valid value earning strictly more points than `current`, or None if there is none."""
    points = answer_points(question, current)
    match question.type:
        case QuestionType.multi_choice:
            addable = [
                o.value for o in question.options or [] if o.knockout is None and o.points > 0 and o.value not in current
            ]
            return st.sampled_from(addable).map(lambda v: [*current, v]) if addable else None
        case QuestionType.number:
            bands = [b for b in question.bands or [] if b.points > points]
            return st.one_of(*(st.floats(b.min, b.max) for b in bands)) if bands else None
        case QuestionType.text:
            examples = [question.example.en, question.example.fi] if question.example else []
            better = [t for t in examples if len(t) <= (question.max_length or 0) and answer_points(question, t) > points]
            return st.sampled_from(better) if better else None
        case _:
            better = [o.value for o in question.options or [] if o.knockout is None and o.points > points]
            return st.sampled_from(better) if better else None


# ---------------------------------------------------------------- answer sets


def valid_answers(
    bank: Bank,
    *,
    hidden_answers: bool = True,
    knockouts: bool = True,
    force: Mapping[str, SearchStrategy[Any]] | None = None,
) -> SearchStrategy[dict[str, Any]]:
    """Answer dicts that pass `check_answers`.

    Built in bank order (show_if only names earlier questions): every required
    shown question gets a value or an allowed special state, optional ones are
    sometimes left out, and with `hidden_answers` hidden questions sometimes get a
    valid answer too, which scoring must ignore. `force` fixes the answer of a
    question whenever it is shown.
    """
    forced = dict(force or {})
    questions = {q.key: q for q in bank.questions}

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        for question in bank.questions:
            specials = special_states(question)
            if not shown(question, answers, questions):
                if hidden_answers and draw(st.booleans()):
                    answers[question.key] = draw(st.one_of(values(question), *map(st.just, specials)))
                continue
            if question.key in forced:
                answers[question.key] = draw(forced[question.key])
                continue
            # shrinks towards 0: a plain value
            roll = draw(st.integers(min_value=0, max_value=9))
            if roll == 9 and not question.required:
                continue
            if roll >= 7 and specials:
                answers[question.key] = draw(st.sampled_from(specials))
            else:
                answers[question.key] = draw(values(question, knockouts=knockouts))
        return answers

    return build()


def best_value(question: Question, lang: str = "en") -> Any:
    options = [o for o in question.options or [] if o.knockout is None]
    match question.type:
        case QuestionType.multi_choice:
            return [o.value for o in options]
        case QuestionType.number:
            return max(question.bands or [], key=lambda b: b.points).min
        case QuestionType.text:
            assert question.example is not None  # the schema requires one
            return question.example.get(lang)
        case _:
            return max(options, key=lambda o: o.points).value


def worst_value(question: Question) -> Any:
    options = [o for o in question.options or [] if o.knockout is None]
    match question.type:
        case QuestionType.multi_choice:
            return []
        case QuestionType.number:
            return min(question.bands or [], key=lambda b: b.points).min
        case QuestionType.text:
            # short texts fail length and content checks; take whichever earns least
            return min(("x", "", "-"), key=lambda t: answer_points(question, t))
        case _:
            return min(options, key=lambda o: o.points).value


def _answer_every_shown(bank: Bank, pick: Callable[[Question], Any]) -> dict[str, Any]:
    questions = {q.key: q for q in bank.questions}
    answers: dict[str, Any] = {}
    for question in bank.questions:
        if shown(question, answers, questions):
            answers[question.key] = pick(question)
    return answers


def best_answers(bank: Bank, lang: str = "en") -> dict[str, Any]:
    """The best non-knock-out answer to every shown question, follow-ups included."""
    return _answer_every_shown(bank, lambda q: best_value(q, lang))


def worst_answers(bank: Bank) -> dict[str, Any]:
    """The lowest-scoring non-knock-out answer to every shown question: full coverage, low score."""
    return _answer_every_shown(bank, worst_value)
