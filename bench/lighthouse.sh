#!/usr/bin/env bash
# Lighthouse (12.2.3, pinned in bench/lighthouse/package.json) in its mobile profile, on Debian's
# Chromium, over the pages residents open first: the home page, the register, a system's page,
# a resident's /my (signed in as the demo resident) and the new-request form. Prints the
# performance and accessibility scores and the bytes each page transferred. A measurement,
# not a test: run it by hand after `cargo leptos build` (or `make release`, with
# LEPTOS_SITE_ROOT and GLASSHOUSE_BIN pointing at the release build):
#   bash bench/lighthouse.sh [OUT_DIR]
set -uo pipefail
cd "$(dirname "$0")/.."

TARGET_DIR=${CARGO_TARGET_DIR:-target}
BIN=${GLASSHOUSE_BIN:-$TARGET_DIR/debug/glasshouse}
SITE=${LEPTOS_SITE_ROOT:-target/site}
OUT=${1:-$(mktemp -d)}
mkdir -p "$OUT"
if [ ! -x "$BIN" ]; then echo "lighthouse: $BIN is missing: cargo leptos build"; exit 1; fi
if [ ! -x bench/lighthouse/node_modules/.bin/lighthouse ]; then
  (cd bench/lighthouse && npm ci --no-audit --no-fund) || exit 1
fi

WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
export DATABASE_URL="sqlite://$WORK/glasshouse.db" GLASSHOUSE_ADDR="127.0.0.1:$PORT" GLASSHOUSE_DATA_DIR="$WORK" \
  GLASSHOUSE_MODE=development LEPTOS_SITE_ROOT="$SITE" RUST_LOG=${RUST_LOG:-warn}
"$BIN" demo >"$WORK/demo.log" 2>&1 || { cat "$WORK/demo.log"; exit 1; }
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.5; done
unset DATABASE_URL GLASSHOUSE_ADDR GLASSHOUSE_DATA_DIR GLASSHOUSE_MODE

# The demo resident's session cookie, from a plain-form sign-in.
COOKIE=$(curl -s -o /dev/null -D - -H "Accept: text/html" -H "Referer: $BASE/login" -H "Origin: $BASE" \
  --data-urlencode "email=ana.garcia@riverton.example" --data-urlencode "password=riverton demo resident" \
  "$BASE/fn/auth/sign_in" | awk 'tolower($1) == "set-cookie:" { sub(/;.*/, "", $2); print $2 }' | paste -sd ';' -)
if [ -z "$COOKIE" ]; then echo "lighthouse: signing in the demo resident failed"; exit 1; fi
SYSTEM=$(curl -s "$BASE/api/v1/register/systems" | python3 -c 'import json, sys; print(json.load(sys.stdin)["systems"][0]["slug"])' 2>/dev/null || echo riverpass-fare-card)

export CHROME_PATH=/usr/bin/chromium
printf '%-28s %12s %14s %16s\n' page performance accessibility "transferred (B)"
for entry in "home:/" "register:/systems" "system:/systems/$SYSTEM" "my:/my" "request-form:/my/requests/new"; do
  name=${entry%%:*}; path=${entry#*:}
  headers='{}'
  case $path in /my*) headers=$(python3 -c 'import json, sys; print(json.dumps({"Cookie": sys.argv[1]}))' "$COOKIE") ;; esac
  bench/lighthouse/node_modules/.bin/lighthouse "$BASE$path" --quiet --output=json --output-path="$OUT/$name.json" \
    --only-categories=performance,accessibility --extra-headers="$headers" \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" >/dev/null 2>"$OUT/$name.log"
  python3 - "$OUT/$name.json" "$path" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
cats = report["categories"]
total = report["audits"]["total-byte-weight"]["numericValue"]
score = lambda c: "n/a" if cats[c]["score"] is None else round(cats[c]["score"] * 100)
print(f"{sys.argv[2]:<28} {score('performance'):>12} {score('accessibility'):>14} {int(total):>16}")
PY
done
echo "reports: $OUT"
