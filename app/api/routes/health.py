"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app import migrations
from app.problems import problem_responses, problem_response

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up and serving."""
    return {"status": "ok"}


@router.get("/readyz", responses=problem_responses(503))
def readyz(request: Request) -> JSONResponse:
    """The database answers and its schema is at the migrations' head."""
    state = request.app.state
    try:
        with state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = migrations.current_revision(state.engine)
    except SQLAlchemyError:
        return problem_response(request, 503, "not-ready", "Service Unavailable", "The database is not reachable")
    if current != state.schema_head:
        detail = f"The database schema is at {current}, not at {state.schema_head}: run `readiness db upgrade`"
        return problem_response(request, 503, "not-ready", "Service Unavailable", detail)
    return JSONResponse({"status": "ready", "schema": current})
