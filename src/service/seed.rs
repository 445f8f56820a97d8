//! Demo data in the shape of 2026: the union tree of five provinces and two national sectors
//! as it stood in the first half of 2025, the "1 triệu sáng kiến" program with fields and
//! quotas, members, one account per role, and its first phase run under that tree; then the
//! 2025 reorganisation applied as a decision (district federations dissolved, their
//! grassroots unions moved up or ended, Hà Giang merged into Tuyên Quang, effective
//! 01/07/2025), and the current phase run under the new tree, with initiatives in every
//! state. So "as of 30/06/2025" and "current structure" read differently. Idempotent: an
//! existing demo tree is left as it is.
//!
//! Calls `programs`, `review` and `users` one way, as an administrator would.

use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;

use crate::auth::password;
use crate::db::initiatives::{self, InitiativeContent};
use crate::db::review::{self as review_q, StageSettings};
use crate::db::unions::{self, NewUnion, UnionRow};
use crate::db::{self, Db, DbConn, audit, outbox, programs, users};
use crate::domain::reorganisation::{OpKind, PlanRow};
use crate::domain::{InitiativeStatus, PhaseWindow, ProgramStatus, QuotaKind, Role, UnionKind};
use crate::error::AppError;
use crate::service::programs::{FieldInput, NewProgramInput, PhaseInput};
use crate::service::review;
use crate::service::users::{GrantInput, NewUserInput};

const DATA: &str = include_str!("../seed/demo_data.json");

/// The root union's code.
pub const ROOT_CODE: &str = "TLD";
/// The demo program's code.
pub const PROGRAM_CODE: &str = "1TRIEU-SK";
/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "sangkien2026";

/// One demo account per role: (email, role, what it shows).
pub const DEMO_ACCOUNTS: [(&str, Role, &str); 5] = [
    (
        "quantri@demo.sangkien.vn",
        Role::SystemAdmin,
        "Quản trị hệ thống",
    ),
    (
        "chuongtrinh@demo.sangkien.vn",
        Role::ProgramAdmin,
        "Quản trị chương trình (Tổng LĐLĐ)",
    ),
    (
        "canbo@demo.sangkien.vn",
        Role::UnionOfficer,
        "Cán bộ LĐLĐ tỉnh Cao Bằng",
    ),
    (
        "bantochuc@demo.sangkien.vn",
        Role::Reviewer,
        "Thành viên Ban Tổ chức (Cao Bằng)",
    ),
    (
        "doanvien@demo.sangkien.vn",
        Role::Member,
        "Đoàn viên CĐCS Cục Hải quan Cao Bằng",
    ),
];

#[derive(Debug, Deserialize)]
struct DemoData {
    fields: Vec<DemoField>,
    unions: Vec<DemoUnion>,
    given_names: Vec<String>,
    middle_names: Vec<String>,
    family_names: Vec<String>,
    initiatives: Vec<DemoInitiative>,
    reorganisation: DemoReorganisation,
}

/// The 2025 reorganisation, as the decision lists it.
#[derive(Debug, Deserialize)]
struct DemoReorganisation {
    decision_no: String,
    decided_on: NaiveDate,
    effective_on: NaiveDate,
    note: String,
    rows: Vec<DemoPlanRow>,
}

