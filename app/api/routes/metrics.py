"""Prometheus metrics for the monitoring network: left out of the API document, which is for clients."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

router = APIRouter(tags=["monitoring"])


# sync: the webhook queue is counted with a database query, which must not block the event loop
@router.get("/metrics", include_in_schema=False)
def get_metrics(request: Request) -> Response:
    """Request counts and latencies by route, decisions, webhook queue depth: in Prometheus or OpenMetrics text."""
    body, media_type = request.app.state.metrics.render(request.headers.get("accept"))
    return Response(body, media_type=media_type)
