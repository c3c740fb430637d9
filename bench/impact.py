"""Impact report on many stored assessments: how long does `POST .../impact` take?

Fills a database with N stored assessments of the shipped bank for one tenant
(varied answers from the example sets), derives an overlay and times the impact
report through the HTTP API. Usage:

    python bench/impact.py --rows 100000 [--database-url postgresql+psycopg://...]

Prints a table and writes bench/results/impact.json.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import insert
from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import migrations  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models import Assessment  # noqa: E402
from app.models.common import utcnow  # noqa: E402
from app.scoring.engine import summarize  # noqa: E402
from app.services import keys as key_service  # noqa: E402
from app.settings import Settings  # noqa: E402

EXAMPLES = ROOT / "tests" / "fixtures" / "answers"
PEPPER = "bench-pepper"


def varied_answers(rng: random.Random, bases: list[dict], scale_keys: list[str]) -> dict:
    answers = dict(rng.choice(bases))
    for key in rng.sample(scale_keys, k=min(3, len(scale_keys))):
        if isinstance(answers.get(key), int):
            answers[key] = rng.randint(1, 5)
    return answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file in a temporary folder")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="readiness-bench-")
    url = args.database_url or f"sqlite:///{folder}/bench.db"
    settings = Settings(database_url=url, key_pepper=SecretStr(PEPPER))
    migrations.upgrade(settings)
    engine = make_engine(url)
    rng = random.Random(args.seed)

    with TestClient(create_app(settings)) as client:
        registry = client.app.state.registry  # type: ignore[attr-defined]
        shipped = registry.latest("social-media-readiness")
        scale_keys = [q.key for q in shipped.bank.questions if q.type == "scale"]
        bases = [json.loads(p.read_text()) for p in sorted(EXAMPLES.glob("*.json"))]
        with Session(engine, expire_on_commit=False) as session:
            tenant, key = key_service.create_key(session=session, tenant_name="bench-agency", pepper=PEPPER)
        headers = {"Authorization": f"Bearer {key}"}

        started = time.perf_counter()
        now = utcnow()
        batch = []
        with engine.begin() as connection:
            for i in range(args.rows):
                answers = varied_answers(rng, bases, scale_keys)
                summary = summarize(shipped.bank, answers)
                created = now - timedelta(seconds=args.rows - i)
                batch.append(
                    {
                        "id": uuid.uuid4(),
                        "tenant_id": tenant.id,
                        "bank_version_id": shipped.id,
                        "bank_slug": shipped.slug,
                        "bank_version": shipped.version,
                        "status": "submitted",
                        "organisation": f"Client {i}",
                        "locale": "en",
                        "answers": answers,
                        # the full result is not needed to measure re-scoring; keep the fill fast
                        "result": {"decision": summary.decision.value, "score": summary.score},
                        "decision": summary.decision.value,
                        "score": summary.score,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
                if len(batch) == 5000:
                    connection.execute(insert(Assessment), batch)
                    batch = []
            if batch:
                connection.execute(insert(Assessment), batch)
        fill_seconds = time.perf_counter() - started

        overlay = {
            "slug": "bench-overlay",
            "version": "1.0.0",
            "base": {"slug": shipped.slug, "version": shipped.version},
            "policy": {"go_at": 88},
            "dimensions": {"measurement": {"weight": 4}, "content": {"target": 75}},
            "fixtures": [],
        }
        assert client.post("/v1/banks", json=overlay, headers=headers).status_code == 201
        started = time.perf_counter()
        response = client.post("/v1/banks/bench-overlay/versions/1.0.0/impact", headers=headers)
        wall = time.perf_counter() - started
        assert response.status_code == 200, response.text
        report = response.json()

    engine.dispose()
    engine_name = "postgresql" if url.startswith("postgresql") else "sqlite"
    result = {
        "date": utcnow().date().isoformat(),
        "engine": engine_name,
        "rows": args.rows,
        "fill_seconds": round(fill_seconds, 1),
        "impact_seconds": round(wall, 2),
        "per_assessment_us": round(wall / max(args.rows, 1) * 1e6, 1),
        "changed": report["changed"],
        "transitions": report["transitions"],
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"impact-{engine_name}.json").write_text(json.dumps(result, indent=2))
    print("| engine | stored assessments | impact report | per assessment | decisions changed |")
    print("|---|---|---|---|---|")
    print(
        f"| {engine_name} | {args.rows:,} | {result['impact_seconds']} s | {result['per_assessment_us']} µs | {report['changed']:,} |"
    )


if __name__ == "__main__":
    main()
