//! `seed`: a database and data folder ready for deadline-day load.
//!
//! - A union tree as it stands since 1 July 2025, when 63 provinces became 34 and the district
//!   federations (LĐLĐ huyện) were dissolved: the Tổng Liên đoàn, P provincial federations (34
//!   by default, with the real names, in emulation clusters of 7), and under each the direct
//!   upper-level unions that remain (Công đoàn Viên chức, a Công đoàn ngành, Công đoàn các
//!   Khu công nghiệp), 8 grassroots unions under each of those, and 13 grassroots unions
//!   directly under the federation: 37 grassroots unions a province (1,258 at 34).
//! - An open national program with 10 fields and one phase that opened 60 days ago and closes
//!   tomorrow (the deadline), its review stage moved to province level (as a program
//!   administrator would), one committee of R reviewers (one chair) per province.
//! - M members spread over the grassroots unions (bulk `INSERT`s, each with a member grant),
//!   one officer per province plus one over the whole country; every account has the same
//!   password, hashed once.
//! - N initiatives written by bulk `INSERT`s (1,000 a transaction) with text from
//!   `search_index::synth::Generator`, as the other benches do: 45% approved, 25% submitted,
//!   10% under review (each with its submitted version, an open case at its province's
//!   committee and one reviewer assigned in turn: the reviewers' queues), 12% rejected, 3%
//!   returned, 3% duplicates, 2% revoked; submitted over the last 60 days.
//! - Then the counts as `sangkien recount` builds them and the board's counters, `VACUUM
//!   ANALYZE` and a checkpoint on PostgreSQL, and the search index rebuilt in `DIR/index` as
//!   `sangkien reindex` does.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use diesel::prelude::*;
use sangkien::db::review as rq;
use sangkien::db::schema::{
    initiative_authors, initiative_versions, initiatives, review_assignments, review_cases,
    role_grants, users as us,
};
use sangkien::db::{self, DatabaseUrl, Db, DbConn, unions};
use sangkien::domain::initiative::decision_due;
use sangkien::domain::{PhaseWindow, Role, UnionKind, UserStatus};
use sangkien::error::AppError;
use sangkien::on_backend;
use sangkien::search::SearchService;
use sangkien::service;
use search_index::synth::{Generator, InitiativeText};

use crate::accounts::{AccountFile, Officer};
use crate::provinces::{self, MERGERS};

/// `seed` options.
#[derive(Debug, Args)]
pub struct SeedArgs {
    /// The database (`postgres://…` or `sqlite://…`); must be empty (no initiatives).
    #[arg(long)]
    pub database_url: String,
    /// The server's data folder: the index is built in DIR/index, the accounts written to
    /// DIR/load-accounts.json.
    #[arg(long)]
    pub data_dir: PathBuf,
    /// Initiatives stored.
    #[arg(long, default_value_t = 1_000_000)]
    pub initiatives: usize,
    /// Member accounts.
    #[arg(long, default_value_t = 10_000)]
    pub members: usize,
    /// Provinces (each with 37 grassroots unions, a committee and an officer); beyond the 34
    /// real ones they are numbered.
    #[arg(long, default_value_t = 34)]
    pub provinces: usize,
    /// Reviewers per province committee (the first chairs it).
    #[arg(long, default_value_t = 8)]
    pub reviewers: usize,
    /// The password of every account.
    #[arg(long, default_value = "tai-thu-2026")]
    pub password: String,
    /// Skip rebuilding the search index (the server then rebuilds it at start).
    #[arg(long)]
    pub no_reindex: bool,
}

/// The direct upper-level unions a province keeps since 2025 (the district federations are
/// gone): name before the province's, and the code's suffix.
const UPPER: [(&str, &str); 3] = [
    ("Công đoàn Viên chức", "VC"),
    ("Công đoàn ngành Giáo dục", "GD"),
    ("Công đoàn các Khu công nghiệp", "KCN"),
];
const GRASSROOTS_PER_UPPER: usize = 8;
/// Grassroots unions directly under the provincial federation.
const GRASSROOTS_UNDER_PROVINCE: usize = 13;
const FIELDS: usize = 10;
const BATCH: usize = 1_000;

/// A grassroots union: id, path, province index.
type Grass = (i64, String, usize);

