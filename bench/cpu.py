"""The application's own CPU time per request, in process: no HTTP server, no load generator.

Calls the ASGI app directly (the middleware, routing, validation, engine and
database work a request costs, without uvicorn's HTTP parsing) on SQLite with
`synchronous=FULL`, and reports CPU microseconds per request for the routes
`bench/load.py` measures. Steadier than the load bench on a busy machine, so
it is the figure to compare one change with the next; the load bench gives
the throughput. Usage:

    python bench/cpu.py [--requests 2000] [--profile ROUTE]

`--profile` (e.g. `--profile score`) prints a cProfile of that route instead.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import pstats
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr  # noqa: E402

from app import migrations  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models.tenants import KeyKind  # noqa: E402
from app.scoring.engine import score  # noqa: E402
from app.services import keys as key_service  # noqa: E402
from app.settings import Settings  # noqa: E402
from sqlmodel import Session  # noqa: E402

ANSWERS = ROOT / "tests" / "fixtures" / "answers" / "ready.json"
SLUG = "social-media-readiness"


def request_caller(app: Any, key: str) -> Callable[[str, str, bytes], Awaitable[int]]:
    async def call(method: str, target: str, body: bytes = b"") -> int:
        path, _, query = target.partition("?")
        headers = [(b"host", b"127.0.0.1"), (b"authorization", f"Bearer {key}".encode())]
        if body:
            headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
            "headers": headers, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
        }
        sent = False
        status = 0

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(scope, receive, send)
        return status

    return call


async def measure(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="readiness-cpu-") as name:
        await measure_in(Path(name), args)


async def measure_in(folder: Path, args: argparse.Namespace) -> None:
    settings = Settings(
        database_url=f"sqlite:///{folder}/cpu.db",
        key_pepper=SecretStr("bench-pepper"),
        rate_limit="100000000/minute",
        webhooks_worker=False,
        log_level="info",
    )
    migrations.upgrade(settings)
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        _, key = key_service.create_key(session=session, tenant_name="cpu-agency", pepper="bench-pepper", kind=KeyKind.secret)
    engine.dispose()
    app = create_app(settings)
    answers = json.loads(ANSWERS.read_text())
    score_body = json.dumps({"bank": SLUG, "answers": answers}).encode()
    create_body = json.dumps(
        {"bank": SLUG, "respondent": {"organisation": "Kahvila Esimerkki Oy", "external_ref": "crm-1"}, "answers": answers}
    ).encode()
    routes = {
        "healthz": ("GET", "/healthz", b""),
        "bank": ("GET", f"/v1/banks/{SLUG}?lang=en", b""),
        "score": ("POST", "/v1/score", score_body),
        "create": ("POST", "/v1/assessments", create_body),
        "list": ("GET", "/v1/assessments?limit=50", b""),
    }
    # the access log goes to a file, as a server's stdout would go to a pipe
    report = sys.stdout
    with open(folder / "access.log", "w") as access_log, contextlib.redirect_stdout(access_log):
        await drive(app, key, routes, args, report)


async def drive(app: Any, key: str, routes: dict[str, tuple[str, str, bytes]], args: argparse.Namespace, report: Any) -> None:
    async with app.router.lifespan_context(app):
        call = request_caller(app, key)
        for _ in range(60):  # a full first page for the list, and warm caches everywhere
            for method, target, body in routes.values():
                status = await call(method, target, body)
                assert status < 300, (target, status)
        if args.profile:
            method, target, body = routes[args.profile]
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.requests):
                await call(method, target, body)
            profiler.disable()
            pstats.Stats(profiler, stream=report).sort_stats("cumulative").print_stats(45)
            return
        print("| route | CPU µs/request |", file=report)
        print("|---|---|", file=report)
        for name, (method, target, body) in routes.items():
            count = args.requests // 4 if name in ("create", "list") else args.requests
            started = time.process_time()
            for _ in range(count):
                await call(method, target, body)
            spent = time.process_time() - started
            print(f"| {name} | {spent / count * 1e6:,.0f} |", file=report)
        # the share of the score route that is the engine's own: scoring the same answers, and the result to JSON
        registered = app.state.registry.latest(SLUG)
        answers = json.loads(ANSWERS.read_text())
        started = time.process_time()
        for _ in range(args.requests):
            result = score(registered.bank, answers, lang="en", content_hash=registered.content_hash)
            result.__pydantic_serializer__.to_json(result)
        spent = time.process_time() - started
        print(f"| engine alone: score() and its JSON | {spent / args.requests * 1e6:,.0f} |", file=report)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile", choices=["healthz", "bank", "score", "create", "list"], default=None)
    args = parser.parse_args()
    asyncio.run(measure(args))


if __name__ == "__main__":
    main()
