#!/usr/bin/env bash
# The consent-check benchmark: the release server with a generated population,
# `POST /api/v1/consent/check` (and `/check-batch`) driven from a load generator on loopback,
# and a trivial JSON endpoint of the same server driven in the same run as the baseline.
#
#   bash bench/consent-check.sh                              (from the repository root)
#   BENCH_RUNS=1 BENCH_DURATION=3 bash bench/consent-check.sh    (a quick run)
#   BENCH_DATABASE=postgres bash bench/consent-check.sh      (one and two app servers)
#
# Settings (environment):
#   BENCH_DATABASE=sqlite|postgres   the database (postgres: a fresh database, dropped after)
#   BENCH_RESIDENTS=100000 BENCH_EVENTS=1000000   population sizes
#   BENCH_SWEEP="32 64 128"     connections of the closed-loop (peak) runs, one figure each
#   BENCH_OPEN_CONNECTIONS=128  connections available to the open-loop (latency) runs
#   BENCH_RUNS=5                runs per figure; the report gives each column's median
#   BENCH_DURATION=10 BENCH_WARMUP=2   seconds measured / warmed up per run
#   BENCH_LOAD_FRACTION=0.7     open-loop rate as a fraction of each endpoint's best peak
#   BENCH_MODES="one-core all-cores"   one-core: server on CPU 0, load generator on CPU 1;
#                               all-cores: no pinning (default on postgres: all-cores)
#   BENCH_SERVERS="1"           app servers on the database (default on postgres: "1 2")
#   BENCH_BATCHES="1 10 100"    check-batch sizes ("": none)
#   BENCH_BATCH_CONNECTIONS=32  connections of the batch runs
#   BENCH_WRK=auto|off          auto: cross-check loadgen against wrk (bench/install-wrk.sh)
#   BENCH_BASELINE=/api/v1/status   the baseline path (GET)
#   BENCH_KEEP=1                keep the temporary folder (database, logs) afterwards
#   BENCH_SKIP_BUILD=1          use the binaries already in target/release
#   BENCH_PERF=auto|off         auto: `perf stat` on the server during the peak runs, if usable
#   BENCH_SERVER_LOG=...        the servers' RUST_LOG
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
RESIDENTS=${BENCH_RESIDENTS:-100000}
EVENTS=${BENCH_EVENTS:-1000000}
SWEEP=${BENCH_SWEEP:-32 64 128}
OPEN_CONNECTIONS=${BENCH_OPEN_CONNECTIONS:-128}
RUNS=${BENCH_RUNS:-5}
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-2}
FRACTION=${BENCH_LOAD_FRACTION:-0.7}
BATCHES=${BENCH_BATCHES-1 10 100}
BATCH_CONNECTIONS=${BENCH_BATCH_CONNECTIONS:-32}
BASELINE=${BENCH_BASELINE:-/api/v1/status}
if [[ ${BENCH_DATABASE:-sqlite} == sqlite ]]; then
    MODES=${BENCH_MODES:-one-core all-cores}
    SERVER_COUNTS=${BENCH_SERVERS:-1}
else
    MODES=${BENCH_MODES:-all-cores}
    SERVER_COUNTS=${BENCH_SERVERS:-1 2}
fi

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'consent-check: %s\n' "$*" >&2; exit 1; }
command -v curl >/dev/null || die "curl is needed (readiness probe)"
((RUNS >= 1)) || die "BENCH_RUNS must be at least 1"

if [[ -z ${BENCH_SKIP_BUILD:-} ]]; then
    say "building the release server and the benchmark tools"
    nice -n 10 cargo build --release --quiet -p server -p glasshouse-bench
fi
POPULATE=$TARGET_DIR/release/populate
LOADGEN=$TARGET_DIR/release/loadgen
DIR=$(mktemp -d "${TMPDIR:-/tmp}/glasshouse-bench.XXXXXX")
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
for bin in "$GLASSHOUSE" "$POPULATE" "$LOADGEN"; do
    [[ -x $bin ]] || die "missing $bin"
done

REPORT=$DIR/report.txt
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
CORES=$(nproc 2>/dev/null || echo 1)

say "loading the demo city ($DB_KIND)"
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

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
range() { tr ' ' '\n' | grep -v '^$' | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR > 1) printf "%.0f–%.0f", lo, hi }'; }
us_ms() { [[ -n $1 ]] && awk -v u="$1" 'BEGIN { printf "%.3f ms", u / 1000 }' || echo "-"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0 && a != "") printf "%.1f %%", 100 * a / b; else print "n/a" }'; }

