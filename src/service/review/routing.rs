//! Entering review: default stages of a new program, opening a case, routing it to the
//! committee of the submitting union's ancestor, and automatic assignment.

use std::collections::HashSet;

use chrono::NaiveDateTime;

use super::common::{audit_case, conflict_of, mark_under_review};
use crate::db::review::{self as q, CommitteeRow, StageRow, StageSettings};
use crate::db::{DbConn, initiatives, unions};
use crate::domain::UnionPath;
use crate::domain::initiative::decision_due;
use crate::domain::review::{
    Aggregation, AssignmentState, Candidate, CaseState, Criterion, Decision, default_rubric,
    pick_reviewers, route,
};
use crate::error::AppError;

/// Gives a new program the default stage (the owner's committee approves, one review) and
/// the regulation's rubric.
pub fn install_defaults(
    conn: &mut DbConn,
    program_id: i64,
    owner_level: i32,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    q::insert_stage(
        conn,
        program_id,
        1,
        &StageSettings {
            name: "Ban Tổ chức thông qua",
            union_level: owner_level,
            reviews_required: 1,
            blind_scoring: false,
            chair_publishes: false,
            auto_assign: true,
            due_days: None,
        },
        now,
    )?;
    store_rubric(conn, program_id, &default_rubric(), Aggregation::Mean)
}

pub(super) fn store_rubric(
    conn: &mut DbConn,
    program_id: i64,
    criteria: &[Criterion],
    aggregation: Aggregation,
) -> Result<(), AppError> {
    let rows: Vec<q::NewCriterion<'_>> = criteria
        .iter()
        .map(|c| q::NewCriterion {
            code: &c.code,
            name: &c.name,
            description: &c.description,
            max_score: c.max_score,
            weight: c.weight,
            bands: serde_json::to_string(&c.bands).unwrap_or_else(|_| "[]".to_owned()),
        })
        .collect();
    q::replace_rubric(conn, program_id, &rows, aggregation.as_str())?;
    Ok(())
}