#[derive(Debug, Deserialize)]
struct DemoPlanRow {
    action: OpKind,
    code: String,
    new_parent_code: Option<String>,
    successor_code: Option<String>,
    new_name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct DemoField {
    code: String,
    name: String,
}

#[derive(Debug, Deserialize)]
struct DemoUnion {
    code: String,
    name: String,
    short_name: Option<String>,
    cluster: Option<String>,
    member_count: Option<i32>,
    #[serde(default)]
    children: Vec<DemoUnion>,
}

#[derive(Debug, Deserialize)]
struct DemoInitiative {
    title: String,
    field: String,
    current_situation: String,
    solution: String,
    scope: String,
    benefits: String,
    estimated_benefit_vnd: Option<i64>,
    confidential: bool,
}

/// What seeding did.
#[derive(Debug, Clone, Default)]
pub struct SeedReport {
    /// False when demo data was already there.
    pub seeded: bool,
    pub unions: usize,
    pub users: usize,
    pub initiatives: usize,
    /// Reorganisations applied.
    pub reorganisations: usize,
}

/// Is the database empty of unions (a first start)?
pub fn is_empty(db: &Db) -> Result<bool, AppError> {
    db.blocking_write(|conn| Ok(unions::count(conn)? == 0))
}

/// Seeds the demo data unless it is there already.
pub fn seed_demo(db: &Db) -> Result<SeedReport, AppError> {
    let data: DemoData =
        serde_json::from_str(DATA).map_err(|e| AppError::failed("demo data", e))?;
    if db.blocking_write(|conn| Ok(unions::find_by_code(conn, ROOT_CODE)?.is_some()))? {
        return Ok(SeedReport::default());
    }
    let hash = password::hash(DEMO_PASSWORD)?;
    db.blocking_write(|conn| seed_in(conn, &data, &hash))
}

fn vn_midnight(date: NaiveDate) -> NaiveDateTime {
    let local = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    chrono_tz::Asia::Ho_Chi_Minh
        .from_local_datetime(&local)
        .single()
        .map_or(local, |t| t.naive_utc())
}

fn seed_in(conn: &mut DbConn, data: &DemoData, hash: &str) -> Result<SeedReport, AppError> {
    let mut rng = StdRng::seed_from_u64(20_260_101);
    let now = db::now();
    let mut report = SeedReport {
        seeded: true,
        ..SeedReport::default()
    };

    // The tree.
    let root = unions::insert(
        conn,
        &NewUnion {
            parent: None,
            level: UnionKind::National.as_i32(),
            code: ROOT_CODE,
            name: "Tổng Liên đoàn Lao động Việt Nam",
            short_name: Some("Tổng LĐLĐ Việt Nam"),
            cluster: None,
            member_count: 0,
            now,
        },
    )?;
    let mut all = vec![root.clone()];
    for u in &data.unions {
        insert_tree(conn, &root, u, now, &mut all)?;
    }
    report.unions = all.len();

    // The program.
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .date_naive();
    // The first phase ran in the first half of 2025, under the tree before the
    // reorganisation; the second is open now.
    let reorganised_on = data.reorganisation.effective_on;
    let p1_open = vn_midnight(reorganised_on - Duration::days(148));
    let p1_close = vn_midnight(reorganised_on);
    let p2_open = vn_midnight(today - Duration::days(30));
    let p2_close = vn_midnight(today + Duration::days(61));
    let window =
        |a, b| PhaseWindow::new(a, b).ok_or_else(|| AppError::unexpected("demo phase window"));
    let program = crate::service::programs::create_in(
        conn,
        None,
        &NewProgramInput {
            code: PROGRAM_CODE.to_owned(),
            name: "1 triệu sáng kiến – nỗ lực vượt khó, sáng tạo, phát triển".to_owned(),
            description: "Chương trình do Tổng Liên đoàn Lao động Việt Nam phát động trong \
                toàn hệ thống: mỗi đoàn viên, người lao động đề xuất ít nhất một sáng kiến, \
                giải pháp cải tiến trong công việc; cứ 10 đoàn viên có ít nhất 1 sáng kiến \
                được Ban Tổ chức thông qua."
                .to_owned(),
            owner_union_id: root.id,
            applied_from: Some(reorganised_on - Duration::days(365)),
            applied_to: None,
            target_count: Some(1_000_000),
            phases: vec![
                PhaseInput {
                    name: "Đợt 1".to_owned(),
                    window: window(p1_open, p1_close)?,
                },
                PhaseInput {
                    name: "Đợt 2".to_owned(),
                    window: window(p2_open, p2_close)?,
                },
            ],
            fields: data
                .fields
                .iter()
                .map(|f| FieldInput {
                    code: f.code.clone(),
                    name: f.name.clone(),
                })
                .collect(),
        },
    )?;
    crate::service::programs::set_status_in(conn, None, program.id, ProgramStatus::Open)?;
    let phase1 = program.phases.first().map(|p| p.id);
    let phase2 = program.phases.get(1).map(|p| p.id);

    // Quotas: the target for the root, 10% of members for everyone else, allocated when
    // the first phase opened (the reorganisation then carries the merged ones).
    let allocated = programs::QuotaCause {
        reason: programs::QuotaReason::System,
        by: None,
        holds_from: crate::db::counts::vietnam_day(p1_open),
    };
    programs::set_quota_because(
        conn,
        &programs::QuotaSet {
            program_id: program.id,
            phase_id: None,
            union_id: root.id,
            kind: QuotaKind::Absolute.as_str(),
            value: 1_000_000,
            members_as_of: None,
            member_basis: None,
        },
        now,
        allocated,
    )?;
    for u in all.iter().skip(1) {
        let members = crate::db::unions::subtree_members(conn, &u.path)?;
        programs::set_quota_because(
            conn,
            &programs::QuotaSet {
                program_id: program.id,
                phase_id: None,
                union_id: u.id,
                kind: QuotaKind::PercentOfMembers.as_str(),
                value: 1_000,
                members_as_of: Some(p1_open.date()),
                member_basis: Some(members),
            },
            now,
            allocated,
        )?;
    }

    // Demo accounts.
    let cao_bang = all
        .iter()
        .find(|u| u.code == "CB")
        .cloned()
        .unwrap_or(root.clone());
    let grassroots: Vec<UnionRow> = all
        .iter()
        .filter(|u| u.level == UnionKind::Grassroots.as_i32())
        .cloned()
        .collect();
    let member_home = all
        .iter()
        .find(|u| u.code == "CB-VC-HQ")
        .or_else(|| grassroots.first())
        .cloned()
        .unwrap_or(root.clone());
    let mut account_ids = Vec::new();
    for (i, (email, role, _)) in DEMO_ACCOUNTS.iter().enumerate() {
        let (home, scope) = match role {
            Role::SystemAdmin | Role::ProgramAdmin => (&root, &root),
            Role::UnionOfficer | Role::Reviewer => (&cao_bang, &cao_bang),
            Role::Member => (&member_home, &member_home),
        };
        let names = [
            "Nguyễn Văn Quản",
            "Trần Thị Chương",
            "Nông Văn Cán",
            "Bế Thị Thẩm",
            "Lục Văn Đoàn",
        ];
        let detail = crate::service::users::create_in(
            conn,
            None,
            &NewUserInput {
                member_code: Some(format!("DEMO{:03}", i + 1)),
                full_name: names.get(i).copied().unwrap_or("Người dùng").to_owned(),
                email: (*email).to_owned(),
                phone: None,
                union_id: home.id,
                password: None,
            },
            Some(hash),
        )?;
        if *role != Role::Member {
            crate::service::users::grant_in(
                conn,
                None,
                detail.user.id,
                &GrantInput {
                    role: *role,
                    union_id: scope.id,
                    program_id: (*role == Role::Reviewer).then_some(program.id),
                },
            )?;
        }
        account_ids.push(detail.user.id);
    }
    let demo_member = account_ids.last().copied().unwrap_or_default();
    let reviewer = account_ids.get(3).copied().unwrap_or_default();

    // Members: four per grassroots union.
    let mut members: Vec<(i64, &UnionRow)> = Vec::new();
    let mut n = 0usize;
    for g in &grassroots {
        for _ in 0..4 {
            n += 1;
            let name = format!(
                "{} {} {}",
                pick(&mut rng, &data.family_names),
                pick(&mut rng, &data.middle_names),
                pick(&mut rng, &data.given_names)
            );
            let detail = crate::service::users::create_in(
                conn,
                None,
                &NewUserInput {
                    member_code: Some(format!("DV{n:06}")),
                    full_name: name,
                    email: format!("dv{n:04}@demo.sangkien.vn"),
                    phone: Some(format!("09{:08}", rng.random_range(0..100_000_000u32))),
                    union_id: g.id,
                    password: None,
                },
                Some(hash),
            )?;
            members.push((detail.user.id, g));
        }
    }
    report.users = account_ids.len() + members.len();

    // Initiatives in every state: the first phase's (decided before the reorganisation)
    // under the old tree, then the reorganisation, then drafts and the current phase's
    // under the new tree, by members of unions still in operation.
    let field_ids: Vec<(String, i64)> = program
        .fields
        .iter()
        .map(|f| (f.code.clone(), f.id))
        .collect();
    let field_of = |code: &str| field_ids.iter().find(|(c, _)| c == code).map(|(_, id)| *id);
    let status_of = |i: usize| match i % 20 {
        0..=2 => InitiativeStatus::Draft,
        3..=6 => InitiativeStatus::Submitted,
        7..=9 => InitiativeStatus::UnderReview,
        10 => InitiativeStatus::Returned,
        11..=16 => InitiativeStatus::Approved,
        17 | 18 => InitiativeStatus::Rejected,
        _ if i % 40 == 19 => InitiativeStatus::Revoked,
        _ => InitiativeStatus::Approved,
    };
    let in_phase1 = |i: usize| !i.is_multiple_of(3) && status_of(i) != InitiativeStatus::Draft;
    let mut created: Vec<(i64, usize)> = Vec::new();
    for (i, init) in data.initiatives.iter().enumerate() {
        if !in_phase1(i) {
            continue;
        }
        let (author, union) = if i % 25 == 0 {
            (demo_member, &member_home)
        } else {
            members[(i * 7) % members.len().max(1)]
        };
        // The first phase was decided before the reorganisation: what was still waiting
        // then was approved, and what was returned was not resubmitted.
        let status = match status_of(i) {
            InitiativeStatus::Submitted | InitiativeStatus::UnderReview => {
                InitiativeStatus::Approved
            }
            InitiativeStatus::Returned => InitiativeStatus::Rejected,
            s => s,
        };
        let submitted_at = p1_open
            + Duration::days(rng.random_range(1..120))
            + Duration::minutes(rng.random_range(0..1440));
        let coauthor = (i % 4 == 1)
            .then(|| members[(i * 13 + 5) % members.len().max(1)].0)
            .filter(|c| *c != author);
        let id = insert_initiative(
            conn,
            &SeedInitiative {
                program_id: program.id,
                phase_id: phase1,
                field_id: field_of(&init.field),
                union,
                author,
                coauthor,
                title: &init.title,
                sections: [
                    &init.current_situation,
                    &init.solution,
                    &init.scope,
                    &init.benefits,
                ],
                first_applied_on: Some(
                    (submitted_at - Duration::days(rng.random_range(30..300))).date(),
                ),
                benefit: init.estimated_benefit_vnd,
                confidential: init.confidential,
                status,
                submitted_at,
                reviewer,
            },
        )?;
        created.push((id, i));
    }

    // The first phase counted where its initiatives were, then the 2025 reorganisation,
    // applied by the system administrator as any decision is.
    crate::db::counts::apply_deferred(conn)?;
    let reorganised = reorganise_in(conn, &data.reorganisation, account_ids.first().copied())?;
    let ids: Vec<i64> = all.iter().map(|u| u.id).collect();
    let rows: std::collections::HashMap<i64, UnionRow> = unions::find_many(conn, &ids)?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let now_row = |u: &UnionRow| rows.get(&u.id).cloned().unwrap_or_else(|| u.clone());
    let member_home = now_row(&member_home);
    let active: Vec<(i64, UnionRow)> = members
        .iter()
        .map(|(id, u)| (*id, now_row(u)))
        .filter(|(_, u)| u.active)
        .collect();
    if active.is_empty() {
        return Err(AppError::unexpected("no demo member in operation"));
    }

    for (i, init) in data.initiatives.iter().enumerate() {
        if in_phase1(i) {
            continue;
        }
        let status = status_of(i);
        let (author, union) = if i % 25 == 0 {
            (demo_member, &member_home)
        } else {
            let (id, u) = &active[(i * 7) % active.len()];
            (*id, u)
        };
        let submitted_at = p2_open
            + Duration::days(rng.random_range(1..25))
            + Duration::minutes(rng.random_range(0..1440));
        let coauthor = (i % 4 == 1)
            .then(|| active[(i * 13 + 5) % active.len()].0)
            .filter(|c| *c != author);
        let id = insert_initiative(
            conn,
            &SeedInitiative {
                program_id: program.id,
                phase_id: phase2,
                field_id: field_of(&init.field),
                union,
                author,
                coauthor,
                title: &init.title,
                sections: [
                    &init.current_situation,
                    &init.solution,
                    &init.scope,
                    &init.benefits,
                ],
                first_applied_on: Some(
                    (submitted_at - Duration::days(rng.random_range(30..300))).date(),
                ),
                benefit: init.estimated_benefit_vnd,
                confidential: init.confidential,
                status,
                submitted_at,
                reviewer,
            },
        )?;
        created.push((id, i));
    }
    // A few copies of approved initiatives of the first phase, filed in the second and
    // marked as duplicates.
    let approved: Vec<usize> = created
        .iter()
        .filter(|(_, i)| in_phase1(*i) && status_of(*i) == InitiativeStatus::Approved)
        .map(|(_, i)| *i)
        .take(6)
        .collect();
    for (k, i) in approved.into_iter().enumerate() {
        let init = &data.initiatives[i];
        let (author, union) = &active[(k * 31 + 3) % active.len()];
        let title = format!("{} (áp dụng tại đơn vị)", init.title);
        insert_initiative(
            conn,
            &SeedInitiative {
                program_id: program.id,
                phase_id: phase2,
                field_id: field_of(&init.field),
                union,
                author: *author,
                coauthor: None,
                title: &title,
                sections: [
                    &init.current_situation,
                    &init.solution,
                    &init.scope,
                    &init.benefits,
                ],
                first_applied_on: Some(today - Duration::days(20)),
                benefit: init.estimated_benefit_vnd,
                confidential: false,
                status: InitiativeStatus::Duplicate,
                submitted_at: p2_open + Duration::days(i64::try_from(k).unwrap_or(0) + 2),
                reviewer,
            },
        )?;
        created.push((0, i));
    }
    report.reorganisations = usize::from(reorganised);
    report.initiatives = created.len();

    // Review: the province's committee confirms first, then the organising committee of
    // the Tổng Liên đoàn approves; the waiting initiatives of Cao Bằng go to its committee.
    let program_admin = account_ids.get(1).copied().unwrap_or_default();
    review_setup_in(
        conn,
        program.id,
        "LĐLĐ tỉnh, ngành thẩm định",
        UnionKind::Province.as_i32(),
        &[
            DemoCommittee {
                stage_position: 1,
                union_id: cao_bang.id,
                members: &[(reviewer, true)],
            },
            DemoCommittee {
                stage_position: 2,
                union_id: root.id,
                members: &[(program_admin, true)],
            },
        ],
        now,
    )?;
    Ok(report)
}

/// Applies the demo's reorganisation as `admin` (the system administrator); true if it was.
fn reorganise_in(
    conn: &mut DbConn,
    r: &DemoReorganisation,
    admin: Option<i64>,
) -> Result<bool, AppError> {
    let Some((_, actor)) = admin
        .map(|id| crate::service::auth::actor_in(conn, id))
        .transpose()?
        .flatten()
    else {
        return Err(AppError::unexpected("no demo administrator"));
    };
    let plan = crate::service::reorganisations::Plan {
        decision_no: r.decision_no.clone(),
        decided_on: Some(r.decided_on),
        effective_on: r.effective_on,
        note: r.note.clone(),
        rows: r
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| PlanRow {
                line: i + 1,
                action: row.action,
                code: row.code.clone(),
                new_parent_code: row.new_parent_code.clone(),
                successor_code: row.successor_code.clone(),
                new_name: row.new_name.clone(),
            })
            .collect(),
        reverts_id: None,
    };
    crate::service::reorganisations::apply::apply_in(conn, &actor, &plan)?;
    Ok(true)
}

