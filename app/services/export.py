"""Assessments as CSV, streamed in keyset batches so an export of any size runs in constant memory."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from app.models import Assessment
from app.services.banks import TenantCatalog
from app.services.pagination import keyset_page
from app.services.assessments import LISTED, ListFilters, filtered

BATCH = 1000
FIXED_COLUMNS = (
    "id",
    "created_at",
    "submitted_at",
    "status",
    "bank",
    "bank_version",
    "organisation",
    "email",
    "external_ref",
    "decision",
    "score",
    "coverage",
)
TRAILING_COLUMNS = ("top_gaps", "top_recommendation")
# a cell starting with one of these is run as a formula by spreadsheet programs (OWASP "CSV injection")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def dimension_keys(*, session: Session, catalog: TenantCatalog, tenant_id: uuid.UUID, filters: ListFilters) -> list[str]:
    """One score column per dimension of every bank version in the export, in bank order."""
    query = filtered(select(Assessment.bank_version_id).distinct(), tenant_id, filters)
    keys: dict[str, None] = {}
    for version_id in session.exec(query).all():
        registered = catalog.by_id(version_id)
        if registered is not None:
            keys.update(dict.fromkeys(d.key for d in registered.bank.dimensions))
    return list(keys)


def header(dimensions: Sequence[str]) -> list[str]:
    return [*FIXED_COLUMNS, *(f"dimension_{key}" for key in dimensions), *TRAILING_COLUMNS]


# the listed columns and the result's digest: never the whole ~18 KB result
_STORED = (*LISTED, "digest")


def row(stored: Any, dimensions: Sequence[str]) -> list[Any]:
    digest = stored.digest or {}
    scores = digest.get("dimensions", {})
    return [
        stored.id,
        stored.created_at.isoformat(),
        stored.submitted_at.isoformat() if stored.submitted_at else "",
        stored.status,
        stored.bank_slug,
        stored.bank_version,
        _text(stored.organisation),
        _text(stored.email),
        _text(stored.external_ref),
        stored.decision or "",
        _number(stored.score),
        _number(digest.get("coverage")),
        *(_number(scores.get(key)) for key in dimensions),
        "; ".join(f"{g['dimension']} ({g['severity']})" for g in digest.get("top_gaps", [])),
        _text(digest.get("top_recommendation")),
    ]


def stream(
    *, engine: Engine, tenant_id: uuid.UUID, filters: ListFilters, dimensions: Sequence[str]
) -> Iterator[bytes]:
    """The CSV document, a batch of rows at a time; each batch is its own short read."""
    yield _lines([header(dimensions)])
    # the digest, not the whole result: decoding ~18 KB of JSON per row was most of an export's time
    columns = [getattr(Assessment, name) for name in _STORED]
    cursor: str | None = None
    while True:
        with Session(engine) as session:
            rows, cursor = keyset_page(
                session=session,
                query=filtered(select(*columns), tenant_id, filters),
                model=Assessment,
                limit=BATCH,
                cursor=cursor,
            )
            chunk = _lines(row(r, dimensions) for r in rows)
        if rows:
            yield chunk
        if cursor is None:
            return


def _lines(rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)  # RFC 4180 line ends
    return buffer.getvalue().encode()


def _text(value: str | None) -> str:
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _number(value: float | None) -> str:
    return "" if value is None else repr(value)
