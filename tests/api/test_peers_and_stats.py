"""GET /v1/assessments/{id}/peers and GET /v1/banks/{slug}/versions/{version}/stats, and the histograms behind them."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from app.banks.loader import load_bank_file
from app.main import create_app
from app.services import assessments as assessment_service
from app.services import idempotency as idempotency_service
from app.settings import Settings
from tests.conftest import FIXTURES
from tests.utils.factories import SHIPPED_SLUG, SHIPPED_VERSION, body, shipped_bank
from tests.utils.histograms import histogram_rows, recomputed

STATS = f"/v1/banks/{SHIPPED_SLUG}/versions/{SHIPPED_VERSION}/stats"
# the example answer sets, each with a different score: 87.22, 12.11, 60.2, 7.77, 86.5, 81.12
EXAMPLES = ("ready", "not_ready", "borderline", "insufficient", "knockout", "no_owner")


@pytest.fixture
def submit(client: TestClient, auth: dict[str, str]) -> Callable[..., dict[str, Any]]:
    """Store a submitted assessment, at `at` (UTC) when given, as if the server's clock said so."""

    def store(example: str = "ready", *, headers: dict[str, str] | None = None, at: datetime | None = None,
              organisation: str = "Kahvila Esimerkki Oy", **overrides: Any) -> dict[str, Any]:
        request = body(example, **overrides)
        request["respondent"] = request["respondent"] | {"organisation": organisation}
        with pytest.MonkeyPatch.context() as clock:
            if at is not None:
                clock.setattr(assessment_service, "utcnow", lambda: at)
            response = client.post("/v1/assessments", json=request, headers=headers or auth)
        assert response.status_code == 201, response.text
        return response.json()

    return store


def peers(client: TestClient, auth: dict[str, str], assessment_id: str, **params: str) -> Any:
    return client.get(f"/v1/assessments/{assessment_id}/peers", headers=auth, params=params)


def scored(example: str, client: TestClient) -> dict[str, Any]:
    return client.post("/v1/score", json=body(example)).json()


def mid_rank(own: float, group: list[float]) -> float:
    """The documented percentile, computed the long way on the raw scores."""
    below = sum(1 for s in group if math.floor(s) < math.floor(own))
    same = sum(1 for s in group if math.floor(s) == math.floor(own))
    return 100 * (below + same / 2) / len(group)