/// A committee for the demo data: its stage (by position), union and members `(user, chair)`.
struct DemoCommittee<'a> {
    stage_position: i32,
    union_id: i64,
    members: &'a [(i64, bool)],
}

/// Demo set-up: a first stage at the province level before the owner's stage, committees
/// with members, and every submitted initiative routed (for the demo seeder only).
fn review_setup_in(
    conn: &mut DbConn,
    program_id: i64,
    first_stage: &str,
    first_level: i32,
    committees: &[DemoCommittee<'_>],
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let existing = review_q::stages(conn, program_id)?;
    let id = review_q::insert_stage(
        conn,
        program_id,
        100,
        &StageSettings {
            name: first_stage,
            union_level: first_level,
            reviews_required: 1,
            blind_scoring: false,
            chair_publishes: false,
            auto_assign: true,
            due_days: None,
        },
        now,
    )?;
    let mut order = vec![id];
    order.extend(existing.iter().map(|s| s.id));
    review_q::reorder_stages(conn, program_id, &order)?;
    let stages = review_q::stages(conn, program_id)?;
    for c in committees {
        let Some(stage) = stages.iter().find(|s| s.position == c.stage_position) else {
            continue;
        };
        let union = unions::find(conn, c.union_id)?.ok_or_else(AppError::not_found)?;
        let name = format!("Hội đồng {} – {}", stage.name, union.name);
        let committee =
            review_q::insert_committee(conn, program_id, stage.id, union.id, &name, now)?;
        for (user, chair) in c.members {
            review_q::put_member(conn, committee, *user, *chair, now)?;
            users::grant(
                conn,
                *user,
                Role::Reviewer.as_str(),
                union.id,
                Some(program_id),
                None,
                now,
            )?;
        }
    }
    if let Some(first) = stages.first() {
        review::route_waiting_in(conn, program_id, first, now)?;
    }
    Ok(())
}

/// Creates a program and opens it, as its administrator would (the bench and load seeders).
pub fn open_program_in(
    conn: &mut DbConn,
    input: &NewProgramInput,
) -> Result<crate::service::programs::ProgramView, AppError> {
    let program = crate::service::programs::create_in(conn, None, input)?;
    crate::service::programs::set_status_in(conn, None, program.id, ProgramStatus::Open)
}

/// Fields `{prefix}0`… named "Lĩnh vực 0"…, `n` of them.
pub fn numbered_fields(prefix: &str, n: usize) -> Vec<FieldInput> {
    (0..n)
        .map(|f| FieldInput {
            code: format!("{prefix}{f}"),
            name: format!("Lĩnh vực {f}"),
        })
        .collect()
}

/// Moves a new program's default review stage (at its owner's level) to the provinces, as
/// its administrator would: each province's committee reviews its own. Returns the stage.
pub fn review_by_provinces_in(
    conn: &mut DbConn,
    program_id: i64,
) -> Result<review_q::StageRow, AppError> {
    let stage = review_q::stages(conn, program_id)?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::unexpected("no default stage"))?;
    review_q::update_stage(
        conn,
        stage.id,
        &StageSettings {
            name: "Hội đồng cấp tỉnh xét",
            union_level: UnionKind::Province.as_i32(),
            reviews_required: stage.reviews_required,
            blind_scoring: stage.blind_scoring,
            chair_publishes: stage.chair_publishes,
            auto_assign: stage.auto_assign,
            due_days: stage.due_days,
        },
    )?;
    Ok(stage)
}

