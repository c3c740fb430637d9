"""Read bank files from disk into validated `Bank` values.

Every problem is reported as `BankFileError` naming the file, the path inside it
and the problem, so that `readiness banks validate` and start-up say the same.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from app.banks.schema import Bank


class BankFileError(Exception):
    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}: {p}" for p in problems))


@dataclass(frozen=True)
class LoadedBank:
    bank: Bank
    content_hash: str
    path: Path | None = None


# libyaml's parser when the wheel has it (about 10 times faster), the pure-Python one otherwise
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """A safe loader that refuses duplicate mapping keys instead of keeping the last one."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            line = key_node.start_mark.line + 1
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (line {line})", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

# YAML 1.1 reads yes/no/on/off as booleans, which turns labels such as "No" into
# False; bank texts are prose, so only true/false are booleans (as in YAML 1.2).
_UniqueKeyLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
}
_UniqueKeyLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def content_hash(bank: Bank) -> str:
    """A hash of the bank's meaning, not its file: comments and key order do not change it.

    Fixtures are part of a version's content, but a bank without any hashes as it
    did before fixtures existed.
    """
    document = bank.model_dump(mode="json", by_alias=True, exclude=None if bank.fixtures else {"fixtures"})
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def parse_bank(data: Any, path: Path) -> LoadedBank:
    try:
        bank = Bank.model_validate(data)
    except ValidationError as exc:
        raise BankFileError(path, [_describe(err) for err in exc.errors()]) from None
    return LoadedBank(bank=bank, content_hash=content_hash(bank), path=path)


def load_bank_file(path: Path) -> LoadedBank:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 (safe loader subclass)
    except OSError as exc:
        raise BankFileError(path, [f"cannot read: {exc.strerror}"]) from None
    except yaml.YAMLError as exc:
        raise BankFileError(path, [f"not valid YAML: {exc}"]) from None
    return parse_bank(data, path)


def bank_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def load_bank_directory(directory: Path) -> list[LoadedBank]:
    """Load every bank file; collect all files' problems before failing."""
    loaded: list[LoadedBank] = []
    errors: list[BankFileError] = []
    for path in bank_files(directory):
        try:
            loaded.append(load_bank_file(path))
        except BankFileError as exc:
            errors.append(exc)
    seen: dict[tuple[str, str], Path] = {}
    for item in loaded:
        ident = (item.bank.slug, item.bank.version)
        if ident in seen:
            errors.append(BankFileError(item.path or directory, [f"{ident[0]} {ident[1]} is also defined in {seen[ident]}"]))
        seen[ident] = item.path or directory
    if errors:
        raise BankFileError(directory, [str(e) for e in errors])
    return loaded


def _describe(error: Any) -> str:
    message = error["msg"].removeprefix("Value error, ")
    where = ".".join(str(part) for part in error["loc"])
    # a bank-wide check names its own place (e.g. "questions.6: ...") inside the message
    return f"{where}: {message}" if where else message
