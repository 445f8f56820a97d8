//! `--review`: the organising committees' review with N initiatives in review.
//!
//! A national program whose stage is reviewed at province level: 10 provinces, each with 5
//! grassroots unions and a committee of 50 members (one chair), so 500 reviewers. The N
//! initiatives are written straight into the tables (no submission, no duplicate check): each
//! has its submitted version, one case routed to its province's committee and one reviewer
//! assigned in turn, as automatic assignment does. Of the cases, 80% wait for the reviewer's
//! scores, 15% are scored and wait for a decision, 5% hold a decision for the chair; 1% also
//! have a recused reviewer (a declared conflict) and 2% a near-duplicate candidate.
//!
//! Then, each for S seconds from C clients: a reviewer's queue (50 per page), a chair's board,
//! and a decision (a reviewer scores one of their open cases, then approves it; both timed,
//! apart).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use sangkien::app::Application;
use sangkien::config::Settings;
use sangkien::db::review as rq;
use sangkien::db::schema::{
    duplicate_candidates, initiative_authors, initiative_versions, initiatives, review_assignments,
    review_cases, review_conflicts,
};
use sangkien::db::{self, Db, DbConn, unions, users};
use sangkien::domain::initiative::decision_due;
use sangkien::domain::{PhaseWindow, Role, UnionKind};
use sangkien::error::AppError;
use sangkien::on_backend;
use sangkien::service;
use search_index::synth::{Generator, Rng};

use super::{Args, percentile, status_kib};

const PROVINCES: usize = 10;
const GRASSROOTS_PER_PROVINCE: usize = 5;
const MEMBERS_PER_COMMITTEE: usize = 50;
/// Reviewers who sign in and drive the queue and the decisions.
const SAMPLE: usize = 100;
const BATCH: usize = 1_000;
const PASSWORD: &str = "bench-password";

/// What the seeding made, for the clients.
struct Shape {
    program_id: i64,
    stage_id: i64,
    phase_id: i64,
    fields: Vec<i64>,
    /// Grassroots unions: (id, path, province index, author).
    grass: Vec<(i64, String, usize, i64)>,
    /// Committees: (id, members, chair first).
    committees: Vec<(i64, Vec<i64>)>,
}

fn email(committee: usize, member: usize) -> String {
    format!("r{committee:02}-{member:02}@bench.vn")
}

