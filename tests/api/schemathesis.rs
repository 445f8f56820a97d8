//! The API against its own OpenAPI document: schemathesis (a property-based HTTP fuzzer,
//! PyPI) generates requests from `/api/v1/openapi.json`, valid and invalid, and checks every
//! answer: no 5xx, a documented status, the documented content type and a body matching its
//! schema. It runs twice, as a bearer-authenticated system administrator and as a member,
//! over the fixture world with a few initiatives in it; sign-in itself is left out (it is
//! rate-limited).
//!
//! Without schemathesis the test says so and passes, except under CI, where it fails
//! (`.ci/run` installs it into `~/.cache/sangkien/schemathesis`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::helpers::{Backend, TestApp, approve, complete_draft, submit, who};

/// The version `.ci/run` installs; the flags below are this version's.
const VERSION: &str = "4.32.5";

/// Test cases per operation and phase: enough to find what is wrong, a few minutes at most
/// (`SCHEMATHESIS_MAX_EXAMPLES` overrides it, `SCHEMATHESIS_SEED` the seed, to look further).
const MAX_EXAMPLES: &str = "20";
const SEED: &str = "20260401";

/// The `st` command: `$SCHEMATHESIS`, the CI virtualenv, or `st` on the `PATH`.
fn st() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SCHEMATHESIS") {
        return Some(PathBuf::from(p));
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let venv = home.map(|h| h.join(".cache/sangkien/schemathesis/bin/st"));
    if let Some(v) = venv.filter(|v| v.exists()) {
        return Some(v);
    }
    let on_path = Command::new("st").arg("--version").output();
    on_path
        .is_ok_and(|o| o.status.success())
        .then(|| "st".into())
}

async fn api_conforms_to_its_openapi_document(backend: Backend) {
    let Some(st) = st() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs schemathesis: pip install schemathesis=={VERSION}"
        );
        eprintln!("skipped: schemathesis (st) is not installed");
        return;
    };
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    for n in 0..3 {
        let i = submit(
            &app,
            &member,
            &complete_draft(&w, &format!("Sáng kiến số {n} về số hoá hồ sơ lưu trữ")),
        )
        .await;
        if n == 0 {
            approve(&app, i["_id"].as_i64().unwrap()).await;
        }
    }
    let schema = format!("{}/api/v1/openapi.json", app.base);
    let examples = std::env::var("SCHEMATHESIS_MAX_EXAMPLES").unwrap_or(MAX_EXAMPLES.to_owned());
    let seed = std::env::var("SCHEMATHESIS_SEED").unwrap_or(SEED.to_owned());
    // A system administrator reaches every operation; a member meets the refusals.
    for login in [who::ADMIN, who::MEMBER_A] {
        let token = app.login(login).await;
        let started = Instant::now();
        let (ok, report, statuses) = run(&st, &schema, &token, &examples, &seed).await;
        assert!(
            ok,
            "schemathesis found problems ({backend:?}, as {login}):\n{report}"
        );
        // The run must have tested the API to its end, not a lost session: its last tenth
        // of requests still has answers in 2xx, and the session is still live.
        assert!(statuses.len() > 100, "too few requests: {}", statuses.len());
        let tail = &statuses[statuses.len() - statuses.len() / 10..];
        let ok_tail = tail
            .iter()
            .filter(|s| (200..300).contains(&s.status))
            .count();
        assert!(
            ok_tail > 0,
            "the last {} requests as {login} had no 2xx answer; the writes before the first 401:\n{}",
            tail.len(),
            writes_before_first_401(&statuses)
        );
        let me = app.get("/api/v1/me", &token).await;
        assert_eq!(
            me.status(),
            200,
            "the run ended its own session as {login}; the writes before its first 401:\n{}",
            writes_before_first_401(&statuses)
        );
        let summary = report
            .rfind("= SUMMARY =")
            .map_or(&report[..], |i| &report[i..]);
        let figures: Vec<&str> = report
            .lines()
            .map(str::trim)
            .filter(|l| {
                l.starts_with("Operations:")
                    || l.starts_with("Scenarios:")
                    || l.starts_with("API Links:")
            })
            .collect();
        let class = |lo: u16, hi: u16| {
            statuses
                .iter()
                .filter(|e| (lo..hi).contains(&e.status))
                .count()
        };
        eprintln!(
            "schemathesis on {backend:?} as {login}: passed in {:.0?}; {} requests \
             (2xx {}, 4xx {}, 5xx {}); {}\n{summary}",
            started.elapsed(),
            statuses.len(),
            class(200, 300),
            class(400, 500),
            class(500, 600),
            figures.join("; ")
        );
    }
}

