//! Faults under sustained submissions, each with a pass/fail result:
//! - the server process is killed (SIGKILL) mid-load and started again;
//! - PostgreSQL restarts mid-load (a cluster of the test's own, so that other tests keep
//!   theirs).
//!
//! Clients behave as the load generator's do: every create and every submission carries an
//! `Idempotency-Key`, and on a lost connection or a 5xx the same request is sent again with
//! the same key until it is answered. Afterwards every submission that got a 2xx must be
//! stored, submitted, indexed and counted, and none may exist twice.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::{Client, Method};
use search_index::synth::Generator;
use serde_json::{Value, json};

use crate::helpers::{Backend, TEST_SECRET, TestApp, World, complete_draft, json, who};

/// How one client's item ended.
#[derive(Debug, Clone)]
enum Outcome {
    /// Submitted (2xx): it must be stored, indexed and counted.
    Submitted { id: i64, body: Value },
    /// The submission was refused with a 4xx that is an answer (an exact copy of one's own).
    Refused { id: i64, code: String },
}

/// What the clients met on the way.
#[derive(Debug, Default)]
struct Seen {
    /// Answers that were not final, by status (5xx).
    statuses: BTreeMap<u16, usize>,
    /// Requests that got no answer (refused or dropped connection).
    transport_errors: usize,
}

impl Seen {
    fn merge(&mut self, other: Seen) {
        for (s, n) in other.statuses {
            *self.statuses.entry(s).or_default() += n;
        }
        self.transport_errors += other.transport_errors;
    }
}

