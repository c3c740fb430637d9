"""Fill a database with stored assessments fast, straight through SQLAlchemy Core.

Shared by the benchmarks; also runnable on its own:

    python bench/seed.py --rows 100000 --database-url sqlite:////tmp/bench.db --tenant bench-agency

Answers are varied from the example sets in tests/fixtures/answers; each row
carries the full result of its answers (scored once per distinct answer set,
so filling stays fast), as a real submission stores it. The score histograms
that peers and stats read are filled for the seeded rows too, counted in
memory and added with the upsert submissions use.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert
from sqlmodel import Session, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import migrations  # noqa: E402
from app.banks.registry import RegisteredBank  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.models import Assessment, Tenant  # noqa: E402
from app.models.common import utcnow  # noqa: E402
from app.scoring.engine import score  # noqa: E402
from app.services import banks as bank_service  # noqa: E402
from app.services import histogram  # noqa: E402
from app.services.assessments import digest  # noqa: E402
from app.settings import Settings  # noqa: E402

EXAMPLES = ROOT / "tests" / "fixtures" / "answers"
SLUG = "social-media-readiness"
VARIANTS = 64
BATCH = 5000
HISTOGRAM_BATCH = 1000


def shipped_bank(engine: Engine, settings: Settings) -> RegisteredBank:
    with Session(engine) as session:
        bank_service.sync_shipped_banks(session=session, banks_dir=settings.banks_dir)
        return bank_service.load_registry(session=session).latest(SLUG)  # type: ignore[return-value]


def variants(shipped: RegisteredBank, rng: random.Random) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Distinct answer sets with their full results."""
    bases = [json.loads(p.read_text()) for p in sorted(EXAMPLES.glob("*.json"))]
    scale_keys = [q.key for q in shipped.bank.questions if q.type == "scale"]
    out = []
    for _ in range(VARIANTS):
        answers = dict(rng.choice(bases))
        for key in rng.sample(scale_keys, k=min(3, len(scale_keys))):
            if isinstance(answers.get(key), int):
                answers[key] = rng.randint(1, 5)
        result = score(shipped.bank, answers, lang="en", content_hash=shipped.content_hash).model_dump(mode="json")
        out.append((answers, result))
    return out


def seed(
    engine: Engine, settings: Settings, *, rows: int, tenant_id: uuid.UUID, rng: random.Random, light: bool = False
) -> None:
    """ROWS submitted assessments; `light` ones keep only the result's digest and figures (for list benchmarks at
    a million rows, which never read answers or results)."""
    shipped = shipped_bank(engine, settings)
    sets = variants(shipped, rng)
    if light:
        sets = [({}, {key: result[key] for key in ("decision", "score", "coverage", "dimensions", "gaps")} | {"gaps": []})
                for _, result in sets]
    figures = [
        histogram.entries(result["decision"], result["score"], {d["key"]: d["score"] for d in result["dimensions"]})
        for _, result in sets
    ]
    variant_months: Counter[tuple[str, int]] = Counter()
    now = utcnow()
    batch: list[dict[str, Any]] = []
    with engine.begin() as connection:
        for i in range(rows):
            answers, result = sets[i % len(sets)]
            created = now - timedelta(seconds=rows - i)
            variant_months[(histogram.month_of(created), i % len(sets))] += 1
            batch.append(
                {
                    "id": uuid.uuid4(),
                    "tenant_id": tenant_id,
                    "bank_version_id": shipped.id,
                    "bank_slug": shipped.slug,
                    "bank_version": shipped.version,
                    "status": "submitted",
                    "revision": 1,
                    "organisation": f"Client {i}",
                    "external_ref": f"crm-{i}",
                    "locale": "en",
                    "answers": answers,
                    "result": result,
                    "digest": digest(result),
                    "decision": result["decision"],
                    "score": result["score"],
                    "created_at": created,
                    "updated_at": created,
                    "submitted_at": created,
                }
            )
            if len(batch) == BATCH:
                connection.execute(insert(Assessment), batch)
                batch = []
        if batch:
            connection.execute(insert(Assessment), batch)
        counted: dict[tuple[str, str, int], list[int]] = {}
        for (month, variant), n in variant_months.items():
            for metric, point, total in figures[variant]:
                tally = counted.setdefault((month, metric, point), [0, 0])
                tally[0] += n
                tally[1] += n * total
        counts = [
            {"tenant_id": tenant_id, "bank_version_id": shipped.id, "month": month, "metric": metric, "bucket": point,
             "count": n, "score_sum": total}
            for (month, metric, point), (n, total) in sorted(counted.items())
        ]
        for start in range(0, len(counts), HISTOGRAM_BATCH):
            histogram.add(connection, counts[start:start + HISTOGRAM_BATCH])


def tenant_named(engine: Engine, name: str) -> uuid.UUID:
    with Session(engine) as session:
        tenant = session.exec(select(Tenant).where(Tenant.name == name)).one_or_none()
        if tenant is None:
            tenant = Tenant(name=name)
            session.add(tenant)
            session.commit()
        return tenant.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--tenant", default="bench-agency")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--light", action="store_true", help="digests only, no answers or full results")
    args = parser.parse_args()
    settings = Settings(database_url=args.database_url)
    migrations.upgrade(settings)
    engine = make_engine(args.database_url)
    tenant_id = tenant_named(engine, args.tenant)
    seed(engine, settings, rows=args.rows, tenant_id=tenant_id, rng=random.Random(args.seed), light=args.light)
    engine.dispose()


if __name__ == "__main__":
    main()
