//! The duplicate detector: candidate retrieval (exact fingerprint, sketch overlap, BM25
//! fallback), exact verification by syllable alignment, the score, the verdict and the
//! matching passages.

use std::collections::{HashMap, HashSet};
use std::ops::{Bound, Range};

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Searcher, Term};

use crate::error::SearchIndexError;
use crate::index::{SearchIndex, canonical_union_prefix};
use crate::normalize::{DetectedEncoding, EncodingReport};
use crate::shingle::{Analyzed, combine};

/// A duplicate check: the text being submitted and where to look.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SimilarityQuery {
    /// Title of the initiative being checked.
    pub title: String,
    /// Its body (sections joined, see [`crate::join_sections`]); passage query ranges are
    /// char ranges into this text.
    pub text: String,
    /// Only this program.
    pub program_id: Option<u64>,
    /// Only this union subtree, e.g. `/1/5/`.
    pub union_path_prefix: Option<String>,
    /// Only initiatives with this status (e.g. leave drafts out).
    pub status: Option<String>,
    /// Only initiatives submitted at or after this time (unix seconds).
    pub submitted_from: Option<i64>,
    /// Only initiatives submitted before this time (unix seconds), e.g. earlier ones.
    pub submitted_until: Option<i64>,
    /// Leave this initiative out (the one being edited).
    pub exclude_id: Option<u64>,
    /// Maximum number of matches (0 means 10).
    pub limit: usize,
}

/// How alike two initiatives are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Not shown.
    None,
    /// Same topic and wording in places: show as related.
    Similar,
    /// A substantial part copied word for word (a section, or a third of the text) into an
    /// otherwise different text.
    PartialCopy,
    /// Large parts copied (edited, truncated or extended).
    NearDuplicate,
    /// The same text (maybe re-encoded, re-cased, re-titled or wrapped).
    Duplicate,
}

/// Score thresholds of the verdicts.
pub const DUPLICATE_AT: f32 = 0.85;
/// See [`DUPLICATE_AT`].
pub const NEAR_DUPLICATE_AT: f32 = 0.5;
/// See [`DUPLICATE_AT`].
pub const SIMILAR_AT: f32 = 0.2;

impl Verdict {
    /// The verdict of a score.
    pub fn of(score: f32) -> Verdict {
        if score >= DUPLICATE_AT {
            Verdict::Duplicate
        } else if score >= NEAR_DUPLICATE_AT {
            Verdict::NearDuplicate
        } else if score >= SIMILAR_AT {
            Verdict::Similar
        } else {
            Verdict::None
        }
    }
}

/// Filters shared by the duplicate check and the gallery search.
pub(crate) struct Scope<'a> {
    pub program_id: Option<u64>,
    pub field_id: Option<u64>,
    pub union_path_prefix: Option<&'a str>,
    pub status: Option<&'a str>,
    pub submitted_from: Option<i64>,
    pub submitted_until: Option<i64>,
    pub exclude_id: Option<u64>,
}

/// A copied passage: char ranges in the query text and in the candidate's stored body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passage {
    /// Char range in [`SimilarityQuery::text`].
    pub query_range: Range<usize>,
    /// Char range in the candidate's body ([`crate::IndexedInitiative::body_text`]).
    pub candidate_range: Range<usize>,
}

/// One earlier initiative that looks like the query.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Match {
    /// Initiative id.
    pub id: u64,
    /// Similarity in [0, 1].
    pub score: f32,
    /// What to show.
    pub verdict: Verdict,
    /// The folded syllable sequences are identical (boilerplate left out).
    pub exact: bool,
    /// Share of the query's syllables inside copied passages.
    pub query_coverage: f32,
    /// Share of the candidate's syllables inside copied passages.
    pub candidate_coverage: f32,
    /// Share of the candidate's syllables inside long copied passages (stretches of text,
    /// not shared phrases): how much of it was copied.
    pub copied_share: f32,
    /// The candidate's section most copied (0: hiện trạng, 1: nội dung giải pháp, 2: phạm
    /// vi áp dụng, 3: hiệu quả và lợi ích), with the share of it in long copied passages;
    /// `None` when its body is not in four sections or nothing long was copied.
    pub copied_section: Option<(u8, f32)>,
    /// The longest copied passage, in the candidate's syllables.
    pub longest_passage: usize,
    /// Word-set similarity of the titles.
    pub title_similarity: f32,
    /// Weighted keyword overlap (topic similarity).
    pub lexical_similarity: f32,
    /// Candidate title as stored.
    pub title: String,
    /// Candidate program.
    pub program_id: u64,
    /// Candidate union path.
    pub union_path: String,
    /// Candidate status.
    pub status: String,
    /// Copied passages, in query order.
    pub passages: Vec<Passage>,
}

