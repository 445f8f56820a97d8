//! `--reorganise`: the national reorganisation of 1 July 2025 at scale — 63 provinces merged
//! into 34 and every district federation dissolved — on the dashboard bench's tree.
//!
//! The tree as it stood before (104,644 unions: 63 provinces with their real names, 10
//! upper-level unions each, of which 7 are district federations (LĐLĐ huyện) and 3 the
//! province's Công đoàn Viên chức, a Công đoàn ngành and the Công đoàn các Khu công nghiệp; 15
//! grassroots unions under each and 10 groups under each of those), the program's two phases
//! around the change (1 January – 30 June 2025, then 1 July 2025 – 31 December 2026) and N
//! initiatives over both, with their counts (`dashboard.rs` seeds it all).
//!
//! The plan, as the Tổng Liên đoàn's officer lists it: each province that loses its name merged
//! into the one that keeps it (29 rows) and its three remaining upper-level unions into their
//! counterparts there (87 rows); every district federation dissolved (441 rows), with its
//! grassroots unions moved up to the province it ends in (95%) or ended with their groups (5%,
//! 6,615 rows in all). It is written as a CSV plan file and read by `plan_file::parse`, then
//! tried (dry run) and applied by `service::reorganisations::apply`, each timed. Then the
//! dashboards at each level in both readings (the current structure, and `?as_of=` the day
//! before the change, on the old tree's unions), and `recount --verify` (`counts::drift`).
//!
//! Applying changes the data, so the seeded database is kept aside first (a copy of the
//! SQLite file, or a PostgreSQL template database named `<database>_before`) and `--reuse`
//! starts again from it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use sangkien::config::Settings;
use sangkien::db::{self, DatabaseUrl, Db, counts};
use sangkien::domain::UnionKind;
use sangkien::service;
use sangkien::service::reorganisations::plan_file;

use super::dashboard::{self, DISTRICTS_PER_PROVINCE, Node, Reading, UPPER_PER_PROVINCE, mix};
use super::provinces::MERGERS;
use super::{Args, status_kib};

/// The day the change takes effect, and the day before it (the old tree's last).
fn change_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).unwrap_or_default()
}

const DECISION: &str = "1234/QĐ-TLĐ";

/// A Vietnamese midnight in UTC.
fn vn_midnight(y: i32, m: u32, d: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
        - chrono::Duration::hours(7)
}

/// Where the database lives, and its copy as seeded.
enum Store {
    Sqlite { live: PathBuf, before: PathBuf },
    Postgres { url: String, name: String },
}

