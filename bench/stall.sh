#!/usr/bin/env bash
# Where does the trivial endpoint's tail latency come from? Runs the baseline
# (`GET /api/v1/status`, no storage) open loop at a fraction of its peak under several
# variants, one change at a time, and records the scheduler during the first one with
# `perf sched` (when usable). Reports p50 / p99 / p99.9 / max per variant.
#
#   bash bench/stall.sh            (from the repository root; the demo city only, no population)
#
# Settings: STALL_DURATION=10, STALL_FRACTION=0.7, STALL_CONNECTIONS=64, BENCH_SKIP_BUILD=1,
# BENCH_KEEP=1 (keeps perf.data and the logs).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
DURATION=${STALL_DURATION:-10}
FRACTION=${STALL_FRACTION:-0.7}
CONNECTIONS=${STALL_CONNECTIONS:-64}
say() { printf '== %s\n' "$*" >&2; }
die() { printf 'stall: %s\n' "$*" >&2; exit 1; }
if [[ -z ${BENCH_SKIP_BUILD:-} ]]; then
    nice -n 10 cargo build --release --quiet -p server -p glasshouse-bench
fi
LOADGEN=$TARGET_DIR/release/loadgen
DIR=$(mktemp -d "${TMPDIR:-/tmp}/glasshouse-stall.XXXXXX")
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
cleanup() {
    stop_servers
    if [[ -n ${BENCH_KEEP:-} ]]; then echo "kept $DIR" >&2; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
BENCH_DATABASE=sqlite
server_env
db_setup
"$GLASSHOUSE" demo >"$DIR/demo.log" 2>&1 || { cat "$DIR/demo.log" >&2; die "glasshouse demo failed"; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
ms() { awk -v u="$1" 'BEGIN { printf "%.3f", u / 1000 }'; }

# run_variant NAME FRACTION SERVER_PREFIX... -- LOADGEN_PREFIX... -- SERVER_ENV...
run_variant() {
    local name=$1 fraction=$2 server=() load=() envs=() part=0 a
    shift 2
    for a in "$@"; do
        if [[ $a == -- ]]; then part=$((part + 1)); continue; fi
        case $part in 0) server+=("$a") ;; 1) load+=("$a") ;; *) envs+=("$a") ;; esac
    done
    (
        for e in "${envs[@]}"; do export "${e?}"; done
        start_server "$name" "${server[@]}"
        echo "${SERVER_ADDRS[0]} ${SERVER_PIDS[0]}" >"$DIR/addr-$name"
        wait "${SERVER_PIDS[0]}" 2>/dev/null || true
    ) &
    local sub=$!
    for _ in $(seq 300); do [[ -s $DIR/addr-$name ]] && break; sleep 0.1; done
    local addr pid
    read -r addr pid <"$DIR/addr-$name"
    "${load[@]}" "$LOADGEN" --addr "$addr" --target /api/v1/status --connections 32 --duration 3 --warmup 1 >/dev/null
    local peak rate out
    peak=$(field rps "$("${load[@]}" "$LOADGEN" --addr "$addr" --target /api/v1/status --connections 32 --duration 5 --warmup 1 | grep '^RESULT')")
    rate=$(awk -v r="$peak" -v f="$fraction" 'BEGIN { printf "%.0f", r * f }')
    local perf_pid=
    if [[ $name == pinned && -n ${PERF_SCHED:-} ]]; then
        (sleep 3; perf sched record -a -o "$DIR/perf-sched.data" -- sleep 3 >/dev/null 2>&1) &
        perf_pid=$!
    fi
    out=$("${load[@]}" "$LOADGEN" --addr "$addr" --target /api/v1/status --connections "$CONNECTIONS" \
        --duration "$DURATION" --warmup 2 --rate "$rate" --timeline 1000 --label "$name")
    echo "$out" >"$DIR/loadgen-$name.log"
    [[ -n $perf_pid ]] && { wait "$perf_pid" 2>/dev/null || true; }
    kill -INT "$pid" 2>/dev/null || true
    wait "$sub" 2>/dev/null || true
    local r
    r=$(grep '^RESULT' <<<"$out")
    printf '%-46s %8.0f %8s %8s %8s %8s %8s\n' "$name" "$rate" "$(ms "$(field p50_us "$r")")" \
        "$(ms "$(field p99_us "$r")")" "$(ms "$(field p999_us "$r")")" "$(ms "$(field max_us "$r")")" "$(field errors "$r")"
}

PERF_SCHED=
command -v perf >/dev/null && perf sched record -a -o /dev/null -- sleep 0.1 >/dev/null 2>&1 && PERF_SCHED=1
echo "Glasshouse stall hunt ($(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%FT%TZ)), $(nproc) cores"
echo "GET /api/v1/status, open loop at $FRACTION of the variant's own peak, $CONNECTIONS connections, ${DURATION}s; ms"
printf '%-46s %8s %8s %8s %8s %8s %8s\n' variant "rate/s" p50 p99 p99.9 max errors
run_variant pinned "$FRACTION" taskset -c 0 -- taskset -c 1 --
run_variant "pinned, RUST_LOG=off" "$FRACTION" taskset -c 0 -- taskset -c 1 -- RUST_LOG=off
run_variant "pinned, 0.3 of peak" 0.3 taskset -c 0 -- taskset -c 1 --
run_variant "server 2 workers on CPU 0" "$FRACTION" taskset -c 0 -- taskset -c 1 -- TOKIO_WORKER_THREADS=2
run_variant "server both cores, loadgen CPU 1" "$FRACTION" -- taskset -c 1 --
run_variant "not pinned" "$FRACTION" -- --
if [[ -n $PERF_SCHED && -s $DIR/perf-sched.data ]]; then
    echo
    echo "perf sched latency during 3 s of the 'pinned' variant (largest scheduling delays):"
    perf sched latency -i "$DIR/perf-sched.data" -s max 2>/dev/null | head -14
fi
