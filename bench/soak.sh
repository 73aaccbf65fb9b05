#!/usr/bin/env bash
# The soak: one server process under a moderate, fixed mixed load for ten minutes — consent
# checks, public pages, sign-ins and signed-in pages — reporting every error and how the
# server's memory (RSS) grows. A benchmark, not a test: figures are reported, never asserted
# (the exit status is non-zero when a request failed; the RSS goal is only reported).
#
#   bash bench/soak.sh                      (from the repository root)
#
# Settings (environment):
#   GLASSHOUSE_BIN=path         the server binary; default target/release/glasshouse, built
#                               first (cargo build --release -p server) unless BENCH_SKIP_BUILD=1
#   BENCH_SKIP_BUILD=1          do not build; use GLASSHOUSE_BIN or the binary already built
#   SOAK_SECONDS=600            length of the load
#   SOAK_RATE=20                requests per second of the open-loop mix (checks and pages);
#                               sign-ins, sign-outs and token requests come on top
#   SOAK_MIX=check=60,home=8,systems=8,system=14,my=5,account=5
#                               shares of the paced requests, by kind (see bench/README.md)
#   SOAK_SIGNIN_SECONDS=5       one sign-in every this many seconds, rotating over the accounts
#   SOAK_ACCOUNTS=4             resident accounts signed up first for the sign-ins; with the
#                               defaults each signs in 3 times a minute (the limit is 5 per
#                               account and address)
#   SOAK_TOKEN_SECONDS=300      a fresh API token this often (a token lives 15 minutes)
#   SOAK_CONNECTIONS=8          keep-alive connections (one driver thread each)
#   SOAK_WARMUP=60              seconds after which the RSS is taken as the warmed-up baseline
#   SOAK_SAMPLE_SECONDS=10      RSS sampling interval
#   SOAK_SEED=1                 seed of the request mix
#   BENCH_KEEP=1                keep the temporary folder (database, server log, samples)
#
# Needs python3 (standard library only: the load driver), curl (readiness probe).
set -euo pipefail

SELF=$(realpath "${BASH_SOURCE[0]}")
cd "$(dirname "$SELF")/.."
ROOT=$PWD
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
SECONDS_=${SOAK_SECONDS:-600}
RATE=${SOAK_RATE:-20}
MIX=${SOAK_MIX:-check=60,home=8,systems=8,system=14,my=5,account=5}
SIGNIN_SECONDS=${SOAK_SIGNIN_SECONDS:-5}
ACCOUNTS=${SOAK_ACCOUNTS:-4}
TOKEN_SECONDS=${SOAK_TOKEN_SECONDS:-300}
CONNECTIONS=${SOAK_CONNECTIONS:-8}
WARMUP=${SOAK_WARMUP:-60}
SAMPLE_SECONDS=${SOAK_SAMPLE_SECONDS:-10}
SEED=${SOAK_SEED:-1}

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'soak: %s\n' "$*" >&2; exit 2; }
command -v curl >/dev/null || die "curl is needed (readiness probe)"
command -v python3 >/dev/null || die "python3 is needed (the load driver)"

if [[ -n ${GLASSHOUSE_BIN:-} ]]; then
    GLASSHOUSE=$GLASSHOUSE_BIN
else
    if [[ -z ${BENCH_SKIP_BUILD:-} ]]; then
        say "building the release server"
        nice -n 10 cargo build --release --quiet -p server
    fi
    GLASSHOUSE=$TARGET_DIR/release/glasshouse
fi
[[ -x $GLASSHOUSE ]] || die "missing $GLASSHOUSE"

DIR=$(mktemp -d "${TMPDIR:-/tmp}/glasshouse-soak.XXXXXX")
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

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ADDR=127.0.0.1:$PORT

