#!/usr/bin/env bash
# The consent-check benchmark: the release server on SQLite with a generated population,
# `POST /api/v1/consent/check` driven from a load generator on loopback, and a trivial JSON
# endpoint of the same server driven in the same run as the baseline.
#
#   bash bench/consent-check.sh            (from the repository root)
#
# Settings (environment):
#   BENCH_RESIDENTS=100000 BENCH_EVENTS=1000000   population sizes
#   BENCH_CONNECTIONS=32        connections of the closed-loop (peak) runs
#   BENCH_OPEN_CONNECTIONS=64   connections available to the open-loop (latency) runs
#   BENCH_DURATION=10 BENCH_WARMUP=2   seconds measured / warmed up per run
#   BENCH_LOAD_FRACTION=0.7     open-loop rate as a fraction of each endpoint's own peak
#   BENCH_PIN=auto|off          auto: server on CPU 0, load generator on CPU 1 (taskset)
#   BENCH_BASELINE=/api/v1/status   the baseline path (GET)
#   BENCH_KEEP=1                keep the temporary folder (database, logs) afterwards
#   BENCH_SKIP_BUILD=1          use the binaries already in target/release
#   BENCH_PERF=auto|off         auto: `perf stat` on the server during the peak runs, if usable
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
RESIDENTS=${BENCH_RESIDENTS:-100000}
EVENTS=${BENCH_EVENTS:-1000000}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
OPEN_CONNECTIONS=${BENCH_OPEN_CONNECTIONS:-64}
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-2}
FRACTION=${BENCH_LOAD_FRACTION:-0.7}
PIN=${BENCH_PIN:-auto}
BASELINE=${BENCH_BASELINE:-/api/v1/status}

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'consent-check: %s\n' "$*" >&2; exit 1; }
command -v curl >/dev/null || die "curl is needed (readiness probe)"

if [[ -z ${BENCH_SKIP_BUILD:-} ]]; then
    say "building the release server and the benchmark tools"
    nice -n 10 cargo build --release --quiet -p server -p glasshouse-bench
fi
GLASSHOUSE=$TARGET_DIR/release/glasshouse
POPULATE=$TARGET_DIR/release/populate
LOADGEN=$TARGET_DIR/release/loadgen
for bin in "$GLASSHOUSE" "$POPULATE" "$LOADGEN"; do
    [[ -x $bin ]] || die "missing $bin"
done

DIR=$(mktemp -d "${TMPDIR:-/tmp}/glasshouse-bench.XXXXXX")
SERVER_PID=
cleanup() {
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -INT "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ -n ${BENCH_KEEP:-} ]]; then
        echo "kept $DIR" >&2
    else
        rm -rf "$DIR"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    if command -v python3 >/dev/null; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    else
        echo $((20000 + RANDOM % 20000))
    fi
}
PORT=$(free_port)
ADDR=127.0.0.1:$PORT

# Only the GLASSHOUSE_* variables the server knows: it refuses to start on any other.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^GLASSHOUSE_' || true)
export DATABASE_URL="sqlite://$DIR/glasshouse.db"
export GLASSHOUSE_DATA_DIR=$DIR
# The demo city (published passwords) loads only in development mode.
export GLASSHOUSE_MODE=development
# The benchmark measures the check itself, not the per-client quota that would stop it.
export GLASSHOUSE_CLIENT_CALLS_PER_SECOND=1000000 GLASSHOUSE_CLIENT_CALLS_PER_DAY=4000000000
export GLASSHOUSE_ADDR=$ADDR
export LEPTOS_SITE_ROOT=$TARGET_DIR/site
export RUST_LOG=warn

CORES=$(nproc 2>/dev/null || echo 1)
SERVER_PIN=()
LOAD_PIN=()
if [[ $PIN != off ]] && command -v taskset >/dev/null && ((CORES >= 2)); then
    SERVER_PIN=(taskset -c 0)
    LOAD_PIN=(taskset -c 1)
    PINNING="server pinned to CPU 0, load generator to CPU 1 (taskset)"
