# Shared by bench/consent-check.sh and bench/revocation.sh (sourced, not run): the database
# (SQLite file or a fresh PostgreSQL database), the app servers, their CPU time and their
# shutdown lines. Expects ROOT, DIR and TARGET_DIR to be set, and `say`/`die`.

GLASSHOUSE=$TARGET_DIR/release/glasshouse
SERVER_PIDS=()
SERVER_ADDRS=()
PG_DB=
PG_ADMIN_URL=

free_port() {
    if command -v python3 >/dev/null; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    else
        echo $((20000 + RANDOM % 20000))
    fi
}

# The environment every `glasshouse` process of the run gets: only the GLASSHOUSE_* variables
# the server knows (it refuses to start on any other).
server_env() {
    while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^GLASSHOUSE_' || true)
    export GLASSHOUSE_DATA_DIR=$DIR
    # The demo city (published passwords) loads only in development mode.
    export GLASSHOUSE_MODE=development
    # The benchmark measures the check itself, not the per-client quota that would stop it.
    export GLASSHOUSE_CLIENT_CALLS_PER_SECOND=1000000 GLASSHOUSE_CLIENT_CALLS_PER_DAY=4000000000
    # Every request comes from 127.0.0.1.
    export GLASSHOUSE_AUTH_REQUESTS_PER_MINUTE=1000000
    export LEPTOS_SITE_ROOT=$TARGET_DIR/site
    # warn, and the decision-log writer's info line with its batch statistics at shutdown.
    # (`server::cli::run` logs it as `serve` returns, after SIGINT.)
    export RUST_LOG=${BENCH_SERVER_LOG:-warn,server::cli::run=info}
    # Plain log lines (tracing's fmt writes colour codes otherwise), parsed at shutdown.
    export NO_COLOR=1
}

# Sets DATABASE_URL (and DB_KIND) for BENCH_DATABASE=sqlite|postgres. PostgreSQL: a fresh
# database on the server of GH_TEST_POSTGRES_URL (or the URL `scripts/postgres.sh` prints),
# dropped on exit by db_cleanup.
db_setup() {
    DB_KIND=${BENCH_DATABASE:-sqlite}
    case $DB_KIND in
    sqlite)
        export DATABASE_URL="sqlite://$DIR/glasshouse.db"
        DB_LABEL="SQLite (WAL, synchronous=FULL) in $DIR"
        ;;
    postgres | postgresql)
        DB_KIND=postgres
        command -v psql >/dev/null || die "psql is needed for BENCH_DATABASE=postgres"
        PG_ADMIN_URL=${BENCH_POSTGRES_URL:-${GH_TEST_POSTGRES_URL:-}}
        if [[ -z $PG_ADMIN_URL && -r /root/ghm/env.sh ]]; then
            # shellcheck disable=SC1091
            PG_ADMIN_URL=$(source /root/ghm/env.sh && echo "${GH_TEST_POSTGRES_URL:-}")
        fi
        if [[ -z $PG_ADMIN_URL ]] || ! psql "$PG_ADMIN_URL" -qtAc 'SELECT 1' >/dev/null 2>&1; then
            # Note: scripts/postgres.sh also drops the tests' leftover gh_test_* databases.
            say "no PostgreSQL answering at GH_TEST_POSTGRES_URL: starting one with scripts/postgres.sh"
            PG_ADMIN_URL=$(bash "$ROOT/scripts/postgres.sh")
        fi
        PG_DB="gh_bench_$$_$(date +%s)"
        psql "$PG_ADMIN_URL" -v ON_ERROR_STOP=1 -qtAc "CREATE DATABASE $PG_DB" >/dev/null ||
            die "cannot create the database $PG_DB"
        export DATABASE_URL="${PG_ADMIN_URL%/*}/$PG_DB"
        local settings
        settings=$(psql "$DATABASE_URL" -qtAc "SELECT string_agg(name || '=' || setting, ', ') FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'max_connections')" 2>/dev/null || echo '?')
        DB_LABEL="PostgreSQL $(psql "$DATABASE_URL" -qtAc 'SHOW server_version' 2>/dev/null | cut -d' ' -f1), database $PG_DB ($settings)"
        ;;
    *) die "BENCH_DATABASE is sqlite or postgres, not $DB_KIND" ;;
    esac
}

