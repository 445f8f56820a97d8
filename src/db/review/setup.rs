//! A program's review set-up: stages, committees and their members, the rubric.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{
    committee_members, committees, programs, review_assignments, review_cases, review_stages,
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