class TestPeers:
    def test_a_group_of_four_shows_neither_figures_nor_its_size(
        self, client: TestClient, auth: dict[str, str], submit: Callable[..., dict[str, Any]]
    ) -> None:
        stored = [submit(example) for example in EXAMPLES[:4]]
        response = peers(client, auth, stored[0]["id"])
        assert response.status_code == 200
        figures = response.json()
        assert figures["group"] == {"size": None, "minimum": 5, "enough": False}
        assert figures["overall"] == {"score": stored[0]["score"], "percentile": None}
        assert [d["percentile"] for d in figures["dimensions"]] == [None] * len(shipped_bank().dimensions)
        assert "Fewer than 5" in figures["explanation"]
        assert "4" not in figures["explanation"]

    def test_a_group_of_five_shows_them(
        self, client: TestClient, auth: dict[str, str], submit: Callable[..., dict[str, Any]]
    ) -> None:
        stored = [submit(example) for example in EXAMPLES[:5]]
        figures = peers(client, auth, stored[0]["id"]).json()
        assert figures["group"] == {"size": 5, "minimum": 5, "enough": True}
        assert figures["overall"]["percentile"] == 90.0  # the best of five: (4 + 1/2) / 5
        assert all(d["percentile"] is not None for d in figures["dimensions"])

    def test_percentiles_overall_and_per_dimension_for_known_scores(
        self, client: TestClient, auth: dict[str, str], submit: Callable[..., dict[str, Any]]
    ) -> None:
        examples = [*EXAMPLES, "ready", "borderline"]  # two ties on the same whole point
        results = {example: scored(example, client) for example in EXAMPLES}
        stored = [(example, submit(example)) for example in examples]
        overall = [results[e]["score"] for e in examples]
        for example, assessment in stored:
            figures = peers(client, auth, assessment["id"]).json()
            assert figures["group"]["size"] == len(examples)
            assert figures["overall"]["score"] == results[example]["score"]
            assert figures["overall"]["percentile"] == round(mid_rank(results[example]["score"], overall), 1)
            for dimension in figures["dimensions"]:
                group = [d["score"] for e in examples for d in results[e]["dimensions"] if d["key"] == dimension["key"]]
                own = next(d["score"] for d in results[example]["dimensions"] if d["key"] == dimension["key"])
                assert dimension["score"] == own
                assert dimension["percentile"] == round(mid_rank(own, group), 1), dimension["key"]
        ready = peers(client, auth, stored[0][1]["id"]).json()
        # ready (87.22) twice, above the other six: (6 + 2/2) / 8
        assert ready["overall"]["percentile"] == 87.5
        # pitch: 100 for ready (x2), borderline (x2), knockout and no_owner, 0 for the other two: (2 + 6/2) / 8
        assert next(d for d in ready["dimensions"] if d["key"] == "pitch")["percentile"] == 62.5

    def test_other_tenants_assessments_are_never_counted(
        self, client: TestClient, auth: dict[str, str], make_key: Any, submit: Callable[..., dict[str, Any]]
    ) -> None:
        other = {"Authorization": f"Bearer {make_key('agency-b')}"}
        theirs = [submit(example, headers=other) for example in EXAMPLES[:5]]
        ours = [submit(example) for example in EXAMPLES[:4]]
        assert peers(client, auth, ours[0]["id"]).json()["group"]["enough"] is False
        assert peers(client, other, theirs[0]["id"]).json()["group"]["size"] == 5
        # and another tenant's assessment is indistinguishable from a missing one
        missing = peers(client, auth, theirs[0]["id"])
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"

    def test_drafts_are_not_counted_and_have_no_peers(
        self, client: TestClient, auth: dict[str, str], submit: Callable[..., dict[str, Any]]
    ) -> None:
        stored = [submit(example) for example in EXAMPLES[:4]]
        draft = client.post("/v1/assessments", json=body("ready", submit=False), headers=auth).json()
        client.post("/v1/assessments", json=body("borderline", submit=False), headers=auth)
        assert peers(client, auth, stored[0]["id"]).json()["group"]["enough"] is False
        refused = peers(client, auth, draft["id"])
        assert refused.status_code == 409
        assert refused.headers["content-type"] == "application/problem+json"
        assert "draft" in refused.json()["detail"]
        # submitting the draft counts it
        assert client.post(f"/v1/assessments/{draft['id']}/submit", headers=auth).status_code == 200
        assert peers(client, auth, draft["id"]).json()["group"] == {"size": 5, "minimum": 5, "enough": True}

    def test_erasure_takes_the_assessment_out_of_the_group(
        self, client: TestClient, auth: dict[str, str], submit: Callable[..., dict[str, Any]], db_engine: Engine
    ) -> None:
        stored = [submit(example) for example in EXAMPLES]
        assert peers(client, auth, stored[0]["id"]).json()["group"]["size"] == 6
        assert client.delete(f"/v1/assessments/{stored[1]['id']}", headers=auth).status_code == 204
        assert peers(client, auth, stored[0]["id"]).json()["group"]["size"] == 5
        assert client.delete(f"/v1/assessments/{stored[2]['id']}", headers=auth).status_code == 204
        assert peers(client, auth, stored[0]["id"]).json()["group"]["enough"] is False
        assert histogram_rows(db_engine) == recomputed(db_engine)
        # the erased scores left no row at zero behind
        assert all(count > 0 for count, _ in histogram_rows(db_engine).values())

    def test_names_no_other_assessment_and_no_personal_data(
        self, client: TestClient, auth: dict[str, str], submit: Callable[..., dict[str, Any]]
    ) -> None:
        stored = [submit(example, organisation=f"Org {i}") for i, example in enumerate(EXAMPLES)]
        text = peers(client, auth, stored[0]["id"]).text
        for other in stored[1:]:
            assert other["id"] not in text
        for private in ("Org ", "owner@example.fi", "crm-1", "answers"):
            assert private not in text

    def test_dimension_titles_and_texts_in_the_request_language(
        self, client: TestClient, auth: dict[str, str], submit: Callable[..., dict[str, Any]]
    ) -> None:
        stored = [submit(example) for example in EXAMPLES[:5]]
        bank = shipped_bank()
        fi = peers(client, auth, stored[0]["id"], lang="fi")
        en = client.get(f"/v1/assessments/{stored[0]['id']}/peers", headers=auth | {"Accept-Language": "en"})
        assert fi.headers["content-language"] == "fi" and en.headers["content-language"] == "en"
        assert [d["title"] for d in fi.json()["dimensions"]] == [d.title.fi for d in bank.dimensions]
        assert [d["title"] for d in en.json()["dimensions"]] == [d.title.en for d in bank.dimensions]
        assert fi.json()["explanation"] != en.json()["explanation"]
        assert fi.json()["overall"] == en.json()["overall"]

    def test_needs_a_secret_key(self, client: TestClient, make_key: Any, submit: Callable[..., dict[str, Any]]) -> None:
        stored = submit()
        assert client.get(f"/v1/assessments/{stored['id']}/peers").status_code == 401
        publishable = {"Authorization": f"Bearer {make_key(kind='publishable')}"}
        assert client.get(f"/v1/assessments/{stored['id']}/peers", headers=publishable).status_code == 403

    def test_an_unknown_or_malformed_id(self, client: TestClient, auth: dict[str, str]) -> None:
        assert peers(client, auth, "0b7e2f44-8a51-4c1e-9f0e-3d2a6c1b5e77").status_code == 404
        malformed = peers(client, auth, "nope")
        assert malformed.status_code == 422
        assert malformed.json()["errors"][0]["field"] == "path.assessment_id"