LOAD_PIN=()
SERVER_PIN=()
ADDRS=
# Runs the load generator once; its report goes to $DIR/loadgen.log and stderr's summary,
# and the RESULT line (with the servers' CPU over the measured window appended as
# `cpu_us_per_req=` and `cpus=`) is returned. Every decision answered 2xx (warm-up
# included) is tallied, to be found in the decision log after.
loadgen_once() {
    local out result t0 t1 c0 c1 cpu_file=$DIR/cpu-window
    rm -f "$cpu_file"
    # Server CPU over the measured window, from /proc (perf is not needed).
    (sleep "$(awk -v w="$WARMUP" 'BEGIN { print w + 0.3 }')"
     c0=$(servers_ticks); t0=$(now_s)
     sleep "$(awk -v d="$DURATION" 'BEGIN { printf "%.2f", d - 0.5 }')"
     c1=$(servers_ticks); t1=$(now_s)
     echo "$((c1 - c0)) $t0 $t1" >"$cpu_file") &
    local sampler=$!
    out=$("${LOAD_PIN[@]}" "$LOADGEN" --addr "$ADDRS" --population "$DIR/population.json" \
        --warmup "$WARMUP" --duration "$DURATION" "$@") || { echo "$out" >&2; die "loadgen failed"; }
    wait "$sampler" 2>/dev/null || true
    echo "$out" >>"$DIR/loadgen.log"
    grep -E '^\[|successful|decisions/s|first error|never sent' <<<"$out" | sed 's/^/   /' >&2
    result=$(grep '^RESULT ' <<<"$out")
    field all_decisions "$result" >>"$DIR/answered-checks"
    local ticks start stop rps
    read -r ticks start stop <"$cpu_file" 2>/dev/null || ticks=
    rps=$(field rps "$result")
    if [[ -n $ticks ]]; then
        result+=$(awk -v t="$ticks" -v hz="$CLK_TCK" -v a="$start" -v b="$stop" -v r="$rps" 'BEGIN {
            s = b - a; cpu = t / hz
            printf " cpu_us_per_req=%.1f cpus=%.2f", ((r > 0 && s > 0) ? 1e6 * cpu / (r * s) : 0), (s > 0 ? cpu / s : 0) }')
    fi
    echo "$result"
}

# Runs a figure RUNS times; prints one line: the medians (and range of req/s) of the runs.
# Usage: figure NAME loadgen-args...   (the runs' RESULT lines go to $DIR/results/NAME)
figure() {
    local name=$1 i r
    shift
    mkdir -p "$DIR/results"
    : >"$DIR/results/$name"
    for ((i = 1; i <= RUNS; i++)); do
        r=$(loadgen_once --label "$name" --seed "$((RANDOM + i))" "$@")
        echo "$r" >>"$DIR/results/$name"
    done
    summarize "$name"
}
# `key=median ...` of the runs of figure $1.
summarize() {
    local f=$DIR/results/$1 k out="name=$1"
    for k in rps dps p50_us p99_us p999_us cpu_us_per_req cpus errors; do
        out+=" $k=$(sed -n "s/.* $k=\([^ ]*\).*/\1/p" "$f" | median)"
    done
    out+=" rps_range=$(sed -n 's/.* rps=\([^ ]*\).*/\1/p' "$f" | range)"
    out+=" errors_total=$(sed -n 's/.* errors=\([^ ]*\).*/\1/p' "$f" | awk '{ n += $1 } END { print n + 0 }')"
    out+=" statuses=$(sed -n 's/.* statuses=\([^ ]*\).*/\1/p' "$f" | tail -1)"
    echo "$out"
}

row() {
    local label=$1 s=$2 rps
    rps=$(field rps "$s")
    printf '  %-40s %9s %11s %10s %10s %10s %9s %6s\n' "$label" \
        "$(printf '%.0f' "${rps:-0}")" "$(field rps_range "$s")" \
        "$(us_ms "$(field p50_us "$s")")" "$(us_ms "$(field p99_us "$s")")" "$(us_ms "$(field p999_us "$s")")" \
        "$(field cpu_us_per_req "$s")" "$(field errors_total "$s")"
}
header() {
    printf '  %-40s %9s %11s %10s %10s %10s %9s %6s\n' "run (median of $RUNS)" "req/s" "range" "p50" "p99" "p99.9" "CPU us/rq" "errors"
}

