"""Keep the database's bank versions in step with the shipped files, and fill the registry."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from app.banks.loader import LoadedBank, load_bank_directory
from app.banks.registry import BankRegistry, RegisteredBank
from app.banks.schema import Bank
from app.models import BankVersion
from app.problems import InvalidRequest, FieldError, NotFound


class ShippedBankChanged(Exception):
    """A shipped file changed under a version that is already stored: published versions are immutable."""


def sync_shipped_banks(*, session: Session, banks_dir: Path) -> list[LoadedBank]:
    """Store each shipped bank version once; a stored version whose file changed is an error."""
    loaded = load_bank_directory(banks_dir)
    stored = {(b.slug, b.version): b for b in session.exec(select(BankVersion)).all()}
    for item in loaded:
        existing = stored.get((item.bank.slug, item.bank.version))
        if existing is None:
            session.add(
                BankVersion(
                    slug=item.bank.slug,
                    version=item.bank.version,
                    content_hash=item.content_hash,
                    document=item.bank.model_dump(mode="json", by_alias=True),
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
    rows = session.exec(select(BankVersion)).all()
    return BankRegistry.of(
        RegisteredBank(id=row.id, bank=Bank.model_validate(row.document), content_hash=row.content_hash)
        for row in rows
    )


def get_bank_version(registry: BankRegistry, slug: str, version: str | None) -> RegisteredBank:
    """A bank by path parameters: unknown ones are 404."""
    found = registry.get(slug, version) if version else registry.latest(slug)
    if found is None:
        what = f"{slug} {version}" if version else slug
        raise NotFound(f"No question bank {what}")
    return found


def resolve_submitted_bank(registry: BankRegistry, slug: str, version: str | None) -> RegisteredBank:
    """A bank named in a request body: unknown ones are 422 naming the field."""
    if registry.latest(slug) is None:
        raise InvalidRequest(f"Unknown question bank {slug!r}", [FieldError("bank", "no such question bank", "unknown_bank")])
    found = registry.get(slug, version) if version else registry.latest(slug)
    if found is None:
        known = ", ".join(registry.versions(slug))
        raise InvalidRequest(
            f"{slug} has no version {version}",
            [FieldError("bank_version", f"no such version; known versions: {known}", "unknown_bank_version")],
        )
    return found