/// Result of a duplicate check.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimilarResult {
    /// Encoding detected in the query text.
    pub detected_encoding: DetectedEncoding,
    /// Encoding and repairs (NFD, Telex) of the query text.
    pub report: EncodingReport,
    /// Matches, best first, verdict `None` left out.
    pub matches: Vec<Match>,
}

const SKETCH_CANDIDATES: usize = 12;
/// Sketch values always used (the rarest), even when frequent.
const MIN_SKETCH_TERMS: usize = 12;
const BM25_CANDIDATES: usize = 8;
const BM25_TERMS: usize = 24;
const LEXICAL_TERMS: usize = 48;
/// Lexical (topic) similarity alone can reach at most `Similar`.
const LEXICAL_WEIGHT: f32 = 0.45;
const TOPICAL_MAX: f32 = NEAR_DUPLICATE_AT - 0.01;
/// Maximum token distance between two seeds of one passage (in both texts).
const CHAIN_GAP: i64 = 6;
/// Maximum skew between the two gaps (insertions / deletions).
const CHAIN_SKEW: i64 = 3;
const PASSAGE_MIN_SEEDS: usize = 3;
const PASSAGE_MIN_TOKENS: usize = 6;
const SEED_SHINGLE: usize = 2;

/// A passage this long (syllables of the candidate) is a copied stretch of text, not a
/// phrase two writers share.
pub const LONG_PASSAGE: usize = 20;

pub(crate) struct Alignment {
    pub passages: Vec<(Range<usize>, Range<usize>)>,
    pub cov_q: f32,
    pub cov_c: f32,
    /// Share of the candidate's syllables inside long passages ([`LONG_PASSAGE`]).
    pub long_c: f32,
    /// The candidate's tokens inside long passages.
    pub long_tokens_c: Vec<bool>,
    /// The longest passage, in the candidate's syllables.
    pub longest_c: usize,
}

/// Aligns two texts by chains of shared 2-syllable shingles.
pub(crate) fn align(q: &Analyzed, c: &Analyzed) -> Alignment {
    let mut positions: HashMap<u64, Vec<u32>> = HashMap::new();
    for (h, j) in c.shingles(SEED_SHINGLE) {
        let v = positions.entry(h).or_default();
        if v.len() < 16 {
            v.push(j as u32);
        }
    }
    struct Chain {
        qs: usize,
        cs: usize,
        li: usize,
        lj: usize,
        n: usize,
    }
    let mut chains: Vec<Chain> = Vec::new();
    let mut active: Vec<usize> = Vec::new();
    let mut seeds = 0usize;
    for (h, i) in q.shingles(SEED_SHINGLE) {
        let Some(js) = positions.get(&h) else {
            continue;
        };
        active.retain(|&k| (i - chains[k].li) as i64 <= CHAIN_GAP);
        for &j in js {
            let j = j as usize;
            seeds += 1;
            let mut best: Option<(i64, usize)> = None;
            for &k in &active {
                let ch = &chains[k];
                let di = i as i64 - ch.li as i64;
                let dj = j as i64 - ch.lj as i64;
                if (1..=CHAIN_GAP).contains(&di)
                    && (1..=CHAIN_GAP).contains(&dj)
                    && (di - dj).abs() <= CHAIN_SKEW
                    && best.is_none_or(|(cost, _)| di + dj < cost)
                {
                    best = Some((di + dj, k));
                }
            }
            match best {
                Some((_, k)) => {
                    let ch = &mut chains[k];
                    ch.li = i;
                    ch.lj = j;
                    ch.n += 1;
                }
                None => {
                    chains.push(Chain {
                        qs: i,
                        cs: j,
                        li: i,
                        lj: j,
                        n: 1,
                    });
                    active.push(chains.len() - 1);
                }
            }
        }
        if seeds > 50_000 {
            break;
        }
    }
    let mut cov_q = vec![false; q.tokens.len()];
    let mut cov_c = vec![false; c.tokens.len()];
    let mut long_c = vec![false; c.tokens.len()];
    let mut passages = Vec::new();
    for ch in &chains {
        let qe = (ch.li + SEED_SHINGLE).min(q.tokens.len());
        let ce = (ch.lj + SEED_SHINGLE).min(c.tokens.len());
        if ch.n < PASSAGE_MIN_SEEDS || qe - ch.qs < PASSAGE_MIN_TOKENS {
            continue;
        }
        cov_q[ch.qs..qe].iter_mut().for_each(|x| *x = true);
        cov_c[ch.cs..ce].iter_mut().for_each(|x| *x = true);
        if ce.saturating_sub(ch.cs) >= LONG_PASSAGE {
            long_c[ch.cs..ce].iter_mut().for_each(|x| *x = true);
        }
        passages.push((ch.qs..qe, ch.cs..ce));
    }
    passages.sort_by_key(|(a, b)| (a.start, b.start));
    let share = |cov: &[bool], a: &Analyzed| {
        let total = a.content_len();
        if total == 0 {
            return 0.0;
        }
        let hit = cov.iter().zip(&a.mask).filter(|(c, m)| **c && !**m).count();
        hit as f32 / total as f32
    };
    Alignment {
        cov_q: share(&cov_q, q),
        cov_c: share(&cov_c, c),
        long_c: share(&long_c, c),
        long_tokens_c: long_c,
        longest_c: passages
            .iter()
            .map(|(_, c): &(Range<usize>, Range<usize>)| c.len())
            .max()
            .unwrap_or(0),
        passages,
    }
}

