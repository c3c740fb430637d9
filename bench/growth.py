"""Do a list page, the stats and the peers cost the same with 1,000 and with 1,000,000 stored assessments?

For each size: a fresh database seeded straight through SQLAlchemy Core
(bench/seed.py, light rows: lists never read answers or results; the score
histograms filled for them), the real server (`readiness serve`), and wrk on
the first page and on a page deep in the list (a cursor half-way down),
`limit=50`, on `GET /v1/banks/{slug}/versions/{version}/stats` and on
`GET /v1/assessments/{id}/peers` of the assessment half-way down. Reports
requests per second, p50 and p99, the ratio of the large to the small
database, and the server's resident memory before and after (lists must not
grow it). Usage:

    python bench/growth.py [--small 1000] [--large 1000000] [--seconds 8] [--database-url-base postgresql+psycopg://...]

Goals (issue 7): a list page at most 1.5 times, stats and peers at most 2
times their cost with 1,000 rows.

Writes bench/results/growth-<engine>.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

from app import migrations  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.models import Assessment  # noqa: E402
from app.services.pagination import encode_cursor  # noqa: E402
from app.settings import Settings  # noqa: E402
from bench.export import memory_kib, readiness  # noqa: E402
from bench.load import free_port, serve, stop, wrk  # noqa: E402
from bench.seed import seed, tenant_named  # noqa: E402

TENANT = "growth-agency"
SLUG, VERSION = "social-media-readiness", "1.0.0"  # the version bench/seed.py stores


def fresh_database(base: str | None, name: str) -> str:
    if base is None:
        return f"sqlite:///{tempfile.mkdtemp(prefix='readiness-growth-')}/{name}.db"
    admin = make_engine(base)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return base.rsplit("/", 1)[0] + f"/{name}"


def middle_row(url: str, rows: int) -> tuple[str, str]:
    """The cursor of the row half-way down the list, and that row's id."""
    engine = make_engine(url)
    with Session(engine) as session:
        row = session.exec(
            select(Assessment.created_at, Assessment.id)
            .order_by(col(Assessment.created_at).desc(), col(Assessment.id).desc())
            .offset(rows // 2)
            .limit(1)
        ).one()
        cursor = encode_cursor(row.created_at, row.id)
    engine.dispose()
    return cursor, str(row.id)


def measure(url: str, rows: int, seconds: int, connections: int) -> dict[str, Any]:
    settings = Settings(database_url=url)
    migrations.upgrade(settings)
    engine = make_engine(url)
    started = time.perf_counter()
    seed(engine, settings, rows=rows, tenant_id=tenant_named(engine, TENANT), rng=random.Random(7), light=True)
    fill = time.perf_counter() - started
    engine.dispose()
    cursor, middle_id = middle_row(url, rows)
    env = os.environ | {"READINESS_DATABASE_URL": url, "READINESS_RATE_LIMIT": "100000000/minute", "READINESS_WEBHOOKS_WORKER": "false"}
    key = readiness("keys", "create", "--tenant", TENANT, env=env)
    headers = {"Authorization": f"Bearer {key}"}
    port = free_port()
    server = serve([str(Path(sys.executable).with_name("readiness")), "serve", "--port", str(port)], env, port)
    base = f"http://127.0.0.1:{port}/v1/assessments?limit=50"
    stats = f"http://127.0.0.1:{port}/v1/banks/{SLUG}/versions/{VERSION}/stats"
    peers = f"http://127.0.0.1:{port}/v1/assessments/{middle_id}/peers"
    window = {"seconds": seconds, "connections": connections, "headers": headers, "script": None, "pid": server.pid}
    try:
        for target in (base, stats, peers):
            wrk(target, **(window | {"seconds": 2}))  # warm up
        before = memory_kib(server.pid)["VmRSS"]
        first = wrk(base, **window)
        deep = wrk(f"{base}&cursor={cursor}", **window)
        after = memory_kib(server.pid)["VmRSS"]
        stats_figures = wrk(stats, **window)
        peers_figures = wrk(peers, **window)
    finally:
        stop(server)
    return {"rows": rows, "fill_seconds": round(fill, 1), "first_page": first, "deep_page": deep,
            "stats": stats_figures, "peers": peers_figures,
            "rss_before_mib": round(before / 1024, 1), "rss_after_mib": round(after / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--database-url-base", default=None, help="a PostgreSQL URL whose server gets two new databases")
    args = parser.parse_args()
    small = measure(fresh_database(args.database_url_base, "growth_small"), args.small, args.seconds, args.connections)
    large = measure(fresh_database(args.database_url_base, "growth_large"), args.large, args.seconds, args.connections)
    engine = "postgresql" if args.database_url_base else "sqlite"
    result = {"date": time.strftime("%Y-%m-%d"), "engine": engine, "small": small, "large": large}
    out = ROOT / "bench" / "results" / f"growth-{engine}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"{engine}, limit=50, {args.connections} connections, {result['date']}")
    print("| route | stored | req/s | p50 ms | p99 ms | cost vs small (p50) | server RSS before → after |")
    print("|---|---|---|---|---|---|---|")
    for name, label in (("first_page", "list, first page"), ("deep_page", "list, deep page"),
                        ("stats", "bank version stats"), ("peers", "assessment peers")):
        for size in (small, large):
            m = size[name]
            ratio = m["p50_ms"] / small[name]["p50_ms"]
            memory = f"{size['rss_before_mib']} → {size['rss_after_mib']} MiB" if name.endswith("page") else ""
            print(f"| {label} | {size['rows']:,} | {m['rps']:,.0f} | {m['p50_ms']} | {m['p99_ms']} "
                  f"| {ratio:.2f} | {memory} |")


if __name__ == "__main__":
    main()
