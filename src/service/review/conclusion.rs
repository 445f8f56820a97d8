//! After the decision: revocation, awards, versions compared, and the committee's minutes.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    common::{committee_for, committee_view, move_initiative, utc},
    reviewing::review_in,
    views::{CommitteeView, SectionDiff, VersionDiff},
};
use crate::db::review::{self as q};
use crate::db::{self, Db, DbConn, initiatives, programs, unions};
use crate::domain::diff::{SECTIONS, Segment, segments, word_diff};
use crate::domain::review::{Aggregation, AssignmentState, Decision, award_label, reason_label};
use crate::domain::{Action, Actor, InitiativeStatus, Resource, UnionPath, can};
use crate::error::{AppError, ErrorCode};
use crate::search::SearchService;
use crate::service::shared::initiative::{InitiativeView, full_view, load, record, status_of};

fn concluding(
    conn: &mut DbConn,
    actor: &Actor,
    initiative_id: i64,
) -> Result<initiatives::InitiativeRow, AppError> {
    let (row, path, authors) = load(conn, initiative_id)?;
    crate::service::shared::initiative::authorize(
        actor,
        Action::ViewInitiative,
        &row,
        &path,
        &authors,
    )?;
    let program = programs::find(conn, row.program_id)?.ok_or_else(AppError::not_found)?;
    let owner = crate::service::shared::program::owner_path(conn, &program)?;
    if !can(
        actor,
        Action::ConcludeInitiative,
        Resource::Program {
            owner_path: &owner,
            status: crate::service::shared::program::status_of(&program)?,
        },
    ) {
        return Err(AppError::forbidden());
    }
    Ok(row)
}

/// Revokes an approval (e.g. fraud found later), with a reason: the owning union only. It
/// stops counting toward quotas and loses any award.
pub async fn revoke(
    db: &Db,
    search: &Arc<SearchService>,
    actor: &Actor,
    initiative_id: i64,
    reason: String,
) -> Result<InitiativeView, AppError> {
    let actor = actor.clone();
    let view = db
        .write(move |conn| {
            concluding(conn, &actor, initiative_id)?;
            let now = db::now();
            move_initiative(
                conn,
                Some(actor.user_id),
                initiative_id,
                InitiativeStatus::Revoked,
                "revoked",
                Some(&reason),
                now,
            )?;
            q::clear_award(conn, initiative_id)?;
            let row = initiatives::find(conn, initiative_id)?.ok_or_else(AppError::not_found)?;
            full_view(conn, row)
        })
        .await?;
    search.wake();
    Ok(view)
}

/// An initiative's award.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AwardView {
    pub level: String,
    pub level_name: String,
    pub note: Option<String>,
    pub awarded_at: DateTime<Utc>,
}

/// Marks an approved initiative outstanding with an award level (or clears it with `None`):
/// the owning union only.
pub async fn award(
    db: &Db,
    actor: &Actor,
    initiative_id: i64,
    level: Option<String>,
    note: Option<String>,
) -> Result<Option<AwardView>, AppError> {
    let actor = actor.clone();
    db.write(move |conn| {
        let row = concluding(conn, &actor, initiative_id)?;
        if status_of(&row)? != InitiativeStatus::Approved {
            return Err(AppError::new(ErrorCode::InvalidState)
                .with_message("Chỉ sáng kiến đã được thông qua mới được khen thưởng."));
        }
        let now = db::now();
        match &level {
            Some(l) => {
                if award_label(l).is_none() {
                    return Err(AppError::field("level", "Mức khen thưởng không hợp lệ."));
                }
                q::set_award(conn, initiative_id, l, note.as_deref(), actor.user_id, now)?;
            }
            None => {
                q::clear_award(conn, initiative_id)?;
            }
        }
        let label = level.as_deref().and_then(award_label);
        record(
            conn,
            actor.user_id,
            initiative_id,
            if level.is_some() {
                "awarded"
            } else {
                "award_cleared"
            },
            None,
            None,
            label,
        )?;
        award_in(conn, initiative_id)
    })
    .await
}

/// An initiative's award, if it has one.
pub fn award_in(conn: &mut DbConn, initiative_id: i64) -> Result<Option<AwardView>, AppError> {
    Ok(q::award(conn, initiative_id)?.map(|a| AwardView {
        level_name: award_label(&a.level).unwrap_or_default().to_owned(),
        level: a.level,
        note: a.note,
        awarded_at: utc(a.awarded_at),
    }))
}

