"""What differs between two bank versions, as a list of readable changes.

Pure: two `Bank` values in, `Change`s out. Paths are key-based, never
index-based (`questions.channels.options.linkedin.points`, not
`questions.5.options.0.points`), so a change reads the same wherever the
question sits. Bands, which have no key, are named by their range
(`questions.hours.bands[2..80].points`).

Order: bank fields, policy, dimensions (bank order), questions (bank order),
fixtures. A whole dimension, question, option, check, band or fixture that is
added or removed is one change whose value is its key and a short label; a
changed one lists its changed fields. Moving an item within its list is a
`changed` on `<item>.position` (1-based), reported only for items whose order
relative to the others changed, not for those that merely shifted because
something was added or removed before them.

Every difference that changes the content hash is reported, so identical
banks, and only those, give an empty list.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, computed_field

from app.banks.schema import Bank


class ChangeKind(StrEnum):
    added = "added"
    removed = "removed"
    changed = "changed"


class Change(BaseModel):
    """One difference: where (`path`), what happened (`kind`), the values before and after."""

    model_config = ConfigDict(frozen=True)

    path: str = Field(examples=["dimensions.measurement.weight"])
    kind: ChangeKind
    old: JsonValue = None  # None when added
    new: JsonValue = None  # None when removed
    # the path's parts (an option value or a band range is one part even if it holds dots)
    parts: tuple[str, ...] = Field(default=(), exclude=True, repr=False)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def text(self) -> str:
        """The change in one English sentence."""
        return self.summary("en")

    def summary(self, lang: str = "en") -> str:
        """The change in one sentence, in English or Finnish (`fi`)."""
        return _describe(self, _FI if lang == "fi" else _EN)

    def line(self) -> str:
        """`~ path: old -> new`, `+ path: new` or `- path: old`, values as JSON."""
        if self.kind == ChangeKind.added:
            return f"+ {self.path}: {_json(_compact(self.new))}"
        if self.kind == ChangeKind.removed:
            return f"- {self.path}: {_json(_compact(self.old))}"
        old, new = _json(_compact(self.old)), _json(_compact(self.new))
        if old == new:  # 2 -> 2.0: show the difference that is there
            old, new = _json(self.old), _json(self.new)
        return f"~ {self.path}: {old} -> {new}"


def diff_banks(old: Bank, new: Bank) -> list[Change]:
    """Every difference between two banks, old to new; empty when they are the same."""
    before = old.model_dump(mode="json", by_alias=True)
    after = new.model_dump(mode="json", by_alias=True)
    return list(_walk((), before, after))


# ---------------------------------------------------------------- walking the documents


def _same(a: Any, b: Any) -> bool:
    # JSON equality: true is not 1, 1 is not 1.0 (the content hash tells them apart too)
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _change(parts: tuple[str, ...], kind: ChangeKind, old: Any = None, new: Any = None) -> Change:
    return Change(path=_path(parts), kind=kind, old=old, new=new, parts=parts)


def _path(parts: tuple[str, ...]) -> str:
    text = ""
    for index, part in enumerate(parts):
        if index and parts[index - 1] == "bands" and _in_question(parts, index - 1):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + part
    return text


def _in_question(parts: tuple[str, ...], index: int) -> bool:
    return index == 2 and parts[0] == "questions"


def _walk(parts: tuple[str, ...], old: Any, new: Any) -> Iterator[Change]:
    if _same(old, new):
        return
    if old is None:
        yield _change(parts, ChangeKind.added, new=new)
    elif new is None:
        yield _change(parts, ChangeKind.removed, old=old)
    elif _keyed(parts) and isinstance(old, list) and isinstance(new, list):
        yield from _walk_keyed(parts, old, new)
    elif isinstance(old, dict) and isinstance(new, dict) and not _atomic(parts):
        for key in [*old, *(k for k in new if k not in old)]:
            yield from _walk((*parts, key), old.get(key), new.get(key))
    else:
        yield _change(parts, ChangeKind.changed, old, new)


def _atomic(parts: tuple[str, ...]) -> bool:
    # a fixture's answer is one value, even {"state": "dont_know"}
    return len(parts) == 4 and parts[0] == "fixtures" and parts[2] == "answers"


def _keyed(parts: tuple[str, ...]) -> bool:
    return _identity(parts) is not None


def _identity(parts: tuple[str, ...]) -> Callable[[dict[str, Any]], str] | None:
    """How the items of the list at `parts` are told apart, or None if it is not a list of items."""
    if len(parts) == 1 and parts[0] in ("dimensions", "questions", "fixtures"):
        return lambda item: str(item["key"])
    if len(parts) == 3 and parts[0] == "questions":
        if parts[2] == "checks":
            return lambda item: str(item["key"])
        if parts[2] == "options":
            return lambda item: _option_id(item["value"])
        if parts[2] == "bands":
            return lambda item: f"{_number(item['min'])}..{_number(item['max'])}"
    return None


def _option_id(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _walk_keyed(parts: tuple[str, ...], old: list[dict[str, Any]], new: list[dict[str, Any]]) -> Iterator[Change]:
    ident = _identity(parts)
    assert ident is not None
    old_items = {ident(item): (index, item) for index, item in enumerate(old)}
    new_items = {ident(item): (index, item) for index, item in enumerate(new)}
    moved = _moved([k for k in old_items if k in new_items], [k for k in new_items if k in old_items])
    for key in _merged_order(list(old_items), list(new_items)):
        where = (*parts, key)
        if key not in new_items:
            yield _change(where, ChangeKind.removed, old=_label(parts, old_items[key][1]))
        elif key not in old_items:
            yield _change(where, ChangeKind.added, new=_label(parts, new_items[key][1]))
        else:
            (old_index, old_item), (new_index, new_item) = old_items[key], new_items[key]
            if key in moved:
                yield _change((*where, "position"), ChangeKind.changed, old_index + 1, new_index + 1)
            yield from _walk(where, old_item, new_item)


def _merged_order(old: list[str], new: list[str]) -> list[str]:
    """The new order, with each removed item placed after the item it followed before."""
    order = list(new)
    present = set(new)
    for index, key in enumerate(old):
        if key in present:
            continue
        before = next((old[i] for i in range(index - 1, -1, -1) if old[i] in order), None)
        order.insert(0 if before is None else order.index(before) + 1, key)
    return order


def _moved(old: list[str], new: list[str]) -> set[str]:
    """The fewest common items whose moving explains the new order: those outside a
    longest subsequence kept in the old order."""
    position = {key: index for index, key in enumerate(old)}
    sequence = [position[key] for key in new]
    # longest increasing subsequence, patience sorting with back links
    tails: list[int] = []  # tails[k]: index into `sequence` of the smallest end of a run of length k + 1
    back: list[int | None] = [None] * len(sequence)
    for i, value in enumerate(sequence):
        low, high = 0, len(tails)
        while low < high:
            mid = (low + high) // 2
            if sequence[tails[mid]] < value:
                low = mid + 1
            else:
                high = mid
        back[i] = tails[low - 1] if low else None
        if low == len(tails):
            tails.append(i)
        else:
            tails[low] = i
    kept: set[str] = set()
    cursor = tails[-1] if tails else None
    while cursor is not None:
        kept.add(new[cursor])
        cursor = back[cursor]
    return set(new) - kept


def _label(parts: tuple[str, ...], item: dict[str, Any]) -> dict[str, Any]:
    """The short form of a whole added or removed item: its key and an English label."""
    collection = parts[-1]
    if collection == "dimensions":
        return {"key": item["key"], "label": item["title"]["en"]}
    if collection == "questions":
        return {"key": item["key"], "label": item["prompt"]["en"], "dimension": item["dimension"]}
    if collection == "fixtures":
        return {"key": item["key"], "expect": item["expect"]}
    if collection == "options":
        return {"value": item["value"], "label": item["label"]["en"], "points": item["points"]}
    if collection == "checks":
        return {"key": item["key"], "label": item["label"]["en"], "points": item["points"]}
    return {"min": item["min"], "max": item["max"], "points": item["points"]}  # a band


# ---------------------------------------------------------------- sentences


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _compact(value: Any) -> Any:
    """Whole floats as integers (weights and points are floats: 2.0 reads better as 2)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_compact(v) for v in value]
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items()}
    return value


