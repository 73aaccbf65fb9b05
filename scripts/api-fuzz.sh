#!/usr/bin/env bash
# Fuzzes the whole agency API against its own OpenAPI document with schemathesis (every
# check): no 5xx, no answer outside the document (status, content type, headers, schema), no
# request the document allows refused, no request it forbids accepted. Run by `make test`
# (scripts/test.sh) after the site build; by hand: `bash scripts/api-fuzz.sh` once
# `cargo build -p server` has built the binary (schemathesis from scripts/install-test-tools.sh).
#
# Its own server on its own temporary SQLite database (the demo city), never Playwright's:
# fuzzing writes (decisions, enrollment codes, completed tasks). Prints the number of
# generated cases; exits non-zero on any failure or if fewer than GH_FUZZ_MIN_CASES ran.
# GH_FUZZ_MAX_EXAMPLES (default 50) sets the examples per operation, GH_FUZZ_SEED replays a
# run's printed seed, GH_FUZZ_KEEP=file keeps schemathesis' event log (NDJSON).
set -uo pipefail
cd "$(dirname "$0")/.."

TARGET_DIR=${CARGO_TARGET_DIR:-target}
BIN="$TARGET_DIR/debug/glasshouse"
VENV=${GLASSHOUSE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/glasshouse/venv}
# Examples per operation in the fuzzing phase; with the examples, coverage and stateful
# phases over the 19 operations fuzzed, 50 make about 1 400 cases.
MAX_EXAMPLES=${GH_FUZZ_MAX_EXAMPLES:-50}
MIN_CASES=${GH_FUZZ_MIN_CASES:-1000}
SEED=${GH_FUZZ_SEED:-}

if [ ! -x "$BIN" ]; then echo "api-fuzz: $BIN is missing: cargo build -p server"; exit 1; fi
if [ ! -x "$VENV/bin/schemathesis" ]; then echo "api-fuzz: schemathesis is missing: bash scripts/install-test-tools.sh"; exit 1; fi

WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  [ -n "${GH_FUZZ_KEEP:-}" ] && cp "$WORK/events.ndjson" "$GH_FUZZ_KEEP" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE_URL="http://127.0.0.1:$PORT"
# The demo city in development mode, as the Playwright step serves it. Every token request
# the fuzzer makes comes from one address and one client: lift the per-address and
# per-client limits (GLASSHOUSE_AUTH_REQUESTS_PER_MINUTE covers sign-in and the token
# endpoint), so 429 answers only where the document says it may.
export DATABASE_URL="sqlite://$WORK/glasshouse.db" GLASSHOUSE_ADDR="127.0.0.1:$PORT" \
  GLASSHOUSE_DATA_DIR="$WORK" GLASSHOUSE_AUTH_REQUESTS_PER_MINUTE=100000 GLASSHOUSE_CHECKPOINT_SECONDS=0 \
  GLASSHOUSE_MODE=development LEPTOS_SITE_ROOT=${LEPTOS_SITE_ROOT:-target/site} RUST_LOG=${RUST_LOG:-warn}
if ! "$BIN" demo >"$WORK/demo.log" 2>&1; then echo "api-fuzz: loading the demo city failed:"; cat "$WORK/demo.log"; exit 1; fi
if ! "$BIN" admin create-client --agency riverton-digital-services \
  --scopes consent:check,subjects:read,enrollment:write,requests:work,consent:changes,incidents:write >"$WORK/client.log" 2>&1; then
  echo "api-fuzz: creating the API client failed:"; cat "$WORK/client.log"; exit 1
fi
GH_FUZZ_CLIENT_ID=$(awk '/^client_id:/ { print $2 }' "$WORK/client.log")
GH_FUZZ_CLIENT_SECRET=$(awk '/^client_secret:/ { print $2 }' "$WORK/client.log")
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do curl -fs "$BASE_URL/healthz" >/dev/null && break; sleep 0.5; done
unset DATABASE_URL GLASSHOUSE_ADDR GLASSHOUSE_DATA_DIR GLASSHOUSE_AUTH_REQUESTS_PER_MINUTE GLASSHOUSE_CHECKPOINT_SECONDS GLASSHOUSE_MODE
if ! curl -fs "$BASE_URL/healthz" >/dev/null; then echo "api-fuzz: the server did not start:"; cat "$WORK/server.log"; exit 1; fi

# The token comes from the hooks (scripts/api-fuzz/hooks.py), renewed before it expires.
export GH_FUZZ_BASE_URL="$BASE_URL" GH_FUZZ_CLIENT_ID GH_FUZZ_CLIENT_SECRET
export SCHEMATHESIS_HOOKS="$PWD/scripts/api-fuzz/hooks.py"
# The consent change stream (server-sent events) never ends while its token holds: a case
# that reaches it would wait out the request timeout and fail. It is left out here; its
# refusals and events are tested in server/tests/changes.rs, and the JSON feed beside it,
# which reads the same changes, is fuzzed.
ARGS=(--config-file "$PWD/scripts/api-fuzz/schemathesis.toml" run "$BASE_URL/api/v1/openapi.json" --checks all --max-examples "$MAX_EXAMPLES"
  --workers 2 --request-timeout 30 --suppress-health-check all --no-color
  --exclude-path /api/v1/consent/changes/stream
  --report ndjson --report-ndjson-path "$WORK/events.ndjson")
[ -n "$SEED" ] && ARGS+=(--seed "$SEED")
echo "api-fuzz: schemathesis $("$VENV/bin/schemathesis" --version | awk '{ print $NF }') ${ARGS[*]}"
# From the temporary directory: schemathesis keeps its cache (.schemathesis/) where it runs.
# A run that hangs fails after ten minutes (it takes about two).
(cd "$WORK" && timeout --signal=INT 600 "$VENV/bin/schemathesis" "${ARGS[@]}")
STATUS=$?

CASES=$(python3 - "$WORK/events.ndjson" <<'PY'
import json, sys
cases = 0
try:
    for line in open(sys.argv[1]):
        event = json.loads(line)
        # Each ScenarioFinished event carries the cases (requests) of one scenario.
        for name, body in event.items():
            if name == "ScenarioFinished":
                cases += len(body.get("recorder", {}).get("cases", {}))
except OSError:
    pass
print(cases)
PY
)
echo "api-fuzz: $CASES generated cases"
if [ "$STATUS" -ne 0 ]; then
  echo "api-fuzz: server log, panics, warnings and errors:"
  grep -A 4 "panicked at" "$WORK/server.log" | head -n 40
  grep -E " (WARN|ERROR) " "$WORK/server.log" | tail -n 20
  exit "$STATUS"
fi
if [ "$CASES" -lt "$MIN_CASES" ]; then echo "api-fuzz: fewer than $MIN_CASES cases"; exit 1; fi
