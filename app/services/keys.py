"""Tenants and API keys. A key is shown once; only its HMAC with a server-side pepper is stored.

A key reads `rdy_sk_<token>` (secret) or `rdy_pk_<token>` (publishable): the
prefix says its kind at a glance and lets secret scanners find leaked ones.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from app.models import ApiKey, Tenant
from app.models.common import utcnow
from app.models.tenants import ApiKeyCreated, ApiKeyPublic, KeyKind
from app.problems import Conflict, NotFound, Unauthorized
from app.services.pagination import keyset_page

PREFIXES = {KeyKind.secret: "rdy_sk_", KeyKind.publishable: "rdy_pk_"}
KEY_PREFIX = PREFIXES[KeyKind.secret]
# what a listing may show of a key: enough to recognise it, far too little to use it
VISIBLE_CHARS = len(KEY_PREFIX) + 6
# secrets.token_urlsafe(32) is 43 URL-safe characters; anything else was never issued, so it is refused unhashed
KEY_PATTERN = re.compile(r"rdy_(?:sk|pk)_[A-Za-z0-9_-]{43}")
# last_used_at is kept to the minute, so authenticating is not a write on every request
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the tenant and the key it called with."""

    tenant: Tenant
    key: ApiKey

    @property
    def kind(self) -> KeyKind:
        return KeyKind(self.key.kind)


class KeyCache:
    """Keys this process has recently authenticated, so a busy client's key is not looked up per request.

    Revoking or rotating a key through this process forgets it here at once;
    another process notices within `seconds`. Zero seconds turns the cache off.
    """

    def __init__(self, seconds: float, size: int = 4096) -> None:
        self.seconds = seconds
        self.size = size
        self._items: OrderedDict[str, tuple[float, Principal]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, digest: str) -> Principal | None:
        if self.seconds <= 0:
            return None
        with self._lock:
            item = self._items.get(digest)
        if item is None or item[0] < time.monotonic():
            return None
        principal = item[1]
        if principal.key.expires_at is not None and principal.key.expires_at <= utcnow():
            return None  # past its grace period: the database says why
        return principal

    def put(self, digest: str, principal: Principal) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            self._items[digest] = (time.monotonic() + self.seconds, principal)
            self._items.move_to_end(digest)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def forget(self, key_id: uuid.UUID) -> None:
        with self._lock:
            for digest in [d for d, (_, p) in self._items.items() if p.key.id == key_id]:
                del self._items[digest]


def hash_key(key: str, pepper: str) -> str:
    return hmac.new(pepper.encode(), key.encode(), hashlib.sha256).hexdigest()


def find_tenant(*, session: Session, name: str) -> Tenant | None:
    return session.exec(select(Tenant).where(Tenant.name == name)).first()


def create_key(
    *,
    session: Session,
    tenant_name: str,
    pepper: str,
    kind: KeyKind = KeyKind.secret,
    name: str | None = None,
) -> tuple[Tenant, str]:
    """A new key for the tenant (created if new); returns the plaintext key, which is not stored."""
    tenant = find_tenant(session=session, name=tenant_name)
    if tenant is None:
        tenant = Tenant(name=tenant_name)
        session.add(tenant)
        session.flush()
    _, key = issue_key(session=session, tenant=tenant, pepper=pepper, kind=kind, name=name)
    return tenant, key


def issue_key(
    *, session: Session, tenant: Tenant, pepper: str, kind: KeyKind, name: str | None = None
) -> tuple[ApiKey, str]:
    """A new key of KIND for the tenant, committed; the plaintext is returned this once."""
    row, key = _new_key(tenant_id=tenant.id, pepper=pepper, kind=kind, name=name)
    session.add(row)
    session.commit()
    return row, key


def _new_key(*, tenant_id: uuid.UUID, pepper: str, kind: KeyKind, name: str | None) -> tuple[ApiKey, str]:
    key = PREFIXES[kind] + secrets.token_urlsafe(32)
    row = ApiKey(
        tenant_id=tenant_id, kind=kind.value, name=name, prefix=key[:VISIBLE_CHARS], key_hash=hash_key(key, pepper)
    )
    return row, key


