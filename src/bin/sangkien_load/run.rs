//! `run`: sign the accounts in, play a mix, write the reports.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use search_index::synth::{GALLERY_QUERIES, Generator, InitiativeText, Rng};
use serde_json::{Value, json};

use crate::accounts::AccountFile;
use crate::procfs;
use crate::report::{
    CpuReport, IndexLagReport, InstanceReport, Latency, OpReport, Recorder, Report, ServerReport,
    WeightReport,
};

/// `run` options.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The running server, e.g. http://127.0.0.1:8088; several instances of one deployment
    /// separated by commas (requests go to each in turn, as behind a load balancer).
    #[arg(long, required = true, num_args = 1.., value_delimiter = ',')]
    pub base_url: Vec<String>,
    /// The accounts file `seed` wrote (DIR/load-accounts.json).
    #[arg(long)]
    pub accounts: PathBuf,
    /// What to play.
    #[arg(long, value_enum, default_value_t = Mix::Deadline)]
    pub mix: Mix,
    /// Concurrent clients, each starting its next activity as soon as the last ended (closed
    /// loop).
    #[arg(long, default_value_t = 32)]
    pub clients: usize,
    /// How long to play.
    #[arg(long, default_value_t = 60.0)]
    pub seconds: f64,
    /// Open loop: start this many activities a second on a schedule, whatever the answers'
    /// pace, instead of from `--clients` clients without pause.
    #[arg(long)]
    pub rate: Option<f64>,
    /// Where to write the JSON report.
    #[arg(long)]
    pub report_json: PathBuf,
    /// Where to write the Markdown report.
    #[arg(long)]
    pub report_md: PathBuf,
    /// The server's process, for its memory (RSS, anonymous and file-backed) and CPU; one per
    /// instance, separated by commas.
    #[arg(long, num_args = 1.., value_delimiter = ',')]
    pub server_pid: Vec<u32>,
    /// Seed of the texts (default: from the clock, so that no run repeats a member's earlier
    /// text, which the server would refuse as their own duplicate).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Members signed in (spread over the file's list).
    #[arg(long, default_value_t = 256)]
    pub members: usize,
    /// Reviewers signed in.
    #[arg(long, default_value_t = 64)]
    pub reviewers: usize,
    /// Officers signed in.
    #[arg(long, default_value_t = 16)]
    pub officers: usize,
    /// Sample one successful submission every this many milliseconds and measure how long
    /// until the duplicate check finds it (0: do not measure).
    #[arg(long, default_value_t = 200)]
    pub index_sample_ms: u64,
    /// How often a sampled submission is checked for.
    #[arg(long, default_value_t = 100)]
    pub probe_interval_ms: u64,
    /// Worker threads of the load generator.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Open loop: activities in flight at most (more are counted as dropped).
    #[arg(long, default_value_t = 4096)]
    pub max_in_flight: usize,
}

/// A mix of activities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mix {
    /// A deadline day: mostly members drafting and submitting, with the public, reviewers and
    /// officers.
    Deadline,
    /// Members creating complete drafts and submitting them, as fast as possible.
    Submit,
    /// Members drafting (create, two saves, two similar checks, submit).
    Drafting,
    /// Reviewers: queue, scores, approval.
    Review,
    /// Officers: dashboard as JSON and as the page.
    Dashboard,
    /// The public: gallery search through the API and the page.
    Gallery,
}

