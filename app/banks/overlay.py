"""Overlays: an agency's bank stated as only what differs from a base bank (pure).

An overlay names its base and patches it: bank texts, policy, dimensions and
questions by key (nested objects merge, lists replace), questions and
dimensions removed or added, fixtures replaced. `apply_overlay` returns the
effective bank document, which is then validated like any bank file and stored
as its own version with its own content hash.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import Field

from app.banks.schema import Key, SemVer, Slug, Strict

OVERLAY_FIELDS = ("title", "description", "policy")


class BaseRef(Strict):
    slug: Slug
    version: SemVer


class Overlay(Strict):
    slug: Slug
    version: SemVer
    base: BaseRef
    title: dict[str, Any] | None = None
    description: dict[str, Any] | None = None
    policy: dict[str, Any] | None = None
    dimensions: dict[Key, dict[str, Any]] = Field(default_factory=dict, description="patches by dimension key")
    questions: dict[Key, dict[str, Any]] = Field(default_factory=dict, description="patches by question key")
    remove_dimensions: list[Key] = Field(default_factory=list)
    remove_questions: list[Key] = Field(default_factory=list)
    add_dimensions: list[dict[str, Any]] = Field(default_factory=list)
    add_questions: list[dict[str, Any]] = Field(default_factory=list)
    fixtures: list[dict[str, Any]] | None = Field(default=None, description="replace the base's fixtures")


class OverlayError(ValueError):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems  # (field, message)
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))


def is_overlay(document: dict[str, Any]) -> bool:
    return "base" in document


def apply_overlay(base: dict[str, Any], overlay: Overlay) -> dict[str, Any]:
    """The effective bank document: `base` (a bank document) with the overlay applied."""
    result = copy.deepcopy(base)
    result["slug"], result["version"] = overlay.slug, overlay.version
    for name in OVERLAY_FIELDS:
        patch = getattr(overlay, name)
        if patch is not None:
            result[name] = _merge(result.get(name), patch)
    problems: list[tuple[str, str]] = []
    result["dimensions"] = _patch_list(result["dimensions"], overlay.dimensions, "dimensions", problems)
    result["questions"] = _patch_list(result["questions"], overlay.questions, "questions", problems)
    result["dimensions"] = _remove(result["dimensions"], overlay.remove_dimensions, "remove_dimensions", problems)
    result["questions"] = _remove(result["questions"], overlay.remove_questions, "remove_questions", problems)
    result["dimensions"] += copy.deepcopy(overlay.add_dimensions)
    result["questions"] += copy.deepcopy(overlay.add_questions)
    if overlay.fixtures is not None:
        result["fixtures"] = copy.deepcopy(overlay.fixtures)
    elif overlay.remove_questions:
        # inherited fixtures keep holding their answers, minus those to questions that are gone
        gone = set(overlay.remove_questions)
        for fixture in result.get("fixtures", []):
            fixture["answers"] = {k: v for k, v in fixture["answers"].items() if k not in gone}
    if problems:
        raise OverlayError(problems)
    return result


def _merge(old: Any, patch: Any) -> Any:
    if isinstance(old, dict) and isinstance(patch, dict):
        merged = dict(old)
        for key, value in patch.items():
            merged[key] = _merge(old.get(key), value)
        return merged
    return copy.deepcopy(patch)


def _patch_list(
    items: list[dict[str, Any]], patches: dict[str, dict[str, Any]], field: str, problems: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    known = {item["key"] for item in items}
    for key in patches:
        if key not in known:
            problems.append((f"{field}.{key}", f"the base has no {field[:-1]} {key!r}"))
        elif "key" in patches[key] and patches[key]["key"] != key:
            problems.append((f"{field}.{key}.key", "a patch cannot rename; remove and add instead"))
    return [_merge(item, patches[item["key"]]) if item["key"] in patches else item for item in items]


def _remove(
    items: list[dict[str, Any]], keys: list[str], field: str, problems: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    known = {item["key"] for item in items}
    problems.extend((f"{field}.{i}", f"the base has no {key!r}") for i, key in enumerate(keys) if key not in known)
    return [item for item in items if item["key"] not in set(keys)]
