//! Duplicate checks for the live "Sáng kiến tương tự" panel, and the published-initiative
//! search behind the gallery.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use search_index::{SearchFilters, SimilarityQuery, Verdict, join_sections};
use serde::{Deserialize, Serialize};

use crate::db::{Db, initiatives, unions};
use crate::domain::Stored;
use crate::domain::initiative::HIDDEN_TITLE;
use crate::domain::permissions::Resource;
use crate::domain::{Action, Actor, InitiativeStatus, UnionPath, can};
use crate::error::AppError;
use crate::search::SearchService;
pub use crate::service::shared::initiative::DuplicateCandidateView;
use crate::service::{Page, PageRequest};

/// Where to look for similar initiatives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SimilarScope {
    /// Every program and union (the default: copies cross programs).
    #[default]
    All,
    /// Only the given program.
    Program,
    /// Only the caller's province or national sector union.
    Union,
}

/// A validated draft to check.
#[derive(Debug, Clone)]
pub struct SimilarInput {
    pub title: String,
    /// Hiện trạng, giải pháp, phạm vi, hiệu quả (any may be empty).
    pub sections: [String; 4],
    pub program_id: Option<i64>,
    pub scope: SimilarScope,
    pub exclude_id: Option<i64>,
}

/// A copied passage: character ranges `[start, end)` in the checked text (the sections joined
/// by a blank line, in form order) and in the earlier initiative's text.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PassageView {
    pub query_start: usize,
    pub query_end: usize,
    pub candidate_start: usize,
    pub candidate_end: usize,
}

/// The union of a match.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnionRef {
    pub id: i64,
    pub name: String,
}

/// One earlier initiative that resembles the draft.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SimilarMatch {
    pub initiative_id: i64,
    pub title: String,
    pub union: Option<UnionRef>,
    pub status: InitiativeStatus,
    pub status_name: &'static str,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Similarity in [0, 1].
    pub score: f32,
    /// `duplicate`, `near_duplicate`, `partial_copy` or `similar`.
    #[schema(value_type = String)]
    pub verdict: Verdict,
    /// Share of the earlier initiative found word for word in the draft, in [0, 1].
    pub copied_share: f32,
    /// What was copied, in Vietnamese ("72% nội dung giải pháp của SK2025-0001234"), for a
    /// copy in part (`partial_copy`).
    pub copied: Option<String>,
    pub passages: Vec<PassageView>,
}

/// The names of an initiative's four sections, as a match names the one copied.
const SECTION_NAMES: [&str; 4] = [
    "hiện trạng",
    "nội dung giải pháp",
    "phạm vi áp dụng",
    "hiệu quả và lợi ích",
];

/// "72% nội dung giải pháp của SK2025-0001234" for a copy in part: the section most copied
/// when at least half of it was, else the share of the whole initiative.
pub(crate) fn copied_text(m: &search_index::Match, source: &str) -> Option<String> {
    if m.verdict != Verdict::PartialCopy {
        return None;
    }
    let pct = |x: f32| (x * 100.0).round() as i64;
    Some(match m.copied_section {
        Some((s, share)) if share >= 0.5 => format!(
            "{}% {} của {source}",
            pct(share),
            SECTION_NAMES.get(usize::from(s)).unwrap_or(&"nội dung")
        ),
        _ => format!("{}% nội dung của {source}", pct(m.copied_share)),
    })
}

/// The answer of a check.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SimilarView {
    /// `unicode`, `tcvn3`, `vni` or `windows1258`: how the pasted text was encoded.
    #[schema(value_type = String)]
    pub detected_encoding: search_index::DetectedEncoding,
    /// The matches the caller may read, or whose content is not confidential.
    pub matches: Vec<SimilarMatch>,
    /// An earlier confidential initiative that the caller may not read is similar. Nothing
    /// more is said of it (no number, title, union, status or score), so that the check
    /// cannot confirm a guess of its content.
    pub confidential_similar: bool,
}

/// The unions at the end of these paths, by path, in one query.
fn union_names(
    conn: &mut crate::db::DbConn,
    paths: &[String],
) -> Result<HashMap<String, UnionRef>, AppError> {
    let ids: Vec<i64> = paths
        .iter()
        .filter_map(|p| UnionPath::from_stored(p.clone()).ids().last().copied())
        .collect();
    Ok(unions::find_many(conn, &ids)?
        .into_iter()
        .map(|u| {
            (
                u.path,
                UnionRef {
                    id: u.id,
                    name: u.name,
                },
            )
        })
        .collect())
}

