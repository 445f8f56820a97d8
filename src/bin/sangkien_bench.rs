//! Benchmark of the duplicate check through the real HTTP endpoint: stores N synthetic
//! initiatives, times a full reindex, then drives `POST /api/v1/initiatives/similar` from C
//! concurrent clients for S seconds and reports throughput, latency percentiles and memory.
//!
//! `cargo run --release --bin sangkien-bench -- --docs 100000 --clients 8 --seconds 20`
//!
//! With `--pages`, it times the pages instead: the N initiatives all belong to one member
//! (every tenth approved, for the gallery), who signs in through the form; each page is then
//! fetched by C clients for S seconds, and its weight (HTML + CSS + JS) is reported.
//!
//! `cargo run --release --bin sangkien-bench -- --pages --docs 1000 --clients 4 --seconds 10`
//!
//! With `--review`, it times the organising committees' review instead: N initiatives in
//! review across 10 committees of 50 reviewers, then a reviewer's queue, a chair's board and
//! decisions (scores, then approve), each from C clients for S seconds (see `review.rs`).
//!
//! `cargo run --release --bin sangkien-bench -- --review --docs 100000 --clients 8 --seconds 10`
//!
//! With `--import`, it times the organisation import instead: a union tree of 3,528 unions and
//! N members from CSV and from XLSX, validation and writing apart (see `import.rs`).
//!
//! `cargo run --release --bin sangkien-bench -- --import --docs 100000`
//!
//! With `--dashboard`, it times the attainment dashboards instead: about 100,000 unions five
//! levels deep with quotas and N initiatives, then the counter update of an approval, and the
//! dashboard (JSON and page) at each level from C clients for S seconds (see `dashboard.rs`).
//!
//! `cargo run --release --bin sangkien-bench -- --dashboard --docs 2000000 --clients 8 --seconds 10`
//!
//! With `--export`, it times a union officer's exports instead: N initiatives under the
//! officer's province (as many again elsewhere), then the XLSX and CSV exports of all N, the
//! dashboard's table and the list's pages, one request at a time (see `export.rs`).
//!
//! `cargo run --release --bin sangkien-bench -- --export --docs 10000`
//!
//! With `--reorganise`, it times the national reorganisation of 1 July 2025 instead: the
//! dashboard bench's tree as it stood before (63 provinces, district federations), the plan
//! merging them into 34 and dissolving every district federation read from a plan file, its
//! dry run and its apply, then the dashboards at each level now and as of the day before, and
//! `recount --verify` (see `reorganise.rs`). `--reuse` starts again from the seeded copy.
//!
//! `cargo run --release --bin sangkien-bench -- --reorganise --docs 2000000 --clients 8 --seconds 5`

#[path = "sangkien_bench/dashboard.rs"]
mod dashboard;
#[path = "sangkien_bench/export.rs"]
mod export;
#[path = "sangkien_bench/import.rs"]
mod import;
#[path = "sangkien_load/provinces.rs"]
mod provinces;
#[path = "sangkien_bench/reorganise.rs"]
mod reorganise;
#[path = "sangkien_bench/review.rs"]
mod review;

/// The server's allocator (see `src/main.rs`), so that the figures are the service's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use sangkien::app::Application;
use sangkien::config::Settings;
use sangkien::db::schema::{initiative_authors, initiatives};
use sangkien::db::{self, DatabaseUrl, Db, DbConn, unions};
use sangkien::domain::{PhaseWindow, UnionKind};
use sangkien::error::AppError;
use sangkien::routes::web::session::CSRF_FIELD;
use sangkien::search::SearchService;
use sangkien::service;
use search_index::synth::{CopyKind, Generator, InitiativeText, Rng, make_copy};

