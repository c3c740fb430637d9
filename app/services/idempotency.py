"""Idempotency-Key: a retried POST gets the first answer again, byte for byte.

Follows the IETF httpapi Idempotency-Key draft and Stripe's practice: the key
is the client's, scoped to its tenant; the same key with another request is
refused (422); a retry while the first request is still running gets 409; a
remembered answer expires after a configurable time.

The claim is committed on its own so that racing retries see it at once; the
answer is stored in the same transaction as the change it reports, so after a
crash there is either both or neither, and a claim whose request died is taken
over once its lock lapses.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson
from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.models.idempotency import IdempotencyRecord
from app.models.common import utcnow
from app.problems import Conflict, InvalidRequest

# a claim can be lost to a racing release or expiry between our insert and our read; a few rounds settle it
_ROUNDS = 5
# expired records are deleted by the claims themselves, at most this often per process
PURGE_EVERY = timedelta(minutes=10)
_next_purge = datetime.min.replace(tzinfo=UTC)


class KeyReused(InvalidRequest):
    type_slug, title = "idempotency-key-reused", "Idempotency-Key used for another request"


class RequestInFlight(Conflict):
    type_slug, title = "idempotency-request-in-flight", "A request with this Idempotency-Key is still running"


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Policy:
    ttl: timedelta
    lock: timedelta


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes two requests the same: method, path and the JSON value sent.

    The JSON value, not its spelling: a retry that orders keys or spaces them
    differently is still the same request.
    """
    try:
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS) if body else b""
    except orjson.JSONDecodeError:
        canonical = body
    return hashlib.sha256(b"\x1f".join((method.encode(), path.encode(), canonical))).hexdigest()


def claim(
    session: Session, *, tenant_id: uuid.UUID, key: str, fingerprint: str, method: str, path: str, policy: Policy
) -> uuid.UUID | StoredResponse:
    """Claim `key` for this request (its record id), or the answer already stored for it.

    Raises KeyReused for another request under the same key and RequestInFlight
    while the first one holds the claim.
    """
    global _next_purge
    if utcnow() >= _next_purge:
        _next_purge = utcnow() + PURGE_EVERY
        purge_expired(session)
    for _ in range(_ROUNDS):
        now = utcnow()
        record = IdempotencyRecord(tenant_id=tenant_id, key=key, **_claimed(fingerprint, method, path, policy, now))
        session.add(record)
        try:
            session.commit()
            return record.id
        except IntegrityError:
            session.rollback()
        existing = session.exec(
            select(IdempotencyRecord).where(IdempotencyRecord.tenant_id == tenant_id, IdempotencyRecord.key == key)
        ).one_or_none()
        if existing is None:
            continue  # released or purged since our insert failed: try again
        if existing.expires_at <= now:
            taken = _take_over(session, existing, fingerprint, method, path, policy, now, expired=True)
        elif existing.fingerprint != fingerprint:
            raise KeyReused(
                f"Idempotency-Key {key!r} was first used for another request ({existing.method} {existing.path} "
                "with another body); use a new key for a new request"
            )
        elif existing.status_code is not None:
            return StoredResponse(
                status_code=existing.status_code,
                headers=[(name, value) for name, value in existing.headers or []],
                body=existing.body or b"",
            )
        elif existing.locked_until > now:
            raise RequestInFlight(
                f"A request with Idempotency-Key {key!r} is still being processed; retry shortly",
                headers={"Retry-After": "1"},
            )
        else:
            # the first request's process died before it answered: nothing of it was committed
            taken = _take_over(session, existing, fingerprint, method, path, policy, now, expired=False)
        if taken:
            return existing.id
    raise RequestInFlight(f"Idempotency-Key {key!r} is contended; retry shortly", headers={"Retry-After": "1"})


def _take_over(
    session: Session,
    record: IdempotencyRecord,
    fingerprint: str,
    method: str,
    path: str,
    policy: Policy,
    now: datetime,
    *,
    expired: bool,
) -> bool:
    # a conditional update: of two requests taking over the same record only one matches
    condition = (
        col(IdempotencyRecord.expires_at) <= now
        if expired
        else (col(IdempotencyRecord.status_code).is_(None) & (col(IdempotencyRecord.locked_until) <= now))
    )
    result = session.execute(
        update(IdempotencyRecord)
        .where(col(IdempotencyRecord.id) == record.id, condition)
        .values(status_code=None, headers=None, body=None, **_claimed(fingerprint, method, path, policy, now))
    )
    session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def _claimed(fingerprint: str, method: str, path: str, policy: Policy, now: datetime) -> dict[str, object]:
    """A record's columns while a request holds it."""
    return {
        "fingerprint": fingerprint,
        "method": method,
        "path": path,
        "created_at": now,
        "locked_until": now + policy.lock,
        "expires_at": now + policy.ttl,
    }


def complete(session: Session, record_id: uuid.UUID, response: StoredResponse) -> None:
    """Remember the answer; the caller commits it together with the change it reports."""
    session.execute(
        update(IdempotencyRecord)
        .where(col(IdempotencyRecord.id) == record_id)
        .values(status_code=response.status_code, headers=[list(h) for h in response.headers], body=response.body)
    )


def release(session: Session, record_id: uuid.UUID) -> None:
    """Forget a claim whose request failed: the client may fix the request and send it again."""
    session.rollback()
    session.execute(
        delete(IdempotencyRecord).where(
            col(IdempotencyRecord.id) == record_id, col(IdempotencyRecord.status_code).is_(None)
        )
    )
    session.commit()


def forget(session: Session, *, tenant_id: uuid.UUID, location: str) -> None:
    """Forget every remembered answer about the resource at `location`; the caller commits.

    Deleting a resource must not leave a copy of it to be replayed (an answer
    holds the whole assessment, or a webhook's secret): a retry afterwards is
    a new request. The answers are those that created it (its `Location`, or
    its `id` in the body) and those sent to a path under it.
    """
    parent, _, resource_id = location.rpartition("/")
    candidates = session.exec(
        select(IdempotencyRecord.id, IdempotencyRecord.path, IdempotencyRecord.headers, IdempotencyRecord.body).where(
            IdempotencyRecord.tenant_id == tenant_id,
            or_(col(IdempotencyRecord.path) == parent, col(IdempotencyRecord.path).startswith(location + "/")),
        )
    ).all()
    doomed = [
        r.id
        for r in candidates
        if r.path != parent or ["location", location] in (r.headers or []) or _created_id(r.body) == resource_id
    ]
    if doomed:
        session.execute(delete(IdempotencyRecord).where(col(IdempotencyRecord.id).in_(doomed)))


def _created_id(body: bytes | None) -> object:
    try:
        created = orjson.loads(body or b"")
    except orjson.JSONDecodeError:
        return None
    return created.get("id") if isinstance(created, dict) else None


def purge_expired(session: Session) -> int:
    """Delete remembered answers past their time; returns how many."""
    result = session.execute(delete(IdempotencyRecord).where(col(IdempotencyRecord.expires_at) <= utcnow()))
    session.commit()
    return result.rowcount  # type: ignore[attr-defined]