/// Compares two submitted versions word by word (by default the last two), for whoever may
/// see the initiative.
pub async fn diff(
    db: &Db,
    actor: &Actor,
    initiative_id: i64,
    from: Option<i32>,
    to: Option<i32>,
) -> Result<VersionDiff, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let (row, path, authors) = load(conn, initiative_id)?;
        crate::service::shared::initiative::authorize(
            &actor,
            Action::ViewInitiative,
            &row,
            &path,
            &authors,
        )?;
        let versions = initiatives::versions(conn, initiative_id)?;
        let last = i32::try_from(versions.len()).unwrap_or(0);
        if last == 0 {
            return Err(AppError::new(ErrorCode::InvalidState)
                .with_message("Sáng kiến chưa được nộp lần nào."));
        }
        let to = to.unwrap_or(last);
        let from = from.unwrap_or((to - 1).max(1));
        let find = |r: i32| versions.iter().find(|v| v.round == r);
        let (Some(a), Some(b)) = (find(from), find(to)) else {
            return Err(AppError::new(ErrorCode::InvalidQuery)
                .with_message(format!("Chỉ có các lần nộp từ 1 đến {last}.")));
        };
        let ca: serde_json::Value = serde_json::from_str(&a.content).unwrap_or_default();
        let cb: serde_json::Value = serde_json::from_str(&b.content).unwrap_or_default();
        let mut sections = vec![SectionDiff {
            key: "title",
            label: "Tên sáng kiến",
            changed: a.title != b.title,
            chunks: word_diff(&a.title, &b.title),
        }];
        for (key, label) in SECTIONS {
            let old = ca[key].as_str().unwrap_or_default();
            let new = cb[key].as_str().unwrap_or_default();
            sections.push(SectionDiff {
                key,
                label,
                changed: old != new,
                chunks: word_diff(old, new),
            });
        }
        Ok(VersionDiff {
            from_round: from,
            to_round: to,
            from_submitted_at: utc(a.submitted_at),
            to_submitted_at: utc(b.submitted_at),
            sections,
        })
    })
    .await
}

/// One side of a comparison.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Side {
    pub id: i64,
    pub title: String,
    pub receipt_no: Option<String>,
    pub union_name: String,
    pub status_name: &'static str,
    pub submitted_at: Option<DateTime<Utc>>,
    /// The four sections joined by blank lines, cut where the copied passages start and end;
    /// empty when the content is confidential to the caller.
    pub segments: Vec<Segment>,
    pub confidential: bool,
}

/// An initiative beside another one, with the copied passages marked in both.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Comparison {
    pub this: Side,
    pub other: Side,
    /// Similarity in [0, 1], when the detector finds the other among the closest.
    pub score: Option<f32>,
    pub verdict: Option<String>,
    /// Share of this initiative's text inside copied passages.
    pub copied_share: f32,
}

/// The initiative under review beside another (its duplicate candidate), with the copied
/// passages marked: for those who may review or oversee the first.
pub async fn compare(
    db: &Db,
    search: &Arc<SearchService>,
    actor: &Actor,
    id: i64,
    other_id: i64,
) -> Result<Comparison, AppError> {
    let actor = actor.clone();
    let search = search.clone();
    db.read(move |conn| {
        // Only those who may open the review page of `id` compare it.
        review_in(conn, &actor, id)?;
        let this = initiatives::find(conn, id)?.ok_or_else(AppError::not_found)?;
        let other = initiatives::find(conn, other_id)?
            .filter(|o| o.status != InitiativeStatus::Draft.as_str() && o.id != id)
            .ok_or_else(AppError::not_found)?;
        let text = search_index::join_sections(&crate::search::sections(&this));
        let other_text = search_index::join_sections(&crate::search::sections(&other));
        let result = search
            .index()
            .check_similar(&search_index::SimilarityQuery {
                title: this.title.clone(),
                text: text.clone(),
                exclude_id: Some(id.unsigned_abs()),
                limit: 30,
                ..search_index::SimilarityQuery::default()
            })
            .map_err(|e| AppError::failed("comparison", e))?;
        let found = result
            .matches
            .iter()
            .find(|m| m.id == other_id.unsigned_abs());
        let (mine, theirs): (Vec<_>, Vec<_>) = found
            .map(|m| {
                m.passages
                    .iter()
                    .map(|p| (p.query_range.clone(), p.candidate_range.clone()))
                    .unzip()
            })
            .unwrap_or_default();
        let other_path = UnionPath::from_stored(other.union_path.clone());
        let other_authors: Vec<i64> = initiatives::authors(conn, other.id)?
            .into_iter()
            .map(|a| a.user_id)
            .collect();
        let other_visible = !other.confidential
            || can(
                &actor,
                Action::ViewInitiative,
                Resource::Initiative {
                    program_id: other.program_id,
                    union_path: &other_path,
                    authors: &other_authors,
                    status: status_of(&other)?,
                    confidential: true,
                },
            );
        let names: HashMap<i64, String> =
            unions::find_many(conn, &[this.union_id, other.union_id])?
                .into_iter()
                .map(|u| (u.id, u.name))
                .collect();
        let side = |row: &initiatives::InitiativeRow,
                    segs: Vec<Segment>,
                    confidential: bool|
         -> Result<Side, AppError> {
            Ok(Side {
                id: row.id,
                title: row.title.clone(),
                receipt_no: row.receipt_no.clone(),
                union_name: names.get(&row.union_id).cloned().unwrap_or_default(),
                status_name: status_of(row)?.label(),
                submitted_at: row.submitted_at.map(utc),
                segments: segs,
                confidential,
            })
        };
        let total = text.chars().count().max(1);
        let copied: usize = segments(&text, &mine)
            .iter()
            .filter(|s| s.copied)
            .map(|s| s.text.chars().count())
            .sum();
        Ok(Comparison {
            this: side(&this, segments(&text, &mine), false)?,
            other: side(
                &other,
                if other_visible {
                    segments(&other_text, &theirs)
                } else {
                    Vec::new()
                },
                !other_visible,
            )?,
            score: found.map(|m| m.score),
            verdict: found.map(|m| format!("{:?}", m.verdict)),
            copied_share: copied as f32 / total as f32,
        })
    })
    .await
}