/// The section holding "nội dung giải pháp" in a body of four sections.
pub const SOLUTION_SECTION: u8 = 1;
/// Share of a source in long copied passages from which it is a partial copy.
pub const PARTIAL_SHARE: f32 = 0.3;
/// Share of a source's solution section in long copied passages from which it is a partial
/// copy.
pub const PARTIAL_SOLUTION_SHARE: f32 = 0.6;

/// A copied stretch this long (syllables) of a source …
pub const STRETCH_LEN: usize = 30;
/// … that is this share of it makes a partial copy (two short sections copied together).
pub const STRETCH_MIN_SHARE: f32 = 0.25;
/// Share of a section in long copied passages from which it counts as copied whole.
pub const WHOLE_SECTION_SHARE: f32 = 0.9;
/// Least share of a source in long copied passages for a section copied whole to count.
pub const WHOLE_SECTION_MIN_SHARE: f32 = 0.2;
/// Least length (content syllables) of a section copied whole for it to count: a short
/// section ("Áp dụng tại các đơn vị trong tỉnh") is a phrase two writers share.
pub const WHOLE_SECTION_MIN_LEN: usize = 40;

/// Whether `copied` (a candidate's share in long copied passages) and its most copied section
/// make the query a partial copy of it: a third of it, most of its solution, or one of its
/// sections word for word.
fn is_partial_copy(copied: f32, longest: usize, section: Option<(u8, f32, usize)>) -> bool {
    copied >= PARTIAL_SHARE
        || (longest >= STRETCH_LEN && copied >= STRETCH_MIN_SHARE)
        || section.is_some_and(|(s, share, len)| {
            (s == SOLUTION_SECTION && share >= PARTIAL_SOLUTION_SHARE)
                || (share >= WHOLE_SECTION_SHARE
                    && len >= WHOLE_SECTION_MIN_LEN
                    && copied >= WHOLE_SECTION_MIN_SHARE)
        })
}

/// For a body of four sections (joined by blank lines, as indexed), the share of each
/// section's content syllables that `long` marks, and how many there are; empty for other
/// bodies.
fn section_shares(body: &str, c: &Analyzed, long: &[bool]) -> Vec<(f32, usize)> {
    let mut bounds = Vec::new();
    let mut start = 0usize;
    for (i, part) in body.split("\n\n").enumerate() {
        let len = part.chars().count();
        bounds.push(start..start + len);
        start += len + 2;
        if i > 4 {
            return Vec::new();
        }
    }
    if bounds.len() != 4 {
        return Vec::new();
    }
    let mut hit = [0usize; 4];
    let mut total = [0usize; 4];
    for (k, t) in c.tokens.iter().enumerate() {
        if c.mask.get(k).copied().unwrap_or(true) {
            continue;
        }
        let Some(s) = bounds.iter().position(|b| b.contains(&t.char_range.start)) else {
            continue;
        };
        total[s] += 1;
        if long.get(k).copied().unwrap_or(false) {
            hit[s] += 1;
        }
    }
    (0..4)
        .map(|s| {
            if total[s] == 0 {
                (0.0, 0)
            } else {
                (hit[s] as f32 / total[s] as f32, total[s])
            }
        })
        .collect()
}

