#!/usr/bin/env bash
# Fuzz the running API with schemathesis (v4), the way a user would run it:
#
#   bash .ci/schemathesis.sh                      # a fresh SQLite file in a temp dir
#   READINESS_DATABASE_URL=postgresql+psycopg://... bash .ci/schemathesis.sh
#   bash .ci/schemathesis.sh --max-examples 20    # extra arguments go to `schemathesis run`
#
# It migrates the database, creates a secret key for tenant `fuzz` with
# `readiness keys create`, starts `readiness serve` on a free port on
# 127.0.0.1, waits for /readyz, then runs
#
#   schemathesis run http://127.0.0.1:PORT/openapi.json
#     -H "Authorization: Bearer $KEY" --checks all --mode all
#     --phases examples,coverage,fuzzing,stateful --max-examples 100 --seed $SEED
#
# All four phases run; the stateful phase chains operations through the links
# schemathesis infers from the schema and from `Location` headers. The exit
# code is schemathesis's: non-zero on any failure or error. The server is
# stopped and the temp dir removed on every exit.
#
# Environment:
#   READINESS_DATABASE_URL  database to fuzz (default: SQLite in a temp dir).
#                           Use an empty, dedicated database: the run writes to it.
#   READINESS_KEY_PEPPER    pepper for server and CLI (default: a random one)
#   FUZZ_SEED               schemathesis seed (default 20261102)
#   FUZZ_MAX_EXAMPLES       examples per operation (default 100)
#   FUZZ_WORKERS            schemathesis workers (default 1)
#   FUZZ_LOG_DIR            keep the server log and a JUnit report here (default: not kept)
#   VENV                    virtualenv with the project and schemathesis (default: ./.venv)

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$REPO_ROOT/.venv}"
SEED="${FUZZ_SEED:-20261102}"
MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-100}"
# One worker: schemathesis generates in threads, and CPython 3.11 (Debian 12's python3) can fail
# concurrent ast.parse calls with "SystemError: AST constructor recursion depth mismatch" (gh-106905).
WORKERS="${FUZZ_WORKERS:-1}"

WORK_DIR="$(mktemp -d /tmp/readiness-fuzz.XXXXXXXX)"
LOG_DIR="${FUZZ_LOG_DIR:-$WORK_DIR}"
mkdir -p "$LOG_DIR"
REPORT_ARGS=()
if [[ -n "${FUZZ_LOG_DIR:-}" ]]; then
    REPORT_ARGS=(--report junit --report-dir "$LOG_DIR/report")
fi
SERVER_PID=""

cleanup() {
    local rc=$?
    set +e
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"
        # uvicorn finishes in-flight requests and exits; do not wait forever
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    if ((rc != 0)) && [[ -f "$LOG_DIR/server.log" ]]; then
        echo "---- last lines of the server log ($LOG_DIR/server.log) ----" >&2
        tail -n 40 "$LOG_DIR/server.log" >&2
    fi
    rm -rf -- "$WORK_DIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export PATH="$VENV/bin:$PATH"
command -v readiness >/dev/null || { echo "readiness not found in $VENV: pip install -e '.[test]'" >&2; exit 2; }
command -v schemathesis >/dev/null || { echo "schemathesis not found in $VENV: pip install -e '.[test]'" >&2; exit 2; }

# The same database and pepper for the CLI (key) and the server, as in production.
export READINESS_DATABASE_URL="${READINESS_DATABASE_URL:-sqlite:///$WORK_DIR/fuzz.db}"
export READINESS_KEY_PEPPER="${READINESS_KEY_PEPPER:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')}"
# The fuzzer sends thousands of requests with one key: lift the per-key rate limit for this
# server only (the limiter itself stays on; 429 is declared on every limited operation).
export READINESS_RATE_LIMIT="${READINESS_RATE_LIMIT:-1000000/minute}"
# The server reads a .env from its cwd; run from the work dir so a developer's .env cannot leak in.
cd "$WORK_DIR"

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
BASE="http://127.0.0.1:$PORT"

readiness db upgrade >/dev/null
KEY="$(readiness keys create --tenant fuzz)"

readiness serve --host 127.0.0.1 --port "$PORT" >"$LOG_DIR/server.log" 2>&1 &
SERVER_PID=$!

# Ready means /readyz answers 200: database reachable and schema at head.
for attempt in $(seq 120); do
    if python3 - "$BASE/readyz" <<'EOF' 2>/dev/null; then break; fi
import sys, urllib.request
sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=2).status == 200 else 1)
EOF
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server exited before it was ready" >&2; exit 1; }
    ((attempt < 120)) || { echo "the server was not ready after 60 s" >&2; exit 1; }
    sleep 0.5
done
echo "server ready at $BASE (database: ${READINESS_DATABASE_URL%%[:+]*}, seed $SEED, $MAX_EXAMPLES examples per operation)"

# --generation-database none: every run starts from the seed alone, not from
# examples an earlier run left in .hypothesis, so a CI result can be reproduced.
set +e
schemathesis --config-file "$REPO_ROOT/.ci/schemathesis.toml" run "$BASE/openapi.json" \
    --header "Authorization: Bearer $KEY" \
    --checks all \
    --mode all \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "$MAX_EXAMPLES" \
    --seed "$SEED" \
    --workers "$WORKERS" \
    --generation-database none \
    --request-timeout 30 \
    --no-color \
    "${REPORT_ARGS[@]}" \
    "$@" 2>&1 | tee "$WORK_DIR/schemathesis.out" | sed -u -E 's/^=+ (.*) =+$/-- \1 --/'
# The fuzzer's banners look like pytest's closing line ("=== 2 warnings in 99s ==="), and a
# CI reader that takes the last such line as the test count would see no test ran; the log
# shown keeps their words without the "=" frame (the file keeps them for the summary below).
rc=${PIPESTATUS[0]}
set -e

# The key must still work: had the run revoked or rotated it away, everything after would
# have been a 401, which every check accepts, and the run would prove nothing.
if ! python3 - "$BASE/v1/assessments?limit=1" "$KEY" <<'EOF'; then
import sys, urllib.request
request = urllib.request.Request(sys.argv[1], headers={"Authorization": "Bearer " + sys.argv[2]})
sys.exit(0 if urllib.request.urlopen(request, timeout=10).status == 200 else 1)
EOF
    echo "the fuzz key no longer works after the run: the results above are not trustworthy" >&2
    ((rc != 0)) || rc=1
fi

# The summary line, e.g. "===== 1234 passed in 98.76s =====" (or its failures, errors and warnings).
summary="$(grep -E '^=+ .* in [0-9.]+s =+$' "$WORK_DIR/schemathesis.out" | tail -n 1 | tr -s '=' | sed 's/^= //; s/ =$//' || true)"
cases="$(awk '/^Test cases:/ { getline; sub(/^ +/, ""); print }' "$WORK_DIR/schemathesis.out" | tail -n 1)"
echo "schemathesis summary (${READINESS_DATABASE_URL%%[:+]*}): ${summary:-<no summary line>}; ${cases:-no test cases} [exit code $rc]"
exit "$rc"
