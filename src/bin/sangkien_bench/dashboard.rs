//! `--dashboard`: attainment dashboards over a national tree.
//!
//! 104,644 unions five levels deep (63 provinces, 10 upper-level unions each, 15 grassroots
//! unions under each of those, 10 union groups under each grassroots union), about 11 million
//! members recorded as member counts on the groups, emulation clusters of 7 provinces and of
//! 5 upper-level unions, and a quota on every union (the program's target of 1,000,000 for the
//! root, 10% of members resolved when set for the others). N initiatives (`--docs`) are
//! written straight into the table over two phases and twelve fields, in every counted status,
//! then the counts and the daily activity are built from them as `sangkien recount` does.
//!
//! Then: the counter update an approval adds (`counts::moved` inside the approval's
//! transaction, on initiatives under review), and for S seconds per level, from C clients,
//! the dashboard as JSON and as the page, each on unions drawn at random from that level.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use sangkien::app::Application;
use sangkien::config::Settings;
use sangkien::db::schema::{initiatives, quotas, unions as u};
use sangkien::db::{self, Db, DbConn, counts};
use sangkien::domain::{PhaseWindow, Role, UnionKind};
use sangkien::error::AppError;
use sangkien::on_backend;
use sangkien::service;

use super::provinces::{self, MERGERS};
use super::{Args, percentile, status_kib};

pub(super) const PROVINCES: usize = 63;
pub(super) const UPPER_PER_PROVINCE: usize = 10;
const GRASSROOTS_PER_UPPER: usize = 15;
const GROUPS_PER_GRASSROOTS: usize = 10;
const FIELDS: usize = 12;
pub(super) const PASSWORD: &str = "bench-password";
pub(super) const OFFICER: &str = "can-bo@bench.vn";

/// A union as seeded.
#[derive(Clone)]
pub(super) struct Node {
    pub(super) id: i64,
    pub(super) parent: Option<usize>,
    pub(super) level: i32,
    pub(super) path: String,
    pub(super) members: i64,
}

/// A cheap, fixed hash.
pub(super) fn mix(i: u64) -> u64 {
    let mut x = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The tree in breadth-first order, ids from 1.
pub(super) fn tree() -> Vec<Node> {
    let mut nodes = vec![Node {
        id: 1,
        parent: None,
        level: 0,
        path: "/1/".into(),
        members: 0,
    }];
    let fanout = [
        PROVINCES,
        UPPER_PER_PROVINCE,
        GRASSROOTS_PER_UPPER,
        GROUPS_PER_GRASSROOTS,
    ];
    let mut level_start = 0;
    for (depth, n) in fanout.iter().enumerate() {
        let level_end = nodes.len();
        for parent in level_start..level_end {
            for _ in 0..*n {
                let id = i64::try_from(nodes.len()).unwrap_or(0) + 1;
                let h = mix(u64::try_from(id).unwrap_or(0));
                nodes.push(Node {
                    id,
                    parent: Some(parent),
                    level: i32::try_from(depth).unwrap_or(0) + 1,
                    path: format!("{}{id}/", nodes[parent].path),
                    // About 116 members per group: 11 million in all.
                    members: if depth == 3 { 100 + (h % 33) as i64 } else { 0 },
                });
            }
        }
        level_start = level_end;
    }
    // Subtree members, children before parents.
    for i in (1..nodes.len()).rev() {
        if let Some(p) = nodes[i].parent {
            let m = nodes[i].members;
            nodes[p].members += m;
        }
    }
    nodes
}

/// Upper-level unions of a province that are district federations (LĐLĐ huyện, quận) until
/// 1 July 2025; the others are a province's Công đoàn Viên chức, a Công đoàn ngành and the
/// Công đoàn các Khu công nghiệp.
pub(super) const DISTRICTS_PER_PROVINCE: usize = 7;

/// The 63 provinces as they were before 1 July 2025.
fn province_name(index: usize) -> &'static str {
    MERGERS
        .iter()
        .flat_map(|(_, old)| old.iter().copied())
        .nth(index)
        .unwrap_or("")
}

