"""The delivery worker: sends what the outbox holds, retries with backoff, records every attempt.

Several workers may run at once (server processes, `readiness webhooks worker`):
each claims a batch of due deliveries by setting a lease (`locked_until`) and
commits the claim before it sends. On PostgreSQL the candidates are selected
`FOR UPDATE SKIP LOCKED`, so concurrent workers pass over each other's rows
instead of waiting; on both engines the claim is a conditional UPDATE that
only succeeds while nobody holds the lease, so no two workers send the same
delivery at once. A worker that dies mid-batch leaves leases that expire, and
its deliveries are sent again by the next worker: receivers deduplicate on
`webhook-id`, as the Standard Webhooks spec asks.
"""

from __future__ import annotations

import logging
import random
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Engine, or_, update
from sqlmodel import Session, col, select
from standardwebhooks import Webhook

from app.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from app.models.common import utcnow
from app.models.webhooks import DeliveryStatus
from app.services import webhooks as webhook_service
from app.settings import Settings
from app.text import has_control_characters
from app.webhooks.backoff import next_delay
from app.webhooks.urls import Resolver, UnsafeURL, check_resolved

logger = logging.getLogger(__name__)

USER_AGENT = "SoMe-Readiness-Webhooks/1.0"
BATCH_SIZE = 10
EXCERPT_BYTES = 1024
GONE = 410


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to."""

    status_code: int | None = None
    error: str | None = None
    body_excerpt: str | None = None
    duration_ms: int = 0

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def signed_headers(*, secret: str, message_id: str, body: str, now: datetime) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt: the id stays, the timestamp and signature are new."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, now, body),
        "content-type": "application/json",
    }


class DeliveryWorker:
    def __init__(
        self,
        *,
        engine: Engine,
        settings: Settings,
        rng: random.Random | None = None,
        resolve: Resolver = socket.getaddrinfo,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.rng = rng or random.Random()
        self.resolve = resolve
        self.batch_size = batch_size
        # long enough for the whole batch to be sent one by one, each up to its timeout
        self.lease = timedelta(seconds=batch_size * settings.webhook_timeout_seconds + 30)
        # redirects are not followed: a 3xx could point anywhere, past the address checks
        self.client = httpx.Client(
            timeout=settings.webhook_timeout_seconds, follow_redirects=False, headers={"user-agent": USER_AGENT}
        )

    def close(self) -> None:
        self.client.close()

    def run(self, stop: threading.Event) -> None:
        """Deliver until STOP is set, looking for due deliveries every poll interval when idle."""
        while not stop.is_set():
            try:
                sent = self.run_once(stop)
            except Exception:
                # the database may be restarting: say so and try again later rather than stop delivering for good
                logger.exception("webhook delivery round failed")
                sent = 0
            if sent == 0:
                stop.wait(self.settings.webhook_poll_seconds)

    def drain(self) -> int:
        """Deliver everything that is due now, then return how many attempts were made."""
        total = 0
        while sent := self.run_once():
            total += sent
        return total

    def run_once(self, stop: threading.Event | None = None) -> int:
        """Claim one batch of due deliveries and attempt each; the number attempted."""
        claimed = self.claim()
        for done, delivery_id in enumerate(claimed):
            if stop is not None and stop.is_set():
                # shutting down: hand the rest back now rather than when their lease runs out
                self.release(claimed[done:])
                return done
            self.attempt(delivery_id)
        return len(claimed)

    def claim(self) -> list[uuid.UUID]:
        now = utcnow()
        due = (
            col(WebhookDelivery.status) == DeliveryStatus.pending,
            col(WebhookDelivery.next_attempt_at) <= now,
            or_(col(WebhookDelivery.locked_until).is_(None), col(WebhookDelivery.locked_until) < now),
        )
        with Session(self.engine) as session:
            candidates = session.exec(
                select(WebhookDelivery.id)
                .where(*due)
                .order_by(col(WebhookDelivery.next_attempt_at))
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has a single writer and ignores it
            ).all()
            claimed = []
            for delivery_id in candidates:
                result = session.exec(
                    update(WebhookDelivery)
                    .where(col(WebhookDelivery.id) == delivery_id, *due)
                    .values(locked_until=now + self.lease)
                )
                if result.rowcount == 1:
                    claimed.append(delivery_id)
            session.commit()
        return claimed

    def release(self, delivery_ids: list[uuid.UUID]) -> None:
        with Session(self.engine) as session:
            session.exec(
                update(WebhookDelivery).where(col(WebhookDelivery.id).in_(delivery_ids)).values(locked_until=None)
            )
            session.commit()

    def attempt(self, delivery_id: uuid.UUID) -> None:
        with Session(self.engine, expire_on_commit=False) as session:
            delivery = session.get(WebhookDelivery, delivery_id)
            if delivery is None or delivery.status != DeliveryStatus.pending:
                return  # its endpoint was deleted or disabled meanwhile
            event = session.get(WebhookEvent, delivery.event_id)
            endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
            assert event is not None and endpoint is not None  # foreign keys
        # no transaction stays open while the endpoint takes its time
        outcome = self.send(endpoint, event)
        with Session(self.engine, expire_on_commit=False) as session:
            self.record(session, delivery_id, outcome)

    def send(self, endpoint: WebhookEndpoint, event: WebhookEvent) -> Outcome:
        started = time.monotonic()
        try:
            self.check_address(endpoint.url)
            headers = signed_headers(secret=endpoint.secret, message_id=event.id, body=event.payload, now=utcnow())
            with self.client.stream("POST", endpoint.url, content=event.payload.encode(), headers=headers) as response:
                excerpt = _read_excerpt(response)
            return Outcome(status_code=response.status_code, body_excerpt=excerpt, duration_ms=_elapsed_ms(started))
        except UnsafeURL as exc:
            return Outcome(error=str(exc), duration_ms=_elapsed_ms(started))
        except httpx.TimeoutException:
            return Outcome(error=f"timed out after {self.settings.webhook_timeout_seconds:g} s", duration_ms=_elapsed_ms(started))
        except httpx.HTTPError as exc:
            return Outcome(error=_describe(exc), duration_ms=_elapsed_ms(started))

    def check_address(self, url: str) -> None:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        check_resolved(parts.hostname or "", port, allow_localhost=self.settings.webhooks_allow_localhost, resolve=self.resolve)

    def record(self, session: Session, delivery_id: uuid.UUID, outcome: Outcome) -> None:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None:
            return  # the endpoint was deleted while we sent
        now = utcnow()
        session.add(
            WebhookAttempt(
                delivery_id=delivery.id,
                attempted_at=now,
                status_code=outcome.status_code,
                error=outcome.error,
                response_body_excerpt=outcome.body_excerpt,
                duration_ms=outcome.duration_ms,
            )
        )
        delivery.attempt_count += 1
        delivery.last_status_code = outcome.status_code
        delivery.locked_until = None
        delivery.updated_at = now
        if outcome.succeeded:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.succeeded, None
        elif delivery.status != DeliveryStatus.pending:
            pass  # failed meanwhile: its endpoint was disabled while this attempt was on its way
        elif outcome.status_code == GONE:
            # 410: the receiver says this endpoint is gone for good; stop sending to it (PATCH enabled=true revives it)
            endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
            assert endpoint is not None
            webhook_service.disable_endpoint(session=session, endpoint=endpoint, reason="the endpoint answered 410 Gone")
            delivery.status, delivery.next_attempt_at = DeliveryStatus.failed, None
        else:
            delay = next_delay(delivery.attempt_count, self.settings.webhook_retry_schedule, self.rng)
            if delay is None:
                delivery.status, delivery.next_attempt_at = DeliveryStatus.failed, None
            else:
                delivery.next_attempt_at = now + timedelta(seconds=delay)
        session.add(delivery)
        session.commit()


@contextmanager
def running(*, engine: Engine, settings: Settings) -> Iterator[None]:
    """The in-process worker (unless `webhooks_worker` is off) in a thread for the duration of the block."""
    if not settings.webhooks_worker:
        yield
        return
    stop = threading.Event()
    worker = DeliveryWorker(engine=engine, settings=settings)
    thread = threading.Thread(target=worker.run, args=(stop,), name="webhook-delivery", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        # an attempt in flight finishes (at most its timeout) before the engine goes away
        thread.join(timeout=settings.webhook_timeout_seconds + 5)
        worker.close()


def _read_excerpt(response: httpx.Response) -> str | None:
    chunks = bytearray()
    for chunk in response.iter_bytes():
        chunks += chunk
        if len(chunks) >= EXCERPT_BYTES:
            break
    if not chunks:
        return None
    text = bytes(chunks[:EXCERPT_BYTES]).decode("utf-8", errors="replace")
    return _printable(text)


def _describe(exc: httpx.HTTPError) -> str:
    cause = exc.__cause__ or exc.__context__
    reason = str(exc) or (str(cause) if cause else "") or type(exc).__name__
    if isinstance(exc, httpx.ConnectError) and "refused" in reason.lower():
        reason = "connection refused"
    return _printable(reason)[:500]


def _printable(text: str) -> str:
    # PostgreSQL refuses NUL in text, and control characters mean nothing in a log of answers
    if not has_control_characters(text):
        return text
    return "".join(c if c in "\t\n\r" or not has_control_characters(c) else "\ufffd" for c in text)


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