struct Args {
    docs: usize,
    clients: usize,
    seconds: u64,
    database_url: Option<String>,
    dir: PathBuf,
    pages: bool,
    review: bool,
    import: bool,
    dashboard: bool,
    /// Time the exports (XLSX and CSV) of a union's initiatives.
    export: bool,
    /// Time the national reorganisation of 2025 and the dashboards after it.
    reorganise: bool,
    /// With `--dashboard`: keep the directory and measure the data a previous run seeded;
    /// with `--reorganise`: start again from the database as seeded.
    reuse: bool,
    /// With `--review`: time only this request (queue, board or decision); with
    /// `--dashboard`: only the JSON or only the page (json, page).
    only: Option<String>,
    /// With `--review`: decisions offered at this rate (per second, open loop) instead of from
    /// `clients` clients without pause.
    rate: Option<f64>,
}

fn parse_args() -> Args {
    let mut a = Args {
        docs: 100_000,
        clients: 8,
        seconds: 20,
        database_url: None,
        dir: std::env::temp_dir().join("sangkien-bench"),
        pages: false,
        review: false,
        import: false,
        dashboard: false,
        export: false,
        reorganise: false,
        reuse: false,
        only: None,
        rate: None,
    };
    let mut seconds_given = false;
    let mut docs_given = false;
    let mut it = std::env::args().skip(1);
    while let Some(x) = it.next() {
        let mut num = |d: usize| it.next().and_then(|v| v.parse().ok()).unwrap_or(d);
        match x.as_str() {
            "--docs" => {
                a.docs = num(a.docs);
                docs_given = true;
            }
            "--clients" => a.clients = num(a.clients),
            "--seconds" => {
                a.seconds = num(20) as u64;
                seconds_given = true;
            }
            "--database-url" => a.database_url = it.next(),
            "--dir" => a.dir = it.next().map(PathBuf::from).unwrap_or(a.dir),
            "--pages" => a.pages = true,
            "--review" => a.review = true,
            "--import" => a.import = true,
            "--dashboard" => a.dashboard = true,
            "--export" => a.export = true,
            "--reorganise" => a.reorganise = true,
            "--reuse" => a.reuse = true,
            "--only" => a.only = it.next(),
            "--rate" => a.rate = it.next().and_then(|v| v.parse().ok()),
            other => {
                eprintln!(
                    "unknown argument {other}\nusage: sangkien-bench [--docs N] [--clients C] \
                     [--seconds S] [--database-url URL] [--dir PATH] [--pages | --dashboard [--reuse] [--only json|page] | --reorganise [--reuse] [--only json|page] | --export | --import | --review [--only queue|board|decision] [--rate R]]"
                );
                std::process::exit(2);
            }
        }
    }
    if a.review && !seconds_given {
        a.seconds = 10;
    }
    if a.export && !docs_given {
        a.docs = 10_000;
    }
    a
}

