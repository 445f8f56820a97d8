//! `run`: sign the accounts in, play a mix, write the reports.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use search_index::synth::Rng;
use serde_json::{Value, json};

use crate::accounts::AccountFile;
use crate::client::{Activity, Client, Ctx, LagState};
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
