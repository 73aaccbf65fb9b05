#!/usr/bin/env bash
# Installs what the tests need beyond the build tools, skipping whatever is already there:
# cargo-nextest (runs each Rust test in a process of its own), Debian's Chromium (Playwright
# drives it; no browser download), the end2end npm packages and schemathesis (a virtualenv
# in ~/.cache/glasshouse/venv).
# PostgreSQL is handled by scripts/postgres.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*"; }

# New machines come with cargo-nextest; build it only where it is missing (built from crates.io).
NEXTEST_VERSION=0.9.143
if ! cargo nextest --version >/dev/null 2>&1; then
  log "installing cargo-nextest $NEXTEST_VERSION (several minutes)"
  cargo install cargo-nextest --version "$NEXTEST_VERSION" --locked
fi

if [ ! -x /usr/bin/chromium ]; then
  log "installing Chromium from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium
fi

if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  log "installing the end-to-end test packages"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

# Schemathesis fuzzes the agency API against its OpenAPI document (scripts/api-fuzz.sh), from
# PyPI into a virtualenv of its own, pinned: a new release may bring new checks, taken on purpose.
SCHEMATHESIS_VERSION=4.32.5
VENV=${GLASSHOUSE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/glasshouse/venv}
if [ "$("$VENV/bin/schemathesis" --version 2>/dev/null | awk '{ print $NF }')" != "$SCHEMATHESIS_VERSION" ]; then
  log "installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
