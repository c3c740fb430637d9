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
from app.services.assessments import ListFilters, filtered

BATCH = 1000
TOP_GAPS = 3
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


def _columns() -> list[Any]:
    """The columns an export reads: the result's parts it shows, picked out by the database.

    A stored result is ~18 KB of JSON; decoding it whole for every row was
    most of an export's time, while a row needs ~1 KB of it.
    """
    result = Assessment.result  # a JSON column: indexing compiles to the engine's JSON path operator
    gaps = [
        part
        for i in range(TOP_GAPS)
        for part in (result[("gaps", i, "dimension")].label(f"gap_{i}"), result[("gaps", i, "severity")].label(f"severity_{i}"))  # type: ignore[index]
    ]
    return [
        *(getattr(Assessment, name) for name in _STORED),
        result["coverage"].label("coverage"),  # type: ignore[index]
        result["dimensions"].label("dimensions"),  # type: ignore[index]
        *gaps,
        result[("gaps", 0, "recommendation")].label("recommendation"),  # type: ignore[index]
    ]


_STORED = (
    "id", "created_at", "submitted_at", "status", "bank_slug", "bank_version",
    "organisation", "email", "external_ref", "decision", "score",
)


def row(stored: Any, dimensions: Sequence[str]) -> list[Any]:
    scores = {d["key"]: d["score"] for d in stored.dimensions or []}
    gaps = [(getattr(stored, f"gap_{i}"), getattr(stored, f"severity_{i}")) for i in range(TOP_GAPS)]
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
        _number(stored.coverage),
        *(_number(scores.get(key)) for key in dimensions),
        "; ".join(f"{dimension} ({severity})" for dimension, severity in gaps if dimension is not None),
        _text(stored.recommendation),
    ]


def stream(
    *, engine: Engine, tenant_id: uuid.UUID, filters: ListFilters, dimensions: Sequence[str]
) -> Iterator[bytes]:
    """The CSV document, a batch of rows at a time; each batch is its own short read."""
    yield _lines([header(dimensions)])
    columns = _columns()
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