impl Mix {
    fn name(self) -> &'static str {
        match self {
            Self::Deadline => "deadline",
            Self::Submit => "submit",
            Self::Drafting => "drafting",
            Self::Review => "review",
            Self::Dashboard => "dashboard",
            Self::Gallery => "gallery",
        }
    }

    /// Activities and their weights (percent of the activities started).
    fn weights(self) -> Vec<(Activity, u32)> {
        match self {
            // Most of the traffic of a deadline day is members finishing and filing; the
            // gallery is read by the public, reviewers keep working, officers watch the
            // figures climb.
            Self::Deadline => vec![
                (Activity::Drafting, 78),
                (Activity::Public, 12),
                (Activity::Reviewing, 6),
                (Activity::Officer, 4),
            ],
            Self::Submit => vec![(Activity::Submitting, 100)],
            Self::Drafting => vec![(Activity::Drafting, 100)],
            Self::Review => vec![(Activity::Reviewing, 100)],
            Self::Dashboard => vec![(Activity::Officer, 100)],
            Self::Gallery => vec![(Activity::Public, 100)],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Activity {
    Drafting,
    Submitting,
    Reviewing,
    Officer,
    Public,
}

impl Activity {
    fn name(self) -> &'static str {
        match self {
            Self::Drafting => "member drafting",
            Self::Submitting => "member submitting",
            Self::Reviewing => "reviewer",
            Self::Officer => "officer",
            Self::Public => "public",
        }
    }

    fn steps(self) -> &'static str {
        match self {
            Self::Drafting => {
                "create a draft (title, situation), save (solution, scope), check similar, save (benefits, date), check similar, submit (85%)"
            }
            Self::Submitting => "create a complete draft, submit",
            Self::Reviewing => {
                "own queue (50, not yet scored); scores and approval of one of them (when any)"
            }
            Self::Officer => "own union's dashboard as JSON, then as the page",
            Self::Public => "gallery search through the API, then the gallery page",
        }
    }
}

/// Rubric of the default stage (as `sangkien-bench --review` scores it).
fn scores() -> Value {
    json!({"scores": {"tinh-moi": 20, "kha-nang-ap-dung": 20, "hieu-qua": 30}})
}

const MAX_RETRIES: u32 = 3;
const PROBE_LIMIT: Duration = Duration::from_secs(10);

/// What every client shares.
struct Ctx {
    client: reqwest::Client,
    /// The instances, taken in turn.
    bases: Vec<String>,
    next_base: AtomicUsize,
    /// Requests sent to each instance (retries included).
    sent: Vec<AtomicU64>,
    program_id: i64,
    fields: Vec<i64>,
    members: Vec<String>,
    reviewers: Vec<String>,
    officers: Vec<(String, i64)>,
    deadline: Instant,
    want_sample: AtomicBool,
    probe_interval: Duration,
    lag: Mutex<LagState>,
    probes: Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

#[derive(Default)]
struct LagState {
    samples: u64,
    lags_ms: Vec<f64>,
    not_found: Vec<i64>,
    probe: Recorder,
}

/// One request to make.
struct Req {
    method: Method,
    path: String,
    body: Option<Value>,
    bearer: Option<String>,
    cookie: Option<String>,
    /// Send an `Idempotency-Key` and retry on a network error or a 5xx with the same key.
    idempotent: bool,
    json: bool,
}

impl Req {
    fn new(method: Method, path: String, token: &str) -> Self {
        Self {
            method,
            path,
            body: None,
            bearer: Some(token.to_owned()),
            cookie: None,
            idempotent: false,
            json: true,
        }
    }

    fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }
}