impl Store {
    fn of(url: &str) -> anyhow::Result<Self> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            let live = PathBuf::from(path);
            let before = live.with_extension("before.db");
            return Ok(Self::Sqlite { live, before });
        }
        let name = url
            .rsplit('/')
            .next()
            .and_then(|n| n.split('?').next())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| anyhow::anyhow!("no database name in {url}"))?
            .to_owned();
        Ok(Self::Postgres {
            url: url.to_owned(),
            name,
        })
    }

    /// A connection to the server's `postgres` database, to create and drop others.
    fn admin(url: &str, name: &str) -> anyhow::Result<diesel::PgConnection> {
        let base = url
            .rfind(name)
            .map_or(url, |i| &url[..i])
            .trim_end_matches('/');
        Ok(diesel::PgConnection::establish(&format!(
            "{base}/postgres"
        ))?)
    }

    /// Puts back the database as seeded; false when there is no copy.
    fn restore(&self) -> anyhow::Result<bool> {
        match self {
            Self::Sqlite { live, before } => {
                if !before.exists() {
                    return Ok(false);
                }
                for ext in ["db-wal", "db-shm"] {
                    let _ = std::fs::remove_file(live.with_extension(ext));
                }
                std::fs::copy(before, live)?;
                Ok(true)
            }
            Self::Postgres { url, name } => {
                let mut c = Self::admin(url, name)?;
                let exists: i64 = diesel::sql_query(format!(
                    "SELECT count(*) AS n FROM pg_database WHERE datname = '{name}_before'"
                ))
                .get_result::<Count>(&mut c)?
                .n;
                if exists == 0 {
                    return Ok(false);
                }
                diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut c)?;
                diesel::sql_query(format!(
                    "CREATE DATABASE \"{name}\" TEMPLATE \"{name}_before\""
                ))
                .execute(&mut c)?;
                Ok(true)
            }
        }
    }

    /// An empty database to seed.
    fn fresh(&self) -> anyhow::Result<()> {
        match self {
            Self::Sqlite { live, before } => {
                for p in [
                    live.clone(),
                    live.with_extension("db-wal"),
                    live.with_extension("db-shm"),
                    before.clone(),
                ] {
                    let _ = std::fs::remove_file(p);
                }
            }
            Self::Postgres { url, name } => {
                let mut c = Self::admin(url, name)?;
                for db in [format!("{name}_before"), name.clone()] {
                    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"))
                        .execute(&mut c)?;
                }
                diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut c)?;
            }
        }
        Ok(())
    }

    /// Keeps the seeded database aside (no connection may be open to it).
    fn snapshot(&self) -> anyhow::Result<()> {
        match self {
            Self::Sqlite { live, before } => {
                std::fs::copy(live, before)?;
            }
            Self::Postgres { url, name } => {
                let mut c = Self::admin(url, name)?;
                diesel::sql_query(format!(
                    "CREATE DATABASE \"{name}_before\" TEMPLATE \"{name}\""
                ))
                .execute(&mut c)?;
            }
        }
        Ok(())
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The plan file's rows: (action, code, new parent code, successor code).
fn plan_csv(nodes: &[Node]) -> (String, BTreeMap<&'static str, usize>) {
    let mut kids: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        if let Some(p) = n.parent {
            kids[p].push(i);
        }
    }
    let code = |i: usize| format!("U{}", nodes[i].id);
    let provinces = &kids[0];
    let mut out = String::from(
        "Thao tác,Mã đơn vị,Mã đơn vị cấp trên mới,Mã đơn vị kế thừa,Ngày hiệu lực,Số quyết định\n",
    );
    let mut tally: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut first = true;
    let mut row =
        |out: &mut String, action: &'static str, code: String, parent: &str, succ: &str| {
            let (day, decision) = if first {
                first = false;
                ("01/07/2025", DECISION)
            } else {
                ("", "")
            };
            let _ = writeln!(out, "{action},{code},{parent},{succ},{day},{decision}");
            *tally.entry(action).or_default() += 1;
        };
    let mut at = 0;
    for (_, old) in MERGERS {
        let group: Vec<usize> = provinces[at..at + old.len()].to_vec();
        at += old.len();
        let keeper = group[0];
        for &m in &group[1..] {
            row(&mut out, "hợp nhất", code(m), "", &code(keeper));
            // Its Công đoàn Viên chức, ngành and KCN into the keeper's.
            let theirs = &kids[m][DISTRICTS_PER_PROVINCE..UPPER_PER_PROVINCE];
            let ours = &kids[keeper][DISTRICTS_PER_PROVINCE..UPPER_PER_PROVINCE];
            for (&u, &v) in theirs.iter().zip(ours) {
                row(&mut out, "hợp nhất", code(u), "", &code(v));
            }
        }
        for &p in &group {
            for &d in &kids[p][..DISTRICTS_PER_PROVINCE] {
                row(&mut out, "giải thể", code(d), "", "");
                for &g in &kids[d] {
                    if mix(nodes[g].id as u64 ^ 0x5A) % 100 < 5 {
                        row(&mut out, "kết thúc hoạt động", code(g), "", "");
                    } else {
                        row(&mut out, "chuyển", code(g), &code(keeper), "");
                    }
                }
            }
        }
    }
    (out, tally)
}

