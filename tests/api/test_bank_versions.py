"""A tenant's own banks: drafts, publishing, retiring, overlays, diffs, impact, isolation, caching."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.banks.loader import content_hash, load_bank_file
from app.banks.schema import Bank
from tests.conftest import FIXTURES
from tests.utils.factories import SHIPPED_SLUG, SHIPPED_VERSION, body

Headers = dict[str, str]


def mini_document(slug: str = "agency-mini", version: str = "1.0.0") -> dict[str, Any]:
    document = load_bank_file(FIXTURES / "mini-bank.yaml").bank.model_dump(mode="json", by_alias=True)
    return document | {"slug": slug, "version": version}


MINI_ANSWERS = {
    "why": "written",
    "backing": True,
    "backing_level": 3,
    "pitch_text": "We help small cafes fill quiet afternoons.",
    "hours": 10,
    "channels": ["linkedin", "instagram"],
}


@pytest.fixture
def other(make_key: Callable[..., str]) -> Headers:
    return {"Authorization": f"Bearer {make_key('agency-b')}"}


def create(client: TestClient, auth: Headers, document: dict[str, Any] | None = None) -> Any:
    return client.post("/v1/banks", json=document or mini_document(), headers=auth)


def publish(client: TestClient, auth: Headers, slug: str = "agency-mini", version: str = "1.0.0") -> Any:
    return client.post(f"/v1/banks/{slug}/versions/{version}/publish", headers=auth)


class TestCreateBank:
    def test_creates_a_draft_with_location(self, client: TestClient, auth: Headers) -> None:
        response = create(client, auth)
        assert response.status_code == 201
        assert response.headers["location"] == "/v1/banks/agency-mini/versions/1.0.0"
        state = response.json()
        assert (state["status"], state["published_at"], state["overlay"]) == ("draft", None, None)
        assert state["content_hash"] == content_hash(Bank.model_validate(mini_document()))

    def test_the_owner_reads_the_draft_nobody_else_does(self, client: TestClient, auth: Headers, other: Headers) -> None:
        create(client, auth)
        mine = client.get("/v1/banks/agency-mini/versions/1.0.0", headers=auth)
        assert mine.status_code == 200 and mine.json()["status"] == "draft"
        assert client.get("/v1/banks/agency-mini/versions/1.0.0").status_code == 404
        assert client.get("/v1/banks/agency-mini/versions/1.0.0", headers=other).status_code == 404
        # a draft is not the latest published version
        assert client.get("/v1/banks/agency-mini", headers=auth).status_code == 404

    def test_invalid_documents_name_every_problem(self, client: TestClient, auth: Headers) -> None:
        document = mini_document()
        document["policy"]["go_at"] = 150
        document["questions"][0]["weight"] = 0
        response = create(client, auth, document)
        assert response.status_code == 422
        assert sorted(e["field"] for e in response.json()["errors"]) == ["policy.go_at", "questions.0.weight"]

    def test_a_slug_taken_by_a_shipped_bank_is_409(self, client: TestClient, auth: Headers) -> None:
        assert create(client, auth, mini_document(slug=SHIPPED_SLUG)).status_code == 409

    def test_the_same_slug_twice_is_409_but_other_tenants_have_their_own_namespace(
        self, client: TestClient, auth: Headers, other: Headers
    ) -> None:
        assert create(client, auth).status_code == 201
        assert create(client, auth).status_code == 409
        assert create(client, other).status_code == 201

    def test_needs_a_key(self, client: TestClient) -> None:
        assert client.post("/v1/banks", json=mini_document()).status_code == 401


class TestDraftLifecycle:
    def test_a_draft_can_be_replaced_and_takes_no_answers(self, client: TestClient, auth: Headers) -> None:
        first = create(client, auth).json()
        changed = mini_document()
        changed["dimensions"][0]["weight"] = 5
        replaced = client.put("/v1/banks/agency-mini/versions/1.0.0", json=changed, headers=auth)
        assert replaced.status_code == 200
        assert replaced.json()["content_hash"] != first["content_hash"]
        scored = client.post("/v1/score", json={"bank": "agency-mini", "bank_version": "1.0.0", "answers": MINI_ANSWERS}, headers=auth)
        assert scored.status_code == 422
        assert [(e["field"], e["code"]) for e in scored.json()["errors"]] == [("bank_version", "bank_draft")]

    def test_path_and_document_must_agree(self, client: TestClient, auth: Headers) -> None:
        create(client, auth)
        response = client.put("/v1/banks/agency-mini/versions/1.0.0", json=mini_document(version="2.0.0"), headers=auth)
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["version"]

    def test_publish_then_never_change(self, client: TestClient, auth: Headers) -> None:
        create(client, auth)
        published = publish(client, auth)
        assert published.status_code == 200
        assert published.json()["status"] == "published" and published.json()["published_at"]
        assert client.put("/v1/banks/agency-mini/versions/1.0.0", json=mini_document(), headers=auth).status_code == 409
        assert publish(client, auth).status_code == 409
        latest = client.get("/v1/banks/agency-mini", headers=auth)
        assert (latest.status_code, latest.json()["status"]) == (200, "published")
        listed = [b["slug"] for b in client.get("/v1/banks", headers=auth).json()["items"]]
        assert listed == ["agency-mini", SHIPPED_SLUG]
        assert [b["slug"] for b in client.get("/v1/banks").json()["items"]] == [SHIPPED_SLUG]

    def test_submissions_pin_the_version_and_old_ones_stay_readable_after_retiring(
        self, client: TestClient, auth: Headers
    ) -> None:
        create(client, auth)
        publish(client, auth)
        request = {"bank": "agency-mini", "respondent": {"organisation": "Client Oy"}, "answers": MINI_ANSWERS}
        stored = client.post("/v1/assessments", json=request, headers=auth).json()
        assert (stored["bank"], stored["bank_version"], stored["result"]["decision"]) == ("agency-mini", "1.0.0", "go")
        retired = client.post("/v1/banks/agency-mini/versions/1.0.0/retire", headers=auth)
        assert retired.json()["status"] == "retired"
        refused = client.post("/v1/assessments", json=request, headers=auth)
        assert refused.status_code == 422
        again = client.get(f"/v1/assessments/{stored['id']}", params={"lang": "fi"}, headers=auth)
        assert again.status_code == 200
        assert (again.json()["bank_version"], again.json()["result"]["score"]) == ("1.0.0", stored["result"]["score"])
        assert client.get("/v1/banks/agency-mini/versions/1.0.0", headers=auth).json()["status"] == "retired"

    def test_only_published_versions_retire(self, client: TestClient, auth: Headers) -> None:
        create(client, auth)
        assert client.post("/v1/banks/agency-mini/versions/1.0.0/retire", headers=auth).status_code == 409

    def test_new_versions_and_their_diff(self, client: TestClient, auth: Headers) -> None:
        create(client, auth)
        publish(client, auth)
        second = mini_document(version="1.1.0")
        second["policy"]["go_at"] = 80
        second["questions"] = [q for q in second["questions"] if q["key"] != "channels"]
        created = client.post("/v1/banks/agency-mini/versions", json=second, headers=auth)
        assert created.status_code == 201
        assert client.post("/v1/banks/agency-mini/versions", json=second, headers=auth).status_code == 409
        diff = client.get("/v1/banks/agency-mini/versions/1.1.0/diff", params={"against": "1.0.0"}, headers=auth)
        assert diff.status_code == 200
        changes = {(c["path"], c["kind"]) for c in diff.json()["changes"]}
        assert ("policy.go_at", "changed") in changes
        assert ("questions.channels", "removed") in changes
        assert all(c["text"] for c in diff.json()["changes"])

    def test_a_version_of_someone_elses_slug_is_404(self, client: TestClient, auth: Headers) -> None:
        assert client.post("/v1/banks/nobody/versions", json=mini_document(slug="nobody"), headers=auth).status_code == 404


class TestFixtures:
    def test_validate_reports_fixtures(self, client: TestClient, auth: Headers) -> None:
        document = mini_document()
        document["fixtures"] = [{"key": "ready", "expect": "go", "answers": MINI_ANSWERS}]
        create(client, auth, document)
        report = client.post("/v1/banks/agency-mini/versions/1.0.0/validate", headers=auth).json()
        assert report["valid"] is True
        assert [(f["key"], f["expected"], f["actual"], f["passed"]) for f in report["fixtures"]] == [
            ("ready", "go", "go", True)
        ]

    def test_a_flipped_fixture_blocks_publishing_naming_it(self, client: TestClient, auth: Headers) -> None:
        document = mini_document()
        document["fixtures"] = [{"key": "should_fail", "expect": "no_go", "answers": MINI_ANSWERS}]
        create(client, auth, document)
        response = publish(client, auth)
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {
                "pointer": "#/fixtures/should_fail",
                "field": "fixtures.should_fail",
                "code": "fixture_failed",
                "detail": "fixture 'should_fail': expected no_go, got go (score 100)",
            }
        ]
        assert client.get("/v1/banks/agency-mini/versions/1.0.0", headers=auth).json()["status"] == "draft"


class TestOverlays:
    def overlay(self, **extra: Any) -> dict[str, Any]:
        return {
            "slug": "b2b-readiness",
            "version": "1.0.0",
            "base": {"slug": SHIPPED_SLUG, "version": SHIPPED_VERSION},
            "title": {"en": "B2B social media readiness"},
            "policy": {"go_at": 90},
            "dimensions": {"measurement": {"weight": 4}},
            "fixtures": [],
        } | extra

    def test_materialised_as_its_own_version(self, client: TestClient, auth: Headers) -> None:
        response = create(client, auth, self.overlay())
        assert response.status_code == 201
        state = response.json()
        assert state["overlay"]["base"] == {"slug": SHIPPED_SLUG, "version": SHIPPED_VERSION}
        shipped = client.get(f"/v1/banks/{SHIPPED_SLUG}", params={"include": "rubric"}).json()
        mine = client.get("/v1/banks/b2b-readiness/versions/1.0.0", params={"include": "rubric"}, headers=auth).json()
        assert mine["content_hash"] != shipped["content_hash"]
        assert mine["title"] == "B2B social media readiness"
        assert mine["policy"]["go_at"] == 90 and mine["policy"]["no_go_below"] == shipped["policy"]["no_go_below"]
        weights = {d["key"]: d["weight"] for d in mine["dimensions"]}
        assert weights["measurement"] == 4
        assert [q["key"] for q in mine["questions"]] == [q["key"] for q in shipped["questions"]]

    def test_remove_and_add_questions(self, client: TestClient, auth: Headers) -> None:
        shipped = client.get(f"/v1/banks/{SHIPPED_SLUG}", params={"include": "rubric"}).json()
        removable = next(q["key"] for q in shipped["questions"] if not q["required"] and q["show_if"] is None)
        response = create(client, auth, self.overlay(remove_questions=[removable]))
        assert response.status_code == 201
        mine = client.get("/v1/banks/b2b-readiness/versions/1.0.0", headers=auth).json()
        assert removable not in [q["key"] for q in mine["questions"]]

    def test_unknown_keys_in_an_overlay_are_named(self, client: TestClient, auth: Headers) -> None:
        response = create(client, auth, self.overlay(questions={"no_such": {"weight": 2}}, remove_questions=["nope"]))
        assert response.status_code == 422
        assert sorted(e["field"] for e in response.json()["errors"]) == ["questions.no_such", "remove_questions.0"]

    def test_an_unknown_base_is_named(self, client: TestClient, auth: Headers) -> None:
        response = create(client, auth, self.overlay(base={"slug": SHIPPED_SLUG, "version": "9.9.9"}))
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["base"]

    def test_impact_rescoring_stored_assessments_changes_nothing_stored(self, client: TestClient, auth: Headers) -> None:
        stored = [
            client.post("/v1/assessments", json=body(name), headers=auth).json()
            for name in ("ready", "ready", "borderline", "not_ready")
        ]
        create(client, auth, self.overlay())
        report = client.post("/v1/banks/b2b-readiness/versions/1.0.0/impact", headers=auth)
        assert report.status_code == 200
        impact = report.json()
        assert impact["against"] == {"slug": SHIPPED_SLUG, "version": SHIPPED_VERSION}
        assert impact["assessments"] == 4
        # go_at 90: both ready organisations (87.22 before) drop to a conditional go
        assert impact["changed"] == 2
        assert impact["transitions"] == [{"before": "go", "after": "conditional_go", "count": 2}]
        assert impact["decisions_before"] == {"conditional_go": 1, "go": 2, "no_go": 1}
        assert {d["key"] for d in impact["dimensions"]} >= {"measurement", "purpose"}
        for item in stored:
            again = client.get(f"/v1/assessments/{item['id']}", headers=auth).json()
            assert again["result"] == item["result"]

    def test_impact_only_counts_the_callers_assessments(
        self, client: TestClient, auth: Headers, other: Headers
    ) -> None:
        client.post("/v1/assessments", json=body("ready"), headers=other)
        create(client, auth, self.overlay())
        impact = client.post("/v1/banks/b2b-readiness/versions/1.0.0/impact", headers=auth).json()
        assert impact["assessments"] == 0


class TestIsolation:
    @pytest.mark.parametrize(
        ("method", "path", "payload"),
        [
            ("get", "/v1/banks/agency-mini", None),
            ("get", "/v1/banks/agency-mini/versions/1.0.0", None),
            ("put", "/v1/banks/agency-mini/versions/1.0.0", "document"),
            ("post", "/v1/banks/agency-mini/versions", "document"),
            ("post", "/v1/banks/agency-mini/versions/1.0.0/validate", None),
            ("post", "/v1/banks/agency-mini/versions/1.0.0/publish", None),
            ("post", "/v1/banks/agency-mini/versions/1.0.0/retire", None),
            ("get", "/v1/banks/agency-mini/versions/1.0.0/diff?against=1.0.0", None),
            ("post", "/v1/banks/agency-mini/versions/1.0.0/impact", None),
        ],
    )
    def test_another_tenant_gets_404_everywhere(
        self, client: TestClient, auth: Headers, other: Headers, method: str, path: str, payload: str | None
    ) -> None:
        create(client, auth)
        publish(client, auth)
        kwargs: dict[str, Any] = {"headers": other}
        if payload:
            kwargs["json"] = mini_document(version="1.0.0" if method == "put" else "1.1.0")
        response = client.request(method.upper(), path, **kwargs)
        assert response.status_code == 404, response.text
        assert client.get("/v1/banks/agency-mini/versions/1.0.0", headers=auth).json()["status"] == "published"

    def test_shipped_banks_cannot_be_changed(self, client: TestClient, auth: Headers) -> None:
        shipped = client.get(f"/v1/banks/{SHIPPED_SLUG}", params={"include": "rubric"}).json()
        assert shipped["status"] == "published"
        document = copy.deepcopy(mini_document(slug=SHIPPED_SLUG))
        assert client.put(f"/v1/banks/{SHIPPED_SLUG}/versions/1.0.0", json=document, headers=auth).status_code == 409
        assert client.post(f"/v1/banks/{SHIPPED_SLUG}/versions/1.0.0/retire", headers=auth).status_code == 409


class TestCaching:
    def test_etag_and_not_modified(self, client: TestClient) -> None:
        first = client.get(f"/v1/banks/{SHIPPED_SLUG}")
        etag = first.headers["etag"]
        assert first.headers["vary"] == "Accept-Language"
        again = client.get(f"/v1/banks/{SHIPPED_SLUG}", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        assert client.get(f"/v1/banks/{SHIPPED_SLUG}", headers={"If-None-Match": f'"x", W/{etag}'}).status_code == 304
        finnish = client.get(f"/v1/banks/{SHIPPED_SLUG}", params={"lang": "fi"}, headers={"If-None-Match": etag})
        assert finnish.status_code == 200 and finnish.headers["etag"] != etag
        rubric = client.get(f"/v1/banks/{SHIPPED_SLUG}", params={"include": "rubric"})
        assert rubric.headers["etag"] not in (etag, finnish.headers["etag"])

    def test_a_changed_draft_changes_its_etag(self, client: TestClient, auth: Headers) -> None:
        create(client, auth)
        before = client.get("/v1/banks/agency-mini/versions/1.0.0", headers=auth).headers["etag"]
        changed = mini_document()
        changed["dimensions"][0]["weight"] = 5
        client.put("/v1/banks/agency-mini/versions/1.0.0", json=changed, headers=auth)
        after = client.get("/v1/banks/agency-mini/versions/1.0.0", headers={"If-None-Match": before} | auth)
        assert after.status_code == 200 and after.headers["etag"] != before

    def test_form_schema_revalidates_too(self, client: TestClient) -> None:
        path = f"/v1/banks/{SHIPPED_SLUG}/versions/1.0.0/form-schema"
        etag = client.get(path).headers["etag"]
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(path, params={"lang": "fi"}, headers={"If-None-Match": etag}).status_code == 200


class TestReadmeOverlay:
    def test_the_documented_overlay_is_created_and_published_with_its_inherited_fixtures(
        self, client: TestClient, auth: Headers
    ) -> None:
        overlay = {
            "slug": "b2b-readiness",
            "version": "1.0.0",
            "base": {"slug": SHIPPED_SLUG, "version": "1.0.0"},
            "title": {"en": "B2B social media readiness", "fi": "B2B-sosiaalisen median valmius"},
            "policy": {"go_at": 75},
            "dimensions": {"measurement": {"weight": 3, "target": 70}},
            "questions": {"channel_choice": {"weight": 3}},
            "remove_questions": ["segments_image"],
        }
        assert create(client, auth, overlay).status_code == 201
        report = client.post("/v1/banks/b2b-readiness/versions/1.0.0/validate", headers=auth).json()
        assert report["valid"] is True and len(report["fixtures"]) == 6
        assert publish(client, auth, "b2b-readiness").status_code == 200
        scored = client.post("/v1/score", json={"bank": "b2b-readiness", "answers": body("ready")["answers"]}, headers=auth)
        assert scored.status_code == 422  # the ready set still answers the removed question
        answers = {k: v for k, v in body("ready")["answers"].items() if k != "segments_image"}
        result = client.post("/v1/score", json={"bank": "b2b-readiness", "answers": answers}, headers=auth).json()
        assert result["bank"]["slug"] == "b2b-readiness" and result["decision"] == "go"