# Only the GLASSHOUSE_* variables the server knows: it refuses to start on any other.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^GLASSHOUSE_' || true)
export DATABASE_URL="sqlite://$DIR/glasshouse.db"
export GLASSHOUSE_DATA_DIR=$DIR
# The demo city (published passwords) loads only in development mode.
export GLASSHOUSE_MODE=development
export GLASSHOUSE_ADDR=$ADDR
# Every sign-in, sign-up and token request comes from 127.0.0.1: lift the per-address limit
# (the per-account limit, 5 a minute, stays; the rotation over accounts keeps under it).
export GLASSHOUSE_AUTH_REQUESTS_PER_MINUTE=1000000
# A higher SOAK_RATE must not turn into per-client quota refusals.
export GLASSHOUSE_CLIENT_CALLS_PER_SECOND=1000000 GLASSHOUSE_CLIENT_CALLS_PER_DAY=4000000000
# Pages render on the server without the site (WASM, CSS); serve it when it was built.
export LEPTOS_SITE_ROOT=$TARGET_DIR/site
export RUST_LOG=warn

say "loading the demo city into $DIR"
"$GLASSHOUSE" demo >"$DIR/demo.log" 2>&1 || { cat "$DIR/demo.log" >&2; die "glasshouse demo failed"; }
AGENCY=riverton-digital-services
"$GLASSHOUSE" admin create-client --agency "$AGENCY" --scopes consent:check >"$DIR/client.txt"
SOAK_CLIENT_ID=$(sed -n 's/^client_id: //p' "$DIR/client.txt")
SOAK_CLIENT_SECRET=$(sed -n 's/^client_secret: //p' "$DIR/client.txt")
[[ -n $SOAK_CLIENT_ID && -n $SOAK_CLIENT_SECRET ]] || die "create-client printed no credentials"
export SOAK_CLIENT_ID SOAK_CLIENT_SECRET

say "starting the server on $ADDR"
"$GLASSHOUSE" serve >"$DIR/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 300); do
    curl -fsS -o /dev/null "http://$ADDR/healthz" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DIR/server.log" >&2; die "the server exited"; }
    sleep 0.1
done
curl -fsS -o /dev/null "http://$ADDR/healthz" || die "the server is not answering on $ADDR"