fn word_set(a: &Analyzed) -> HashSet<u64> {
    a.hashes
        .iter()
        .zip(&a.mask)
        .filter(|(_, m)| !**m)
        .map(|(h, _)| *h)
        .collect()
}

fn jaccard(a: &HashSet<u64>, b: &HashSet<u64>) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let inter = a.intersection(b).count();
    inter as f32 / (a.len() + b.len() - inter) as f32
}

/// Keywords of the query: folded syllable hash → (normalised frequency, idf).
struct Keywords {
    weights: Vec<(u64, f32, f32)>,
    total: f32,
}

fn term_counts(a: &Analyzed) -> (HashMap<u64, (usize, usize)>, usize) {
    let mut m: HashMap<u64, (usize, usize)> = HashMap::new();
    let mut n = 0;
    for (i, (h, masked)) in a.hashes.iter().zip(&a.mask).enumerate() {
        if *masked {
            continue;
        }
        n += 1;
        m.entry(*h).or_insert((0, i)).0 += 1;
    }
    (m, n)
}

fn lexical_similarity(k: &Keywords, c: &Analyzed) -> f32 {
    if k.total <= 0.0 {
        return 0.0;
    }
    let (counts, n) = term_counts(c);
    if n == 0 {
        return 0.0;
    }
    let mut inter = 0.0;
    for (h, fq, idf) in &k.weights {
        if let Some((tf, _)) = counts.get(h) {
            let fc = *tf as f32 / n as f32;
            inter += fq.min(fc) * idf;
        }
    }
    (inter / k.total).min(1.0)
}

impl SearchIndex {
    /// The scope's single-valued term filters (program, field, status). Each is the one value
    /// of a filter field (see `build_schema`), so a `TermQuery` on it with frequencies scores
    /// every document it keeps alike.
    pub(crate) fn scope_terms(&self, scope: &Scope<'_>) -> Vec<Term> {
        let f = &self.fields;
        let mut terms = Vec::new();
        if let Some(p) = scope.program_id {
            terms.push(Term::from_field_text(f.program_key, &p.to_string()));
        }
        if let Some(field) = scope.field_id {
            terms.push(Term::from_field_text(f.field, &field.to_string()));
        }
        if let Some(s) = scope.status {
            terms.push(Term::from_field_text(f.status, s));
        }
        terms
    }