/// What the structure step made.
struct Shape {
    program_id: i64,
    stage_id: i64,
    phase_id: i64,
    fields: Vec<i64>,
    grass: Vec<Grass>,
    /// Per province: committee id and its members.
    committees: Vec<(i64, Vec<i64>)>,
    reviewer_logins: Vec<String>,
    officers: Vec<Officer>,
}

/// A member account: id, union index in `grass`.
type Member = (i64, usize);

/// A cheap, fixed hash.
fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The status of the i-th initiative (per mille shares of a program in its last days).
fn status_of(h: u64) -> &'static str {
    match h % 1000 {
        0..450 => "approved",
        450..700 => "submitted",
        700..800 => "under_review",
        800..920 => "rejected",
        920..950 => "returned",
        950..980 => "duplicate",
        _ => "revoked",
    }
}

/// The login of the i-th member.
pub fn member_login(i: usize) -> String {
    format!("dv{i:05}@tai-thu.vn")
}

fn new_user(
    conn: &mut DbConn,
    email: String,
    name: String,
    union_id: i64,
    hash: &str,
) -> Result<i64, AppError> {
    Ok(service::users::create_in(
        conn,
        None,
        &service::users::NewUserInput {
            member_code: None,
            full_name: name,
            email,
            phone: None,
            union_id,
            password: None,
        },
        Some(hash),
    )?
    .user
    .id)
}

