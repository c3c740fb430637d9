"""Tenants and API keys. A key is shown once; only its HMAC with a server-side pepper is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlmodel import Session, select

from app.models import ApiKey, Tenant

KEY_PREFIX = "rdy_sk_"
# what a listing may show of a key: enough to recognise it, far too little to use it
VISIBLE_CHARS = len(KEY_PREFIX) + 6


def hash_key(key: str, pepper: str) -> str:
    return hmac.new(pepper.encode(), key.encode(), hashlib.sha256).hexdigest()


def create_key(*, session: Session, tenant_name: str, pepper: str) -> tuple[Tenant, str]:
    """A new key for the tenant (created if new); returns the plaintext key, which is not stored."""
    tenant = session.exec(select(Tenant).where(Tenant.name == tenant_name)).first()
    if tenant is None:
        tenant = Tenant(name=tenant_name)
        session.add(tenant)
        session.flush()
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiKey(tenant_id=tenant.id, prefix=key[:VISIBLE_CHARS], key_hash=hash_key(key, pepper)))
    session.commit()
    return tenant, key


def authenticate(*, session: Session, key: str, pepper: str) -> Tenant | None:
    # The lookup is by the keyed hash, so timing reveals nothing about the stored secret.
    row = session.exec(
        select(Tenant)
        .join(ApiKey, ApiKey.tenant_id == Tenant.id)
        .where(ApiKey.key_hash == hash_key(key, pepper), ApiKey.revoked_at.is_(None))  # type: ignore[union-attr]
    ).first()
    return row