/// May `actor` read the content of this initiative? Only asked of confidential ones: what
/// the others show in these lists (title, union, status) is shown to every signed-in user.
fn content_visible(
    conn: &mut crate::db::DbConn,
    actor: &Actor,
    row: &initiatives::InitiativeRow,
) -> Result<bool, AppError> {
    if !row.confidential {
        return Ok(true);
    }
    let (row, path, authors) = crate::service::shared::initiative::load(conn, row.id)?;
    Ok(can(
        actor,
        Action::ViewInitiative,
        Resource::Initiative {
            program_id: row.program_id,
            union_path: &path,
            authors: &authors,
            status: InitiativeStatus::from_stored(&row.status)?,
            confidential: true,
        },
    ))
}

/// The title of a confidential initiative as shown to someone who may not read it: the
/// real one once it is published (approved), a placeholder before.
fn shown_title(row: &initiatives::InitiativeRow, visible: bool) -> String {
    if visible || row.status == InitiativeStatus::Approved.as_str() {
        row.title.clone()
    } else {
        HIDDEN_TITLE.to_owned()
    }
}

/// Checks a draft against submitted initiatives.
pub async fn similar(
    db: &Db,
    search: &Arc<SearchService>,
    actor: &Actor,
    input: SimilarInput,
) -> Result<SimilarView, AppError> {
    let union_prefix = match input.scope {
        SimilarScope::Union => {
            let ids = actor.union_path.ids();
            ids.get(..2.min(ids.len())).map(|top| {
                let mut p = String::from("/");
                for id in top {
                    p.push_str(&format!("{id}/"));
                }
                p
            })
        }
        _ => None,
    };
    if input.scope == SimilarScope::Program && input.program_id.is_none() {
        return Err(AppError::field(
            "program_id",
            "Cần chọn chương trình khi tìm trong chương trình.",
        ));
    }
    let query = SimilarityQuery {
        title: input.title,
        text: join_sections(&input.sections),
        program_id: match input.scope {
            SimilarScope::Program => input.program_id.map(i64::unsigned_abs),
            _ => None,
        },
        union_path_prefix: union_prefix,
        exclude_id: input.exclude_id.map(i64::unsigned_abs),
        limit: 10,
        ..SimilarityQuery::default()
    };
    let s = search.clone();
    let result = tokio::task::spawn_blocking(move || s.index().check_similar(&query))
        .await
        .map_err(AppError::internal)?
        .map_err(|e| AppError::failed("duplicate check", e))?;
    let matches = result.matches;
    let detected_encoding = result.detected_encoding;
    let actor = actor.clone();
    db.read(move |conn| {
        let ids: Vec<i64> = matches
            .iter()
            .filter_map(|m| i64::try_from(m.id).ok())
            .collect();
        let rows = initiatives::find_many(conn, &ids)?;
        let paths: Vec<String> = rows.iter().map(|r| r.union_path.clone()).collect();
        let names = union_names(conn, &paths)?;
        let mut out = Vec::new();
        let mut confidential_similar = false;
        for m in matches {
            // The index may trail the database by a moment: trust the database.
            let Some(row) = rows.iter().find(|r| r.id.unsigned_abs() == m.id) else {
                continue;
            };
            let status = InitiativeStatus::from_stored(&row.status)?;
            if status == InitiativeStatus::Draft {
                continue;
            }
            // A confidential initiative that the caller may not read is still found (a copy
            // of it is a copy), but only as "an earlier confidential initiative is similar".
            if !content_visible(conn, &actor, row)? {
                confidential_similar = true;
                continue;
            }
            out.push(SimilarMatch {
                initiative_id: row.id,
                title: row.title.clone(),
                union: names.get(&row.union_path).cloned(),
                status,
                status_name: status.label(),
                submitted_at: row.submitted_at.map(|t| t.and_utc()),
                score: m.score,
                verdict: m.verdict,
                copied_share: m.copied_share,
                copied: copied_text(&m, row.receipt_no.as_deref().unwrap_or(row.title.as_str())),
                passages: m
                    .passages
                    .iter()
                    .map(|p| PassageView {
                        query_start: p.query_range.start,
                        query_end: p.query_range.end,
                        candidate_start: p.candidate_range.start,
                        candidate_end: p.candidate_range.end,
                    })
                    .collect(),
            });
        }
        Ok(SimilarView {
            detected_encoding,
            matches: out,
            confidential_similar,
        })
    })
    .await
}