    /// The scope's union subtree, if it narrows anything. A document holds every prefix of its
    /// union's path, so this filter scores nothing.
    pub(crate) fn scope_union(&self, scope: &Scope<'_>) -> Option<Box<dyn Query>> {
        let canonical = canonical_union_prefix(scope.union_path_prefix?);
        (canonical != "/").then(|| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(self.fields.union_scope, &canonical),
                IndexRecordOption::Basic,
            ))
        })
    }

    /// The scope's submission-time range, if it has one.
    pub(crate) fn scope_range(&self, scope: &Scope<'_>) -> Option<Box<dyn Query>> {
        if scope.submitted_from.is_none() && scope.submitted_until.is_none() {
            return None;
        }
        let f = &self.fields;
        let bound = |v: Option<i64>, inclusive: bool| match v {
            Some(x) if inclusive => Bound::Included(Term::from_field_i64(f.submitted_at, x)),
            Some(x) => Bound::Excluded(Term::from_field_i64(f.submitted_at, x)),
            None => Bound::Unbounded,
        };
        Some(Box::new(RangeQuery::new(
            bound(scope.submitted_from, true),
            bound(scope.submitted_until, false),
        )))
    }

    /// `main` restricted to a scope (filters score nothing).
    pub(crate) fn scoped(&self, main: Box<dyn Query>, scope: &Scope<'_>) -> BooleanQuery {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, main)];
        let mut filter = |q: Box<dyn Query>| {
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0))));
        };
        for t in self.scope_terms(scope) {
            filter(Box::new(TermQuery::new(t, IndexRecordOption::Basic)));
        }
        if let Some(union) = self.scope_union(scope) {
            filter(union);
        }
        if let Some(range) = self.scope_range(scope) {
            filter(range);
        }
        if let Some(id) = scope.exclude_id {
            clauses.push((
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_u64(self.fields.id, id),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        BooleanQuery::new(clauses)
    }

    /// Whether a scope restricts anything besides one excluded id.
    fn narrows(scope: &Scope<'_>) -> bool {
        scope.program_id.is_some()
            || scope
                .union_path_prefix
                .is_some_and(|p| canonical_union_prefix(p) != "/")
            || scope.status.is_some()
            || scope.submitted_from.is_some()
            || scope.submitted_until.is_some()
    }

    /// Finds earlier initiatives that duplicate or resemble the query.
    pub fn check_similar(
        &self,
        query: &SimilarityQuery,
    ) -> Result<SimilarResult, SearchIndexError> {
        let searcher = self.reader.searcher();
        let title_only = query.text.trim().is_empty();
        let body_text = if title_only {
            &query.title
        } else {
            &query.text
        };
        let q = Analyzed::new(body_text);
        let qt = Analyzed::new(&query.title);
        let limit = if query.limit == 0 { 10 } else { query.limit };
        let mut result = SimilarResult {
            detected_encoding: q.report.encoding,
            report: q.report,
            matches: Vec::new(),
        };
        if q.tokens.is_empty() && qt.tokens.is_empty() {
            return Ok(result);
        }
        let scope_def = Scope {
            field_id: None,
            program_id: query.program_id,
            union_path_prefix: query.union_path_prefix.as_deref(),
            status: query.status.as_deref(),
            submitted_from: query.submitted_from,
            submitted_until: query.submitted_until,
            exclude_id: query.exclude_id,
        };
        let scope = |main: Box<dyn Query>| self.scoped(main, &scope_def);
        let num_docs = searcher.num_docs().max(1);
        let mut candidates: Vec<DocAddress> = Vec::new();

        // 1 + 2: exact fingerprint and sketch overlap, in one query.
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if q.content_len() > 0 {
            clauses.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_u64(f.fingerprint, q.fingerprint()),
                        IndexRecordOption::Basic,
                    )),
                    10_000.0,
                )),
            ));
        }
        // Very frequent sketch values are stop-shingles (boilerplate by document frequency)
        // and the others weigh by rarity; if a text is mostly made of frequent shingles, its
        // rarest values are kept all the same.
        let stop_df = (num_docs / 500).max(50);
        let mut sketch_terms: Vec<(u64, Term)> = Vec::new();
        for s in q.sketch() {
            let term = Term::from_field_u64(f.sketch, s);
            sketch_terms.push((searcher.doc_freq(&term)?, term));
        }
        sketch_terms.sort_by_key(|(df, _)| *df);

        let mut kept = 0;
        for (df, term) in sketch_terms {
            if df == 0 || (df > 5 * stop_df && (kept >= MIN_SKETCH_TERMS || df > 20 * stop_df)) {
                continue;
            }
            kept += 1;
            // Rare shared values weigh more than common ones.
            let idf = (1.0 + num_docs as f32 / df as f32).ln();
            clauses.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                    idf,
                )),
            ));
        }
        let sketch_query = scope(Box::new(BooleanQuery::new(clauses)));
        for (_, addr) in searcher.search(
            &sketch_query,
            &TopDocs::with_limit(SKETCH_CANDIDATES).order_by_score(),
        )? {
            candidates.push(addr);
        }

        // 3: BM25 on the most distinctive syllables (paraphrases, heavy edits). Frequent
        // syllables are left out (long posting lists, little evidence). Without a scope the
        // query is a pure term union, which tantivy prunes with block-WAND.
        let keywords = self.keywords(&searcher, &q, num_docs)?;
        let max_df = (num_docs / 100).max(1000);
        let mut bm25: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (word, _, df) in keywords.1.iter() {
            if *df > max_df {
                continue;
            }
            bm25.push((
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.body, word),
                    IndexRecordOption::WithFreqs,
                )),
            ));
            if bm25.len() >= BM25_TERMS {
                break;
            }
        }
        let mut title_words: Vec<&str> = qt.tokens.iter().map(|t| t.folded.as_str()).collect();
        title_words.sort_unstable();
        title_words.dedup();
        for w in title_words {
            let term = Term::from_field_text(f.title, w);
            if searcher.doc_freq(&term)? > max_df {
                continue;
            }
            bm25.push((
                Occur::Should,
                Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
            ));
        }
        if !bm25.is_empty() {
            let union = BooleanQuery::new(bm25);
            let hits = if Self::narrows(&scope_def) {
                searcher.search(
                    &scope(Box::new(union)),
                    &TopDocs::with_limit(BM25_CANDIDATES).order_by_score(),
                )?
            } else {
                searcher.search(
                    &union,
                    &TopDocs::with_limit(BM25_CANDIDATES + 1).order_by_score(),
                )?
            };
            for (_, addr) in hits {
                if !candidates.contains(&addr) {
                    candidates.push(addr);
                }
            }
        }

        // 4: exact verification.
        let q_fp = q.fingerprint();
        let q_title_words = word_set(&qt);
        for addr in candidates {
            let doc = self.load(&searcher, addr)?;
            if Some(doc.id) == query.exclude_id {
                continue;
            }
            let c = if doc.body.trim().is_empty() {
                Analyzed::new(&doc.title)
            } else {
                Analyzed::new(&doc.body)
            };
            let ct = Analyzed::new(&doc.title);
            let exact = q.content_len() > 0 && c.fingerprint() == q_fp;
            let al = align(&q, &c);
            let (cov_q, cov_c) = if exact {
                (1.0, 1.0)
            } else {
                (al.cov_q, al.cov_c)
            };
            let body = 0.65 * cov_q.max(cov_c) + 0.35 * cov_q.min(cov_c);
            let title_similarity = jaccard(&q_title_words, &word_set(&ct));
            let lexical = lexical_similarity(&keywords.0, &c);
            // A title alone (the live panel before the body is typed) is a topic signal only.
            let base = if title_only {
                (0.49 * title_similarity).min(TOPICAL_MAX)
            } else if q.content_len() > 0 {
                0.9 * body + 0.1 * title_similarity
            } else {
                0.5 * title_similarity
            };
            // Topic similarity (shared distinctive words, similar title) alone stays below
            // near_duplicate: it marks related initiatives, paraphrases included.
            let topical = (LEXICAL_WEIGHT * lexical + 0.05 * title_similarity).min(TOPICAL_MAX);
            let score = base.max(topical).clamp(0.0, 1.0);
            let most_copied = section_shares(&doc.body, &c, &al.long_tokens_c)
                .into_iter()
                .enumerate()
                .filter(|(_, (s, _))| *s > 0.0)
                .max_by(|a, b| a.1.0.total_cmp(&b.1.0).then(a.1.1.cmp(&b.1.1)))
                .map(|(i, (s, len))| (i as u8, s, len));
            let copied_section = most_copied.map(|(i, s, _)| (i, s));
            let mut verdict = Verdict::of(score);
            if verdict < Verdict::NearDuplicate
                && is_partial_copy(al.long_c, al.longest_c, most_copied)
            {
                verdict = Verdict::PartialCopy;
            }
            if verdict == Verdict::None {
                continue;
            }
            let passages = al
                .passages
                .iter()
                .map(|(qr, cr)| Passage {
                    query_range: q.tokens[qr.start].char_range.start
                        ..q.tokens[qr.end - 1].char_range.end,
                    candidate_range: c.tokens[cr.start].char_range.start
                        ..c.tokens[cr.end - 1].char_range.end,
                })
                .collect();
            result.matches.push(Match {
                id: doc.id,
                score,
                verdict,
                exact,
                query_coverage: cov_q,
                candidate_coverage: cov_c,
                copied_share: if exact { 1.0 } else { al.long_c },
                copied_section,
                longest_passage: al.longest_c,
                title_similarity,
                lexical_similarity: lexical,
                title: doc.title,
                program_id: doc.program_id,
                union_path: doc.union_path,
                status: doc.status,
                passages,
            });
        }
        // What was copied first (whole or in part), then by score.
        let flags = |m: &Match| m.verdict >= Verdict::PartialCopy;
        result.matches.sort_by(|a, b| {
            flags(b)
                .cmp(&flags(a))
                .then(b.score.total_cmp(&a.score))
                .then(a.id.cmp(&b.id))
        });
        result.matches.truncate(limit);
        Ok(result)
    }

    /// Initiatives related to an indexed one (the gallery's "related" list): the same check
    /// with the stored text, the initiative itself left out. `scope` gives the filters (its
    /// title, text and exclude_id are ignored). Empty if `id` is not indexed.
    pub fn related(
        &self,
        id: u64,
        scope: &SimilarityQuery,
    ) -> Result<Vec<Match>, SearchIndexError> {
        let Some((title, text)) = self.stored_text(id)? else {
            return Ok(Vec::new());
        };
        let query = SimilarityQuery {
            title,
            text,
            exclude_id: Some(id),
            ..scope.clone()
        };
        Ok(self.check_similar(&query)?.matches)
    }

    /// Query keywords weighted by tf-idf: (for lexical similarity, folded words with
    /// weight and document frequency, best first).
    #[expect(clippy::type_complexity, reason = "private helper returning two views")]
    fn keywords(
        &self,
        searcher: &Searcher,
        q: &Analyzed,
        num_docs: u64,
    ) -> Result<(Keywords, Vec<(String, f32, u64)>), SearchIndexError> {
        let (counts, n) = term_counts(q);
        let mut scored: Vec<(u64, String, f32, f32, u64)> = Vec::with_capacity(counts.len());
        for (h, (tf, pos)) in counts {
            let word = &q.tokens[pos].folded;
            let df = searcher.doc_freq(&Term::from_field_text(self.fields.body, word))?;
            let idf = (1.0 + (num_docs as f32 - df as f32 + 0.5) / (df as f32 + 0.5)).ln();
            let fq = tf as f32 / n.max(1) as f32;
            scored.push((h, word.clone(), fq, idf, df));
        }
        scored.sort_by(|a, b| (b.2 * b.3).total_cmp(&(a.2 * a.3)).then(a.1.cmp(&b.1)));
        let top = &scored[..scored.len().min(LEXICAL_TERMS)];
        let total = top.iter().map(|x| x.2 * x.3).sum();
        let weights = top.iter().map(|x| (x.0, x.2, x.3)).collect();
        let words = scored
            .iter()
            .map(|x| (x.1.clone(), x.2 * x.3, x.4))
            .collect();
        Ok((Keywords { weights, total }, words))
    }
}