fn status_kib(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn dir_size(p: &Path) -> u64 {
    std::fs::read_dir(p).map_or(0, |rd| {
        rd.filter_map(Result::ok)
            .map(|e| match e.metadata() {
                Ok(m) if m.is_dir() => dir_size(&e.path()),
                Ok(m) => m.len(),
                Err(_) => 0,
            })
            .sum()
    })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// A root, 20 grassroots unions, an open program and one member to sign in with.
type World = (i64, i64, Vec<(i64, String)>);

fn world(conn: &mut DbConn) -> Result<World, AppError> {
    let now = db::now();
    let root = unions::insert(
        conn,
        &unions::NewUnion {
            parent: None,
            level: UnionKind::National.as_i32(),
            code: "BENCH",
            name: "Tổng Liên đoàn (bench)",
            short_name: None,
            cluster: None,
            member_count: 0,
            now,
        },
    )?;
    let mut grass = Vec::new();
    for p in 0..4 {
        let prov = unions::insert(
            conn,
            &unions::NewUnion {
                parent: Some(&root),
                level: 1,
                code: &format!("P{p}"),
                name: &format!("LĐLĐ tỉnh {p}"),
                short_name: None,
                cluster: None,
                member_count: 0,
                now,
            },
        )?;
        for g in 0..5 {
            let u = unions::insert(
                conn,
                &unions::NewUnion {
                    parent: Some(&prov),
                    level: 2,
                    code: &format!("P{p}-G{g}"),
                    name: &format!("Công đoàn {p}-{g}"),
                    short_name: None,
                    cluster: None,
                    member_count: 100,
                    now,
                },
            )?;
            grass.push((u.id, u.path));
        }
    }
    let window = PhaseWindow::new(
        now - chrono::Duration::days(30),
        now + chrono::Duration::days(30),
    )
    .ok_or_else(|| AppError::unexpected("window"))?;
    let program = service::seed::open_program_in(
        conn,
        &service::programs::NewProgramInput {
            code: "BENCH".into(),
            name: "Chương trình đo hiệu năng".into(),
            description: String::new(),
            owner_union_id: root.id,
            applied_from: None,
            applied_to: None,
            target_count: None,
            phases: vec![service::programs::PhaseInput {
                name: "Đợt 1".into(),
                window,
            }],
            fields: vec![],
        },
    )?;
    let hash = sangkien::auth::password::hash("bench-password")?;
    let user = service::users::create_in(
        conn,
        None,
        &service::users::NewUserInput {
            member_code: None,
            full_name: "Người đo".into(),
            email: "bench@bench.vn".into(),
            phone: None,
            union_id: grass[0].0,
            password: None,
        },
        Some(&hash),
    )?;
    Ok((program.id, user.user.id, grass))
}

fn main() -> anyhow::Result<()> {
    let args = parse_args();
    if !args.reuse {
        let _ = std::fs::remove_dir_all(&args.dir);
    }
    std::fs::create_dir_all(&args.dir)?;
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", args.dir.join("bench.db").display()));
    let mut settings = Settings::load(None)?;
    settings.database.url = url.clone();
    settings.data.dir = args.dir.clone();
    settings.log.filter = "warn".into();
    settings.auth.jwt_secret = Some("bench-secret-bench-secret-bench-secret-0123".into());
    // The timed requests alone: no digests or reminders computed in the background.
    settings.mail.schedule.enabled = false;
    sangkien::telemetry::init(&settings.log);
    if args.reorganise {
        return reorganise::reorganise_bench(settings, &args, &url);
    }
    let db = Db::connect(&DatabaseUrl::parse(&url).map_err(anyhow::Error::msg)?, 4)?;
    db.migrate()?;
    if args.review {
        return review::review_bench(settings, db, &args);
    }
    if args.import {
        return import::import_bench(db, &args);
    }
    if args.dashboard {
        return dashboard::dashboard_bench(settings, db, &args);
    }
    if args.export {
        return export::export_bench(settings, db, &args);
    }
    let (program_id, author, grass) = db.blocking_write(world)?;

    // Store N synthetic initiatives; keep some texts to copy from.
    println!("storing {} synthetic initiatives…", args.docs);
    let started = Instant::now();
    let mut generator = Generator::new(42);
    let mut kept: Vec<InitiativeText> = Vec::new();
    let mut done = 0;
    while done < args.docs {
        let batch: Vec<InitiativeText> = (0..(args.docs - done).min(2_000))
            .map(|_| generator.next_initiative())
            .collect();
        if kept.len() < 2_000 {
            kept.extend(batch.iter().take(200).cloned());
        }
        let base = done;
        let grass = grass.clone();
        db.blocking_write(move |conn| {
            let now = db::now();
            for (i, t) in batch.iter().enumerate() {
                let (union_id, _) = &grass[(base + i) % grass.len()];
                let s = |k: usize| t.sections.get(k).cloned().unwrap_or_default();
                let status = if (base + i) % 10 == 0 {
                    "approved"
                } else {
                    "submitted"
                };
                let id: i64 = diesel::insert_into(initiatives::table)
                    .values((
                        initiatives::program_id.eq(program_id),
                        initiatives::union_id.eq(union_id),
                        initiatives::author_id.eq(author),
                        initiatives::title.eq(&t.title),
                        initiatives::current_situation.eq(s(0)),
                        initiatives::solution.eq(s(1)),
                        initiatives::scope.eq(s(2)),
                        initiatives::benefits.eq(s(3)),
                        initiatives::confidential.eq(false),
                        initiatives::status.eq(status),
                        initiatives::version.eq(1),
                        initiatives::submitted_at.eq(now),
                        initiatives::receipt_no.eq(format!("SK2026-{:07}", base + i + 1)),
                        initiatives::created_at.eq(now),
                        initiatives::updated_at.eq(now),
                    ))
                    .returning(initiatives::id)
                    .get_result(conn)?;
                diesel::insert_into(initiative_authors::table)
                    .values((
                        initiative_authors::initiative_id.eq(id),
                        initiative_authors::user_id.eq(author),
                        initiative_authors::share_percent.eq(100),
                        initiative_authors::position.eq(0),
                    ))
                    .execute(conn)?;
            }
            Ok(())
        })?;
        done += 2_000.min(args.docs - done);
    }
    let store_s = started.elapsed().as_secs_f64();
    println!("stored in {store_s:.1} s");

    // Full reindex from the database, as `sangkien reindex` does.
    let index_dir = args.dir.join("index");
    let started = Instant::now();
    {
        let search = SearchService::open(&index_dir)?;
        search.rebuild(&db, |_, _| {})?;
        search
            .index()
            .optimize()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let reindex_s = started.elapsed().as_secs_f64();
    let index_bytes = dir_size(&index_dir);
    println!("reindexed in {reindex_s:.1} s");
    let rss_after_index = status_kib("VmRSS:");
    drop(db);

    if args.pages {
        return pages_bench(settings, &args);
    }

    // Serve, and drive the live check from C clients.
    let clients = args.clients;
    let seconds = args.seconds;
    let report = actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings, Some("127.0.0.1:0"))?;
        let base = format!("http://127.0.0.1:{}", app.port());
        let handle = app.handle();
        actix_web::rt::spawn(app.run_until_stopped());
        let client = reqwest::Client::new();
        let token: serde_json::Value = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({"login": "bench@bench.vn", "password": "bench-password"}))
            .send()
            .await?
            .json()
            .await?;
        let token = token["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let kept = Arc::new(kept);
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let mut tasks = Vec::new();
        for c in 0..clients {
            let client = client.clone();
            let base = base.clone();
            let token = token.clone();
            let kept = kept.clone();
            tasks.push(actix_web::rt::spawn(async move {
                let mut rng = Rng::new(1000 + c as u64);
                let mut fresh = Generator::new(7_000 + c as u64);
                let mut lat = Vec::new();
                let mut dup = 0usize;
                while Instant::now() < deadline {
                    let (title, text) = if rng.chance(0.5) {
                        let orig = rng.pick(&kept[..]).clone();
                        make_copy(CopyKind::Edit10, &orig, &mut rng)
                    } else {
                        let t = fresh.next_initiative();
                        (t.title.clone(), t.body())
                    };
                    let body = serde_json::json!({"title": title, "solution": text});
                    let t0 = Instant::now();
                    let res = client
                        .post(format!("{base}/api/v1/initiatives/similar"))
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await;
                    let Ok(res) = res else { continue };
                    let ok = res.status().is_success();
                    let v: serde_json::Value = res.json().await.unwrap_or_default();
                    lat.push(t0.elapsed().as_secs_f64() * 1000.0);
                    if ok && v["matches"][0]["verdict"] == "duplicate" {
                        dup += 1;
                    }
                }
                (lat, dup)
            }));
        }
        let mut all = Vec::new();
        let mut dups = 0;
        for t in tasks {
            let (lat, dup) = t.await?;
            all.extend(lat);
            dups += dup;
        }
        handle.stop(true).await;
        all.sort_by(f64::total_cmp);
        anyhow::Ok((all, dups))
    })?;
    let (lat, dups) = report;
    let n = lat.len();
    println!();
    println!(
        "| initiatives | store | reindex | index size | clients | checks/s | p50 | p95 | p99 | peak RSS |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {} | {:.0} s | {:.0} s ({:.0} docs/s) | {} B each | {} | {:.0} | {:.1} ms | {:.1} ms | {:.1} ms | {} MB |",
        args.docs,
        store_s,
        reindex_s,
        args.docs as f64 / reindex_s.max(0.001),
        index_bytes / (args.docs.max(1) as u64),
        clients,
        n as f64 / seconds.max(1) as f64,
        percentile(&lat, 0.50),
        percentile(&lat, 0.95),
        percentile(&lat, 0.99),
        status_kib("VmHWM:") / 1024,
    );
    println!(
        "({n} checks; top verdict duplicate for {dups}; RSS after indexing {} MB; server and clients share the process)",
        rss_after_index / 1024
    );
    Ok(())
}

