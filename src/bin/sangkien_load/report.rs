//! What a run measured, and the JSON and Markdown reports.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

/// Latencies and outcomes of one operation, as recorded by one task.
#[derive(Debug, Default, Clone)]
pub struct OpRecord {
    /// Milliseconds of the answered requests with a 2xx status, from the first attempt's send
    /// to the last attempt's answer (retries included).
    pub ok_ms: Vec<f64>,
    /// Requests that ended in another status (by status code) or without an answer
    /// (`network`).
    pub errors: BTreeMap<String, u64>,
    /// Attempts repeated after a network error or a 5xx (same `Idempotency-Key`).
    pub retries: u64,
}

/// Every operation's record, by name.
#[derive(Debug, Default, Clone)]
pub struct Recorder {
    pub ops: BTreeMap<&'static str, OpRecord>,
}

impl Recorder {
    /// The record of an operation.
    pub fn op(&mut self, name: &'static str) -> &mut OpRecord {
        self.ops.entry(name).or_default()
    }

    /// Adds another task's records.
    pub fn merge(&mut self, other: Recorder) {
        for (name, r) in other.ops {
            let mine = self.op(name);
            mine.ok_ms.extend(r.ok_ms);
            for (k, v) in r.errors {
                *mine.errors.entry(k).or_default() += v;
            }
            mine.retries += r.retries;
        }
    }
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Percentiles of a set of latencies, in milliseconds.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Latency {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

impl Latency {
    /// From unsorted values.
    pub fn of(values: &mut [f64]) -> Self {
        values.sort_by(f64::total_cmp);
        let mean = if values.is_empty() {
            0.0
        } else {
            values.iter().sum::<f64>() / values.len() as f64
        };
        Self {
            p50_ms: round(percentile(values, 0.50)),
            p95_ms: round(percentile(values, 0.95)),
            p99_ms: round(percentile(values, 0.99)),
            max_ms: round(values.last().copied().unwrap_or(0.0)),
            mean_ms: round(mean),
        }
    }
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// One operation in the report.
#[derive(Debug, Clone, Serialize)]
pub struct OpReport {
    pub name: String,
    /// Requests made (answered with 2xx, or not).
    pub count: u64,
    pub ok: u64,
    /// Requests that did not end in 2xx, by status (`network`: no answer).
    pub errors: BTreeMap<String, u64>,
    pub retries: u64,
    /// Successful requests per second over the measured window.
    pub throughput_per_s: f64,
    /// Share of all requests of the mix.
    pub share: f64,
    /// Latency of the successful requests.
    pub latency: Latency,
}

impl OpReport {
    /// Summarises a record over `seconds`.
    pub fn of(name: &str, mut r: OpRecord, seconds: f64, total: u64) -> Self {
        let ok = r.ok_ms.len() as u64;
        let failed: u64 = r.errors.values().sum();
        let count = ok + failed;
        Self {
            name: name.to_owned(),
            count,
            ok,
            errors: r.errors.clone(),
            retries: r.retries,
            throughput_per_s: round(ok as f64 / seconds.max(0.001)),
            share: round(count as f64 / total.max(1) as f64 * 100.0) / 100.0,
            latency: Latency::of(&mut r.ok_ms),
        }
    }
}

/// An activity of the mix: its weight and what it does.
#[derive(Debug, Clone, Serialize)]
pub struct WeightReport {
    pub activity: String,
    /// Share of the activities started.
    pub weight_percent: u32,
    pub steps: String,
    /// How many were started.
    pub started: u64,
}

/// How long a submission took to be found by the duplicate check.
#[derive(Debug, Default, Clone, Serialize)]
pub struct IndexLagReport {
    /// Submissions sampled (one every `sample_ms` at most).
    pub samples: u64,
    /// Found by `POST /initiatives/similar` with their exact text.
    pub found: u64,
    /// Not found within the probe's time limit.
    pub not_found: u64,
    /// The initiatives not found (to look for them again after the run).
    pub not_found_ids: Vec<i64>,
    pub sample_ms: u64,
    pub probe_interval_ms: u64,
    /// From the submission's 2xx answer to the end of the first check that found it (an
    /// upper bound: at most one probe interval plus one check late).
    pub lag: Latency,
    /// Of the samples, the share found within 1 s.
    pub within_1s: f64,
    /// The probes' checks (not counted in the mix's operations).
    pub probe_checks: u64,
}

/// Memory and CPU of the server's process.
#[derive(Debug, Default, Clone, Serialize)]
pub struct ServerReport {
    pub pid: String,
    pub vm_rss_mib: f64,
    pub vm_hwm_mib: f64,
    /// Anonymous memory (heap): what counts against the memory goal.
    pub rss_anon_mib: f64,
    pub peak_rss_anon_mib: f64,
    /// File-backed pages mapped (the index's and SQLite's mapped files: page cache).
    pub rss_file_mib: f64,
    pub peak_rss_file_mib: f64,
    /// CPU seconds the server used during the window.
    pub cpu_s: f64,
}

/// CPU during the measured window.
#[derive(Debug, Default, Clone, Serialize)]
pub struct CpuReport {
    /// Wall seconds of the window.
    pub wall_s: f64,
    /// The machine's busy CPU seconds (all cores).
    pub machine_busy_s: f64,
    /// CPU seconds available (cores × wall).
    pub machine_total_s: f64,
    /// This load generator.
    pub load_generator_s: f64,
    /// The server's instances together (with `--server-pid`).
    pub server_s: Option<f64>,
    /// Processes named `postgres`.
    pub postgres_s: f64,
    /// Server CPU milliseconds per successful request of the mix.
    pub server_ms_per_request: Option<f64>,
}

/// Requests sent to one instance.
#[derive(Debug, Clone, Serialize)]
pub struct InstanceReport {
    pub base_url: String,
    /// Requests sent there, retries and sampled checks included.
    pub requests: u64,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub mix: String,
    pub base_url: String,
    /// Each instance requests went to, in turn.
    pub instances: Vec<InstanceReport>,
    pub started_at: String,
    /// `closed` (C clients without pause) or `open` (activities offered at a rate).
    pub loop_kind: String,
    pub clients: usize,
    pub rate_per_s: Option<f64>,
    pub seconds: f64,
    pub signed_in: BTreeMap<String, usize>,
    pub sign_in: Latency,
    pub weights: Vec<WeightReport>,
    pub operations: Vec<OpReport>,
    pub total_requests: u64,
    pub total_ok: u64,
    pub total_errors: u64,
    pub total_5xx: u64,
    pub throughput_per_s: f64,
    pub submissions: u64,
    pub submissions_per_s: f64,
    /// Open loop: activities not started because too many were still in flight.
    pub dropped: u64,
    pub index_lag: Option<IndexLagReport>,
    /// One per instance (with `--server-pid`).
    pub servers: Vec<ServerReport>,
    pub cpu: CpuReport,
}

impl Report {
    /// The Markdown report.
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# sangkien-load: mix `{}`\n", self.mix);
        let load = match self.rate_per_s {
            Some(r) => format!("open loop, activities offered at {r}/s"),
            None => format!("closed loop, {} clients without pause", self.clients),
        };
        let _ = writeln!(
            s,
            "{} against {}, {:.1} s, {load}. Signed in: {}.\n",
            self.started_at,
            self.base_url,
            self.seconds,
            self.signed_in
                .iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(s, "## Mix\n");
        let _ = writeln!(s, "| activity | weight | steps | started |");
        let _ = writeln!(s, "|---|---|---|---|");
        for w in &self.weights {
            let _ = writeln!(
                s,
                "| {} | {}% | {} | {} |",
                w.activity, w.weight_percent, w.steps, w.started
            );
        }
        let _ = writeln!(s, "\n## Operations\n");
        let _ = writeln!(
            s,
            "| operation | requests | share | ok/s | p50 | p95 | p99 | max | errors | retries |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|---|");
        for o in &self.operations {
            let errors = if o.errors.is_empty() {
                "0".to_owned()
            } else {
                o.errors
                    .iter()
                    .map(|(k, v)| format!("{v}× {k}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let _ = writeln!(
                s,
                "| {} | {} | {:.1}% | {:.1} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | {errors} | {} |",
                o.name,
                o.count,
                o.share * 100.0,
                o.throughput_per_s,
                o.latency.p50_ms,
                o.latency.p95_ms,
                o.latency.p99_ms,
                o.latency.max_ms,
                o.retries
            );
        }
        let _ = writeln!(
            s,
            "\nTotal: {} requests, {} ok ({:.1}/s), {} errors ({} 5xx); {} submissions ({:.1}/s).",
            self.total_requests,
            self.total_ok,
            self.throughput_per_s,
            self.total_errors,
            self.total_5xx,
            self.submissions,
            self.submissions_per_s
        );
        if self.dropped > 0 {
            let _ = writeln!(
                s,
                "\n{} activities were not started: too many in flight (the server fell behind the offered rate).",
                self.dropped
            );
        }
        if let Some(l) = self.index_lag.as_ref().filter(|l| l.samples > 0) {
            let _ = writeln!(s, "\n## Indexed within\n");
            let _ = writeln!(
                s,
                "{} submissions sampled (one every {} ms at most), each checked with its exact text every {} ms until `POST /api/v1/initiatives/similar` lists it: {} found, {} not found within 10 s{}; {:.1}% within 1 s. Lag from the submission's answer to the end of the check that found it: p50 {:.0} ms, p95 {:.0} ms, p99 {:.0} ms, max {:.0} ms ({} probe checks, not counted above).",
                l.samples,
                l.sample_ms,
                l.probe_interval_ms,
                l.found,
                l.not_found,
                if l.not_found_ids.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (initiatives {})",
                        l.not_found_ids
                            .iter()
                            .map(i64::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                },
                l.within_1s * 100.0,
                l.lag.p50_ms,
                l.lag.p95_ms,
                l.lag.p99_ms,
                l.lag.max_ms,
                l.probe_checks
            );
        }
        let _ = writeln!(s, "\n## Resources\n");
        if self.instances.len() > 1 {
            let each: Vec<String> = self
                .instances
                .iter()
                .map(|i| format!("{} {}", i.base_url, i.requests))
                .collect();
            let _ = writeln!(
                s,
                "Requests per instance (in turn, retries and checks included): {}.\n",
                each.join(", ")
            );
        }
        for m in &self.servers {
            let _ = writeln!(
                s,
                "Server (pid {}): RSS {:.0} MiB at the end (peak {:.0} MiB): anonymous {:.0} MiB (peak {:.0} MiB), file-backed {:.0} MiB (peak {:.0} MiB, page cache of mapped files); {:.1} CPU s in the window.",
                m.pid,
                m.vm_rss_mib,
                m.vm_hwm_mib,
                m.rss_anon_mib,
                m.peak_rss_anon_mib,
                m.rss_file_mib,
                m.peak_rss_file_mib,
                m.cpu_s
            );
        }
        let c = &self.cpu;
        let _ = writeln!(
            s,
            "\nCPU over {:.1} s: machine {:.1} of {:.1} CPU s busy; server {}, PostgreSQL {:.1} s, load generator {:.1} s{}.",
            c.wall_s,
            c.machine_busy_s,
            c.machine_total_s,
            c.server_s
                .map_or_else(|| "not measured".to_owned(), |v| format!("{v:.1} s")),
            c.postgres_s,
            c.load_generator_s,
            c.server_ms_per_request
                .map_or_else(String::new, |v| format!(
                    "; server CPU per successful request {v:.2} ms"
                ))
        );
        s
    }
}
