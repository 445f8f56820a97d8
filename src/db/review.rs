//! Queries of the review workflow: stages, committees, the rubric, cases, assignments,
//! conflicts, submitted versions and awards.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{
    awards, committee_members, committees, fields, initiative_versions, initiatives, programs,
    review_assignments, review_cases, review_conflicts, review_loads, review_stages,
    rubric_criteria, unions, users,
};

/// A review stage.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = review_stages)]
pub struct StageRow {
    pub id: i64,
    pub program_id: i64,
    pub position: i32,
    pub name: String,
    pub union_level: i32,
    pub reviews_required: i32,
    pub blind_scoring: bool,
    pub chair_publishes: bool,
    pub auto_assign: bool,
    pub due_days: Option<i32>,
    pub created_at: NaiveDateTime,
}

/// The settings of a stage.
#[derive(Debug, Clone)]
pub struct StageSettings<'a> {
    pub name: &'a str,
    pub union_level: i32,
    pub reviews_required: i32,
    pub blind_scoring: bool,
    pub chair_publishes: bool,
    pub auto_assign: bool,
    pub due_days: Option<i32>,
}

/// The stages of a program, in order.
pub fn stages(conn: &mut DbConn, program_id: i64) -> QueryResult<Vec<StageRow>> {
    review_stages::table
        .filter(review_stages::program_id.eq(program_id))
        .order(review_stages::position)
        .select(StageRow::as_select())
        .load(conn)
}

/// One stage.
pub fn find_stage(conn: &mut DbConn, id: i64) -> QueryResult<Option<StageRow>> {
    review_stages::table
        .find(id)
        .select(StageRow::as_select())
        .first(conn)
        .optional()
}

/// Adds a stage at `position` (the caller makes room first).
pub fn insert_stage(
    conn: &mut DbConn,
    program_id: i64,
    position: i32,
    s: &StageSettings<'_>,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(review_stages::table)
        .values((
            review_stages::program_id.eq(program_id),
            review_stages::position.eq(position),
            review_stages::name.eq(s.name),
            review_stages::union_level.eq(s.union_level),
            review_stages::reviews_required.eq(s.reviews_required),
            review_stages::blind_scoring.eq(s.blind_scoring),
            review_stages::chair_publishes.eq(s.chair_publishes),
            review_stages::auto_assign.eq(s.auto_assign),
            review_stages::due_days.eq(s.due_days),
            review_stages::created_at.eq(now),
        ))
        .returning(review_stages::id)
        .get_result(conn)
}

