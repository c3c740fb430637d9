"""What the report shows, worked out from a bank, a stored result and the answers: pure, no I/O.

The template only lays out what is here: every figure is already formatted
in the report's language and every text already chosen, so the layout can
change without touching a rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from markupsafe import Markup

from app.banks.schema import Bank, Question, QuestionType
from app.reports.radar import MAX_AXES, MIN_AXES, Axis, radar_svg
from app.reports.texts import TEXTS, day, number, percent, signed


@dataclass(frozen=True)
class DimensionChange:
    title: str
    before: float | None
    after: float | None


@dataclass(frozen=True)
class ProgressView:
    """The change since an earlier assessment of the same bank, for the report's progress section.

    Filled by whoever compares two assessments; the report only lays it out.
    Gap lists name dimensions by title, in the report's language.
    """

    previous_date: date | datetime
    previous_decision: str
    previous_score: float
    score: float
    dimensions: Sequence[DimensionChange] = ()
    closed: Sequence[str] = ()
    opened: Sequence[str] = ()
    unchanged: Sequence[str] = ()


@dataclass(frozen=True)
class Meta:
    """Who and when: what the report says about the assessment besides its result."""

    assessment_id: str
    organisation: str
    submitted_at: datetime


@dataclass(frozen=True)
class Check:
    label: str
    passed: bool
    recommendation: str | None = None


@dataclass(frozen=True)
class AnswerLine:
    key: str
    kind: str  # the question type: a text answer is quoted
    prompt: str
    values: list[str]  # one item, or one per chosen option of a multi-choice question
    state: str  # answered, dont_know, not_applicable, missing
    score: str | None  # the question's score as a percentage, None when not scored
    checks: list[Check] = field(default_factory=list)


def build(
    *,
    bank: Bank,
    result: Mapping[str, Any],
    answers: Mapping[str, Any],
    meta: Meta,
    lang: str,
    generated_at: datetime,
    progress: ProgressView | None = None,
) -> dict[str, Any]:
    """The template's context for one assessment's report in `lang`."""
    t = TEXTS[lang]
    questions = {q.key: q for q in bank.questions}
    results = {q["key"]: q for q in result["questions"]}
    titles = {d["key"]: d["title"] for d in result["dimensions"]}
    decision = result["decision"]
    knocked_out = bool(result["knockouts"])

    def prompt(key: str) -> str:
        question = questions.get(key)
        return question.prompt.get(lang) if question else key

    def answer_of(key: str) -> list[str]:
        question = questions.get(key)
        if question is None or key not in answers:
            return []
        return answer_text(question, answers[key], lang)

    return {
        "lang": lang,
        "t": t,
        "organisation": meta.organisation,
        "assessment_id": meta.assessment_id,
        "bank_title": bank.title.get(lang),
        "bank_slug": bank.slug,
        "bank_version": bank.version,
        "date": day(meta.submitted_at, lang),
        "decision": decision,
        "decision_label": t[f"decision.{decision}"],
        "decision_text": t["explain.no_go.knockout" if knocked_out and decision == "no_go" else f"explain.{decision}"],
        "score": number(result["score"], lang),
        "score_value": result["score"],
        "coverage": percent(result["coverage"], lang),
        "go_at": bank.policy.go_at,
        "go_at_text": number(bank.policy.go_at, lang, 0),
        "no_go_below": bank.policy.no_go_below,
        "no_go_below_text": number(bank.policy.no_go_below, lang, 0),
        "policy": t["policy"].format(
            go_at=number(bank.policy.go_at, lang, 0), no_go_below=number(bank.policy.no_go_below, lang, 0)
        ),
        "radar": _radar(result["dimensions"], t),
        "dimensions": [_dimension(d, t, lang) for d in result["dimensions"]],
        "knockouts": [
            {
                "prompt": prompt(k["question"]),
                "answer": answer_of(k["question"]),
                "reason": k["reason"],
                "recommendation": k["recommendation"],
            }
            for k in result["knockouts"]
        ],
        "gaps": [_gap(g, titles, answer_of, t, lang) for g in result["gaps"]],
        "path": _path(result.get("path_to_go"), titles, prompt, t, lang),
        "progress": _progress(progress, t, lang),
        "answer_groups": _answer_groups(bank, results, answers, lang),
        "footer": t["footer"].format(
            date=day(generated_at, lang),
            engine=result["engine_version"],
            slug=result["bank"]["slug"],
            version=result["bank"]["version"],
            hash=_short_hash(result["bank"].get("content_hash", "")),
        ),
    }


def answer_text(question: Question, value: Any, lang: str) -> list[str]:
    """An answer as a person reads it: option labels, not the raw values the API stores."""
    if isinstance(value, dict):  # a state, shown by the caller in words
        return []
    match question.type:
        case QuestionType.multi_choice:
            return [_label(question, v, lang) for v in value]
        case QuestionType.number:
            return [number(value, lang, 0 if float(value).is_integer() else 1)]
        case QuestionType.text:
            return [str(value)]
        case QuestionType.scale:
            _, high = question.scale_range() or (value, value)
            return [f"{_label(question, value, lang)} ({value}/{high})"]
        case _:
            return [_label(question, value, lang)]


def _label(question: Question, value: Any, lang: str) -> str:
    for option in question.options or []:
        # true is not 1: compare the types too
        if type(option.value) is type(value) and option.value == value:
            return option.label.get(lang)
    return str(value)


def _radar(dimensions: Sequence[Mapping[str, Any]], t: Mapping[str, str]) -> Markup | None:
    if not MIN_AXES <= len(dimensions) <= MAX_AXES:
        return None  # the table's bars show the scores alone
    axes = [Axis(label=d["title"], score=d["score"], target=d["target"]) for d in dimensions]
    # radar_svg escapes every text it draws
    return Markup(radar_svg(axes, title=t["radar.title"], not_applicable=t["not_applicable.short"]))  # noqa: S704


def _dimension(d: Mapping[str, Any], t: Mapping[str, str], lang: str) -> dict[str, Any]:
    score = d["score"]
    return {
        "title": d["title"],
        "score": number(score, lang) if score is not None else "–",
        "score_value": score,
        "target": number(d["target"], lang, 0),
        "target_value": d["target"],
        "floor": number(d["floor"], lang, 0) if d.get("floor") is not None else "–",
        "floor_value": d.get("floor"),
        "status": d["status"],
        "status_label": t[f"status.{d['status']}"],
    }


def _gap(
    g: Mapping[str, Any], titles: Mapping[str, str], answer_of: Any, t: Mapping[str, str], lang: str
) -> dict[str, Any]:
    return {
        "title": titles.get(g["dimension"], g["dimension"]),
        "kind": g["kind"],
        "kind_label": t[f"kind.{g['kind']}"],
        "severity": g["severity"],
        "severity_label": t[f"severity.{g['severity']}"],
        "score": number(g["score"], lang),
        "score_value": g["score"],
        "target": number(g["target"], lang, 0),
        "target_value": g["target"],
        "floor": number(g["floor"], lang, 0) if g.get("floor") is not None else None,
        "floor_value": g.get("floor"),
        "shortfall": number(g["shortfall"], lang),
        "recommendation": g["recommendation"],
        "questions": [
            {
                "prompt": q["prompt"],
                "state": q["state"],
                "answer": answer_of(q["key"]),
                "lost": t["lost"].format(points=number(q["lost"], lang)),
                "recommendation": q["recommendation"],
            }
            for q in g["questions"]
        ],
    }


def _path(
    path: Mapping[str, Any] | None, titles: Mapping[str, str], prompt: Any, t: Mapping[str, str], lang: str
) -> dict[str, Any] | None:
    """The path to go, or None for a result stored before the engine worked it out."""
    if not path:
        return None
    steps = [
        {
            "kind": s["kind"],
            "label": t.get(f"step.{s['kind']}", s["kind"]),
            "title": s.get("title") or titles.get(s.get("dimension") or "", ""),
            "move": t["step.move"].format(score=number(s["score"], lang), reach=number(s["reach"], lang))
            # a knock-out or a coverage step is not a matter of points
            if s["kind"] in ("floor", "target", "raise") and s.get("score") is not None and s.get("reach") is not None
            else None,
            "target": number(s["target"], lang, 0) if s.get("target") is not None else None,
            "questions": [prompt(k) for k in s.get("questions") or []],
            "recommendations": list(s.get("recommendations") or []),
        }
        for s in path.get("steps") or []
    ]
    margins = [
        {
            "title": m.get("title") or titles.get(m["dimension"], m["dimension"]),
            "score": number(m["score"], lang),
            "target": number(m["target"], lang, 0),
            "margin": signed(m["margin"], lang),
            "direction": _direction(m["margin"]),
        }
        for m in path.get("margins") or []
    ]
    projected = path.get("projected_score")
    score_margin = path.get("score_margin")
    return {
        "steps": steps,
        "margins": margins,
        "projected": t["path.projected"].format(score=number(projected, lang)) if steps and projected is not None else None,
        "score_margin": t["path.score_margin"].format(margin=number(score_margin, lang))
        if not steps and score_margin is not None
        else None,
    }


def _progress(progress: ProgressView | None, t: Mapping[str, str], lang: str) -> dict[str, Any] | None:
    if progress is None:
        return None
    decision = t.get(f"decision.{progress.previous_decision}", progress.previous_decision)
    return {
        "previous": t["progress.previous"].format(
            date=day(progress.previous_date, lang), decision=decision, score=number(progress.previous_score, lang)
        ),
        "score": number(progress.score, lang),
        "score_change": signed(progress.score - progress.previous_score, lang),
        "direction": _direction(progress.score - progress.previous_score),
        "dimensions": [
            {
                "title": d.title,
                "before": number(d.before, lang) if d.before is not None else "–",
                "after": number(d.after, lang) if d.after is not None else "–",
                "change": signed(d.after - d.before, lang) if d.before is not None and d.after is not None else "–",
                "direction": _direction(d.after - d.before) if d.before is not None and d.after is not None else "same",
            }
            for d in progress.dimensions
        ],
        "closed": list(progress.closed),
        "opened": list(progress.opened),
        "unchanged": list(progress.unchanged),
    }


def _direction(change: float) -> str:
    return "up" if round(change, 1) > 0 else "down" if round(change, 1) < 0 else "same"


def _answer_groups(
    bank: Bank, results: Mapping[str, Mapping[str, Any]], answers: Mapping[str, Any], lang: str
) -> list[dict[str, Any]]:
    groups = []
    for dimension in bank.dimensions:
        lines = []
        for question in (q for q in bank.questions if q.dimension == dimension.key):
            scored = results.get(question.key)
            state = scored["state"] if scored else ("answered" if question.key in answers else "missing")
            if state == "hidden":  # never asked, given the other answers
                continue
            value = answers.get(question.key)
            score = scored.get("score") if scored else None
            lines.append(
                AnswerLine(
                    key=question.key,
                    kind=question.type.value,
                    prompt=question.prompt.get(lang),
                    values=answer_text(question, value, lang) if state == "answered" else [],
                    state=state,
                    score=percent(score, lang) if state == "answered" and score is not None else None,
                    checks=[
                        Check(label=c["label"], passed=bool(c["passed"]), recommendation=c.get("recommendation"))
                        for c in (scored.get("checks") or [] if scored else [])
                    ],
                )
            )
        if lines:
            groups.append({"title": dimension.title.get(lang), "lines": lines})
    return groups


def _short_hash(content_hash: str) -> str:
    algorithm, _, digest = content_hash.partition(":")
    return f"{algorithm}:{digest[:12]}" if digest else content_hash[:12] or "–"

