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

use clap::Parser;
use glasshouse_bench::http::{Conn, Response, fetch_token, find};
use glasshouse_bench::{Population, Target};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::fmt::Write as _;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, mpsc};

/// Drive one endpoint of a Glasshouse server and report throughput and latency.
#[derive(Debug, Clone, Parser)]
#[command(name = "loadgen", about)]
struct Args {
    /// The server's address (loopback); several, comma-separated, spread the connections over
    /// several app servers (connection i goes to address i mod n).
    #[arg(long, default_value = "127.0.0.1:3000", value_delimiter = ',')]
    addr: Vec<SocketAddr>,
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
    /// Checks per request: 0 sends single checks (`POST /api/v1/consent/check`); 1..=100
    /// sends that many per `POST /api/v1/consent/check-batch`.
    #[arg(long, default_value_t = 0)]
    batch: usize,
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
    if args.addr.is_empty() {
        return Err("--addr names no server".into());
    }
    for i in 0..args.connections.max(1) {
        conns.push(Conn::open(args.addr[i % args.addr.len()]).await?);
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
                    self.stats.all_decisions += self.requests.decisions_in(&response.body);
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
    /// Successes of the whole run, warm-up and drain included.
    all_ok: u64,
    /// Decisions in the successes of the whole run (each one a logged decision): one per
    /// single check, one per item of a batch.
    all_decisions: u64,
    /// Decisions in the successes counted in the window's throughput.
    decisions_in_window: u64,
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
            let mut decisions = 0;
            for outcome in outcomes_of(&response.body) {
                bump_str(&mut self.outcomes, &outcome);
                decisions += 1;
            }
            if in_window {
                self.decisions_in_window += decisions;
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
        self.all_decisions += other.all_decisions;
        self.decisions_in_window += other.decisions_in_window;
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

/// `decision/reason` of every decision in a check's (or a batch's) answer, in order.
fn outcomes_of(body: &[u8]) -> Vec<String> {
    let mut outcomes = Vec::new();
    let mut rest = body;
    while let Some(at) = find(rest, b"\"decision\"") {
        let item = &rest[at..];
        let decision = json_string_field(item, b"\"decision\"").unwrap_or("?");
        let reason = json_string_field(item, b"\"reason\"").unwrap_or("?");
        outcomes.push(format!("{decision}/{reason}"));
        rest = &rest[at + 10..];
    }
    outcomes
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
    let dps = total.decisions_in_window as f64 / args.duration;
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
    if args.batch > 0 {
        println!("  {dps:.0} decisions/s in batches of {}", args.batch);
    }
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
         answers={answered} errors={errors} not_sent={} all_ok={} dps={dps:.1} all_decisions={} \
         statuses={}",
        args.label,
        if args.rate.is_some() { "open" } else { "closed" },
        percentile(l, 50.0),
        percentile(l, 90.0),
        percentile(l, 99.0),
        percentile(l, 99.9),
        l.last().copied().unwrap_or(0),
        not_sent + total.late_dropped,
        total.all_ok,
        total.all_decisions,
        if statuses.is_empty() {
            "-".to_owned()
        } else {
            statuses.join(",").replace(": ", ":")
        },
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
        /// 0: single checks; n: n checks per check-batch request.
        batch: usize,
    },
}

const CHECK_PATH: &str = "/api/v1/consent/check";
const CHECK_BATCH_PATH: &str = "/api/v1/consent/check-batch";
/// The most checks one check-batch request may carry.
const MAX_BATCH: usize = 100;
/// The characters of a resident number after `GH-` (domain::account::ResidentNumber).
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";

impl RequestMaker {
    async fn new(args: &Args) -> Result<RequestMaker, Error> {
        let host = args.addr[0].to_string();
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
        if args.batch > MAX_BATCH {
            return Err(format!("--batch is at most {MAX_BATCH}").into());
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
        let path = if args.batch > 0 {
            CHECK_BATCH_PATH
        } else {
            CHECK_PATH
        };
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: "
        )
        .into_bytes();
        Ok(RequestMaker {
            kind: RequestKind::Check {
                head,
                residents: population.residents,
                classes,
                total_weight,
                batch: args.batch,
            },
        })
    }

    /// How many decisions a successful answer carries: one for a single check, one per result
    /// of a batch, none for a GET.
    fn decisions_in(&self, body: &[u8]) -> u64 {
        match &self.kind {
            RequestKind::Get { .. } => 0,
            RequestKind::Check { batch: 0, .. } => 1,
            RequestKind::Check { .. } => outcomes_of(body).len() as u64,
        }
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
            RequestKind::Check { batch: 0, .. } => CHECK_PATH,
            RequestKind::Check { .. } => CHECK_BATCH_PATH,
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
                batch,
            } => {
                let mut body = String::with_capacity(96 * (*batch).max(1) + 16);
                if *batch == 0 {
                    write_check(rng, residents, classes, *total_weight, None, &mut body);
                } else {
                    body.push_str(r#"{"checks":["#);
                    for i in 0..*batch {
                        if i > 0 {
                            body.push(',');
                        }
                        write_check(rng, residents, classes, *total_weight, Some(i), &mut body);
                    }
                    body.push_str("]}");
                }
                out.extend_from_slice(head);
                let _ = write!(Utf8Vec(out), "{}\r\n\r\n", body.len());
                out.extend_from_slice(body.as_bytes());
            }
        }
    }
}

/// One check's JSON object (with a `correlation_id` inside a batch), drawn from the mix.
fn write_check(
    rng: &mut SmallRng,
    residents: &[String],
    classes: &[(u32, Vec<Target>, bool)],
    total_weight: u32,
    correlation: Option<usize>,
    body: &mut String,
) {
    let mut w = rng.random_range(0..total_weight);
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
    if let Some(i) = correlation {
        let _ = write!(body, r#"{{"correlation_id":"c-{i}","#);
    } else {
        body.push('{');
    }
    let _ = write!(
        body,
        r#""subject":"{subject}","system":"{}","purpose":"{}"}}"#,
        target.system, target.purpose
    );
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
        (None, Some(id), Some(secret)) => Ok(fetch_token(args.addr[0], id, secret).await?),
        _ => Err("a bearer token is needed: --token, or --client-id and --client-secret".into()),
    }
}