/// Unions, the program and its stage, the authors, the committees and their members.
fn structure(conn: &mut DbConn, hash: &str) -> Result<Shape, AppError> {
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
    let mut provinces = Vec::new();
    let mut grass_unions = Vec::new();
    for p in 0..PROVINCES {
        let prov = unions::insert(
            conn,
            &unions::NewUnion {
                parent: Some(&root),
                level: UnionKind::Province.as_i32(),
                code: &format!("P{p}"),
                name: &format!("LĐLĐ tỉnh {p}"),
                short_name: None,
                cluster: None,
                member_count: 0,
                now,
            },
        )?;
        for g in 0..GRASSROOTS_PER_PROVINCE {
            let u = unions::insert(
                conn,
                &unions::NewUnion {
                    parent: Some(&prov),
                    level: UnionKind::Grassroots.as_i32(),
                    code: &format!("P{p}-G{g}"),
                    name: &format!("Công đoàn cơ sở {p}-{g}"),
                    short_name: None,
                    cluster: None,
                    member_count: 200,
                    now,
                },
            )?;
            grass_unions.push((u, p));
        }
        provinces.push(prov);
    }
    let window = PhaseWindow::new(
        now - chrono::Duration::days(150),
        now + chrono::Duration::days(30),
    )
    .ok_or_else(|| AppError::unexpected("window"))?;
    let program = service::seed::open_program_in(
        conn,
        &service::programs::NewProgramInput {
            code: "REVIEW".into(),
            name: "Chương trình xét duyệt (bench)".into(),
            description: String::new(),
            owner_union_id: root.id,
            applied_from: None,
            applied_to: None,
            target_count: None,
            phases: vec![service::programs::PhaseInput {
                name: "Đợt 1".into(),
                window,
            }],
            fields: service::seed::numbered_fields("F", 5),
        },
    )?;
    // The default stage sits at the owner's level (national); as a program administrator
    // would, move it to the provinces, so that each province's committee reviews its own.
    let stage = service::seed::review_by_provinces_in(conn, program.id)?;
    let mut grass = Vec::new();
    for (i, (u, p)) in grass_unions.iter().enumerate() {
        let author = service::users::create_in(
            conn,
            None,
            &service::users::NewUserInput {
                member_code: None,
                full_name: format!("Tác giả {i}"),
                email: format!("a{i:02}@bench.vn"),
                phone: None,
                union_id: u.id,
                password: None,
            },
            Some(hash),
        )?;
        grass.push((u.id, u.path.clone(), *p, author.user.id));
    }
    let mut committees = Vec::new();
    for (p, prov) in provinces.iter().enumerate() {
        let id = rq::insert_committee(
            conn,
            program.id,
            stage.id,
            prov.id,
            &format!("Hội đồng sáng kiến {}", prov.name),
            now,
        )?;
        let mut members = Vec::new();
        for m in 0..MEMBERS_PER_COMMITTEE {
            let user = service::users::create_in(
                conn,
                None,
                &service::users::NewUserInput {
                    member_code: None,
                    full_name: format!("Thành viên {p}-{m}"),
                    email: email(p, m),
                    phone: None,
                    union_id: prov.id,
                    password: None,
                },
                Some(hash),
            )?;
            let uid = user.user.id;
            rq::put_member(conn, id, uid, m == 0, now)?;
            users::grant(
                conn,
                uid,
                Role::Reviewer.as_str(),
                prov.id,
                Some(program.id),
                None,
                now,
            )?;
            members.push(uid);
        }
        committees.push((id, members));
    }
    Ok(Shape {
        program_id: program.id,
        stage_id: stage.id,
        phase_id: program.phases.first().map_or(0, |p| p.id),
        fields: program.fields.iter().map(|f| f.id).collect(),
        grass,
        committees,
    })
}

