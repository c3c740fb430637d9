"""Domain errors and their one renderer: RFC 9457 `application/problem+json`.

Every error response names what was wrong in `errors`, each item with a JSON
pointer into the request (`pointer`), a dotted `field` and a `detail`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request, routing
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.observability import context

PROBLEM_JSON = "application/problem+json"
# A URN: stable to compare on, and not pretending to be a page that can be fetched (RFC 9457 3.1.1).
PROBLEM_BASE = "urn:problem-type:some-readiness:"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FieldError:
    field: str  # dotted path, e.g. "answers.pitch" or "query.limit"
    detail: str
    code: str = "invalid"

    @property
    def pointer(self) -> str:
        if not self.field:
            return "#"  # the whole document
        return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in self.field.split("."))


class ProblemError(Exception):
    """Base of every domain error; carries its status and problem type."""

    status: int = 400
    type_slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str, errors: Sequence[FieldError] = (), headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors)
        self.headers = headers or {}


class NotFound(ProblemError):
    status, type_slug, title = 404, "not-found", "Not found"


class Conflict(ProblemError):
    status, type_slug, title = 409, "conflict", "Conflict with the current state"


class Gone(ProblemError):
    status, type_slug, title = 410, "gone", "Gone"


class InvalidRequest(ProblemError):
    status, type_slug, title = 422, "validation-error", "The request is not valid"


class Unauthorized(ProblemError):
    status, type_slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="readiness"'})


class Forbidden(ProblemError):
    status, type_slug, title = 403, "forbidden", "Not allowed with this key"


class ProblemItem(BaseModel):
    pointer: str = Field(examples=["#/answers/pitch"])
    field: str = Field(examples=["answers.pitch"])
    code: str = Field(examples=["too_long"])
    detail: str = Field(examples=["at most 140 characters, got 141"])


class Problem(BaseModel):
    """An RFC 9457 problem document, as every error of this API is returned."""

    type: str = Field(examples=[PROBLEM_BASE + "validation-error"])
    title: str = Field(examples=["The request is not valid"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["2 answers are not valid"])
    instance: str | None = Field(default=None, examples=["/v1/assessments"])
    errors: list[ProblemItem] = Field(default_factory=list)


def problem_response(
    request: Request,
    status: int,
    type_slug: str,
    title: str,
    detail: str,
    errors: Sequence[FieldError] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + type_slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "errors": [{"pointer": e.pointer, "field": e.field, "code": e.code, "detail": e.detail} for e in errors],
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entries that make the OpenAPI document name each error a route returns."""
    return {
        status: {
            "model": Problem,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


def _validation_errors(exc: RequestValidationError) -> list[FieldError]:
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        # "body" is FastAPI's root for the payload; a client's pointer starts at its own document
        if loc and loc[0] == "body":
            loc = loc[1:]
        if err.get("type") == "json_invalid":
            # the location of a JSON syntax error is a character offset, not a field
            where = f" at character {loc[0]}" if loc else ""
            errors.append(FieldError(field="", detail=f"{err.get('msg', 'invalid JSON')}{where}", code="json_invalid"))
            continue
        errors.append(FieldError(field=".".join(loc), detail=err.get("msg", "invalid"), code=err.get("type", "invalid")))
    return errors


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(request, exc.status, exc.type_slug, exc.title, exc.detail, exc.errors, exc.headers)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _validation_errors(exc)
    if any(e.code == "json_invalid" for e in errors):
        return problem_response(request, 400, "malformed-json", "Malformed JSON", "The body is not valid JSON", errors)
    count = len(errors)
    detail = f"{count} field{'s' if count != 1 else ''} not valid"
    return problem_response(request, 422, InvalidRequest.type_slug, InvalidRequest.title, detail, errors)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    phrase = HTTPStatus(exc.status_code).phrase
    detail = exc.detail if isinstance(exc.detail, str) else phrase
    slug = phrase.lower().replace(" ", "-")
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:
        # The router names only the methods of the first route it matched; RFC 9110 wants all the resource has.
        allowed = _allowed_methods(request)
        if allowed:
            headers["Allow"] = ", ".join(allowed)
    return problem_response(request, exc.status_code, slug, phrase, detail, headers=headers or None)


def route_table(app: FastAPI) -> Iterator[Any]:
    """Every route of the app with its full path, also those of included routers (newer FastAPI keeps them nested)."""
    iter_route_contexts = getattr(routing, "iter_route_contexts", None)
    return iter(iter_route_contexts(app.routes) if iter_route_contexts else app.routes)


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path."""
    path = request.scope.get("path", "")
    methods: set[str] = set()
    for route in route_table(request.app):
        pattern = getattr(route, "path_regex", None)
        if pattern is not None and pattern.match(path):
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Logged with its traceback for the operator; the client gets a problem document, not a stack.
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    # this answer is sent from outside the request-id middleware: the id the operator needs is added here
    request_id = context.request_id()
    headers = {"X-Request-ID": request_id} if request_id else None
    return problem_response(
        request, 500, "internal-error", "Internal Server Error", "An unexpected error occurred", headers=headers
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)