/// A published initiative found by a search.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchHitView {
    pub initiative_id: i64,
    pub title: String,
    /// The title with matched words in `<mark>` (HTML-escaped otherwise).
    pub title_html: String,
    /// An extract with matched words in `<mark>`; empty for confidential initiatives.
    pub snippet_html: String,
    pub program_id: i64,
    pub union: Option<UnionRef>,
    pub confidential: bool,
    pub estimated_benefit_vnd: Option<i64>,
    pub score: f32,
}

/// Searches approved initiatives: diacritics optional, ranked by BM25.
pub async fn search_published(
    db: &Db,
    search: &Arc<SearchService>,
    q: String,
    program_id: Option<i64>,
    field_id: Option<i64>,
    union_id: Option<i64>,
    page: PageRequest,
) -> Result<Page<SearchHitView>, AppError> {
    let (limit, offset, page_no, per_page) = page.resolve()?;
    let union_path = match union_id {
        Some(id) => Some(
            db.read(move |conn| unions::find(conn, id)?.ok_or_else(AppError::not_found))
                .await?
                .path,
        ),
        None => None,
    };
    let filters = SearchFilters {
        program_id: program_id.map(i64::unsigned_abs),
        field_id: field_id.map(i64::unsigned_abs),
        union_path_prefix: union_path,
        status: Some(InitiativeStatus::Approved.as_str().to_owned()),
        ..SearchFilters::default()
    };
    // A confidential initiative is published with its title only: it is found by the words
    // of its title, as many of them as the search asked for, never by its content.
    let mut words = search_index::normalize::folded_words(&q);
    let mut seen = std::collections::HashSet::new();
    words.retain(|w| seen.insert(w.clone()));
    let s = search.clone();
    let results = tokio::task::spawn_blocking(move || {
        s.index().search(
            &q,
            &filters,
            usize::try_from(limit).unwrap_or(50),
            usize::try_from(offset).unwrap_or(0),
        )
    })
    .await
    .map_err(AppError::internal)?
    .map_err(|e| AppError::failed("search", e))?;
    let total = i64::try_from(results.total).unwrap_or(i64::MAX);
    let required = results.required_words;
    let hits = results.hits;
    let found = hits.len();
    let items: Vec<SearchHitView> = db
        .read(move |conn| {
            let ids: Vec<i64> = hits
                .iter()
                .filter_map(|h| i64::try_from(h.id).ok())
                .collect();
            let rows = initiatives::find_many(conn, &ids)?;
            let paths: Vec<String> = rows.iter().map(|r| r.union_path.clone()).collect();
            let names = union_names(conn, &paths)?;
            Ok(hits
                .into_iter()
                .filter_map(|h| {
                    let row = rows.iter().find(|r| r.id.unsigned_abs() == h.id)?;
                    if row.status != InitiativeStatus::Approved.as_str() {
                        return None;
                    }
                    if row.confidential {
                        let title = search_index::normalize::folded_words(&row.title);
                        let matched = words.iter().filter(|w| title.contains(w)).count();
                        if matched < required {
                            return None;
                        }
                    }
                    Some(SearchHitView {
                        initiative_id: row.id,
                        title: row.title.clone(),
                        title_html: h.title_html,
                        snippet_html: if row.confidential {
                            String::new()
                        } else {
                            h.snippet_html
                        },
                        program_id: row.program_id,
                        union: names.get(&row.union_path).cloned(),
                        confidential: row.confidential,
                        estimated_benefit_vnd: row.estimated_benefit_vnd,
                        score: h.score,
                    })
                })
                .collect())
        })
        .await?;
    // Hits left out above are not counted either (on this page; the index cannot tell).
    let dropped = i64::try_from(found - items.len()).unwrap_or_default();
    Ok(Page {
        items,
        total: total - dropped,
        page: page_no,
        per_page,
    })
}