idle_cpu() {
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
IDLE_BEFORE=$( [[ -r /proc/stat ]] && idle_cpu || echo "?")

say "soaking for ${SECONDS_}s at ${RATE} req/s"
STATUS=0
python3 - "$ADDR" "$SERVER_PID" "$DIR" <<PYEOF || STATUS=$?
import sys
SETTINGS = dict(
    seconds=float("$SECONDS_"), rate=float("$RATE"), mix="$MIX",
    signin_seconds=float("$SIGNIN_SECONDS"), accounts=int("$ACCOUNTS"),
    token_seconds=float("$TOKEN_SECONDS"), connections=int("$CONNECTIONS"),
    warmup=float("$WARMUP"), sample_seconds=float("$SAMPLE_SECONDS"), seed=int("$SEED"),
    agency="$AGENCY", binary="$GLASSHOUSE", idle_before="$IDLE_BEFORE",
    commit="$(git rev-parse --short HEAD 2>/dev/null || echo '?')",
)
$(sed -n '/^# ---- driver ----$/,/^DRIVER$/p' "$SELF" | sed '1d;$d')
PYEOF

# The log's levels, without the colour codes a terminal would get.
sed 's/\x1b\[[0-9;]*m//g' "$DIR/server.log" >"$DIR/server.plain.log"
ERRLINES=$(grep -c -E ' ERROR |panicked' "$DIR/server.plain.log" || true)
# (The development-mode notice at start-up is expected: it is not counted.)
WARNLINES=$(grep ' WARN ' "$DIR/server.plain.log" | grep -c -v ' WARN development mode:' || true)
echo "server log: $ERRLINES ERROR or panic lines, $WARNLINES WARN lines (besides the development-mode notice)"
if ((ERRLINES + WARNLINES > 0)); then
    grep -E ' (ERROR|WARN) |panicked' "$DIR/server.plain.log" | grep -v ' WARN development mode:' \
        | cut -c 29- | sort | uniq -c | sort -rn | head -10
fi
kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server died during the soak"; STATUS=1; }
exit "$STATUS"

# The load driver (Python 3, standard library), read by the script above from this file: a
# quoted here-document that the shell never runs (it exits above), so the file stays valid
# shell for `bash -n` and shellcheck.
: <<'DRIVER'
# ---- driver ----
import base64, collections, http.client, json, math, os, queue, random, sqlite3, threading, time, urllib.parse

ADDR, SERVER_PID, DIR = sys.argv[1], int(sys.argv[2]), sys.argv[3]
S = SETTINGS
HOST, PORT = ADDR.rsplit(":", 1)
PORT = int(PORT)
CHECK_PATH = "/api/v1/consent/check"
PASSWORD = "soak password, long enough"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Conn:
    """One keep-alive HTTP/1.1 connection (http.client), reopened after any failure."""

    def __init__(self):
        self.c = None
        self.used = False
        self.stale_retries = 0

    def request(self, method, path, body=None, headers=None):
        """(status, headers, body); raises OSError / HTTPException on transport failure.
        A request on a reused connection that the server had closed while idle is sent once
        more on a fresh one (as any HTTP client does) and counted, not failed."""
        for attempt in (0, 1):
            if self.c is None:
                self.c = http.client.HTTPConnection(HOST, PORT, timeout=60)
                self.used = False
            reused = self.used
            try:
                self.c.request(method, path, body=body, headers=headers or {})
                r = self.c.getresponse()
                data = r.read()
                self.used = True
                if r.getheader("connection", "").lower() == "close":
                    self.close()
                return r.status, r.headers, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                self.close()
                if reused and attempt == 0:
                    self.stale_retries += 1
                    continue
                raise
            except Exception:
                self.close()
                raise

    def close(self):
        if self.c is not None:
            try:
                self.c.close()
            except Exception:
                pass
        self.c = None


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.lat = collections.defaultdict(list)       # kind -> seconds
        self.count = collections.Counter()              # kind
        self.errors = collections.Counter()             # (kind, class)
        self.statuses = collections.Counter()           # (kind, status)
        self.samples = {}                               # (kind, class) -> first description
        self.outcomes = collections.Counter()           # check decision/reason
        self.late = 0                                   # sent > 1 s after the intended time

    def record(self, kind, latency, status, error=None, detail=""):
        with self.lock:
            self.count[kind] += 1
            self.lat[kind].append(latency)
            if status is not None:
                self.statuses[(kind, status)] += 1
            if error:
                self.errors[(kind, error)] += 1
                self.samples.setdefault((kind, error), detail[:300])

    def total_errors(self):
        with self.lock:
            return sum(self.errors.values())


STATS = Stats()


def classify(kind, status, expected=200):
    if status == expected:
        return None
    if status == 429:
        return "429"
    if status >= 500:
        return "5xx"
    return "status %d" % status


def form(**fields):
    return urllib.parse.urlencode(fields)


FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}


def session_cookie(headers):
    for value in headers.get_all("set-cookie") or []:
        if value.startswith("gh_session="):
            token = value.split(";", 1)[0][len("gh_session="):]
            if token:
                return token
    return None


# ---- state shared by the driver threads ----

class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.token = None
        self.cookies = {}       # account email -> session cookie value
        self.next_account = 0


STATE = State()


def fetch_token(conn):
    basic = base64.b64encode(("%s:%s" % (os.environ["SOAK_CLIENT_ID"], os.environ["SOAK_CLIENT_SECRET"])).encode()).decode()
    status, _, body = conn.request("POST", "/api/v1/oauth/token", "grant_type=client_credentials",
                                   {"Authorization": "Basic " + basic,
                                    "Content-Type": "application/x-www-form-urlencoded"})
    if status != 200:
        return status, None
    return status, json.loads(body)["access_token"]


