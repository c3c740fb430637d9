"""The Idempotency-Key header on POSTs that create or submit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Header, Request, Response
from sqlmodel import Session

from app.api.deps import ApiKeyDep, SessionDep, SettingsDep
from app.services import idempotency as idempotency_service
from app.services.idempotency import StoredResponse

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
# printable ASCII; the draft sends the key as a quoted structured-field string, Stripe bare: both are taken
KEY_PATTERN = r'^("[\x21\x23-\x7e]{1,255}"|[\x21\x23-\x7e]{1,255})$'


@dataclass
class Idempotency:
    """Runs a route's work once per key: the first time for real, then as a replay of its answer."""

    session: Session
    tenant_id: object
    key: str | None
    fingerprint: str
    method: str
    path: str
    policy: idempotency_service.Policy

    def run(self, respond: Callable[[], Response]) -> Response:
        """Call `respond` (which flushes its change) and commit, remembering the answer under the key."""
        if self.key is None:
            response = respond()
            self.session.commit()
            return response
        claimed = idempotency_service.claim(
            self.session,
            tenant_id=self.tenant_id,  # type: ignore[arg-type]
            key=self.key,
            fingerprint=self.fingerprint,
            method=self.method,
            path=self.path,
            policy=self.policy,
        )
        if isinstance(claimed, StoredResponse):
            return _replay(claimed)
        try:
            response = respond()
            stored = StoredResponse(
                status_code=response.status_code,
                headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.raw_headers],
                body=bytes(response.body),
            )
            idempotency_service.complete(self.session, claimed, stored)
            # the change and its remembered answer are committed together, or neither is
            self.session.commit()
        except BaseException:
            idempotency_service.release(self.session, claimed)
            raise
        return response


def _replay(stored: StoredResponse) -> Response:
    response = Response(content=stored.body, status_code=stored.status_code)
    response.raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in stored.headers]
    response.headers[REPLAYED] = "true"
    return response


async def get_idempotency(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: ApiKeyDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            pattern=KEY_PATTERN,
            description="Any unique string up to 255 characters (a UUID is good): a retry with the same key "
            "and body gets the first answer again, for "
            "24 hours by default",
        ),
    ] = None,
) -> Idempotency:
    key = idempotency_key.strip('"') if idempotency_key is not None else None
    # FastAPI has read the body already: this returns the same bytes
    body = await request.body()
    return Idempotency(
        session=session,
        tenant_id=principal.tenant.id,
        key=key,
        fingerprint=idempotency_service.fingerprint(request.method, request.url.path, body),
        method=request.method,
        path=request.url.path,
        policy=idempotency_service.Policy(
            ttl=timedelta(seconds=settings.idempotency_ttl_seconds),
            lock=timedelta(seconds=settings.idempotency_lock_seconds),
        ),
    )


IdempotencyDep = Annotated[Idempotency, Depends(get_idempotency)]