/// Sends a request until it is answered with something other than a 5xx, retrying with the
/// same `Idempotency-Key`.
async fn until_answered(
    client: &Client,
    url: &str,
    token: &str,
    key: &str,
    body: &Value,
    seen: &mut Seen,
) -> (u16, Value) {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        assert!(
            Instant::now() < deadline,
            "{url} unanswered for 90 s: {seen:?}"
        );
        let sent = client
            .request(Method::POST, url)
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .timeout(Duration::from_secs(20))
            .json(body)
            .send()
            .await;
        match sent {
            Ok(res) if res.status().is_server_error() => {
                *seen.statuses.entry(res.status().as_u16()).or_default() += 1;
            }
            Ok(res) => {
                let status = res.status().as_u16();
                let value = res.json().await.unwrap_or(Value::Null);
                return (status, value);
            }
            Err(_) => seen.transport_errors += 1,
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A complete draft with a synthetic text of its own.
fn draft(w: &World, g: &mut Generator, client: usize, n: usize) -> Value {
    let text = g.next_initiative();
    let mut body = complete_draft(w, &format!("{} (mẫu {client}-{n})", text.title));
    for (field, section) in ["current_situation", "solution", "scope", "benefits"]
        .iter()
        .zip(&text.sections)
    {
        body[*field] = json!(section);
    }
    body
}

/// Clients creating and submitting initiatives without pause until stopped.
struct Load {
    stop: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<(Vec<Outcome>, Seen)>>,
}

impl Load {
    fn start(base: &str, w: &World, token: &str, clients: usize) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let tasks = (0..clients)
            .map(|c| {
                let (stop, base, token, w) =
                    (stop.clone(), base.to_owned(), token.to_owned(), w.clone());
                tokio::spawn(async move {
                    let client = Client::new();
                    let mut g = Generator::new(7_000 + c as u64);
                    let (mut outcomes, mut seen) = (Vec::new(), Seen::default());
                    let mut n = 0;
                    while !stop.load(Ordering::SeqCst) {
                        n += 1;
                        let body = draft(&w, &mut g, c, n);
                        let (status, created) = until_answered(
                            &client,
                            &format!("{base}/api/v1/initiatives"),
                            &token,
                            &uuid::Uuid::new_v4().to_string(),
                            &body,
                            &mut seen,
                        )
                        .await;
                        assert_eq!(status, 201, "create: {created}");
                        let id = created["id"].as_i64().unwrap();
                        let (status, answer) = until_answered(
                            &client,
                            &format!("{base}/api/v1/initiatives/{id}/submit"),
                            &token,
                            &uuid::Uuid::new_v4().to_string(),
                            &json!({}),
                            &mut seen,
                        )
                        .await;
                        match status {
                            200 => {
                                assert_eq!(answer["status"], "submitted", "{answer}");
                                outcomes.push(Outcome::Submitted { id, body });
                            }
                            409 if answer["error"]["code"] == "duplicate_submission" => {
                                outcomes.push(Outcome::Refused {
                                    id,
                                    code: "duplicate_submission".to_owned(),
                                });
                            }
                            _ => panic!("submit {id}: {status} {answer}"),
                        }
                    }
                    (outcomes, seen)
                })
            })
            .collect();
        Self { stop, tasks }
    }

    /// Stops the clients after their current item; what they did and met.
    async fn stop(self) -> (Vec<Outcome>, Seen) {
        self.stop.store(true, Ordering::SeqCst);
        let (mut outcomes, mut seen) = (Vec::new(), Seen::default());
        for t in self.tasks {
            let (o, s) = t.await.unwrap();
            outcomes.extend(o);
            seen.merge(s);
        }
        (outcomes, seen)
    }
}

/// Every submission that got a 2xx is stored once, submitted, counted and indexed; every item
/// created exactly one initiative.
async fn assert_nothing_lost(app: &TestApp, author: i64, outcomes: &[Outcome]) {
    let member = app.login(who::MEMBER_A).await;
    let admin = app.login(who::ADMIN).await;
    let submitted: Vec<(i64, &Value)> = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Submitted { id, body } => Some((*id, body)),
            Outcome::Refused { .. } => None,
        })
        .collect();
    assert!(
        submitted.len() >= 10,
        "too few submissions to judge: {}",
        submitted.len()
    );

    // Stored once: the member's initiatives are exactly the items, one each.
    let mut stored: BTreeMap<i64, (String, String)> = BTreeMap::new();
    let mut titles: BTreeMap<String, usize> = BTreeMap::new();
    for page in 1.. {
        let list = json(
            app.get(
                &format!("/api/v1/initiatives?author_id={author}&per_page=200&page={page}"),
                &member,
            )
            .await,
        )
        .await;
        let items = list["items"].as_array().unwrap();
        for i in items {
            let title = i["title"].as_str().unwrap().to_owned();
            *titles.entry(title.clone()).or_default() += 1;
            stored.insert(
                i["id"].as_i64().unwrap(),
                (title, i["status"].as_str().unwrap().to_owned()),
            );
        }
        if items.len() < 200 {
            break;
        }
    }
    let twice: Vec<_> = titles.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "stored twice: {twice:?}");
    let made: BTreeSet<i64> = outcomes
        .iter()
        .map(|o| match o {
            Outcome::Submitted { id, .. } | Outcome::Refused { id, .. } => *id,
        })
        .collect();
    assert_eq!(
        stored.keys().copied().collect::<BTreeSet<_>>(),
        made,
        "every item made exactly one initiative"
    );
    for (id, body) in &submitted {
        let (title, status) = &stored[id];
        assert_eq!(status, "submitted", "initiative {id}");
        assert_eq!(title, body["title"].as_str().unwrap());
    }
    for o in outcomes {
        if let Outcome::Refused { id, code } = o {
            assert_eq!(
                stored[id].1, "draft",
                "refused ({code}) but not a draft: {id}"
            );
        }
    }

    // Counted: the per-union counts agree with a recount.
    app.counts_agree().await;

    // Indexed: the index catches up, then each is found by its own text.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let system = json(app.get("/api/v1/admin/system", &admin).await).await;
        if system["index_lag"] == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the index did not catch up: {system}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for (id, body) in &submitted {
        let found = app
            .similar_matches(
                &member,
                &json!({
                    "title": body["title"],
                    "current_situation": body["current_situation"],
                    "solution": body["solution"],
                    "scope": body["scope"],
                    "benefits": body["benefits"],
                }),
            )
            .await;
        assert!(
            found.iter().any(|m| m["initiative_id"] == *id),
            "initiative {id} is not in the index: {found:?}"
        );
    }
}

/// A free TCP port on loopback.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The `sangkien` binary serving a database as its own process.
struct ServerProcess {
    child: Child,
    base: String,
}

