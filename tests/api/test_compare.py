"""Progress: an assessment follows an earlier one, and two assessments of one bank compare."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.models import Assessment, Tenant
from app.models.comparisons import Comparison
from app.services import comparisons as comparison_service
from app.services.banks import TenantCatalog
from tests.api.test_bank_versions import MINI_ANSWERS, mini_document
from tests.utils.answers import is_special, worst_value
from tests.utils.factories import SHIPPED_VERSION, answers, body, shipped_bank

Headers = dict[str, str]
MEASURED_LOOSELY = {"listening": ["nothing_yet"], "measure_how": "activity_metrics", "review_cadence": "not_regularly"}


@pytest.fixture
def other(make_key: Callable[..., str]) -> Headers:
    return {"Authorization": f"Bearer {make_key('agency-b')}"}


def at_worst(dimension: str, given: dict[str, Any]) -> dict[str, Any]:
    """`given` with every plain answer of `dimension` at its lowest-scoring value."""
    return given | {
        q.key: worst_value(q)
        for q in shipped_bank().questions
        if q.dimension == dimension and q.key in given and not is_special(given[q.key])
    }


# the first time goals were missing and measuring loose; the follow-up fixed goals, measures
# a little better, and let risks slip
FIRST = at_worst("goals", answers("ready") | MEASURED_LOOSELY)
FOLLOW_UP = at_worst("risks", answers("ready") | MEASURED_LOOSELY | {"review_cadence": "yearly"})


def store(client: TestClient, auth: Headers, given: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    request = body(answers=answers("ready") if given is None else given, **overrides)
    response = client.post("/v1/assessments", json=request, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()


def store_mini(client: TestClient, auth: Headers) -> dict[str, Any]:
    assert client.post("/v1/banks", json=mini_document(), headers=auth).status_code == 201
    assert client.post("/v1/banks/agency-mini/versions/1.0.0/publish", headers=auth).status_code == 200
    return store(client, auth, MINI_ANSWERS, bank="agency-mini")


def compare(client: TestClient, auth: Headers, later: str, earlier: str, **params: str) -> Any:
    return client.get(f"/v1/assessments/{later}/compare/{earlier}", params=params, headers=auth)


def refusal(response: Any) -> tuple[int, list[tuple[str, str]]]:
    assert response.headers["content-type"] == "application/problem+json"
    return response.status_code, [(e["field"], e["code"]) for e in response.json()["errors"]]


def gap_ids(refs: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    return [(r["kind"], r["dimension"], r["question"]) for r in refs]


class TestFollows:
    def test_follows_is_null_unless_given_and_shown_wherever_the_assessment_is(
        self, client: TestClient, auth: Headers
    ) -> None:
        first = store(client, auth)
        assert first["follows"] is None
        later = store(client, auth, follows=first["id"])
        assert later["follows"] == first["id"]
        assert client.get(f"/v1/assessments/{later['id']}", headers=auth).json()["follows"] == first["id"]
        listed = {i["id"]: i["follows"] for i in client.get("/v1/assessments", headers=auth).json()["items"]}
        assert listed == {first["id"]: None, later["id"]: first["id"]}

    def test_the_list_filters_by_the_assessment_followed(self, client: TestClient, auth: Headers) -> None:
        first = store(client, auth)
        later = store(client, auth, follows=first["id"])
        store(client, auth)
        items = client.get("/v1/assessments", params={"follows": first["id"]}, headers=auth).json()["items"]
        assert [i["id"] for i in items] == [later["id"]]
        assert client.get("/v1/assessments", params={"follows": later["id"]}, headers=auth).json()["items"] == []

    def test_an_unknown_and_another_tenants_assessment_are_refused_alike(
        self, client: TestClient, auth: Headers, other: Headers
    ) -> None:
        theirs = store(client, other)["id"]
        unknown = str(uuid.uuid4())
        refusals = [client.post("/v1/assessments", json=body(follows=i), headers=auth) for i in (theirs, unknown)]
        assert [refusal(r) for r in refusals] == [(422, [("follows", "unknown_assessment")])] * 2
        # nothing but the id tells the two apart
        assert refusals[0].json()["errors"] == refusals[1].json()["errors"]
        assert refusals[0].json()["detail"].replace(theirs, unknown) == refusals[1].json()["detail"]
        assert client.get("/v1/assessments", headers=auth).json()["items"] == []

    def test_a_draft_cannot_be_followed(self, client: TestClient, auth: Headers) -> None:
        draft = store(client, auth, {}, submit=False)
        response = client.post("/v1/assessments", json=body(follows=draft["id"]), headers=auth)
        assert refusal(response) == (422, [("follows", "follows_draft")])

    def test_an_assessment_of_another_bank_cannot_be_followed(self, client: TestClient, auth: Headers) -> None:
        mini = store_mini(client, auth)
        response = client.post("/v1/assessments", json=body(follows=mini["id"]), headers=auth)
        assert refusal(response) == (422, [("follows", "other_bank")])
        assert "agency-mini" in response.json()["errors"][0]["detail"]

    def test_follows_must_be_a_uuid(self, client: TestClient, auth: Headers) -> None:
        response = client.post("/v1/assessments", json=body(follows="last-time"), headers=auth)
        assert refusal(response)[0] == 422
        assert [e["field"] for e in response.json()["errors"]] == ["follows"]

    def test_a_draft_may_follow_and_a_patch_sets_or_clears_it(self, client: TestClient, auth: Headers) -> None:
        first, second = store(client, auth), store(client, auth)
        draft = store(client, auth, {}, submit=False, follows=first["id"])
        assert draft["follows"] == first["id"]
        url = f"/v1/assessments/{draft['id']}"
        assert client.patch(url, json={"follows": second["id"]}, headers=auth).json()["follows"] == second["id"]
        # a patch that does not name it leaves it as it is
        assert client.patch(url, json={"answers": {"has_pitch": True}}, headers=auth).json()["follows"] == second["id"]
        itself = client.patch(url, json={"follows": draft["id"]}, headers=auth)
        assert refusal(itself) == (422, [("follows", "follows_itself")])
        assert client.patch(url, json={"follows": None}, headers=auth).json()["follows"] is None
        client.patch(url, json={"answers": answers("ready"), "follows": first["id"]}, headers=auth)
        submitted = client.post(f"{url}/submit", headers=auth).json()
        assert (submitted["status"], submitted["follows"]) == ("submitted", first["id"])

    def test_a_patch_refuses_what_a_create_refuses(self, client: TestClient, auth: Headers, other: Headers) -> None:
        draft = store(client, auth, {}, submit=False)
        url = f"/v1/assessments/{draft['id']}"
        theirs = store(client, other)["id"]
        assert refusal(client.patch(url, json={"follows": theirs}, headers=auth)) == (422, [("follows", "unknown_assessment")])
        assert client.get(url, headers=auth).json()["revision"] == draft["revision"]

    def test_erasing_the_followed_assessment_leaves_the_follow_up_following_nothing(
        self, client: TestClient, auth: Headers
    ) -> None:
        first = store(client, auth)
        later = store(client, auth, follows=first["id"])
        assert client.delete(f"/v1/assessments/{first['id']}", headers=auth).status_code == 204
        again = client.get(f"/v1/assessments/{later['id']}", headers=auth)
        assert again.status_code == 200
        assert (again.json()["follows"], again.json()["result"]) == (None, later["result"])
        assert [i["follows"] for i in client.get("/v1/assessments", headers=auth).json()["items"]] == [None]
        assert compare(client, auth, later["id"], first["id"]).status_code == 404
        # and it can be erased in turn
        assert client.delete(f"/v1/assessments/{later['id']}", headers=auth).status_code == 204

    def test_an_idempotency_key_covers_follows(self, client: TestClient, auth: Headers) -> None:
        first, second = store(client, auth), store(client, auth)
        keyed = auth | {"Idempotency-Key": "follow-up-1"}
        created = client.post("/v1/assessments", json=body(follows=first["id"]), headers=keyed)
        assert created.status_code == 201
        replayed = client.post("/v1/assessments", json=body(follows=first["id"]), headers=keyed)
        assert (replayed.headers["idempotent-replayed"], replayed.json()["id"]) == ("true", created.json()["id"])
        reused = client.post("/v1/assessments", json=body(follows=second["id"]), headers=keyed)
        assert reused.status_code == 422
        assert reused.json()["type"].endswith("idempotency-key-reused")


class TestCompare:
    def test_a_follow_up_shows_what_closed_opened_and_shrank(self, client: TestClient, auth: Headers) -> None:
        first = store(client, auth, FIRST)
        later = store(client, auth, FOLLOW_UP, follows=first["id"])
        response = compare(client, auth, later["id"], first["id"])
        assert response.status_code == 200
        assert response.headers["content-language"] == "en"
        comparison = Comparison.model_validate(response.json()).model_dump(mode="json")
        assert comparison == response.json()
        before, after = first["result"], later["result"]
        assert (comparison["assessment"], comparison["baseline"]) == (later["id"], first["id"])
        assert comparison["bank"] == "social-media-readiness"
        assert comparison["versions"] == {"baseline": SHIPPED_VERSION, "assessment": SHIPPED_VERSION}
        assert comparison["decision"] == {"baseline": "conditional_go", "assessment": "go", "changed": True}
        assert comparison["score"] == {
            "baseline": before["score"],
            "assessment": after["score"],
            "change": round(after["score"] - before["score"], 2),
        }
        assert comparison["score"]["change"] > 0
        assert gap_ids(comparison["gaps"]["closed"]) == [("floor", "goals", None)]
        assert gap_ids(comparison["gaps"]["opened"]) == [("target", "risks", None)]
        assert gap_ids(comparison["gaps"]["unchanged"]) == [("target", "measurement", None)]
        measurement = comparison["gaps"]["unchanged"][0]
        assert measurement["title"] == "Listening and measurement"
        assert 0 < measurement["shortfall"]["assessment"] < measurement["shortfall"]["baseline"]
        dimensions = {d["key"]: d for d in comparison["dimensions"]}
        assert list(dimensions) == [d["key"] for d in after["dimensions"]]
        goals = dimensions["goals"]
        assert goals["status"] == {"baseline": "below_floor", "assessment": "met"}
        assert goals["change"] == round(goals["assessment"] - goals["baseline"], 2) > 0
        assert dimensions["risks"]["change"] < 0 and dimensions["purpose"]["change"] == 0

    def test_titles_in_finnish_and_english(self, client: TestClient, auth: Headers) -> None:
        first = store(client, auth, FIRST)
        # stored with Finnish texts, compared in either language
        later = store(client, auth, FOLLOW_UP, locale="fi")
        bank = shipped_bank()
        for lang, headers in (("fi", {"Accept-Language": "fi-FI"}), ("en", {})):
            response = client.get(f"/v1/assessments/{later['id']}/compare/{first['id']}", headers=auth | headers)
            assert response.headers["content-language"] == lang
            comparison = response.json()
            assert [d["title"] for d in comparison["dimensions"]] == [d.title.get(lang) for d in bank.dimensions]
            assert comparison["gaps"]["opened"][0]["title"] == bank.dimension("risks").title.get(lang)
        # ?lang= wins over Accept-Language
        url = f"/v1/assessments/{later['id']}/compare/{first['id']}"
        finnish = client.get(url, params={"lang": "fi"}, headers=auth | {"Accept-Language": "en"})
        assert finnish.json()["dimensions"][0]["title"] == bank.dimensions[0].title.fi

    def test_an_assessment_compared_with_itself_changes_nothing(self, client: TestClient, auth: Headers) -> None:
        only = store(client, auth, FIRST)
        comparison = compare(client, auth, only["id"], only["id"]).json()
        assert comparison["gaps"]["closed"] == comparison["gaps"]["opened"] == []
        assert gap_ids(comparison["gaps"]["unchanged"]) == [("floor", "goals", None), ("target", "measurement", None)]
        assert comparison["score"]["change"] == 0 and comparison["decision"]["changed"] is False

    def test_another_tenants_or_an_unknown_assessment_is_404_on_either_side(
        self, client: TestClient, auth: Headers, other: Headers
    ) -> None:
        mine, theirs, unknown = store(client, auth)["id"], store(client, other)["id"], str(uuid.uuid4())
        for later, earlier in ((mine, theirs), (theirs, mine), (mine, unknown), (unknown, mine)):
            response = compare(client, auth, later, earlier)
            assert (response.status_code, response.headers["content-type"]) == (404, "application/problem+json")

    def test_a_draft_on_either_side_is_409_naming_it(self, client: TestClient, auth: Headers) -> None:
        submitted, draft = store(client, auth)["id"], store(client, auth, {}, submit=False)["id"]
        assert refusal(compare(client, auth, draft, submitted)) == (409, [("path.assessment_id", "draft")])
        assert refusal(compare(client, auth, submitted, draft)) == (409, [("path.other_id", "draft")])

    def test_assessments_of_two_banks_are_422(self, client: TestClient, auth: Headers) -> None:
        shipped, mini = store(client, auth)["id"], store_mini(client, auth)["id"]
        assert refusal(compare(client, auth, shipped, mini)) == (422, [("path.other_id", "other_bank")])

    def test_ids_must_be_uuids(self, client: TestClient, auth: Headers) -> None:
        mine = store(client, auth)["id"]
        assert refusal(compare(client, auth, mine, "last-time")) == (422, [("path.other_id", "uuid_parsing")])

    def test_needs_a_secret_key(self, client: TestClient, auth: Headers, make_key: Callable[..., str]) -> None:
        mine = store(client, auth)["id"]
        publishable = {"Authorization": f"Bearer {make_key(kind='publishable')}"}
        assert compare(client, publishable, mine, mine).status_code == 403
        assert client.get(f"/v1/assessments/{mine}/compare/{mine}").status_code == 401

    def test_two_versions_of_a_bank_compare_with_nulls_where_one_lacks_a_dimension(
        self, client: TestClient, auth: Headers
    ) -> None:
        first = store_mini(client, auth)
        newer = mini_document(version="1.1.0")
        newer["dimensions"].append(newer["dimensions"][1] | {"key": "reach", "title": {"en": "Reach", "fi": "Tavoittavuus"}})
        hours = next(q for q in newer["questions"] if q["key"] == "hours")
        newer["questions"].append(
            hours | {"key": "followers", "dimension": "reach", "required": True, "allow_not_applicable": False}
        )
        newer["fixtures"] = []
        assert client.post("/v1/banks/agency-mini/versions", json=newer, headers=auth).status_code == 201, newer
        assert client.post("/v1/banks/agency-mini/versions/1.1.0/publish", headers=auth).status_code == 200
        later = store(client, auth, MINI_ANSWERS | {"followers": 1}, bank="agency-mini", bank_version="1.1.0")
        comparison = compare(client, auth, later["id"], first["id"], lang="fi").json()
        assert comparison["versions"] == {"baseline": "1.0.0", "assessment": "1.1.0"}
        assert comparison["dimensions"][-1] == {
            "key": "reach",
            "title": "Tavoittavuus",
            "baseline": None,
            "assessment": 0.0,
            "change": None,
            "target": 60.0,
            "status": {"baseline": None, "assessment": "below_target"},
        }
        assert gap_ids(comparison["gaps"]["opened"]) == [("target", "reach", None)]


class TestChangeSinceFollowed:
    """What the report shows: the comparison with the assessment followed, when there is one."""

    def test_the_comparison_with_the_followed_assessment_or_none(
        self, client: TestClient, auth: Headers, db_engine: Engine
    ) -> None:
        first = store(client, auth, FIRST)
        later = store(client, auth, FOLLOW_UP, follows=first["id"])
        with Session(db_engine) as session:

            def change(assessment_id: str, lang: str = "fi") -> dict[str, Any] | None:
                assessment = session.get(Assessment, uuid.UUID(assessment_id))
                assert assessment is not None
                tenant = session.get(Tenant, assessment.tenant_id)
                assert tenant is not None
                registry = client.app.state.registry  # type: ignore[attr-defined]
                catalog = TenantCatalog(registry=registry, session=session, tenant=tenant)
                return comparison_service.change_since_followed(
                    session=session, catalog=catalog, tenant=tenant, assessment=assessment, lang=lang
                )

            assert change(later["id"]) == compare(client, auth, later["id"], first["id"], lang="fi").json()
            assert change(first["id"]) is None
            client.delete(f"/v1/assessments/{first['id']}", headers=auth)
            session.expire_all()
            assert change(later["id"]) is None