fn structure(conn: &mut DbConn, args: &SeedArgs, hash: &str) -> Result<Shape, AppError> {
    let now = db::now();
    let union = |conn: &mut DbConn,
                 parent: Option<&unions::UnionRow>,
                 level: UnionKind,
                 code: &str,
                 name: &str,
                 cluster: Option<&str>,
                 members: i32| {
        unions::insert(
            conn,
            &unions::NewUnion {
                parent,
                level: level.as_i32(),
                code,
                name,
                short_name: None,
                cluster,
                member_count: members,
                now,
            },
        )
    };
    let root = union(
        conn,
        None,
        UnionKind::National,
        "TLD",
        "Tổng Liên đoàn Lao động Việt Nam (tải thử)",
        None,
        0,
    )?;
    let mut provinces = Vec::new();
    let mut grass = Vec::new();
    for p in 0..args.provinces {
        let cluster = format!("Cụm thi đua số {}", p / 7 + 1);
        let place = match MERGERS.get(p) {
            Some((name, _)) => provinces::with_kind(name),
            None => format!("tỉnh số {p}"),
        };
        let prov = union(
            conn,
            Some(&root),
            UnionKind::Province,
            &format!("T{p:02}"),
            &format!("LĐLĐ {place}"),
            Some(&cluster),
            0,
        )?;
        for (u, (upper_name, suffix)) in UPPER.iter().enumerate() {
            let upper = union(
                conn,
                Some(&prov),
                UnionKind::DirectUpper,
                &format!("T{p:02}-{suffix}"),
                &format!("{upper_name} {place}"),
                None,
                0,
            )?;
            for g in 0..GRASSROOTS_PER_UPPER {
                let row = union(
                    conn,
                    Some(&upper),
                    UnionKind::Grassroots,
                    &format!("T{p:02}-{suffix}-{g}"),
                    &format!("Công đoàn cơ sở {p}-{u}-{g}"),
                    None,
                    150,
                )?;
                grass.push((row.id, row.path.clone(), p));
            }
        }
        // Since 2025 a grassroots union may sit directly under the provincial federation.
        for g in 0..GRASSROOTS_UNDER_PROVINCE {
            let row = union(
                conn,
                Some(&prov),
                UnionKind::Grassroots,
                &format!("T{p:02}-CS{g:02}"),
                &format!("Công đoàn cơ sở {p}-{g}"),
                None,
                150,
            )?;
            grass.push((row.id, row.path.clone(), p));
        }
        provinces.push(prov);
    }
    let day = chrono::Duration::days;
    // Deadline day: the phase closes tomorrow.
    let window = PhaseWindow::new(now - day(60), now + day(1))
        .ok_or_else(|| AppError::unexpected("window"))?;
    let program = service::seed::open_program_in(
        conn,
        &service::programs::NewProgramInput {
            code: "TAITHU".into(),
            name: "1 triệu sáng kiến (tải thử)".into(),
            description: "Chương trình dùng để đo tải ngày cuối hạn nộp.".into(),
            owner_union_id: root.id,
            applied_from: None,
            applied_to: None,
            target_count: Some(1_000_000),
            phases: vec![service::programs::PhaseInput {
                name: "Đợt cuối".into(),
                window,
            }],
            fields: service::seed::numbered_fields("LV", FIELDS),
        },
    )?;
    // As a program administrator would: each province's committee reviews its own.
    let stage = service::seed::review_by_provinces_in(conn, program.id)?;
    let mut committees = Vec::new();
    let mut reviewer_logins = Vec::new();
    let mut officers = Vec::new();
    for (p, prov) in provinces.iter().enumerate() {
        let committee = rq::insert_committee(
            conn,
            program.id,
            stage.id,
            prov.id,
            &format!("Hội đồng sáng kiến {}", prov.name),
            now,
        )?;
        let mut members = Vec::new();
        for m in 0..args.reviewers.max(1) {
            let login = format!("hd{p:02}-{m:02}@tai-thu.vn");
            let uid = new_user(
                conn,
                login.clone(),
                format!("Thành viên hội đồng {p}-{m}"),
                prov.id,
                hash,
            )?;
            rq::put_member(conn, committee, uid, m == 0, now)?;
            sangkien::db::users::grant(
                conn,
                uid,
                Role::Reviewer.as_str(),
                prov.id,
                Some(program.id),
                None,
                now,
            )?;
            members.push(uid);
            reviewer_logins.push(login);
        }
        committees.push((committee, members));
        let login = format!("cb{p:02}@tai-thu.vn");
        let uid = new_user(
            conn,
            login.clone(),
            format!("Cán bộ {}", prov.name),
            prov.id,
            hash,
        )?;
        sangkien::db::users::grant(
            conn,
            uid,
            Role::UnionOfficer.as_str(),
            prov.id,
            None,
            None,
            now,
        )?;
        officers.push(Officer {
            login,
            union_id: prov.id,
        });
    }
    let login = "cb-tw@tai-thu.vn".to_owned();
    let uid = new_user(
        conn,
        login.clone(),
        "Cán bộ Tổng Liên đoàn".into(),
        root.id,
        hash,
    )?;
    sangkien::db::users::grant(
        conn,
        uid,
        Role::UnionOfficer.as_str(),
        root.id,
        None,
        None,
        now,
    )?;
    officers.push(Officer {
        login,
        union_id: root.id,
    });
    Ok(Shape {
        program_id: program.id,
        stage_id: stage.id,
        phase_id: program.phases.first().map_or(0, |p| p.id),
        fields: program.fields.iter().map(|f| f.id).collect(),
        grass,
        committees,
        reviewer_logins,
        officers,
    })
}

/// Members `from..from + n`, each with a member grant, in one multi-row insert each.
fn insert_members(
    conn: &mut DbConn,
    grass: &[Grass],
    from: usize,
    n: usize,
    hash: &str,
) -> Result<Vec<Member>, AppError> {
    let now = db::now();
    let rows: Vec<_> = (from..from + n)
        .map(|i| {
            let g = i % grass.len();
            (
                us::full_name.eq(format!("Đoàn viên số {i}")),
                us::email.eq(member_login(i)),
                us::union_id.eq(grass[g].0),
                us::password_hash.eq(Some(hash)),
                us::status.eq(UserStatus::Active.as_str()),
                us::created_at.eq(now),
                us::updated_at.eq(now),
            )
        })
        .collect();
    let ids: Vec<(i64, String)> = on_backend!(conn, |c| diesel::insert_into(us::table)
        .values(rows)
        .returning((us::id, us::email))
        .get_results(c))?;
    let by_email: HashMap<String, i64> = ids.into_iter().map(|(id, e)| (e, id)).collect();
    let members: Vec<Member> = (from..from + n)
        .map(|i| {
            by_email
                .get(&member_login(i))
                .map(|id| (*id, i % grass.len()))
        })
        .collect::<Option<_>>()
        .ok_or_else(|| AppError::unexpected("an inserted member went missing"))?;
    on_backend!(conn, |c| diesel::insert_into(role_grants::table)
        .values(
            members
                .iter()
                .map(|(id, g)| {
                    (
                        role_grants::user_id.eq(*id),
                        role_grants::role.eq(Role::Member.as_str()),
                        role_grants::union_id.eq(grass[*g].0),
                        role_grants::created_at.eq(now),
                    )
                })
                .collect::<Vec<_>>(),
        )
        .execute(c))?;
    Ok(members)
}

