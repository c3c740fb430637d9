"""Prometheus metrics: requests by route template, their latency, decisions, and the webhook queue.

Labels are bounded: a route is its template (`/v1/assessments/{assessment_id}`),
never the raw path, and no label names a tenant.

Several worker processes (`readiness serve --workers N`) follow
prometheus-client's multi-process mode: with PROMETHEUS_MULTIPROC_DIR set
before the workers start, each writes its counts to files there, and a scrape,
whichever worker answers it, adds up the files of all of them. Counters and
histograms of a worker that has exited still count, as they must; there are no
live gauges to remove for it (`mark_process_dead`), because the one gauge, the
webhook queue, is counted in the database at scrape time.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from app.models import WebhookDelivery
from app.models.webhooks import DeliveryStatus
from app.scoring.result import Decision

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# from a cached bank read (about a millisecond) to a long CSV export
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# any other method a client makes up is counted as "other": one series, not one per invention
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
QUEUE_DEPTH = "readiness_webhook_deliveries_pending"

logger = logging.getLogger(__name__)


class Submitted(Protocol):
    decision: str | None


class Metrics:
    """One app's metrics and the registry `/metrics` renders."""

    def __init__(self, *, multiprocess_dir: str | None = None) -> None:
        self.registry = CollectorRegistry()
        if multiprocess_dir:
            # the values live in the directory's files, every process's: read back from there, not from here
            MultiProcessCollector(self.registry, path=multiprocess_dir)
        own = None if multiprocess_dir else self.registry
        self.requests = Counter(
            "readiness_http_requests",
            "HTTP requests answered, by method, route template and status",
            ["method", "route", "status"],
            registry=own,
        )
        self.latency = Histogram(
            "readiness_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by method and route template",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=own,
        )
        self.submitted = Counter(
            "readiness_assessments_submitted",
            "Assessments scored and stored, by decision",
            ["decision"],
            registry=own,
        )
        # bounded as the labels are: methods, route templates and statuses
        self._series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        for decision in Decision:  # every decision is a series from the start, at 0
            self.submitted.labels(decision.value)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        method = method if method in _METHODS else "other"
        # the labelled series, looked up once each: `labels()` checks and joins its values on every call
        key = (method, route, status)
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = (self.requests.labels(method, route, str(status)), self.latency.labels(method, route))
        series[0].inc()
        series[1].observe(seconds)

    def count_submitted(self, assessments: Iterable[Submitted]) -> None:
        """Count what was submitted, once committed: drafts carry no decision and are not counted."""
        for assessment in assessments:
            if assessment.decision is not None:
                self.submitted.labels(assessment.decision).inc()

    def watch_webhook_queue(self, engine: Callable[[], Engine | None]) -> None:
        self.registry.register(WebhookQueueDepth(engine))

    def render(self, accept: str | None) -> tuple[bytes, str]:
        """The exposition in the format the scraper asks for (Prometheus text, or OpenMetrics), and its media type."""
        encoder, media_type = choose_encoder(accept or "")
        return encoder(self.registry), media_type


class WebhookQueueDepth(Collector):
    """Deliveries waiting to be sent, counted in the database when scraped: one figure however many processes serve."""

    def __init__(self, engine: Callable[[], Engine | None]) -> None:
        self.engine = engine

    def describe(self) -> Iterable[Metric]:
        # named without a query: registering must not touch the database
        return [GaugeMetricFamily(QUEUE_DEPTH, _QUEUE_HELP)]

    def collect(self) -> Iterable[Metric]:
        engine = self.engine()
        if engine is None:  # not started yet
            return []
        query = select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.status == DeliveryStatus.pending)  # type: ignore[arg-type]
        try:
            with engine.connect() as connection:
                pending = connection.execute(query).scalar_one()
        except SQLAlchemyError:
            # the other metrics are still worth a scrape; /readyz reports the database
            logger.warning("webhook queue depth not collected: the database did not answer")
            return []
        return [GaugeMetricFamily(QUEUE_DEPTH, _QUEUE_HELP, value=pending)]


_QUEUE_HELP = "Webhook deliveries waiting for their next attempt (status pending)"


@contextmanager
def shared_directory(workers: int) -> Iterator[None]:
    """For several workers, a fresh directory for their metrics (unless one is set), removed when they stop."""
    if workers == 1 or os.environ.get(MULTIPROC_ENV):
        yield
        return
    # fresh: prometheus-client wants the directory emptied between runs, or old counts would be added in
    path = tempfile.mkdtemp(prefix="readiness-metrics-")
    os.environ[MULTIPROC_ENV] = path
    try:
        yield
    finally:
        del os.environ[MULTIPROC_ENV]
        shutil.rmtree(path, ignore_errors=True)


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None