def authenticate(
    *, open_session: Callable[[], Session], key: str, pepper: str, cache: KeyCache | None = None
) -> Principal:
    """The tenant and key row for a presented key; 401 for a malformed, unknown, revoked or expired one.

    A session is opened only when the key is not cached: most requests need none for this.
    """
    if not KEY_PATTERN.fullmatch(key):
        raise Unauthorized("The API key is not valid")
    digest = hash_key(key, pepper)
    cached = cache.get(digest) if cache is not None else None
    if cached is not None:
        return cached
    with open_session() as session:
        principal = _look_up(session=session, digest=digest)
    if cache is not None:
        cache.put(digest, principal)
    return principal


def _look_up(*, session: Session, digest: str) -> Principal:
    found = session.exec(
        select(ApiKey, Tenant).join(Tenant, col(Tenant.id) == col(ApiKey.tenant_id)).where(ApiKey.key_hash == digest)
    ).first()
    # The lookup is by the keyed hash, so timing says nothing about a stored one; the
    # constant-time comparison makes that explicit rather than left to the index.
    if found is None or not hmac.compare_digest(found[0].key_hash, digest):
        raise Unauthorized("The API key is not valid")
    row, tenant = found
    now = utcnow()
    if row.revoked_at is not None:
        raise Unauthorized("The API key has been revoked")
    if row.expires_at is not None and row.expires_at <= now:
        raise Unauthorized("The API key has expired")
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now
        session.add(row)
        session.commit()
    return _snapshot(tenant, row)


def _snapshot(tenant: Tenant, key: ApiKey) -> Principal:
    """Copies outside any session: a request's rollback or expiry cannot touch what the cache shares."""
    return Principal(
        tenant=Tenant.model_validate(tenant.model_dump()), key=ApiKey.model_validate(key.model_dump())
    )


def get_key(*, session: Session, tenant: Tenant, key_id: uuid.UUID) -> ApiKey:
    row = session.get(ApiKey, key_id)
    # another tenant's key is indistinguishable from a missing one
    if row is None or row.tenant_id != tenant.id:
        raise NotFound(f"No API key {key_id}")
    return row


def list_keys(
    *, session: Session, tenant: Tenant, limit: int, cursor: str | None = None
) -> tuple[list[ApiKey], str | None]:
    """The tenant's keys, newest first, by keyset on (created_at, id)."""
    query = select(ApiKey).where(ApiKey.tenant_id == tenant.id)
    return keyset_page(session=session, query=query, model=ApiKey, limit=limit, cursor=cursor)


def revoke_key(*, session: Session, key: ApiKey) -> ApiKey:
    """Stop the key working now; 409 if it already was revoked."""
    if key.revoked_at is not None:
        raise Conflict(f"API key {key.id} was already revoked")
    key.revoked_at = utcnow()
    session.add(key)
    session.commit()
    return key


def rotate_key(*, session: Session, key: ApiKey, pepper: str, grace_seconds: int) -> tuple[ApiKey, str]:
    """A new key of the same kind and name; the old one keeps working for the grace period, then stops."""
    now = utcnow()
    if key.revoked_at is not None:
        raise Conflict(f"API key {key.id} is revoked; create a new key instead")
    if key.expires_at is not None:
        # rotating twice would leave two successors; revoke it to cut its grace short
        raise Conflict(f"API key {key.id} was already rotated; rotate its successor instead")
    new, plaintext = _new_key(tenant_id=key.tenant_id, pepper=pepper, kind=KeyKind(key.kind), name=key.name)
    key.expires_at = now + timedelta(seconds=grace_seconds)
    session.add_all([key, new])
    session.commit()  # one transaction: never a successor without the old key's end, nor the reverse
    return new, plaintext


def listed(key: ApiKey) -> ApiKeyPublic:
    """A key as listed: never its hash."""
    return ApiKeyPublic.model_validate(key, from_attributes=True)


def created(key: ApiKey, plaintext: str) -> ApiKeyCreated:
    """A new key with the plaintext, shown this once."""
    return ApiKeyCreated(**listed(key).model_dump(), key=plaintext)