impl Ctx {
    /// Makes a request, timing it into `op`; the JSON body of a 2xx answer (`Null` for a page).
    async fn call(&self, rec: &mut Recorder, op: &'static str, req: Req) -> Option<Value> {
        let key = req.idempotent.then(|| uuid::Uuid::new_v4().to_string());
        let at = self.next_base.fetch_add(1, Ordering::Relaxed) % self.bases.len();
        let url = format!("{}{}", self.bases[at], req.path);
        let t0 = Instant::now();
        let mut attempt = 0;
        loop {
            let mut rb = self.client.request(req.method.clone(), &url);
            if let Some(t) = &req.bearer {
                rb = rb.bearer_auth(t);
            }
            if let Some(c) = &req.cookie {
                rb = rb.header(reqwest::header::COOKIE, c);
            }
            if let Some(k) = &key {
                rb = rb.header("Idempotency-Key", k);
            }
            if let Some(b) = &req.body {
                rb = rb.json(b);
            }
            self.sent[at].fetch_add(1, Ordering::Relaxed);
            let outcome = match rb.send().await {
                Ok(res) => {
                    let status = res.status();
                    res.bytes().await.map(|b| (status, b))
                }
                Err(e) => Err(e),
            };
            let retry = match &outcome {
                Err(_) => true,
                Ok((s, _)) => s.is_server_error(),
            };
            if retry && key.is_some() && attempt < MAX_RETRIES {
                attempt += 1;
                rec.op(op).retries += 1;
                tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
                continue;
            }
            let ms = t0.elapsed().as_secs_f64() * 1000.0;
            let r = rec.op(op);
            return match outcome {
                Ok((s, b)) if s.is_success() => {
                    r.ok_ms.push(ms);
                    Some(if req.json {
                        serde_json::from_slice(&b).unwrap_or(Value::Null)
                    } else {
                        Value::Null
                    })
                }
                Ok((s, _)) => {
                    *r.errors.entry(s.as_u16().to_string()).or_default() += 1;
                    None
                }
                Err(_) => {
                    *r.errors.entry("network".to_owned()).or_default() += 1;
                    None
                }
            };
        }
    }

    fn past(&self) -> bool {
        Instant::now() >= self.deadline
    }
}

/// One client's state: its random choices, its texts and its records.
struct Client {
    ctx: Arc<Ctx>,
    rng: Rng,
    texts: Generator,
    rec: Recorder,
}

fn sections(t: &InitiativeText) -> [String; 4] {
    std::array::from_fn(|k| t.sections.get(k).cloned().unwrap_or_default())
}

impl Client {
    fn new(ctx: Arc<Ctx>, seed: u64) -> Self {
        Self {
            ctx,
            rng: Rng::new(seed),
            texts: Generator::new(seed),
            rec: Recorder::default(),
        }
    }

    async fn play(&mut self, activity: Activity) {
        match activity {
            Activity::Drafting => self.drafting(false).await,
            Activity::Submitting => self.drafting(true).await,
            Activity::Reviewing => self.reviewing().await,
            Activity::Officer => self.officer().await,
            Activity::Public => self.public().await,
        }
    }

    /// A member's draft: built over several saves with similar checks, then submitted; or,
    /// with `straight`, created complete and submitted at once.
    async fn drafting(&mut self, straight: bool) {
        let ctx = self.ctx.clone();
        let token = self.rng.pick(&ctx.members).clone();
        let text = self.texts.next_initiative();
        let [situation, solution, scope, benefits] = sections(&text);
        let field = *self.rng.pick(&ctx.fields);
        let applied = (chrono::Utc::now()
            - chrono::Duration::days(30 + self.rng.below(300) as i64))
        .date_naive();
        let benefit = (self.rng.below(200) as i64 + 1) * 1_000_000;
        let full = json!({
            "program_id": ctx.program_id,
            "field_id": field,
            "title": text.title,
            "current_situation": situation,
            "solution": solution,
            "scope": scope,
            "benefits": benefits,
            "first_applied_on": applied,
            "estimated_benefit_vnd": benefit,
        });
        let first = if straight {
            full.clone()
        } else {
            json!({
                "program_id": ctx.program_id,
                "field_id": field,
                "title": text.title,
                "current_situation": situation,
            })
        };
        let req = Req::new(Method::POST, "/api/v1/initiatives".into(), &token)
            .body(first)
            .idempotent();
        let Some(draft) = ctx.call(&mut self.rec, "member.create", req).await else {
            return;
        };
        let (Some(id), Some(mut version)) = (draft["id"].as_i64(), draft["version"].as_i64())
        else {
            return;
        };
        let similar = json!({
            "title": text.title,
            "current_situation": situation,
            "solution": solution,
            "scope": scope,
            "benefits": benefits,
        });
        if !straight {
            let saves = [
                json!({"solution": solution, "scope": scope}),
                json!({"benefits": benefits, "first_applied_on": applied, "estimated_benefit_vnd": benefit}),
            ];
            for (k, mut change) in saves.into_iter().enumerate() {
                if ctx.past() {
                    return;
                }
                change["version"] = json!(version);
                let req = Req::new(Method::PATCH, format!("/api/v1/initiatives/{id}"), &token)
                    .body(change);
                let Some(saved) = ctx.call(&mut self.rec, "member.edit", req).await else {
                    return;
                };
                version = saved["version"].as_i64().unwrap_or(version);
                if ctx.past() {
                    return;
                }
                // The panel checks what has been typed so far.
                let mut typed = similar.clone();
                if k == 0 {
                    typed["benefits"] = json!("");
                }
                let req = Req::new(Method::POST, "/api/v1/initiatives/similar".into(), &token)
                    .body(typed);
                ctx.call(&mut self.rec, "member.similar", req).await;
            }
            // Some members leave their draft for later.
            if self.rng.chance(0.15) || ctx.past() {
                return;
            }
        }
        let req = Req::new(
            Method::POST,
            format!("/api/v1/initiatives/{id}/submit"),
            &token,
        )
        .body(json!({"version": version}))
        .idempotent();
        if ctx
            .call(&mut self.rec, "member.submit", req)
            .await
            .is_some()
            && ctx.want_sample.swap(false, Ordering::AcqRel)
        {
            let done = Instant::now();
            let probe = tokio::spawn(probe(ctx.clone(), id, token, similar, done));
            if let Ok(mut p) = ctx.probes.lock() {
                p.push(probe);
            }
        }
    }

