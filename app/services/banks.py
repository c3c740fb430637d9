"""Finding bank versions for a caller, and keeping the shipped files in step with the database."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from app.banks.fixtures import fixture_failures
from app.banks.loader import BankFileError, LoadedBank, load_bank_directory
from app.banks.registry import BankRegistry, RegisteredBank, version_key
from app.banks.schema import Bank
from app.models import BankVersion, Tenant
from app.models.banks import SHIPPED_OWNER, BankStatus, owner_of
from app.models.common import utcnow
from app.problems import FieldError, InvalidRequest, NotFound


class ShippedBankChanged(Exception):
    """A shipped file changed under a version that is already stored: published versions are immutable."""


def sync_shipped_banks(*, session: Session, banks_dir: Path) -> list[LoadedBank]:
    """Store each shipped bank version once; a stored version whose file changed is an error."""
    loaded = load_bank_directory(banks_dir)
    for item in loaded:
        # a shipped bank is published: its fixtures must hold, as for any published version
        failures = fixture_failures(item.bank)
        if failures:
            raise BankFileError(item.path or banks_dir, failures)
    stored = {
        (b.slug, b.version): b for b in session.exec(select(BankVersion).where(BankVersion.owner == SHIPPED_OWNER)).all()
    }
    for item in loaded:
        existing = stored.get((item.bank.slug, item.bank.version))
        if existing is None:
            session.add(
                BankVersion(
                    slug=item.bank.slug,
                    version=item.bank.version,
                    content_hash=item.content_hash,
                    document=item.bank.model_dump(mode="json", by_alias=True),
                    published_at=utcnow(),
                )
            )
        elif existing.content_hash != item.content_hash:
            raise ShippedBankChanged(
                f"{item.path}: {item.bank.slug} {item.bank.version} is already published with content "
                f"{existing.content_hash}, but the file now hashes to {item.content_hash}. "
                "A published version cannot change: give the changed bank a new version."
            )
    session.commit()
    return loaded


def load_registry(*, session: Session) -> BankRegistry:
    rows = session.exec(select(BankVersion).where(BankVersion.owner == SHIPPED_OWNER)).all()
    return BankRegistry.of(_registered(row) for row in rows)


def _registered(row: BankVersion) -> RegisteredBank:
    return RegisteredBank(
        id=row.id,
        bank=Bank.model_validate(row.document),
        content_hash=row.content_hash,
        status=row.status,
        tenant_id=row.tenant_id,
    )


@dataclass
class TenantCatalog:
    """The banks one tenant can see: the shipped ones, then its own (drafts included).

    Reads go through `session`, the request's own; a read-only caller may give `open_session` instead, and
    a session is then opened for a tenant bank's read alone: a shipped bank, most requests, needs none.
    """

    registry: BankRegistry
    session: Session | None
    tenant: Tenant
    open_session: Callable[[], Session] | None = None

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        if self.session is not None:
            yield self.session
            return
        assert self.open_session is not None
        with self.open_session() as session:
            yield session

    def _rows(self, slug: str) -> list[BankVersion]:
        query = select(BankVersion).where(BankVersion.owner == owner_of(self.tenant.id), BankVersion.slug == slug)
        with self._reading() as session:
            return list(session.exec(query).all())

    def _load(self, row: BankVersion) -> RegisteredBank:
        return self.registry.parsed(row.id, row.content_hash, row.status, lambda: _registered(row))

    def latest(self, slug: str) -> RegisteredBank | None:
        if self.registry.is_shipped(slug):
            return self.registry.latest(slug)
        published = [r for r in self._rows(slug) if r.status == BankStatus.published]
        return self._load(max(published, key=lambda r: version_key(r.version))) if published else None

    def get(self, slug: str, version: str) -> RegisteredBank | None:
        if self.registry.is_shipped(slug):
            return self.registry.get(slug, version)
        with self._reading() as session:
            row = session.exec(
                select(BankVersion).where(
                    BankVersion.owner == owner_of(self.tenant.id), BankVersion.slug == slug, BankVersion.version == version
                )
            ).first()
            return self._load(row) if row is not None else None

    def versions(self, slug: str) -> list[str]:
        if self.registry.is_shipped(slug):
            return self.registry.versions(slug)
        return sorted((r.version for r in self._rows(slug)), key=version_key)

    def by_id(self, version_id: uuid.UUID) -> RegisteredBank | None:
        shipped = self.registry.shipped_by_id(version_id)
        if shipped is not None:
            return shipped
        with self._reading() as session:
            row = session.get(BankVersion, version_id)
            if row is None or row.tenant_id != self.tenant.id:
                return None
            return self._load(row)

    def own_latest(self) -> list[RegisteredBank]:
        """The latest published version of each of the tenant's own banks."""
        with self._reading() as session:
            rows = session.exec(
                select(BankVersion)
                .where(BankVersion.owner == owner_of(self.tenant.id), BankVersion.status == BankStatus.published)
                .order_by(col(BankVersion.slug))
            ).all()
            latest: dict[str, BankVersion] = {}
            for row in rows:
                if row.slug not in latest or version_key(row.version) > version_key(latest[row.slug].version):
                    latest[row.slug] = row
            return [self._load(row) for row in latest.values()]


def visible_banks(registry: BankRegistry, catalog: TenantCatalog | None) -> list[RegisteredBank]:
    own = catalog.own_latest() if catalog is not None else []
    return sorted([*registry.all_latest(), *own], key=lambda b: b.slug)


def get_bank_version(source: BankRegistry | TenantCatalog, slug: str, version: str | None) -> RegisteredBank:
    """A bank by path parameters: unknown ones (and other tenants' ones) are 404."""
    found = source.get(slug, version) if version else source.latest(slug)
    if found is None:
        what = f"{slug} {version}" if version else slug
        raise NotFound(f"No question bank {what}")
    return found


def resolve_submitted_bank(source: BankRegistry | TenantCatalog, slug: str, version: str | None) -> RegisteredBank:
    """A bank named in a request body, ready to score with: unknown, draft or retired ones are 422."""
    if not source.versions(slug):
        raise InvalidRequest(f"Unknown question bank {slug!r}", [FieldError("bank", "no such question bank", "unknown_bank")])
    found = source.get(slug, version) if version else source.latest(slug)
    if found is None:
        known = ", ".join(source.versions(slug))
        raise InvalidRequest(
            f"{slug} has no published version {version or ''}".strip(),
            [FieldError("bank_version", f"no such version; known versions: {known}", "unknown_bank_version")],
        )
    if found.status != BankStatus.published:
        raise InvalidRequest(
            f"{slug} {found.version} is {found.status}",
            [FieldError("bank_version", f"version {found.version} is {found.status}; only published versions take answers", f"bank_{found.status}")],
        )
    return found