db_cleanup() {
    if [[ -n $PG_DB && -n $PG_ADMIN_URL ]]; then
        if [[ -n ${BENCH_KEEP:-} ]]; then
            echo "kept the PostgreSQL database $PG_DB" >&2
        else
            psql "$PG_ADMIN_URL" -qtAc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 ||
                psql "$PG_ADMIN_URL" -qtAc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
        fi
    fi
}

# A query's single value (decision_log counts and the like).
db_value() {
    if [[ $DB_KIND == sqlite ]]; then
        command -v sqlite3 >/dev/null || { echo "unknown (no sqlite3)"; return; }
        sqlite3 "file:$DIR/glasshouse.db?mode=ro" "$1" 2>/dev/null || echo "unknown (the query failed)"
    else
        psql "$DATABASE_URL" -qtAc "$1" 2>/dev/null || echo "unknown (the query failed)"
    fi
}

# Starts one app server (its log: server-$1.log), prefixed by the rest of the arguments (e.g.
# taskset -c 0); appends to SERVER_PIDS and SERVER_ADDRS.
start_server() {
    local name=$1 port addr pid
    shift
    port=$(free_port)
    addr=127.0.0.1:$port
    GLASSHOUSE_ADDR=$addr "$@" "$GLASSHOUSE" serve >"$DIR/server-$name.log" 2>&1 &
    pid=$!
    for _ in $(seq 300); do
        curl -fsS -o /dev/null "http://$addr/healthz" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || { cat "$DIR/server-$name.log" >&2; die "the server $name exited"; }
        sleep 0.1
    done
    curl -fsS -o /dev/null "http://$addr/healthz" || die "the server $name is not answering on $addr"
    SERVER_PIDS+=("$pid")
    SERVER_ADDRS+=("$addr")
}

# Stops every server with SIGINT (as an operator would: the decision-log writer logs its
# statistics) and waits for each to exit.
stop_servers() {
    local pid
    for pid in "${SERVER_PIDS[@]}"; do
        kill -INT "$pid" 2>/dev/null || true
    done
    for pid in "${SERVER_PIDS[@]}"; do
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    SERVER_PIDS=()
    SERVER_ADDRS=()
}

# The value of field $2 in the last line of file $1 that has it, whether the line is plain
# (`field=12`) or JSON (`"field":12`); empty when none.
log_field() {
    sed 's/\x1b\[[0-9;]*m//g' "$1" 2>/dev/null | grep -E "(^|[^a-z_])\"?$2\"?[=:]" | tail -1 |
        sed -E "s/.*(^|[^a-z_])\"?$2\"?[=:] *\"?([0-9.]+).*/\2/"
}

# The decision-log writer's shutdown line in server log $1, as one line of text; empty if
# the server did not log one (a build before issue 15).
writer_stats() {
    local f=$1 batches entries redecided p50 p99 max
    batches=$(log_field "$f" batches)
    [[ -n $batches ]] || return 0
    entries=$(log_field "$f" entries)
    redecided=$(log_field "$f" redecided)
    p50=$(log_field "$f" lock_held_us_p50)
    p99=$(log_field "$f" lock_held_us_p99)
    max=$(log_field "$f" lock_held_us_max)
    echo "batches=$batches entries=$entries${redecided:+ redecided=$redecided} lock_held_us_p50=$p50 lock_held_us_p99=$p99 lock_held_us_max=$max$(awk -v b="$batches" -v e="$entries" -v l="$p50" -v m="$p99" 'BEGIN { if (b > 0 && l > 0) printf " → %.1f entries/batch; log ceiling E/L: %.0f decisions/s at p50 hold, %.0f at p99", e / b, 1e6 * e / b / l, (m > 0 ? 1e6 * e / b / m : 0) }')"
}

CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
# utime + stime of process $1 (all its threads), in clock ticks.
proc_ticks() {
    awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
# Server CPU ticks of every running server, summed.
servers_ticks() {
    local pid sum=0 t
    for pid in "${SERVER_PIDS[@]}"; do
        t=$(proc_ticks "$pid")
        sum=$((sum + t))
    done
    echo "$sum"
}
now_s() { date +%s.%N; }