/// The name under which a verdict is recorded as a duplicate candidate; `None` for verdicts
/// that are only shown (similar) or not at all.
pub(crate) fn recorded_verdict(verdict: Verdict) -> Option<&'static str> {
    match verdict {
        Verdict::Duplicate => Some("duplicate"),
        Verdict::NearDuplicate => Some("near_duplicate"),
        Verdict::PartialCopy => Some("partial_copy"),
        _ => None,
    }
}

/// The duplicate candidates recorded on an initiative, for those who review or oversee it
/// (not for its authors).
pub async fn duplicate_candidates(
    db: &Db,
    actor: &Actor,
    id: i64,
) -> Result<Vec<DuplicateCandidateView>, AppError> {
    let actor = actor.clone();
    db.read(move |conn| {
        let (row, path, authors) = crate::service::shared::initiative::load(conn, id)?;
        crate::service::shared::initiative::authorize(
            &actor,
            crate::domain::Action::ViewInitiative,
            &row,
            &path,
            &authors,
        )?;
        let reviews = crate::domain::can(
            &actor,
            crate::domain::Action::ReviewInitiative,
            crate::domain::permissions::Resource::Initiative {
                program_id: row.program_id,
                union_path: &path,
                authors: &authors,
                status: InitiativeStatus::from_stored(&row.status)?,
                confidential: row.confidential,
            },
        );
        if !(reviews || actor.oversees(&path)) {
            return Err(AppError::forbidden());
        }
        let mut out = Vec::new();
        for c in crate::db::duplicates::for_initiative(conn, id)? {
            let status = InitiativeStatus::from_stored(&c.status)?;
            // A confidential candidate the caller may not read keeps its title to itself
            // until it is published.
            let title = match initiatives::find(conn, c.candidate_id)? {
                Some(candidate) if candidate.confidential => {
                    let visible = content_visible(conn, &actor, &candidate)?;
                    shown_title(&candidate, visible)
                }
                _ => c.title,
            };
            out.push(DuplicateCandidateView {
                initiative_id: c.candidate_id,
                title,
                status,
                status_name: status.label(),
                submitted_at: c.submitted_at.map(|t| t.and_utc()),
                score: c.score,
                verdict: c.verdict,
                detected_at: c.detected_at.and_utc(),
            });
        }
        Ok(out)
    })
    .await
}

/// Finds every duplicate pair in a program (for data imported before the check existed):
/// each submitted initiative is checked against those filed before it; duplicates and
/// near-duplicates are recorded. Blocking; reports `(done, total)`. Returns pairs recorded.
pub fn dedup_scan(
    db: &Db,
    search: &SearchService,
    program_id: i64,
    mut progress: impl FnMut(u64, u64),
) -> Result<u64, AppError> {
    let total =
        db.blocking_read(|conn| Ok(initiatives::count_submitted(conn, Some(program_id))?))?;
    let mut offset = 0;
    let mut done = 0u64;
    let mut pairs = 0u64;
    loop {
        let rows = db.blocking_read(|conn| {
            Ok(initiatives::program_submitted_page(
                conn, program_id, offset, 500,
            )?)
        })?;
        if rows.is_empty() {
            break;
        }
        offset += i64::try_from(rows.len()).unwrap_or(i64::MAX);
        for row in rows {
            let submitted = row
                .submitted_at
                .unwrap_or(row.created_at)
                .and_utc()
                .timestamp();
            let query = SimilarityQuery {
                title: row.title.clone(),
                text: join_sections(&crate::search::sections(&row)),
                submitted_until: Some(submitted),
                exclude_id: Some(row.id.unsigned_abs()),
                limit: 10,
                ..SimilarityQuery::default()
            };
            let result = search
                .index()
                .check_similar(&query)
                .map_err(|e| AppError::failed("duplicate check", e))?;
            let found: Vec<(i64, f64, &'static str)> = result
                .matches
                .iter()
                .filter_map(|m| {
                    let verdict = recorded_verdict(m.verdict)?;
                    Some((i64::try_from(m.id).ok()?, f64::from(m.score), verdict))
                })
                .collect();
            if !found.is_empty() {
                pairs += found.len() as u64;
                let id = row.id;
                db.blocking_write(|conn| {
                    let now = crate::db::now();
                    for (candidate, score, verdict) in &found {
                        crate::db::duplicates::record(conn, id, *candidate, *score, verdict, now)?;
                    }
                    Ok(())
                })?;
            }
            done += 1;
            progress(done, total.max(0).unsigned_abs());
        }
    }
    Ok(pairs)
}