def _show(value: Any, limit: int = 80) -> str:
    """A value as a sentence shows it: 2.0 as 2, long texts and objects shortened."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return _json(value if len(value) <= limit else value[: limit - 1] + "…")
    shown = _json(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


_EN: dict[str, Any] = {
    "entities": {
        "dimensions": "dimension", "questions": "question", "fixtures": "fixture",
        "options": "option", "checks": "check", "bands": "band",
    },
    "fields": {
        "slug": "slug", "version": "version", "go_at": "threshold go_at", "no_go_below": "threshold no_go_below",
        "min_coverage": "minimum coverage", "expect": "expected decision", "prompt": "prompt",
        "show_if": "show_if condition", "full_points": "full points", "max_length": "maximum length",
        "allow_dont_know": "allow_dont_know", "allow_not_applicable": "allow_not_applicable",
    },
    "bank": "the bank",
    "policy": "the policy",
    "answer": "answer to {key!r}",
    "of": "{field} of {owner}",
    "item_added": "{owner} added",
    "item_removed": "{owner} removed",
    "point": "{points} point",
    "points": "{points} points",
    "expect": "expected {expect}",
    "moved": "{owner} moved from position {old} to {new}",
    "added": "{subject} added: {new}",
    "removed": "{subject} removed (was {old})",
    "changed": "{subject} changed from {old} to {new}",
}

_FI: dict[str, Any] = {
    "entities": {
        "dimensions": "ulottuvuus", "questions": "kysymys", "fixtures": "testitapaus",
        "options": "vaihtoehto", "checks": "tarkistus", "bands": "vaihteluväli",
    },
    "fields": {
        "slug": "tunniste", "version": "versio", "title": "otsikko", "description": "kuvaus", "weight": "paino",
        "target": "tavoite", "floor": "alaraja", "points": "pisteet", "prompt": "kysymysteksti", "help": "ohje",
        "label": "nimi", "recommendation": "suositus", "source": "lähde", "required": "pakollinen",
        "go_at": "go-raja", "no_go_below": "no_go-raja", "min_coverage": "vähimmäiskattavuus",
        "expect": "odotettu päätös", "answers": "vastaukset", "knockout": "poissulkeva vastaus",
        "reason": "syy", "type": "tyyppi", "dimension": "ulottuvuus", "show_if": "näyttöehto",
        "full_points": "täydet pisteet", "max_length": "enimmäispituus", "example": "esimerkki",
    },
    "bank": "kysymyspankki",
    "policy": "päätössäännöt",
    "answer": "vastaus kysymykseen {key!r}",
    "of": "{owner}, {field}",
    "item_added": "{owner} lisätty",
    "item_removed": "{owner} poistettu",
    "point": "{points} piste",
    "points": "{points} pistettä",
    "expect": "odotettu {expect}",
    "moved": "{owner} siirretty kohdasta {old} kohtaan {new}",
    "added": "{subject} lisätty: {new}",
    "removed": "{subject} poistettu (oli {old})",
    "changed": "{subject} muutettu: {old} → {new}",
}

_LANGUAGE_PARTS = ("en", "fi")


def _describe(change: Change, words: dict[str, Any]) -> str:
    parts = change.parts or tuple(change.path.split("."))
    owners: list[str] = []
    rest = list(parts)
    # the chain of items the change is inside: question 'hours', band 2..80
    while len(rest) >= 2 and rest[0] in words["entities"] and (not owners or rest[0] in ("options", "checks", "bands")):
        noun = words["entities"][rest[0]]
        shown = rest[1] if rest[0] == "bands" else repr(rest[1])
        owners.insert(0, f"{noun} {shown}")
        rest = rest[2:]
    if not owners:
        owners = [words["policy"] if rest[:1] == ["policy"] else words["bank"]]
        rest = rest[1:] if rest[:1] == ["policy"] else rest
    owner = (", " if words is _FI else " of ").join(owners if words is _EN else reversed(owners))
    if not rest:
        template = words["item_added"] if change.kind == ChangeKind.added else words["item_removed"]
        return _capital(template.format(owner=owner)) + _item_detail(change.new if change.kind == ChangeKind.added else change.old, words)
    if rest == ["position"] and change.kind == ChangeKind.changed:
        return _capital(words["moved"].format(owner=owner, old=change.old, new=change.new))
    subject = _capital(words["of"].format(field=_field(rest, words), owner=owner))
    return words[change.kind.value].format(subject=subject, old=_show(change.old), new=_show(change.new))


def _item_detail(item: Any, words: dict[str, Any]) -> str:
    """What a whole added or removed item's short form says: its label, points or expected decision."""
    if not isinstance(item, dict):
        return ""
    details = []
    if isinstance(item.get("label"), str):
        details.append(_show(item["label"], 60))
    if "points" in item:
        template = words["point"] if item["points"] == 1 else words["points"]
        details.append(template.format(points=_show(item["points"])))
    if "expect" in item:
        details.append(words["expect"].format(expect=item["expect"]))
    return f" ({', '.join(details)})" if details else ""


def _field(rest: list[str], words: dict[str, Any]) -> str:
    language = ""
    if len(rest) > 1 and rest[-1] in _LANGUAGE_PARTS:
        language, rest = f" ({rest[-1]})", rest[:-1]
    if len(rest) == 2 and rest[0] == "answers":
        return words["answer"].format(key=rest[1]) + language
    names = [words["fields"].get(part, part) for part in rest]
    return " ".join(names) + language


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
