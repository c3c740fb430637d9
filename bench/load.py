"""Throughput and latency of the real server under wrk, as ratios to its constant route.

Starts `readiness serve` the way a user would (a fresh database unless one is
given, the shipped bank, a secret key sent on every request), and measures
with wrk over 127.0.0.1, each window right after a `/healthz` window so that
the machine's drift cancels out in the ratio:

    GET /v1/banks/{slug} (en and fi), POST /v1/score, POST /v1/assessments,
    GET /v1/assessments?limit=50, and a bare FastAPI app's constant route.

For each: requests per second, p50 and p99 latency, and the server's CPU time
per request (from /proc/<pid>/stat of the server and its workers). Usage:

    python bench/load.py [--seconds 10] [--connections 32] [--workers 1] [--database-url URL]

Needs wrk (Debian: apt-get install wrk). Writes bench/results/load-<engine>.json
and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
ANSWERS = ROOT / "tests" / "fixtures" / "answers" / "ready.json"
SLUG = "social-media-readiness"
TICKS = os.sysconf("SC_CLK_TCK")
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its descendants still running (uvicorn's workers)."""
    total = 0.0
    for process in [pid, *descendants(pid)]:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    return total


def descendants(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        for child in map(int, text):
            children += [child, *descendants(child)]
    return children


def wait_ready(url: str) -> None:
    for _ in range(300):
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"server at {url} did not start")


def lua_post(body: bytes, folder: Path, name: str) -> Path:
    path = folder / f"{name}.lua"
    (folder / f"{name}.json").write_bytes(body)
    path.write_text(
        'wrk.method = "POST"\n'
        f'local f = io.open("{folder / name}.json", "rb"); wrk.body = f:read("*a"); f:close()\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    return path


def wrk(url: str, *, seconds: int, connections: int, headers: dict[str, str], script: Path | None, pid: int) -> dict[str, Any]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    before = cpu_seconds(pid)
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    cpu = cpu_seconds(pid) - before
    requests = int(re.search(r"(\d+) requests in", output)[1])  # type: ignore[index]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),  # type: ignore[index]
        "p50_ms": _latency(output, "50%"),
        "p99_ms": _latency(output, "99%"),
        "requests": requests,
        "non_2xx": int(errors[1]) if errors else 0,
        "socket_errors": socket_errors[1] if socket_errors else "",
        "cpu_us_per_request": round(cpu / max(requests, 1) * 1e6, 1),
    }


def _latency(output: str, percentile: str) -> float:
    match = re.search(rf"^\s+{percentile}\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    return round(float(match[1]) * _UNITS[match[2]], 3)  # type: ignore[index]


def serve(command: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_ready(f"http://127.0.0.1:{port}/healthz")
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10, help="length of each measuring window")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file in a temporary folder")
    parser.add_argument("--output", default=None, help="default: bench/results/load-<engine>[-wN].json")
    args = parser.parse_args()
    if shutil.which("wrk") is None and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "wrk"], check=False)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: install it (Debian: apt-get install wrk)")

    folder = Path(tempfile.mkdtemp(prefix="readiness-load-"))
    url = args.database_url or f"sqlite:///{folder}/load.db"
    readiness = str(Path(sys.executable).with_name("readiness"))
    env = os.environ | {
        "READINESS_DATABASE_URL": url,
        # the limiter stays on (its cost is measured), only its limit is out of reach
        "READINESS_RATE_LIMIT": "100000000/minute",
        "READINESS_WEBHOOKS_WORKER": "false",
    }
    subprocess.run([readiness, "db", "upgrade"], env=env, check=True, capture_output=True)
    key = subprocess.run(
        [readiness, "keys", "create", "--tenant", "load-agency"], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    headers = {"Authorization": f"Bearer {key}"}
    answers = json.loads(ANSWERS.read_text())
    score_body = json.dumps({"bank": SLUG, "answers": answers}).encode()
    create_body = json.dumps(
        {"bank": SLUG, "respondent": {"organisation": "Kahvila Esimerkki Oy", "external_ref": "crm-1"}, "answers": answers}
    ).encode()

    port = free_port()
    server = serve([readiness, "serve", "--port", str(port), "--workers", str(args.workers)], env, port)
    base = f"http://127.0.0.1:{port}"
    window = {"seconds": args.seconds, "connections": args.connections}
    targets: list[tuple[str, str, dict[str, str], Path | None]] = [
        ("GET /v1/banks/{slug} (en)", f"{base}/v1/banks/{SLUG}?lang=en", headers, None),
        ("GET /v1/banks/{slug} (fi)", f"{base}/v1/banks/{SLUG}?lang=fi", headers, None),
        ("POST /v1/score", f"{base}/v1/score", headers, lua_post(score_body, folder, "score")),
        ("POST /v1/assessments", f"{base}/v1/assessments", headers, lua_post(create_body, folder, "create")),
        ("GET /v1/assessments?limit=50", f"{base}/v1/assessments?limit=50", headers, None),
    ]
    rows: list[dict[str, Any]] = []
    try:
        for name, target, target_headers, script in targets:
            healthz = wrk(f"{base}/healthz", headers=headers, script=None, pid=server.pid, **window)
            measured = wrk(target, headers=target_headers, script=script, pid=server.pid, **window)
            rows.append({"route": name, "healthz": healthz, "measured": measured})
        healthz = wrk(f"{base}/healthz", headers=headers, script=None, pid=server.pid, **window)
    finally:
        stop(server)

    bare_port = free_port()
    bare = serve(
        [str(Path(sys.executable).with_name("uvicorn")), "bench.bare:app", "--port", str(bare_port), "--log-level",
         "warning", "--no-access-log", "--workers", str(args.workers)],
        env | {"PYTHONPATH": str(ROOT)},
        bare_port,
    )
    try:
        measured = wrk(f"http://127.0.0.1:{bare_port}/healthz", headers=headers, script=None, pid=bare.pid, **window)
    finally:
        stop(bare)
    # the bare app is the denominator here: our /healthz over the framework's own ceiling
    rows.append({"route": "/healthz (ours) vs bare FastAPI", "healthz": measured, "measured": healthz})

    engine = "postgresql" if url.startswith("postgresql") else "sqlite"
    for row in rows:
        row["ratio_rps"] = round(row["measured"]["rps"] / row["healthz"]["rps"], 3)
        row["ratio_cpu"] = round(row["healthz"]["cpu_us_per_request"] / max(row["measured"]["cpu_us_per_request"], 0.1), 3)
        row["p99_over_p50"] = round(row["measured"]["p99_ms"] / max(row["measured"]["p50_ms"], 0.001), 2)
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "engine": engine,
        "workers": args.workers,
        "connections": args.connections,
        "seconds": args.seconds,
        "cpus": os.cpu_count(),
        "rows": rows,
    }
    out = Path(args.output) if args.output else ROOT / "bench" / "results" / f"load-{engine}{'' if args.workers == 1 else f'-w{args.workers}'}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"{engine}, {args.workers} worker(s), {args.connections} connections, {args.seconds} s windows, {result['date']}")
    print("| route | req/s | ratio to /healthz | p50 ms | p99 ms | p99/p50 | CPU µs/req | non-2xx |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        m = row["measured"]
        print(
            f"| {row['route']} | {m['rps']:,.0f} | {row['ratio_rps']} | {m['p50_ms']} | {m['p99_ms']} "
            f"| {row['p99_over_p50']} | {m['cpu_us_per_request']} | {m['non_2xx']} |"
        )


if __name__ == "__main__":
    main()