fn pick<'a>(rng: &mut StdRng, list: &'a [String]) -> &'a str {
    if list.is_empty() {
        return "";
    }
    &list[rng.random_range(0..list.len())]
}

fn insert_tree(
    conn: &mut DbConn,
    parent: &UnionRow,
    u: &DemoUnion,
    now: NaiveDateTime,
    out: &mut Vec<UnionRow>,
) -> Result<(), AppError> {
    // A union's own member count excludes those recorded on its children.
    let children_members: i32 = u.children.iter().filter_map(|c| c.member_count).sum();
    let own = (u.member_count.unwrap_or(0) - children_members).max(0);
    let row = unions::insert(
        conn,
        &NewUnion {
            parent: Some(parent),
            level: parent.level + 1,
            code: &u.code,
            name: &u.name,
            short_name: u.short_name.as_deref(),
            cluster: u.cluster.as_deref(),
            member_count: own,
            now,
        },
    )?;
    out.push(row.clone());
    for c in &u.children {
        insert_tree(conn, &row, c, now, out)?;
    }
    Ok(())
}

struct SeedInitiative<'a> {
    program_id: i64,
    phase_id: Option<i64>,
    field_id: Option<i64>,
    union: &'a UnionRow,
    author: i64,
    coauthor: Option<i64>,
    title: &'a str,
    sections: [&'a str; 4],
    first_applied_on: Option<NaiveDate>,
    benefit: Option<i64>,
    confidential: bool,
    status: InitiativeStatus,
    submitted_at: NaiveDateTime,
    reviewer: i64,
}

