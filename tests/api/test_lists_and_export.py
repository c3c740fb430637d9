"""Lists for integrations: Link headers, no skips or repeats while rows arrive, and the CSV export."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.utils.factories import body, shipped_bank

LINK = re.compile(r'^<(?P<url>[^>]+)>; rel="next"$')


def create(client: TestClient, auth: dict[str, str], example: str = "ready", **overrides: Any) -> dict[str, Any]:
    response = client.post("/v1/assessments", json=body(example, **overrides), headers=auth)
    assert response.status_code == 201, response.text
    return response.json()


def export(client: TestClient, auth: dict[str, str], **params: Any) -> list[dict[str, str]]:
    response = client.get("/v1/assessments", params=params, headers=auth | {"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


class TestLinkHeader:
    def test_following_link_headers_visits_every_row_once_with_the_filters_kept(
        self, client: TestClient, auth: dict[str, str]
    ) -> None:
        wanted = [create(client, auth, "ready")["id"] for _ in range(5)]
        create(client, auth, "not_ready")
        seen: list[str] = []
        url: str | None = "/v1/assessments?limit=2&decision=go"
        while url is not None:
            response = client.get(url, headers=auth)
            page = response.json()
            seen += [item["id"] for item in page["items"]]
            link = response.headers.get("link")
            assert (link is None) == (page["next_cursor"] is None)
            url = None if link is None else LINK.match(link)["url"]  # type: ignore[index]
            if url is not None:
                assert "decision=go" in url and "limit=2" in url and page["next_cursor"] in url
        assert seen == list(reversed(wanted))

    def test_rows_added_while_paging_neither_skip_nor_repeat_the_others(
        self, client: TestClient, auth: dict[str, str]
    ) -> None:
        before = [create(client, auth)["id"] for _ in range(6)]
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = client.get("/v1/assessments", params=params, headers=auth).json()
            seen += [item["id"] for item in page["items"]]
            create(client, auth)  # a new submission arrives between every two pages
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen))
        assert seen == list(reversed(before))


class TestExport:
    def test_one_row_per_assessment_with_a_column_per_dimension(
        self, client: TestClient, auth: dict[str, str]
    ) -> None:
        created = [create(client, auth, name) for name in ("ready", "not_ready", "knockout")]
        draft = client.post("/v1/assessments", json=body(submit=False), headers=auth).json()
        rows = export(client, auth)
        dimensions = [d.key for d in shipped_bank().dimensions]
        assert list(rows[0]) == [
            "id", "created_at", "submitted_at", "status", "bank", "bank_version", "organisation", "email",
            "external_ref", "decision", "score", "coverage",
            *(f"dimension_{key}" for key in dimensions),
            "top_gaps", "top_recommendation",
        ]
        assert [r["id"] for r in rows] == [draft["id"], *reversed([c["id"] for c in created])]
        for row, stored in zip(rows[1:], reversed(created), strict=True):
            result = stored["result"]
            assert (row["status"], row["decision"], float(row["score"]), float(row["coverage"])) == (
                "submitted", result["decision"], result["score"], result["coverage"],
            )
            for dimension in result["dimensions"]:
                cell = row[f"dimension_{dimension['key']}"]
                assert (float(cell) if cell else None) == dimension["score"]
            gaps = result["gaps"]
            assert row["top_gaps"] == "; ".join(f"{g['dimension']} ({g['severity']})" for g in gaps[:3])
            assert row["top_recommendation"] == (gaps[0]["recommendation"] if gaps else "")
        assert (rows[0]["status"], rows[0]["decision"], rows[0]["score"], rows[0]["submitted_at"]) == ("draft", "", "", "")

    def test_the_export_takes_the_list_filters_and_ignores_paging(
        self, client: TestClient, auth: dict[str, str]
    ) -> None:
        go = [create(client, auth, "ready")["id"] for _ in range(3)]
        create(client, auth, "not_ready", respondent={"organisation": "X", "external_ref": "crm-9"})
        assert [r["id"] for r in export(client, auth, decision="go", limit=1)] == list(reversed(go))
        assert [r["external_ref"] for r in export(client, auth, external_ref="crm-9")] == ["crm-9"]
        assert export(client, auth, status="draft") == []

    def test_spreadsheet_formulas_in_text_are_defused(self, client: TestClient, auth: dict[str, str]) -> None:
        create(client, auth, respondent={"organisation": '=HYPERLINK("http://x")', "external_ref": "+1"})
        row = export(client, auth)[0]
        assert row["organisation"] == "'=HYPERLINK(\"http://x\")" and row["external_ref"] == "'+1"

    def test_the_export_streams_in_batches_without_losing_rows(
        self, client: TestClient, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from app.services import export as export_service

        reads = []
        keyset_page = export_service.keyset_page
        monkeypatch.setattr(export_service, "BATCH", 2)
        monkeypatch.setattr(export_service, "keyset_page", lambda **kw: reads.append(kw["limit"]) or keyset_page(**kw))
        ids = [create(client, auth)["id"] for _ in range(5)]
        assert [r["id"] for r in export(client, auth)] == list(reversed(ids))
        assert reads == [2, 2, 2]

    @pytest.mark.parametrize(
        ("accept", "expected"),
        [
            ("text/csv", "text/csv"),
            ("text/csv;q=0.5, application/json", "application/json"),
            ("application/json;q=0.2, text/*", "text/csv"),
            ("*/*", "application/json"),
            ("image/png", "application/json"),
            ("text/csv;q=0, */*;q=0.1", "application/json"),
        ],
    )
    def test_accept_is_negotiated(self, client: TestClient, auth: dict[str, str], accept: str, expected: str) -> None:
        response = client.get("/v1/assessments", headers=auth | {"Accept": accept})
        assert response.status_code == 200 and response.headers["content-type"].startswith(expected)

    def test_a_publishable_key_cannot_export(self, client: TestClient, make_key: Any) -> None:
        form = {"Authorization": f"Bearer {make_key(kind='publishable')}", "Accept": "text/csv"}
        assert client.get("/v1/assessments", headers=form).status_code == 403
