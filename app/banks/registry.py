"""The bank versions this process serves, keyed by slug and version.

Filled at start-up from the database (which the shipped files are synced into),
so an assessment scored with an old version can always be read and re-scored.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.banks.schema import Bank


# eq=False: identity hashing, so views of a registered bank can be cached per instance
@dataclass(frozen=True, eq=False)
class RegisteredBank:
    id: uuid.UUID
    bank: Bank
    content_hash: str

    @property
    def slug(self) -> str:
        return self.bank.slug

    @property
    def version(self) -> str:
        return self.bank.version


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


@dataclass
class BankRegistry:
    _versions: dict[tuple[str, str], RegisteredBank] = field(default_factory=dict)
    _latest: dict[str, RegisteredBank] = field(default_factory=dict)

    @classmethod
    def of(cls, banks: Iterable[RegisteredBank]) -> BankRegistry:
        registry = cls()
        for bank in banks:
            registry.add(bank)
        return registry

    def add(self, registered: RegisteredBank) -> None:
        self._versions[(registered.slug, registered.version)] = registered
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