fn insert_initiative(conn: &mut DbConn, s: &SeedInitiative<'_>) -> Result<i64, AppError> {
    let [current_situation, solution, scope, benefits] = s.sections;
    let created_at = s.submitted_at - Duration::days(3);
    let row = initiatives::insert(
        conn,
        s.program_id,
        s.union.id,
        s.author,
        &InitiativeContent {
            phase_id: s.phase_id,
            field_id: s.field_id,
            title: s.title.to_owned(),
            current_situation: current_situation.to_owned(),
            solution: solution.to_owned(),
            scope: scope.to_owned(),
            benefits: benefits.to_owned(),
            first_applied_on: s.first_applied_on,
            estimated_benefit_vnd: s.benefit,
            confidential: s.confidential,
        },
        created_at,
    )?;
    let shares: Vec<(i64, i32)> = match s.coauthor {
        Some(c) => vec![(s.author, 70), (c, 30)],
        None => vec![(s.author, 100)],
    };
    initiatives::set_authors(conn, row.id, &shares)?;
    let log = |conn: &mut DbConn,
               actor: i64,
               action: &str,
               from: Option<&str>,
               to: &str,
               at: NaiveDateTime,
               comment: Option<&str>|
     -> Result<(), AppError> {
        audit::record(
            conn,
            &audit::NewAudit {
                actor_id: Some(actor),
                entity_type: "initiative",
                entity_id: row.id,
                action,
                from_state: from,
                to_state: Some(to),
                comment,
                created_at: at,
            },
        )?;
        outbox::append(
            conn,
            &format!("initiative.{action}"),
            "initiative",
            row.id,
            &serde_json::json!({"status": to}),
            at,
        )?;
        Ok(())
    };
    log(conn, s.author, "created", None, "draft", created_at, None)?;
    if s.status == InitiativeStatus::Draft {
        return Ok(row.id);
    }
    let receipt = format!(
        "SK{}-{:07}",
        chrono::Datelike::year(&s.submitted_at),
        row.id
    );
    initiatives::transition(
        conn,
        row.id,
        row.version,
        "draft",
        "submitted",
        Some(s.submitted_at),
        Some(&receipt),
        s.submitted_at,
    )?;
    log(
        conn,
        s.author,
        "submitted",
        Some("draft"),
        "submitted",
        s.submitted_at,
        Some(&receipt),
    )?;
    let mut path = vec![];
    match s.status {
        InitiativeStatus::Submitted => {}
        InitiativeStatus::UnderReview => path.push((InitiativeStatus::UnderReview, None)),
        InitiativeStatus::Returned => {
            path.push((InitiativeStatus::UnderReview, None));
            path.push((InitiativeStatus::Returned, Some("Đề nghị bổ sung số liệu minh chứng hiệu quả (bảng so sánh trước và sau khi áp dụng).")));
        }
        InitiativeStatus::Approved => {
            path.push((InitiativeStatus::UnderReview, None));
            path.push((InitiativeStatus::Approved, Some("Ban Tổ chức thông qua.")));
        }
        InitiativeStatus::Rejected => {
            path.push((InitiativeStatus::UnderReview, None));
            path.push((
                InitiativeStatus::Rejected,
                Some("Không có tính mới so với giải pháp đã áp dụng tại đơn vị."),
            ));
        }
        InitiativeStatus::Duplicate => {
            path.push((InitiativeStatus::UnderReview, None));
            path.push((
                InitiativeStatus::Duplicate,
                Some("Trùng lặp với sáng kiến đã được thông qua."),
            ));
        }
        InitiativeStatus::Revoked => {
            path.push((InitiativeStatus::UnderReview, None));
            path.push((InitiativeStatus::Approved, Some("Ban Tổ chức thông qua.")));
            path.push((
                InitiativeStatus::Revoked,
                Some("Thu hồi do phát hiện sao chép từ tài liệu đã công bố."),
            ));
        }
        InitiativeStatus::Draft => {}
    }
    let mut from = InitiativeStatus::Submitted;
    let mut at = s.submitted_at;
    for (to, comment) in path {
        at += Duration::days(5);
        let current = initiatives::find(conn, row.id)?.ok_or_else(AppError::not_found)?;
        initiatives::transition(
            conn,
            row.id,
            current.version,
            from.as_str(),
            to.as_str(),
            None,
            None,
            at,
        )?;
        log(
            conn,
            s.reviewer,
            to.as_str(),
            Some(from.as_str()),
            to.as_str(),
            at,
            comment,
        )?;
        from = to;
    }
    Ok(row.id)
}
