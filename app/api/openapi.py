"""The OpenAPI document: problem+json for errors, and response examples made from the live bank.

Examples are computed from the shipped bank and the documented request example
when the document is first asked for, so they can never drift from what the API
really answers.

The responses every operation shares are derived from the app itself, so a new
route is documented the moment it is added: 401 (and 403 for secret-key
routes) from its key dependencies, 400 and 413 from its request body, 404 from
its path parameters, 429 from the rate limiter, and the key as optional where
the route also serves anonymous callers. Routes declare their own domain
errors (409, 304, 503, ...) in `responses=`.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant

from app.api import deps
from app.api.examples import ASSESSMENT_EXAMPLES, FIRST_ANSWERS, FOLLOW_UP_ANSWERS, READY_ANSWERS
from app.api.middleware import BodySizeLimit, RateLimit
from app.banks import public as bank_views
from app.banks.registry import BankRegistry, RegisteredBank
from app.problems import PROBLEM_JSON, route_table
from app.scoring.compare import compare
from app.scoring.engine import score

EXAMPLE_SLUG = "social-media-readiness"
EXAMPLE_ID = "0b7e2f44-8a51-4c1e-9f0e-3d2a6c1b5e77"
EXAMPLE_BASELINE_ID = "5a3c9d1e-2f47-4b8a-a6d0-7e1b4c2f9a13"
EXAMPLE_TIME = "2026-11-02T09:30:00+00:00"


def install_openapi(app: FastAPI) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            _declare_shared_responses(app, schema)
            _problems_only_as_problem_json(schema)
            _add_links(schema)
            registry = getattr(app.state, "registry", None)
            if registry is not None:
                _add_response_examples(schema, registry)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _problems_only_as_problem_json(schema: dict[str, Any]) -> None:
    """Error responses are problem+json only; FastAPI would also list the route's own type (JSON, HTML) for them."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status[0] in "45" and PROBLEM_JSON in content:
                    response["content"] = {PROBLEM_JSON: content[PROBLEM_JSON]}


