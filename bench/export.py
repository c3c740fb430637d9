"""CSV export of many stored assessments from a real server: time and the server's peak memory.

Seeds N assessments straight into a fresh database (bench/seed.py), starts
`readiness serve` on 127.0.0.1 as a user would, and streams
`GET /v1/assessments` with `Accept: text/csv`. Memory is the server process's
resident set: after start-up and a warm-up request, and its peak (VmHWM)
after the export. Usage:

    python bench/export.py --rows 100000 [--database-url postgresql+psycopg://...]

Prints a table and writes bench/results/export-<engine>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.seed import seed, tenant_named  # noqa: E402
from app import migrations  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.models.common import utcnow  # noqa: E402
from app.settings import Settings  # noqa: E402

TENANT = "bench-agency"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak) of a process, in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def readiness(*args: str, env: dict[str, str]) -> str:
    command = [str(Path(sys.executable).with_name("readiness")), *args]
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file in a temporary folder")
    args = parser.parse_args()

    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='readiness-bench-')}/bench.db"
    settings = Settings(database_url=url)
    migrations.upgrade(settings)
    engine = make_engine(url)
    started = time.perf_counter()
    seed(engine, settings, rows=args.rows, tenant_id=tenant_named(engine, TENANT), rng=random.Random(7))
    fill_seconds = time.perf_counter() - started
    engine.dispose()

    env = os.environ | {"READINESS_DATABASE_URL": url, "READINESS_RATE_LIMIT": "1000000/minute"}
    key = readiness("keys", "create", "--tenant", TENANT, env=env)
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("readiness")), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
            for _ in range(100):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            client.get("/v1/assessments", params={"limit": 100}).raise_for_status()  # warm: imports, caches
            before = memory_kib(server.pid)
            # reset the peak to the current size (Linux clear_refs), so VmHWM is the export's own peak
            Path(f"/proc/{server.pid}/clear_refs").write_text("5")
            started = time.perf_counter()
            rows, size = -1, 0  # the header line is not a row
            with client.stream("GET", "/v1/assessments", headers={"Accept": "text/csv"}) as response:
                response.raise_for_status()
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    rows += chunk.count(b"\r\n")
            seconds = time.perf_counter() - started
            after = memory_kib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert rows == args.rows, f"exported {rows} rows of {args.rows}"
    engine_name = "postgresql" if url.startswith("postgresql") else "sqlite"
    result = {
        "date": utcnow().date().isoformat(),
        "engine": engine_name,
        "rows": args.rows,
        "fill_seconds": round(fill_seconds, 1),
        "export_seconds": round(seconds, 2),
        "rows_per_second": round(args.rows / seconds),
        "csv_mib": round(size / 2**20, 1),
        "rss_before_mib": round(before["VmRSS"] / 1024, 1),
        "peak_rss_mib": round(after["VmHWM"] / 1024, 1),
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"export-{engine_name}.json").write_text(json.dumps(result, indent=2))
    print("| engine | assessments | CSV | export time | rows/s | server RSS before | server peak RSS |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {engine_name} | {args.rows:,} | {result['csv_mib']} MiB | {result['export_seconds']} s "
        f"| {result['rows_per_second']:,} | {result['rss_before_mib']} MiB | {result['peak_rss_mib']} MiB |"
    )


if __name__ == "__main__":
    main()
