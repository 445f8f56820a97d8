//! `--export`: a union officer's exports over HTTP with N initiatives under their union.
//!
//! A national program; the officer's province (5 grassroots unions, 50 authors) holds the N
//! initiatives, the three other provinces as many again (so that the subtree is a range of
//! the program, not all of it). Statuses as a program in its second phase: 60% approved, 15%
//! submitted, 10% under review, 5% returned, 5% rejected, 3% duplicate, 2% revoked; every
//! fifth has a co-author, every 25th is confidential. The rows are written straight into the
//! tables, then the counts are built from them, as after a bulk load.
//!
//! Then, one request at a time (an officer downloading a report): the export of all N
//! initiatives as XLSX and as CSV, the dashboard's table as XLSX, and the list's first and
//! last pages as JSON; each R times after one warm-up, reporting the median and the worst.

use std::time::Instant;

use diesel::prelude::*;
use sangkien::app::Application;
use sangkien::config::Settings;
use sangkien::db::schema::{initiative_authors, initiatives};
use sangkien::db::{self, Db, DbConn, unions};
use sangkien::domain::{PhaseWindow, Role, UnionKind};
use sangkien::error::AppError;
use sangkien::service;

use super::{Args, percentile, status_kib};

const PROVINCES: usize = 4;
const GRASSROOTS: usize = 5;
const AUTHORS: usize = 50;
const BATCH: usize = 1_000;
const RUNS: usize = 5;
const PASSWORD: &str = "bench-password";
const OFFICER: &str = "officer@bench.vn";

struct Shape {
    program_id: i64,
    field_id: i64,
    /// The officer's province.
    province_id: i64,
    /// Grassroots unions by province: (id, path).
    grass: Vec<Vec<(i64, String)>>,
    /// Authors in the officer's province, and one in each other province.
    authors: Vec<i64>,
    others: Vec<i64>,
}

fn structure(conn: &mut DbConn, hash: &str) -> Result<Shape, AppError> {
    let now = db::now();
    let union = |conn: &mut DbConn,
                 parent: Option<&unions::UnionRow>,
                 level: UnionKind,
                 code: &str,
                 name: &str|
     -> Result<unions::UnionRow, AppError> {
        Ok(unions::insert(
            conn,
            &unions::NewUnion {
                parent,
                level: level.as_i32(),
                code,
                name,
                short_name: None,
                cluster: Some("Cụm thi đua số 1"),
                member_count: 400,
                now,
            },
        )?)
    };
    let root = union(
        conn,
        None,
        UnionKind::National,
        "BENCH",
        "Tổng Liên đoàn (bench)",
    )?;
    let mut provinces = Vec::new();
    let mut grass = Vec::new();
    for p in 0..PROVINCES {
        let prov = union(
            conn,
            Some(&root),
            UnionKind::Province,
            &format!("P{p}"),
            &format!("LĐLĐ tỉnh Số {p}"),
        )?;
        let mut mine = Vec::new();
        for g in 0..GRASSROOTS {
            let u = union(
                conn,
                Some(&prov),
                UnionKind::DirectUpper,
                &format!("P{p}-G{g}"),
                &format!("Công đoàn Viên chức huyện {p}-{g}"),
            )?;
            mine.push((u.id, u.path));
        }
        grass.push(mine);
        provinces.push(prov);
    }
    let window = PhaseWindow::new(
        now - chrono::Duration::days(60),
        now + chrono::Duration::days(30),
    )
    .ok_or_else(|| AppError::unexpected("window"))?;
    let program = service::seed::open_program_in(
        conn,
        &service::programs::NewProgramInput {
            code: "EXPORT".into(),
            name: "Chương trình 1 triệu sáng kiến (bench)".into(),
            description: String::new(),
            owner_union_id: root.id,
            applied_from: None,
            applied_to: None,
            target_count: Some(1_000_000),
            phases: vec![service::programs::PhaseInput {
                name: "Đợt 1".into(),
                window,
            }],
            fields: vec![service::programs::FieldInput {
                code: "chuyen-doi-so".into(),
                name: "Chuyển đổi số".into(),
            }],
        },
    )?;
    let person = |conn: &mut DbConn, email: &str, name: &str, union_id: i64| {
        service::users::create_in(
            conn,
            None,
            &service::users::NewUserInput {
                member_code: None,
                full_name: name.to_owned(),
                email: email.to_owned(),
                phone: None,
                union_id,
                password: None,
            },
            Some(hash),
        )
        .map(|d| d.user.id)
    };
    let mut authors = Vec::new();
    for a in 0..AUTHORS {
        let union_id = grass[0][a % GRASSROOTS].0;
        authors.push(person(
            conn,
            &format!("a{a:02}@bench.vn"),
            &format!("Nguyễn Thị Tác Giả {a:02}"),
            union_id,
        )?);
    }
    let mut others = Vec::new();
    for (p, g) in grass.iter().enumerate().skip(1) {
        others.push(person(
            conn,
            &format!("o{p}@bench.vn"),
            &format!("Trần Văn Khác {p}"),
            g[0].0,
        )?);
    }
    let officer = person(conn, OFFICER, "Lê Văn Cán Bộ", provinces[0].id)?;
    service::users::grant_in(
        conn,
        None,
        officer,
        &service::users::GrantInput {
            role: Role::UnionOfficer,
            union_id: provinces[0].id,
            program_id: None,
        },
    )?;
    Ok(Shape {
        program_id: program.id,
        field_id: program.fields.first().map_or(0, |f| f.id),
        province_id: provinces[0].id,
        grass,
        authors,
        others,
    })
}