/// Hash of a token sequence, as used for fingerprints (exposed for tools).
pub fn sequence_hash(hashes: &[u64]) -> u64 {
    combine(hashes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment_survives_edits_and_ignores_unrelated_text() {
        let a = Analyzed::new(
            "Xây dựng phần mềm quản lý hồ sơ người có công trên nền tảng web, cho phép cán bộ \
             cấp xã cập nhật dữ liệu trực tuyến, tự động tổng hợp báo cáo hằng tháng gửi phòng \
             Lao động Thương binh và Xã hội huyện, giảm thời gian lập báo cáo từ ba ngày xuống \
             còn nửa ngày.",
        );
        let b = Analyzed::new(
            "Xây dựng phần mềm quản lý hồ sơ người có công trên nền tảng trực tuyến, cho phép \
             công chức cấp xã cập nhật số liệu trực tuyến, tự động tổng hợp báo cáo mỗi tháng \
             gửi phòng Lao động Thương binh và Xã hội huyện, rút ngắn thời gian lập báo cáo từ \
             ba ngày xuống còn nửa ngày.",
        );
        let al = align(&a, &b);
        assert!(al.cov_q > 0.8, "{}", al.cov_q);
        let c = Analyzed::new(
            "Tổ chức lớp tập huấn kỹ năng sơ cứu tai nạn lao động cho công nhân phân xưởng \
             cơ khí, mỗi quý một lần, có diễn tập thực tế.",
        );
        let al = align(&a, &c);
        assert!(al.cov_q < 0.1, "{}", al.cov_q);
        assert_eq!(Verdict::of(0.9), Verdict::Duplicate);
        assert_eq!(Verdict::of(0.1), Verdict::None);
    }
}
