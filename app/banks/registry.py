"""Where bank versions are found: the shipped ones in memory, a tenant's own in the database.

`BankRegistry` holds the shipped banks (loaded once at start-up, the same for
every tenant) and a cache of parsed tenant versions keyed by id and content
hash, so a published version is parsed once per process however often it is used.
`BankSource` is what scoring needs: the registry alone offline, a tenant's
catalog (app/services/banks.py) in a request.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from app.banks.schema import Bank

PUBLISHED = "published"


# eq=False: identity hashing, so views of a registered bank can be cached per instance
@dataclass(frozen=True, eq=False)
class RegisteredBank:
    id: uuid.UUID
    bank: Bank
    content_hash: str
    status: str = PUBLISHED
    tenant_id: uuid.UUID | None = None

    @property
    def slug(self) -> str:
        return self.bank.slug

    @property
    def version(self) -> str:
        return self.bank.version


class BankSource(Protocol):
    def latest(self, slug: str) -> RegisteredBank | None: ...
    def get(self, slug: str, version: str) -> RegisteredBank | None: ...
    def versions(self, slug: str) -> list[str]: ...


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


PARSED_CACHE_SIZE = 512


@dataclass
class BankRegistry:
    _versions: dict[tuple[str, str], RegisteredBank] = field(default_factory=dict)
    _latest: dict[str, RegisteredBank] = field(default_factory=dict)
    _by_id: dict[uuid.UUID, RegisteredBank] = field(default_factory=dict)
    _parsed: OrderedDict[tuple[uuid.UUID, str], RegisteredBank] = field(default_factory=OrderedDict)

    @classmethod
    def of(cls, banks: Iterable[RegisteredBank]) -> BankRegistry:
        registry = cls()
        for bank in banks:
            registry.add(bank)
        return registry

    def add(self, registered: RegisteredBank) -> None:
        self._versions[(registered.slug, registered.version)] = registered
        self._by_id[registered.id] = registered
        latest = self._latest.get(registered.slug)
        if latest is None or version_key(registered.version) > version_key(latest.version):
            self._latest[registered.slug] = registered

    def get(self, slug: str, version: str) -> RegisteredBank | None:
        return self._versions.get((slug, version))

    def latest(self, slug: str) -> RegisteredBank | None:
        return self._latest.get(slug)

    def all_latest(self) -> list[RegisteredBank]:
        return sorted(self._latest.values(), key=lambda b: b.slug)

    def versions(self, slug: str) -> list[str]:
        return sorted((v for s, v in self._versions if s == slug), key=version_key)

    def is_shipped(self, slug: str) -> bool:
        return slug in self._latest

    def shipped_by_id(self, version_id: uuid.UUID) -> RegisteredBank | None:
        return self._by_id.get(version_id)

    def parsed(
        self, version_id: uuid.UUID, content_hash: str, status: str, make: Callable[[], RegisteredBank]
    ) -> RegisteredBank:
        """A tenant version, parsed once per content; a draft that changes gets a new hash."""
        key = (version_id, content_hash)
        found = self._parsed.get(key)
        if found is None or found.status != status:
            found = make()
            self._parsed[key] = found
            if len(self._parsed) > PARSED_CACHE_SIZE:
                self._parsed.popitem(last=False)
        else:
            self._parsed.move_to_end(key)
        return found
