//! The public gallery (thư viện sáng kiến): approved initiatives anyone may read, browsed or
//! searched with diacritics optional, and an initiative's public page.
//!
//! Calls `initiatives::list`, `review::award_in` and `similar::search_published` one way: the
//! gallery is those use cases seen by the public.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::{Db, initiatives, programs, unions};
use crate::domain::{Actor, InitiativeStatus, ProgramStatus, UnionKind, UnionPath};
use crate::error::AppError;
use crate::search::SearchService;
use crate::service::initiatives::ListQuery;
use crate::service::{Page, PageRequest};

/// What the gallery is asked for.
#[derive(Debug, Clone, Default)]
pub struct GalleryQuery {
    /// Words to find (diacritics optional); empty to browse.
    pub q: String,
    pub program_id: Option<i64>,
    pub field_id: Option<i64>,
    /// A province or national sector union: only its subtree.
    pub province_id: Option<i64>,
}

/// A card in the gallery.
#[derive(Debug, Clone)]
pub struct GalleryItem {
    pub initiative_id: i64,
    pub title: String,
    /// The title with the searched words in `<mark>` (escaped otherwise), when searching.
    pub title_html: Option<String>,
    /// An extract with the searched words in `<mark>`, when searching.
    pub snippet_html: Option<String>,
    /// The beginning of the solution, when browsing (plain text).
    pub excerpt: String,
    pub union_name: String,
    pub confidential: bool,
    pub estimated_benefit_vnd: Option<i64>,
}

/// Choices for the gallery's filters.
#[derive(Debug, Clone, Default)]
pub struct GalleryFilters {
    /// Programs that are open, closed or archived (not drafts).
    pub programs: Vec<(i64, String)>,
    /// Fields, with the name of their program.
    pub fields: Vec<(i64, String, String)>,
    /// Provinces and national sector unions.
    pub provinces: Vec<(i64, String)>,
}

fn excerpt(text: &str, max_chars: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max_chars {
        return flat;
    }
    let cut: String = flat.chars().take(max_chars).collect();
    let cut = cut
        .rsplit_once(' ')
        .map_or(cut.as_str(), |(a, _)| a)
        .to_owned();
    format!("{cut}…")
}

/// The filters' choices.
pub async fn filters(db: &Db) -> Result<GalleryFilters, AppError> {
    db.read(|conn| {
        let mut out = GalleryFilters::default();
        let mut names = HashMap::new();
        for p in programs::list(conn)? {
            if ProgramStatus::parse(&p.status).is_none_or(|s| s == ProgramStatus::Draft) {
                continue;
            }
            names.insert(p.id, p.name.clone());
            out.programs.push((p.id, p.name));
        }
        for (id, name) in &names {
            for f in programs::fields(conn, *id)? {
                out.fields.push((f.id, f.name, name.clone()));
            }
        }
        out.fields.sort_by(|a, b| (&a.2, &a.1).cmp(&(&b.2, &b.1)));
        for root in unions::roots(conn)? {
            for u in unions::children(conn, root.id)? {
                if u.active && u.level == UnionKind::Province.as_i32() {
                    out.provinces.push((u.id, u.name));
                }
            }
        }
        Ok(out)
    })
    .await
}

/// A page of the gallery: search results ranked by relevance when `q` is given, otherwise the
/// most recently approved initiatives.
pub async fn browse(
    db: &Db,
    search: &Arc<SearchService>,
    query: GalleryQuery,
    page: PageRequest,
) -> Result<Page<GalleryItem>, AppError> {
    if query.q.trim().is_empty() {
        return browse_recent(db, query, page).await;
    }
    let result = crate::service::similar::search_published(
        db,
        search,
        query.q.clone(),
        query.program_id,
        query.field_id,
        query.province_id,
        page,
    )
    .await?;
    let items = result
        .items
        .into_iter()
        .map(|h| GalleryItem {
            initiative_id: h.initiative_id,
            title: h.title,
            title_html: Some(h.title_html),
            snippet_html: (!h.snippet_html.is_empty()).then_some(h.snippet_html),
            excerpt: String::new(),
            union_name: h.union.map(|u| u.name).unwrap_or_default(),
            confidential: h.confidential,
            estimated_benefit_vnd: h.estimated_benefit_vnd,
        })
        .collect();
    Ok(Page {
        items,
        total: result.total,
        page: result.page,
        per_page: result.per_page,
    })
}