impl ServerProcess {
    async fn start(database_url: &str, data_dir: &Path, port: u16) -> Self {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(data_dir.join("server.log"))
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_sangkien"))
            .arg("serve")
            .env("SANGKIEN__DATABASE__URL", database_url)
            .env("SANGKIEN__DATABASE__POOL_SIZE", "4")
            .env("SANGKIEN__DATA__DIR", data_dir)
            .env("SANGKIEN__SERVER__BIND", format!("127.0.0.1:{port}"))
            .env("SANGKIEN__SERVER__WORKERS", "2")
            .env("SANGKIEN__AUTH__JWT_SECRET", TEST_SECRET)
            .env("SANGKIEN__DEMO__SEED_ON_FIRST_START", "false")
            .env("SANGKIEN__MAIL__TRANSPORT", "log")
            .env("SANGKIEN__LOG__FILTER", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let client = Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(res) = client.get(format!("{base}/readyz")).send().await
                && res.status() == 200
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not become ready: {}",
                std::fs::read_to_string(data_dir.join("server.log")).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self { child, base }
    }

    /// SIGKILL: no shutdown, no flush, no goodbye.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn sigkill_mid_load_loses_nothing(backend: Backend) {
    let Some(mut app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    // The in-process server steps aside; the binary serves the same database.
    app.stop().await;
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = ServerProcess::start(&app.settings.database.url, data.path(), port).await;
    app.base = server.base.clone();
    let member = app.login(who::MEMBER_A).await;

    let load = Load::start(&app.base, &w, &member, 6);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    server.kill();
    tokio::time::sleep(Duration::from_millis(300)).await;
    server = ServerProcess::start(&app.settings.database.url, data.path(), port).await;
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let (outcomes, seen) = load.stop().await;

    assert!(
        seen.transport_errors > 0,
        "the kill was not felt by any client: {seen:?}"
    );
    assert_nothing_lost(&app, w.member_a, &outcomes).await;
    drop(server);
}

/// A PostgreSQL cluster of the test's own (initdb as the `postgres` user), so that
/// restarting it disturbs no other test.
struct PrivatePg {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

impl PrivatePg {
    /// Creates and starts one; `None` (outside CI) when this machine cannot.
    fn start() -> Option<Self> {
        match Self::try_start() {
            Ok(pg) => Some(pg),
            Err(why) => {
                if std::env::var_os("CI").is_some() {
                    panic!("a private PostgreSQL cluster is required in CI: {why}");
                }
                eprintln!("SKIPPED (no private PostgreSQL cluster: {why})");
                None
            }
        }
    }

    fn try_start() -> Result<Self, String> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .map_err(|e| format!("/usr/lib/postgresql: {e}"))?
            .filter_map(Result::ok)
            .map(|d| d.path().join("bin"))
            .find(|b| b.join("initdb").exists())
            .ok_or("no initdb under /usr/lib/postgresql")?;
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let pg = Self {
            dir,
            bin,
            port: free_port(),
        };
        pg.as_postgres(
            "chown",
            &[
                "-R",
                "postgres:postgres",
                &pg.dir.path().display().to_string(),
            ],
            false,
        )?;
        pg.as_postgres(
            &pg.bin.join("initdb").display().to_string(),
            &[
                "-D",
                &pg.data(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            true,
        )?;
        pg.pg_ctl(&["start"])?;
        Ok(pg)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Runs a command, as the `postgres` user when `as_user` (PostgreSQL refuses root).
    fn as_postgres(&self, program: &str, args: &[&str], as_user: bool) -> Result<(), String> {
        let out = if as_user {
            Command::new("runuser")
                .args(["-u", "postgres", "--", program])
                .args(args)
                .output()
        } else {
            Command::new(program).args(args).output()
        }
        .map_err(|e| format!("{program}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{program} {args:?}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    fn pg_ctl(&self, action: &[&str]) -> Result<(), String> {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {}",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("postgres.log").display().to_string();
        let data = self.data();
        let mut args = vec!["-D", data.as_str(), "-w", "-l", &log, "-o", &options];
        args.extend_from_slice(action);
        self.as_postgres(&self.bin.join("pg_ctl").display().to_string(), &args, true)
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["-m", "immediate", "stop"]);
    }
}

/// PostgreSQL only: SQLite is a file inside the process, with no server to restart.
async fn postgres_restart_mid_load() {
    let Some(pg) = PrivatePg::start() else {
        return;
    };
    let app = TestApp::spawn_at(pg.url(), |_| {}).await;
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    let client = Client::new();
    let ready = |client: &Client, base: &str| {
        let req = client
            .get(format!("{base}/readyz"))
            .timeout(Duration::from_secs(10))
            .send();
        async move { req.await.map(|r| r.status().as_u16()).unwrap_or(0) }
    };
    assert_eq!(ready(&client, &app.base).await, 200);

    let load = Load::start(&app.base, &w, &member, 6);
    tokio::time::sleep(Duration::from_millis(2000)).await;
    pg.pg_ctl(&["-m", "fast", "stop"]).unwrap();
    let down = ready(&client, &app.base).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    pg.pg_ctl(&["start"]).unwrap();
    let restarted = Instant::now();
    while ready(&client, &app.base).await != 200 {
        assert!(
            restarted.elapsed() < Duration::from_secs(30),
            "the service did not recover by itself"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let recovered_in = restarted.elapsed();
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let (outcomes, seen) = load.stop().await;

    assert_eq!(
        down, 503,
        "while PostgreSQL is down the service says it is not ready"
    );
    assert!(
        !seen.statuses.contains_key(&500),
        "an outage is answered 503, never 500: {seen:?}"
    );
    assert!(
        seen.statuses.get(&503).copied().unwrap_or(0) + seen.transport_errors > 0,
        "the outage was not felt by any client: {seen:?}"
    );
    eprintln!("recovered {recovered_in:?} after PostgreSQL started; clients met {seen:?}");
    assert_nothing_lost(&app, w.member_a, &outcomes).await;
}

crate::on_both_backends!(sigkill_mid_load_loses_nothing);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarts_under_load() {
    postgres_restart_mid_load().await;
}
