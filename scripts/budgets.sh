#!/usr/bin/env bash
# Page-weight budgets (issue 14), checked by `make test` after the site build:
#   - the WebAssembly of the whole app, brotli-compressed: at most 150 KB (150 000 bytes);
#   - the first load of `/` and of `/systems` (HTML + CSS + JS + WASM, compressed as served):
#     at most 100 KB each; of `/map` and of a device's page `/s/dt-cam-01`: at most 60 KB each.
# The WebAssembly is measured from the optimised build (profile wasm-release, as
# `make release` ships it) without wasm-opt, which only makes it smaller: if this passes,
# the shipped bundle does too. Pages come from the demo city on a server of its own.
# Prints one table of bytes (raw, gzip, brotli) and exits non-zero if a budget is exceeded.
set -uo pipefail
cd "$(dirname "$0")/.."

TARGET_DIR=${CARGO_TARGET_DIR:-target}
BIN="$TARGET_DIR/debug/glasshouse"
SITE=${LEPTOS_SITE_ROOT:-target/site}
if [ ! -x "$BIN" ]; then echo "budgets: $BIN is missing: cargo leptos build"; exit 1; fi
if ! ls "$SITE"/pkg/*.css >/dev/null 2>&1; then echo "budgets: no site in $SITE: cargo leptos build"; exit 1; fi

WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "budgets: building the optimised WebAssembly (profile wasm-release)"
if ! cargo build --locked -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release 2>"$WORK/build.log"; then
  cat "$WORK/build.log"; echo "budgets: the optimised build failed"; exit 1
fi
if ! wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
  --out-dir "$WORK/pkg" --out-name glasshouse \
  "$TARGET_DIR/wasm32-unknown-unknown/wasm-release/frontend.wasm"; then
  echo "budgets: wasm-bindgen failed"; exit 1
fi
cp "$SITE"/pkg/*.css "$WORK/pkg/"

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DATABASE_URL="sqlite://$WORK/glasshouse.db" GLASSHOUSE_ADDR="127.0.0.1:$PORT" GLASSHOUSE_DATA_DIR="$WORK" \
  GLASSHOUSE_MODE=development LEPTOS_SITE_ROOT="$SITE" RUST_LOG=${RUST_LOG:-warn}
if ! "$BIN" demo >"$WORK/demo.log" 2>&1; then echo "budgets: loading the demo city failed:"; cat "$WORK/demo.log"; exit 1; fi
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.5; done
unset DATABASE_URL GLASSHOUSE_ADDR GLASSHOUSE_DATA_DIR GLASSHOUSE_MODE
if ! curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null; then echo "budgets: the server did not start:"; cat "$WORK/server.log"; exit 1; fi

node scripts/budgets/measure.mjs "http://127.0.0.1:$PORT" "$WORK/pkg"