class TestHistograms:
    def test_kept_equal_to_a_count_of_the_stored_assessments(
        self, client: TestClient, auth: dict[str, str], make_key: Any, submit: Callable[..., dict[str, Any]],
        db_engine: Engine,
    ) -> None:
        other = {"Authorization": f"Bearer {make_key('agency-b')}"}
        for i, example in enumerate(EXAMPLES):
            submit(example, at=datetime(2026, 10 + i % 2, 15, tzinfo=UTC))
            submit(example, headers=other)
        draft = client.post("/v1/assessments", json=body("borderline", submit=False), headers=auth).json()
        client.post(f"/v1/assessments/{draft['id']}/submit", headers=auth)
        client.post("/v1/assessments", json=body("ready", submit=False), headers=auth)
        assert histogram_rows(db_engine) == recomputed(db_engine)

    def test_a_submission_adds_its_figures_with_one_multi_row_statement(
        self, client: TestClient, auth: dict[str, str]
    ) -> None:
        statements: list[tuple[str, Any]] = []

        def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            if "score_histogram" in statement:
                statements.append((statement, parameters))

        event.listen(Engine, "before_cursor_execute", seen)
        try:
            draft = client.post("/v1/assessments", json=body("ready", submit=False), headers=auth).json()
            assert statements == []  # a draft is not counted
            client.post(f"/v1/assessments/{draft['id']}/submit", headers=auth)
            client.post("/v1/assessments", json=body("borderline"), headers=auth)
        finally:
            event.remove(Engine, "before_cursor_execute", seen)
        # one statement per submission: the decision, the overall score and the nine dimensions, 7 values each
        assert len(statements) == 2
        for statement, parameters in statements:
            assert statement.startswith("INSERT INTO score_histogram") and "ON CONFLICT" in statement
            assert len(parameters) == 7 * (2 + len(shipped_bank().dimensions))

    def test_a_replayed_submission_is_counted_once(
        self, client: TestClient, auth: dict[str, str], db_engine: Engine
    ) -> None:
        headers = auth | {"Idempotency-Key": "intake-4711"}
        first = client.post("/v1/assessments", json=body("ready"), headers=headers)
        again = client.post("/v1/assessments", json=body("ready"), headers=headers)
        assert again.headers["idempotent-replayed"] == "true" and first.json() == again.json()
        assert histogram_rows(db_engine) == recomputed(db_engine)
        assert sum(n for (*_, metric, _b), (n, _s) in histogram_rows(db_engine).items() if metric == "overall") == 1

    def test_a_submission_that_fails_before_its_commit_counts_nothing(
        self, settings: Settings, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch, db_engine: Engine
    ) -> None:
        def fail(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("the process died before the commit")

        # the last step before the commit: the histogram rows were written in the same transaction
        monkeypatch.setattr(idempotency_service, "complete", fail)
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            response = client.post("/v1/assessments", json=body("ready"), headers=auth | {"Idempotency-Key": "k-1"})
        assert response.status_code == 500
        assert histogram_rows(db_engine) == {} == recomputed(db_engine)


def own_bank(client: TestClient, auth: dict[str, str]) -> str:
    """A tenant's own published bank whose `pitch` dimension can be answered not applicable as a whole."""
    document = load_bank_file(FIXTURES / "mini-bank.yaml").bank.model_dump(mode="json", by_alias=True)
    for question in document["questions"]:
        if question["dimension"] == "pitch":
            question["allow_not_applicable"] = True
    document |= {"slug": "agency-mini", "version": "1.0.0"}
    assert client.post("/v1/banks", json=document, headers=auth).status_code == 201
    assert client.post("/v1/banks/agency-mini/versions/1.0.0/publish", headers=auth).status_code == 200
    return "/v1/banks/agency-mini/versions/1.0.0/stats"


MINI_PITCH = {"pitch_text": "We help small cafes fill quiet afternoons.", "hours": 10, "channels": ["linkedin"]}
MINI_NO_PITCH = {key: {"state": "not_applicable"} for key in MINI_PITCH}


class TestOwnBank:
    def test_a_dimension_scored_in_fewer_than_five_shows_no_figures(
        self, client: TestClient, auth: dict[str, str], submit: Callable[..., dict[str, Any]]
    ) -> None:
        stats = own_bank(client, auth)
        purpose = {"why": "written", "backing": True, "backing_level": 3}
        scored_pitch = [submit(bank="agency-mini", answers=purpose | MINI_PITCH) for _ in range(2)]
        no_pitch = [submit(bank="agency-mini", answers=purpose | {"why": why} | MINI_NO_PITCH)
                    for why in ("written", "vague", "vague", "written")]
        assert no_pitch[0]["result"]["dimensions"][1]["key"] == "pitch"
        assert no_pitch[0]["result"]["dimensions"][1]["score"] is None  # not applicable as a whole
        [month] = client.get(stats, headers=auth).json()["months"]
        assert month["count"] == 6
        figures = {d["key"]: d for d in month["dimensions"]}
        assert figures["purpose"]["median"] is not None
        assert figures["pitch"] == {"key": "pitch", "title": "Pitch", "mean": None, "p25": None, "median": None, "p75": None}
        scored = peers(client, auth, scored_pitch[0]["id"]).json()
        assert scored["group"]["size"] == 6
        own = [d["score"] for d in scored_pitch[0]["result"]["dimensions"]]
        assert None not in own
        assert [(d["key"], d["score"], d["percentile"] is None) for d in scored["dimensions"]] == [
            ("purpose", own[0], False), ("pitch", own[1], True),
        ]
        unscored = peers(client, auth, no_pitch[0]["id"], lang="fi").json()
        assert [(d["title"], d["score"], d["percentile"]) for d in unscored["dimensions"]][1] == ("Hissitarina", None, None)

    def test_another_tenant_cannot_see_the_stats_of_your_bank(
        self, client: TestClient, auth: dict[str, str], make_key: Any
    ) -> None:
        stats = own_bank(client, auth)
        assert client.get(stats, headers=auth).status_code == 200
        other = client.get(stats, headers={"Authorization": f"Bearer {make_key('agency-b')}"})
        assert other.status_code == 404


def months(response: Any) -> dict[str, Any]:
    return {m["month"]: m for m in response.json()["months"]}


class TestStats:
    def test_figures_for_known_scores(
        self, client: TestClient, auth: dict[str, str], submit: Callable[..., dict[str, Any]]
    ) -> None:
        at = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
        for example in EXAMPLES:
            submit(example, at=at)
        results = [scored(example, client) for example in EXAMPLES]
        response = client.get(STATS, headers=auth)
        assert response.status_code == 200
        figures = response.json()
        assert (figures["bank"], figures["bank_version"], figures["minimum"]) == (SHIPPED_SLUG, SHIPPED_VERSION, 5)
        [november] = figures["months"]
        assert november["month"] == "2026-11"
        assert november["count"] == 6 and november["suppressed"] is False
        assert november["decisions"] == {"go": 1, "conditional_go": 2, "no_go": 2, "insufficient_data": 1}
        scores = [r["score"] for r in results]
        assert november["score"] == expected_figures(scores)
        for dimension in november["dimensions"]:
            values = [d["score"] for r in results for d in r["dimensions"] if d["key"] == dimension["key"]]
            assert {k: dimension[k] for k in ("mean", "p25", "median", "p75")} == expected_figures(values)
        # one month: the total is the same
        assert figures["total"] == {k: v for k, v in november.items() if k != "month"} | {"months_left_out": 0}

    def test_months_split_by_the_utc_month_of_submission(
        self, client: TestClient, auth: dict[str, str], submit: Callable[..., dict[str, Any]]
    ) -> None:
        for example in EXAMPLES[:5]:
            submit(example, at=datetime(2026, 10, 31, 23, 30, tzinfo=UTC))
        for example in EXAMPLES:
            submit(example, at=datetime(2026, 11, 1, 0, 30, tzinfo=UTC))
        # a draft started in September and submitted in November counts in November
        with pytest.MonkeyPatch.context() as clock:
            clock.setattr(assessment_service, "utcnow", lambda: datetime(2026, 9, 30, tzinfo=UTC))
            draft = client.post("/v1/assessments", json=body("ready", submit=False), headers=auth).json()
            clock.setattr(assessment_service, "utcnow", lambda: datetime(2026, 11, 30, 23, 59, tzinfo=UTC))
            assert client.post(f"/v1/assessments/{draft['id']}/submit", headers=auth).status_code == 200
        by_month = months(client.get(STATS, headers=auth))
        assert list(by_month) == ["2026-10", "2026-11"]
        assert by_month["2026-10"]["count"] == 5
        assert by_month["2026-11"]["count"] == 7
        assert by_month["2026-11"]["decisions"]["go"] == 2
        assert client.get(STATS, headers=auth).json()["total"]["count"] == 12

    def test_a_month_under_five_is_suppressed_without_its_count(
        self, client: TestClient, auth: dict[str, str], submit: Callable[..., dict[str, Any]]
    ) -> None:
        for example in EXAMPLES[:3]:
            submit(example, at=datetime(2026, 10, 5, tzinfo=UTC))
        for example in EXAMPLES[:5]:
            submit(example, at=datetime(2026, 11, 5, tzinfo=UTC))
        by_month = months(client.get(STATS, headers=auth))
        assert by_month["2026-10"] == {
            "month": "2026-10", "count": None, "suppressed": True, "decisions": None, "score": None, "dimensions": None,
        }
        assert by_month["2026-11"]["count"] == 5
        # the total leaves the suppressed month out too: total minus the months shown gives away nothing
        total = client.get(STATS, headers=auth).json()["total"]
        assert (total["count"], total["months_left_out"]) == (5, 1)
        assert total["decisions"] == by_month["2026-11"]["decisions"] and total["score"] == by_month["2026-11"]["score"]
        only_october = client.get(STATS, headers=auth, params={"from": "2026-10", "to": "2026-10"}).json()
        assert only_october["total"] == {
            "count": None, "suppressed": True, "decisions": None, "score": None, "dimensions": None, "months_left_out": 1,
        }

    def test_from_and_to_pick_months(
        self, client: TestClient, auth: dict[str, str], submit: Callable[..., dict[str, Any]]
    ) -> None:
        for month in (9, 10, 11):
            for example in EXAMPLES[:5]:
                submit(example, at=datetime(2026, month, 10, tzinfo=UTC))
        response = client.get(STATS, headers=auth, params={"from": "2026-10", "to": "2026-11"})
        assert list(months(response)) == ["2026-10", "2026-11"]
        assert response.json()["total"]["count"] == 10
        assert (response.json()["from"], response.json()["to"]) == ("2026-10", "2026-11")
        assert list(months(client.get(STATS, headers=auth, params={"from": "2026-11"}))) == ["2026-11"]
        assert list(months(client.get(STATS, headers=auth, params={"to": "2026-09"}))) == ["2026-09"]
        empty = client.get(STATS, headers=auth, params={"from": "2027-01"}).json()
        assert empty["months"] == [] and empty["total"]["suppressed"] is True and empty["total"]["months_left_out"] == 0

    def test_counts_only_this_tenants_submitted_assessments_of_this_version(
        self, client: TestClient, auth: dict[str, str], make_key: Any, submit: Callable[..., dict[str, Any]]
    ) -> None:
        other = {"Authorization": f"Bearer {make_key('agency-b')}"}
        for example in EXAMPLES:
            submit(example, headers=other)
        for example in EXAMPLES[:4]:
            submit(example)
        client.post("/v1/assessments", json=body("ready", submit=False), headers=auth)
        ours = client.get(STATS, headers=auth).json()
        assert [m["suppressed"] for m in ours["months"]] == [True]
        assert client.get(STATS, headers=other).json()["total"]["count"] == 6

    def test_no_personal_data(self, client: TestClient, auth: dict[str, str], submit: Callable[..., dict[str, Any]]) -> None:
        stored = [submit(example, organisation=f"Org {i}") for i, example in enumerate(EXAMPLES)]
        text = client.get(STATS, headers=auth).text
        for private in ("Org ", "owner@example.fi", "crm-1", *(s["id"] for s in stored)):
            assert private not in text

    def test_dimension_titles_in_the_request_language(
        self, client: TestClient, auth: dict[str, str], submit: Callable[..., dict[str, Any]]
    ) -> None:
        for example in EXAMPLES[:5]:
            submit(example)
        fi = client.get(STATS, headers=auth | {"Accept-Language": "fi-FI"})
        assert fi.headers["content-language"] == "fi"
        assert [d["title"] for d in fi.json()["total"]["dimensions"]] == [d.title.fi for d in shipped_bank().dimensions]
        en = client.get(STATS, headers=auth, params={"lang": "en"}).json()
        assert [d["title"] for d in en["months"][0]["dimensions"]] == [d.title.en for d in shipped_bank().dimensions]
        assert fi.json()["explanation"] != en["explanation"]

    def test_an_unknown_bank_or_version_is_404(self, client: TestClient, auth: dict[str, str]) -> None:
        for path in ("/v1/banks/no-such-bank/versions/1.0.0/stats", f"/v1/banks/{SHIPPED_SLUG}/versions/9.9.9/stats"):
            response = client.get(path, headers=auth)
            assert response.status_code == 404
            assert response.headers["content-type"] == "application/problem+json"

    @pytest.mark.parametrize(
        ("params", "field"),
        [({"from": "2026-13"}, "query.from"), ({"to": "26-01"}, "query.to"), ({"from": "2026-11", "to": "2026-10"}, "query.to")],
    )
    def test_a_bad_period_names_the_field(
        self, client: TestClient, auth: dict[str, str], params: dict[str, str], field: str
    ) -> None:
        response = client.get(STATS, headers=auth, params=params)
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == [field]

    def test_needs_a_secret_key(self, client: TestClient, make_key: Any) -> None:
        assert client.get(STATS).status_code == 401
        publishable = {"Authorization": f"Bearer {make_key(kind='publishable')}"}
        assert client.get(STATS, headers=publishable).status_code == 403


def expected_figures(scores: list[float]) -> dict[str, float]:
    """Mean of the exact scores; quartiles of the whole points, linearly interpolated (as documented)."""
    points = [math.floor(s) for s in scores]
    p25, median, p75 = statistics.quantiles(points, n=4, method="inclusive")
    return {"mean": round(statistics.fmean(scores), 2), "p25": round(p25, 2), "median": round(median, 2), "p75": round(p75, 2)}