fn status_of(i: usize) -> &'static str {
    match i % 100 {
        0..60 => "approved",
        60..75 => "submitted",
        75..85 => "under_review",
        85..90 => "returned",
        90..95 => "rejected",
        95..98 => "duplicate",
        _ => "revoked",
    }
}

/// Initiatives `from..from + n`: the first `mine` of all go to the officer's province.
fn store_batch(
    conn: &mut DbConn,
    s: &Shape,
    from: usize,
    n: usize,
    mine: usize,
) -> Result<(), AppError> {
    let now = db::now();
    for i in from..from + n {
        let (province, author) = if i < mine {
            (0, s.authors[i % AUTHORS])
        } else {
            let p = 1 + i % (PROVINCES - 1);
            (p, s.others[p - 1])
        };
        let (union_id, _) = &s.grass[province][i % GRASSROOTS];
        let status = status_of(i);
        let minutes = i64::try_from(i).unwrap_or(0) % (60 * 24 * 55);
        let submitted = now - chrono::Duration::minutes(60 * 24 * 56 - minutes);
        let decided = matches!(status, "approved" | "rejected" | "duplicate" | "revoked")
            .then(|| submitted + chrono::Duration::days(3));
        let id: i64 = diesel::insert_into(initiatives::table)
            .values((
                initiatives::program_id.eq(s.program_id),
                initiatives::field_id.eq(s.field_id),
                initiatives::union_id.eq(union_id),
                initiatives::author_id.eq(author),
                initiatives::title.eq(format!(
                    "Sáng kiến số {i}: số hoá hồ sơ lưu trữ và tra cứu văn bản ở đơn vị {}",
                    i % 97
                )),
                initiatives::solution.eq("Quét hồ sơ, đặt tên tệp thống nhất, lập chỉ mục."),
                initiatives::confidential.eq(i % 25 == 0),
                initiatives::status.eq(status),
                initiatives::version.eq(1),
                initiatives::submitted_at.eq(submitted),
                initiatives::decided_at.eq(decided),
                initiatives::receipt_no.eq(format!("SK2026-{:07}", i + 1)),
                initiatives::created_at.eq(submitted),
                initiatives::updated_at.eq(now),
            ))
            .returning(initiatives::id)
            .get_result(conn)?;
        let mut people = vec![author];
        if i % 5 == 0 && i < mine {
            people.push(s.authors[(i + 1) % AUTHORS]);
        }
        for (k, user) in people.iter().enumerate() {
            diesel::insert_into(initiative_authors::table)
                .values((
                    initiative_authors::initiative_id.eq(id),
                    initiative_authors::user_id.eq(user),
                    initiative_authors::share_percent.eq(if people.len() == 1 { 100 } else { 50 }),
                    initiative_authors::position.eq(i32::try_from(k).unwrap_or(0)),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// One timed request's figures.
struct Timing {
    name: String,
    median_ms: f64,
    max_ms: f64,
    bytes: usize,
    lines: usize,
}

pub fn export_bench(settings: Settings, db: Db, args: &Args) -> anyhow::Result<()> {
    let mine = args.docs;
    let total = mine * 2;
    println!("seeding {mine} initiatives under the officer's province, {total} in the program…");
    let started = Instant::now();
    let hash = sangkien::auth::password::hash(PASSWORD)?;
    let shape = db.blocking_write(|conn| structure(conn, &hash))?;
    let mut done = 0;
    while done < total {
        let n = (total - done).min(BATCH);
        db.blocking_write(|conn| store_batch(conn, &shape, done, n, mine))?;
        done += n;
    }
    // Rows written past `transition`: build the counts from them, as start-up would.
    db.blocking_write(|conn| Ok(sangkien::db::counts::rebuild(conn)?))?;
    if db.backend() == db::Backend::Postgres {
        // What autovacuum does after such a load: statistics and the visibility map.
        db.blocking_read(|conn| {
            diesel::sql_query("VACUUM ANALYZE").execute(conn)?;
            diesel::sql_query("CHECKPOINT").execute(conn)?;
            Ok(())
        })?;
    }
    println!("seeded in {:.1} s", started.elapsed().as_secs_f64());
    let (program, province) = (shape.program_id, shape.province_id);
    drop(db);

    let timings = actix_web::rt::System::new().block_on(async move {
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
        let first: serde_json::Value = client
            .get(format!(
                "{base}/api/v1/unions/{province}/initiatives?program_id={program}&per_page=50"
            ))
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        let pages = first["pages"].as_i64().unwrap_or(1);
        println!(
            "the province's list: {} initiatives, {pages} pages of 50",
            first["total"]
        );
        let list = format!("{base}/api/v1/unions/{province}/initiatives?program_id={program}");
        let export = format!(
            "{base}/api/v1/unions/{province}/initiatives/export?program_id={program}"
        );
        let requests = [
            ("initiatives export, XLSX".to_owned(), format!("{export}&format=xlsx")),
            ("initiatives export, CSV".to_owned(), format!("{export}&format=csv")),
            (
                "initiatives export, approved only, XLSX".to_owned(),
                format!("{export}&format=xlsx&status=approved"),
            ),
            (
                "dashboard export, XLSX".to_owned(),
                format!(
                    "{base}/api/v1/unions/{province}/dashboard/export?program_id={program}&format=xlsx"
                ),
            ),
            ("list, first page (JSON)".to_owned(), format!("{list}&page=1")),
            ("list, last page (JSON)".to_owned(), format!("{list}&page={pages}")),
        ];
        let mut out = Vec::new();
        for (name, url) in requests {
            let mut times = Vec::new();
            let mut bytes = 0;
            let mut lines = 0;
            for run in 0..=RUNS {
                let t = Instant::now();
                let res = client.get(&url).bearer_auth(&token).send().await?;
                let status = res.status();
                let body = res.bytes().await?;
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                anyhow::ensure!(
                    status.is_success(),
                    "{name}: {status} {}",
                    String::from_utf8_lossy(&body)
                );
                if run > 0 {
                    times.push(ms);
                }
                bytes = body.len();
                lines = body.iter().filter(|b| **b == b'\n').count();
            }
            times.sort_by(f64::total_cmp);
            out.push(Timing {
                name,
                median_ms: percentile(&times, 0.5),
                max_ms: times.last().copied().unwrap_or(0.0),
                bytes,
                lines,
            });
        }
        handle.stop(true).await;
        Ok::<_, anyhow::Error>(out)
    })?;
    println!(
        "\n{:<42} {:>10} {:>10} {:>12} {:>8}",
        "request (one at a time)", "median ms", "worst ms", "bytes", "lines"
    );
    for t in &timings {
        println!(
            "{:<42} {:>10.1} {:>10.1} {:>12} {:>8}",
            t.name, t.median_ms, t.max_ms, t.bytes, t.lines
        );
    }
    println!("peak memory (VmHWM): {} MiB", status_kib("VmHWM:") / 1024);
    Ok(())
}
