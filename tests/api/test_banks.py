"""GET /v1/banks, /v1/banks/{slug}, /v1/banks/{slug}/versions/{version}."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.banks.public import BankList, BankVersionPublic
from tests.utils.factories import SHIPPED_SLUG, SHIPPED_VERSION, SHIPPED_VERSIONS, shipped_bank


class TestListBanks:
    def test_lists_the_shipped_bank_in_its_latest_version(self, client: TestClient) -> None:
        response = client.get("/v1/banks")
        assert response.status_code == 200
        listing = BankList.model_validate(response.json())
        assert [(b.slug, b.version, b.versions) for b in listing.items] == [(SHIPPED_SLUG, SHIPPED_VERSION, list(SHIPPED_VERSIONS))]
        assert listing.items[0].content_hash.startswith("sha256:")

    def test_titles_follow_the_language(self, client: TestClient) -> None:
        bank = shipped_bank()
        fi = client.get("/v1/banks", params={"lang": "fi"})
        assert fi.headers["content-language"] == "fi"
        assert fi.json()["items"][0]["title"] == bank.title.fi


class TestGetBank:
    def test_english_by_default(self, client: TestClient) -> None:
        bank = shipped_bank()
        response = client.get(f"/v1/banks/{SHIPPED_SLUG}")
        assert response.status_code == 200
        assert response.headers["content-language"] == "en"
        view = BankVersionPublic.model_validate(response.json())
        assert view.title == bank.title.en
        assert [q.key for q in view.questions] == [q.key for q in bank.questions]
        assert [q.prompt for q in view.questions] == [q.prompt.en for q in bank.questions]

    def test_finnish_by_query_parameter(self, client: TestClient) -> None:
        bank = shipped_bank()
        view = client.get(f"/v1/banks/{SHIPPED_SLUG}", params={"lang": "fi"}).json()
        assert view["locale"] == "fi"
        assert [d["title"] for d in view["dimensions"]] == [d.title.fi for d in bank.dimensions]

    def test_finnish_by_accept_language_weights(self, client: TestClient) -> None:
        response = client.get(f"/v1/banks/{SHIPPED_SLUG}", headers={"Accept-Language": "sv;q=1, fi-FI;q=0.8, en;q=0.5"})
        assert response.headers["content-language"] == "fi"
        assert response.json()["locale"] == "fi"

    def test_query_parameter_wins_over_accept_language(self, client: TestClient) -> None:
        response = client.get(f"/v1/banks/{SHIPPED_SLUG}?lang=en", headers={"Accept-Language": "fi"})
        assert response.headers["content-language"] == "en"

    def test_unsupported_lang_parameter_is_a_problem_naming_it(self, client: TestClient) -> None:
        response = client.get(f"/v1/banks/{SHIPPED_SLUG}", params={"lang": "sv"})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == ["query.lang"]

    def test_rubric_is_hidden_unless_asked_for(self, client: TestClient) -> None:
        view = client.get(f"/v1/banks/{SHIPPED_SLUG}").json()
        assert "policy" not in view
        assert all("weight" not in d for d in view["dimensions"])
        assert all("weight" not in q for q in view["questions"])
        assert all("points" not in o for q in view["questions"] for o in q.get("options") or [])

    def test_include_rubric_adds_points_weights_targets_and_policy(self, client: TestClient) -> None:
        bank = shipped_bank()
        view = client.get(f"/v1/banks/{SHIPPED_SLUG}", params={"include": "rubric"}).json()
        BankVersionPublic.model_validate(view)
        assert view["policy"] == bank.policy.model_dump()
        assert [(d["weight"], d["target"], d["floor"]) for d in view["dimensions"]] == [
            (d.weight, d.target, d.floor) for d in bank.dimensions
        ]
        knockouts = [o for q in view["questions"] for o in q.get("options") or [] if o["knockout"]]
        expected = [o for q in bank.questions for o in q.options or [] if o.knockout]
        assert [k["knockout"]["reason"] for k in knockouts] == [o.knockout.reason.en for o in expected if o.knockout]

    def test_pitch_question_declares_its_140_character_check(self, client: TestClient) -> None:
        view = client.get(f"/v1/banks/{SHIPPED_SLUG}", params={"include": "rubric"}).json()
        pitch = next(q for q in view["questions"] if q["key"] == "pitch_text")
        assert {"key": "fits_140", "kind": "max_length", "value": 140} in [
            {k: c[k] for k in ("key", "kind", "value")} for c in pitch["checks"]
        ]

    def test_unknown_bank_is_404_problem(self, client: TestClient) -> None:
        response = client.get("/v1/banks/no-such-bank")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 404


class TestGetBankVersion:
    def test_pinned_version_equals_latest(self, client: TestClient) -> None:
        latest = client.get(f"/v1/banks/{SHIPPED_SLUG}").json()
        pinned = client.get(f"/v1/banks/{SHIPPED_SLUG}/versions/{SHIPPED_VERSION}").json()
        assert pinned == latest

    def test_unknown_version_is_404(self, client: TestClient) -> None:
        response = client.get(f"/v1/banks/{SHIPPED_SLUG}/versions/9.9.9")
        assert response.status_code == 404
        assert "9.9.9" in response.json()["detail"]