/// A union's name, from its index in the tree and among its parent's children.
fn name(nodes: &[Node], i: usize, index_in_parent: usize) -> String {
    let n = &nodes[i];
    match n.level {
        0 => "Tổng Liên đoàn Lao động Việt Nam (bench)".to_owned(),
        1 => format!(
            "LĐLĐ {}",
            provinces::with_kind(province_name(index_in_parent))
        ),
        2 => {
            let place = n
                .parent
                .map(|p| {
                    let k = p.saturating_sub(1);
                    provinces::with_kind(province_name(k))
                })
                .unwrap_or_default();
            match index_in_parent.checked_sub(DISTRICTS_PER_PROVINCE) {
                None => format!("LĐLĐ huyện số {} ({place})", index_in_parent + 1),
                Some(0) => format!("Công đoàn Viên chức {place}"),
                Some(1) => format!("Công đoàn ngành Giáo dục {place}"),
                Some(_) => format!("Công đoàn các Khu công nghiệp {place}"),
            }
        }
        3 => format!("Công đoàn cơ sở {i}"),
        _ => format!("Tổ công đoàn {i}"),
    }
}

fn cluster(n: &Node, index_in_parent: usize) -> Option<String> {
    match n.level {
        1 => Some(format!("Cụm thi đua số {}", index_in_parent / 7 + 1)),
        2 => Some(format!("Cụm {}", index_in_parent / 5 + 1)),
        _ => None,
    }
}

fn seed_unions(conn: &mut DbConn, nodes: &[Node]) -> Result<(), AppError> {
    let now = db::now();
    let mut seen_in_parent = vec![0_usize; nodes.len()];
    let mut rows = Vec::with_capacity(nodes.len());
    for (i, n) in nodes.iter().enumerate() {
        let k = n.parent.map_or(0, |p| {
            seen_in_parent[p] += 1;
            seen_in_parent[p] - 1
        });
        let own_members = if n.level == 4 {
            i32::try_from(n.members).unwrap_or(0)
        } else {
            0
        };
        rows.push((
            u::id.eq(n.id),
            u::parent_id.eq(n.parent.map(|p| nodes[p].id)),
            u::level.eq(n.level),
            u::code.eq(format!("U{}", n.id)),
            u::name.eq(name(nodes, i, k)),
            u::path.eq(n.path.clone()),
            u::cluster.eq(cluster(n, k)),
            u::member_count.eq(own_members),
            u::active.eq(true),
            u::created_at.eq(now),
            u::updated_at.eq(now),
        ));
    }
    for chunk in rows.chunks(1_000) {
        on_backend!(conn, |c| diesel::insert_into(u::table)
            .values(chunk)
            .execute(c))?;
    }
    if let DbConn::Pg(c) = conn {
        diesel::sql_query(
            "SELECT setval(pg_get_serial_sequence('unions', 'id'), (SELECT max(id) FROM unions))",
        )
        .execute(c)?;
    }
    Ok(())
}

/// The program, its phases and fields, the officer, and the quotas.
pub(super) struct Shape {
    pub(super) program_id: i64,
    phases: Vec<(i64, chrono::NaiveDateTime, chrono::NaiveDateTime)>,
    fields: Vec<i64>,
    author: i64,
}

/// The two phases' windows: the first 300 to 120 days ago, the second open for 60 days more.
fn windows_now() -> Windows {
    let now = db::now();
    let day = chrono::Duration::days;
    [
        (now - day(300), now - day(120)),
        (now - day(120), now + day(60)),
    ]
}

/// The two phases' windows (UTC).
pub(super) type Windows = [(chrono::NaiveDateTime, chrono::NaiveDateTime); 2];