/// One schemathesis run as the bearer of `token`: whether it passed, its report, and the
/// status of every answer in the order the requests were sent.
async fn run(
    st: &Path,
    schema: &str,
    token: &str,
    examples: &str,
    seed: &str,
) -> (bool, String, Vec<Exchange>) {
    let workdir = tempfile::tempdir().unwrap();
    let har = workdir.path().join("run.har");
    let mut cmd = Command::new(st);
    cmd.current_dir(workdir.path())
        .args(["run", schema])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,\
             content_type_conformance,response_schema_conformance,\
             unsupported_method,allow_header_conformance,\
             use_after_free,ensure_resource_availability",
        ])
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        .args(["--max-examples", examples])
        .args(["--seed", seed])
        .args(["--workers", "2"])
        .args(["--exclude-path", "/api/v1/auth/login"])
        // What ends the run's own session, or another account's for good, would leave the
        // rest of the run with nothing but 401s: each is tested in tests/api/security.rs.
        .args(["--exclude-path", "/api/v1/auth/logout"])
        .args(["--exclude-path", "/api/v1/me/sessions/revoke-all"])
        .args(["--exclude-path", "/api/v1/me/sessions/{session_id}"])
        .args(["--exclude-path", "/api/v1/users/{id}/sessions/revoke"])
        .args(["--exclude-path", "/api/v1/users/{id}/anonymise"])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--generation-database", "none"])
        .args(["--request-timeout", "30"])
        .args(["--suppress-health-check", "all"])
        .args(["--output-sanitize", "true"])
        .args(["--report", "har"])
        .arg("--report-har-path")
        .arg(&har)
        .arg("--no-color");
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), report, har_statuses(&har))
}

/// One request of a run, as the HAR file has it.
#[derive(Debug, Clone)]
struct Exchange {
    started: String,
    method: String,
    url: String,
    status: u16,
}

/// The requests of a HAR file, in the order they started.
fn har_statuses(path: &Path) -> Vec<Exchange> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let har: serde_json::Value = serde_json::from_str(&text).unwrap();
    let str_of = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    let mut entries: Vec<Exchange> = har["log"]["entries"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| Exchange {
                    started: str_of(&e["startedDateTime"]),
                    method: str_of(&e["request"]["method"]),
                    url: str_of(&e["request"]["url"]),
                    status: e["response"]["status"]
                        .as_u64()
                        .and_then(|s| u16::try_from(s).ok())
                        .unwrap_or(0),
                })
                .collect()
        })
        .unwrap_or_default();
    entries.sort_by(|a, b| a.started.cmp(&b.started));
    entries
}

/// The successful writes just before the first 401 answer: what ended the session.
fn writes_before_first_401(all: &[Exchange]) -> String {
    let first = all
        .iter()
        .position(|e| e.status == 401)
        .unwrap_or(all.len());
    all[..first]
        .iter()
        .rev()
        .filter(|e| e.method != "GET" && (200..300).contains(&e.status))
        .take(12)
        .map(|e| format!("  {} {} {} → {}", e.started, e.method, e.url, e.status))
        .collect::<Vec<_>>()
        .join("\n")
}

crate::on_both_backends!(api_conforms_to_its_openapi_document);
