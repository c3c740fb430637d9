"""The report as a browser shows it: the real server, a share link, and Debian's Chromium, headless.

For each decision, in English and Finnish, the shared page is opened at phone
and desktop width and printed to PDF: its main parts must be there, and no
element may reach past the right edge of the window (no sideways scrolling).
Chromium is driven through Playwright's client, which uses the system's
`chromium` and never downloads a browser of its own.

    READINESS_REPORT_SCREENSHOT_DIR=docs .venv/bin/python -m pytest tests/system/test_report_render.py

also saves a screenshot of every page there: `report.png` and `report-phone.png`
for the English conditional go, `report-<decision>-<lang>[-phone].png` for the rest.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.models import Assessment
from app.models.tenants import KeyKind
from app.services import keys as key_service
from tests.conftest import TEST_PEPPER, empty_database
from tests.utils.factories import body, shipped_bank
from tests.utils.server import Server

# the real-server tests take turns on one xdist worker: never two of them loading the machine at once
pytestmark = pytest.mark.xdist_group("system")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT_DIR = os.environ.get("READINESS_REPORT_SCREENSHOT_DIR")
PHONE, DESKTOP = 375, 1280
# A4 less the page margins of the print stylesheet (13 mm each side), in CSS pixels
PRINT_WIDTH = round((210 - 26) / 25.4 * 96)



def require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI") == "true":  # .ci/run installs it: missing there is a broken set-up, not a reason to skip
        pytest.fail(f"chromium not found at {CHROMIUM}; .ci/run should have installed it")
    pytest.skip("Debian's chromium is not installed here (apt-get install chromium)")


CASES = [
    pytest.param("borderline", "conditional_go", id="conditional_go"),
    pytest.param("knockout", "no_go", id="no_go-knockout"),
    pytest.param("ready", "go", id="go"),
]
EXAMPLES = [case.values[0] for case in CASES]
LANGUAGES = ("en", "fi")

# Every element whose box reaches past the right edge of the window (or the left), by tag and class.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5)) {
      out.push(element.tagName.toLowerCase() + '.' + (element.getAttribute('class') || '') + ' ' + Math.round(box.right));
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, clientWidth: width, elements: out.slice(0, 10)};
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # the system's Chromium, offline: no first-run, sync, update or background traffic of its own
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                "--disable-background-networking", "--disable-component-update",
            ],
        )  # fmt: skip
        yield launched
        launched.close()


@dataclass(frozen=True)
class Shared:
    url: str
    result: dict[str, Any]
    path_to_go: dict[str, Any]


@pytest.fixture(scope="module")
def shared(database_url: str, db_engine: Engine) -> Iterator[dict[tuple[str, str], Shared]]:
    """Every case's assessment on one real server, each with a share link; the database emptied afterwards."""
    require_chromium()
    env = {
        "READINESS_DATABASE_URL": database_url,
        "READINESS_KEY_PEPPER": TEST_PEPPER,
        "READINESS_RATE_LIMIT": "1000000/minute",
        "READINESS_WEBHOOKS_WORKER": "false",
    }
    server = Server(env)
    server.start()
    try:
        with Session(db_engine) as session:
            _, key = key_service.create_key(
                session=session, tenant_name="report-render", pepper=TEST_PEPPER, kind=KeyKind.secret
            )
        made: dict[tuple[str, str], Shared] = {}
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as http:
            for example in EXAMPLES:
                for lang in LANGUAGES:
                    created = http.post("/v1/assessments", json=body(example, locale=lang))
                    assert created.status_code == 201, created.text
                    assessment = created.json()
                    path_to_go = with_path_to_go(db_engine, assessment["id"])
                    link = http.post(f"/v1/assessments/{assessment['id']}/report/share")
                    assert link.status_code == 201, link.text
                    made[example, lang] = Shared(link.json()["url"], assessment["result"], path_to_go)
        yield made
    finally:
        server.stop()
        empty_database(db_engine)


