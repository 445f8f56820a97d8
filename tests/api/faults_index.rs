//! Faults of the search index's disk. The index is a cache of the database: when its disk
//! is full, submissions still succeed, the server stays up and ready (readiness reports the
//! index as degraded), and once space returns the index catches up by itself and finds every
//! initiative submitted meanwhile. A position that cannot be written is written later, and
//! nothing is lost across a restart.
//!
//! The full disk is a small tmpfs mounted on the index folder, so that test needs root: under
//! `CI` it fails if it cannot mount; elsewhere it is skipped with the reason.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;

use crate::duplicates::body_of;
use crate::helpers::{Backend, TestApp, distinct_draft, json, submit, who};

crate::on_both_backends!(
    a_full_index_disk_loses_no_submission,
    an_unwritable_position_is_written_later
);

/// A tmpfs mounted for the test, lazily unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Result<Self, String> {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if out.status.success() {
            Ok(Self(dir.to_path_buf()))
        } else {
            Err(format!(
                "mount -t tmpfs failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Can this process mount a tmpfs? Fails under `CI`, says why and skips elsewhere.
fn can_mount() -> bool {
    let probe = tempfile::tempdir().unwrap();
    match Tmpfs::mount(probe.path(), "1m") {
        Ok(_) => true,
        Err(why) if std::env::var_os("CI").is_some() => {
            panic!("the index fault test needs to mount a tmpfs (root) in CI: {why}")
        }
        Err(why) => {
            eprintln!("SKIPPED (cannot mount a tmpfs for the index: {why})");
            false
        }
    }
}

/// Fills the file system holding `dir` until it refuses to take another byte.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).unwrap();
    let chunk = vec![0u8; 1 << 20];
    for size in [chunk.len(), 4096, 1] {
        while f.write_all(&chunk[..size]).is_ok() {}
    }
    // Every further write fails, a new small file included.
    assert!(std::fs::write(dir.join("probe"), b"x").is_err());
    path
}

async fn readiness(app: &TestApp) -> (u16, Value) {
    let res = app
        .request(Method::GET, "/readyz", None)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), json(res).await)
}

/// Is `id` among the matches of the live check for its own text?
async fn findable(app: &TestApp, token: &str, submitted: &Value) -> bool {
    app.similar_matches(token, &body_of(submitted))
        .await
        .iter()
        .any(|m| m["initiative_id"] == submitted["_id"])
}

/// Waits (at most `secs`) until every one of `submitted` is findable; returns how long.
async fn all_findable(app: &TestApp, token: &str, submitted: &[Value], secs: u64) -> Duration {
    let started = Instant::now();
    for s in submitted {
        while !findable(app, token, s).await {
            assert!(
                started.elapsed() < Duration::from_secs(secs),
                "initiative {} not in the index after {:?}; readiness: {:?}",
                s["_id"],
                started.elapsed(),
                readiness(app).await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    started.elapsed()
}

async fn a_full_index_disk_loses_no_submission(backend: Backend) {
    if !can_mount() {
        return;
    }
    let mut mounted = Err(String::new());
    let Some(app) = TestApp::spawn_with(backend, |s| {
        mounted = Tmpfs::mount(&s.data.dir.join("index"), "16m");
    })
    .await
    else {
        return;
    };
    let tmpfs = mounted.unwrap();
    let w = app.world().await;
    let tokens = vec![
        app.login(who::MEMBER_A).await,
        app.login(who::COAUTHOR_A).await,
        app.login(who::MEMBER_B).await,
    ];
    let before = submit_some_in(&app, &w, &tokens, 0, 3).await;
    all_findable(&app, &tokens[2], &before, 5).await;

    // The disk is full: submissions still succeed, the server answers and stays ready.
    let filler = fill(&tmpfs.0);
    let during = submit_some_in(&app, &w, &tokens, 3, 9).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let res = app
        .request(Method::GET, "/healthz", None)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (status, ready) = readiness(&app).await;
    assert_eq!(status, 200, "{ready}");
    assert_eq!(ready["status"], "ok", "{ready}");
    assert_eq!(ready["index"]["status"], "degraded", "{ready}");
    assert_eq!(ready["index"]["failing"], "index_write", "{ready}");
    // Checks still answer from the index as it was.
    all_findable(&app, &tokens[2], &before, 1).await;
    let more = submit_some_in(&app, &w, &tokens, 12, 3).await;

    // Space returns: the index catches up by itself.
    std::fs::remove_file(filler).unwrap();
    let freed = Instant::now();
    let everything: Vec<Value> = before.into_iter().chain(during).chain(more).collect();
    all_findable(&app, &tokens[2], &everything, 10).await;
    loop {
        let (status, ready) = readiness(&app).await;
        assert_eq!(status, 200);
        if ready["index"]["status"] == "ok" {
            break;
        }
        assert!(freed.elapsed() < Duration::from_secs(10), "{ready}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!(
        "index disk full: {} submissions meanwhile, all findable {:?} after space returned",
        everything.len() - 3,
        freed.elapsed()
    );
    // And they stay findable after a restart (the position was written too).
    let mut app = app;
    app.restart().await;
    let token = app.login(who::MEMBER_B).await;
    all_findable(&app, &token, &everything, 5).await;
    app.stop().await;
    drop(tmpfs);
}

/// Submits `n` initiatives, the authors in turn (so that none is an own copy); each answers
/// 200.
async fn submit_some_in(
    app: &TestApp,
    w: &crate::helpers::World,
    tokens: &[String],
    from: usize,
    n: usize,
) -> Vec<Value> {
    let mut out = Vec::new();
    for k in from..from + n {
        let body = distinct_draft(w, k / tokens.len());
        let s = submit(app, &tokens[k % tokens.len()], &body).await;
        assert_eq!(s["_status"], 200, "a submission failed: {s}");
        out.push(s);
    }
    out
}

async fn an_unwritable_position_is_written_later(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let tokens = vec![
        app.login(who::MEMBER_A).await,
        app.login(who::MEMBER_B).await,
    ];
    let admin = app.login(who::ADMIN).await;
    let index_dir = app.settings.data.dir.join("index");
    let position = index_dir.join("applied_seq");
    let written = || {
        std::fs::read_to_string(&position)
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
    };
    // The position is written through a temporary file: a folder in its place makes every
    // write fail while the index itself commits.
    let blocker = index_dir.join("applied_seq.tmp");
    std::fs::create_dir_all(blocker.join("keep")).unwrap();
    let submitted = submit_some_in(&app, &w, &tokens, 0, 4).await;
    all_findable(&app, &tokens[1], &submitted, 5).await;
    // Everything is applied (the position in memory has moved) ...
    let started = Instant::now();
    let applied = loop {
        let system = json(app.get("/api/v1/admin/system", &admin).await).await;
        let applied = system["index_seq"].as_i64().unwrap();
        if applied == system["outbox_seq"].as_i64().unwrap() {
            break applied;
        }
        assert!(started.elapsed() < Duration::from_secs(2), "{system}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // ... but not written.
    assert!(written().is_none_or(|s| s < applied));
    let (status, ready) = readiness(&app).await;
    assert_eq!(status, 200);
    assert_eq!(ready["index"]["status"], "degraded", "{ready}");
    assert_eq!(ready["index"]["failing"], "position_write", "{ready}");

    // Writable again: the next look writes it, with nothing to index.
    std::fs::remove_dir_all(&blocker).unwrap();
    let started = Instant::now();
    while written() != Some(applied) {
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            written()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, ready) = readiness(&app).await;
    assert_eq!(ready["index"]["status"], "ok", "{ready}");
}