else
    PINNING="not pinned: server and load generator share all $CORES cores"
fi

say "loading the demo city into $DIR"
"$GLASSHOUSE" demo >"$DIR/demo.log" 2>&1 || { cat "$DIR/demo.log" >&2; die "glasshouse demo failed"; }

say "generating $RESIDENTS residents and $EVENTS consent events"
"$POPULATE" --database "$DATABASE_URL" --residents "$RESIDENTS" --events "$EVENTS" \
    --out "$DIR/population.json" | tee "$DIR/populate.log" >&2
AGENCY=$(sed -n 's/^agency: //p' "$DIR/populate.log")
[[ -n $AGENCY ]] || die "populate named no agency"

say "creating an API client for $AGENCY"
"$GLASSHOUSE" admin create-client --agency "$AGENCY" --scopes consent:check >"$DIR/client.txt"
BENCH_CLIENT_ID=$(sed -n 's/^client_id: //p' "$DIR/client.txt")
BENCH_CLIENT_SECRET=$(sed -n 's/^client_secret: //p' "$DIR/client.txt")
[[ -n $BENCH_CLIENT_ID && -n $BENCH_CLIENT_SECRET ]] || die "create-client printed no credentials"
# loadgen reads these and fetches a fresh token (valid 15 minutes) at the start of each run.
export BENCH_CLIENT_ID BENCH_CLIENT_SECRET

say "starting the server on $ADDR ($PINNING)"
"${SERVER_PIN[@]}" "$GLASSHOUSE" serve >"$DIR/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 300); do
    curl -fsS -o /dev/null "http://$ADDR/healthz" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DIR/server.log" >&2; die "the server exited"; }
    sleep 0.1
done
curl -fsS -o /dev/null "http://$ADDR/healthz" || die "the server is not answering on $ADDR"
if ! curl -fsS -o /dev/null "http://$ADDR$BASELINE"; then
    say "WARNING: GET $BASELINE does not answer 2xx; falling back to GET /healthz (runs SELECT 1)"
    BASELINE=/healthz
fi

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
# Runs the load generator; its report goes to stderr and the RESULT line is returned. Every
# check answered 2xx (warm-up included) is tallied, to be found in the decision log after.
# (A file, not a variable: the function runs in a command substitution's subshell.)
loadgen() {
    local out result
    out=$("${LOAD_PIN[@]}" "$LOADGEN" --addr "$ADDR" --population "$DIR/population.json" \
        --warmup "$WARMUP" "$@")
    grep -v '^RESULT ' <<<"$out" >&2
    result=$(grep '^RESULT ' <<<"$out")
    if [[ " $* " == *" --target check "* ]]; then
        field all_ok "$result" >>"$DIR/answered-checks"
    fi
    echo "$result"
}

# Where the server's time goes: `perf stat` on the server process during the measured part of
# each peak run (CPU time, context switches, and the system calls of SQLite and of sqlx's
# worker threads), divided by the requests answered. Skipped without a usable `perf`.
PERF_EVENTS=
if [[ ${BENCH_PERF:-auto} != off ]] && command -v perf >/dev/null; then
    for events in \
        task-clock,context-switches,syscalls:sys_enter_futex,syscalls:sys_enter_pread64,syscalls:sys_enter_pwrite64,syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync \
        task-clock,context-switches; do
        if perf stat -e "$events" -p "$SERVER_PID" -o /dev/null -- sleep 0.1 2>/dev/null; then
            PERF_EVENTS=$events
            break
        fi
    done
