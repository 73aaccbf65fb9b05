//! `loadgen`: an HTTP/1.1 keep-alive load generator for loopback benchmarks.
//!
//! Closed loop (the default): `--connections` connections each send a request as soon as the
//! previous answer arrived, for `--duration` seconds after `--warmup` seconds; this measures
//! peak throughput. Open loop (`--rate`): a pacer thread schedules requests at a fixed rate and
//! free connections take them in order; latency is measured from each request's *intended*
//! send time, so a slow answer that delays the following requests counts against all of them
//! (no coordinated omission).
//!
//! Targets: `--target check` posts rotating consent checks (`POST /api/v1/consent/check`, a
//! bearer token, bodies drawn from the `populate` file); `--target /some/path` sends `GET`s.
//! A non-2xx answer or a failed connection is an error; a 200 whose decision is `deny` is a
//! successful check.
//!
//! The last line of output is machine-readable: `RESULT key=value ...`.

use base64::Engine;
use clap::Parser;
use glasshouse_bench::{Population, Target};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::fmt::Write as _;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::{Mutex, mpsc};

/// Drive one endpoint of a Glasshouse server and report throughput and latency.
#[derive(Debug, Clone, Parser)]
#[command(name = "loadgen", about)]
struct Args {
    /// The server's address (loopback).
    #[arg(long, default_value = "127.0.0.1:3000")]
    addr: SocketAddr,
    /// `check` for consent checks, or a path to GET (e.g. /api/v1/status).
    #[arg(long, default_value = "check")]
    target: String,
    /// The population file `populate` wrote (needed for `check`).
    #[arg(long, default_value = "population.json")]
    population: PathBuf,
    /// A bearer token for `check`; or give the client's credentials to fetch one.
    #[arg(long, env = "BENCH_TOKEN", hide_env_values = true)]
    token: Option<String>,
    #[arg(long, env = "BENCH_CLIENT_ID")]
    client_id: Option<String>,
    #[arg(long, env = "BENCH_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// Send the bearer token with GETs too (e.g. to measure `/api/v1/whoami`).
    #[arg(long)]
    bearer: bool,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Seconds measured.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Seconds of load before the measurement starts (not counted).
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// Open loop at this many requests per second (instead of the closed loop).
    #[arg(long)]
    rate: Option<f64>,
    /// Tokio worker threads of the generator (1: a single-threaded runtime).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Percent of checks on the client agency's consent-basis purposes.
    #[arg(long, default_value_t = 85)]
    own_consent: u32,
    /// Percent of checks on the client agency's purposes with another basis.
    #[arg(long, default_value_t = 10)]
    own_other: u32,
    /// Percent of checks on other agencies' purposes (answered `agency_not_entitled`).
    #[arg(long, default_value_t = 5)]
    foreign: u32,
    /// Percent of checks naming a resident number nobody has.
    #[arg(long, default_value_t = 0)]
    unknown_subject: u32,
    /// Seed of the request mix.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Print latency per interval of this many milliseconds (0: no timeline), to find stalls.
    #[arg(long, default_value_t = 0)]
    timeline: u32,
    /// A name for this run in the output.
    #[arg(long, default_value = "run")]
    label: String,
}