/// One decision in the minutes (biên bản) of a committee.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MinutesRow {
    pub initiative_id: i64,
    pub receipt_no: Option<String>,
    pub title: String,
    pub union_name: String,
    pub authors: Vec<String>,
    /// The committee's combined score, if scored.
    pub score: Option<f64>,
    pub decision_name: &'static str,
    pub reason: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
}

/// The minutes of a committee's published decisions over a period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MinutesView {
    pub committee: CommitteeView,
    pub program_name: String,
    pub aggregation: Aggregation,
    pub rows: Vec<MinutesRow>,
    /// Decision name → how many.
    pub tally: Vec<(&'static str, usize)>,
}

/// The minutes of a committee's decisions published in `[from, to)` (at most 2,000).
pub async fn minutes(
    db: &Db,
    actor: &Actor,
    committee_id: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<MinutesView, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let (c, membership, manages) = committee_for(conn, &actor, committee_id)?;
        if membership.is_none() && !manages {
            return Err(AppError::forbidden());
        }
        let program = programs::find(conn, c.program_id)?.ok_or_else(AppError::not_found)?;
        let aggregation =
            Aggregation::parse(&q::aggregation(conn, program.id)?).unwrap_or(Aggregation::Mean);
        let mut rows = Vec::new();
        let mut tally: Vec<(&'static str, usize)> =
            Decision::ALL.iter().map(|d| (d.label(), 0)).collect();
        for (case, title, receipt_no, union_name) in
            q::published_between(conn, committee_id, from, to, 2000)?
        {
            let decision = case.decision.as_deref().and_then(Decision::parse);
            if let Some(d) = decision
                && let Some(t) = tally.iter_mut().find(|(l, _)| *l == d.label())
            {
                t.1 += 1;
            }
            let totals: Vec<f64> = q::assignments(conn, case.id)?
                .iter()
                .filter(|a| AssignmentState::parse(&a.state) == AssignmentState::Scored)
                .filter_map(|a| a.total)
                .collect();
            let authors = initiatives::authors(conn, case.initiative_id)?
                .into_iter()
                .map(|a| a.full_name)
                .collect();
            let reason = match (
                case.reason_code.as_deref().and_then(reason_label),
                &case.decision_note,
            ) {
                (Some(r), Some(n)) => Some(format!("{r}. {n}")),
                (Some(r), None) => Some(r.to_owned()),
                (None, n) => n.clone(),
            };
            rows.push(MinutesRow {
                initiative_id: case.initiative_id,
                receipt_no,
                title,
                union_name,
                authors,
                score: aggregation.combine(&totals),
                decision_name: decision.map_or("", Decision::label),
                reason,
                published_at: case.published_at.map(utc),
            });
        }
        Ok(MinutesView {
            committee: committee_view(conn, c)?,
            program_name: program.name,
            aggregation,
            rows,
            tally,
        })
    })
    .await
}

/// May the actor revoke or award this initiative (the program's owning union)?
pub async fn may_conclude(db: &Db, actor: &Actor, initiative_id: i64) -> Result<bool, AppError> {
    let actor = actor.clone();
    db.read(move |conn| match concluding(conn, &actor, initiative_id) {
        Ok(_) => Ok(true),
        Err(e) if matches!(e.code, ErrorCode::Forbidden | ErrorCode::NotFound) => Ok(false),
        Err(e) => Err(e),
    })
    .await
}

/// An initiative's award as the pages show it (for whoever may see the initiative).
pub async fn award_of(db: &Db, initiative_id: i64) -> Result<Option<AwardView>, AppError> {
    db.read(move |conn| award_in(conn, initiative_id)).await
}
