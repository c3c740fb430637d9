"""Metrics, request ids, JSON logs and readiness: what an operator sees, through the HTTP API."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine
from sqlmodel import Session

from app import migrations
from app.api.deps import TenantDep
from app.main import create_app
from app.observability.metrics import Metrics
from app.services import keys as key_service
from app.settings import Settings
from tests.utils.factories import body

Headers = dict[str, str]


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    """Every sample of an exposition by name and labels."""
    return {
        (s.name, frozenset(s.labels.items())): s.value for family in text_string_to_metric_families(text) for s in family.samples
    }


def samples(client: TestClient) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200
    return parse(response.text)


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def requests_of(found: Samples, route: str, status: str) -> float:
    return value(found, "readiness_http_requests_total", method="GET", route=route, status=status)


class TestRequestMetrics:
    def test_requests_are_counted_by_route_template_and_status(self, client: TestClient) -> None:
        client.get("/v1/banks/social-media-readiness")
        client.get("/v1/banks/social-media-readiness")
        client.get("/v1/banks/no-such-bank")
        found = samples(client)
        assert requests_of(found, "/v1/banks/{slug}", "200") == 2
        assert requests_of(found, "/v1/banks/{slug}", "404") == 1
        count = value(found, "readiness_http_request_duration_seconds_count", method="GET", route="/v1/banks/{slug}")
        assert count == 3
        infinite = value(
            found, "readiness_http_request_duration_seconds_bucket", method="GET", route="/v1/banks/{slug}", le="+Inf"
        )
        assert infinite == 3
        # never a raw path: a label value is a template
        assert not any("social-media-readiness" in dict(labels).get("route", "") for _, labels in found)

    def test_unknown_paths_and_made_up_methods_share_one_series(self, client: TestClient) -> None:
        client.get("/no/such/page")
        client.get("/nor/this/one")
        client.request("BREW", "/healthz")
        found = samples(client)
        assert requests_of(found, "unmatched", "404") == 2
        assert value(found, "readiness_http_requests_total", method="other", route="/healthz", status="405") == 1

    def test_openmetrics_is_served_to_a_scraper_that_asks_for_it(self, client: TestClient) -> None:
        response = client.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
        assert response.headers["content-type"].startswith("application/openmetrics-text")
        assert response.text.endswith("# EOF\n")

    def test_metrics_stay_out_of_the_api_document(self, client: TestClient) -> None:
        assert "/metrics" not in client.get("/openapi.json").json()["paths"]

    def test_metrics_can_be_turned_off(self, settings: Settings) -> None:
        with TestClient(create_app(settings.model_copy(update={"metrics_enabled": False}))) as client:
            assert client.get("/metrics").status_code == 404


class TestDecisionMetrics:
    def test_each_submission_is_counted_by_its_decision(self, client: TestClient, auth: Headers) -> None:
        assert client.post("/v1/assessments", json=body("ready"), headers=auth).status_code == 201
        assert client.post("/v1/assessments", json=body("not_ready"), headers=auth).status_code == 201
        found = samples(client)
        assert value(found, "readiness_assessments_submitted_total", decision="go") == 1
        assert value(found, "readiness_assessments_submitted_total", decision="no_go") == 1
        assert value(found, "readiness_assessments_submitted_total", decision="conditional_go") == 0

    def test_a_draft_counts_when_submitted_not_when_stored(self, client: TestClient, auth: Headers) -> None:
        draft = client.post("/v1/assessments", json=body("ready", submit=False), headers=auth)
        assert draft.status_code == 201
        assert value(samples(client), "readiness_assessments_submitted_total", decision="go") == 0
        submitted = client.post(f"/v1/assessments/{draft.json()['id']}/submit", headers=auth)
        assert submitted.status_code == 200
        assert value(samples(client), "readiness_assessments_submitted_total", decision="go") == 1

    def test_a_replayed_answer_is_not_counted_again(self, client: TestClient, auth: Headers) -> None:
        headers = auth | {"Idempotency-Key": "obs-replay-1"}
        first = client.post("/v1/assessments", json=body("ready"), headers=headers)
        again = client.post("/v1/assessments", json=body("ready"), headers=headers)
        assert (first.status_code, again.headers.get("idempotent-replayed")) == (201, "true")
        assert value(samples(client), "readiness_assessments_submitted_total", decision="go") == 1


class TestWebhookQueueMetric:
    def test_a_queued_delivery_is_counted_until_it_is_gone(self, settings: Settings, auth: Headers) -> None:
        quiet = settings.model_copy(update={"webhooks_worker": False})
        with TestClient(create_app(quiet)) as client:
            assert value(samples(client), "readiness_webhook_deliveries_pending") == 0
            hook = client.post(
                "/v1/webhooks", json={"url": "https://crm.example.com/hooks", "events": ["assessment.submitted"]}, headers=auth
            )
            assert hook.status_code == 201
            assert client.post("/v1/assessments", json=body("ready"), headers=auth).status_code == 201
            assert client.post("/v1/assessments", json=body("ready"), headers=auth).status_code == 201
            assert value(samples(client), "readiness_webhook_deliveries_pending") == 2
            # deleting the endpoint deletes its deliveries
            assert client.delete(f"/v1/webhooks/{hook.json()['id']}", headers=auth).status_code == 204
            assert value(samples(client), "readiness_webhook_deliveries_pending") == 0


class TestRequestIds:
    def test_a_sane_incoming_id_is_echoed(self, client: TestClient) -> None:
        response = client.get("/healthz", headers={"X-Request-ID": "4bf92f35-77b3.4a:0e_1"})
        assert response.headers["x-request-id"] == "4bf92f35-77b3.4a:0e_1"

    @pytest.mark.parametrize("sent", ["", "a b", "x" * 65, "<script>", "id\u00e4"])
    def test_anything_else_is_replaced_by_a_new_id(self, client: TestClient, sent: str) -> None:
        response = client.get("/healthz", headers={"X-Request-ID": sent.encode("utf-8")})
        assert response.headers["x-request-id"] != sent
        assert len(response.headers["x-request-id"]) == 32

    def test_each_request_gets_its_own_id(self, client: TestClient) -> None:
        ids = {client.get("/healthz").headers["x-request-id"] for _ in range(3)}
        assert len(ids) == 3

    def test_errors_carry_the_id_too(self, client: TestClient) -> None:
        assert client.get("/no/such/page").headers["x-request-id"]
        assert client.get("/v1/assessments").headers["x-request-id"]  # 401
        assert client.post("/v1/score", content=b"x" * 300_000).headers["x-request-id"]  # 413, before routing


def _lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line]


class TestLogs:
    def test_lines_are_json_with_request_id_and_tenant_and_no_secret_or_personal_data(
        self, settings: Settings, db_engine: Engine, make_key: Callable[..., str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        key = make_key("agency-a")
        auth = {"Authorization": f"Bearer {key}"}
        sent = body("ready", respondent={"organisation": "Salainen Kahvila Oy", "email": "maija.meikalainen@example.fi"})
        with TestClient(create_app(settings.model_copy(update={"webhooks_worker": False}))) as client:
            capsys.readouterr()
            hook = client.post("/v1/webhooks", json={"url": "https://crm.example.com/h", "events": ["assessment.submitted"]}, headers=auth)
            stored = client.post("/v1/assessments", json=sent, headers=auth | {"X-Request-ID": "trace-42"})
            client.get("/healthz")
            client.get("/v1/assessments", headers={"Authorization": "Bearer rdy_sk_not-a-real-key"})
            output = capsys.readouterr().out
        assert stored.status_code == 201
        lines = _lines(output)  # every line is JSON
        assert [(line["route"], line["status"]) for line in lines if line["event"] == "request"] == [
            ("/v1/webhooks", 201),
            ("/v1/assessments", 201),
            ("/healthz", 200),
            ("/v1/assessments", 401),
        ]
        with Session(db_engine) as session:
            tenant = key_service.find_tenant(session=session, name="agency-a")
        assert tenant is not None
        for line in lines:
            assert line["request_id"] and line["level"] and line["timestamp"].endswith("Z")
        webhook, assessment, health, refused = (line for line in lines if line["event"] == "request")
        assert assessment["request_id"] == "trace-42"
        assert webhook["tenant_id"] == assessment["tenant_id"] == str(tenant.id)
        assert "tenant_id" not in health and "tenant_id" not in refused
        for secret in (key, "rdy_sk_not-a-real-key", hook.json()["secret"], "Salainen Kahvila", "maija.meikalainen", "Bearer"):
            assert secret not in output

    def test_an_unexpected_error_is_logged_with_its_request_and_answered_with_its_id(
        self, settings: Settings, auth: Headers, capsys: pytest.CaptureFixture[str]
    ) -> None:
        app = create_app(settings)

        @app.get("/v1/boom")
        def boom(tenant: TenantDep) -> None:
            raise RuntimeError("something broke")

        with TestClient(app, raise_server_exceptions=False) as client:
            capsys.readouterr()
            response = client.get("/v1/boom", headers=auth | {"X-Request-ID": "boom-1"})
            output = capsys.readouterr().out
        assert (response.status_code, response.headers["x-request-id"]) == (500, "boom-1")
        lines = _lines(output)
        error = next(line for line in lines if line["level"] == "error")
        assert error["request_id"] == "boom-1" and error["tenant_id"]
        assert "RuntimeError: something broke" in error["exception"]
        access = next(line for line in lines if line["event"] == "request")
        assert (access["route"], access["status"], access["request_id"]) == ("/v1/boom", 500, "boom-1")

    def test_console_format_for_development(self, settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
        with TestClient(create_app(settings.model_copy(update={"log_format": "console"}))) as client:
            capsys.readouterr()
            client.get("/healthz")
            output = capsys.readouterr().out
        assert "request" in output and "route=/healthz" in output
        with pytest.raises(json.JSONDecodeError):
            json.loads(output.splitlines()[0])

    def test_level_filters_the_access_lines(self, settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
        with TestClient(create_app(settings.model_copy(update={"log_level": "WARNING"}))) as client:
            capsys.readouterr()
            client.get("/healthz")
            assert capsys.readouterr().out == ""


class TestReadiness:
    def test_readyz_fails_while_the_schema_is_one_revision_behind(self, settings: Settings, tmp_path: Path) -> None:
        behind = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'behind.db'}"})
        migrations.upgrade(behind)
        with TestClient(create_app(behind)) as client:
            assert client.get("/readyz").status_code == 200
            command.downgrade(migrations.alembic_config(behind), "-1")
            response = client.get("/readyz")
            assert response.status_code == 503
            assert migrations.head_revision(behind) in response.json()["detail"]
            migrations.upgrade(behind)
            assert client.get("/readyz").status_code == 200


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`readiness serve --workers 2` on a free port of 127.0.0.1, stopped (SIGTERM) afterwards."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = os.environ | {
        "READINESS_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
        "READINESS_WEBHOOKS_WORKER": "false",
        "TMPDIR": str(temp),  # where serve makes its metrics directory
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--workers", "2", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                _get(f"{base}/readyz")
                break
            except OSError:
                assert server.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "the server was not ready in 90 s"
                time.sleep(0.3)
        yield base, temp
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert not any(temp.iterdir()), "the metrics directory was not removed"


# one worker process of `readiness serve`, reduced to its metrics: it counts some requests and exits
_WORKER = """
import sys
from app.observability.metrics import Metrics, multiprocess_dir
metrics = Metrics(multiprocess_dir=multiprocess_dir())
for _ in range(int(sys.argv[1])):
    metrics.observe_request("GET", "/healthz", 200, 0.001)