    async fn reviewing(&mut self) {
        let ctx = self.ctx.clone();
        if ctx.reviewers.is_empty() {
            return;
        }
        let token = self.rng.pick(&ctx.reviewers).clone();
        let req = Req::new(
            Method::GET,
            "/api/v1/reviews/queue?per_page=50&not_scored=true".into(),
            &token,
        );
        let Some(queue) = ctx.call(&mut self.rec, "reviewer.queue", req).await else {
            return;
        };
        let items: Vec<i64> = queue["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|i| i["initiative_id"].as_i64())
                    .collect()
            })
            .unwrap_or_default();
        if items.is_empty() || ctx.past() {
            return;
        }
        let id = *self.rng.pick(&items);
        let req = Req::new(
            Method::PUT,
            format!("/api/v1/initiatives/{id}/review/scores"),
            &token,
        )
        .body(scores());
        if ctx
            .call(&mut self.rec, "reviewer.scores", req)
            .await
            .is_none()
            || ctx.past()
        {
            return;
        }
        let req = Req::new(
            Method::POST,
            format!("/api/v1/initiatives/{id}/review/decision"),
            &token,
        )
        .body(json!({"decision": "approve"}));
        ctx.call(&mut self.rec, "reviewer.decision", req).await;
    }

    async fn officer(&mut self) {
        let ctx = self.ctx.clone();
        if ctx.officers.is_empty() {
            return;
        }
        let (token, union) = self.rng.pick(&ctx.officers).clone();
        let program = ctx.program_id;
        let req = Req::new(
            Method::GET,
            format!("/api/v1/unions/{union}/dashboard?program_id={program}"),
            &token,
        );
        if ctx
            .call(&mut self.rec, "officer.dashboard", req)
            .await
            .is_none()
            || ctx.past()
        {
            return;
        }
        let mut req = Req::new(
            Method::GET,
            format!("/don-vi/{union}/thanh-tich?program_id={program}"),
            &token,
        );
        // The page reads the session cookie, which carries the same token.
        req.bearer = None;
        req.cookie = Some(format!("sk_session={token}"));
        req.json = false;
        ctx.call(&mut self.rec, "officer.dashboard_page", req).await;
    }

    async fn public(&mut self) {
        let ctx = self.ctx.clone();
        let words: &&str = self.rng.pick(GALLERY_QUERIES);
        let q = utf8_percent_encode(words, NON_ALPHANUMERIC).to_string();
        let mut req = Req::new(Method::GET, format!("/api/v1/search?q={q}"), "");
        req.bearer = None;
        if ctx
            .call(&mut self.rec, "public.search", req)
            .await
            .is_none()
            || ctx.past()
        {
            return;
        }
        let mut req = Req::new(Method::GET, format!("/thu-vien?q={q}"), "");
        req.bearer = None;
        req.json = false;
        ctx.call(&mut self.rec, "public.gallery_page", req).await;
    }
}