fi
# Starts `perf stat` in the background for the measured window of the next run.
perf_window() {
    [[ -n $PERF_EVENTS ]] || return 0
    local seconds
    seconds=$(awk -v d="$DURATION" 'BEGIN { printf "%.2f", d - 0.6 }')
    (sleep "$(awk -v w="$WARMUP" 'BEGIN { print w + 0.4 }')"
     perf stat -x, -e "$PERF_EVENTS" -p "$SERVER_PID" -o "$DIR/perf-$1.csv" -- sleep "$seconds" 2>/dev/null
     echo "$seconds" >"$DIR/perf-$1.seconds") &
    PERF_PID=$!
}
# Waits for the `perf stat` of the last run (never a bare `wait`: the server is a job too).
perf_wait() {
    if [[ -n ${PERF_PID:-} ]]; then
        wait "$PERF_PID" || true
        PERF_PID=
    fi
}
# One row of per-request server costs from `perf-$1.csv`, given the run's req/s.
perf_row() {
    local csv=$DIR/perf-$1.csv
    [[ -s $csv && -s $DIR/perf-$1.seconds ]] || { printf '%-10s (no perf data)\n' "$1"; return; }
    awk -F, -v name="$1" -v rps="$2" -v secs="$(cat "$DIR/perf-$1.seconds")" '
        $3 ~ /task-clock/ { cpu = $1 }
        $3 ~ /context-switches/ { cs = $1 }
        $3 ~ /futex/ { fx = $1 }
        $3 ~ /pread64/ { pr = $1 }
        $3 ~ /pwrite64/ { pw = $1 }
        $3 ~ /fsync|fdatasync/ { fs += $1 }
        END {
            n = rps * secs; if (n <= 0) n = 1
            printf "%-10s %9.1f %7.2f %6.1f %7.2f %7.2f %7.1f %10.2f", name, 1000 * cpu / n, cpu / (1000 * secs), cs / n, fx / n, pr / n, pw / n, fs / n
            if (fs > 0) printf " (%.1f per sync)", n / fs
            printf "\n"
        }' "$csv"
}

# Some virtual machines reclaim idle page cache within seconds (this one does); reading the
# database once before each check run lets the server start from a warm OS cache, as a
# server with memory to spare would.
warm_cache() { cat "$DIR/glasshouse.db" "$DIR/glasshouse.db-wal" >/dev/null 2>&1 || true; }

# How busy the machine is without our load (other processes distort every figure).
cpu_idle() {
    local a b
    read -r -a a < /proc/stat
    sleep 2
    read -r -a b < /proc/stat
    awk -v a="${a[*]}" -v b="${b[*]}" 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        for (i = 2; i <= 9; i++) total += y[i] - x[i]
        idle = y[5] - x[5] + y[6] - x[6]
        printf "%.0f", (total > 0 ? 100 * idle / total : 0) }'
}
IDLE_BEFORE=$( [[ -r /proc/stat ]] && cpu_idle || echo "?")

say "warming up (not measured)"
loadgen --label warmup-baseline --target "$BASELINE" --connections "$CONNECTIONS" --duration 3 --seed 1 >/dev/null
warm_cache
loadgen --label warmup-check --target check --connections "$CONNECTIONS" --duration 5 --seed 2 >/dev/null

say "peak throughput, closed loop, $CONNECTIONS connections"
perf_window baseline
BASE_PEAK=$(loadgen --label baseline-peak --target "$BASELINE" --connections "$CONNECTIONS" \
    --duration "$DURATION" --seed 3)
perf_wait
warm_cache
perf_window check
CHECK_PEAK=$(loadgen --label check-peak --target check --connections "$CONNECTIONS" \
    --duration "$DURATION" --seed 4)
perf_wait
BASE_RPS=$(field rps "$BASE_PEAK")
CHECK_RPS=$(field rps "$CHECK_PEAK")
BASE_RATE=$(awk -v r="$BASE_RPS" -v f="$FRACTION" 'BEGIN { printf "%.0f", r * f }')
CHECK_RATE=$(awk -v r="$CHECK_RPS" -v f="$FRACTION" 'BEGIN { printf "%.0f", r * f }')

say "latency at $FRACTION of each peak, open loop (from the intended send time)"
BASE_OPEN=$(loadgen --label baseline-open --target "$BASELINE" --connections "$OPEN_CONNECTIONS" \
    --duration "$DURATION" --rate "$BASE_RATE" --seed 5)