# Where the server's time goes: `perf stat` on the servers during one peak run's measured
# window (CPU, context switches, and the system calls of SQLite and of sqlx's threads).
PERF_EVENTS=
perf_probe() {
    PERF_EVENTS=
    [[ ${BENCH_PERF:-auto} != off ]] && command -v perf >/dev/null || return 0
    local pids events
    pids=$(IFS=,; echo "${SERVER_PIDS[*]}")
    for events in \
        task-clock,context-switches,syscalls:sys_enter_futex,syscalls:sys_enter_pread64,syscalls:sys_enter_pwrite64,syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync \
        task-clock,context-switches; do
        if perf stat -e "$events" -p "$pids" -o /dev/null -- sleep 0.1 2>/dev/null; then
            PERF_EVENTS=$events
            return 0
        fi
    done
}
perf_run() {
    local name=$1 pids seconds
    shift
    [[ -n $PERF_EVENTS ]] || return 0
    pids=$(IFS=,; echo "${SERVER_PIDS[*]}")
    seconds=$(awk -v d="$DURATION" 'BEGIN { printf "%.2f", d - 0.6 }')
    (sleep "$(awk -v w="$WARMUP" 'BEGIN { print w + 0.4 }')"
     perf stat -x, -e "$PERF_EVENTS" -p "$pids" -o "$DIR/perf-$name.csv" -- sleep "$seconds" 2>/dev/null
     echo "$seconds" >"$DIR/perf-$name.seconds") &
    local p=$!
    loadgen_once --label "perf-$name" --seed 99 "$@" >"$DIR/perf-$name.result"
    wait "$p" 2>/dev/null || true
}
perf_row() {
    local name=$1 csv=$DIR/perf-$1.csv rps
    rps=$(field rps "$(cat "$DIR/perf-$name.result" 2>/dev/null)")
    [[ -s $csv && -s $DIR/perf-$name.seconds ]] || { printf '  %-10s (no perf data)\n' "$2"; return; }
    awk -F, -v name="$2" -v rps="$rps" -v secs="$(cat "$DIR/perf-$name.seconds")" '
        $3 ~ /task-clock/ { cpu = $1 }
        $3 ~ /context-switches/ { cs = $1 }
        $3 ~ /futex/ { fx = $1 }
        $3 ~ /pread64/ { pr = $1 }
        $3 ~ /pwrite64/ { pw = $1 }
        $3 ~ /fsync|fdatasync/ { fs += $1 }
        END {
            n = rps * secs; if (n <= 0) n = 1
            printf "  %-10s %9.1f %7.2f %6.1f %7.2f %7.2f %7.2f %10.3f", name, 1000 * cpu / n, cpu / (1000 * secs), cs / n, fx / n, pr / n, pw / n, fs / n
            if (fs > 0) printf " (%.1f per sync)", n / fs
            printf "\n"
        }' "$csv"
}

# Some virtual machines reclaim idle page cache within seconds (the development VM does);
# reading the SQLite database once before the check runs lets the server start from a warm
# OS cache, as a server with memory to spare would.
warm_cache() {
    [[ $DB_KIND == sqlite ]] || return 0
    cat "$DIR/glasshouse.db" "$DIR/glasshouse.db-wal" >/dev/null 2>&1 || true
}

# How busy the machine is without our load (other processes distort every figure).
cpu_idle() {
    local a b
    read -r -a a </proc/stat
    sleep 2
    read -r -a b </proc/stat
    awk -v a="${a[*]}" -v b="${b[*]}" 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        for (i = 2; i <= 9; i++) total += y[i] - x[i]
        idle = y[5] - x[5] + y[6] - x[6]
        printf "%.0f", (total > 0 ? 100 * idle / total : 0) }'
}

# wrk, once, on the same server and endpoints as loadgen (BENCH_WRK=auto).
WRK=
if [[ ${BENCH_WRK:-auto} != off ]]; then
    if command -v wrk >/dev/null || bash "$ROOT/bench/install-wrk.sh" >&2; then
        WRK=$(command -v wrk || true)
    fi
    [[ -n $WRK ]] || say "WARNING: wrk is not available; no cross-check (bench/install-wrk.sh)"