/// Initiatives `base..base + texts.len()`, with their authors, and for those under review
/// their submitted version, case and assignment.
fn store_batch(
    conn: &mut DbConn,
    shape: &Shape,
    members: &[Member],
    base: usize,
    texts: &[InitiativeText],
) -> Result<(), AppError> {
    let now = db::now();
    let span_minutes = 60 * 24 * 60;
    struct Row {
        i: usize,
        member: usize,
        status: &'static str,
        field: i64,
        submitted: chrono::NaiveDateTime,
        decided: Option<chrono::NaiveDateTime>,
        receipt: String,
    }
    let seeded: Vec<Row> = (0..texts.len())
        .map(|k| {
            let i = base + k;
            let h = mix(i as u64);
            let status = status_of(h >> 8);
            let submitted = now - chrono::Duration::minutes(((h >> 20) % span_minutes) as i64);
            let decided = match status {
                "submitted" | "under_review" => None,
                _ => Some((submitted + chrono::Duration::days(((h >> 50) % 20) as i64)).min(now)),
            };
            Row {
                i,
                member: ((h >> 30) % members.len() as u64) as usize,
                status,
                field: shape.fields[((h >> 40) % shape.fields.len() as u64) as usize],
                submitted,
                decided,
                receipt: format!("SK-{:08}", i + 1),
            }
        })
        .collect();
    let sections: Vec<[&str; 4]> = texts
        .iter()
        .map(|t| std::array::from_fn(|k| t.sections.get(k).map_or("", String::as_str)))
        .collect();
    let rows: Vec<_> = seeded
        .iter()
        .zip(texts)
        .zip(&sections)
        .map(|((r, t), sec)| {
            let (_, g) = members[r.member];
            let (union_id, _, _) = &shape.grass[g];
            (
                initiatives::program_id.eq(shape.program_id),
                initiatives::phase_id.eq(Some(shape.phase_id)),
                initiatives::field_id.eq(Some(r.field)),
                initiatives::union_id.eq(*union_id),
                initiatives::author_id.eq(members[r.member].0),
                initiatives::title.eq(t.title.as_str()),
                initiatives::current_situation.eq(sec[0]),
                initiatives::solution.eq(sec[1]),
                initiatives::scope.eq(sec[2]),
                initiatives::benefits.eq(sec[3]),
                initiatives::first_applied_on
                    .eq(Some((r.submitted - chrono::Duration::days(90)).date())),
                initiatives::estimated_benefit_vnd.eq(Some(((r.i % 97) as i64 + 1) * 5_000_000)),
                initiatives::confidential.eq(r.i % 50 == 0),
                initiatives::status.eq(r.status),
                initiatives::version.eq(if r.decided.is_some() { 4 } else { 3 }),
                initiatives::receipt_no.eq(Some(r.receipt.as_str())),
                initiatives::submitted_at.eq(Some(r.submitted)),
                initiatives::decided_at.eq(r.decided),
                initiatives::created_at.eq(r.submitted - chrono::Duration::days(3)),
                initiatives::updated_at.eq(r.decided.unwrap_or(r.submitted)),
            )
        })
        .collect();
    let ids: Vec<(i64, Option<String>)> =
        on_backend!(conn, |c| diesel::insert_into(initiatives::table)
            .values(rows)
            .returning((initiatives::id, initiatives::receipt_no))
            .get_results(c))?;
    let by_receipt: HashMap<String, i64> = ids
        .into_iter()
        .filter_map(|(id, r)| r.map(|r| (r, id)))
        .collect();
    let ids: Vec<i64> = seeded
        .iter()
        .map(|r| by_receipt.get(&r.receipt).copied())
        .collect::<Option<_>>()
        .ok_or_else(|| AppError::unexpected("an inserted initiative went missing"))?;
    on_backend!(conn, |c| diesel::insert_into(initiative_authors::table)
        .values(
            seeded
                .iter()
                .zip(&ids)
                .map(|(r, id)| {
                    (
                        initiative_authors::initiative_id.eq(*id),
                        initiative_authors::user_id.eq(members[r.member].0),
                        initiative_authors::share_percent.eq(100),
                        initiative_authors::position.eq(0),
                    )
                })
                .collect::<Vec<_>>(),
        )
        .execute(c))?;

    // Under review: the submitted version, an open case at the province's committee, and one
    // reviewer of that committee assigned in turn.
    let review: Vec<(usize, i64)> = seeded
        .iter()
        .enumerate()
        .filter(|(_, r)| r.status == "under_review")
        .map(|(k, _)| (k, ids[k]))
        .collect();
    if review.is_empty() {
        return Ok(());
    }
    let contents: Vec<String> = review
        .iter()
        .map(|(k, _)| {
            let sec = &sections[*k];
            serde_json::json!({
                "current_situation": sec[0],
                "solution": sec[1],
                "scope": sec[2],
                "benefits": sec[3],
                "first_applied_on": (seeded[*k].submitted - chrono::Duration::days(90)).date(),
                "estimated_benefit_vnd": ((seeded[*k].i % 97) as i64 + 1) * 5_000_000,
                "field_id": seeded[*k].field,
            })
            .to_string()
        })
        .collect();
    on_backend!(conn, |c| diesel::insert_into(initiative_versions::table)
        .values(
            review
                .iter()
                .zip(&contents)
                .map(|((k, id), content)| {
                    (
                        initiative_versions::initiative_id.eq(*id),
                        initiative_versions::round.eq(1),
                        initiative_versions::title.eq(texts[*k].title.as_str()),
                        initiative_versions::content.eq(content.as_str()),
                        initiative_versions::submitted_at.eq(seeded[*k].submitted),
                    )
                })
                .collect::<Vec<_>>(),
        )
        .execute(c))?;
    let province = |k: usize| shape.grass[members[seeded[k].member].1].2;
    let cases: Vec<(i64, i64)> = on_backend!(conn, |c| diesel::insert_into(review_cases::table)
        .values(
            review
                .iter()
                .map(|(k, id)| {
                    let s = seeded[*k].submitted;
                    (
                        review_cases::initiative_id.eq(*id),
                        review_cases::program_id.eq(shape.program_id),
                        review_cases::stage_id.eq(shape.stage_id),
                        review_cases::committee_id.eq(Some(shape.committees[province(*k)].0)),
                        review_cases::round.eq(1),
                        review_cases::state.eq("open"),
                        review_cases::entered_at.eq(s),
                        review_cases::due_at.eq(decision_due(s)),
                    )
                })
                .collect::<Vec<_>>(),
        )
        .returning((review_cases::initiative_id, review_cases::id))
        .get_results(c))?;
    let case_of: HashMap<i64, i64> = cases.into_iter().collect();
    let assignments: Vec<_> = review
        .iter()
        .map(|(k, id)| {
            let case = case_of
                .get(id)
                .copied()
                .ok_or_else(|| AppError::unexpected("a case went missing"))?;
            let members = &shape.committees[province(*k)].1;
            let reviewer = members[(seeded[*k].i / 7) % members.len()];
            Ok((
                review_assignments::case_id.eq(case),
                review_assignments::reviewer_id.eq(reviewer),
                review_assignments::assigned_at
                    .eq(seeded[*k].submitted + chrono::Duration::minutes(1)),
                review_assignments::state.eq("assigned"),
                review_assignments::scores.eq("{}"),
            ))
        })
        .collect::<Result<_, AppError>>()?;
    on_backend!(conn, |c| diesel::insert_into(review_assignments::table)
        .values(assignments)
        .execute(c))?;
    Ok(())
}

