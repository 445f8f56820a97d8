//! Full-text search for the gallery: folded (accent-insensitive) BM25 over title and body,
//! scope filters and highlighted snippets.

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::snippet::SnippetGenerator;
use tantivy::{TantivyDocument, Term};

use crate::detector::Scope;
use crate::error::SearchIndexError;
use crate::index::SearchIndex;
use crate::normalize::normalize;

/// Filters of a gallery search.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SearchFilters {
    /// Only this program.
    pub program_id: Option<u64>,
    /// Only this field (lĩnh vực).
    pub field_id: Option<u64>,
    /// Only this union subtree, e.g. `/1/5/`.
    pub union_path_prefix: Option<String>,
    /// Only this status (e.g. `approved` for the public gallery).
    pub status: Option<String>,
    /// Only initiatives submitted at or after this time (unix seconds).
    pub submitted_from: Option<i64>,
    /// Only initiatives submitted before this time (unix seconds).
    pub submitted_until: Option<i64>,
}

/// One search hit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchHit {
    /// Initiative id.
    pub id: u64,
    /// BM25 score.
    pub score: f32,
    /// Title as stored.
    pub title: String,
    /// Title with matches in `<mark>` (HTML-escaped).
    pub title_html: String,
    /// Body extract with matches in `<mark>` (HTML-escaped).
    pub snippet_html: String,
    /// Program.
    pub program_id: u64,
    /// Union path.
    pub union_path: String,
    /// Status.
    pub status: String,
    /// Submission time, unix seconds.
    pub submitted_at: i64,
}

/// A page of search hits.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchResults {
    /// Number of matching initiatives.
    pub total: usize,
    /// The requested page.
    pub hits: Vec<SearchHit>,
}

const TITLE_BOOST: f32 = 2.0;
const SNIPPET_CHARS: usize = 220;

impl SearchIndex {
    /// Searches title and body, accent-insensitively ("sang kien cai tien" finds "Sáng kiến
    /// cải tiến"), ranked by BM25. Most query words must match (all of them up to 3 words).
    pub fn search(
        &self,
        query: &str,
        filters: &SearchFilters,
        limit: usize,
        offset: usize,
    ) -> Result<SearchResults, SearchIndexError> {
        let searcher = self.reader.searcher();
        let f = &self.fields;
        let mut words: Vec<String> = normalize(query)
            .tokens
            .into_iter()
            .map(|t| t.folded)
            .collect();
        words.dedup();
        let main: Box<dyn Query> = if words.is_empty() {
            Box::new(AllQuery)
        } else {
            let per_word: Vec<(Occur, Box<dyn Query>)> = words
                .iter()
                .map(|w| {
                    let title: Box<dyn Query> = Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(
                            Term::from_field_text(f.title, w),
                            IndexRecordOption::WithFreqs,
                        )),
                        TITLE_BOOST,
                    ));
                    let body: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(f.body, w),
                        IndexRecordOption::WithFreqs,
                    ));
                    let either: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
                        (Occur::Should, title),
                        (Occur::Should, body),
                    ]));
                    (Occur::Should, either)
                })
                .collect();
            let n = per_word.len();
            let required = if n <= 3 { n } else { n - n / 4 };
            Box::new(BooleanQuery::with_minimum_required_clauses(
                per_word, required,
            ))
        };
        let scoped = self.scoped(
            main,
            &Scope {
                program_id: filters.program_id,
                field_id: filters.field_id,
                union_path_prefix: filters.union_path_prefix.as_deref(),
                status: filters.status.as_deref(),
                submitted_from: filters.submitted_from,
                submitted_until: filters.submitted_until,
                exclude_id: None,
            },
        );
        let limit = limit.max(1);
        let (top, total) = searcher.search(
            &scoped,
            &(
                TopDocs::with_limit(limit)
                    .and_offset(offset)
                    .order_by_score(),
                Count,
            ),
        )?;
        let mut body_snippets = SnippetGenerator::create(&searcher, &scoped, f.body)?;
        body_snippets.set_max_num_chars(SNIPPET_CHARS);
        let mut title_snippets = SnippetGenerator::create(&searcher, &scoped, f.title)?;
        title_snippets.set_max_num_chars(1000);
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let tdoc: TantivyDocument = searcher.doc(addr)?;
            let doc = self.load(&searcher, addr)?;
            let mut s = body_snippets.snippet_from_doc(&tdoc);
            s.set_snippet_prefix_postfix("<mark>", "</mark>");
            let mut snippet_html = s.to_html();
            if snippet_html.is_empty() {
                let head: String = doc.body.chars().take(SNIPPET_CHARS).collect();
                snippet_html = tantivy_escape(&head);
            }
            let mut t = title_snippets.snippet(&doc.title);
            t.set_snippet_prefix_postfix("<mark>", "</mark>");
            let title_html = if t.is_empty() {
                tantivy_escape(&doc.title)
            } else {
                t.to_html()
            };
            hits.push(SearchHit {
                id: doc.id,
                score,
                title: doc.title,
                title_html,
                snippet_html,
                program_id: doc.program_id,
                union_path: doc.union_path,
                status: doc.status,
                submitted_at: doc.submitted_at,
            });
        }
        Ok(SearchResults { total, hits })
    }
}

fn tantivy_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}