/// Times the pages a member and the public use, with the member's N initiatives stored.
fn pages_bench(settings: Settings, args: &Args) -> anyhow::Result<()> {
    let clients = args.clients;
    let seconds = args.seconds;
    let docs = args.docs;
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings, Some("127.0.0.1:0"))?;
        let base = format!("http://127.0.0.1:{}", app.port());
        let handle = app.handle();
        actix_web::rt::spawn(app.run_until_stopped());
        // Sign in through the form, as a browser does.
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let page = client.get(format!("{base}/dang-nhap")).send().await?.text().await?;
        let csrf = page
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or_default()
            .to_owned();
        let res = client
            .post(format!("{base}/dang-nhap"))
            .form(&[
                (CSRF_FIELD, csrf.as_str()),
                ("login", "bench@bench.vn"),
                ("password", "bench-password"),
                ("next", "/"),
            ])
            .send()
            .await?;
        anyhow::ensure!(res.status() == 303, "sign-in failed: {}", res.status());
        let css = client.get(format!("{base}/static/app.css")).send().await?.bytes().await?.len();
        let js = client.get(format!("{base}/static/app.js")).send().await?.bytes().await?.len();
        let last = docs.max(1);
        let pages = [
            ("member home (page 1 of the list)", "/".to_owned()),
            ("member home (page 50)", "/?page=50".to_owned()),
            ("initiative page", format!("/sang-kien/{last}")),
            ("new initiative form", "/sang-kien/moi".to_owned()),
            ("receipt", format!("/sang-kien/{last}/bien-nhan")),
            ("gallery", "/thu-vien".to_owned()),
            ("gallery search", "/thu-vien?q=tiet+kiem+nang+luong".to_owned()),
            ("public initiative page", "/thu-vien/1".to_owned()),
        ];
        println!();
        println!(
            "{docs} initiatives of the member; {clients} clients, {seconds} s per page; weights are uncompressed"
        );
        println!();
        println!("| page | requests/s | p50 | p95 | p99 | HTML | HTML + CSS + JS |");
        println!("|---|---|---|---|---|---|---|");
        for (name, path) in pages {
            let first = client.get(format!("{base}{path}")).send().await?;
            anyhow::ensure!(first.status() == 200, "{path}: {}", first.status());
            let html = first.bytes().await?.len();
            let deadline = Instant::now() + Duration::from_secs(seconds);
            let mut tasks = Vec::new();
            for _ in 0..clients {
                let client = client.clone();
                let url = format!("{base}{path}");
                tasks.push(actix_web::rt::spawn(async move {
                    let mut lat = Vec::new();
                    while Instant::now() < deadline {
                        let t0 = Instant::now();
                        let ok = match client.get(&url).send().await {
                            Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                            Err(_) => false,
                        };
                        if ok {
                            lat.push(t0.elapsed().as_secs_f64() * 1000.0);
                        }
                    }
                    lat
                }));
            }
            let mut lat = Vec::new();
            for t in tasks {
                lat.extend(t.await?);
            }
            lat.sort_by(f64::total_cmp);
            let weight = html + css + js;
            println!(
                "| {name} | {:.0} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} KB | {:.1} KB |",
                lat.len() as f64 / seconds.max(1) as f64,
                percentile(&lat, 0.50),
                percentile(&lat, 0.95),
                percentile(&lat, 0.99),
                html as f64 / 1024.0,
                weight as f64 / 1024.0,
            );
        }
        println!();
        println!(
            "(CSS {:.1} KB and JS {:.1} KB, loaded once and cached; peak RSS {} MB, server and clients in one process)",
            css as f64 / 1024.0,
            js as f64 / 1024.0,
            status_kib("VmHWM:") / 1024
        );
        handle.stop(true).await;
        anyhow::Ok(())
    })
}
