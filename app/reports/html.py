"""The report as one self-contained HTML page, from the context `app.reports.view.build` makes."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined


@cache
def _environment() -> Environment:
    # autoescape on everything: organisation names and custom banks are the caller's text
    return Environment(
        loader=PackageLoader("app.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(context: dict[str, Any]) -> str:
    return _environment().get_template("report.html").render(context)
