"""The application factory: engine, bank registry, routers and error rendering."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlmodel import Session

from app import migrations
from app.api.middleware import BodySizeLimit, RateLimit, SecurityHeaders
from app.api.openapi import install_openapi
from app.api.routes import (
    assessments,
    bank_versions,
    banks,
    form_schema,
    health,
    keys,
    metrics,
    reports,
    scoring,
    statistics,
    webhooks,
)
from app.db import engine_for
from app.observability.logging import access_logger, configure_logging
from app.observability.metrics import Metrics, multiprocess_dir
from app.observability.middleware import RequestTelemetry
from app.problems import install_problem_handlers
from app.services import banks as bank_service
from app.services import keys as key_service
from app.settings import Settings, get_settings
from app.webhooks import worker as webhook_worker

DESCRIPTION = """
Tells an organisation whether it is ready to start marketing on social media,
and what to fix first. Fetch a question bank, submit answers, get a
`go` / `conditional_go` / `no_go` / `insufficient_data` decision with the gaps
to close, each with a concrete recommendation.

Texts come in English (`en`) and Finnish (`fi`): choose with `?lang=` or
`Accept-Language`. Errors are RFC 9457 `application/problem+json`.
Stored assessments need an API key: `Authorization: Bearer <key>`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(level=settings.log_level, fmt=settings.log_format)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = engine_for(settings)
        try:
            with Session(engine) as session:
                bank_service.sync_shipped_banks(session=session, banks_dir=settings.banks_dir)
                app.state.registry = bank_service.load_registry(session=session)
            app.state.engine = engine
            app.state.schema_head = migrations.head_revision(settings)
            # what start-up made (banks, models, routes) lives as long as the process: out of the collector's
            # sight, a full collection walks only what requests make, and the long pauses go from the tail
            gc.freeze()
            # 32 clients' requests in 32 threads spent most of their CPU handing the interpreter lock around
            # (a list page cost 4 times its work): a few threads, and the rest wait their turn on the loop
            to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
            with webhook_worker.running(engine=engine, settings=settings):
                yield
        finally:
            gc.unfreeze()  # an app stopped in a process that goes on (a test) leaves nothing out of reach
            engine.dispose()

    app = FastAPI(
        title="SoMe Readiness API",
        version="1.0.0",
        summary="Is this organisation ready to market on social media?",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.key_cache = key_service.KeyCache(settings.key_cache_seconds)
    app.state.metrics = Metrics(multiprocess_dir=multiprocess_dir())
    app.state.metrics.watch_webhook_queue(lambda: getattr(app.state, "engine", None))
    install_problem_handlers(app)
    for module in (health, banks, form_schema, bank_versions, scoring, assessments, reports, statistics, keys, webhooks):
        app.include_router(module.router)
    app.include_router(reports.shared_router)
    if settings.metrics_enabled:
        app.include_router(metrics.router)
    _install_middleware(app, settings)
    install_openapi(app)
    return app


def _install_middleware(app: FastAPI, settings: Settings) -> None:
    # added innermost first: the body limit runs last, CORS first, so even a 413 or 429 carries CORS headers
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RateLimit, limit=settings.rate_limit, storage_uri=settings.rate_limit_storage)
    app.add_middleware(SecurityHeaders)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Accept-Language", "If-None-Match", "If-Match", "Idempotency-Key"],
            expose_headers=["ETag", "Link", "Location", "Retry-After", "Content-Language", "X-Request-ID"],
            max_age=600,
        )
    # outermost: every answer, a 413, a 429 or a CORS preflight too, carries a request id and is counted and logged
    app.add_middleware(RequestTelemetry, metrics=app.state.metrics, log=access_logger())