/// Changes a stage's settings.
pub fn update_stage(conn: &mut DbConn, id: i64, s: &StageSettings<'_>) -> QueryResult<()> {
    diesel::update(review_stages::table.find(id))
        .set((
            review_stages::name.eq(s.name),
            review_stages::union_level.eq(s.union_level),
            review_stages::reviews_required.eq(s.reviews_required),
            review_stages::blind_scoring.eq(s.blind_scoring),
            review_stages::chair_publishes.eq(s.chair_publishes),
            review_stages::auto_assign.eq(s.auto_assign),
            review_stages::due_days.eq(s.due_days),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Renumbers a program's stages in the given order (two passes, so that the unique
/// (program, position) never collides midway).
pub fn reorder_stages(conn: &mut DbConn, program_id: i64, ids: &[i64]) -> QueryResult<()> {
    for (i, id) in ids.iter().enumerate() {
        let pos = -1 - i32::try_from(i).unwrap_or(i32::MAX - 1);
        diesel::update(
            review_stages::table
                .find(id)
                .filter(review_stages::program_id.eq(program_id)),
        )
        .set(review_stages::position.eq(pos))
        .execute(conn)?;
    }
    for (i, id) in ids.iter().enumerate() {
        let pos = 1 + i32::try_from(i).unwrap_or(i32::MAX - 1);
        diesel::update(review_stages::table.find(id))
            .set(review_stages::position.eq(pos))
            .execute(conn)?;
    }
    Ok(())
}

/// Removes a stage with no committees and no cases.
pub fn delete_stage(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    diesel::delete(review_stages::table.find(id))
        .execute(conn)
        .map(|_| ())
}

/// How many cases a program has had (any state): its review has started when non-zero.
pub fn program_case_count(conn: &mut DbConn, program_id: i64) -> QueryResult<i64> {
    review_cases::table
        .filter(review_cases::program_id.eq(program_id))
        .count()
        .get_result(conn)
}

/// How many cases a stage has had.
pub fn stage_case_count(conn: &mut DbConn, stage_id: i64) -> QueryResult<i64> {
    review_cases::table
        .filter(review_cases::stage_id.eq(stage_id))
        .count()
        .get_result(conn)
}

/// A committee with the names it is shown with.
#[derive(Debug, Clone, Queryable)]
pub struct CommitteeRow {
    pub id: i64,
    pub program_id: i64,
    pub stage_id: i64,
    pub union_id: i64,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub union_name: String,
    pub union_path: String,
    pub stage_name: String,
    pub stage_position: i32,
}

type CommitteeColumns = (
    committees::id,
    committees::program_id,
    committees::stage_id,
    committees::union_id,
    committees::name,
    committees::created_at,
    unions::name,
    unions::path,
    review_stages::name,
    review_stages::position,
);

const COMMITTEE_COLUMNS: CommitteeColumns = (
    committees::id,
    committees::program_id,
    committees::stage_id,
    committees::union_id,
    committees::name,
    committees::created_at,
    unions::name,
    unions::path,
    review_stages::name,
    review_stages::position,
);

/// The committees of a program, by stage then union path.
pub fn committees_of_program(conn: &mut DbConn, program_id: i64) -> QueryResult<Vec<CommitteeRow>> {
    committees::table
        .inner_join(unions::table.on(unions::id.eq(committees::union_id)))
        .inner_join(review_stages::table)
        .filter(committees::program_id.eq(program_id))
        .order((review_stages::position, unions::path))
        .select(COMMITTEE_COLUMNS)
        .load(conn)
}

/// One committee.
pub fn find_committee(conn: &mut DbConn, id: i64) -> QueryResult<Option<CommitteeRow>> {
    committees::table
        .inner_join(unions::table.on(unions::id.eq(committees::union_id)))
        .inner_join(review_stages::table)
        .filter(committees::id.eq(id))
        .select(COMMITTEE_COLUMNS)
        .first(conn)
        .optional()
}

/// The committees a user sits on.
pub fn committees_of_user(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<CommitteeRow>> {
    committees::table
        .inner_join(unions::table.on(unions::id.eq(committees::union_id)))
        .inner_join(review_stages::table)
        .inner_join(committee_members::table)
        .filter(committee_members::user_id.eq(user_id))
        .order((
            committees::program_id,
            review_stages::position,
            unions::path,
        ))
        .select(COMMITTEE_COLUMNS)
        .load(conn)
}

/// The unions of a stage that have a committee, with the committee id.
pub fn stage_committees(conn: &mut DbConn, stage_id: i64) -> QueryResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = committees::table
        .filter(committees::stage_id.eq(stage_id))
        .select((committees::union_id, committees::id))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Adds a committee.
pub fn insert_committee(
    conn: &mut DbConn,
    program_id: i64,
    stage_id: i64,
    union_id: i64,
    name: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(committees::table)
        .values((
            committees::program_id.eq(program_id),
            committees::stage_id.eq(stage_id),
            committees::union_id.eq(union_id),
            committees::name.eq(name),
            committees::created_at.eq(now),
        ))
        .returning(committees::id)
        .get_result(conn)
}

/// A committee member.
#[derive(Debug, Clone, Queryable)]
pub struct MemberRow {
    pub user_id: i64,
    pub full_name: String,
    pub email: String,
    pub is_chair: bool,
    pub union_id: i64,
}

/// The members of a committee, chair first.
pub fn members(conn: &mut DbConn, committee_id: i64) -> QueryResult<Vec<MemberRow>> {
    committee_members::table
        .inner_join(users::table.on(users::id.eq(committee_members::user_id)))
        .filter(committee_members::committee_id.eq(committee_id))
        .filter(users::status.eq("active"))
        .order((committee_members::is_chair.desc(), users::full_name))
        .select((
            committee_members::user_id,
            users::full_name,
            users::email,
            committee_members::is_chair,
            users::union_id,
        ))
        .load(conn)
}

/// Adds a member, or changes whether they chair.
pub fn put_member(
    conn: &mut DbConn,
    committee_id: i64,
    user_id: i64,
    is_chair: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    if is_chair {
        diesel::update(
            committee_members::table.filter(committee_members::committee_id.eq(committee_id)),
        )
        .set(committee_members::is_chair.eq(false))
        .execute(conn)?;
    }
    let updated = diesel::update(
        committee_members::table
            .filter(committee_members::committee_id.eq(committee_id))
            .filter(committee_members::user_id.eq(user_id)),
    )
    .set(committee_members::is_chair.eq(is_chair))
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(committee_members::table)
            .values((
                committee_members::committee_id.eq(committee_id),
                committee_members::user_id.eq(user_id),
                committee_members::is_chair.eq(is_chair),
                committee_members::added_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Removes a member; true if they were one.
pub fn remove_member(conn: &mut DbConn, committee_id: i64, user_id: i64) -> QueryResult<bool> {
    diesel::delete(
        committee_members::table
            .filter(committee_members::committee_id.eq(committee_id))
            .filter(committee_members::user_id.eq(user_id)),
    )
    .execute(conn)
    .map(|n| n > 0)
}

/// Is the user a member of the committee, and its chair?
pub fn membership(conn: &mut DbConn, committee_id: i64, user_id: i64) -> QueryResult<Option<bool>> {
    committee_members::table
        .filter(committee_members::committee_id.eq(committee_id))
        .filter(committee_members::user_id.eq(user_id))
        .select(committee_members::is_chair)
        .first(conn)
        .optional()
}

/// A rubric criterion as stored (bands as JSON).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rubric_criteria)]
pub struct CriterionRow {
    pub id: i64,
    pub program_id: i64,
    pub position: i32,
    pub code: String,
    pub name: String,
    pub description: String,
    pub max_score: i32,
    pub weight: f64,
    pub bands: String,
}

/// The criteria of a program's rubric, in order.
pub fn criteria(conn: &mut DbConn, program_id: i64) -> QueryResult<Vec<CriterionRow>> {
    rubric_criteria::table
        .filter(rubric_criteria::program_id.eq(program_id))
        .order(rubric_criteria::position)
        .select(CriterionRow::as_select())
        .load(conn)
}

/// A criterion to store.
#[derive(Debug, Clone)]
pub struct NewCriterion<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub max_score: i32,
    pub weight: f64,
    pub bands: String,
}

/// Replaces a program's rubric and how totals are combined.
pub fn replace_rubric(
    conn: &mut DbConn,
    program_id: i64,
    criteria: &[NewCriterion<'_>],
    aggregation: &str,
) -> QueryResult<()> {
    diesel::delete(rubric_criteria::table.filter(rubric_criteria::program_id.eq(program_id)))
        .execute(conn)?;
    for (i, c) in criteria.iter().enumerate() {
        diesel::insert_into(rubric_criteria::table)
            .values((
                rubric_criteria::program_id.eq(program_id),
                rubric_criteria::position.eq(i32::try_from(i + 1).unwrap_or(i32::MAX)),
                rubric_criteria::code.eq(c.code),
                rubric_criteria::name.eq(c.name),
                rubric_criteria::description.eq(c.description),
                rubric_criteria::max_score.eq(c.max_score),
                rubric_criteria::weight.eq(c.weight),
                rubric_criteria::bands.eq(&c.bands),
            ))
            .execute(conn)?;
    }
    diesel::update(programs::table.find(program_id))
        .set(programs::score_aggregation.eq(aggregation))
        .execute(conn)
        .map(|_| ())
}

/// How a program combines reviewers' totals.
pub fn aggregation(conn: &mut DbConn, program_id: i64) -> QueryResult<String> {
    programs::table
        .find(program_id)
        .select(programs::score_aggregation)
        .first(conn)
}

/// Whether any assignment of the program has been scored (the rubric is then fixed). An
/// `EXISTS`, not a count: it is asked on every review page and every score.
pub fn program_has_scores(conn: &mut DbConn, program_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        review_assignments::table
            .inner_join(review_cases::table)
            .filter(review_cases::program_id.eq(program_id))
            .filter(review_assignments::state.eq("scored")),
    ))
    .get_result(conn)
}

/// A case: one initiative's passage through one stage.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = review_cases)]
pub struct CaseRow {
    pub id: i64,
    pub initiative_id: i64,
    pub program_id: i64,
    pub stage_id: i64,
    pub committee_id: Option<i64>,
    pub round: i32,
    pub state: String,
    pub entered_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
    pub decision: Option<String>,
    pub reason_code: Option<String>,
    pub decision_note: Option<String>,
    pub duplicate_of_id: Option<i64>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<NaiveDateTime>,
    pub published_by: Option<i64>,
    pub published_at: Option<NaiveDateTime>,
}

/// Opens a case.
#[expect(
    clippy::too_many_arguments,
    reason = "the columns of a new case, named at the call"
)]
pub fn insert_case(
    conn: &mut DbConn,
    initiative_id: i64,
    program_id: i64,
    stage_id: i64,
    committee_id: Option<i64>,
    round: i32,
    entered_at: NaiveDateTime,
    due_at: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(review_cases::table)
        .values((
            review_cases::initiative_id.eq(initiative_id),
            review_cases::program_id.eq(program_id),
            review_cases::stage_id.eq(stage_id),
            review_cases::committee_id.eq(committee_id),
            review_cases::round.eq(round),
            review_cases::state.eq("open"),
            review_cases::entered_at.eq(entered_at),
            review_cases::due_at.eq(due_at),
        ))
        .returning(review_cases::id)
        .get_result(conn)
}

/// One case.
pub fn find_case(conn: &mut DbConn, id: i64) -> QueryResult<Option<CaseRow>> {
    review_cases::table
        .find(id)
        .select(CaseRow::as_select())
        .first(conn)
        .optional()
}

/// An initiative's latest case.
pub fn latest_case(conn: &mut DbConn, initiative_id: i64) -> QueryResult<Option<CaseRow>> {
    review_cases::table
        .filter(review_cases::initiative_id.eq(initiative_id))
        .order(review_cases::id.desc())
        .select(CaseRow::as_select())
        .first(conn)
        .optional()
}

/// Every case of an initiative, oldest first.
pub fn cases_of(conn: &mut DbConn, initiative_id: i64) -> QueryResult<Vec<CaseRow>> {
    review_cases::table
        .filter(review_cases::initiative_id.eq(initiative_id))
        .order(review_cases::id)
        .select(CaseRow::as_select())
        .load(conn)
}

/// Cases of a stage still waiting for a committee, with their submitting union's path.
pub fn unrouted(conn: &mut DbConn, stage_id: i64) -> QueryResult<Vec<(i64, String)>> {
    review_cases::table
        .inner_join(initiatives::table)
        .filter(review_cases::stage_id.eq(stage_id))
        .filter(review_cases::committee_id.is_null())
        .filter(review_cases::state.eq("open"))
        .select((review_cases::id, initiatives::union_path))
        .load(conn)
}

/// Gives an unrouted case its committee.
pub fn set_committee(conn: &mut DbConn, case_id: i64, committee_id: i64) -> QueryResult<()> {
    diesel::update(
        review_cases::table
            .find(case_id)
            .filter(review_cases::committee_id.is_null()),
    )
    .set(review_cases::committee_id.eq(committee_id))
    .execute(conn)
    .map(|_| ())
}

/// A decision to record on an open case.
#[derive(Debug, Clone)]
pub struct NewDecision<'a> {
    pub decision: &'a str,
    pub reason_code: Option<&'a str>,
    pub note: Option<&'a str>,
    pub duplicate_of_id: Option<i64>,
    pub decided_by: i64,
    pub now: NaiveDateTime,
    /// Published at once (closed) or held for the chair (pending).
    pub publish: bool,
}

/// Records a decision on a case that is still open; false when someone else decided first.
pub fn decide(conn: &mut DbConn, case_id: i64, d: &NewDecision<'_>) -> QueryResult<bool> {
    let (state, published_by, published_at) = if d.publish {
        ("closed", Some(d.decided_by), Some(d.now))
    } else {
        ("pending", None, None)
    };
    let recorded = diesel::update(
        review_cases::table
            .find(case_id)
            .filter(review_cases::state.eq("open")),
    )
    .set((
        review_cases::state.eq(state),
        review_cases::decision.eq(d.decision),
        review_cases::reason_code.eq(d.reason_code),
        review_cases::decision_note.eq(d.note),
        review_cases::duplicate_of_id.eq(d.duplicate_of_id),
        review_cases::decided_by.eq(d.decided_by),
        review_cases::decided_at.eq(d.now),
        review_cases::published_by.eq(published_by),
        review_cases::published_at.eq(published_at),
    ))
    .execute(conn)?;
    if recorded == 1 && d.publish {
        release_loads(conn, case_id)?;
    }
    Ok(recorded == 1)
}

/// Publishes a pending decision; false when it is no longer pending.
pub fn publish(conn: &mut DbConn, case_id: i64, by: i64, now: NaiveDateTime) -> QueryResult<bool> {
    let published = diesel::update(
        review_cases::table
            .find(case_id)
            .filter(review_cases::state.eq("pending")),
    )
    .set((
        review_cases::state.eq("closed"),
        review_cases::published_by.eq(by),
        review_cases::published_at.eq(now),
    ))
    .execute(conn)?;
    if published == 1 {
        release_loads(conn, case_id)?;
    }
    Ok(published == 1)
}

/// Withdraws a pending decision, reopening the case; false when it is no longer pending.
pub fn withdraw(conn: &mut DbConn, case_id: i64) -> QueryResult<bool> {
    diesel::update(
        review_cases::table
            .find(case_id)
            .filter(review_cases::state.eq("pending")),
    )
    .set((
        review_cases::state.eq("open"),
        review_cases::decision.eq(None::<String>),
        review_cases::reason_code.eq(None::<String>),
        review_cases::decision_note.eq(None::<String>),
        review_cases::duplicate_of_id.eq(None::<i64>),
        review_cases::decided_by.eq(None::<i64>),
        review_cases::decided_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// The pending cases of a committee, oldest decision first.
pub fn pending_of(conn: &mut DbConn, committee_id: i64) -> QueryResult<Vec<CaseRow>> {
    review_cases::table
        .filter(review_cases::committee_id.eq(committee_id))
        .filter(review_cases::state.eq("pending"))
        .order((review_cases::decided_at, review_cases::id))
        .select(CaseRow::as_select())
        .load(conn)
}

/// A reviewer's assignment with their name.
#[derive(Debug, Clone, Queryable)]
pub struct AssignmentRow {
    pub id: i64,
    pub case_id: i64,
    pub reviewer_id: i64,
    pub assigned_by: Option<i64>,
    pub assigned_at: NaiveDateTime,
    pub state: String,
    pub scores: String,
    pub total: Option<f64>,
    pub recommendation: Option<String>,
    pub comment: Option<String>,
    pub scored_at: Option<NaiveDateTime>,
    pub reviewer_name: String,
}

/// The assignments of a case, in the order they were made.
pub fn assignments(conn: &mut DbConn, case_id: i64) -> QueryResult<Vec<AssignmentRow>> {
    review_assignments::table
        .inner_join(users::table.on(users::id.eq(review_assignments::reviewer_id)))
        .filter(review_assignments::case_id.eq(case_id))
        .order(review_assignments::id)
        .select((
            review_assignments::id,
            review_assignments::case_id,
            review_assignments::reviewer_id,
            review_assignments::assigned_by,
            review_assignments::assigned_at,
            review_assignments::state,
            review_assignments::scores,
            review_assignments::total,
            review_assignments::recommendation,
            review_assignments::comment,
            review_assignments::scored_at,
            users::full_name,
        ))
        .load(conn)
}

/// Assigns a reviewer to a case (nothing if already assigned); true if a row was added.
pub fn assign(
    conn: &mut DbConn,
    case_id: i64,
    reviewer_id: i64,
    by: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let exists: i64 = review_assignments::table
        .filter(review_assignments::case_id.eq(case_id))
        .filter(review_assignments::reviewer_id.eq(reviewer_id))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    diesel::insert_into(review_assignments::table)
        .values((
            review_assignments::case_id.eq(case_id),
            review_assignments::reviewer_id.eq(reviewer_id),
            review_assignments::assigned_by.eq(by),
            review_assignments::assigned_at.eq(now),
            review_assignments::state.eq("assigned"),
        ))
        .execute(conn)?;
    count_live(conn, case_id, 1)?;
    adjust_load(conn, case_id, reviewer_id, 1, 0)?;
    Ok(true)
}

/// Removes an assignment not yet scored; true if removed.
pub fn unassign(conn: &mut DbConn, case_id: i64, reviewer_id: i64) -> QueryResult<bool> {
    let removed = diesel::delete(
        review_assignments::table
            .filter(review_assignments::case_id.eq(case_id))
            .filter(review_assignments::reviewer_id.eq(reviewer_id))
            .filter(review_assignments::state.eq("assigned")),
    )
    .execute(conn)?;
    if removed > 0 {
        count_live(conn, case_id, -1)?;
        adjust_load(conn, case_id, reviewer_id, -1, 0)?;
    }
    Ok(removed > 0)
}

/// A reviewer's scores to store.
#[derive(Debug, Clone)]
pub struct NewScores<'a> {
    pub scores: String,
    pub total: f64,
    pub recommendation: Option<&'a str>,
    pub comment: Option<&'a str>,
    pub now: NaiveDateTime,
}

/// Stores (or replaces) a reviewer's scores while the case is open; false if the assignment
/// is not theirs to score (absent or recused).
pub fn score(
    conn: &mut DbConn,
    case_id: i64,
    reviewer_id: i64,
    s: &NewScores<'_>,
) -> QueryResult<bool> {
    let values = (
        review_assignments::state.eq("scored"),
        review_assignments::scores.eq(&s.scores),
        review_assignments::total.eq(s.total),
        review_assignments::recommendation.eq(s.recommendation),
        review_assignments::comment.eq(s.comment),
        review_assignments::scored_at.eq(s.now),
    );
    // First scores and changed scores are told apart by the state each update requires, so
    // that the reviewer's count of scored reviews moves exactly once.
    for (from, newly) in [("assigned", 1), ("scored", 0)] {
        let n = diesel::update(
            review_assignments::table
                .filter(review_assignments::case_id.eq(case_id))
                .filter(review_assignments::reviewer_id.eq(reviewer_id))
                .filter(review_assignments::state.eq(from)),
        )
        .set(values)
        .execute(conn)?;
        if n == 1 {
            if newly == 1 {
                adjust_load(conn, case_id, reviewer_id, 0, 1)?;
            }
            return Ok(true);
        }
    }
    Ok(false)
}

/// Marks an assignment recused.
pub fn recuse(conn: &mut DbConn, case_id: i64, reviewer_id: i64) -> QueryResult<bool> {
    for (from, scored) in [("assigned", 0), ("scored", 1)] {
        let n = diesel::update(
            review_assignments::table
                .filter(review_assignments::case_id.eq(case_id))
                .filter(review_assignments::reviewer_id.eq(reviewer_id))
                .filter(review_assignments::state.eq(from)),
        )
        .set(review_assignments::state.eq("recused"))
        .execute(conn)?;
        if n == 1 {
            count_live(conn, case_id, -1)?;
            adjust_load(conn, case_id, reviewer_id, -1, -scored)?;
            return Ok(true);
        }
    }
    // Already recused: still recused, nothing to count.
    let recused: i64 = review_assignments::table
        .filter(review_assignments::case_id.eq(case_id))
        .filter(review_assignments::reviewer_id.eq(reviewer_id))
        .count()
        .get_result(conn)?;
    Ok(recused == 1)
}

// ---------------------------------------------------------------------------------------
// Counters of the chair's board (migration 4): `review_cases.live_reviewers` and
// `review_loads`, moved by the statements above in the same transaction.

/// Moves a case's count of live (not recused) assignments.
fn count_live(conn: &mut DbConn, case_id: i64, by: i32) -> QueryResult<()> {
    diesel::update(review_cases::table.find(case_id))
        .set(review_cases::live_reviewers.eq(review_cases::live_reviewers + by))
        .execute(conn)
        .map(|_| ())
}

/// Moves a reviewer's load on the committee of a case, while the case is not closed.
fn adjust_load(
    conn: &mut DbConn,
    case_id: i64,
    reviewer_id: i64,
    assigned: i32,
    scored: i32,
) -> QueryResult<()> {
    let case: Option<(Option<i64>, String)> = review_cases::table
        .find(case_id)
        .select((review_cases::committee_id, review_cases::state))
        .first(conn)
        .optional()?;
    match case {
        Some((Some(committee_id), state)) if state != "closed" => {
            bump_load(conn, committee_id, reviewer_id, assigned, scored)
        }
        _ => Ok(()),
    }
}

/// Adds to a reviewer's load on a committee (creating the row at the first assignment).
fn bump_load(
    conn: &mut DbConn,
    committee_id: i64,
    reviewer_id: i64,
    assigned: i32,
    scored: i32,
) -> QueryResult<()> {
    use review_loads as l;
    let row = (
        l::committee_id.eq(committee_id),
        l::reviewer_id.eq(reviewer_id),
        l::assigned.eq(assigned),
        l::scored.eq(scored),
    );
    let add = (
        l::assigned.eq(l::assigned + assigned),
        l::scored.eq(l::scored + scored),
    );
    crate::on_backend!(conn, |c| diesel::insert_into(l::table)
        .values(row)
        .on_conflict((l::committee_id, l::reviewer_id))
        .do_update()
        .set(add)
        .execute(c))
    .map(|_| ())
}

/// A case has just closed: its live assignments leave their reviewers' loads (in reviewer
/// order, so that concurrent transactions lock the rows in one order).
fn release_loads(conn: &mut DbConn, case_id: i64) -> QueryResult<()> {
    let Some(committee_id) = review_cases::table
        .find(case_id)
        .select(review_cases::committee_id)
        .first::<Option<i64>>(conn)?
    else {
        return Ok(());
    };
    let live: Vec<(i64, String)> = review_assignments::table
        .filter(review_assignments::case_id.eq(case_id))
        .filter(review_assignments::state.ne("recused"))
        .order(review_assignments::reviewer_id)
        .select((review_assignments::reviewer_id, review_assignments::state))
        .load(conn)?;
    for (reviewer_id, state) in live {
        bump_load(
            conn,
            committee_id,
            reviewer_id,
            -1,
            -i32::from(state == "scored"),
        )?;
    }
    Ok(())
}

/// Rebuilds both counters from the assignments (after rows were written by other means, as
/// the benchmark's bulk seeding does).
pub fn rebuild_review_counters(conn: &mut DbConn) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE review_cases SET live_reviewers = (SELECT count(*) FROM review_assignments a \
         WHERE a.case_id = review_cases.id AND a.state <> 'recused')",
    )
    .execute(conn)?;
    diesel::delete(review_loads::table).execute(conn)?;
    diesel::sql_query(
        "INSERT INTO review_loads (committee_id, reviewer_id, assigned, scored) \
         SELECT c.committee_id, a.reviewer_id, count(*), \
                sum(CASE WHEN a.state = 'scored' THEN 1 ELSE 0 END) \
         FROM review_assignments a JOIN review_cases c ON c.id = a.case_id \
         WHERE c.committee_id IS NOT NULL AND c.state <> 'closed' AND a.state <> 'recused' \
         GROUP BY c.committee_id, a.reviewer_id",
    )
    .execute(conn)?;
    Ok(())
}

/// Where the stored counters differ from a recount, one line each (none when all agree).
pub fn review_counter_drift(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    let mut out = Vec::new();
    let cases: Vec<(i64, i32)> = review_cases::table
        .select((review_cases::id, review_cases::live_reviewers))
        .load(conn)?;
    let live: Vec<(i64, i64)> = review_assignments::table
        .filter(review_assignments::state.ne("recused"))
        .group_by(review_assignments::case_id)
        .select((review_assignments::case_id, diesel::dsl::count_star()))
        .load(conn)?;
    let live: HashMap<i64, i64> = live.into_iter().collect();
    for (id, stored) in cases {
        let counted = live.get(&id).copied().unwrap_or(0);
        if i64::from(stored) != counted {
            out.push(format!(
                "case {id}: live_reviewers {stored}, counted {counted}"
            ));
        }
    }
    let rows: Vec<(Option<i64>, i64, String)> = review_assignments::table
        .inner_join(review_cases::table)
        .filter(review_cases::state.ne("closed"))
        .filter(review_assignments::state.ne("recused"))
        .select((
            review_cases::committee_id,
            review_assignments::reviewer_id,
            review_assignments::state,
        ))
        .load(conn)?;
    let mut counted: HashMap<(i64, i64), (i32, i32)> = HashMap::new();
    for (committee, reviewer, state) in rows {
        if let Some(committee) = committee {
            let e = counted.entry((committee, reviewer)).or_default();
            e.0 += 1;
            e.1 += i32::from(state == "scored");
        }
    }
    let stored: Vec<(i64, i64, i32, i32)> = review_loads::table
        .select((
            review_loads::committee_id,
            review_loads::reviewer_id,
            review_loads::assigned,
            review_loads::scored,
        ))
        .load(conn)?;
    for (committee, reviewer, assigned, scored) in stored {
        let c = counted.remove(&(committee, reviewer)).unwrap_or_default();
        if (assigned, scored) != c {
            out.push(format!(
                "committee {committee}, reviewer {reviewer}: load {assigned}/{scored}, counted {}/{}",
                c.0, c.1
            ));
        }
    }
    for ((committee, reviewer), c) in counted {
        out.push(format!(
            "committee {committee}, reviewer {reviewer}: no load row, counted {}/{}",
            c.0, c.1
        ));
    }
    Ok(out)
}

/// Open (assigned, not scored) reviews per user, over cases still open.
pub fn open_review_counts(conn: &mut DbConn, user_ids: &[i64]) -> QueryResult<HashMap<i64, i64>> {
    // From the counters (`review_loads`: live assignments on cases not yet closed, and how
    // many are scored), a few index rows per reviewer, rather than a join over every open
    // case (a sequential scan of 100,000 cases under load).
    let rows: Vec<(i64, i32, i32)> = review_loads::table
        .filter(review_loads::reviewer_id.eq_any(user_ids))
        .select((
            review_loads::reviewer_id,
            review_loads::assigned,
            review_loads::scored,
        ))
        .load(conn)?;
    let mut open = HashMap::new();
    for (reviewer, assigned, scored) in rows {
        *open.entry(reviewer).or_insert(0) += i64::from(assigned - scored).max(0);
    }
    Ok(open)
}

/// Who reviewed (scored) an initiative in earlier rounds of a stage.
pub fn earlier_reviewers(
    conn: &mut DbConn,
    initiative_id: i64,
    stage_id: i64,
) -> QueryResult<Vec<i64>> {
    review_assignments::table
        .inner_join(review_cases::table)
        .filter(review_cases::initiative_id.eq(initiative_id))
        .filter(review_cases::stage_id.eq(stage_id))
        .filter(review_assignments::state.eq("scored"))
        .select(review_assignments::reviewer_id)
        .distinct()
        .load(conn)
}

/// A recorded conflict of interest.
#[derive(Debug, Clone, Queryable)]
pub struct ConflictRow {
    pub user_id: i64,
    pub reason_code: String,
    pub note: Option<String>,
    pub recorded_at: NaiveDateTime,
    pub full_name: String,
}

/// Records a conflict (the first reason recorded for a person is kept).
pub fn record_conflict(
    conn: &mut DbConn,
    initiative_id: i64,
    user_id: i64,
    reason_code: &str,
    note: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let exists: i64 = review_conflicts::table
        .filter(review_conflicts::initiative_id.eq(initiative_id))
        .filter(review_conflicts::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        diesel::insert_into(review_conflicts::table)
            .values((
                review_conflicts::initiative_id.eq(initiative_id),
                review_conflicts::user_id.eq(user_id),
                review_conflicts::reason_code.eq(reason_code),
                review_conflicts::note.eq(note),
                review_conflicts::recorded_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The conflicts recorded for an initiative.
pub fn conflicts(conn: &mut DbConn, initiative_id: i64) -> QueryResult<Vec<ConflictRow>> {
    review_conflicts::table
        .inner_join(users::table.on(users::id.eq(review_conflicts::user_id)))
        .filter(review_conflicts::initiative_id.eq(initiative_id))
        .order(review_conflicts::recorded_at)
        .select((
            review_conflicts::user_id,
            review_conflicts::reason_code,
            review_conflicts::note,
            review_conflicts::recorded_at,
            users::full_name,
        ))
        .load(conn)
}

/// The head (thủ trưởng) recorded for a union.
pub fn head_of(conn: &mut DbConn, union_id: i64) -> QueryResult<Option<i64>> {
    unions::table
        .find(union_id)
        .select(unions::head_user_id)
        .first(conn)
        .optional()
        .map(Option::flatten)
}

/// Records (or clears) the head of a union.
pub fn set_head(conn: &mut DbConn, union_id: i64, user_id: Option<i64>) -> QueryResult<()> {
    diesel::update(unions::table.find(union_id))
        .set(unions::head_user_id.eq(user_id))
        .execute(conn)
        .map(|_| ())
}

/// The union ids and levels along a path, root first.
pub fn ancestry(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<(i64, i32)>> {
    let mut rows: Vec<(i64, i32)> = unions::table
        .filter(unions::id.eq_any(ids))
        .select((unions::id, unions::level))
        .load(conn)?;
    rows.sort_by_key(|(id, _)| ids.iter().position(|x| x == id));
    Ok(rows)
}

/// A submitted version of an initiative.
#[derive(Debug, Clone, Queryable)]
pub struct VersionRow {
    pub round: i32,
    pub title: String,
    pub content: String,
    pub submitted_at: NaiveDateTime,
}

/// Stores the content as submitted in `round`.
pub fn insert_version(
    conn: &mut DbConn,
    initiative_id: i64,
    round: i32,
    title: &str,
    content: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(initiative_versions::table)
        .values((
            initiative_versions::initiative_id.eq(initiative_id),
            initiative_versions::round.eq(round),
            initiative_versions::title.eq(title),
            initiative_versions::content.eq(content),
            initiative_versions::submitted_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The submitted versions of an initiative, first round first.
pub fn versions(conn: &mut DbConn, initiative_id: i64) -> QueryResult<Vec<VersionRow>> {
    initiative_versions::table
        .filter(initiative_versions::initiative_id.eq(initiative_id))
        .order(initiative_versions::round)
        .select((
            initiative_versions::round,
            initiative_versions::title,
            initiative_versions::content,
            initiative_versions::submitted_at,
        ))
        .load(conn)
}

/// An award.
#[derive(Debug, Clone, Queryable)]
pub struct AwardRow {
    pub level: String,
    pub note: Option<String>,
    pub awarded_by: Option<i64>,
    pub awarded_at: NaiveDateTime,
}

/// Sets (or replaces) an initiative's award.
pub fn set_award(
    conn: &mut DbConn,
    initiative_id: i64,
    level: &str,
    note: Option<&str>,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(awards::table.find(initiative_id)).execute(conn)?;
    diesel::insert_into(awards::table)
        .values((
            awards::initiative_id.eq(initiative_id),
            awards::level.eq(level),
            awards::note.eq(note),
            awards::awarded_by.eq(by),
            awards::awarded_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Removes an initiative's award; true if it had one.
pub fn clear_award(conn: &mut DbConn, initiative_id: i64) -> QueryResult<bool> {
    diesel::delete(awards::table.find(initiative_id))
        .execute(conn)
        .map(|n| n > 0)
}

/// An initiative's award.
pub fn award(conn: &mut DbConn, initiative_id: i64) -> QueryResult<Option<AwardRow>> {
    awards::table
        .find(initiative_id)
        .select((
            awards::level,
            awards::note,
            awards::awarded_by,
            awards::awarded_at,
        ))
        .first(conn)
        .optional()
}

/// Filters of a reviewer's queue.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub program_id: Option<i64>,
    pub stage_id: Option<i64>,
    pub field_id: Option<i64>,
    /// Only initiatives of this union subtree.
    pub subtree: Option<String>,
    pub has_duplicates: bool,
    pub not_scored: bool,
}

/// One line of a reviewer's queue.
#[derive(Debug, Clone, Queryable)]
pub struct QueueRow {
    pub case_id: i64,
    pub initiative_id: i64,
    pub title: String,
    pub receipt_no: Option<String>,
    pub union_name: String,
    pub field_name: Option<String>,
    pub stage_name: String,
    pub state: String,
    pub due_at: NaiveDateTime,
    pub my_state: String,
    pub my_total: Option<f64>,
    pub duplicate_count: i64,
}

type QueueTuple = (
    i64,
    i64,
    String,
    Option<String>,
    String,
    Option<String>,
    String,
    String,
    NaiveDateTime,
    String,
    Option<f64>,
);

/// A page of a reviewer's queue (cases still open or pending), due first, with the total and
/// how many of them the reviewer has scored.
///
/// The counts and the page's order need only the assignments and the cases; the initiatives
/// (large rows) are read for the page alone, unless a filter is on them. The inner joins
/// left out of the counts never drop a row: each is a non-null foreign key.
pub fn queue(
    conn: &mut DbConn,
    reviewer_id: i64,
    f: &QueueFilter,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<QueueRow>, i64, i64)> {
    use super::schema::duplicate_candidates as dc;
    let mine = || {
        let mut q = review_assignments::table
            .inner_join(review_cases::table)
            .filter(review_assignments::reviewer_id.eq(reviewer_id))
            .filter(review_assignments::state.ne("recused"))
            .filter(review_cases::state.ne("closed"))
            .into_boxed();
        if let Some(p) = f.program_id {
            q = q.filter(review_cases::program_id.eq(p));
        }
        if let Some(s) = f.stage_id {
            q = q.filter(review_cases::stage_id.eq(s));
        }
        q
    };
    let by_initiative = f.field_id.is_some() || f.subtree.is_some() || f.has_duplicates;
    let build = || {
        let mut q = review_assignments::table
            .inner_join(review_cases::table)
            .inner_join(initiatives::table.on(initiatives::id.eq(review_cases::initiative_id)))
            .filter(review_assignments::reviewer_id.eq(reviewer_id))
            .filter(review_assignments::state.ne("recused"))
            .filter(review_cases::state.ne("closed"))
            .into_boxed();
        if let Some(p) = f.program_id {
            q = q.filter(review_cases::program_id.eq(p));
        }
        if let Some(s) = f.stage_id {
            q = q.filter(review_cases::stage_id.eq(s));
        }
        if let Some(fid) = f.field_id {
            q = q.filter(initiatives::field_id.eq(fid));
        }
        if let Some(path) = &f.subtree {
            let (lo, hi) = super::path_range(path);
            q = q.filter(
                initiatives::union_path
                    .ge(lo)
                    .and(initiatives::union_path.lt(hi)),
            );
        }
        if f.has_duplicates {
            q = q.filter(diesel::dsl::exists(
                dc::table.filter(dc::initiative_id.eq(initiatives::id)),
            ));
        }
        q
    };
    let scored_only = review_assignments::state.eq("scored");
    let not_scored = review_assignments::state.eq("assigned");
    let order = (review_cases::due_at, review_cases::id);
    let (total, scored, page): (i64, i64, Vec<i64>) = if by_initiative {
        let total = build().count().get_result(conn)?;
        let scored = build().filter(scored_only).count().get_result(conn)?;
        let mut q = build();
        if f.not_scored {
            q = q.filter(not_scored);
        }
        let page = q
            .order(order)
            .limit(limit)
            .offset(offset)
            .select(review_cases::id)
            .load(conn)?;
        (total, scored, page)
    } else {
        let total = mine().count().get_result(conn)?;
        let scored = mine().filter(scored_only).count().get_result(conn)?;
        let mut q = mine();
        if f.not_scored {
            q = q.filter(not_scored);
        }
        let page = q
            .order(order)
            .limit(limit)
            .offset(offset)
            .select(review_cases::id)
            .load(conn)?;
        (total, scored, page)
    };
    let mut rows: Vec<QueueTuple> = if page.is_empty() {
        Vec::new()
    } else {
        review_assignments::table
            .inner_join(review_cases::table)
            .inner_join(initiatives::table.on(initiatives::id.eq(review_cases::initiative_id)))
            .inner_join(unions::table.on(unions::id.eq(initiatives::union_id)))
            .inner_join(review_stages::table.on(review_stages::id.eq(review_cases::stage_id)))
            .left_join(fields::table.on(fields::id.nullable().eq(initiatives::field_id)))
            .filter(review_assignments::reviewer_id.eq(reviewer_id))
            .filter(review_cases::id.eq_any(&page))
            .select((
                review_cases::id,
                initiatives::id,
                initiatives::title,
                initiatives::receipt_no,
                unions::name,
                fields::name.nullable(),
                review_stages::name,
                review_cases::state,
                review_cases::due_at,
                review_assignments::state,
                review_assignments::total,
            ))
            .load(conn)?
    };
    // Back in the page's order (due first).
    let position: HashMap<i64, usize> = page.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|r| position.get(&r.0).copied().unwrap_or(usize::MAX));
    let ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
    let counts: HashMap<i64, i64> = dc::table
        .filter(dc::initiative_id.eq_any(&ids))
        .group_by(dc::initiative_id)
        .select((dc::initiative_id, diesel::dsl::count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let out = rows
        .into_iter()
        .map(|r| QueueRow {
            case_id: r.0,
            initiative_id: r.1,
            duplicate_count: counts.get(&r.1).copied().unwrap_or(0),
            title: r.2,
            receipt_no: r.3,
            union_name: r.4,
            field_name: r.5,
            stage_name: r.6,
            state: r.7,
            due_at: r.8,
            my_state: r.9,
            my_total: r.10,
        })
        .collect();
    Ok((out, total, scored))
}

/// Progress of each member of a committee over its open and pending cases:
/// (reviewer, assigned, scored), from the counters.
pub fn committee_progress(
    conn: &mut DbConn,
    committee_id: i64,
) -> QueryResult<Vec<(i64, i32, i32)>> {
    review_loads::table
        .filter(review_loads::committee_id.eq(committee_id))
        .select((
            review_loads::reviewer_id,
            review_loads::assigned,
            review_loads::scored,
        ))
        .load(conn)
}

/// One case on the chair's board.
#[derive(Debug, Clone, Queryable)]
pub struct BoardRow {
    pub case_id: i64,
    pub initiative_id: i64,
    pub title: String,
    pub receipt_no: Option<String>,
    pub union_name: String,
    pub state: String,
    pub due_at: NaiveDateTime,
    pub decision: Option<String>,
}

/// Counts of a committee's cases by state (open, pending).
pub fn committee_counts(conn: &mut DbConn, committee_id: i64) -> QueryResult<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = review_cases::table
        .filter(review_cases::committee_id.eq(committee_id))
        .group_by(review_cases::state)
        .select((review_cases::state, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// A page of a committee's open or pending cases (`state`), due first; `unassigned` keeps
/// only open cases with fewer live assignments than `required`.
pub fn committee_cases(
    conn: &mut DbConn,
    committee_id: i64,
    state: &str,
    unassigned_below: Option<i32>,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<BoardRow>, i64)> {
    let live = |required: i32| review_cases::live_reviewers.lt(required);
    // The count needs only the cases: the joins below follow non-null foreign keys.
    let mut count = review_cases::table
        .filter(review_cases::committee_id.eq(committee_id))
        .filter(review_cases::state.eq(state.to_owned()))
        .into_boxed();
    if let Some(required) = unassigned_below {
        count = count.filter(live(required));
    }
    let total: i64 = count.count().get_result(conn)?;
    if total <= offset {
        return Ok((Vec::new(), total));
    }
    let mut q = review_cases::table
        .inner_join(initiatives::table)
        .inner_join(unions::table.on(unions::id.eq(initiatives::union_id)))
        .filter(review_cases::committee_id.eq(committee_id))
        .filter(review_cases::state.eq(state.to_owned()))
        .into_boxed();
    if let Some(required) = unassigned_below {
        q = q.filter(live(required));
    }
    let rows = q
        .order((review_cases::due_at, review_cases::id))
        .limit(limit)
        .offset(offset)
        .select((
            review_cases::id,
            initiatives::id,
            initiatives::title,
            initiatives::receipt_no,
            unions::name,
            review_cases::state,
            review_cases::due_at,
            review_cases::decision,
        ))
        .load(conn)?;
    Ok((rows, total))
}

/// Submitted initiatives of a program that have no case (filed before review was set up).
pub fn without_case(conn: &mut DbConn, program_id: i64) -> QueryResult<Vec<i64>> {
    initiatives::table
        .filter(initiatives::program_id.eq(program_id))
        .filter(initiatives::status.eq_any(["submitted", "under_review"]))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            review_cases::table.filter(review_cases::initiative_id.eq(initiatives::id)),
        )))
        .select(initiatives::id)
        .load(conn)
}

/// A published case with its initiative's title, receipt number and union name.
pub type PublishedRow = (CaseRow, String, Option<String>, String);

/// Cases a committee has decided and published between two instants (the minutes), in the
/// order they were published.
pub fn published_between(
    conn: &mut DbConn,
    committee_id: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<PublishedRow>> {
    review_cases::table
        .inner_join(initiatives::table)
        .inner_join(unions::table.on(unions::id.eq(initiatives::union_id)))
        .filter(review_cases::committee_id.eq(committee_id))
        .filter(review_cases::state.eq("closed"))
        .filter(review_cases::published_at.ge(from))
        .filter(review_cases::published_at.lt(to))
        .order((review_cases::published_at, review_cases::id))
        .limit(limit)
        .select((
            CaseRow::as_select(),
            initiatives::title,
            initiatives::receipt_no,
            unions::name,
        ))
        .load(conn)
}