/// Seeds the database and the data folder (see the module's documentation).
pub fn seed(args: &SeedArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    std::fs::create_dir_all(&args.data_dir)?;
    let url = DatabaseUrl::parse(&args.database_url).map_err(anyhow::Error::msg)?;
    let db = Db::connect(&url, 4)?;
    db.migrate()?;
    let existing: i64 =
        db.blocking_read(|conn| Ok(initiatives::table.count().get_result(conn)?))?;
    anyhow::ensure!(
        existing == 0,
        "the database already holds {existing} initiatives: seed a fresh one"
    );
    let hash = sangkien::auth::password::hash(&args.password)?;
    let shape = db.blocking_write(|conn| structure(conn, args, &hash))?;
    println!(
        "structure: {} grassroots unions, {} committees, {} reviewers, {} officers ({:.1} s)",
        shape.grass.len(),
        shape.committees.len(),
        shape.reviewer_logins.len(),
        shape.officers.len(),
        started.elapsed().as_secs_f64()
    );
    let mut members = Vec::with_capacity(args.members);
    while members.len() < args.members {
        let from = members.len();
        let n = (args.members - from).min(BATCH);
        let batch = db.blocking_write(|conn| insert_members(conn, &shape.grass, from, n, &hash))?;
        members.extend(batch);
    }
    anyhow::ensure!(!members.is_empty(), "--members must be at least 1");
    println!(
        "{} members ({:.1} s)",
        members.len(),
        started.elapsed().as_secs_f64()
    );

    let stored = Instant::now();
    let mut generator = Generator::new(42);
    let mut done = 0;
    while done < args.initiatives {
        let n = (args.initiatives - done).min(BATCH);
        let texts: Vec<InitiativeText> = (0..n).map(|_| generator.next_initiative()).collect();
        db.blocking_write(|conn| store_batch(conn, &shape, &members, done, &texts))?;
        done += n;
        if done % 100_000 == 0 || done == args.initiatives {
            println!(
                "  {done} initiatives ({:.0} s, {:.0}/s)",
                started.elapsed().as_secs_f64(),
                done as f64 / stored.elapsed().as_secs_f64().max(0.001)
            );
        }
    }
    let store_s = stored.elapsed().as_secs_f64();

    // The rows went in past the statements that keep the counts and the board's counters.
    let recount = Instant::now();
    let rows = db.blocking_write(|conn| Ok(sangkien::db::counts::rebuild(conn)?))?;
    db.blocking_write(|conn| Ok(rq::rebuild_review_counters(conn)?))?;
    let recount_s = recount.elapsed().as_secs_f64();
    println!("recount: {rows} count rows ({recount_s:.0} s)");
    let mut vacuum_s = 0.0;
    if db.backend() == db::Backend::Postgres {
        let t = Instant::now();
        db.blocking_read(|conn| {
            diesel::sql_query("VACUUM ANALYZE").execute(conn)?;
            diesel::sql_query("CHECKPOINT").execute(conn)?;
            Ok(())
        })?;
        vacuum_s = t.elapsed().as_secs_f64();
        println!("VACUUM ANALYZE and CHECKPOINT ({vacuum_s:.0} s)");
    }

    let mut reindex_s = 0.0;
    if !args.no_reindex {
        let t = Instant::now();
        let index_dir = args.data_dir.join("index");
        if index_dir.exists() {
            std::fs::remove_dir_all(&index_dir)?;
        }
        let search = SearchService::open(&index_dir)?;
        let mut last = Instant::now();
        let n = search.rebuild(&db, |done, total| {
            if last.elapsed().as_secs() >= 30 {
                last = Instant::now();
                println!("  index: {done} / {total}");
            }
        })?;
        reindex_s = t.elapsed().as_secs_f64();
        println!(
            "index: {n} initiatives in {reindex_s:.0} s ({:.0}/s)",
            n as f64 / reindex_s.max(0.001)
        );
    }

    let file = AccountFile {
        password: args.password.clone(),
        program_id: shape.program_id,
        fields: shape.fields.clone(),
        members: (0..members.len()).map(member_login).collect(),
        reviewers: shape.reviewer_logins.clone(),
        officers: shape.officers.clone(),
    };
    let path = crate::accounts_path(&args.data_dir);
    std::fs::write(&path, serde_json::to_string_pretty(&file)?)?;
    println!(
        "seeded in {:.0} s (initiatives {store_s:.0} s, recount {recount_s:.0} s, vacuum {vacuum_s:.0} s, index {reindex_s:.0} s); accounts in {}",
        started.elapsed().as_secs_f64(),
        path.display()
    );
    Ok(())
}