/// Times `f`, in seconds.
fn timed<T>(f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<(T, f64)> {
    let t = Instant::now();
    let v = f()?;
    Ok((v, t.elapsed().as_secs_f64()))
}

/// Runs the reorganisation bench.
pub fn reorganise_bench(settings: Settings, args: &Args, url: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    let store = Store::of(url)?;
    let nodes = dashboard::tree();
    let restored = args.reuse && store.restore()?;
    let connect = || -> anyhow::Result<Db> {
        let db = Db::connect(&DatabaseUrl::parse(url).map_err(anyhow::Error::msg)?, 4)?;
        db.migrate()?;
        Ok(db)
    };
    let (db, program_id) = if restored {
        println!(
            "restored the database as seeded ({:.0} s)",
            started.elapsed().as_secs_f64()
        );
        let db = connect()?;
        let shape = db
            .blocking_read(dashboard::seeded)?
            .ok_or_else(|| anyhow::anyhow!("the kept copy holds no seeded program"))?;
        (db, shape.program_id)
    } else {
        store.fresh()?;
        let db = connect()?;
        println!(
            "seeding {} unions and {} initiatives as they stood before 1 July 2025…",
            nodes.len(),
            args.docs
        );
        let windows = [
            (vn_midnight(2025, 1, 1), vn_midnight(2025, 7, 1)),
            (vn_midnight(2025, 7, 1), vn_midnight(2027, 1, 1)),
        ];
        let shape = dashboard::seed(&db, &nodes, args.docs, started, windows)?;
        drop(db);
        let ((), s) = timed(|| store.snapshot())?;
        println!("kept the seeded database aside ({s:.0} s)");
        (connect()?, shape.program_id)
    };
    let already: i64 = db.blocking_read(|conn| {
        use sangkien::db::schema::reorganisations;
        Ok(reorganisations::table.count().get_result(conn)?)
    })?;
    anyhow::ensure!(
        already == 0,
        "the database was reorganised already: run without --reuse to seed it again"
    );

    // The plan file, as the national officer writes it, read through the real parser.
    let (csv, tally) = plan_csv(&nodes);
    let file = args.dir.join("phuong-an-2025.csv");
    std::fs::write(&file, &csv)?;
    let (plan, parse_s) = timed(|| {
        let bytes = std::fs::read(&file)?;
        plan_file::parse(&bytes, &plan_file::Given::default())
            .map_err(|e| anyhow::anyhow!("{}: {:?}", e.message, e.details))
    })?;
    println!(
        "plan {}: {} rows ({}), read in {:.2} s",
        file.display(),
        plan.rows.len(),
        tally
            .iter()
            .map(|(a, n)| format!("{n} {a}"))
            .collect::<Vec<_>>()
            .join(", "),
        parse_s
    );
    let author: i64 = db.blocking_read(|conn| {
        use sangkien::db::schema::users;
        Ok(users::table
            .filter(users::email.eq(dashboard::OFFICER))
            .select(users::id)
            .first(conn)?)
    })?;
    let actor = db
        .blocking_read(move |conn| service::auth::actor_in(conn, author))?
        .map(|(_, a)| a)
        .ok_or_else(|| anyhow::anyhow!("the officer cannot act"))?;

    let run = |dry_run: bool| -> anyhow::Result<(service::reorganisations::Report, f64)> {
        let (plan, actor, db) = (plan.clone(), actor.clone(), db.clone());
        timed(move || {
            actix_web::rt::System::new()
                .block_on(service::reorganisations::apply(&db, &actor, plan, dry_run))
                .map_err(|e| anyhow::anyhow!("{}: {:?}", e.message, e.details))
        })
    };
    let (dry, dry_s) = run(true)?;
    println!(
        "dry run: {dry_s:.1} s — {} changes, {} initiatives re-scoped, {} members moved",
        dry.changes.len(),
        dry.initiatives_rescoped,
        dry.members_moved
    );
    let (report, apply_s) = run(false)?;
    println!(
        "apply: {apply_s:.1} s — {} changes, {} initiatives re-scoped, {} members moved; {}",
        report.changes.len(),
        report.initiatives_rescoped,
        report.members_moved,
        report.summary
    );
    if db.backend() == db::Backend::Postgres {
        let ((), s) = timed(|| {
            db.blocking_read(|conn| {
                diesel::sql_query("ANALYZE").execute(conn)?;
                Ok(())
            })?;
            Ok(())
        })?;
        println!("ANALYZE after the change: {s:.1} s");
    }

    // The unions drawn at each level (5%, the root alone): now, among those in operation;
    // as of the day before, among the old tree's.
    let before = change_day() - chrono::Duration::days(1);
    let mut old_levels: Vec<Vec<i64>> = vec![Vec::new(); 5];
    for (i, n) in nodes.iter().enumerate() {
        let l = usize::try_from(n.level).unwrap_or(0);
        if l == 0 || mix(i as u64 ^ 0xBEEF) % 100 < 5 {
            old_levels[l].push(n.id);
        }
    }
    let active: Vec<(i64, i32)> = db.blocking_read(|conn| {
        use sangkien::db::schema::unions;
        Ok(unions::table
            .filter(unions::active.eq(true))
            .select((unions::id, unions::level))
            .load(conn)?)
    })?;
    let mut new_levels: Vec<Vec<i64>> = vec![Vec::new(); 5];
    for (id, level) in active {
        let l = usize::try_from(level).unwrap_or(0).min(4);
        if l == 0 || mix(id as u64 ^ 0xBEEF) % 100 < 5 {
            new_levels[l].push(id);
        }
    }
    let per_level = |levels: &[Vec<i64>]| {
        levels
            .iter()
            .enumerate()
            .map(|(l, ids)| {
                format!(
                    "{} {}",
                    ids.len(),
                    UnionKind::from_i32(i32::try_from(l).unwrap_or(0))
                        .map_or("", UnionKind::as_str)
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "drawn now: {}; as of {before}: {}",
        per_level(&new_levels),
        per_level(&old_levels)
    );

    // recount --verify, before serving (the server is the bench's own process).
    let (drift, verify_s) = timed(|| Ok(db.blocking_read(|conn| Ok(counts::drift(conn)?))?))?;
    drop(db);

    let readings = [
        Reading {
            what: "now".into(),
            query: String::new(),
            by_level: new_levels,
        },
        Reading {
            what: format!("as of {before}"),
            query: format!("&as_of={before}"),
            by_level: old_levels,
        },
    ];
    let lines =
        dashboard::time_dashboards(settings, program_id, &readings, args, args.only.as_deref())?;
    dashboard::print_table(&lines);
    println!();
    println!("| step | seconds |");
    println!("|---|---|");
    println!(
        "| read the plan file ({} rows) | {parse_s:.2} |",
        plan.rows.len()
    );
    println!("| dry run | {dry_s:.1} |");
    println!("| apply | {apply_s:.1} |");
    println!("| recount --verify | {verify_s:.1} |");
    println!();
    if drift.is_empty() {
        println!("recount --verify: clean (no drift)");
    } else {
        println!("recount --verify: {} lines of drift, first:", drift.len());
        for l in drift.iter().take(10) {
            println!("  {l}");
        }
    }
    println!(
        "peak RSS {} MB (bench process: apply, server and clients)",
        status_kib("VmHWM:") / 1024
    );
    Ok(())
}
