//! Full-text search for the gallery: folded (accent-insensitive) BM25 over title and body,
//! scope filters and highlighted snippets.

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::snippet::SnippetGenerator;
use tantivy::{TantivyDocument, Term};

use crate::detector::Scope;
use crate::error::SearchIndexError;
use crate::index::SearchIndex;
use crate::normalize::folded_words;

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
    /// How many of the query's (distinct, folded) words every hit has: all of them, unless
    /// fewer than `RELAX_BELOW` initiatives have them all and there are 4 or more.
    pub required_words: usize,
    /// The requested page.
    pub hits: Vec<SearchHit>,
}

const SNIPPET_CHARS: usize = 220;
/// Below this many initiatives with every word of a query of 4 words or more, those missing a
/// quarter of the words are found too.
const RELAX_BELOW: usize = 10;

impl SearchIndex {
    /// Searches title and body, accent-insensitively ("sang kien cai tien" finds "Sáng kiến
    /// cải tiến"), ranked by BM25F (a title word weighs `TITLE_WEIGHT` body words). Every word
    /// must match; a query of 4 words or more that finds fewer than `RELAX_BELOW` that way
    /// lets a quarter of its words miss.
    pub fn search(
        &self,
        query: &str,
        filters: &SearchFilters,
        limit: usize,
        offset: usize,
    ) -> Result<SearchResults, SearchIndexError> {
        let searcher = self.reader.searcher();
        let f = &self.fields;
        let mut words = folded_words(query);
        let mut seen = std::collections::HashSet::new();
        words.retain(|w| seen.insert(w.clone()));
        let scope = Scope {
            program_id: filters.program_id,
            field_id: filters.field_id,
            union_path_prefix: filters.union_path_prefix.as_deref(),
            status: filters.status.as_deref(),
            submitted_from: filters.submitted_from,
            submitted_until: filters.submitted_until,
            exclude_id: None,
        };
        let scored = |t: Term| -> Box<dyn Query> {
            Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs))
        };
        // `required` of the words, plus the filters. With every word required, the words and
        // the program, field and status terms make one flat intersection of term queries,
        // which tantivy ranks with block-max WAND (it skips the blocks of postings that cannot
        // reach the page) instead of scoring every match. Those filter terms add the same
        // score to every document, so the order is BM25F over title and body
        // (`TITLE_WEIGHT`). A subtree or a time range narrows the matches and scores nothing.
        let build = |required: usize| -> Box<dyn Query> {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            if words.is_empty() {
                clauses.push((Occur::Must, Box::new(AllQuery)));
            } else if required >= words.len() {
                for w in &words {
                    clauses.push((Occur::Must, scored(Term::from_field_text(f.text, w))));
                }
            } else {
                let per_word: Vec<(Occur, Box<dyn Query>)> = words
                    .iter()
                    .map(|w| (Occur::Should, scored(Term::from_field_text(f.text, w))))
                    .collect();
                clauses.push((
                    Occur::Must,
                    Box::new(BooleanQuery::with_minimum_required_clauses(
                        per_word, required,
                    )),
                ));
            }
            for t in self.scope_terms(&scope) {
                clauses.push((Occur::Must, scored(t)));
            }
            for narrow in [self.scope_union(&scope), self.scope_range(&scope)]
                .into_iter()
                .flatten()
            {
                clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(narrow, 0.0))));
            }
            Box::new(BooleanQuery::new(clauses))
        };
        // Every word must match. Only when that finds fewer than `RELAX_BELOW` and the query
        // has 4 words or more may a quarter of them miss (a pasted sentence, a misspelt
        // word). The choice depends on the query and filters alone, so pages agree.
        let n = words.len();
        let mut required = n;
        let mut query = build(n);
        let mut total = searcher.search(&query, &Count)?;
        if n >= 4 && total < RELAX_BELOW {
            required = n - n / 4;
            query = build(required);
            total = searcher.search(&query, &Count)?;
        }
        // Ranked apart from the count: counting in the ranking pass would disable pruning.
        let top = searcher.search(
            &query,
            &TopDocs::with_limit(limit.max(1))
                .and_offset(offset)
                .order_by_score(),
        )?;
        // Highlights come from the words in the stored title and body.
        let highlight = BooleanQuery::new(
            words
                .iter()
                .flat_map(|w| [f.title, f.body].map(|field| Term::from_field_text(field, w)))
                .map(|t| (Occur::Should, scored(t)))
                .collect(),
        );
        let mut body_snippets = SnippetGenerator::create(&searcher, &highlight, f.body)?;
        body_snippets.set_max_num_chars(SNIPPET_CHARS);
        let mut title_snippets = SnippetGenerator::create(&searcher, &highlight, f.title)?;
        title_snippets.set_max_num_chars(1000);
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let tdoc: TantivyDocument = searcher.doc(addr)?;
            let doc = self.stored(&tdoc);
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
        Ok(SearchResults {
            total,
            required_words: required,
            hits,
        })
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