def setup():
    conn = Conn()
    status, _, body = conn.request("GET", "/api/v1/register/systems?limit=200", headers={"Accept": "application/json"})
    if status != 200:
        sys.exit("soak: GET /api/v1/register/systems answered %d" % status)
    systems = json.loads(body)["systems"]
    slugs = [s["slug"] for s in systems]
    own_consent, own_other, foreign = [], [], []
    for s in systems:
        for p in s.get("purposes", []):
            t = (s["slug"], p["key"])
            if s["agency"]["slug"] != S["agency"]:
                foreign.append(t)
            elif p["legal_basis"] == "consent":
                own_consent.append(t)
            else:
                own_other.append(t)
    status, token = fetch_token(conn)
    if token is None:
        sys.exit("soak: the token request answered %d" % status)
    STATE.token = token
    accounts = []
    for i in range(S["accounts"]):
        email = "soak%d@riverton.example" % (i + 1)
        t0 = time.monotonic()
        status, headers, body = conn.request("POST", "/fn/auth/sign_up",
                                             form(email=email, password=PASSWORD, display_name="Soak %d" % (i + 1), lang="en"),
                                             FORM_HEADERS)
        err = classify("sign-up", status)
        STATS.record("sign-up (setup)", time.monotonic() - t0, status, err, body.decode("utf-8", "replace"))
        if err:
            sys.exit("soak: signing up %s failed: %s %s" % (email, status, body[:300]))
        # Sign-up never signs in (its answer is the same for a taken email): sign in next.
        t0 = time.monotonic()
        status, headers, body = conn.request("POST", "/fn/auth/sign_in", form(email=email, password=PASSWORD),
                                             FORM_HEADERS)
        cookie = session_cookie(headers)
        err = classify("sign-in", status) or (None if cookie else "no session cookie")
        STATS.record("sign-in (setup)", time.monotonic() - t0, status, err, body.decode("utf-8", "replace"))
        if err:
            sys.exit("soak: signing in %s failed: %s %s" % (email, status, body[:300]))
        accounts.append(email)
        STATE.cookies[email] = cookie
    # Every resident's number (the demo's and the accounts just made), read-only.
    db = sqlite3.connect("file:%s/glasshouse.db?mode=ro" % DIR, uri=True)
    residents = [r[0] for r in db.execute("SELECT resident_number FROM users WHERE role = 'resident'")]
    db.close()
    conn.close()
    return dict(slugs=slugs, own_consent=own_consent, own_other=own_other, foreign=foreign,
                residents=residents, accounts=accounts)


def run_one(conn, rng, env, kind, intended):
    """Sends one request of `kind` and records it against its intended send time."""
    path, method, body, headers, expected = None, "GET", None, {"Accept": "text/html"}, 200
    account = cookie = None
    if kind == "check":
        r = rng.random() * 100
        pool = env["own_consent"] if r < 85 or not (env["own_other"] or env["foreign"]) else (
            env["own_other"] if (r < 95 and env["own_other"]) or not env["foreign"] else env["foreign"])
        system, purpose = rng.choice(pool)
        path, method = CHECK_PATH, "POST"
        body = json.dumps({"subject": rng.choice(env["residents"]), "system": system, "purpose": purpose})
        with STATE.lock:
            token = STATE.token
        headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json", "Accept": "application/json"}
    elif kind == "home":
        path = "/"
    elif kind == "systems":
        path = "/systems"
    elif kind == "system":
        path = "/systems/" + rng.choice(env["slugs"])
    elif kind in ("my", "account"):
        path = "/" + kind
        with STATE.lock:
            account = rng.choice(env["accounts"])
            cookie = STATE.cookies.get(account)
        headers = {"Accept": "text/html", "Cookie": "gh_session=" + cookie}
    elif kind == "sign-in":
        with STATE.lock:
            account = env["accounts"][STATE.next_account % len(env["accounts"])]
            STATE.next_account += 1
        path, method = "/fn/auth/sign_in", "POST"
        body = form(email=account, password=PASSWORD)
        headers = FORM_HEADERS
    elif kind == "token":
        pass
    else:
        raise ValueError(kind)

    try:
        if kind == "token":
            status, token = fetch_token(conn)
            resp_body = b""
        else:
            status, resp_headers, resp_body = conn.request(method, path, body, headers)
    except Exception as e:
        STATS.record(kind, time.monotonic() - intended, None, "transport", "%s %s: %r" % (method, path, e))
        return
    latency = time.monotonic() - intended
    err = classify(kind, status, expected)
    detail = "%s %s -> %d: %s" % (method, path, status, resp_body[:200].decode("utf-8", "replace"))
    if err is None:
        if kind == "check":
            try:
                answer = json.loads(resp_body)
                with STATS.lock:
                    STATS.outcomes["%s/%s" % (answer["decision"], answer["reason"])] += 1
            except Exception:
                err = "bad body"
        elif kind == "token":
            with STATE.lock:
                STATE.token = token
        elif kind == "sign-in":
            new = session_cookie(resp_headers)
            if new is None:
                err = "no session cookie"
            else:
                with STATE.lock:
                    old = STATE.cookies.get(account)
                    STATE.cookies[account] = new
                if old:
                    sign_out(conn, old)
        elif kind in ("my", "account") and b"<html" not in resp_body[:2000]:
            err = "bad body"
    STATS.record(kind, latency, status, err, detail)