/// Checks for a submission with its exact text until the duplicate check lists it.
async fn probe(ctx: Arc<Ctx>, id: i64, token: String, text: Value, done: Instant) {
    let mut rec = Recorder::default();
    let mut found = None;
    loop {
        let req =
            Req::new(Method::POST, "/api/v1/initiatives/similar".into(), &token).body(text.clone());
        if let Some(v) = ctx.call(&mut rec, "probe.similar", req).await
            && v["matches"]
                .as_array()
                .is_some_and(|m| m.iter().any(|m| m["initiative_id"].as_i64() == Some(id)))
        {
            found = Some(done.elapsed().as_secs_f64() * 1000.0);
            break;
        }
        if done.elapsed() >= PROBE_LIMIT {
            break;
        }
        tokio::time::sleep(ctx.probe_interval).await;
    }
    if let Ok(mut lag) = ctx.lag.lock() {
        lag.samples += 1;
        match found {
            Some(ms) => lag.lags_ms.push(ms),
            None => lag.not_found.push(id),
        }
        lag.probe.merge(rec);
    }
}

/// Signs in the accounts at `picks` of `logins` (4 at a time); their tokens, with `extra`.
async fn sign_in<T: Clone + Send + Sync + 'static>(
    client: &reqwest::Client,
    base: &str,
    password: &str,
    logins: Vec<(String, T)>,
    latencies: &mut Vec<f64>,
) -> anyhow::Result<Vec<(String, T)>> {
    let logins = Arc::new(logins);
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (client, base, password, logins, next) = (
            client.clone(),
            base.to_owned(),
            password.to_owned(),
            logins.clone(),
            next.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            let mut lat = Vec::new();
            let mut failures = Vec::new();
            while let Some((login, extra)) = logins.get(next.fetch_add(1, Ordering::Relaxed)) {
                let t0 = Instant::now();
                let res = client
                    .post(format!("{base}/api/v1/auth/login"))
                    .json(&json!({"login": login, "password": password}))
                    .send()
                    .await;
                let token = match res {
                    Ok(r) if r.status().is_success() => r
                        .json::<Value>()
                        .await
                        .ok()
                        .and_then(|v| v["access_token"].as_str().map(str::to_owned)),
                    Ok(r) => {
                        failures.push(format!("{login}: {}", r.status()));
                        None
                    }
                    Err(e) => {
                        failures.push(format!("{login}: {e}"));
                        None
                    }
                };
                if let Some(t) = token {
                    lat.push(t0.elapsed().as_secs_f64() * 1000.0);
                    out.push((t, extra.clone()));
                }
            }
            (out, lat, failures)
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        let (o, l, f) = t.await?;
        out.extend(o);
        latencies.extend(l);
        for failure in f.iter().take(3) {
            eprintln!("sign-in failed: {failure}");
        }
    }
    Ok(out)
}

/// `n` items spread over `all`.
fn spread<T: Clone>(all: &[T], n: usize) -> Vec<T> {
    let n = n.min(all.len());
    (0..n).map(|k| all[k * all.len() / n].clone()).collect()
}

/// Peak memory of the server while the load runs.
#[derive(Default)]
struct Peaks {
    anon_kib: AtomicU64,
    file_kib: AtomicU64,
}