warm_cache
CHECK_OPEN=$(loadgen --label check-open --target check --connections "$OPEN_CONNECTIONS" \
    --duration "$DURATION" --rate "$CHECK_RATE" --seed 6)

ANSWERED_CHECKS=$(awk '{ n += $1 } END { print n + 0 }' "$DIR/answered-checks")
LOGGED="unknown (no sqlite3 to count them)"
if command -v sqlite3 >/dev/null; then
    LOGGED=$(sqlite3 "file:$DIR/glasshouse.db?mode=ro" "SELECT COUNT(*) FROM decision_log" 2>/dev/null || echo "unknown (the count failed)")
fi
SERVER_ERRORS=$(grep -c -E 'ERROR|panicked' "$DIR/server.log" || true)

us_ms() { awk -v u="$1" 'BEGIN { printf "%.3f ms", u / 1000 }'; }
row() {
    printf '%-34s %10s %11s %11s %8s\n' "$1" "$(printf '%.0f' "$(field rps "$2")")" \
        "$(us_ms "$(field p50_us "$2")")" "$(us_ms "$(field p99_us "$2")")" "$(field errors "$2")"
}
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
RATIO=$(awk -v c="$CHECK_RPS" -v b="$BASE_RPS" 'BEGIN { if (b > 0) printf "%.1f", 100 * c / b; else print "n/a" }')
OPEN_P99=$(field p99_us "$CHECK_OPEN")

echo
echo "Glasshouse consent-check benchmark ($(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%FT%TZ))"
echo "machine:     $CORES cores${CPU:+ ($CPU)}; $PINNING"
echo "population:  $RESIDENTS residents, $EVENTS consent events; checks by $AGENCY's client"
echo "other load:  the CPUs were ${IDLE_BEFORE}% idle just before the runs (a shared machine distorts the figures)"
echo "database:    SQLite (WAL, synchronous=FULL) in $DIR"
echo "runs:        ${WARMUP}s warm-up + ${DURATION}s each; peaks with $CONNECTIONS connections, open loop with $OPEN_CONNECTIONS"
echo
printf '%-34s %10s %11s %11s %8s\n' "run" "req/s" "p50" "p99" "errors"
row "baseline GET $BASELINE, peak" "$BASE_PEAK"
row "check POST, peak" "$CHECK_PEAK"
row "baseline at $FRACTION of peak ($BASE_RATE/s)" "$BASE_OPEN"
row "check at $FRACTION of peak ($CHECK_RATE/s)" "$CHECK_OPEN"
echo
echo "check throughput / baseline throughput: $RATIO %   (goal >= 50 %)"
echo "check p99 at $FRACTION of peak: $(us_ms "$OPEN_P99")   (goal <= 2 ms)"
if [[ -n $PERF_EVENTS ]]; then
    echo
    echo "server cost per request during the peak runs (perf stat on the server process):"
    printf '%-10s %9s %7s %6s %7s %7s %7s %10s\n' "" "CPU us" "CPUs" "ctxsw" "futex" "pread" "pwrite" "fsync"
    perf_row baseline "$BASE_RPS"
    perf_row check "$CHECK_RPS"
    BASE_CPU=$(perf_row baseline "$BASE_RPS" | awk '{ print $2 }')
    CHECK_CPU=$(perf_row check "$CHECK_RPS" | awk '{ print $2 }')
    awk -v b="$BASE_CPU" -v c="$CHECK_CPU" 'BEGIN {
        if (b + 0 > 0 && c + 0 > 0)
            printf "server CPU per request, baseline / check: %.1f %% (the throughput ratio of a CPU-bound server; steadier than req/s on a busy machine)\n", 100 * b / c }'
fi
echo "checks answered 2xx (warm-up included): $ANSWERED_CHECKS; rows in decision_log: $LOGGED"
echo "ERROR or panic lines in the server log: $SERVER_ERRORS"