fn structure(
    conn: &mut DbConn,
    nodes: &[Node],
    hash: &str,
    windows: Windows,
) -> Result<Shape, AppError> {
    let now = db::now();
    let [w1, w2] = windows.map(|(from, to)| PhaseWindow::new(from, to));
    let (Some(w1), Some(w2)) = (w1, w2) else {
        return Err(AppError::unexpected("window"));
    };
    let program = service::seed::open_program_in(
        conn,
        &service::programs::NewProgramInput {
            code: "MOTTRIEU".into(),
            name: "1 triệu sáng kiến (bench)".into(),
            description: String::new(),
            owner_union_id: nodes[0].id,
            applied_from: None,
            applied_to: None,
            target_count: Some(1_000_000),
            phases: vec![
                service::programs::PhaseInput {
                    name: "Đợt 1".into(),
                    window: w1,
                },
                service::programs::PhaseInput {
                    name: "Đợt 2".into(),
                    window: w2,
                },
            ],
            fields: service::seed::numbered_fields("F", FIELDS),
        },
    )?;
    let officer = service::users::create_in(
        conn,
        None,
        &service::users::NewUserInput {
            member_code: None,
            full_name: "Cán bộ Ban Tuyên giáo".into(),
            email: OFFICER.into(),
            phone: None,
            union_id: nodes[0].id,
            password: None,
        },
        Some(hash),
    )?;
    sangkien::db::users::grant(
        conn,
        officer.user.id,
        Role::UnionOfficer.as_str(),
        nodes[0].id,
        None,
        None,
        now,
    )?;
    let today = counts::vietnam_day(now);
    let rows: Vec<_> = nodes
        .iter()
        .skip(1)
        .map(|n| {
            (
                quotas::program_id.eq(program.id),
                quotas::phase_id.eq(None::<i64>),
                quotas::union_id.eq(n.id),
                quotas::kind.eq("percent_of_members"),
                quotas::value.eq(1_000_i64),
                quotas::members_as_of.eq(Some(today)),
                quotas::member_basis.eq(Some(n.members)),
                quotas::created_at.eq(now),
                quotas::updated_at.eq(now),
            )
        })
        .collect();
    for chunk in rows.chunks(1_000) {
        on_backend!(conn, |c| diesel::insert_into(quotas::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(Shape {
        program_id: program.id,
        phases: program
            .phases
            .iter()
            .map(|p| (p.id, p.opens_at.naive_utc(), p.closes_at.naive_utc()))
            .collect(),
        fields: program.fields.iter().map(|f| f.id).collect(),
        author: officer.user.id,
    })
}

/// Statuses by share (per mille): approved half, the rest spread as a real program has them.
fn status_of(h: u64) -> &'static str {
    match h % 1000 {
        0..500 => "approved",
        500..600 => "submitted",
        600..750 => "under_review",
        750..780 => "returned",
        780..930 => "rejected",
        930..980 => "duplicate",
        _ => "revoked",
    }
}

fn seed_initiatives(
    conn: &mut DbConn,
    shape: &Shape,
    leaves: &[(i64, String)],
    from: usize,
    n: usize,
) -> Result<(), AppError> {
    let now = db::now();
    let mut rows = Vec::with_capacity(n);
    for i in from..from + n {
        let h = mix(i as u64 ^ 0xDA5B);
        let (union_id, _) = &leaves[(h >> 8) as usize % leaves.len()];
        let (phase_id, opens, closes) = shape.phases[(h >> 40) as usize % shape.phases.len()];
        let end = closes.min(now);
        let span = (end - opens).num_minutes().max(1);
        let submitted = opens + chrono::Duration::minutes(((h >> 16) % span as u64) as i64);
        let status = status_of(h);
        let decided = match status {
            "approved" | "rejected" | "duplicate" | "revoked" => {
                Some((submitted + chrono::Duration::days(((h >> 50) % 20) as i64)).min(now))
            }
            _ => None,
        };
        rows.push((
            initiatives::program_id.eq(shape.program_id),
            initiatives::phase_id.eq(Some(phase_id)),
            initiatives::field_id.eq(Some(shape.fields[(h >> 24) as usize % shape.fields.len()])),
            initiatives::union_id.eq(*union_id),
            initiatives::author_id.eq(shape.author),
            initiatives::title.eq(format!("Sáng kiến số {i}")),
            initiatives::current_situation.eq(""),
            initiatives::solution.eq(""),
            initiatives::scope.eq(""),
            initiatives::benefits.eq(""),
            initiatives::confidential.eq(false),
            initiatives::status.eq(status),
            initiatives::version.eq(1),
            initiatives::receipt_no.eq(Some(format!("SK-{:08}", i + 1))),
            initiatives::submitted_at.eq(Some(submitted)),
            initiatives::decided_at.eq(decided),
            initiatives::created_at.eq(submitted),
            initiatives::updated_at.eq(decided.unwrap_or(submitted)),
        ));
    }
    for chunk in rows.chunks(500) {
        on_backend!(conn, |c| diesel::insert_into(initiatives::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// Latencies of a run, in milliseconds.
fn summary(name: &str, unions: usize, mut ms: Vec<f64>, seconds: u64) -> String {
    ms.sort_by(f64::total_cmp);
    #[expect(clippy::cast_precision_loss, reason = "request counts")]
    let rate = ms.len() as f64 / seconds as f64;
    format!(
        "| {name} | {unions} | {} | {rate:.0} | {:.1} | {:.1} | {:.1} |",
        ms.len(),
        percentile(&ms, 0.50),
        percentile(&ms, 0.95),
        percentile(&ms, 0.99)
    )
}

/// Seeds the tree, the program and N initiatives, then builds the counts.
pub(super) fn seed(
    db: &Db,
    nodes: &[Node],
    docs: usize,
    started: Instant,
    windows: Windows,
) -> anyhow::Result<Arc<Shape>> {
    let hash = sangkien::auth::password::hash(PASSWORD)?;
    {
        let nodes = nodes.to_vec();
        db.blocking_write(move |conn| seed_unions(conn, &nodes))?;
    }
    let shape = {
        let nodes = nodes.to_vec();
        Arc::new(db.blocking_write(move |conn| structure(conn, &nodes, &hash, windows))?)
    };
    // Members belong to grassroots unions or their groups: initiatives come from both.
    let leaves: Arc<Vec<(i64, String)>> = Arc::new(
        nodes
            .iter()
            .filter(|n| n.level >= UnionKind::Grassroots.as_i32())
            .map(|n| (n.id, n.path.clone()))
            .collect(),
    );
    let mut done = 0;
    while done < docs {
        let n = (docs - done).min(50_000);
        let (s, l) = (shape.clone(), leaves.clone());
        db.blocking_write(move |conn| seed_initiatives(conn, &s, &l, done, n))?;
        done += n;
        if done % 500_000 == 0 || done == docs {
            println!(
                "  {done} initiatives ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
    }
    let recount = Instant::now();
    let rows = db.blocking_write(|conn| Ok(counts::rebuild(conn)?))?;
    let (days, fields): (i64, i64) = db.blocking_read(|conn| {
        use sangkien::db::schema::{union_days, union_fields};
        Ok((
            union_days::table.count().get_result(conn)?,
            union_fields::table.count().get_result(conn)?,
        ))
    })?;
    let recount_s = recount.elapsed().as_secs_f64();
    if db.backend() == db::Backend::Postgres {
        db.blocking_read(|conn| {
            diesel::sql_query("VACUUM ANALYZE").execute(conn)?;
            diesel::sql_query("CHECKPOINT").execute(conn)?;
            Ok(())
        })?;
    }
    println!(
        "seeded in {:.0} s: recount {recount_s:.0} s ({rows} count rows, {days} day rows, {fields} field rows)",
        started.elapsed().as_secs_f64()
    );

    Ok(shape)
}

/// The shape of the data an earlier run seeded, if the database holds it.
pub(super) fn seeded(conn: &mut DbConn) -> Result<Option<Shape>, AppError> {
    use sangkien::db::schema::{fields, phases, programs, users};
    let Some(program_id) = programs::table
        .filter(programs::code.eq("MOTTRIEU"))
        .select(programs::id)
        .first::<i64>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let phases = phases::table
        .filter(phases::program_id.eq(program_id))
        .order(phases::id)
        .select((phases::id, phases::opens_at, phases::closes_at))
        .load(conn)?;
    let fields = fields::table
        .filter(fields::program_id.eq(program_id))
        .order(fields::id)
        .select(fields::id)
        .load(conn)?;
    let author = users::table
        .filter(users::email.eq(OFFICER))
        .select(users::id)
        .first(conn)?;
    Ok(Some(Shape {
        program_id,
        phases,
        fields,
        author,
    }))
}

/// Times the counter update of approvals: inside the approval's transaction, after the
/// status changes, as `initiatives::transition` does it; then checks for drift.
fn counter_update(db: &Db, program_id: i64) -> anyhow::Result<()> {
    let waiting: Vec<i64> = db.blocking_read(move |conn| {
        Ok(initiatives::table
            .filter(initiatives::program_id.eq(program_id))
            .filter(initiatives::status.eq("under_review"))
            .select(initiatives::id)
            .order(initiatives::id)
            .limit(100_000)
            .load(conn)?)
    })?;
    let picks: Vec<i64> = (0..1_000_u64)
        .map(|k| waiting[(mix(k) as usize) % waiting.len().max(1)])
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut moved_ms = Vec::new();
    let mut tx_ms = Vec::new();
    for id in picks {
        let t = Instant::now();
        let m = db.blocking_write(move |conn| {
            let now = db::now();
            diesel::update(initiatives::table.find(id))
                .set((
                    initiatives::status.eq("approved"),
                    initiatives::decided_at.eq(Some(now)),
                ))
                .execute(conn)?;
            let t = Instant::now();
            counts::moved(conn, id, "under_review", "approved", now)?;
            Ok(t.elapsed().as_secs_f64() * 1e3)
        })?;
        tx_ms.push(t.elapsed().as_secs_f64() * 1e3);
        moved_ms.push(m);
    }
    moved_ms.sort_by(f64::total_cmp);
    tx_ms.sort_by(f64::total_cmp);
    let drift = db.blocking_read(|conn| Ok(counts::drift(conn)?.len()))?;
    println!(
        "counter update of an approval ({} approvals): p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms; whole transaction p50 {:.2} ms, p95 {:.2} ms; drift after: {drift} rows",
        moved_ms.len(),
        percentile(&moved_ms, 0.50),
        percentile(&moved_ms, 0.95),
        moved_ms.last().copied().unwrap_or(0.0),
        percentile(&tx_ms, 0.50),
        percentile(&tx_ms, 0.95),
    );
    Ok(())
}

/// Runs the dashboard bench.
pub fn dashboard_bench(settings: Settings, db: Db, args: &Args) -> anyhow::Result<()> {
    let docs = args.docs;
    let started = Instant::now();
    let nodes = tree();
    let members: i64 = nodes[0].members;
    println!(
        "seeding {} unions ({} members) and {docs} initiatives…",
        nodes.len(),
        members
    );
    let reused = if args.reuse {
        db.blocking_read(seeded)?
    } else {
        None
    };
    let shape = match reused {
        Some(shape) => {
            println!("reusing the data seeded by an earlier run");
            Arc::new(shape)
        }
        None => seed(&db, &nodes, docs, started, windows_now())?,
    };

    // `--only json` or `--only page` times those requests alone (for profiling).
    let only = args.only.as_deref();
    let program_id = shape.program_id;
    if only.is_none() {
        counter_update(&db, shape.program_id)?;
    }
    drop(db);

    // Unions drawn from each level.
    let mut by_level: Vec<Vec<i64>> = vec![Vec::new(); 5];
    for (i, n) in nodes.iter().enumerate() {
        let l = usize::try_from(n.level).unwrap_or(0);
        if l == 0 || mix(i as u64 ^ 0xBEEF) % 100 < 5 {
            by_level[l].push(n.id);
        }
    }
    let rss_before = status_kib("VmRSS:");
    let reading = Reading {
        what: String::new(),
        query: String::new(),
        by_level,
    };
    let lines = time_dashboards(settings, program_id, &[reading], args, only)?;
    print_table(&lines);
    println!(
        "\nRSS before serving: {} MB, anonymous memory after: {} MB",
        rss_before / 1024,
        status_kib("RssAnon:") / 1024
    );
    Ok(())
}

/// One reading of the dashboards: the unions drawn at each level (by kind), and what the
/// query adds (`&as_of=…`).
pub(super) struct Reading {
    /// Its name in the table ("" for the only one).
    pub(super) what: String,
    pub(super) query: String,
    pub(super) by_level: Vec<Vec<i64>>,
}

/// Prints the table of [`time_dashboards`]'s lines.
pub(super) fn print_table(lines: &[String]) {
    println!();
    println!("| dashboard | unions drawn | requests | req/s | p50 ms | p95 ms | p99 ms |");
    println!("|---|---|---|---|---|---|---|");
    for l in lines {
        println!("{l}");
    }
}

/// Serves the application and, for each reading, as JSON then as the page (or only one, with
/// `only`), asks for the dashboards of each level's unions from C clients for S seconds; the
/// officer over the root signs in first. Returns the table's lines.
pub(super) fn time_dashboards(
    settings: Settings,
    program_id: i64,
    readings: &[Reading],
    args: &Args,
    only: Option<&str>,
) -> anyhow::Result<Vec<String>> {
    let clients = args.clients;
    let seconds = args.seconds;
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings, Some("127.0.0.1:0"))?;
        let base = format!("http://127.0.0.1:{}", app.port());
        let handle = app.handle();
        actix_web::rt::spawn(app.run_until_stopped());
        let client = reqwest::Client::new();
        let v: serde_json::Value = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({"login": OFFICER, "password": PASSWORD}))
            .send()
            .await?
            .json()
            .await?;
        let token = v["access_token"].as_str().unwrap_or_default().to_owned();
        anyhow::ensure!(!token.is_empty(), "sign-in failed: {v}");
        let mut lines = Vec::new();
        for reading in readings {
            let root_id = reading.by_level.first().and_then(|l| l.first()).copied().unwrap_or(1);
            let root: serde_json::Value = client
                .get(format!(
                    "{base}/api/v1/unions/{root_id}/dashboard?program_id={program_id}{}",
                    reading.query
                ))
                .bearer_auth(&token)
                .send()
                .await?
                .json()
                .await?;
            println!(
                "root{}: quota {}, approved {}, attainment {}%, {} children, {} timeline days, {} fields",
                if reading.what.is_empty() { String::new() } else { format!(" ({})", reading.what) },
                root["union"]["quota"],
                root["union"]["counts"]["approved"],
                root["union"]["attainment"],
                root["children"].as_array().map_or(0, Vec::len),
                root["timeline"].as_array().map_or(0, Vec::len),
                root["fields"].as_array().map_or(0, Vec::len),
            );
            let kinds = [false, true]
                .into_iter()
                .filter(|page| only.is_none_or(|o| (o == "page") == *page));
            for page in kinds {
                for (level, ids) in reading.by_level.iter().enumerate() {
                    if ids.is_empty() {
                        continue;
                    }
                    let ids = Arc::new(ids.clone());
                    let next = Arc::new(AtomicUsize::new(0));
                    let deadline = Instant::now() + Duration::from_secs(seconds);
                    let mut tasks = Vec::new();
                    for _ in 0..clients {
                        let (client, base, token, ids, next) = (
                            client.clone(),
                            base.clone(),
                            token.clone(),
                            ids.clone(),
                            next.clone(),
                        );
                        let query = reading.query.clone();
                        tasks.push(actix_web::rt::spawn(async move {
                            let mut ms = Vec::new();
                            let mut failures = Vec::new();
                            while Instant::now() < deadline {
                                let k = next.fetch_add(1, Ordering::Relaxed);
                                let id = ids[(mix(k as u64) as usize) % ids.len()];
                                let req = if page {
                                    client
                                        .get(format!(
                                            "{base}/don-vi/{id}/thanh-tich?program_id={program_id}{query}"
                                        ))
                                        .header("cookie", format!("sk_session={token}"))
                                } else {
                                    client
                                        .get(format!(
                                            "{base}/api/v1/unions/{id}/dashboard?program_id={program_id}{query}"
                                        ))
                                        .bearer_auth(&token)
                                };
                                let t = Instant::now();
                                match req.send().await {
                                    Ok(res) if res.status().is_success() => {
                                        if res.bytes().await.is_ok() {
                                            ms.push(t.elapsed().as_secs_f64() * 1e3);
                                        }
                                    }
                                    Ok(res) => failures.push(format!("{id}: {}", res.status())),
                                    Err(e) => failures.push(format!("{id}: {e}")),
                                }
                            }
                            (ms, failures)
                        }));
                    }
                    let mut all = Vec::new();
                    let mut failures = Vec::new();
                    for t in tasks {
                        let (ms, f) = t.await?;
                        all.extend(ms);
                        failures.extend(f);
                    }
                    anyhow::ensure!(
                        failures.is_empty(),
                        "{} requests failed, first: {}",
                        failures.len(),
                        failures[0]
                    );
                    let what = if page { "page" } else { "JSON" };
                    let level_name = UnionKind::from_i32(i32::try_from(level).unwrap_or(0))
                        .map_or("", UnionKind::label);
                    let reading_name = if reading.what.is_empty() {
                        String::new()
                    } else {
                        format!("{}, ", reading.what)
                    };
                    lines.push(summary(
                        &format!("{reading_name}{what}, level {level} ({level_name})"),
                        ids.len(),
                        all,
                        seconds,
                    ));
                }
            }
        }
        handle.stop(true).await;
        Ok(lines)
    })
}