/// Signs in, plays the mix and writes the reports.
pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    let accounts = AccountFile::read(&args.accounts)?;
    let bases: Vec<String> = args
        .base_url
        .iter()
        .map(|b| b.trim_end_matches('/').to_owned())
        .collect();
    anyhow::ensure!(!bases.is_empty(), "--base-url is required");
    let base = bases[0].clone();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(args.clients.max(64) * 2)
        .build()?;
    let weights = args.mix.weights();
    let uses = |a: Activity| weights.iter().any(|(w, _)| *w == a);

    // Sign in first (a password hash each: not part of the mix).
    let mut sign_in_ms = Vec::new();
    let signing = Instant::now();
    let members: Vec<String> = sign_in(
        &client,
        &base,
        &accounts.password,
        spread(&accounts.members, args.members)
            .into_iter()
            .map(|l| (l, ()))
            .collect(),
        &mut sign_in_ms,
    )
    .await?
    .into_iter()
    .map(|(t, ())| t)
    .collect();
    anyhow::ensure!(!members.is_empty(), "no member could sign in");
    let reviewers: Vec<String> = if uses(Activity::Reviewing) {
        sign_in(
            &client,
            &base,
            &accounts.password,
            spread(&accounts.reviewers, args.reviewers)
                .into_iter()
                .map(|l| (l, ()))
                .collect(),
            &mut sign_in_ms,
        )
        .await?
        .into_iter()
        .map(|(t, ())| t)
        .collect()
    } else {
        Vec::new()
    };
    let officers: Vec<(String, i64)> = if uses(Activity::Officer) {
        sign_in(
            &client,
            &base,
            &accounts.password,
            spread(&accounts.officers, args.officers)
                .into_iter()
                .map(|o| (o.login, o.union_id))
                .collect(),
            &mut sign_in_ms,
        )
        .await?
    } else {
        Vec::new()
    };
    let mut signed_in = BTreeMap::new();
    signed_in.insert("members".to_owned(), members.len());
    signed_in.insert("reviewers".to_owned(), reviewers.len());
    signed_in.insert("officers".to_owned(), officers.len());
    println!(
        "signed in {} members, {} reviewers, {} officers in {:.1} s",
        members.len(),
        reviewers.len(),
        officers.len(),
        signing.elapsed().as_secs_f64()
    );

    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let start = Instant::now();
    let ctx = Arc::new(Ctx {
        client,
        bases: bases.clone(),
        next_base: AtomicUsize::new(0),
        sent: bases.iter().map(|_| AtomicU64::new(0)).collect(),
        program_id: accounts.program_id,
        fields: accounts.fields.clone(),
        members,
        reviewers,
        officers,
        deadline: start + Duration::from_secs_f64(args.seconds),
        want_sample: AtomicBool::new(false),
        probe_interval: Duration::from_millis(args.probe_interval_ms.max(10)),
        lag: Mutex::new(LagState::default()),
        probes: Mutex::new(Vec::new()),
    });

    // What the processes have used so far.
    let pids: Vec<String> = args.server_pid.iter().map(u32::to_string).collect();
    let server_cpu0: Vec<Option<f64>> = pids.iter().map(|p| procfs::cpu_s(p)).collect();
    let self_cpu0 = procfs::cpu_s("self").unwrap_or(0.0);
    let machine0 = procfs::machine();
    let pg0 = procfs::postgres_cpu();
    let peaks: Arc<Vec<Peaks>> = Arc::new(pids.iter().map(|_| Peaks::default()).collect());
    let stop = Arc::new(AtomicBool::new(false));
    if !pids.is_empty() {
        let (peaks, stop, pids) = (peaks.clone(), stop.clone(), pids.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                for (pid, peak) in pids.iter().zip(peaks.iter()) {
                    if let Some(a) = procfs::status_kib(pid, "RssAnon:") {
                        peak.anon_kib.fetch_max(a, Ordering::Relaxed);
                    }
                    if let Some(f) = procfs::status_kib(pid, "RssFile:") {
                        peak.file_kib.fetch_max(f, Ordering::Relaxed);
                    }
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        });
    }

    // One submission every `index_sample_ms` is followed until the index has it.
    if args.index_sample_ms > 0 {
        let ctx = ctx.clone();
        let every = Duration::from_millis(args.index_sample_ms);
        tokio::spawn(async move {
            while !ctx.past() {
                ctx.want_sample.store(true, Ordering::Release);
                tokio::time::sleep(every).await;
            }
            ctx.want_sample.store(false, Ordering::Release);
        });
    }

    let total_weight: u32 = weights.iter().map(|(_, w)| w).sum();
    let pick = move |rng: &mut Rng, weights: &[(Activity, u32)]| {
        let mut x = rng.below(total_weight.max(1) as usize) as u32;
        for (a, w) in weights {
            if x < *w {
                return *a;
            }
            x -= w;
        }
        weights[0].0
    };
    let mut rec = Recorder::default();
    let mut started: BTreeMap<Activity, u64> = BTreeMap::new();
    let mut dropped = 0;
    let mut tasks = Vec::new();
    if let Some(rate) = args.rate {
        // Open loop: the i-th activity starts at start + i / rate.
        let in_flight = Arc::new(AtomicUsize::new(0));
        let mut rng = Rng::new(seed ^ 0x5EED);
        let mut i = 0u64;
        loop {
            let at = start + Duration::from_secs_f64(i as f64 / rate.max(0.001));
            if at >= ctx.deadline {
                break;
            }
            tokio::time::sleep_until(at.into()).await;
            i += 1;
            let activity = pick(&mut rng, &weights);
            if in_flight.load(Ordering::Relaxed) >= args.max_in_flight {
                dropped += 1;
                continue;
            }
            *started.entry(activity).or_default() += 1;
            in_flight.fetch_add(1, Ordering::Relaxed);
            let (ctx, in_flight) = (ctx.clone(), in_flight.clone());
            tasks.push(tokio::spawn(async move {
                let mut c = Client::new(ctx, seed.wrapping_add(i.wrapping_mul(7919)));
                c.play(activity).await;
                in_flight.fetch_sub(1, Ordering::Relaxed);
                (c.rec, BTreeMap::new())
            }));
        }
    } else {
        for k in 0..args.clients.max(1) {
            let ctx = ctx.clone();
            let weights = weights.clone();
            tasks.push(tokio::spawn(async move {
                let mut c = Client::new(ctx, seed.wrapping_add(k as u64 * 1_000_003));
                let mut started: BTreeMap<Activity, u64> = BTreeMap::new();
                while !c.ctx.past() {
                    let activity = pick(&mut c.rng, &weights);
                    *started.entry(activity).or_default() += 1;
                    c.play(activity).await;
                }
                (c.rec, started)
            }));
        }
    }
    for t in tasks {
        let (r, s) = t.await?;
        rec.merge(r);
        for (a, n) in s {
            *started.entry(a).or_default() += n;
        }
    }
    let wall = start.elapsed().as_secs_f64();
    let server_cpu1: Vec<Option<f64>> = pids.iter().map(|p| procfs::cpu_s(p)).collect();
    let self_cpu1 = procfs::cpu_s("self").unwrap_or(0.0);
    let machine1 = procfs::machine();
    let pg1 = procfs::postgres_cpu();
    stop.store(true, Ordering::Relaxed);
    let servers: Vec<ServerReport> = pids
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mib = |k: &str| procfs::status_kib(p, k).unwrap_or(0) as f64 / 1024.0;
            ServerReport {
                pid: p.to_owned(),
                vm_rss_mib: mib("VmRSS:"),
                vm_hwm_mib: mib("VmHWM:"),
                rss_anon_mib: mib("RssAnon:"),
                peak_rss_anon_mib: (peaks[i].anon_kib.load(Ordering::Relaxed) as f64 / 1024.0)
                    .max(mib("RssAnon:")),
                rss_file_mib: mib("RssFile:"),
                peak_rss_file_mib: (peaks[i].file_kib.load(Ordering::Relaxed) as f64 / 1024.0)
                    .max(mib("RssFile:")),
                cpu_s: match (server_cpu0[i], server_cpu1[i]) {
                    (Some(a), Some(b)) => b - a,
                    _ => 0.0,
                },
            }
        })
        .collect();

    // The probes still running finish (each within its limit).
    let probes: Vec<_> = ctx
        .probes
        .lock()
        .map(|mut p| std::mem::take(&mut *p))
        .unwrap_or_default();
    for p in probes {
        let _ = p.await;
    }

    let total: u64 = rec
        .ops
        .values()
        .map(|r| r.ok_ms.len() as u64 + r.errors.values().sum::<u64>())
        .sum();
    let operations: Vec<OpReport> = rec
        .ops
        .iter()
        .map(|(name, r)| OpReport::of(name, r.clone(), wall, total))
        .collect();
    let total_ok: u64 = operations.iter().map(|o| o.ok).sum();
    let total_5xx: u64 = operations
        .iter()
        .flat_map(|o| o.errors.iter())
        .filter(|(k, _)| k.starts_with('5'))
        .map(|(_, v)| v)
        .sum();
    let submissions = operations
        .iter()
        .find(|o| o.name == "member.submit")
        .map_or(0, |o| o.ok);
    let index_lag = (args.index_sample_ms > 0).then(|| {
        let mut lag = ctx
            .lag
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default();
        let within = lag.lags_ms.iter().filter(|ms| **ms <= 1000.0).count();
        IndexLagReport {
            samples: lag.samples,
            found: lag.lags_ms.len() as u64,
            not_found: lag.not_found.len() as u64,
            not_found_ids: std::mem::take(&mut lag.not_found),
            sample_ms: args.index_sample_ms,
            probe_interval_ms: args.probe_interval_ms,
            within_1s: within as f64 / lag.samples.max(1) as f64,
            probe_checks: lag
                .probe
                .ops
                .values()
                .map(|r| r.ok_ms.len() as u64 + r.errors.values().sum::<u64>())
                .sum(),
            lag: Latency::of(&mut lag.lags_ms),
        }
    });
    let server_s = (!pids.is_empty()
        && server_cpu0.iter().chain(&server_cpu1).all(Option::is_some))
    .then(|| servers.iter().map(|m| m.cpu_s).sum::<f64>());
    let (machine_busy_s, machine_total_s) = match (machine0, machine1) {
        (Some((b0, t0)), Some((b1, t1))) => (b1 - b0, t1 - t0),
        _ => (0.0, 0.0),
    };
    let report = Report {
        mix: args.mix.name().to_owned(),
        base_url: bases.join(", "),
        instances: bases
            .iter()
            .zip(&ctx.sent)
            .map(|(base_url, n)| InstanceReport {
                base_url: base_url.clone(),
                requests: n.load(Ordering::Relaxed),
            })
            .collect(),
        started_at,
        loop_kind: if args.rate.is_some() {
            "open"
        } else {
            "closed"
        }
        .to_owned(),
        clients: args.clients,
        rate_per_s: args.rate,
        seconds: wall,
        signed_in,
        sign_in: Latency::of(&mut sign_in_ms),
        weights: weights
            .iter()
            .map(|(a, w)| WeightReport {
                activity: a.name().to_owned(),
                weight_percent: *w,
                steps: a.steps().to_owned(),
                started: started.get(a).copied().unwrap_or(0),
            })
            .collect(),
        total_requests: total,
        total_ok,
        total_errors: total - total_ok,
        total_5xx,
        throughput_per_s: total_ok as f64 / wall.max(0.001),
        submissions,
        submissions_per_s: submissions as f64 / wall.max(0.001),
        dropped,
        operations,
        index_lag,
        servers,
        cpu: CpuReport {
            wall_s: wall,
            machine_busy_s,
            machine_total_s,
            load_generator_s: self_cpu1 - self_cpu0,
            server_s,
            postgres_s: procfs::postgres_delta(&pg0, &pg1),
            server_ms_per_request: server_s.map(|s| s * 1000.0 / total_ok.max(1) as f64),
        },
    };
    std::fs::write(&args.report_json, serde_json::to_string_pretty(&report)?)?;
    let md = report.markdown();
    std::fs::write(&args.report_md, &md)?;
    println!("{md}");
    Ok(())
}