async fn browse_recent(
    db: &Db,
    query: GalleryQuery,
    page: PageRequest,
) -> Result<Page<GalleryItem>, AppError> {
    let list = crate::service::initiatives::list(
        db,
        &Actor::anonymous(),
        ListQuery {
            program_id: query.program_id,
            field_id: query.field_id,
            union_id: query.province_id,
            status: Some(InitiativeStatus::Approved),
            ..ListQuery::default()
        },
        page,
    )
    .await?;
    let ids: Vec<i64> = list.items.iter().map(|s| s.id).collect();
    let items = db
        .read(move |conn| {
            let rows = initiatives::find_many(conn, &ids)?;
            let union_ids: Vec<i64> = rows.iter().map(|r| r.union_id).collect();
            let names: HashMap<i64, String> = unions::find_many(conn, &union_ids)?
                .into_iter()
                .map(|u| (u.id, u.name))
                .collect();
            Ok(ids
                .iter()
                .filter_map(|id| rows.iter().find(|r| r.id == *id))
                .map(|r| GalleryItem {
                    initiative_id: r.id,
                    title: r.title.clone(),
                    title_html: None,
                    snippet_html: None,
                    excerpt: if r.confidential {
                        String::new()
                    } else {
                        excerpt(&r.solution, 220)
                    },
                    union_name: names.get(&r.union_id).cloned().unwrap_or_default(),
                    confidential: r.confidential,
                    estimated_benefit_vnd: r.estimated_benefit_vnd,
                })
                .collect())
        })
        .await?;
    Ok(Page {
        items,
        total: list.total,
        page: list.page,
        per_page: list.per_page,
    })
}

/// The content of an initiative that may be published.
#[derive(Debug, Clone)]
pub struct PublicContent {
    pub authors: Vec<String>,
    pub current_situation: String,
    pub solution: String,
    pub scope: String,
    pub benefits: String,
    pub first_applied_on: Option<NaiveDate>,
}

/// An approved initiative as anyone sees it. Confidential ones show only the title, the
/// benefit and where it comes from.
#[derive(Debug, Clone)]
pub struct PublicInitiative {
    pub id: i64,
    pub title: String,
    pub program_name: String,
    pub field_name: Option<String>,
    /// The submitting union, then its ancestors up to the province.
    pub union_names: Vec<String>,
    pub estimated_benefit_vnd: Option<i64>,
    pub confidential: bool,
    pub decided_at: Option<DateTime<Utc>>,
    /// The award given by the owning union, if any (public even when confidential).
    pub award: Option<crate::service::review::AwardView>,
    /// `None` for confidential initiatives.
    pub content: Option<PublicContent>,
}

/// The public page of an approved initiative; anything else is not found.
pub async fn public(db: &Db, id: i64) -> Result<PublicInitiative, AppError> {
    db.read(move |conn| {
        let row = initiatives::find(conn, id)?.ok_or_else(AppError::not_found)?;
        if row.status != InitiativeStatus::Approved.as_str() {
            return Err(AppError::not_found());
        }
        let program = programs::find(conn, row.program_id)?.ok_or_else(AppError::not_found)?;
        let field_name = match row.field_id {
            Some(f) => programs::find_field(conn, f)?.map(|f| f.name),
            None => None,
        };
        let path_ids = UnionPath::from_stored(row.union_path.clone()).ids();
        let mut chain: Vec<_> = unions::find_many(conn, &path_ids)?
            .into_iter()
            .filter(|u| u.level >= UnionKind::Province.as_i32())
            .collect();
        chain.sort_by_key(|u| std::cmp::Reverse(u.level));
        let content = if row.confidential {
            None
        } else {
            Some(PublicContent {
                authors: initiatives::authors(conn, id)?
                    .into_iter()
                    .map(|a| a.full_name)
                    .collect(),
                current_situation: row.current_situation.clone(),
                solution: row.solution.clone(),
                scope: row.scope.clone(),
                benefits: row.benefits.clone(),
                first_applied_on: row.first_applied_on,
            })
        };
        Ok(PublicInitiative {
            id: row.id,
            title: row.title,
            program_name: program.name,
            field_name,
            union_names: chain.into_iter().map(|u| u.name).collect(),
            estimated_benefit_vnd: row.estimated_benefit_vnd,
            confidential: row.confidential,
            decided_at: row.decided_at.map(|t| t.and_utc()),
            award: crate::service::review::award_in(conn, id)?,
            content,
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn excerpts_cut_at_a_word() {
        assert_eq!(excerpt("ngắn  gọn\n", 50), "ngắn gọn");
        assert_eq!(excerpt("một hai ba bốn năm", 12), "một hai ba…");
    }
}
