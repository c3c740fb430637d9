"""GET /v1/assessments/{id}/report and its share links: a printable page, in the caller's language, for the tenant only."""

from __future__ import annotations

import copy
import hashlib
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.models import Assessment, ReportShare
from tests.utils.factories import body, shipped_bank
from tests.utils.html import text, texts

REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def create(client: TestClient, auth: dict[str, str], example: str = "no_owner", **overrides: Any) -> str:
    response = client.post("/v1/assessments", json=body(example, **overrides), headers=auth)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def report(client: TestClient, auth: dict[str, str], assessment_id: str, **params: str) -> Any:
    return client.get(f"/v1/assessments/{assessment_id}/report", params=params, headers=auth)


def edit_result(db_engine: Engine, assessment_id: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Change a stored result in place, as an older or newer engine would have stored it."""
    with Session(db_engine) as session:
        assessment = session.get(Assessment, uuid.UUID(assessment_id))
        assert assessment is not None and assessment.result is not None
        result = copy.deepcopy(assessment.result)
        change(result)
        assessment.result = result
        session.add(assessment)
        session.commit()


class TestReport:
    def test_a_printable_page_in_english(self, client: TestClient, auth: dict[str, str]) -> None:
        assessment_id = create(client, auth)
        response = report(client, auth, assessment_id)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.headers["content-language"] == "en"
        page = response.text
        assert page.startswith("<!doctype html>") and '<html lang="en">' in page
        assert text(page, id="organisation") == "Kahvila Esimerkki Oy"
        assert text(page, id="decision") == "! Conditional go"
        assert text(page, id="score").endswith("80.2 of 100")
        assert "100%" in text(page, id="coverage")
        assert "Social media readiness, version 1.1.0" in page
        # the only gap of this answer set: ownership below its floor, with the questions that lost most
        gaps = texts(page, class_="gap")
        assert len(gaps) == 1
        assert gaps[0].startswith("Ownership and responsibilities Blocker Below minimum Score 32.5 Target 70 Minimum 50")
        stored = client.get(f"/v1/assessments/{assessment_id}", headers=auth).json()["result"]["gaps"][0]
        assert stored["recommendation"] in gaps[0]
        assert [q["prompt"] in gaps[0] for q in stored["questions"]] == [True] * len(stored["questions"])

    def test_the_radar_has_a_score_and_a_target_polygon_and_an_axis_per_dimension(
        self, client: TestClient, auth: dict[str, str]
    ) -> None:
        page = report(client, auth, create(client, auth)).text
        svg = re.search(r'<svg class="radar".*?</svg>', page, re.S)
        assert svg is not None
        assert len(re.findall(r'<polygon class="radar-score"', svg.group())) == 1
        assert len(re.findall(r'<polygon class="radar-target"', svg.group())) == 1
        assert len(re.findall(r'class="radar-axis"', svg.group())) == len(shipped_bank().dimensions)
        assert "Ownership and responsibilities" in texts(page, class_="radar-label")[6]

    def test_answers_show_option_labels_and_states_as_words(self, client: TestClient, auth: dict[str, str]) -> None:
        bank = shipped_bank()
        page = report(client, auth, create(client, auth, "borderline")).text
        lines = dict(zip(re.findall(r'data-question="(\w+)"', page), texts(page, class_="qa"), strict=True))
        why = bank.question("why_needed")
        given = body("borderline")["answers"]["why_needed"]
        label = next(o.label.en for o in why.options or [] if o.value == given)
        assert lines["why_needed"].startswith(why.prompt.en) and label in lines["why_needed"]
        assert f">{given}<" not in page  # the stored value itself is never shown
        assert "Don't know" in lines["data_use"]
        assert "Not applicable" in lines["channel_adaptation"]
        # a scale answer: its label and where it sits on the scale
        internal = bank.question("internal_agreement")
        value = body("borderline")["answers"]["internal_agreement"]
        assert f"({value}/5)" in lines["internal_agreement"]
        assert next(o.label.en for o in internal.options or [] if o.value == value) in lines["internal_agreement"]

    def test_finnish_by_query_or_accept_language(self, client: TestClient, auth: dict[str, str]) -> None:
        assessment_id = create(client, auth)
        by_query = report(client, auth, assessment_id, lang="fi")
        finnish = auth | {"Accept-Language": "fi-FI, en;q=0.5"}
        by_header = client.get(f"/v1/assessments/{assessment_id}/report", headers=finnish)
        for response in (by_query, by_header):
            assert response.headers["content-language"] == "fi"
            page = response.text
            assert '<html lang="fi">' in page
            assert text(page, id="decision") == "! Valmis ehdoin"
            assert "80,2" in text(page, id="score")
            assert "Sosiaalisen median valmius, versio 1.1.0" in page
            assert shipped_bank().dimension("ownership").title.fi in text(page, id="gaps")
            assert "Korjattavat puutteet kiireellisimmästä alkaen" in page
            assert "Annetut vastaukset" in page
        assert by_query.text.split("<footer>")[0] == by_header.text.split("<footer>")[0]

    def test_a_knock_out_is_shown_with_its_reason(self, client: TestClient, auth: dict[str, str]) -> None:
        page = report(client, auth, create(client, auth, "knockout")).text
        assert text(page, id="decision") == "✕ No go"
        knockouts = text(page, id="knockouts")
        assert knockouts.startswith("Knock-outs")
        assert "Why" in knockouts and "What to do" in knockouts
        assert texts(page, class_="gap")[0].split()[:3] == ["Purpose:", "why", "social"]

    def test_a_go_has_no_gaps(self, client: TestClient, auth: dict[str, str]) -> None:
        page = report(client, auth, create(client, auth, "ready")).text
        assert text(page, id="decision") == "✓ Go"
        assert "No gaps: every dimension meets its target." in text(page, id="gaps")
        assert 'id="knockouts"' not in page

    def test_the_organisation_name_is_escaped(self, client: TestClient, auth: dict[str, str]) -> None:
        name = '<script>alert("x")</script><img src=x onerror=alert(1)> & Co'
        respondent = {"organisation": name}
        page = report(client, auth, create(client, auth, respondent=respondent)).text
        assert "<script" not in page and "<img" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; Co" in page
        assert text(page, id="organisation") == name

    def test_a_stored_path_to_go_is_laid_out_step_by_step(
        self, client: TestClient, auth: dict[str, str], db_engine: Engine
    ) -> None:
        assessment_id = create(client, auth)
        step = {
            "kind": "floor", "dimension": "ownership", "title": "Ownership and responsibilities", "score": 32.46,
            "target": 50.0, "reach": 50.0, "questions": ["responsible_person", "strategy_owner"],
            "recommendations": ["Name a responsible person."],
        }  # fmt: skip
        path = {"steps": [step], "projected_score": 84.3, "margins": [], "score_margin": None}
        edit_result(db_engine, assessment_id, lambda r: r.update(path_to_go=path))
        section = text(report(client, auth, assessment_id).text, id="path-to-go")
        assert section.startswith("Path to go Closing these gaps, in this order, would turn the decision into go.")
        assert "Projected score after these steps: 84.3." in section
        assert "Reach the minimum: Ownership and responsibilities from 32.5 to 50.0" in section
        assert shipped_bank().question("responsible_person").prompt.en in section
        assert "Name a responsible person." in section

    def test_a_go_shows_its_margins(self, client: TestClient, auth: dict[str, str], db_engine: Engine) -> None:
        assessment_id = create(client, auth, "ready", locale="fi")  # stored in Finnish, read back as stored
        margin = {"dimension": "purpose", "title": "Purpose: why social media", "score": 90.9, "target": 70.0, "margin": 20.9}
        margins = [margin]
        path = {"steps": [], "projected_score": None, "margins": margins, "score_margin": 17.22}
        edit_result(db_engine, assessment_id, lambda r: r.update(path_to_go=path))
        section = text(report(client, auth, assessment_id, lang="fi").text, id="path-to-go")
        assert section.startswith("Pelivara Kuinka paljon kukin osa-alue on tavoitteensa yläpuolella (+)")
        assert "Kokonaispisteet ovat 17,2 pistettä aloitusrajan yläpuolella." in section
        assert "Purpose: why social media 90,9 70 +20,9" in section

    def test_a_follow_up_shows_the_change_since_the_assessment_it_follows(
        self, client: TestClient, auth: dict[str, str]
    ) -> None:
        first = create(client, auth, "borderline")
        later = create(client, auth, "ready", follows=first)
        compared = client.get(f"/v1/assessments/{later}/compare/{first}", headers=auth).json()
        for lang, decimal in (("en", "."), ("fi", ",")):
            page = report(client, auth, later, lang=lang).text
            section = text(page, id="progress")
            change = f"+{compared['score']['change']:.1f}".replace(".", decimal)
            assert change in section, (change, section)
            closed = client.get(f"/v1/assessments/{later}/compare/{first}", params={"lang": lang}, headers=auth).json()
            assert closed["gaps"]["closed"] and all(g["title"] in section for g in closed["gaps"]["closed"])
        # the first one follows nothing: no such section
        assert 'id="progress"' not in report(client, auth, first).text
        # and a shared link shows the change too
        shared = client.post(f"/v1/assessments/{later}/report/share", json={}, headers=auth).json()
        assert 'id="progress"' in client.get(shared["url"]).text

    def test_a_result_stored_without_a_path_to_go_gains_the_section(
        self, client: TestClient, auth: dict[str, str], db_engine: Engine
    ) -> None:
        # results stored by engine 1.0.0 lack the path; reading one re-scores it (the same numbers)
        assessment_id = create(client, auth)
        edit_result(db_engine, assessment_id, lambda r: r.pop("path_to_go", None))
        response = report(client, auth, assessment_id)
        assert response.status_code == 200 and 'id="path-to-go"' in response.text

    def test_text_answers_list_their_checks(self, client: TestClient, auth: dict[str, str], db_engine: Engine) -> None:
        assessment_id = create(client, auth)
        checks = [
            {"key": "fits", "label": "Fits in 140 characters", "passed": True, "recommendation": None},
            {"key": "audience", "label": "Names the audience", "passed": False, "recommendation": "Say whom you help."},
        ]

        def add_checks(result: dict[str, Any]) -> None:
            for question in result["questions"]:
                if question["key"] == "pitch_text":
                    question["checks"] = checks

        edit_result(db_engine, assessment_id, add_checks)
        page = report(client, auth, assessment_id).text
        line = texts(page, class_="qa")[re.findall(r'data-question="(\w+)"', page).index("pitch_text")]
        assert "“" in line and "Fits in 140 characters (passed)" in line and "Names the audience (not passed)" in line

    def test_a_draft_has_no_report_yet(self, client: TestClient, auth: dict[str, str]) -> None:
        assessment_id = create(client, auth, submit=False)
        response = report(client, auth, assessment_id)
        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"
        assert "draft" in response.json()["detail"]

    def test_another_tenants_or_an_unknown_assessment_is_not_found(
        self, client: TestClient, auth: dict[str, str], make_key: Callable[..., str]
    ) -> None:
        assessment_id = create(client, auth)
        other = {"Authorization": f"Bearer {make_key('agency-b')}"}
        for response in (report(client, other, assessment_id), report(client, auth, str(uuid.uuid4()))):
            assert response.status_code == 404
            assert response.headers["content-type"] == "application/problem+json"

    def test_the_same_keys_as_reading_the_assessment(
        self, client: TestClient, auth: dict[str, str], make_key: Callable[..., str]
    ) -> None:
        assessment_id = create(client, auth)
        publishable = {"Authorization": f"Bearer {make_key(kind='publishable')}"}
        assert report(client, publishable, assessment_id).status_code == 403
        assert client.get(f"/v1/assessments/{assessment_id}", headers=publishable).status_code == 403
        assert client.get(f"/v1/assessments/{assessment_id}/report").status_code == 401

    def test_the_page_loads_nothing_and_is_not_cached(self, client: TestClient, auth: dict[str, str]) -> None:
        response = report(client, auth, create(client, auth, "not_ready"))
        assert response.headers.get_list("content-security-policy") == [REPORT_CSP]
        assert response.headers.get_list("cache-control") == ["private, no-store"]
        page = response.text
        assert not re.search(r"(src|href)=|url\(|@import|<script|<link", page)


def share(client: TestClient, auth: dict[str, str], assessment_id: str, **request: Any) -> Any:
    return client.post(f"/v1/assessments/{assessment_id}/report/share", json=request or None, headers=auth)


def path_of(url: str) -> str:
    return url.removeprefix("http://testserver")


class TestShareLinks:
    def test_a_secret_key_makes_a_link_valid_for_a_week(self, client: TestClient, auth: dict[str, str]) -> None:
        assessment_id = create(client, auth)
        before = datetime.now(UTC)
        response = share(client, auth, assessment_id)
        assert response.status_code == 201
        created = response.json()
        assert set(created) == {"id", "assessment_id", "url", "token", "expires_at", "created_at", "expired"}
        assert created["url"] == f"http://testserver/v1/reports/{created['token']}"
        assert response.headers["location"] == created["url"]
        assert len(created["token"]) >= 43 and not created["expired"]
        expires_at = datetime.fromisoformat(created["expires_at"])
        assert before + timedelta(days=7) <= expires_at <= datetime.now(UTC) + timedelta(days=7)

    def test_the_link_shows_the_report_without_a_key(self, client: TestClient, auth: dict[str, str]) -> None:
        assessment_id = create(client, auth)
        url = share(client, auth, assessment_id).json()["url"]
        shared = client.get(path_of(url))
        assert shared.status_code == 200
        assert shared.headers["content-type"] == "text/html; charset=utf-8"
        own = report(client, auth, assessment_id)
        assert shared.text.split("<footer>")[0] == own.text.split("<footer>")[0]

    def test_a_shared_page_loads_nothing_and_is_kept_by_no_one(self, client: TestClient, auth: dict[str, str]) -> None:
        url = share(client, auth, create(client, auth)).json()["url"]
        headers = client.get(path_of(url)).headers
        assert headers.get_list("content-security-policy") == [REPORT_CSP]
        assert headers.get_list("cache-control") == ["private, no-store"]
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-robots-tag"] == "noindex, nofollow"
        assert headers["x-frame-options"] == "DENY"

    def test_the_reader_chooses_the_language(self, client: TestClient, auth: dict[str, str]) -> None:
        url = path_of(share(client, auth, create(client, auth)).json()["url"])
        assert text(client.get(url, params={"lang": "fi"}).text, id="decision") == "! Valmis ehdoin"
        finnish = client.get(url, headers={"Accept-Language": "fi"})
        assert finnish.headers["content-language"] == "fi" and '<html lang="fi">' in finnish.text
        assert text(client.get(url).text, id="decision") == "! Conditional go"

    def test_a_custom_lifetime_within_bounds(self, client: TestClient, auth: dict[str, str]) -> None:
        assessment_id = create(client, auth)
        created = share(client, auth, assessment_id, expires_in_seconds=3600).json()
        lifetime = datetime.fromisoformat(created["expires_at"]) - datetime.fromisoformat(created["created_at"])
        assert lifetime == timedelta(hours=1)
        for seconds in (59, 90 * 24 * 3600 + 1):
            refused = share(client, auth, assessment_id, expires_in_seconds=seconds)
            assert refused.status_code == 422
            assert refused.json()["errors"][0]["field"] == "expires_in_seconds"
        assert share(client, auth, assessment_id, expires_in_seconds=90 * 24 * 3600).status_code == 201

    def test_only_a_secret_key_of_the_tenant_shares(
        self, client: TestClient, auth: dict[str, str], make_key: Callable[..., str]
    ) -> None:
        assessment_id = create(client, auth)
        publishable = {"Authorization": f"Bearer {make_key(kind='publishable')}"}
        other = {"Authorization": f"Bearer {make_key('agency-b')}"}
        assert share(client, publishable, assessment_id).status_code == 403
        assert share(client, other, assessment_id).status_code == 404
        assert share(client, {}, assessment_id).status_code == 401
        assert share(client, auth, str(uuid.uuid4())).status_code == 404

    def test_a_draft_cannot_be_shared(self, client: TestClient, auth: dict[str, str]) -> None:
        response = share(client, auth, create(client, auth, submit=False))
        assert response.status_code == 409

    def test_only_the_hash_of_the_token_is_stored(
        self, client: TestClient, auth: dict[str, str], db_engine: Engine
    ) -> None:
        token = share(client, auth, create(client, auth)).json()["token"]
        with Session(db_engine) as session:
            stored = session.exec(select(ReportShare)).one()
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in stored.model_dump_json()

    def test_an_expired_link_is_gone(self, client: TestClient, auth: dict[str, str], db_engine: Engine) -> None:
        assessment_id = create(client, auth)
        created = share(client, auth, assessment_id, expires_in_seconds=60).json()
        with Session(db_engine) as session:
            stored = session.get(ReportShare, uuid.UUID(created["id"]))
            assert stored is not None
            stored.expires_at = datetime.now(UTC) - timedelta(seconds=1)
            session.add(stored)
            session.commit()
        response = client.get(path_of(created["url"]))
        assert response.status_code == 410
        assert response.headers["content-type"] == "application/problem+json"
        assert "expired" in response.json()["detail"]
        listed = client.get(f"/v1/assessments/{assessment_id}/report/share", headers=auth).json()["items"]
        assert [(s["id"], s["expired"]) for s in listed] == [(created["id"], True)]

    @pytest.mark.parametrize("token", ["unknown", "x" * 43, "%3Cscript%3E", "a" * 2000])
    def test_an_unknown_or_garbled_token_is_not_found(self, client: TestClient, token: str) -> None:
        response = client.get(f"/v1/reports/{token}")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

    def test_a_revoked_link_is_not_found(
        self, client: TestClient, auth: dict[str, str], make_key: Callable[..., str]
    ) -> None:
        assessment_id = create(client, auth)
        first, second = share(client, auth, assessment_id).json(), share(client, auth, assessment_id).json()
        listed = client.get(f"/v1/assessments/{assessment_id}/report/share", headers=auth).json()["items"]
        assert [s["id"] for s in listed] == [second["id"], first["id"]]
        other = {"Authorization": f"Bearer {make_key('agency-b')}"}
        revoke = f"/v1/assessments/{assessment_id}/report/share/{first['id']}"
        assert client.delete(revoke, headers=other).status_code == 404
        assert client.delete(revoke, headers=auth).status_code == 204
        assert client.get(path_of(first["url"])).status_code == 404
        assert client.get(path_of(second["url"])).status_code == 200
        assert client.delete(revoke, headers=auth).status_code == 404
        listed = client.get(f"/v1/assessments/{assessment_id}/report/share", headers=auth).json()["items"]
        assert [s["id"] for s in listed] == [second["id"]]

    def test_erasing_the_assessment_kills_its_links(
        self, client: TestClient, auth: dict[str, str], db_engine: Engine
    ) -> None:
        assessment_id = create(client, auth)
        url = share(client, auth, assessment_id).json()["url"]
        assert client.delete(f"/v1/assessments/{assessment_id}", headers=auth).status_code == 204
        assert client.get(path_of(url)).status_code == 404
        with Session(db_engine) as session:
            assert session.exec(select(ReportShare)).all() == []

    def test_links_start_with_the_public_url_when_one_is_set(self, settings: Any, auth: dict[str, str]) -> None:
        from app.main import create_app

        configured = settings.model_copy(update={"public_url": "https://readiness.example.com/"})
        with TestClient(create_app(configured)) as client:
            created = share(client, auth, create(client, auth)).json()
        assert created["url"] == f"https://readiness.example.com/v1/reports/{created['token']}"
