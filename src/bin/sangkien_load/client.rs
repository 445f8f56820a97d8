//! One simulated client of `run`: the shared context, what each activity of a mix requests,
//! and what it records.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use search_index::synth::{GALLERY_QUERIES, Generator, InitiativeText, Rng};
use serde_json::{Value, json};

use crate::report::Recorder;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Activity {
    Drafting,
    Submitting,
    Reviewing,
    Officer,
    Public,
}

impl Activity {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Drafting => "member drafting",
            Self::Submitting => "member submitting",
            Self::Reviewing => "reviewer",
            Self::Officer => "officer",
            Self::Public => "public",
        }
    }

    pub(crate) fn steps(self) -> &'static str {
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
pub(super) struct Ctx {
    pub(crate) client: reqwest::Client,
    /// The instances, taken in turn.
    pub(crate) bases: Vec<String>,
    pub(crate) next_base: AtomicUsize,
    /// Requests sent to each instance (retries included).
    pub(crate) sent: Vec<AtomicU64>,
    pub(crate) program_id: i64,
    pub(crate) fields: Vec<i64>,
    pub(crate) members: Vec<String>,
    pub(crate) reviewers: Vec<String>,
    pub(crate) officers: Vec<(String, i64)>,
    pub(crate) deadline: Instant,
    pub(crate) want_sample: AtomicBool,
    pub(crate) probe_interval: Duration,
    pub(crate) lag: Mutex<LagState>,
    pub(crate) probes: Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

#[derive(Default)]
pub(super) struct LagState {
    pub(crate) samples: u64,
    pub(crate) lags_ms: Vec<f64>,
    pub(crate) not_found: Vec<i64>,
    pub(crate) probe: Recorder,
}

/// One request to make.
struct Req {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) body: Option<Value>,
    pub(crate) bearer: Option<String>,
    pub(crate) cookie: Option<String>,
    /// Send an `Idempotency-Key` and retry on a network error or a 5xx with the same key.
    pub(crate) idempotent: bool,
    pub(crate) json: bool,
}

impl Req {
    pub(crate) fn new(method: Method, path: String, token: &str) -> Self {
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

    pub(crate) fn past(&self) -> bool {
        Instant::now() >= self.deadline
    }
}

/// One client's state: its random choices, its texts and its records.
pub(super) struct Client {
    pub(crate) ctx: Arc<Ctx>,
    pub(crate) rng: Rng,
    pub(crate) texts: Generator,
    pub(crate) rec: Recorder,
}

fn sections(t: &InitiativeText) -> [String; 4] {
    std::array::from_fn(|k| t.sections.get(k).cloned().unwrap_or_default())
}

impl Client {
    pub(crate) fn new(ctx: Arc<Ctx>, seed: u64) -> Self {
        Self {
            ctx,
            rng: Rng::new(seed),
            texts: Generator::new(seed),
            rec: Recorder::default(),
        }
    }

    pub(crate) async fn play(&mut self, activity: Activity) {
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