def sign_out(conn, cookie):
    """Ends the session a sign-in replaced (timed from its own send)."""
    t0 = time.monotonic()
    try:
        status, _, body = conn.request("POST", "/fn/auth/sign_out", "",
                                       dict(FORM_HEADERS, Cookie="gh_session=" + cookie))
    except Exception as e:
        STATS.record("sign-out", time.monotonic() - t0, None, "transport", "POST /fn/auth/sign_out: %r" % e)
        return
    STATS.record("sign-out", time.monotonic() - t0, status, classify("sign-out", status),
                 "POST /fn/auth/sign_out -> %d: %s" % (status, body[:200].decode("utf-8", "replace")))


def worker(q, env, seed, conns):
    conn = Conn()
    conns.append(conn)
    rng = random.Random(seed)
    while True:
        item = q.get()
        if item is None:
            conn.close()
            return
        intended, kind = item
        if time.monotonic() - intended > 1.0:
            with STATS.lock:
                STATS.late += 1
        run_one(conn, rng, env, kind, intended)


def parse_mix(text):
    mix = []
    for part in text.split(","):
        name, _, weight = part.partition("=")
        name = name.strip()
        if name not in ("check", "home", "systems", "system", "my", "account"):
            sys.exit("soak: unknown kind %r in SOAK_MIX" % name)
        if float(weight) > 0:
            mix.append((name, float(weight)))
    if not mix:
        sys.exit("soak: SOAK_MIX is empty")
    return mix


def pacer(q, start, end, rng):
    """Puts every request on the queue at its intended time: the paced mix at the fixed rate,
    a sign-in every SOAK_SIGNIN_SECONDS, a token every SOAK_TOKEN_SECONDS."""
    kinds, weights = zip(*parse_mix(S["mix"]))
    interval = 1.0 / S["rate"]
    events = [(start, "paced")]
    if S["signin_seconds"] > 0:
        events.append((start + S["signin_seconds"] / 2, "sign-in"))
    if S["token_seconds"] > 0:
        events.append((start + S["token_seconds"], "token"))
    while True:
        events.sort()
        at, what = events[0]
        if at >= end:
            return
        now = time.monotonic()
        if at > now:
            time.sleep(at - now)
        if what == "paced":
            q.put((at, rng.choices(kinds, weights)[0]))
            events[0] = (at + interval, what)
        elif what == "sign-in":
            q.put((at, "sign-in"))
            events[0] = (at + S["signin_seconds"], what)
        else:
            q.put((at, "token"))
            events[0] = (at + S["token_seconds"], what)


def proc_sample():
    """(VmRSS KiB, VmHWM KiB, threads, open fds) of the server, or None once it is gone."""
    try:
        with open("/proc/%d/status" % SERVER_PID) as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        fds = len(os.listdir("/proc/%d/fd" % SERVER_PID))
    except OSError:
        return None
    kib = lambda k: int(fields[k].split()[0])
    return kib("VmRSS"), kib("VmHWM"), int(fields["Threads"]), fds