fi
# Runs wrk for DURATION seconds with $1 connections on $2 (baseline path or `check`); prints
# `rps=... p50_us=... p99_us=... p999_us=... errors=...`.
wrk_run() {
    local conns=$1 target=$2 out token
    if [[ $target == check ]]; then
        token=$(curl -fsS -u "$BENCH_CLIENT_ID:$BENCH_CLIENT_SECRET" -d grant_type=client_credentials \
            "http://${ADDRS%%,*}/api/v1/oauth/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
        out=$(WRK_TOKEN=$token WRK_POPULATION=$DIR/wrk-residents.txt WRK_TARGETS=$DIR/wrk-targets.txt \
            "${LOAD_PIN[@]}" "$WRK" -t1 -c"$conns" -d"${DURATION}s" --latency -s "$ROOT/bench/wrk/check.lua" \
            "http://${ADDRS%%,*}/api/v1/consent/check" 2>&1)
    else
        out=$("${LOAD_PIN[@]}" "$WRK" -t1 -c"$conns" -d"${DURATION}s" --latency -s "$ROOT/bench/wrk/check.lua" \
            "http://${ADDRS%%,*}$target" 2>&1)
    fi
    echo "$out" >>"$DIR/wrk.log"
    local result
    result=$(grep '^WRKRESULT ' <<<"$out" | sed 's/^WRKRESULT //') || true
    if [[ -z $result ]]; then
        echo "rps=0 errors=? (wrk failed: $(tail -1 <<<"$out"))"
        return
    fi
    # wrk's checks are logged decisions too.
    [[ $target == check ]] && field all_ok " $result" >>"$DIR/answered-checks"
    echo "$result"
}
if [[ -n $WRK ]]; then
    # The checks' residents and targets for the Lua script (85/10/5 % like loadgen's mix is
    # not reproduced: the script draws residents and the agency's consent purposes at random).
    python3 - "$DIR/population.json" "$DIR/wrk-residents.txt" "$DIR/wrk-targets.txt" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
open(sys.argv[2], "w").write("\n".join(p["residents"][:50000]) + "\n")
own = [t for t in p["targets"] if t["agency"] == p["agency"] and t["legal_basis"] == "consent"]
open(sys.argv[3], "w").write("\n".join("%s %s" % (t["system"], t["purpose"]) for t in own) + "\n")
EOF
fi

IDLE_BEFORE=$([[ -r /proc/stat ]] && cpu_idle || echo "?")
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
{
    echo "Glasshouse consent-check benchmark ($(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%FT%TZ))"
    echo "machine:     $CORES cores${CPU:+ ($CPU)}; kernel $(uname -r)"
    echo "population:  $RESIDENTS residents, $EVENTS consent events; checks by $AGENCY's client"
    echo "other load:  the CPUs were ${IDLE_BEFORE}% idle just before the runs (a shared machine distorts the figures)"
    echo "database:    $DB_LABEL"
    echo "runs:        ${WARMUP}s warm-up + ${DURATION}s each, $RUNS per figure (each column is the median of the runs;"
    echo "             'range' is the req/s of the slowest and fastest); peaks closed-loop with $SWEEP connections,"
    echo "             open loop at $FRACTION of the best peak with $OPEN_CONNECTIONS connections"
    echo "             CPU us/rq: the servers' CPU time (/proc utime+stime) in the window / requests answered"
} >"$REPORT"

WRK_DONE=
for MODE in $MODES; do
    for NSERVERS in $SERVER_COUNTS; do
        case $MODE in
        one-core)
            if ! command -v taskset >/dev/null || ((CORES < 2)); then
                say "one-core mode needs taskset and 2 cores: skipped"
                continue
            fi
            SERVER_PIN=(taskset -c 0)
            LOAD_PIN=(taskset -c 1)
            PINNING="one core: server(s) pinned to CPU 0 (one runtime worker), load generator to CPU 1"
            ;;
        all-cores)
            SERVER_PIN=()
            LOAD_PIN=()
            PINNING="all cores: server(s) and load generator share all $CORES cores"
            ;;
        *) die "BENCH_MODES: one-core or all-cores, not $MODE" ;;
        esac
        TAG="$MODE, $NSERVERS server(s)"
        say "== $TAG: starting"
        for ((s = 1; s <= NSERVERS; s++)); do
            start_server "$MODE-$NSERVERS-$s" "${SERVER_PIN[@]}"
        done
        ADDRS=$(IFS=,; echo "${SERVER_ADDRS[*]}")
        if ! curl -fsS -o /dev/null "http://${SERVER_ADDRS[0]}$BASELINE"; then
            say "WARNING: GET $BASELINE does not answer 2xx; falling back to GET /healthz (runs SELECT 1)"
            BASELINE=/healthz
        fi
        perf_probe

        say "warming up (not measured)"
        DURATION_SAVED=$DURATION
        DURATION=3 loadgen_once --label warmup-baseline --target "$BASELINE" --connections 32 --seed 1 >/dev/null
        warm_cache
        DURATION=5 loadgen_once --label warmup-check --target check --connections 32 --seed 2 >/dev/null
        DURATION=$DURATION_SAVED

        {
            echo
            echo "## $TAG — $PINNING"
            echo
            header
        } >>"$REPORT"
        BEST_BASE=0
        BEST_CHECK=0
        SWEEP_LINES=()
        for C in $SWEEP; do
            say "$TAG: peak, closed loop, $C connections ($RUNS runs each)"
            B=$(figure "base-$MODE-$NSERVERS-$C" --target "$BASELINE" --connections "$C")
            warm_cache
            K=$(figure "check-$MODE-$NSERVERS-$C" --target check --connections "$C")
            row "baseline GET $BASELINE, $C conns" "$B" >>"$REPORT"
            row "check POST, $C conns" "$K" >>"$REPORT"
            BEST_BASE=$(awk -v a="$BEST_BASE" -v b="$(field rps "$B")" 'BEGIN { print (b > a ? b : a) }')
            BEST_CHECK=$(awk -v a="$BEST_CHECK" -v b="$(field rps "$K")" 'BEGIN { print (b > a ? b : a) }')
            SWEEP_LINES+=("$(printf '  %4s connections: check / baseline req/s %s; CPU per request baseline / check %s (%s / %s us)' \
                "$C" "$(ratio "$(field rps "$K")" "$(field rps "$B")")" \
                "$(ratio "$(field cpu_us_per_req "$B")" "$(field cpu_us_per_req "$K")")" \
                "$(field cpu_us_per_req "$B")" "$(field cpu_us_per_req "$K")")")
        done
        BASE_RATE=$(awk -v r="$BEST_BASE" -v f="$FRACTION" 'BEGIN { printf "%.0f", r * f }')
        CHECK_RATE=$(awk -v r="$BEST_CHECK" -v f="$FRACTION" 'BEGIN { printf "%.0f", r * f }')
        say "$TAG: latency at $FRACTION of each best peak, open loop"
        BO=$(figure "base-open-$MODE-$NSERVERS" --target "$BASELINE" --connections "$OPEN_CONNECTIONS" --rate "$BASE_RATE")
        warm_cache
        KO=$(figure "check-open-$MODE-$NSERVERS" --target check --connections "$OPEN_CONNECTIONS" --rate "$CHECK_RATE")
        row "baseline at $FRACTION of peak ($BASE_RATE/s)" "$BO" >>"$REPORT"
        row "check at $FRACTION of peak ($CHECK_RATE/s)" "$KO" >>"$REPORT"
        {
            echo
            printf '%s\n' "${SWEEP_LINES[@]}"
            echo "  best peaks: check $(printf '%.0f' "$BEST_CHECK") req/s / baseline $(printf '%.0f' "$BEST_BASE") req/s = $(ratio "$BEST_CHECK" "$BEST_BASE")   (goal >= 50 %)"
            echo "  check p50 / p99 / p99.9 at $FRACTION of peak: $(us_ms "$(field p50_us "$KO")") / $(us_ms "$(field p99_us "$KO")") / $(us_ms "$(field p999_us "$KO")")   (goal p99 <= 2 ms); baseline's own: $(us_ms "$(field p50_us "$BO")") / $(us_ms "$(field p99_us "$BO")") / $(us_ms "$(field p999_us "$BO")")"
        } >>"$REPORT"

        # Batches: decisions per second at each batch size, against single checks and the
        # baseline measured above on the same servers.
        if [[ -n $BATCHES ]]; then
            PROBE=$(curl -sS -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
                -d '{"checks":[]}' "http://${SERVER_ADDRS[0]}/api/v1/consent/check-batch" || echo 000)
            if [[ $PROBE == 404 || $PROBE == 405 ]]; then
                echo "  batch checks: skipped — POST /api/v1/consent/check-batch answers $PROBE on this build (issue 15 adds it)" >>"$REPORT"
                say "check-batch answers $PROBE: batch runs skipped"
            else
                {
                    echo
                    printf '  %-40s %12s %9s %10s %10s %10s %9s %6s\n' "check-batch, $BATCH_CONNECTIONS conns (median)" "decisions/s" "req/s" "p50" "p99" "p99.9" "vs single" "errors"
                } >>"$REPORT"
                SINGLE=$(field rps "$(summarize "check-$MODE-$NSERVERS-$(awk '{ print $1 }' <<<"$SWEEP")")")
                for N in $BATCHES; do
                    say "$TAG: check-batch of $N, $BATCH_CONNECTIONS connections"
                    warm_cache
                    S=$(figure "batch-$N-$MODE-$NSERVERS" --target check --batch "$N" --connections "$BATCH_CONNECTIONS")
                    printf '  %-40s %12.0f %9.0f %10s %10s %10s %9s %6s\n' "batch of $N" "$(field dps "$S")" "$(field rps "$S")" \
                        "$(us_ms "$(field p50_us "$S")")" "$(us_ms "$(field p99_us "$S")")" "$(us_ms "$(field p999_us "$S")")" \
                        "$(ratio "$(field dps "$S")" "$SINGLE")" "$(field errors_total "$S")" >>"$REPORT"
                done
                echo "  (vs single: decisions/s against single checks' req/s at $(awk '{ print $1 }' <<<"$SWEEP") connections; baseline $(printf '%.0f' "$BEST_BASE") req/s)" >>"$REPORT"
            fi
        fi

        # perf stat: where the time goes, one run of each peak at the first sweep value.
        if [[ -n $PERF_EVENTS ]]; then
            C=$(awk '{ print $1 }' <<<"$SWEEP")
            say "$TAG: perf stat, one run of each peak"
            perf_run base --target "$BASELINE" --connections "$C"
            warm_cache
            perf_run check --target check --connections "$C"
            {
                echo
                echo "  server cost per request, one more peak run each with $C connections (perf stat on the server processes):"
                printf '  %-10s %9s %7s %6s %7s %7s %7s %10s\n' "" "CPU us" "CPUs" "ctxsw" "futex" "pread" "pwrite" "fsync"
                perf_row base baseline
                perf_row check check
            } >>"$REPORT"
        fi

        # The cross-check against wrk: once, same endpoints, same connections, same run.
        if [[ -n $WRK && -z $WRK_DONE ]]; then
            WRK_DONE=1
            C=$(awk '{ print $1 }' <<<"$SWEEP")
            say "$TAG: cross-check, loadgen and wrk side by side, $C connections"
            LB=$(loadgen_once --label xcheck-loadgen-base --target "$BASELINE" --connections "$C" --seed 7)
            WB=$(wrk_run "$C" "$BASELINE")
            warm_cache
            LC=$(loadgen_once --label xcheck-loadgen-check --target check --connections "$C" --seed 8 --own-consent 100 --own-other 0 --foreign 0)
            warm_cache
            WC=$(wrk_run "$C" check)
            {
                echo
                echo "  cross-check with wrk $("$WRK" -v 2>&1 | head -1 | awk '{ print $2 }') (one run each, closed loop, $C connections; checks on the agency's consent purposes only):"
                printf '  %-28s %10s %10s %10s %10s %8s\n' "" "req/s" "p50" "p99" "p99.9" "errors"
                for pair in "loadgen baseline|$LB" "wrk baseline|$WB" "loadgen check|$LC" "wrk check|$WC"; do
                    printf '  %-28s %10.0f %10s %10s %10s %8s\n' "${pair%%|*}" "$(field rps " ${pair#*|}")" \
                        "$(us_ms "$(field p50_us " ${pair#*|}")")" "$(us_ms "$(field p99_us " ${pair#*|}")")" \
                        "$(us_ms "$(field p999_us " ${pair#*|}")")" "$(field errors " ${pair#*|}")"
                done
            } >>"$REPORT"
        fi

        stop_servers
        {
            for ((s = 1; s <= NSERVERS; s++)); do
                stats=$(writer_stats "$DIR/server-$MODE-$NSERVERS-$s.log")
                echo "  server $s's decision-log writer at shutdown: ${stats:-no statistics line (a build before issue 15?)}"
            done
        } >>"$REPORT"
    done
done

ANSWERED_CHECKS=$(awk '{ n += $1 } END { print n + 0 }' "$DIR/answered-checks")
LOGGED=$(db_value "SELECT COUNT(*) FROM decision_log")
SERVER_ERRORS=$(cat "$DIR"/server-*.log | grep -c -E 'ERROR|panicked' || true)
{
    echo
    echo "decisions answered 2xx (loadgen and wrk, warm-ups and perf runs included): $ANSWERED_CHECKS; rows in decision_log: $LOGGED"
    echo "ERROR or panic lines in the servers' logs: $SERVER_ERRORS"
} >>"$REPORT"
echo
cat "$REPORT"