/// Called when an initiative has just been submitted (or resubmitted): keeps the submitted
/// version and opens a case at the first stage, or at the stage that returned it.
pub(crate) fn enter_in(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<(), AppError> {
    let row = initiatives::find(conn, id)?.ok_or_else(AppError::not_found)?;
    let round = i32::try_from(initiatives::versions(conn, id)?.len() + 1).unwrap_or(i32::MAX);
    let content = serde_json::json!({
        "current_situation": row.current_situation,
        "solution": row.solution,
        "scope": row.scope,
        "benefits": row.benefits,
        "first_applied_on": row.first_applied_on,
        "estimated_benefit_vnd": row.estimated_benefit_vnd,
        "field_id": row.field_id,
    });
    initiatives::insert_version(conn, id, round, &row.title, &content.to_string(), now)?;
    let stages = q::stages(conn, row.program_id)?;
    let previous = q::latest_case(conn, id)?;
    let stage = match previous {
        Some(c) if c.decision.as_deref() == Some(Decision::Return.as_str()) => {
            stages.iter().find(|s| s.id == c.stage_id)
        }
        _ => stages.first(),
    };
    if let Some(stage) = stage {
        open_case(conn, &row, stage, now)?;
    }
    Ok(())
}

pub(super) fn open_case(
    conn: &mut DbConn,
    row: &initiatives::InitiativeRow,
    stage: &StageRow,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    let round = i32::try_from(
        q::cases_of(conn, row.id)?
            .iter()
            .filter(|c| c.stage_id == stage.id)
            .count()
            + 1,
    )
    .unwrap_or(i32::MAX);
    let received = row.submitted_at.unwrap_or(now);
    let due = match stage.due_days {
        Some(days) => received + chrono::Duration::days(i64::from(days)),
        None => decision_due(received),
    };
    let committee = route_in(conn, &row.union_path, stage)?;
    let case_id = q::insert_case(
        conn,
        row.id,
        row.program_id,
        stage.id,
        committee,
        round,
        now,
        due,
    )?;
    if committee.is_some() {
        auto_assign_in(conn, case_id, now)?;
    }
    Ok(case_id)
}

fn route_in(
    conn: &mut DbConn,
    union_path: &str,
    stage: &StageRow,
) -> Result<Option<i64>, AppError> {
    let committees = q::stage_committees(conn, stage.id)?;
    if committees.is_empty() {
        return Ok(None);
    }
    let ids = UnionPath::from_stored(union_path.to_owned()).ids();
    let ancestry = unions::ancestry(conn, &ids)?;
    Ok(route(&ancestry, stage.union_level, |u| {
        committees.contains_key(&u)
    })
    .and_then(|u| committees.get(&u).copied()))
}

/// Assigns the case's committee members with the fewest open reviews until the stage has
/// its reviews, respecting conflicts (recorded with their reason). Returns how many were
/// assigned.
pub(super) fn auto_assign_in(
    conn: &mut DbConn,
    case_id: i64,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let case = q::find_case(conn, case_id)?.ok_or_else(AppError::not_found)?;
    let (Some(committee_id), CaseState::Open) = (case.committee_id, CaseState::parse(&case.state))
    else {
        return Ok(0);
    };
    let stage = q::find_stage(conn, case.stage_id)?.ok_or_else(AppError::not_found)?;
    if !stage.auto_assign {
        return Ok(0);
    }
    let row = initiatives::find(conn, case.initiative_id)?.ok_or_else(AppError::not_found)?;
    let current = q::assignments(conn, case_id)?;
    let live = current
        .iter()
        .filter(|a| AssignmentState::parse(&a.state) != AssignmentState::Recused)
        .count();
    let need = usize::try_from(stage.reviews_required)
        .unwrap_or(1)
        .saturating_sub(live);
    if need == 0 {
        return Ok(0);
    }
    let members = q::members(conn, committee_id)?;
    let authors: Vec<i64> = initiatives::authors(conn, row.id)?
        .into_iter()
        .map(|a| a.user_id)
        .collect();
    let mut excluded = HashSet::new();
    for m in &members {
        if let Some((reason, note)) = conflict_of(conn, row.id, row.union_id, &authors, m.user_id)?
        {
            q::record_conflict(
                conn,
                row.id,
                m.user_id,
                reason.as_str(),
                note.as_deref(),
                now,
            )?;
            excluded.insert(m.user_id);
        }
    }
    let taken: HashSet<i64> = current.iter().map(|a| a.reviewer_id).collect();
    let ids: Vec<i64> = members.iter().map(|m| m.user_id).collect();
    let counts = q::open_review_counts(conn, &ids)?;
    let candidates: Vec<Candidate> = ids
        .iter()
        .map(|id| Candidate {
            user_id: *id,
            open_reviews: counts.get(id).copied().unwrap_or(0),
        })
        .collect();
    let preferred = q::earlier_reviewers(conn, row.id, stage.id)?;
    let chosen = pick_reviewers(&candidates, &excluded, &taken, &preferred, need);
    for reviewer in &chosen {
        if q::assign(conn, case_id, *reviewer, None, now)? {
            audit_case(
                conn,
                None,
                case_id,
                "assigned",
                Some("assigned"),
                Some(&format!("reviewer {reviewer}")),
            )?;
            crate::service::shared::letters::assigned(conn, row.id, *reviewer, case.due_at, now)?;
        }
    }
    if !chosen.is_empty() {
        mark_under_review(conn, row.id, now)?;
    }
    Ok(chosen.len())
}

/// Routes the stage's cases still waiting for a committee (and the program's submitted
/// initiatives that never entered review) now that a committee exists.
pub(crate) fn route_waiting_in(
    conn: &mut DbConn,
    program_id: i64,
    stage: &StageRow,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    for id in q::without_case(conn, program_id)? {
        let row = initiatives::find(conn, id)?.ok_or_else(AppError::not_found)?;
        let stages = q::stages(conn, program_id)?;
        if let Some(first) = stages.first() {
            open_case(conn, &row, first, now)?;
        }
    }
    for (case_id, path) in q::unrouted(conn, stage.id)? {
        if let Some(committee) = route_in(conn, &path, stage)? {
            q::set_committee(conn, case_id, committee)?;
            auto_assign_in(conn, case_id, now)?;
        }
    }
    Ok(())
}

/// Fills the committee's open cases that lack reviewers (after a member joins or leaves).
pub(super) fn fill_committee_in(
    conn: &mut DbConn,
    committee: &CommitteeRow,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let stage = q::find_stage(conn, committee.stage_id)?.ok_or_else(AppError::not_found)?;
    let (cases, _) = q::committee_cases(
        conn,
        committee.id,
        CaseState::Open.as_str(),
        Some(stage.reviews_required),
        100_000,
        0,
    )?;
    for c in cases {
        auto_assign_in(conn, c.case_id, now)?;
    }
    Ok(())
}

/// Open cases a reorganisation moved to another committee: the unscored reviews of those
/// who are not members of the committee the case is at now are withdrawn, and its members
/// are assigned as the stage asks (or, without automatic assignment, the case waits on the
/// chair's board for reviewers). Returns how many reviews were assigned.
pub(crate) fn cases_moved_in(
    conn: &mut DbConn,
    cases: &[i64],
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let mut assigned = 0;
    for case_id in cases {
        let Some(case) = q::find_case(conn, *case_id)? else {
            continue;
        };
        let Some(committee) = case.committee_id else {
            continue;
        };
        let members: HashSet<i64> = q::members(conn, committee)?
            .iter()
            .map(|m| m.user_id)
            .collect();
        for a in q::assignments(conn, *case_id)? {
            if !members.contains(&a.reviewer_id) && q::unassign(conn, *case_id, a.reviewer_id)? {
                audit_case(
                    conn,
                    None,
                    *case_id,
                    "unassigned",
                    Some("unassigned"),
                    Some(&format!(
                        "Rút phân công người chấm {}: hồ sơ chuyển sang hội đồng khác do sắp xếp tổ chức",
                        a.reviewer_id
                    )),
                )?;
            }
        }
        assigned += auto_assign_in(conn, *case_id, now)?;
    }
    Ok(assigned)
}