def cpu_seconds():
    """User + system CPU time of the server so far, or None once it is gone."""
    try:
        with open("/proc/%d/stat" % SERVER_PID) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def fmt_ms(seconds):
    return "%.1f" % (seconds * 1000)


def pct(sorted_values, p):
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), math.ceil(p / 100.0 * len(sorted_values))))
    return sorted_values[rank - 1]


def main():
    env = setup()
    rng = random.Random(S["seed"])
    q = queue.Queue()
    conns = []
    threads = [threading.Thread(target=worker, args=(q, env, S["seed"] * 1000 + i, conns), daemon=True)
               for i in range(S["connections"])]
    for t in threads:
        t.start()
    start = time.monotonic() + 0.1
    end = start + S["seconds"]
    samples = []  # (seconds since start, rss, hwm, threads, fds, requests so far, errors so far)
    cpu_start = cpu_seconds()
    first = proc_sample()
    if first:
        samples.append((0.0,) + first + (0, 0))
    p = threading.Thread(target=pacer, args=(q, start, end, rng), daemon=True)
    p.start()
    next_sample = start + S["sample_seconds"]
    next_progress = start + 60
    while p.is_alive():
        p.join(timeout=max(0.0, min(next_sample, next_progress) - time.monotonic()))
        now = time.monotonic()
        if now >= next_sample:
            s = proc_sample()
            if s is None:
                log("the server process is gone")
                break
            with STATS.lock:
                done, errs = sum(STATS.count.values()), sum(STATS.errors.values())
            samples.append((now - start,) + s + (done, errs))
            next_sample += S["sample_seconds"]
        if now >= next_progress:
            last = samples[-1]
            log("  %4.0f s: %d requests, %d errors, RSS %.1f MiB, %d threads, %d fds, queue %d"
                % (now - start, last[5], last[6], last[1] / 1024, last[3], last[4], q.qsize()))
            next_progress += 60
    for _ in threads:
        q.put(None)
    drain_deadline = time.monotonic() + 30
    for t in threads:
        t.join(timeout=max(0.0, drain_deadline - time.monotonic()))
    not_done = sum(t.is_alive() for t in threads)
    final = proc_sample()
    cpu_end = cpu_seconds()
    elapsed = time.monotonic() - start
    S["cpu"] = None if cpu_start is None or cpu_end is None else (cpu_end - cpu_start, elapsed)
    if final:
        with STATS.lock:
            done, errs = sum(STATS.count.values()), sum(STATS.errors.values())
        samples.append((time.monotonic() - start,) + final + (done, errs))
    report(samples, env, not_done, sum(c.stale_retries for c in conns))
    with open(os.path.join(DIR, "rss.tsv"), "w") as f:
        f.write("seconds\trss_kib\thwm_kib\tthreads\tfds\trequests\terrors\n")
        for s in samples:
            f.write("%.1f\t%d\t%d\t%d\t%d\t%d\t%d\n" % s)
    sys.exit(1 if STATS.total_errors() or not_done or final is None else 0)