"""


class TestSeveralWorkers:
    def test_a_scrape_adds_up_the_processes_sharing_the_directory(self, tmp_path: Path) -> None:
        env = os.environ | {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
        for count in ("3", "4"):
            subprocess.run([sys.executable, "-c", _WORKER, count], env=env, check=True, timeout=60)
        text, _ = Metrics(multiprocess_dir=str(tmp_path)).render(None)
        found = parse(text.decode())
        assert requests_of(found, "/healthz", "200") == 7
        assert value(found, "readiness_http_request_duration_seconds_count", method="GET", route="/healthz") == 7

    def test_every_scrape_adds_up_the_counts_of_all_workers(self, two_workers: tuple[str, Path]) -> None:
        base, temp = two_workers
        assert [p.name[: len("readiness-metrics-")] for p in temp.iterdir()] == ["readiness-metrics-"]
        for _ in range(30):
            _get(f"{base}/healthz")  # a connection each: the workers share them out
        series = 'readiness_http_requests_total{method="GET",route="/healthz",status="200"}'
        for _ in range(6):  # whichever worker answers a scrape
            counts = [line.split()[-1] for line in _get(f"{base}/metrics").splitlines() if line.startswith(series)]
            assert counts == ["30.0"]
        # which worker takes a connection is the kernel's choice (one may take them all), so the sum over
        # processes is proven by the test above; here, that a real multi-worker server serves the right total
        assert list(next(temp.iterdir()).glob("counter_*.db"))
