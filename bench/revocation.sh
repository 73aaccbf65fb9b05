#!/usr/bin/env bash
# Revocation under load: two app servers on one database, consent checks at load over both,
# residents withdrawing (and granting again) through their own server function, and an
# operator revoking an API client with the CLI in another process. Counts permits issued for
# checks sent after an acknowledged withdrawal, and 2xx answers to the revoked client after
# its revocation was acknowledged: both must be 0 (the exit status says so).
#
#   bash bench/revocation.sh                       (SQLite, then PostgreSQL)
#   BENCH_DATABASE=sqlite bash bench/revocation.sh (one of them)
#
# Settings (environment):
#   BENCH_DATABASE=sqlite|postgres   one database (default: both, one after the other)
#   REVOCATION_SECONDS=30       seconds of load
#   REVOCATION_RESIDENTS=16     residents who grant and withdraw in turn
#   REVOCATION_CONNECTIONS=16   connections of the checking client (closed loop)
#   REVOCATION_HOLD_MS=400      a choice is kept 1–2 times this long before the next
#   BENCH_SERVERS=2             app servers on the database
#   BENCH_KEEP=1 / BENCH_SKIP_BUILD=1   as for consent-check.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'revocation: %s\n' "$*" >&2; exit 3; }
command -v curl >/dev/null || die "curl is needed (readiness probe)"

if [[ -z ${BENCH_SKIP_BUILD:-} ]]; then
    say "building the release server and the benchmark tools"
    nice -n 10 cargo build --release --quiet -p server -p glasshouse-bench
fi

if [[ -z ${BENCH_DATABASE:-} ]]; then
    status=0
    for db in sqlite postgres; do
        BENCH_DATABASE=$db BENCH_SKIP_BUILD=1 bash "$0" || { s=$?; ((s > status)) && status=$s; }
    done
    exit "$status"
fi

REVOCATION=$TARGET_DIR/release/revocation
DIR=$(mktemp -d "${TMPDIR:-/tmp}/glasshouse-revocation.XXXXXX")
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
for bin in "$GLASSHOUSE" "$REVOCATION"; do
    [[ -x $bin ]] || die "missing $bin"
done
cleanup() {
    stop_servers
    db_cleanup
    if [[ -n ${BENCH_KEEP:-} ]]; then
        echo "kept $DIR" >&2
    else
        rm -rf "$DIR"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

server_env
db_setup
AGENCY=riverton-digital-services

say "loading the demo city ($DB_KIND)"
"$GLASSHOUSE" demo >"$DIR/demo.log" 2>&1 || { cat "$DIR/demo.log" >&2; die "glasshouse demo failed"; }
"$GLASSHOUSE" admin create-client --agency "$AGENCY" --scopes consent:check >"$DIR/checker.txt"
"$GLASSHOUSE" admin create-client --agency "$AGENCY" --scopes consent:check >"$DIR/revoked.txt"
BENCH_CLIENT_ID=$(sed -n 's/^client_id: //p' "$DIR/checker.txt")
BENCH_CLIENT_SECRET=$(sed -n 's/^client_secret: //p' "$DIR/checker.txt")
REVOKED_CLIENT_ID=$(sed -n 's/^client_id: //p' "$DIR/revoked.txt")
REVOKED_CLIENT_SECRET=$(sed -n 's/^client_secret: //p' "$DIR/revoked.txt")
[[ -n $BENCH_CLIENT_ID && -n $REVOKED_CLIENT_ID ]] || die "create-client printed no credentials"
export BENCH_CLIENT_ID BENCH_CLIENT_SECRET REVOKED_CLIENT_ID REVOKED_CLIENT_SECRET

NSERVERS=${BENCH_SERVERS:-2}
for ((s = 1; s <= NSERVERS; s++)); do
    start_server "$s"
done
ADDRS=$(IFS=,; echo "${SERVER_ADDRS[*]}")
say "$NSERVERS servers on $DB_KIND at $ADDRS"

set +e
"$REVOCATION" --addr "$ADDRS" \
    --revoke-command "'$GLASSHOUSE' admin revoke-client --client-id '$REVOKED_CLIENT_ID'" \
    --duration "${REVOCATION_SECONDS:-30}" --residents "${REVOCATION_RESIDENTS:-16}" \
    --connections "${REVOCATION_CONNECTIONS:-16}" --hold-ms "${REVOCATION_HOLD_MS:-400}" \
    --tag "$$" >"$DIR/revocation.out" 2>"$DIR/revocation.err"
STATUS=$?
set -e
stop_servers
SERVER_ERRORS=$(cat "$DIR"/server-*.log | grep -c -E 'ERROR|panicked' || true)
echo
echo "Glasshouse revocation under load ($(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%FT%TZ))"
echo "machine:  $(nproc) cores; database: $DB_LABEL; $NSERVERS app servers"
grep -v '^RESULT ' "$DIR/revocation.out" || true
grep -v '^revocation: [0-9]* residents' "$DIR/revocation.err" | sed 's/^/  /' || true
echo "ERROR or panic lines in the servers' logs: $SERVER_ERRORS"
grep '^RESULT ' "$DIR/revocation.out" || true
case $STATUS in
0) echo "verdict: 0 permits after withdrawal, 0 answers to the revoked client after its revocation" ;;
1) echo "verdict: FAILED — see the counts above" ;;
2) echo "verdict: INCONCLUSIVE — the run tested nothing (see above)" ;;
*) echo "verdict: the driver failed (status $STATUS)"; cat "$DIR/revocation.err" >&2 ;;
esac
exit "$STATUS"