def report(samples, env, not_done, stale):
    print()
    print("Glasshouse soak (%s, %s)" % (S["commit"], time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())))
    print("server:      %s, SQLite, demo city + %d soak accounts; %d CPUs, %s%% idle just before"
          % (S["binary"], len(env["accounts"]), os.cpu_count() or 0, S["idle_before"]))
    print("load:        %.0f s, open loop at %g req/s (%s) over %d connections,"
          % (S["seconds"], S["rate"], S["mix"], S["connections"]))
    print("             + a sign-in every %g s (rotating over %d accounts; each replaced session signed out),"
          " a token every %g s" % (S["signin_seconds"], len(env["accounts"]), S["token_seconds"]))
    print()
    order = ["check", "home", "systems", "system", "my", "account", "sign-in", "sign-out", "token", "sign-up (setup)"]
    kinds = [k for k in order if STATS.count[k]] + sorted(k for k in STATS.count if k not in order)
    print("%-16s %9s %8s %9s %9s %9s   %s" % ("kind", "requests", "errors", "p50 ms", "p99 ms", "max ms", "statuses"))
    for k in kinds:
        lat = sorted(STATS.lat[k])
        errs = sum(n for (kk, _), n in STATS.errors.items() if kk == k)
        sts = ", ".join("%s: %d" % (s, n) for (kk, s), n in sorted(STATS.statuses.items()) if kk == k)
        print("%-16s %9d %8d %9s %9s %9s   %s" % (k, STATS.count[k], errs, fmt_ms(pct(lat, 50)), fmt_ms(pct(lat, 99)),
                                                 fmt_ms(lat[-1] if lat else 0), sts))
    total = sum(STATS.count.values())
    errors = sum(STATS.errors.values())
    print("%-16s %9d %8d" % ("all", total, errors))
    print("(latency from each request's intended send time; sign-outs from their own send)")
    if S.get("cpu"):
        used, elapsed = S["cpu"]
        print("server CPU: %.1f s in %.0f s (%.2f cores on average; %.1f ms per request)"
              % (used, elapsed, used / elapsed, 1000 * used / max(1, total)))
    if STATS.outcomes:
        n = sum(STATS.outcomes.values())
        print("check decisions: " + ", ".join("%s %.1f%%" % (o, 100.0 * c / n) for o, c in STATS.outcomes.most_common()))
    print()
    if errors:
        print("errors by kind and class:")
        for (k, cls), n in sorted(STATS.errors.items()):
            print("  %-10s %-20s %6d   first: %s" % (k, cls, n, STATS.samples[(k, cls)]))
    else:
        print("errors: none (transport, 5xx, 429 or unexpected status)")
    if STATS.late:
        print("requests sent more than 1 s after their intended time: %d (the driver or the server fell behind)" % STATS.late)
    if stale:
        print("requests resent on a fresh connection after the server closed an idle one: %d" % stale)
    if not_done:
        print("driver threads still busy 30 s after the end: %d" % not_done)
    print()
    if len(samples) < 2:
        print("memory: too few samples")
        return
    warm = next((s for s in samples if s[0] >= S["warmup"]), samples[-1])
    final = samples[-1]
    peak = max(samples, key=lambda s: s[1])
    growth = 100.0 * (final[1] / warm[1] - 1)
    mib = lambda kib: "%.1f MiB" % (kib / 1024)
    print("server RSS (VmRSS every %g s): start %s, after warm-up (%.0f s) %s, max %s (at %.0f s), final %s"
          % (S["sample_seconds"], mib(samples[0][1]), warm[0], mib(warm[1]), mib(peak[1]), peak[0], mib(final[1])))
    print("RSS growth after warm-up: %+.1f %%   (goal <= 10 %%; VmHWM %s)" % (growth, mib(final[2])))
    # The slope over the second half says whether it levels off.
    half = [s for s in samples if s[0] >= final[0] / 2]
    if len(half) >= 2 and final[0] > S["warmup"]:
        a, b = half[0], half[-1]
        if b[0] > a[0]:
            print("RSS over the second half: %s -> %s (%+.2f MiB per minute)"
                  % (mib(a[1]), mib(b[1]), (b[1] - a[1]) / 1024 / ((b[0] - a[0]) / 60)))
    print("server threads: %d -> %d; open file descriptors: %d -> %d (warm-up -> final)"
          % (warm[3], final[3], warm[4], final[4]))
    try:
        db = sqlite3.connect("file:%s/glasshouse.db?mode=ro" % DIR, uri=True)
        logged = db.execute("SELECT COUNT(*) FROM decision_log").fetchone()[0]
        db.close()
    except Exception as e:
        logged = "unknown (%s)" % e
    print("checks answered 200: %d; rows in decision_log: %s" % (STATS.statuses[("check", 200)], logged))
    print("RSS samples (s: MiB): " + " ".join("%.0f:%.1f" % (s[0], s[1] / 1024) for s in samples))


main()
DRIVER
