"""Drafts: stored unscored, merged by PATCH (null removes), frozen by submit; concurrent writers lose nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.models.assessments import AssessmentPublic
from app.scoring.answers import check_answers
from tests.utils.factories import answers, body, shipped_bank


def start_draft(client: TestClient, auth: dict[str, str], given: dict[str, Any] | None = None) -> Any:
    response = client.post("/v1/assessments", json=body(answers={} if given is None else given, submit=False), headers=auth)
    assert response.status_code == 201, response.text
    return response


def required_keys(given: dict[str, Any]) -> list[str]:
    return [p.key for p in check_answers(shipped_bank(), given) if p.code == "missing_required"]


def halves() -> tuple[dict[str, Any], dict[str, Any]]:
    ready = answers("ready")
    keys = sorted(ready)
    return {k: ready[k] for k in keys[::2]}, {k: ready[k] for k in keys[1::2]}


class TestCreateDraft:
    def test_a_draft_is_stored_unscored_with_its_progress(self, client: TestClient, auth: dict[str, str]) -> None:
        first, _ = halves()
        response = start_draft(client, auth, first)
        draft = AssessmentPublic.model_validate(response.json())
        assert (draft.status, draft.result, draft.decision, draft.score, draft.submitted_at) == (
            "draft", None, None, None, None,
        )
        assert draft.revision == 1 and response.headers["etag"] == '"1"'
        assert draft.answers == first
        assert draft.progress is not None
        assert draft.progress.missing_required == required_keys(first) != []
        assert draft.progress.answered == len(first)
        assert 0 < draft.progress.coverage < 1 and draft.progress.ready_to_submit is False

    def test_an_empty_draft_misses_every_shown_required_question(self, client: TestClient, auth: dict[str, str]) -> None:
        progress = start_draft(client, auth).json()["progress"]
        assert progress["missing_required"] == required_keys({})
        assert (progress["answered"], progress["coverage"]) == (0, 0.0)

    def test_a_draft_checks_the_answers_it_has(self, client: TestClient, auth: dict[str, str]) -> None:
        response = client.post(
            "/v1/assessments", json=body(answers={"no_such_question": 1}, submit=False), headers=auth
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["answers.no_such_question"]
        assert client.get("/v1/assessments", headers=auth).json()["items"] == []

    def test_drafts_are_listed_and_filtered_by_status(self, client: TestClient, auth: dict[str, str]) -> None:
        draft = start_draft(client, auth).json()
        submitted = client.post("/v1/assessments", json=body("ready"), headers=auth).json()
        listed = {
            status: [i["id"] for i in client.get("/v1/assessments", params={"status": status}, headers=auth).json()["items"]]
            for status in ("draft", "submitted")
        }
        assert listed == {"draft": [draft["id"]], "submitted": [submitted["id"]]}
        item = client.get("/v1/assessments", params={"status": "draft"}, headers=auth).json()["items"][0]
        assert (item["decision"], item["score"], item["revision"]) == (None, None, 1)
        bad = client.get("/v1/assessments", params={"status": "done"}, headers=auth)
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.status"


class TestPatch:
    def test_answers_merge_and_null_removes_one(self, client: TestClient, auth: dict[str, str]) -> None:
        first, second = halves()
        draft = start_draft(client, auth, first).json()
        removed = next(iter(first))
        response = client.patch(
            f"/v1/assessments/{draft['id']}", json={"answers": second | {removed: None}}, headers=auth
        )
        assert response.status_code == 200, response.text
        patched = response.json()
        expected = {k: v for k, v in (first | second).items() if k != removed}
        assert patched["answers"] == expected
        assert patched["revision"] == 2 and response.headers["etag"] == '"2"'
        assert patched["progress"]["missing_required"] == required_keys(expected)
        assert patched["progress"]["coverage"] > draft["progress"]["coverage"]
        assert client.get(f"/v1/assessments/{draft['id']}", headers=auth).json()["answers"] == expected

    def test_only_the_answers_sent_are_checked(self, client: TestClient, auth: dict[str, str]) -> None:
        draft = start_draft(client, auth).json()
        response = client.patch(
            f"/v1/assessments/{draft['id']}", json={"answers": {"no_such_question": 1, "pitch": 5}}, headers=auth
        )
        assert response.status_code == 422
        assert sorted(e["field"] for e in response.json()["errors"]) == ["answers.no_such_question", "answers.pitch"]
        # nothing of a refused change is kept
        assert client.get(f"/v1/assessments/{draft['id']}", headers=auth).json()["revision"] == 1

    def test_respondent_and_locale_can_change(self, client: TestClient, auth: dict[str, str]) -> None:
        draft = start_draft(client, auth).json()
        patched = client.patch(
            f"/v1/assessments/{draft['id']}",
            json={"respondent": {"organisation": "Uusi Nimi Oy"}, "locale": "fi"},
            headers=auth,
        )
        assert patched.status_code == 200
        assert patched.json()["respondent"] == {"organisation": "Uusi Nimi Oy"}
        assert patched.headers["content-language"] == "fi"

    def test_if_match_with_a_stale_revision_is_refused_with_412(self, client: TestClient, auth: dict[str, str]) -> None:
        first, second = halves()
        draft = start_draft(client, auth).json()
        url = f"/v1/assessments/{draft['id']}"
        assert client.patch(url, json={"answers": first}, headers=auth | {"If-Match": '"1"'}).status_code == 200
        stale = client.patch(url, json={"answers": second}, headers=auth | {"If-Match": '"1"'})
        assert stale.status_code == 412
        assert stale.headers["content-type"] == "application/problem+json"
        assert stale.json()["errors"][0]["field"] == "header.If-Match"
        assert client.get(url, headers=auth).json()["answers"] == first
        assert client.patch(url, json={"answers": second}, headers=auth | {"If-Match": '"7", "2"'}).status_code == 200
        assert client.patch(url, json={"answers": {}}, headers=auth | {"If-Match": "*"}).json()["revision"] == 4

    @pytest.mark.parametrize("workers", [8])
    def test_concurrent_patches_without_if_match_lose_no_answer(
        self, client: TestClient, auth: dict[str, str], workers: int
    ) -> None:
        ready = answers("ready")
        draft = start_draft(client, auth).json()
        keys = sorted(ready)
        shares = [{k: ready[k] for k in keys[i::workers]} for i in range(workers)]
        barrier = threading.Barrier(workers)
        statuses: list[int] = []

        def patch(share: dict[str, Any]) -> None:
            barrier.wait()
            statuses.append(
                client.patch(f"/v1/assessments/{draft['id']}", json={"answers": share}, headers=auth).status_code
            )

        threads = [threading.Thread(target=patch, args=(share,)) for share in shares]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert statuses == [200] * workers
        stored = client.get(f"/v1/assessments/{draft['id']}", headers=auth).json()
        assert stored["answers"] == ready
        assert stored["revision"] == 1 + workers

    def test_a_submitted_assessment_cannot_be_patched(self, client: TestClient, auth: dict[str, str]) -> None:
        created = client.post("/v1/assessments", json=body("ready"), headers=auth).json()
        response = client.patch(f"/v1/assessments/{created['id']}", json={"answers": {}}, headers=auth)
        assert response.status_code == 409

    def test_unknown_and_other_tenants_drafts_are_404(
        self, client: TestClient, auth: dict[str, str], make_key: Callable[..., str]
    ) -> None:
        draft = start_draft(client, auth).json()
        other = {"Authorization": f"Bearer {make_key('agency-b')}"}
        for url in (f"/v1/assessments/{draft['id']}", "/v1/assessments/00000000-0000-4000-8000-000000000000"):
            assert client.patch(url, json={"answers": {}}, headers=other).status_code == 404
            assert client.post(f"{url}/submit", headers=other).status_code == 404

    def test_a_publishable_key_can_fill_in_and_submit_a_draft(
        self, client: TestClient, make_key: Callable[..., str]
    ) -> None:
        form = {"Authorization": f"Bearer {make_key(kind='publishable')}"}
        draft = start_draft(client, form).json()
        url = f"/v1/assessments/{draft['id']}"
        assert client.patch(url, json={"answers": answers("ready")}, headers=form).status_code == 200
        assert client.post(f"{url}/submit", headers=form).json()["decision"] == "go"
        assert client.get(url, headers=form).status_code == 403


class TestSubmit:
    def test_submit_scores_and_freezes_the_draft(self, client: TestClient, auth: dict[str, str]) -> None:
        first, second = halves()
        draft = start_draft(client, auth, first).json()
        url = f"/v1/assessments/{draft['id']}"
        client.patch(url, json={"answers": second}, headers=auth)
        response = client.post(f"{url}/submit", headers=auth)
        assert response.status_code == 200, response.text
        submitted = AssessmentPublic.model_validate(response.json())
        assert submitted.status == "submitted" and submitted.progress is None
        assert submitted.revision == 3 and response.headers["etag"] == '"3"'
        assert submitted.submitted_at is not None and submitted.submitted_at >= submitted.created_at
        direct = client.post("/v1/score", json=body("ready")).json()
        assert submitted.result is not None and submitted.result.model_dump(mode="json") == direct
        assert (submitted.decision, submitted.score) == (direct["decision"], direct["score"])
        assert client.get(url, headers=auth).json() == response.json()

    def test_an_incomplete_draft_is_refused_listing_what_is_missing(
        self, client: TestClient, auth: dict[str, str]
    ) -> None:
        first, _ = halves()
        draft = start_draft(client, auth, first).json()
        response = client.post(f"/v1/assessments/{draft['id']}/submit", headers=auth)
        assert response.status_code == 422
        missing = [e["field"] for e in response.json()["errors"] if e["code"] == "missing_required"]
        assert missing == [f"answers.{k}" for k in required_keys(first)]
        assert client.get(f"/v1/assessments/{draft['id']}", headers=auth).json()["status"] == "draft"

    def test_submitting_twice_is_409(self, client: TestClient, auth: dict[str, str]) -> None:
        draft = start_draft(client, auth, answers("ready")).json()
        url = f"/v1/assessments/{draft['id']}/submit"
        assert client.post(url, headers=auth).status_code == 200
        second = client.post(url, headers=auth)
        assert second.status_code == 409 and second.headers["content-type"] == "application/problem+json"

    def test_submit_honours_if_match(self, client: TestClient, auth: dict[str, str]) -> None:
        draft = start_draft(client, auth, answers("ready")).json()
        url = f"/v1/assessments/{draft['id']}"
        client.patch(url, json={"answers": {}}, headers=auth)
        assert client.post(f"{url}/submit", headers=auth | {"If-Match": '"1"'}).status_code == 412
        assert client.post(f"{url}/submit", headers=auth | {"If-Match": '"2"'}).status_code == 200

    def test_the_result_is_in_the_requested_language(self, client: TestClient, auth: dict[str, str]) -> None:
        draft = start_draft(client, auth, answers("not_ready")).json()
        response = client.post(f"/v1/assessments/{draft['id']}/submit", params={"lang": "fi"}, headers=auth)
        assert response.headers["content-language"] == "fi"
        assert response.json()["result"] == client.post("/v1/score", json=body("not_ready", locale="fi")).json()