type Error = Box<dyn std::error::Error + Send + Sync>;

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let runtime = if args.threads <= 1 {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(args.threads)
            .enable_all()
            .build()
    };
    let outcome = match runtime {
        Ok(rt) => rt.block_on(run(args)),
        Err(e) => Err(e.into()),
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("loadgen: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Error> {
    let requests = Arc::new(RequestMaker::new(&args).await?);
    // Every connection is open before the clock starts.
    let mut conns = Vec::with_capacity(args.connections);
    for _ in 0..args.connections.max(1) {
        conns.push(Conn::open(args.addr).await?);
    }
    let start = Instant::now() + Duration::from_millis(20);
    let measure_from = start + Duration::from_secs_f64(args.warmup);
    let end = measure_from + Duration::from_secs_f64(args.duration);
    let window = Window { measure_from, end };

    let queue = args.rate.map(|rate| {
        let (tx, rx) = mpsc::unbounded_channel::<Instant>();
        let pacer = std::thread::spawn(move || pace(tx, start, end, rate));
        (Arc::new(Mutex::new(rx)), pacer)
    });
    let mut workers = Vec::with_capacity(conns.len());
    for (i, conn) in conns.into_iter().enumerate() {
        let requests = Arc::clone(&requests);
        let rng = SmallRng::seed_from_u64(args.seed.wrapping_mul(1_000_003).wrapping_add(i as u64));
        let queue = queue.as_ref().map(|(rx, _)| Arc::clone(rx));
        workers.push(tokio::spawn(async move {
            let worker = Worker {
                conn,
                requests,
                rng,
                window,
                stats: Stats::default(),
                buf: Vec::with_capacity(1024),
            };
            match queue {
                None => worker.closed_loop(start).await,
                Some(queue) => worker.open_loop(queue).await,
            }
        }));
    }
    let mut total = Stats::default();
    for w in workers {
        total.merge(w.await?);
    }
    let mut not_sent = 0u64;
    if let Some((rx, pacer)) = queue {
        let mut rx = rx.lock().await;
        while rx.try_recv().is_ok() {
            not_sent += 1;
        }
        drop(rx);
        if pacer.join().is_err() {
            return Err("the pacer thread panicked".into());
        }
    }
    report(&args, &requests, &mut total, not_sent);
    Ok(())
}

/// Sends the intended start time of every request of an open-loop run, on time.
fn pace(tx: mpsc::UnboundedSender<Instant>, start: Instant, end: Instant, rate: f64) {
    let interval = Duration::from_secs_f64(1.0 / rate.max(0.001));
    let mut intended = start;
    while intended < end {
        let now = Instant::now();
        if intended > now + Duration::from_micros(30) {
            std::thread::sleep(intended - now);
        }
        if tx.send(intended).is_err() {
            return;
        }
        intended += interval;
    }
}

#[derive(Debug, Clone, Copy)]
struct Window {
    measure_from: Instant,
    end: Instant,
}

/// How long an open-loop run may overrun its end while draining the queue.
const DRAIN_GRACE: Duration = Duration::from_secs(5);

struct Worker {
    conn: Conn,
    requests: Arc<RequestMaker>,
    rng: SmallRng,
    window: Window,
    stats: Stats,
    buf: Vec<u8>,
}

impl Worker {
    async fn closed_loop(mut self, start: Instant) -> Stats {
        tokio::time::sleep_until(start.into()).await;
        loop {
            let sent = Instant::now();
            if sent >= self.window.end {
                break;
            }
            self.one(sent).await;
        }
        self.stats
    }

    async fn open_loop(mut self, queue: Arc<Mutex<mpsc::UnboundedReceiver<Instant>>>) -> Stats {
        loop {
            let next = queue.lock().await.recv().await;
            let Some(intended) = next else { break };
            if Instant::now() > self.window.end + DRAIN_GRACE {
                // Give the slot back uncounted: the run reports it as not sent.
                self.stats.late_dropped += 1;
                continue;
            }
            self.one(intended).await;
        }
        self.stats
    }

    /// Sends one request and records it against `since` (the actual or intended send time).
    async fn one(&mut self, since: Instant) {
        self.buf.clear();
        self.requests.write(&mut self.rng, &mut self.buf);
        let outcome = self.conn.roundtrip(&self.buf).await;
        let done = Instant::now();
        let counted = since >= self.window.measure_from && done <= self.window.end + DRAIN_GRACE;
        match outcome {
            Ok(response) => {
                if (200..300).contains(&response.status) {
                    self.stats.all_ok += 1;
                }
                if counted {
                    let in_window = done <= self.window.end;
                    let at = since.saturating_duration_since(self.window.measure_from);
                    self.stats
                        .starts
                        .push(u32::try_from(at.as_millis()).unwrap_or(u32::MAX));
                    self.stats
                        .record(&response, done.saturating_duration_since(since), in_window);
                }
                if response.close
                    && let Err(e) = self.conn.reopen().await
                {
                    self.stats.io_error(counted, &e);
                }
            }
            Err(e) => {
                self.stats.io_error(counted, &e);
                if let Err(e) = self.conn.reopen().await {
                    self.stats.io_error(false, &e);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    }
}

/// What one generator or the whole run saw.
#[derive(Debug, Default)]
struct Stats {
    /// Microseconds, one per counted answer (successes and HTTP errors).
    latencies: Vec<u32>,
    /// Milliseconds from the start of the measurement to each counted request's (intended)
    /// send time, in the order of `latencies`.
    starts: Vec<u32>,
    ok: u64,
    /// Successes that completed before the end of the measured window (the throughput).
    ok_in_window: u64,
    /// Successes of the whole run, warm-up and drain included (each one a logged decision).
    all_ok: u64,
    http_errors: u64,
    io_errors: u64,
    late_dropped: u64,
    statuses: Vec<(u16, u64)>,
    outcomes: Vec<(String, u64)>,
    first_error: Option<String>,
}

impl Stats {
    fn record(&mut self, response: &Response, latency: Duration, in_window: bool) {
        self.latencies
            .push(u32::try_from(latency.as_micros()).unwrap_or(u32::MAX));
        bump(&mut self.statuses, response.status);
        if (200..300).contains(&response.status) {
            self.ok += 1;
            self.ok_in_window += u64::from(in_window);
            if let Some(outcome) = outcome_of(&response.body) {
                bump_str(&mut self.outcomes, &outcome);
            }
        } else {
            self.http_errors += 1;
            if self.first_error.is_none() {
                let body = String::from_utf8_lossy(&response.body);
                let body: String = body.chars().take(300).collect();
                self.first_error = Some(format!("HTTP {}: {body}", response.status));
            }
        }
    }

    fn io_error(&mut self, counted: bool, e: &io::Error) {
        if counted {
            self.io_errors += 1;
        }
        if self.first_error.is_none() {
            self.first_error = Some(format!("connection: {e}"));
        }
    }

    fn merge(&mut self, other: Stats) {
        self.latencies.extend_from_slice(&other.latencies);
        self.starts.extend_from_slice(&other.starts);
        self.ok += other.ok;
        self.ok_in_window += other.ok_in_window;
        self.all_ok += other.all_ok;
        self.http_errors += other.http_errors;
        self.io_errors += other.io_errors;
        self.late_dropped += other.late_dropped;
        for (s, n) in other.statuses {
            match self.statuses.iter_mut().find(|(k, _)| *k == s) {
                Some((_, m)) => *m += n,
                None => self.statuses.push((s, n)),
            }
        }
        for (s, n) in other.outcomes {
            match self.outcomes.iter_mut().find(|(k, _)| *k == s) {
                Some((_, m)) => *m += n,
                None => self.outcomes.push((s, n)),
            }
        }
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

fn bump(counts: &mut Vec<(u16, u64)>, key: u16) {
    match counts.iter_mut().find(|(k, _)| *k == key) {
        Some((_, n)) => *n += 1,
        None => counts.push((key, 1)),
    }
}

fn bump_str(counts: &mut Vec<(String, u64)>, key: &str) {
    match counts.iter_mut().find(|(k, _)| k == key) {
        Some((_, n)) => *n += 1,
        None => counts.push((key.to_owned(), 1)),
    }
}

/// `decision/reason` of a check's answer, if the body is one.
fn outcome_of(body: &[u8]) -> Option<String> {
    let decision = json_string_field(body, b"\"decision\"")?;
    let reason = json_string_field(body, b"\"reason\"").unwrap_or("?");
    Some(format!("{decision}/{reason}"))
}

/// The value of a top-level string field in compact or spaced JSON, without a full parse.
fn json_string_field<'a>(body: &'a [u8], key: &[u8]) -> Option<&'a str> {
    let at = find(body, key)? + key.len();
    let rest = &body[at..];
    let colon = rest.iter().position(|b| *b == b':')?;
    let rest = &rest[colon + 1..];
    let open = rest.iter().position(|b| *b == b'"')?;
    let rest = &rest[open + 1..];
    let close = rest.iter().position(|b| *b == b'"')?;
    std::str::from_utf8(&rest[..close]).ok()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Answers, p50, p99 and max per `bucket_ms` of (intended) send time.
fn print_timeline(bucket_ms: u32, starts: &[u32], latencies: &[u32]) {
    let mut buckets: Vec<Vec<u32>> = Vec::new();
    for (start, latency) in starts.iter().zip(latencies) {
        let i = (*start / bucket_ms) as usize;
        if buckets.len() <= i {
            buckets.resize(i + 1, Vec::new());
        }
        buckets[i].push(*latency);
    }
    println!("  timeline (by send time): from   answers        p50        p99        max");
    for (i, mut b) in buckets.into_iter().enumerate() {
        b.sort_unstable();
        println!(
            "  {:>28.1} s {:>9} {:>10} {:>10} {:>10}",
            f64::from(bucket_ms) * i as f64 / 1000.0,
            b.len(),
            ms(percentile(&b, 50.0)),
            ms(percentile(&b, 99.0)),
            ms(b.last().copied().unwrap_or(0))
        );
    }
}

fn ms(us: u32) -> String {
    format!("{:.3} ms", f64::from(us) / 1000.0)
}

fn report(args: &Args, requests: &RequestMaker, total: &mut Stats, not_sent: u64) {
    if args.timeline > 0 {
        print_timeline(args.timeline, &total.starts, &total.latencies);
    }
    total.latencies.sort_unstable();
    let l = &total.latencies;
    let answered = total.ok + total.http_errors;
    let errors = total.http_errors + total.io_errors;
    let rps = total.ok_in_window as f64 / args.duration;
    let mode = match args.rate {
        Some(rate) => format!("open loop at {rate:.0} req/s"),
        None => "closed loop".to_owned(),
    };
    println!(
        "[{}] {} {}: {mode}, {} connections, {:.0} s measured after {:.0} s warm-up",
        args.label,
        requests.method(),
        requests.path(),
        args.connections,
        args.duration,
        args.warmup
    );
    println!(
        "  {rps:.0} successful req/s; latency p50 {}  p90 {}  p99 {}  p99.9 {}  max {}",
        ms(percentile(l, 50.0)),
        ms(percentile(l, 90.0)),
        ms(percentile(l, 99.0)),
        ms(percentile(l, 99.9)),
        ms(l.last().copied().unwrap_or(0)),
    );
    total.statuses.sort_unstable();
    let statuses: Vec<String> = total.statuses.iter().map(|(s, n)| format!("{s}: {n}")).collect();
    println!(
        "  {answered} answers ({}), {} HTTP errors, {} connection errors{}",
        statuses.join(", "),
        total.http_errors,
        total.io_errors,
        if not_sent + total.late_dropped > 0 {
            format!(
                ", {} scheduled requests never sent",
                not_sent + total.late_dropped
            )
        } else {
            String::new()
        }
    );
    if !total.outcomes.is_empty() {
        total.outcomes.sort_by_key(|o| std::cmp::Reverse(o.1));
        let mut line = String::from("  decisions:");
        for (outcome, n) in &total.outcomes {
            let _ = write!(
                line,
                " {outcome} {:.1}%",
                100.0 * *n as f64 / total.ok.max(1) as f64
            );
        }
        println!("{line}");
    }
    if let Some(e) = &total.first_error {
        println!("  first error: {e}");
    }
    println!(
        "RESULT label={} mode={} rps={rps:.1} p50_us={} p90_us={} p99_us={} p999_us={} max_us={} \
         answers={answered} errors={errors} not_sent={} all_ok={}",
        args.label,
        if args.rate.is_some() { "open" } else { "closed" },
        percentile(l, 50.0),
        percentile(l, 90.0),
        percentile(l, 99.0),
        percentile(l, 99.9),
        l.last().copied().unwrap_or(0),
        not_sent + total.late_dropped,
        total.all_ok,
    );
}

/// Writes the bytes of each request: a fixed GET, or a consent check with a random body.
struct RequestMaker {
    kind: RequestKind,
}

enum RequestKind {
    Get {
        path: String,
        bytes: Vec<u8>,
    },
    Check {
        /// Everything up to `Content-Length: `.
        head: Vec<u8>,
        residents: Vec<String>,
        /// (weight, targets) per class of check.
        classes: Vec<(u32, Vec<Target>, bool)>,
        total_weight: u32,
    },
}

const CHECK_PATH: &str = "/api/v1/consent/check";
/// The characters of a resident number after `GH-` (domain::account::ResidentNumber).
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";

impl RequestMaker {
    async fn new(args: &Args) -> Result<RequestMaker, Error> {
        let host = args.addr.to_string();
        if args.target != "check" {
            if !args.target.starts_with('/') {
                return Err(format!("--target is `check` or a path, not {:?}", args.target).into());
            }
            let auth = if args.bearer {
                format!("Authorization: Bearer {}\r\n", token(args).await?)
            } else {
                String::new()
            };
            let bytes = format!(
                "GET {} HTTP/1.1\r\nHost: {host}\r\n{auth}Accept: application/json\r\n\r\n",
                args.target
            )
            .into_bytes();
            return Ok(RequestMaker {
                kind: RequestKind::Get {
                    path: args.target.clone(),
                    bytes,
                },
            });
        }
        let token = token(args).await?;
        let text = std::fs::read(&args.population)
            .map_err(|e| format!("cannot read {}: {e}", args.population.display()))?;
        let population: Population = serde_json::from_slice(&text)?;
        if population.residents.is_empty() {
            return Err("the population has no residents".into());
        }
        let own = |t: &Target| t.agency == population.agency;
        let pick = |f: &dyn Fn(&Target) -> bool| -> Vec<Target> {
            population.targets.iter().filter(|t| f(t)).cloned().collect()
        };
        let own_consent = pick(&|t| own(t) && t.legal_basis == "consent");
        let own_other = pick(&|t| own(t) && t.legal_basis != "consent");
        let foreign = pick(&|t| !own(t));
        let classes: Vec<(u32, Vec<Target>, bool)> = [
            (args.own_consent, own_consent.clone(), false),
            (args.own_other, own_other, false),
            (args.foreign, foreign, false),
            (args.unknown_subject, own_consent, true),
        ]
        .into_iter()
        .filter(|(w, targets, _)| *w > 0 && !targets.is_empty())
        .collect();
        let total_weight = classes.iter().map(|(w, _, _)| *w).sum();
        if total_weight == 0 {
            return Err("the request mix is empty".into());
        }
        let head = format!(
            "POST {CHECK_PATH} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: "
        )
        .into_bytes();
        Ok(RequestMaker {
            kind: RequestKind::Check {
                head,
                residents: population.residents,
                classes,
                total_weight,
            },
        })
    }

    fn method(&self) -> &'static str {
        match self.kind {
            RequestKind::Get { .. } => "GET",
            RequestKind::Check { .. } => "POST",
        }
    }

    fn path(&self) -> &str {
        match &self.kind {
            RequestKind::Get { path, .. } => path,
            RequestKind::Check { .. } => CHECK_PATH,
        }
    }

    fn write(&self, rng: &mut SmallRng, out: &mut Vec<u8>) {
        match &self.kind {
            RequestKind::Get { bytes, .. } => out.extend_from_slice(bytes),
            RequestKind::Check {
                head,
                residents,
                classes,
                total_weight,
            } => {
                let mut w = rng.random_range(0..*total_weight);
                let mut class = &classes[0];
                for c in classes {
                    if w < c.0 {
                        class = c;
                        break;
                    }
                    w -= c.0;
                }
                let target = &class.1[rng.random_range(0..class.1.len())];
                let unknown;
                let subject = if class.2 {
                    // A well-formed number drawn at random: one of 30^8, so it names nobody
                    // (a population of 100 000 makes a hit a one-in-6-million chance).
                    let mut n = *b"GH-0000-0000";
                    for i in [3, 4, 5, 6, 8, 9, 10, 11] {
                        n[i] = ALPHABET[rng.random_range(0..ALPHABET.len())];
                    }
                    unknown = String::from_utf8_lossy(&n).into_owned();
                    unknown.as_str()
                } else {
                    residents[rng.random_range(0..residents.len())].as_str()
                };
                let body = format!(
                    r#"{{"subject":"{subject}","system":"{}","purpose":"{}"}}"#,
                    target.system, target.purpose
                );
                out.extend_from_slice(head);
                let _ = write!(Utf8Vec(out), "{}\r\n\r\n", body.len());
                out.extend_from_slice(body.as_bytes());
            }
        }
    }
}

/// `fmt::Write` into a byte buffer.
struct Utf8Vec<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Utf8Vec<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// The bearer token given, or one fetched with the client's credentials.
async fn token(args: &Args) -> Result<String, Error> {
    match (&args.token, &args.client_id, &args.client_secret) {
        (Some(t), _, _) => Ok(t.clone()),
        (None, Some(id), Some(secret)) => fetch_token(args.addr, id, secret).await,
        _ => Err("a bearer token is needed: --token, or --client-id and --client-secret".into()),
    }
}

/// `POST /api/v1/oauth/token` with the client-credentials grant; returns the access token.
async fn fetch_token(addr: SocketAddr, client_id: &str, secret: &str) -> Result<String, Error> {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
    let body = "grant_type=client_credentials";
    let request = format!(
        "POST /api/v1/oauth/token HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Basic {basic}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut conn = Conn::open(addr).await?;
    let response = conn.roundtrip(request.as_bytes()).await?;
    if response.status != 200 {
        return Err(format!(
            "the token request failed: HTTP {}: {}",
            response.status,
            String::from_utf8_lossy(&response.body)
        )
        .into());
    }
    let value: serde_json::Value = serde_json::from_slice(&response.body)?;
    value
        .get("access_token")
        .and_then(|t| t.as_str())
        .map(str::to_owned)
        .ok_or_else(|| "the token answer has no access_token".into())
}

/// One keep-alive HTTP/1.1 connection, one request at a time.
struct Conn {
    addr: SocketAddr,
    stream: TcpStream,
    buf: Vec<u8>,
}

/// An answer: its status, its (de-chunked) body, and whether the server closes the connection.
struct Response {
    status: u16,
    body: Vec<u8>,
    close: bool,
}

impl Conn {
    async fn open(addr: SocketAddr) -> io::Result<Conn> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            addr,
            stream,
            buf: Vec::with_capacity(4096),
        })
    }

    async fn reopen(&mut self) -> io::Result<()> {
        *self = Conn::open(self.addr).await?;
        Ok(())
    }

    async fn roundtrip(&mut self, request: &[u8]) -> io::Result<Response> {
        let mut rest = request;
        while !rest.is_empty() {
            match self.stream.try_write(rest) {
                Ok(n) => rest = &rest[n..],
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.stream.writable().await?,
                Err(e) => return Err(e),
            }
        }
        self.buf.clear();
        let mut chunk = [0u8; 8192];
        loop {
            self.stream.readable().await?;
            match self.stream.try_read(&mut chunk) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the server closed the connection",
                    ));
                }
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Err(e),
            }
            match parse_response(&self.buf) {
                Ok(Some(response)) => return Ok(response),
                Ok(None) => {}
                Err(message) => return Err(io::Error::new(io::ErrorKind::InvalidData, message)),
            }
        }
    }
}

/// Parses a complete response from `buf`, or `None` when more bytes are needed.
fn parse_response(buf: &[u8]) -> Result<Option<Response>, String> {
    let Some(head_end) = find(buf, b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| "a non-UTF-8 response head")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let mut content_length = None;
    let mut chunked = false;
    let mut close = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            content_length = Some(value.parse::<usize>().map_err(|_| "bad content-length")?);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().contains("chunked");
        } else if name.eq_ignore_ascii_case("connection") {
            close = value.eq_ignore_ascii_case("close");
        }
    }
    let body_start = head_end + 4;
    let body = &buf[body_start..];
    if chunked {
        return Ok(dechunk(body).map(|body| Response { status, body, close }));
    }
    let length = content_length.unwrap_or(0);
    if body.len() < length {
        return Ok(None);
    }
    Ok(Some(Response {
        status,
        body: body[..length].to_vec(),
        close,
    }))
}

/// The body of a complete chunked encoding, or `None` while it is incomplete.
fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = find(data, b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            // Trailers (none expected) end with an empty line.
            return find(data, b"\r\n").map(|_| body);
        }
        if data.len() < size + 2 {
            return None;
        }
        body.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}
