"""Progress between two results of the same bank: what changed, which gaps closed, opened or remain.

Pure: two results (as stored JSON or `Result`) in, a plain comparison out. The
two may come from different versions of the bank, so a dimension or gap found
on one side only is reported with null on the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.scoring.result import GapKind, Result

ResultLike = Mapping[str, Any] | Result
# a gap is the same gap in both results when these agree: a knock-out is one question's, the others a dimension's
GapId = tuple[str, str, str | None]

# score changes are shown as scores are, to 2 decimals; coverage (a share, 0..1) as coverage is, to 4
SCORE_DECIMALS = 2
COVERAGE_DECIMALS = 4


def compare(assessment: ResultLike, baseline: ResultLike) -> dict[str, Any]:
    """How `assessment` (the later result) differs from `baseline` (the earlier one)."""
    later, earlier = _plain(assessment), _plain(baseline)
    titles = _titles(earlier) | _titles(later)  # the later result's titles where both have the dimension
    return {
        "bank": later["bank"]["slug"],
        "versions": {"baseline": earlier["bank"]["version"], "assessment": later["bank"]["version"]},
        "decision": {
            "baseline": earlier["decision"],
            "assessment": later["decision"],
            "changed": earlier["decision"] != later["decision"],
        },
        "score": _pair(earlier["score"], later["score"], SCORE_DECIMALS),
        "coverage": _pair(earlier["coverage"], later["coverage"], COVERAGE_DECIMALS),
        "dimensions": _dimensions(later, earlier),
        "gaps": _gaps(later, earlier, titles),
    }


def gap_id(gap: Mapping[str, Any]) -> GapId:
    """What makes a gap the same gap in two results: its kind, its dimension and, for a knock-out, its question."""
    question = gap["questions"][0]["key"] if gap["kind"] == GapKind.knockout and gap["questions"] else None
    return (gap["kind"], gap["dimension"], question)


def _plain(result: ResultLike) -> Mapping[str, Any]:
    return result.model_dump(mode="json") if isinstance(result, Result) else result


def _titles(result: Mapping[str, Any]) -> dict[str, str]:
    return {d["key"]: d["title"] for d in result["dimensions"]}


def _change(before: float | None, after: float | None, decimals: int) -> float | None:
    if before is None or after is None:
        return None
    return round(after - before, decimals)


def _pair(before: float | None, after: float | None, decimals: int) -> dict[str, float | None]:
    return {"baseline": before, "assessment": after, "change": _change(before, after, decimals)}


def _dimensions(later: Mapping[str, Any], earlier: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every dimension of either result: the later one's in its order, then those it no longer has."""
    now = {d["key"]: d for d in later["dimensions"]}
    before = {d["key"]: d for d in earlier["dimensions"]}
    keys = [*now, *(k for k in before if k not in now)]
    rows = []
    for key in keys:
        current, previous = now.get(key), before.get(key)
        shown = current or previous
        assert shown is not None
        after = current["score"] if current else None
        prior = previous["score"] if previous else None
        rows.append(
            {
                "key": key,
                "title": shown["title"],
                "baseline": prior,
                "assessment": after,
                "change": _change(prior, after, SCORE_DECIMALS),
                # the later version's target is the one the client is working towards
                "target": shown["target"],
                "status": {
                    "baseline": previous["status"] if previous else None,
                    "assessment": current["status"] if current else None,
                },
            }
        )
    return rows


def _by_id(gaps: Iterable[Mapping[str, Any]]) -> dict[GapId, Mapping[str, Any]]:
    # the first of a kind wins: two knock-out options of one multi-choice question are one gap to close
    found: dict[GapId, Mapping[str, Any]] = {}
    for gap in gaps:
        found.setdefault(gap_id(gap), gap)
    return found


def _gaps(
    later: Mapping[str, Any], earlier: Mapping[str, Any], titles: Mapping[str, str]
) -> dict[str, list[dict[str, Any]]]:
    """Closed (only in the baseline), opened (only in the assessment), unchanged (in both), each in priority order."""
    now, before = _by_id(later["gaps"]), _by_id(earlier["gaps"])

    def ref(key: GapId, current: Mapping[str, Any] | None, previous: Mapping[str, Any] | None) -> dict[str, Any]:
        kind, dimension, question = key
        shown = current or previous
        assert shown is not None
        return {
            "dimension": dimension,
            "title": titles.get(dimension, dimension),
            "kind": kind,
            "question": question,
            "severity": shown["severity"],
            "shortfall": {
                "baseline": previous["shortfall"] if previous else None,
                "assessment": current["shortfall"] if current else None,
            },
        }

    return {
        "closed": [ref(k, None, g) for k, g in before.items() if k not in now],
        "opened": [ref(k, g, None) for k, g in now.items() if k not in before],
        "unchanged": [ref(k, g, before[k]) for k, g in now.items() if k in before],
    }