/// A cheap, fixed hash of an index (the states must not line up with the reviewer rotation).
fn mix(i: usize) -> u64 {
    let mut z = (i as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Stores initiatives `base..base + texts.len()` with their cases and assignments.
fn store_batch(
    conn: &mut DbConn,
    shape: &Shape,
    base: usize,
    texts: &[search_index::synth::InitiativeText],
    previous: &mut Option<i64>,
) -> Result<(), AppError> {
    let now = db::now();
    struct Seeded {
        i: usize,
        grass: usize,
        committee: usize,
        reviewer: i64,
        other: i64,
        kind: u64,
        submitted: chrono::NaiveDateTime,
        receipt: String,
    }
    let seeded: Vec<Seeded> = (0..texts.len())
        .map(|k| {
            let i = base + k;
            let g = i % shape.grass.len();
            let committee = shape.grass[g].2;
            // The n-th initiative of this committee goes to its n-th member in turn.
            let n = (i / shape.grass.len()) * GRASSROOTS_PER_PROVINCE + g % GRASSROOTS_PER_PROVINCE;
            let members = &shape.committees[committee].1;
            let h = mix(i);
            let age_minutes = i64::try_from(h % (120 * 24 * 60)).unwrap_or(0);
            Seeded {
                i,
                grass: g,
                committee,
                reviewer: members[n % members.len()],
                other: members[(n + 1) % members.len()],
                kind: h >> 32,
                submitted: now - chrono::Duration::minutes(age_minutes),
                receipt: format!("SK2026-{:07}", i + 1),
            }
        })
        .collect();
    let sections: Vec<[String; 4]> = texts
        .iter()
        .map(|t| std::array::from_fn(|k| t.sections.get(k).cloned().unwrap_or_default()))
        .collect();
    let rows: Vec<_> = seeded
        .iter()
        .zip(texts)
        .zip(&sections)
        .map(|((s, t), sec)| {
            let (union_id, _, _, author) = &shape.grass[s.grass];
            (
                initiatives::program_id.eq(shape.program_id),
                initiatives::phase_id.eq(Some(shape.phase_id)),
                initiatives::field_id.eq(Some(shape.fields[s.i % shape.fields.len()])),
                initiatives::union_id.eq(*union_id),
                initiatives::author_id.eq(*author),
                initiatives::title.eq(t.title.as_str()),
                initiatives::current_situation.eq(sec[0].as_str()),
                initiatives::solution.eq(sec[1].as_str()),
                initiatives::scope.eq(sec[2].as_str()),
                initiatives::benefits.eq(sec[3].as_str()),
                initiatives::confidential.eq(s.i % 25 == 0),
                // Draft (1), submitted (2), under review (3).
                initiatives::status.eq("under_review"),
                initiatives::version.eq(3),
                initiatives::receipt_no.eq(s.receipt.as_str()),
                initiatives::submitted_at.eq(s.submitted),
                initiatives::created_at.eq(s.submitted - chrono::Duration::days(2)),
                initiatives::updated_at.eq(s.submitted),
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
        .map(|s| by_receipt.get(&s.receipt).copied())
        .collect::<Option<_>>()
        .ok_or_else(|| AppError::unexpected("an inserted initiative went missing"))?;

    on_backend!(conn, |c| diesel::insert_into(initiative_authors::table)
        .values(
            seeded
                .iter()
                .zip(&ids)
                .map(|(s, id)| {
                    (
                        initiative_authors::initiative_id.eq(*id),
                        initiative_authors::user_id.eq(shape.grass[s.grass].3),
                        initiative_authors::share_percent.eq(100),
                        initiative_authors::position.eq(0),
                    )
                })
                .collect::<Vec<_>>(),
        )
        .execute(c))?;

    let contents: Vec<String> = sections
        .iter()
        .zip(&seeded)
        .map(|(sec, s)| {
            serde_json::json!({
                "current_situation": sec[0],
                "solution": sec[1],
                "scope": sec[2],
                "benefits": sec[3],
                "first_applied_on": null,
                "estimated_benefit_vnd": null,
                "field_id": shape.fields[s.i % shape.fields.len()],
            })
            .to_string()
        })
        .collect();
    on_backend!(conn, |c| diesel::insert_into(initiative_versions::table)
        .values(
            seeded
                .iter()
                .zip(&ids)
                .zip(texts.iter().zip(&contents))
                .map(|((s, id), (t, c))| {
                    (
                        initiative_versions::initiative_id.eq(*id),
                        initiative_versions::round.eq(1),
                        initiative_versions::title.eq(t.title.as_str()),
                        initiative_versions::content.eq(c.as_str()),
                        initiative_versions::submitted_at.eq(s.submitted),
                    )
                })
                .collect::<Vec<_>>(),
        )
        .execute(c))?;

    // Cases: 5% hold a decision for the chair (pending), the rest are open.
    let pending = |s: &Seeded| s.kind.is_multiple_of(20);
    let scored = |s: &Seeded| s.kind % 20 <= 3;
    let case_ids: Vec<(i64, i64)> =
        on_backend!(conn, |c| diesel::insert_into(review_cases::table)
            .values(
                seeded
                    .iter()
                    .zip(&ids)
                    .map(|(s, id)| {
                        let decided = pending(s)
                            .then_some((s.submitted + chrono::Duration::days(20)).min(now));
                        (
                            review_cases::initiative_id.eq(*id),
                            review_cases::program_id.eq(shape.program_id),
                            review_cases::stage_id.eq(shape.stage_id),
                            review_cases::committee_id.eq(Some(shape.committees[s.committee].0)),
                            review_cases::round.eq(1),
                            review_cases::state.eq(if pending(s) { "pending" } else { "open" }),
                            review_cases::entered_at.eq(s.submitted),
                            review_cases::due_at.eq(decision_due(s.submitted)),
                            review_cases::decision.eq(pending(s).then_some("approve")),
                            review_cases::decided_by.eq(pending(s).then_some(s.reviewer)),
                            review_cases::decided_at.eq(decided),
                        )
                    })
                    .collect::<Vec<_>>(),
            )
            .returning((review_cases::initiative_id, review_cases::id))
            .get_results(c))?;
    let case_of: HashMap<i64, i64> = case_ids.into_iter().collect();

    // One assignment per case, scored for 20% of them; 1% also keep a recused member.
    let mut assignments = Vec::new();
    let mut conflicts = Vec::new();
    let mut duplicates = Vec::new();
    for (s, id) in seeded.iter().zip(&ids) {
        let case = *case_of
            .get(id)
            .ok_or_else(|| AppError::unexpected("a case went missing"))?;
        let assigned_at = s.submitted + chrono::Duration::minutes(1);
        if s.kind % 100 == 50 {
            assignments.push((case, s.other, "recused", None, None, assigned_at));
            conflicts.push((*id, s.other));
        }
        let score = if scored(s) {
            let a = 10 + (s.kind % 21) as i32;
            let b = 10 + ((s.kind >> 8) % 21) as i32;
            let c = 15 + ((s.kind >> 16) % 26) as i32;
            Some((
                format!(r#"{{"hieu-qua":{c},"kha-nang-ap-dung":{b},"tinh-moi":{a}}}"#),
                f64::from(a + b + c),
            ))
        } else {
            None
        };
        let (state, scores, total) = match score {
            Some((json, total)) => ("scored", Some(json), Some(total)),
            None => ("assigned", None, None),
        };
        assignments.push((case, s.reviewer, state, scores, total, assigned_at));
        if s.kind % 50 == 7
            && let Some(prev) = *previous
        {
            duplicates.push((*id, prev));
        }
        *previous = Some(*id);
    }
    on_backend!(conn, |c| diesel::insert_into(review_assignments::table)
        .values(
            assignments
                .iter()
                .map(|(case, reviewer, state, scores, total, at)| {
                    (
                        review_assignments::case_id.eq(*case),
                        review_assignments::reviewer_id.eq(*reviewer),
                        review_assignments::assigned_at.eq(*at),
                        review_assignments::state.eq(*state),
                        review_assignments::scores.eq(scores.as_deref().unwrap_or("{}")),
                        review_assignments::total.eq(*total),
                        review_assignments::recommendation.eq(total.map(|_| "approve")),
                        review_assignments::scored_at
                            .eq(total.map(|_| (*at + chrono::Duration::days(10)).min(now))),
                    )
                })
                .collect::<Vec<_>>(),
        )
        .execute(c))?;
    if !conflicts.is_empty() {
        on_backend!(conn, |c| diesel::insert_into(review_conflicts::table)
            .values(
                conflicts
                    .iter()
                    .map(|(initiative, user)| {
                        (
                            review_conflicts::initiative_id.eq(*initiative),
                            review_conflicts::user_id.eq(*user),
                            review_conflicts::reason_code.eq("declared"),
                            review_conflicts::note.eq(Some("Cùng tổ sản xuất với tác giả")),
                            review_conflicts::recorded_at.eq(now),
                        )
                    })
                    .collect::<Vec<_>>(),
            )
            .execute(c))?;
    }
    if !duplicates.is_empty() {
        on_backend!(conn, |c| diesel::insert_into(duplicate_candidates::table)
            .values(
                duplicates
                    .iter()
                    .map(|(initiative, candidate)| {
                        (
                            duplicate_candidates::initiative_id.eq(*initiative),
                            duplicate_candidates::candidate_id.eq(*candidate),
                            duplicate_candidates::score.eq(0.82),
                            duplicate_candidates::verdict.eq("near_duplicate"),
                            duplicate_candidates::detected_at.eq(now),
                        )
                    })
                    .collect::<Vec<_>>(),
            )
            .execute(c))?;
    }
    Ok(())
}

/// Each sampled reviewer's open, unscored cases (initiative ids), for the decisions.
fn open_work(conn: &mut DbConn, reviewers: &[i64]) -> Result<Vec<(i64, i64)>, AppError> {
    Ok(review_assignments::table
        .inner_join(review_cases::table)
        .filter(review_assignments::reviewer_id.eq_any(reviewers))
        .filter(review_assignments::state.eq("assigned"))
        .filter(review_cases::state.eq("open"))
        .order(review_cases::id)
        .select((review_assignments::reviewer_id, review_cases::initiative_id))
        .load(conn)?)
}

struct Timings {
    ok: Vec<f64>,
    failed: usize,
}

impl Timings {
    fn new() -> Self {
        Self {
            ok: Vec::new(),
            failed: 0,
        }
    }

    fn merge(&mut self, other: Self) {
        self.ok.extend(other.ok);
        self.failed += other.failed;
    }

    fn row(&mut self, name: &str, seconds: u64) -> String {
        self.ok.sort_by(f64::total_cmp);
        format!(
            "| {name} | {:.0} | {:.1} ms | {:.1} ms | {:.1} ms | {} |",
            self.ok.len() as f64 / seconds.max(1) as f64,
            percentile(&self.ok, 0.50),
            percentile(&self.ok, 0.95),
            percentile(&self.ok, 0.99),
            self.failed,
        )
    }
}

async fn timed(req: reqwest::RequestBuilder, into: &mut Timings) -> Option<serde_json::Value> {
    let t0 = Instant::now();
    let res = match req.send().await {
        Ok(r) => r,
        Err(_) => {
            into.failed += 1;
            return None;
        }
    };
    let ok = res.status().is_success();
    let body = res.bytes().await;
    let elapsed = t0.elapsed().as_secs_f64() * 1000.0;
    match body {
        Ok(b) if ok => {
            into.ok.push(elapsed);
            serde_json::from_slice(&b).ok()
        }
        _ => {
            into.failed += 1;
            None
        }
    }
}

/// One reviewer's work on a case: scores, then the approval, each timed; true if approved.
async fn decide_one(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    initiative: i64,
    s: &mut Timings,
    d: &mut Timings,
) -> bool {
    let req = client
        .put(format!("{base}/api/v1/initiatives/{initiative}/review/scores"))
        .bearer_auth(token)
        .json(&serde_json::json!({"scores": {"tinh-moi": 20, "kha-nang-ap-dung": 20, "hieu-qua": 30}}));
    if timed(req, s).await.is_none() {
        return false;
    }
    let req = client
        .post(format!(
            "{base}/api/v1/initiatives/{initiative}/review/decision"
        ))
        .bearer_auth(token)
        .json(&serde_json::json!({"decision": "approve"}));
    timed(req, d)
        .await
        .is_some_and(|v| v["status"] == "approved")
}

/// CPU time of this process so far (user and system), in milliseconds.
fn cpu_ms() -> u64 {
    // Fields 14 and 15 of /proc/self/stat, in clock ticks (100 a second on Linux).
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
        })
        .map_or(0, |ticks| ticks * 10)
}

/// Seeds the review, then times the queue, the board and decisions.
pub fn review_bench(settings: Settings, db: Db, args: &Args) -> anyhow::Result<()> {
    let docs = args.docs;
    let clients = args.clients;
    let seconds = args.seconds;
    let rate = args.rate;
    let only = args.only.clone();
    let runs = move |name: &str| only.as_deref().is_none_or(|o| o == name);
    println!(
        "seeding {docs} initiatives in review, {} committees of {MEMBERS_PER_COMMITTEE}…",
        PROVINCES
    );
    let started = Instant::now();
    let hash = sangkien::auth::password::hash(PASSWORD)?;
    let shape = Arc::new(db.blocking_write(|conn| structure(conn, &hash))?);
    let mut generator = Generator::new(42);
    let mut previous = None;
    let mut done = 0;
    while done < docs {
        let n = (docs - done).min(BATCH);
        let texts: Vec<_> = (0..n).map(|_| generator.next_initiative()).collect();
        let s = shape.clone();
        let mut prev = previous;
        db.blocking_write(|conn| store_batch(conn, &s, done, &texts, &mut prev))?;
        previous = prev;
        done += n;
    }
    // The rows went in by bulk INSERT, past the statements that keep the board's counters.
    db.blocking_write(|conn| Ok(rq::rebuild_review_counters(conn)?))?;
    if db.backend() == db::Backend::Postgres {
        // What autovacuum does on a live database after such a load: statistics, and the
        // visibility map that index-only scans need. (SQLite has no statistics unless the
        // application runs ANALYZE, which it does not.)
        db.blocking_read(|conn| {
            diesel::sql_query("VACUUM ANALYZE").execute(conn)?;
            // And the checkpoint that follows a bulk load, before the clock starts rather
            // than during the first seconds of timing.
            diesel::sql_query("CHECKPOINT").execute(conn)?;
            Ok(())
        })?;
    }
    let seed_s = started.elapsed().as_secs_f64();
    // Every fifth member of each committee signs in, chairs included.
    let sample: Vec<(usize, usize, i64)> = shape
        .committees
        .iter()
        .enumerate()
        .flat_map(|(c, (_, members))| {
            members
                .iter()
                .enumerate()
                .filter(|(m, _)| m % (PROVINCES * MEMBERS_PER_COMMITTEE / SAMPLE) == 0)
                .map(move |(m, id)| (c, m, *id))
        })
        .collect();
    let sample_ids: Vec<i64> = sample.iter().map(|s| s.2).collect();
    let work = db.blocking_read(|conn| open_work(conn, &sample_ids))?;
    let counts = db.blocking_read(|conn| {
        let open: i64 = review_cases::table
            .filter(review_cases::state.eq("open"))
            .count()
            .get_result(conn)?;
        let assignments: i64 = review_assignments::table.count().get_result(conn)?;
        Ok((open, assignments))
    })?;
    drop(db);
    let rss_seeded = status_kib("VmRSS:");
    println!(
        "seeded in {seed_s:.1} s ({} open cases, {} assignments, {} reviewers signing in)",
        counts.0,
        counts.1,
        sample.len()
    );

    // Decisions: each sampled reviewer's open cases, taken in turn across reviewers.
    let mut per: HashMap<i64, Vec<i64>> = HashMap::new();
    for (reviewer, initiative) in work {
        per.entry(reviewer).or_default().push(initiative);
    }
    let mut queue_len = 0;
    for v in per.values() {
        queue_len = queue_len.max(v.len());
    }
    let mut jobs: Vec<(usize, i64)> = Vec::new();
    for round in 0..queue_len {
        for (k, (_, _, id)) in sample.iter().enumerate() {
            if let Some(i) = per.get(id).and_then(|v| v.get(round)) {
                jobs.push((k, *i));
            }
        }
    }

    // Peak anonymous memory (heap), sampled: VmHWM also counts the mapped database file.
    let anon_peak = Arc::new(AtomicU64::new(0));
    {
        let peak = anon_peak.clone();
        std::thread::spawn(move || {
            loop {
                peak.fetch_max(status_kib("RssAnon:"), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(50));
            }
        });
    }
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings, Some("127.0.0.1:0"))?;
        let base = format!("http://127.0.0.1:{}", app.port());
        let handle = app.handle();
        actix_web::rt::spawn(app.run_until_stopped());
        let client = reqwest::Client::new();
        let mut tokens = Vec::new();
        for (c, m, _) in &sample {
            let v: serde_json::Value = client
                .post(format!("{base}/api/v1/auth/login"))
                .json(&serde_json::json!({"login": email(*c, *m), "password": PASSWORD}))
                .send()
                .await?
                .json()
                .await?;
            let t = v["access_token"].as_str().unwrap_or_default().to_owned();
            anyhow::ensure!(!t.is_empty(), "sign-in of {} failed: {v}", email(*c, *m));
            tokens.push(t);
        }
        let tokens = Arc::new(tokens);
        // The chairs are member 0 of each committee.
        let chairs: Arc<Vec<(usize, i64)>> = Arc::new(
            sample
                .iter()
                .enumerate()
                .filter(|(_, (_, m, _))| *m == 0)
                .map(|(k, (c, _, _))| (k, shape.committees[*c].0))
                .collect(),
        );
        let probe: serde_json::Value = client
            .get(format!("{base}/api/v1/reviews/queue?per_page=50"))
            .bearer_auth(&tokens[1])
            .send()
            .await?
            .json()
            .await?;
        let board_probe: serde_json::Value = client
            .get(format!("{base}/api/v1/committees/{}/board", chairs[0].1))
            .bearer_auth(&tokens[chairs[0].0])
            .send()
            .await?
            .json()
            .await?;
        println!(
            "a reviewer's queue: {} cases ({} scored), {} shown; a chair's board: {} open, {} pending, {} reviewers, {} pending decisions listed",
            probe["total"],
            probe["scored"],
            probe["items"].as_array().map_or(0, Vec::len),
            board_probe["open"],
            board_probe["pending"],
            board_probe["reviewers"].as_array().map_or(0, Vec::len),
            board_probe["pending_decisions"]["items"].as_array().map_or(0, Vec::len),
        );
        anyhow::ensure!(
            probe["total"].as_i64().unwrap_or(0) > 0 && board_probe["open"].as_i64().unwrap_or(0) > 0,
            "the queue or the board came back empty: {probe} {board_probe}"
        );

        // 1. Queues.
        let mut queue = Timings::new();
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let mut tasks = Vec::new();
        for c in (0..clients).filter(|_| runs("queue")) {
            let (client, base, tokens) = (client.clone(), base.clone(), tokens.clone());
            tasks.push(actix_web::rt::spawn(async move {
                let mut rng = Rng::new(100 + c as u64);
                let mut t = Timings::new();
                while Instant::now() < deadline {
                    let token = rng.pick(&tokens[..]);
                    let req = client
                        .get(format!("{base}/api/v1/reviews/queue?per_page=50"))
                        .bearer_auth(token);
                    timed(req, &mut t).await;
                }
                t
            }));
        }
        for t in tasks {
            queue.merge(t.await?);
        }

        // 2. Boards.
        let mut board = Timings::new();
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let mut tasks = Vec::new();
        for c in (0..clients).filter(|_| runs("board")) {
            let (client, base, tokens, chairs) =
                (client.clone(), base.clone(), tokens.clone(), chairs.clone());
            tasks.push(actix_web::rt::spawn(async move {
                let mut rng = Rng::new(200 + c as u64);
                let mut t = Timings::new();
                while Instant::now() < deadline {
                    let (k, committee) = *rng.pick(&chairs[..]);
                    let req = client
                        .get(format!("{base}/api/v1/committees/{committee}/board"))
                        .bearer_auth(&tokens[k]);
                    timed(req, &mut t).await;
                }
                t
            }));
        }
        for t in tasks {
            board.merge(t.await?);
        }

        // 3. Decisions: scores, then approve, on distinct open cases; from `clients` clients
        // without pause, or offered at `rate` pairs a second whatever the answers' pace.
        let jobs = Arc::new(jobs);
        let next = Arc::new(AtomicUsize::new(0));
        let mut scores = Timings::new();
        let mut decisions = Timings::new();
        let mut approved = 0usize;
        let cpu_before = cpu_ms();
        let started = Instant::now();
        let deadline = started + Duration::from_secs(seconds);
        let mut tasks = Vec::new();
        if let Some(rate) = rate.filter(|_| runs("decision")) {
            let mut i = 0u32;
            loop {
                let at = started + Duration::from_secs_f64(f64::from(i) / rate.max(0.1));
                if at >= deadline {
                    break;
                }
                actix_web::rt::time::sleep_until(at.into()).await;
                let Some((k, initiative)) = jobs.get(next.fetch_add(1, Ordering::Relaxed)).copied()
                else {
                    break;
                };
                let (client, base, tokens) = (client.clone(), base.clone(), tokens.clone());
                tasks.push(actix_web::rt::spawn(async move {
                    let mut s = Timings::new();
                    let mut d = Timings::new();
                    let a = decide_one(&client, &base, &tokens[k], initiative, &mut s, &mut d).await;
                    (s, d, usize::from(a))
                }));
                i += 1;
            }
        } else {
            for _ in (0..clients).filter(|_| runs("decision")) {
                let (client, base, tokens, jobs, next) = (
                    client.clone(),
                    base.clone(),
                    tokens.clone(),
                    jobs.clone(),
                    next.clone(),
                );
                tasks.push(actix_web::rt::spawn(async move {
                    let mut s = Timings::new();
                    let mut d = Timings::new();
                    let mut approved = 0usize;
                    while Instant::now() < deadline {
                        let Some((k, initiative)) =
                            jobs.get(next.fetch_add(1, Ordering::Relaxed)).copied()
                        else {
                            break;
                        };
                        let token = &tokens[k];
                        if decide_one(&client, &base, token, initiative, &mut s, &mut d).await {
                            approved += 1;
                        }
                    }
                    (s, d, approved)
                }));
            }
        }
        for t in tasks {
            let (s, d, a) = t.await?;
            scores.merge(s);
            decisions.merge(d);
            approved += a;
        }
        let cpu_per_pair = (cpu_ms() - cpu_before) as f64 / (decisions.ok.len().max(1)) as f64;
        handle.stop(true).await;

        println!();
        let load = match rate {
            Some(r) => format!("{clients} clients (queue, board); decisions offered at {r} a second"),
            None => format!("{clients} clients"),
        };
        println!(
            "{docs} initiatives in review; {PROVINCES} committees × {MEMBERS_PER_COMMITTEE} members; {load}, {seconds} s each"
        );
        println!();
        println!("| request | req/s | p50 | p95 | p99 | failed |");
        println!("|---|---|---|---|---|---|");
        if runs("queue") {
            println!("{}", queue.row("reviewer's queue (50 per page)", seconds));
        }
        if runs("board") {
            println!("{}", board.row("chair's board", seconds));
        }
        if runs("decision") {
            println!("{}", scores.row("scores (PUT, before each decision)", seconds));
            println!("{}", decisions.row("decision (POST approve)", seconds));
            println!();
            println!(
                "CPU time per decision (its scores and the approval; server and clients): {cpu_per_pair:.1} ms"
            );
        }
        println!();
        println!(
            "(seeding {seed_s:.1} s; {approved} initiatives approved; RSS after seeding {} MB, peak {} MB of which at most {} MB anonymous (the rest: files mapped in memory, i.e. page cache); server and clients in one process)",
            rss_seeded / 1024,
            status_kib("VmHWM:") / 1024,
            anon_peak.load(Ordering::Relaxed) / 1024,
        );
        anyhow::Ok(())
    })
}
