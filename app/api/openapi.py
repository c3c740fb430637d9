"""The OpenAPI document: problem+json for errors, and response examples made from the live bank.

Examples are computed from the shipped bank and the documented request example
when the document is first asked for, so they can never drift from what the API
really answers.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from app.api.examples import ASSESSMENT_EXAMPLES, READY_ANSWERS
from app.banks import public as bank_views
from app.banks.registry import BankRegistry
from app.problems import PROBLEM_JSON
from app.scoring.engine import score

EXAMPLE_SLUG = "social-media-readiness"
EXAMPLE_ID = "0b7e2f44-8a51-4c1e-9f0e-3d2a6c1b5e77"
EXAMPLE_TIME = "2026-11-02T09:30:00+00:00"


def install_openapi(app: FastAPI) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            _problems_only_as_problem_json(schema)
            registry = getattr(app.state, "registry", None)
            if registry is not None:
                _add_response_examples(schema, registry)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _problems_only_as_problem_json(schema: dict[str, Any]) -> None:
    """Error responses are problem+json only; FastAPI would also list application/json for them."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status[0] in "45" and PROBLEM_JSON in content:
                    content.pop("application/json", None)


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
    }
    examples = {
        ("/v1/banks/{slug}", "get", "200"): bank,
        ("/v1/banks/{slug}/versions/{version}", "get", "200"): bank,
        ("/v1/score", "post", "200"): result,
        ("/v1/assessments", "post", "201"): assessment | {"answers": READY_ANSWERS, "result": result},
        ("/v1/assessments/{assessment_id}", "get", "200"): assessment | {"answers": READY_ANSWERS, "result": result},
        ("/v1/assessments", "get", "200"): {"items": [assessment], "next_cursor": None},
    }
    for (path, method, status), example in examples.items():
        response = schema["paths"][path][method]["responses"][status]
        response["content"]["application/json"]["example"] = example