def with_path_to_go(db_engine: Engine, assessment_id: str) -> dict[str, Any]:
    """The stored path to go; a result stored before the engine worked one out gets one made from its first gaps."""
    with Session(db_engine) as session:
        assessment = session.get(Assessment, uuid.UUID(assessment_id))
        assert assessment is not None and assessment.result is not None
        if "path_to_go" in assessment.result:
            return assessment.result["path_to_go"]
        result = dict(assessment.result)
        titles = {d["key"]: d["title"] for d in result["dimensions"]}
        steps = [
            {
                "kind": gap["kind"],
                "dimension": gap["dimension"],
                "title": titles[gap["dimension"]],
                "score": gap["score"],
                "target": gap["target"],
                "reach": gap["floor"] if gap["kind"] == "floor" else gap["target"],
                "questions": [q["key"] for q in gap["questions"]],
                "recommendations": [gap["recommendation"]],
            }
            for gap in result["gaps"][:2]
        ]
        margins = [
            {"dimension": d["key"], "title": d["title"], "score": d["score"], "target": d["target"],
             "margin": round(d["score"] - d["target"], 2)}
            for d in result["dimensions"] if not steps and d["score"] is not None
        ]  # fmt: skip
        path = {"steps": steps, "projected_score": None, "margins": margins, "score_margin": None}
        assessment.result = result | {"path_to_go": path}
        session.add(assessment)
        session.commit()
        return path


def shot(page: Any, name: str, *, height: int) -> None:
    if not SCREENSHOT_DIR:
        return
    folder = Path(SCREENSHOT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    full = page.evaluate("document.documentElement.scrollHeight")
    clip = {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": min(full, height)}
    page.screenshot(path=str(folder / name), full_page=True, clip=clip)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("example", "decision"), CASES)
def test_the_report_renders_on_a_phone_a_desktop_and_paper(
    example: str, decision: str, lang: str, shared: dict[tuple[str, str], Shared], browser: Any
) -> None:
    link, result, path_to_go = shared[example, lang].url, shared[example, lang].result, shared[example, lang].path_to_go
    assert result["decision"] == decision
    shown = [q for q in result["questions"] if q["state"] != "hidden"]
    name = "report" if (decision, lang) == ("conditional_go", "en") else f"report-{decision}-{lang}"

    for width in (PHONE, DESKTOP):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale=lang)
        page = context.new_page()
        requested: list[str] = []
        page.on("request", lambda request, seen=requested: seen.append(request.url))
        # no key: the share link, served with its own strict Content-Security-Policy
        response = page.goto(f"{link}?lang={lang}", wait_until="load")
        assert response is not None and response.status == 200
        assert requested == [f"{link}?lang={lang}"]  # the page itself, and nothing else
        assert page.locator("html").get_attribute("lang") == lang

        assert page.locator("#decision").get_attribute("data-decision") == decision
        score = f"{result['score']:.1f}".replace(".", "," if lang == "fi" else ".")
        assert page.locator("#score .figure-value").inner_text() == score
        # the inline stylesheet applies under the page's CSP: the badge has its colour and its border
        assert page.locator("#decision").evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"
        radar = page.locator("svg.radar")
        assert radar.count() == 1 and radar.bounding_box()["width"] > 250  # type: ignore[index]
        assert page.locator("svg.radar polygon.radar-score").count() == 1
        assert page.locator("svg.radar polygon.radar-target").count() == 1
        assert page.locator("svg.radar .radar-label").count() == len(shipped_bank().dimensions)
        assert page.locator("#gaps li.gap").count() == len(result["gaps"])
        if decision == "no_go":
            assert page.locator("#knockouts .knockout").count() == len(result["knockouts"]) > 0
        path = page.locator("#path-to-go")
        assert path.count() == 1
        assert path.locator(".step").count() == len(path_to_go["steps"])
        assert path.locator(".margin").count() == len(path_to_go["margins"])
        assert page.locator("#answers .qa").count() == len(shown)

        layout = page.evaluate(OVERFLOWING)
        assert layout["elements"] == [] and layout["scrollWidth"] <= layout["clientWidth"], (width, layout)

        label = "" if width == DESKTOP else "-phone"
        shot(page, f"{name}{label}.png", height=1900 if width == DESKTOP else 2400)
        context.close()

    # paper: nothing wider than an A4 page's text, and the PDF is A4 with several pages
    context = browser.new_context(viewport={"width": PRINT_WIDTH, "height": 1000}, locale=lang)
    page = context.new_page()
    page.goto(f"{link}?lang={lang}", wait_until="load")
    page.emulate_media(media="print")
    layout = page.evaluate(OVERFLOWING)
    assert layout["elements"] == [] and layout["scrollWidth"] <= layout["clientWidth"], ("print", layout)
    pdf = page.pdf(prefer_css_page_size=True)
    context.close()
    assert pdf.startswith(b"%PDF-")
    sizes = {tuple(round(float(v)) for v in m) for m in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)}
    assert sizes == {(595, 842)}, sizes  # A4 in points, from the page's @page rule
    assert len(re.findall(rb"/Type /Page\b", pdf)) >= 2