# A dependency that answers 401 without a valid key, and one that answers 403 unless the key is secret.
KEY_REQUIRED: Callable[..., Any] = deps.get_principal
SECRET_KEY_REQUIRED: Callable[..., Any] = deps.get_secret_principal
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_HEADERS = {
    401: {
        "WWW-Authenticate": {
            "description": '`Bearer realm="readiness"`',
            "required": True,
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {
            "description": "seconds to wait before trying again",
            "required": True,
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
        }
    },
}
_DESCRIPTIONS = {
    400: "Malformed JSON",
    401: "No key, or a key that is malformed, unknown, revoked or expired",
    403: "A publishable key where a secret key is needed",
    404: HTTPStatus(404).phrase,
    413: "The request body is over the configured size",
    429: "Too many requests from this key (or address); see Retry-After",
}


def _operations(app: FastAPI) -> Iterator[tuple[str, str, Dependant]]:
    """(path, method, dependant) of each documented operation, from the app's own route table."""
    for route in route_table(app):
        if not isinstance(getattr(route, "original_route", route), routing.APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            yield route.path_format, method.lower(), route.dependant


def _calls(dependant: Dependant) -> set[Any]:
    found = set()
    for sub in dependant.dependencies:
        found.add(sub.call)
        found |= _calls(sub)
    return found


def _middleware(app: FastAPI, cls: type) -> dict[str, Any] | None:
    """The keyword arguments a middleware class was installed with (its defaults filled in), or None."""
    for item in app.user_middleware:
        if item.cls is cls:
            defaults = {
                name: p.default
                for name, p in inspect.signature(cls.__init__).parameters.items()
                if p.default is not inspect.Parameter.empty
            }
            return defaults | dict(item.kwargs)
    return None


def _problem(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _DESCRIPTIONS.get(status, HTTPStatus(status).phrase),
        "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}},
    }
    if status in _HEADERS:
        response["headers"] = _HEADERS[status]
    return response


def _declare_shared_responses(app: FastAPI, schema: dict[str, Any]) -> None:
    """Declare the statuses that keys, bodies, path parameters and middleware add, on every operation they apply to."""
    rate_limit = _middleware(app, RateLimit)
    body_limit = _middleware(app, BodySizeLimit)
    rate_exempt = set(rate_limit.get("exempt", ())) if rate_limit else set()
    for path, method, dependant in _operations(app):
        operation = schema["paths"].get(path, {}).get(method)
        if operation is None:
            continue
        responses = operation["responses"]
        statuses: list[int] = []
        if operation.get("security"):
            calls = _calls(dependant)
            statuses.append(401)
            if SECRET_KEY_REQUIRED in calls:
                statuses.append(403)
            if KEY_REQUIRED not in calls:
                # the key is optional: without one the caller is anonymous, with one it must be valid
                operation["security"] = [{}, *operation["security"]]
        if "requestBody" in operation:
            statuses.append(400)
            if body_limit is not None:
                statuses.append(413)
        if "{" in path:
            statuses.append(404)
        if rate_limit is not None and path not in rate_exempt:
            statuses.append(429)
        for status in statuses:
            response = responses.setdefault(str(status), _problem(status))
            if status in _HEADERS:
                response.setdefault("headers", _HEADERS[status])
        # FastAPI documents its own validation error shape there; every 422 of this API is a problem document
        if "HTTPValidationError" in json.dumps(responses.get("422", {})):
            responses["422"] = _problem(422) | {"description": "The request is not valid"}
    components = schema.get("components", {}).get("schemas", {})
    if "HTTPValidationError" not in json.dumps(schema["paths"]):
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)


# OpenAPI links: how a response's values feed the next request (clients and stateful fuzzers follow them).
_VERSION = {"slug": "$response.body#/slug", "version": "$response.body#/version"}
_FIRST_BANK = {"slug": "$response.body#/items/0/slug", "version": "$response.body#/items/0/version"}
_VERSION_TARGETS = {
    "GetVersion": ("/v1/banks/{slug}/versions/{version}", "get", _VERSION),
    "GetFormSchema": ("/v1/banks/{slug}/versions/{version}/form-schema", "get", _VERSION),
    "ReplaceDraft": ("/v1/banks/{slug}/versions/{version}", "put", _VERSION),
    "Validate": ("/v1/banks/{slug}/versions/{version}/validate", "post", _VERSION),
    "Publish": ("/v1/banks/{slug}/versions/{version}/publish", "post", _VERSION),
    "Retire": ("/v1/banks/{slug}/versions/{version}/retire", "post", _VERSION),
    "Impact": ("/v1/banks/{slug}/versions/{version}/impact", "post", _VERSION),
    "Diff": (
        "/v1/banks/{slug}/versions/{version}/diff",
        "get",
        _VERSION | {"query.against": "$response.body#/version"},
    ),
    "NewVersion": ("/v1/banks/{slug}/versions", "post", {"slug": "$response.body#/slug"}),
    "Stats": ("/v1/banks/{slug}/versions/{version}/stats", "get", _VERSION),
}
_ASSESSMENT = {"assessment_id": "$response.body#/id"}
_KEY = {"key_id": "$response.body#/id"}
LINKS: dict[tuple[str, str, str], dict[str, tuple[str, str, dict[str, str]]]] = {
    ("/v1/banks", "get", "200"): {
        "GetBank": ("/v1/banks/{slug}", "get", {"slug": "$response.body#/items/0/slug"}),
        "GetVersion": ("/v1/banks/{slug}/versions/{version}", "get", _FIRST_BANK),
        "GetFormSchema": ("/v1/banks/{slug}/versions/{version}/form-schema", "get", _FIRST_BANK),
        "Stats": ("/v1/banks/{slug}/versions/{version}/stats", "get", _FIRST_BANK),
        "Diff": (
            "/v1/banks/{slug}/versions/{version}/diff",
            "get",
            _FIRST_BANK | {"query.against": "$response.body#/items/0/version"},
        ),
    },
    ("/v1/banks", "post", "201"): _VERSION_TARGETS,
    ("/v1/banks/{slug}/versions", "post", "201"): _VERSION_TARGETS,
    ("/v1/banks/{slug}/versions/{version}/publish", "post", "200"): {
        name: _VERSION_TARGETS[name] for name in ("GetVersion", "Retire", "Impact", "NewVersion", "Stats")
    },
    ("/v1/assessments", "post", "201"): {
        "GetAssessment": ("/v1/assessments/{assessment_id}", "get", _ASSESSMENT),
        "DeleteAssessment": ("/v1/assessments/{assessment_id}", "delete", _ASSESSMENT),
        # an assessment compared with itself: the one pair of ids a single response is sure to make comparable
        "CompareAssessments": (
            "/v1/assessments/{assessment_id}/compare/{other_id}",
            "get",
            _ASSESSMENT | {"other_id": "$response.body#/id"},
        ),
        "GetReport": ("/v1/assessments/{assessment_id}/report", "get", _ASSESSMENT),
        "ShareReport": ("/v1/assessments/{assessment_id}/report/share", "post", _ASSESSMENT),
        "ListReportShares": ("/v1/assessments/{assessment_id}/report/share", "get", _ASSESSMENT),
        "GetPeers": ("/v1/assessments/{assessment_id}/peers", "get", _ASSESSMENT),
    },
    ("/v1/assessments/{assessment_id}/report/share", "post", "201"): {
        "GetSharedReport": ("/v1/reports/{token}", "get", {"token": "$response.body#/token"}),
        "RevokeShare": (
            "/v1/assessments/{assessment_id}/report/share/{share_id}",
            "delete",
            {"assessment_id": "$response.body#/assessment_id", "share_id": "$response.body#/id"},
        ),
    },
    ("/v1/keys", "post", "201"): {
        "RevokeKey": ("/v1/keys/{key_id}/revoke", "post", _KEY),
        "RotateKey": ("/v1/keys/{key_id}/rotate", "post", _KEY),
    },
    ("/v1/keys/{key_id}/rotate", "post", "201"): {"RevokeKey": ("/v1/keys/{key_id}/revoke", "post", _KEY)},
}


def _add_links(schema: dict[str, Any]) -> None:
    """Links between operations that exist; one whose end is missing is left out."""
    paths = schema["paths"]
    for (path, method, status), links in LINKS.items():
        response = paths.get(path, {}).get(method, {}).get("responses", {}).get(status)
        if response is None:
            continue
        for name, (target_path, target_method, parameters) in links.items():
            target = paths.get(target_path, {}).get(target_method)
            if target is None or "operationId" not in target:
                continue
            response.setdefault("links", {})[name] = {"operationId": target["operationId"], "parameters": parameters}


def _add_response_examples(schema: dict[str, Any], registry: BankRegistry) -> None:
    registered = registry.latest(EXAMPLE_SLUG)
    if registered is None:
        return
    bank = bank_views.bank_view(registered, "en", False)
    result = score(registered.bank, READY_ANSWERS, lang="en", content_hash=registered.content_hash).model_dump(
        mode="json"
    )
    request = ASSESSMENT_EXAMPLES["ready"]["value"]
    assessment = {
        "id": EXAMPLE_ID,
        "bank": registered.slug,
        "bank_version": registered.version,
        "status": "submitted",
        "respondent": request["respondent"],
        "decision": result["decision"],
        "score": result["score"],
        "created_at": EXAMPLE_TIME,
        "updated_at": EXAMPLE_TIME,
        "follows": None,
    }
    examples = {
        ("/v1/banks/{slug}", "get", "200"): bank,
        ("/v1/banks/{slug}/versions/{version}", "get", "200"): bank,
        ("/v1/score", "post", "200"): result,
        ("/v1/assessments", "post", "201"): assessment | {"answers": READY_ANSWERS, "result": result},
        ("/v1/assessments/{assessment_id}", "get", "200"): assessment | {"answers": READY_ANSWERS, "result": result},
        ("/v1/assessments", "get", "200"): {"items": [assessment], "next_cursor": None},
        ("/v1/assessments/{assessment_id}/compare/{other_id}", "get", "200"): _comparison_example(registered),
    }
    for (path, method, status), example in examples.items():
        response = schema["paths"][path][method]["responses"][status]
        response["content"]["application/json"]["example"] = example


def _comparison_example(registered: RegisteredBank) -> dict[str, Any]:
    """A follow-up compared with the first assessment: what `compare` answers for the example answers."""

    def result(answers: dict[str, Any]) -> dict[str, Any]:
        return score(registered.bank, answers, lang="en", content_hash=registered.content_hash).model_dump(mode="json")

    ids = {"assessment": EXAMPLE_ID, "baseline": EXAMPLE_BASELINE_ID}
    return ids | compare(result(FOLLOW_UP_ANSWERS), result(FIRST_ANSWERS))
