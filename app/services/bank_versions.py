"""A tenant's own banks: drafts that may change, published versions that never do.

Every change is a new version, checked (structure and fixtures) before it goes
live; published and retired versions are immutable, so every stored assessment
can be re-read and re-scored exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, select

from app.banks.fixtures import run_fixtures
from app.banks.loader import content_hash
from app.banks.overlay import Overlay, OverlayError, apply_overlay, is_overlay
from app.banks.registry import RegisteredBank
from app.banks.schema import Bank
from app.models import BankVersion, Tenant
from app.models.banks import BankStatus, owner_of
from app.models.common import utcnow
from app.problems import Conflict, FieldError, InvalidRequest, NotFound
from app.services.banks import TenantCatalog
from app.text import has_control_characters


def parse_document(catalog: TenantCatalog, document: dict[str, Any]) -> tuple[Bank, dict[str, Any] | None]:
    """A bank document or an overlay, validated into a bank; every problem named by its path."""
    # no text may hold NUL or other control characters: meaningless in a bank, and PostgreSQL's JSONB refuses NUL
    problems = [
        FieldError(field, "control characters (such as NUL) are not allowed", "control_characters")
        for field in _control_character_fields(document)
    ]
    if problems:
        raise InvalidRequest(f"The bank document has {len(problems)} problem(s)", problems)
    overlay_document = None
    if is_overlay(document):
        overlay = _validated(Overlay, document)
        base = catalog.get(overlay.base.slug, overlay.base.version)
        if base is None or base.status == BankStatus.draft:
            raise InvalidRequest(
                "The overlay's base is not a published bank you can see",
                [FieldError("base", f"no published bank {overlay.base.slug} {overlay.base.version}", "unknown_base")],
            )
        try:
            document = apply_overlay(base.bank.model_dump(mode="json", by_alias=True), overlay)
        except OverlayError as exc:
            raise InvalidRequest("The overlay does not fit its base", [FieldError(f, m, "overlay") for f, m in exc.problems]) from None
        overlay_document = overlay.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return _validated(Bank, document), overlay_document


def _control_character_fields(value: Any, path: tuple[str, ...] = ()) -> Iterator[str]:
    """The dotted path of every key and string value in a JSON document that holds a control character."""
    if isinstance(value, str):
        if has_control_characters(value):
            yield ".".join(path)
    elif isinstance(value, dict):
        for key, item in value.items():
            if has_control_characters(str(key)):
                yield ".".join((*path, str(key)))
            yield from _control_character_fields(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _control_character_fields(item, (*path, str(index)))


def _validated(model: type[Any], document: dict[str, Any]) -> Any:
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        errors = [
            FieldError(".".join(str(p) for p in e["loc"]), e["msg"].removeprefix("Value error, "), e["type"])
            for e in exc.errors()
        ]
        raise InvalidRequest(f"The bank document has {len(errors)} problem(s)", errors) from None


def _own_row(session: Session, tenant: Tenant, slug: str, version: str) -> BankVersion:
    row = session.exec(
        select(BankVersion).where(
            BankVersion.owner == owner_of(tenant.id), BankVersion.slug == slug, BankVersion.version == version
        )
    ).first()
    if row is None:
        raise NotFound(f"No question bank {slug} {version}")
    return row


def _refuse_shipped(catalog: TenantCatalog, slug: str) -> None:
    if catalog.registry.is_shipped(slug):
        raise Conflict(f"{slug} is a shipped bank: derive your own with an overlay instead")


def _new_row(tenant: Tenant, bank: Bank, overlay: dict[str, Any] | None) -> BankVersion:
    return BankVersion(
        tenant_id=tenant.id,
        owner=owner_of(tenant.id),
        slug=bank.slug,
        version=bank.version,
        status=BankStatus.draft,
        content_hash=content_hash(bank),
        document=bank.model_dump(mode="json", by_alias=True),
        overlay=overlay,
    )


def create_bank(*, session: Session, catalog: TenantCatalog, document: dict[str, Any]) -> BankVersion:
    bank, overlay = parse_document(catalog, document)
    _refuse_shipped(catalog, bank.slug)
    if catalog.versions(bank.slug):
        raise Conflict(f"You already have a bank {bank.slug}: add a version with POST /v1/banks/{bank.slug}/versions")
    row = _new_row(catalog.tenant, bank, overlay)
    session.add(row)
    session.commit()
    return row


def create_version(*, session: Session, catalog: TenantCatalog, slug: str, document: dict[str, Any]) -> BankVersion:
    _refuse_shipped(catalog, slug)
    if not catalog.versions(slug):
        raise NotFound(f"No question bank {slug}")
    bank, overlay = parse_document(catalog, document)
    _same_identity(bank, slug, None)
    if bank.version in catalog.versions(slug):
        raise Conflict(f"{slug} {bank.version} exists already: choose a new version")
    row = _new_row(catalog.tenant, bank, overlay)
    session.add(row)
    session.commit()
    return row


def replace_draft(
    *, session: Session, catalog: TenantCatalog, slug: str, version: str, document: dict[str, Any]
) -> BankVersion:
    _refuse_shipped(catalog, slug)
    row = _own_row(session, catalog.tenant, slug, version)
    if row.status != BankStatus.draft:
        raise Conflict(f"{slug} {version} is {row.status} and can never change: create a new version")
    bank, overlay = parse_document(catalog, document)
    _same_identity(bank, slug, version)
    row.document = bank.model_dump(mode="json", by_alias=True)
    row.overlay = overlay
    row.content_hash = content_hash(bank)
    row.updated_at = utcnow()
    session.add(row)
    session.commit()
    return row


def _same_identity(bank: Bank, slug: str, version: str | None) -> None:
    errors = []
    if bank.slug != slug:
        errors.append(FieldError("slug", f"must be {slug!r}, the bank in the path", "slug_mismatch"))
    if version is not None and bank.version != version:
        errors.append(FieldError("version", f"must be {version!r}, the version in the path", "version_mismatch"))
    if errors:
        raise InvalidRequest("The document names another bank or version than the path", errors)


def validation_report(registered: RegisteredBank) -> dict[str, Any]:
    """What publishing would say: the structure is valid (it was checked on write); run the fixtures."""
    outcomes = run_fixtures(registered.bank)
    return {
        "slug": registered.slug,
        "version": registered.version,
        "status": registered.status,
        "content_hash": registered.content_hash,
        "valid": all(o.passed for o in outcomes),
        "fixtures": [
            {
                "key": o.key,
                "expected": o.expected.value,
                "actual": o.actual.value if o.actual is not None else None,
                "passed": o.passed,
                "problems": list(o.problems),
            }
            for o in outcomes
        ],
    }


def validate_version(*, catalog: TenantCatalog, slug: str, version: str) -> dict[str, Any]:
    registered = catalog.get(slug, version)
    if registered is None:
        raise NotFound(f"No question bank {slug} {version}")
    return validation_report(registered)


def publish(*, session: Session, catalog: TenantCatalog, slug: str, version: str) -> BankVersion:
    _refuse_shipped(catalog, slug)
    row = _own_row(session, catalog.tenant, slug, version)
    if row.status != BankStatus.draft:
        raise Conflict(f"{slug} {version} is {row.status}; only a draft can be published")
    failed = [o for o in run_fixtures(_registered_row(catalog, row).bank) if not o.passed]
    if failed:
        raise InvalidRequest(
            f"{len(failed)} fixture(s) do not give their expected decision; nothing was published",
            [FieldError(f"fixtures.{o.key}", o.message() or "", "fixture_failed") for o in failed],
        )
    row.status = BankStatus.published
    row.published_at = row.updated_at = utcnow()
    session.add(row)
    session.commit()
    return row


def retire(*, session: Session, catalog: TenantCatalog, slug: str, version: str) -> BankVersion:
    _refuse_shipped(catalog, slug)
    row = _own_row(session, catalog.tenant, slug, version)
    if row.status != BankStatus.published:
        raise Conflict(f"{slug} {version} is {row.status}; only a published version can be retired")
    row.status = BankStatus.retired
    row.retired_at = row.updated_at = utcnow()
    session.add(row)
    session.commit()
    return row


def _registered_row(catalog: TenantCatalog, row: BankVersion) -> RegisteredBank:
    found = catalog.get(row.slug, row.version)
    assert found is not None  # the row is the tenant's own
    return found


def version_view(row: BankVersion) -> dict[str, Any]:
    """A tenant's version as the management calls answer it."""
    return {
        "slug": row.slug,
        "version": row.version,
        "status": row.status,
        "content_hash": row.content_hash,
        "overlay": row.overlay,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "published_at": row.published_at.isoformat() if row.published_at else None,
        "retired_at": row.retired_at.isoformat() if row.retired_at else None,
    }
