//! Evaluation of the duplicate detector on the hand-written set in `eval/` plus generated
//! copies and distractors: recall@1, recall@10 and verdict precision per copy kind,
//! paraphrase recall@5 and the false-duplicate rate on hard negatives.

use std::collections::BTreeMap;
use std::time::Instant;

use search_index::partial::{NegativeForm, PartialKind, make_partial};
use search_index::synth::{CopyKind, Generator, InitiativeText, Rng, make_copy};
use search_index::{IndexedInitiative, SearchIndex, SimilarityQuery, Verdict};

const INITIATIVES: &str = include_str!("../../eval/initiatives.json");
const PARAPHRASES: &str = include_str!("../../eval/paraphrases.json");
const HARD_NEGATIVES: &str = include_str!("../../eval/hard_negatives.json");

#[derive(serde::Deserialize)]
struct Original {
    key: String,
    #[serde(flatten)]
    text: InitiativeText,
}

#[derive(serde::Deserialize)]
struct Derived {
    of: String,
    #[serde(flatten)]
    text: InitiativeText,
}

struct Args {
    distractors: usize,
    seed: u64,
    verbose: bool,
    pg_trgm: Option<String>,
}

fn parse_args() -> Args {
    let mut args = Args {
        distractors: 5000,
        seed: 42,
        verbose: false,
        pg_trgm: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--distractors" => {
                args.distractors = it.next().and_then(|v| v.parse().ok()).unwrap_or(5000);
            }
            "--seed" => args.seed = it.next().and_then(|v| v.parse().ok()).unwrap_or(42),
            "--verbose" | "-v" => args.verbose = true,
            "--pg-trgm" => args.pg_trgm = it.next(),
            other => {
                eprintln!(
                    "unknown argument {other}\nusage: dedup-eval [--distractors N] [--seed S] \
                     [--verbose] [--pg-trgm postgres://...]"
                );
                std::process::exit(2);
            }
        }
    }
    args
}

/// The evaluation corpus: what is indexed and what is asked.
pub struct Corpus {
    originals: Vec<(u64, String, InitiativeText)>,
    hard_negatives: Vec<(u64, u64, InitiativeText)>,
    paraphrases: Vec<(u64, InitiativeText)>,
    indexed: Vec<IndexedInitiative>,
}

fn to_indexed(id: u64, t: &InitiativeText, rng: &mut Rng) -> IndexedInitiative {
    let a = 1 + rng.below(3);
    let b = 10 + rng.below(5);
    IndexedInitiative {
        id,
        program_id: 1 + rng.below(2) as u64,
        field_id: None,
        union_path: format!("/1/{a}/{b}/"),
        status: "submitted".into(),
        submitted_at: 1_700_000_000 + id as i64,
        title: t.title.clone(),
        body_sections: t.sections.clone(),
    }
}

fn load_corpus(distractors: usize, seed: u64) -> Result<Corpus, Box<dyn std::error::Error>> {
    let originals: Vec<Original> = serde_json::from_str(INITIATIVES)?;
    let paraphrases: Vec<Derived> = serde_json::from_str(PARAPHRASES)?;
    let negatives: Vec<Derived> = serde_json::from_str(HARD_NEGATIVES)?;
    let mut rng = Rng::new(seed);
    let mut key_to_id = BTreeMap::new();
    let mut corpus = Corpus {
        originals: Vec::new(),
        hard_negatives: Vec::new(),
        paraphrases: Vec::new(),
        indexed: Vec::new(),
    };
    for (i, o) in originals.into_iter().enumerate() {
        let id = 1 + i as u64;
        key_to_id.insert(o.key.clone(), id);
        corpus.indexed.push(to_indexed(id, &o.text, &mut rng));
        corpus.originals.push((id, o.key, o.text));
    }
    for (i, n) in negatives.into_iter().enumerate() {
        let id = 1001 + i as u64;
        let of = *key_to_id
            .get(&n.of)
            .ok_or("unknown key in hard_negatives.json")?;
        corpus.indexed.push(to_indexed(id, &n.text, &mut rng));
        corpus.hard_negatives.push((id, of, n.text));
    }
    for p in paraphrases {
        let of = *key_to_id
            .get(&p.of)
            .ok_or("unknown key in paraphrases.json")?;
        corpus.paraphrases.push((of, p.text));
    }
    let mut generator = Generator::new(seed);
    for i in 0..distractors {
        let t = generator.next_initiative();
        corpus
            .indexed
            .push(to_indexed(100_000 + i as u64, &t, &mut rng));
    }
    Ok(corpus)
}

#[derive(Default)]
struct KindStats {
    n: usize,
    at1: usize,
    at5: usize,
    at10: usize,
    verdict_ok: usize,
    duplicate: usize,
}

impl KindStats {
    fn row(&self, name: &str) -> String {
        let r = |x: usize| x as f64 / self.n.max(1) as f64;
        format!(
            "{name:<16} {:>5} {:>9.3} {:>9.3} {:>9.3} {:>13.3} {:>10.3}",
            self.n,
            r(self.at1),
            r(self.at5),
            r(self.at10),
            self.verdict_ok as f64 / self.at1.max(1) as f64,
            r(self.duplicate)
        )
    }
}

/// A kind of copy of parts: cases, their sources, and the sources found and flagged.
#[derive(Default)]
struct PartialStats {
    cases: usize,
    sources: usize,
    found: usize,
    flagged: usize,
    every: usize,
    others: usize,
}

fn header() -> String {
    format!(
        "{:<16} {:>5} {:>9} {:>9} {:>9} {:>13} {:>10}",
        "kind", "n", "recall@1", "recall@5", "recall@10", "verdict_prec", "dup@1"
    )
}

fn record(stats: &mut KindStats, expected: u64, ranked: &[(u64, Verdict)]) {
    stats.n += 1;
    let pos = ranked.iter().position(|(id, _)| *id == expected);
    if pos == Some(0) {
        stats.at1 += 1;
        if matches!(ranked[0].1, Verdict::Duplicate | Verdict::NearDuplicate) {
            stats.verdict_ok += 1;
        }
        if ranked[0].1 == Verdict::Duplicate {
            stats.duplicate += 1;
        }
    }
    if pos.is_some_and(|p| p < 5) {
        stats.at5 += 1;
    }
    if pos.is_some_and(|p| p < 10) {
        stats.at10 += 1;
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args();
    let corpus = load_corpus(args.distractors, args.seed)?;
    println!(
        "dedup-eval: {} originals, {} hard negatives, {} paraphrases, {} distractors (seed {})",
        corpus.originals.len(),
        corpus.hard_negatives.len(),
        corpus.paraphrases.len(),
        args.distractors,
        args.seed
    );
    let started = Instant::now();
    let index = SearchIndex::open_in_ram()?;
    for chunk in corpus.indexed.chunks(2000) {
        index.upsert_many(chunk)?;
    }
    index.commit()?;
    println!(
        "indexed {} docs in {:.1}s",
        index.num_docs(),
        started.elapsed().as_secs_f64()
    );

    let ask = |title: &str, text: &str, exclude: Option<u64>| {
        index.check_similar(&SimilarityQuery {
            title: title.to_string(),
            text: text.to_string(),
            exclude_id: exclude,
            limit: 10,
            ..Default::default()
        })
    };
    let mut latencies = Vec::new();
    let mut per_kind: Vec<(CopyKind, KindStats)> = Vec::new();
    for kind in CopyKind::ALL {
        let mut stats = KindStats::default();
        for (id, key, text) in &corpus.originals {
            let mut rng = Rng::new(args.seed ^ (*id * 7919) ^ (kind as u64 * 104_729));
            let (title, body) = make_copy(kind, text, &mut rng);
            let t = Instant::now();
            let res = ask(&title, &body, None)?;
            latencies.push(t.elapsed().as_secs_f64() * 1000.0);
            let ranked: Vec<(u64, Verdict)> =
                res.matches.iter().map(|m| (m.id, m.verdict)).collect();
            record(&mut stats, *id, &ranked);
            if args.verbose
                && (ranked.first().map(|r| r.0) != Some(*id)
                    || !matches!(ranked[0].1, Verdict::Duplicate | Verdict::NearDuplicate))
            {
                let top: Vec<String> = res
                    .matches
                    .iter()
                    .take(3)
                    .map(|m| {
                        format!(
                            "{}:{:.2}/{:?}(cq {:.2} cc {:.2})",
                            m.id, m.score, m.verdict, m.query_coverage, m.candidate_coverage
                        )
                    })
                    .collect();
                println!(
                    "  MISS {} {key}: enc {:?} top {:?}",
                    kind.name(),
                    res.detected_encoding,
                    top
                );
            }
        }
        per_kind.push((kind, stats));
    }

    let mut para = KindStats::default();
    for (of, text) in &corpus.paraphrases {
        let res = ask(&text.title, &text.body(), None)?;
        let ranked: Vec<(u64, Verdict)> = res.matches.iter().map(|m| (m.id, m.verdict)).collect();
        record(&mut para, *of, &ranked);
        if args.verbose && !ranked.iter().take(5).any(|r| r.0 == *of) {
            let top: Vec<String> = res
                .matches
                .iter()
                .take(5)
                .map(|m| format!("{}:{:.2}/{:?}", m.id, m.score, m.verdict))
                .collect();
            println!("  MISS paraphrase of {of}: top {top:?}");
        }
    }

    // Copies of parts: every source must be found at rank ≤ 3 with a flagging verdict.
    let flagging = |v: Verdict| v >= Verdict::PartialCopy;
    let mut fillers = Generator::new(args.seed ^ 0x5EED_F111);
    let mut partial: Vec<(PartialKind, PartialStats)> = Vec::new();
    for kind in PartialKind::ALL {
        let mut stats = PartialStats::default();
        let n = corpus.originals.len();
        for i in 0..n {
            let sources: Vec<&(u64, String, InitiativeText)> = (0..kind.sources())
                .map(|j| &corpus.originals[(i + j) % n])
                .collect();
            let texts: Vec<&InitiativeText> = sources.iter().map(|s| &s.2).collect();
            let filler = fillers.next_initiative();
            let first = sources[0].0;
            let mut rng = Rng::new(args.seed ^ (first * 7919) ^ ((100 + kind as u64) * 104_729));
            let (title, body) = make_partial(kind, &texts, &filler, &mut rng);
            let t = Instant::now();
            let res = ask(&title, &body, None)?;
            latencies.push(t.elapsed().as_secs_f64() * 1000.0);
            stats.cases += 1;
            // Flagged matches that are none of the sources (false alarms).
            stats.others += res
                .matches
                .iter()
                .filter(|m| flagging(m.verdict) && !sources.iter().any(|s| s.0 == m.id))
                .count();
            if args.verbose {
                for m in res
                    .matches
                    .iter()
                    .filter(|m| flagging(m.verdict) && !sources.iter().any(|s| s.0 == m.id))
                {
                    println!(
                        "  OTHER {} flagged {}: {:.2}/{:?} copied {:.2} {:?} longest {}",
                        kind.name(),
                        m.id,
                        m.score,
                        m.verdict,
                        m.copied_share,
                        m.copied_section,
                        m.longest_passage
                    );
                }
            }
            let mut every = true;
            for (sid, key, _) in &sources {
                stats.sources += 1;
                let at = res
                    .matches
                    .iter()
                    .position(|m| m.id == *sid)
                    .filter(|p| *p < 3);
                let flagged = at.is_some_and(|p| flagging(res.matches[p].verdict));
                stats.found += usize::from(at.is_some());
                stats.flagged += usize::from(flagged);
                every &= flagged;
                if args.verbose && !flagged {
                    let top: Vec<String> = res
                        .matches
                        .iter()
                        .take(4)
                        .map(|m| {
                            format!(
                                "{}:{:.2}/{:?}(cq {:.2} cc {:.2} copied {:.2} {:?} longest {})",
                                m.id,
                                m.score,
                                m.verdict,
                                m.query_coverage,
                                m.candidate_coverage,
                                m.copied_share,
                                m.copied_section,
                                m.longest_passage
                            )
                        })
                        .collect();
                    println!("  MISS {} source {sid} {key}: top {top:?}", kind.name());
                }
            }
            stats.every += usize::from(every);
        }
        partial.push((kind, stats));
    }

    // Hard negatives as they arrive: flagged against anything, in each form.
    let mut negatives_by_form: Vec<(NegativeForm, usize)> = Vec::new();
    for form in NegativeForm::ALL {
        let mut flagged = 0;
        for (id, _, text) in &corpus.hard_negatives {
            let (title, body) = form.apply(text);
            let res = ask(&title, &body, Some(*id))?;
            if res.matches.iter().any(|m| flagging(m.verdict)) {
                flagged += 1;
                if args.verbose {
                    let top: Vec<String> = res
                        .matches
                        .iter()
                        .filter(|m| flagging(m.verdict))
                        .map(|m| {
                            format!(
                                "{}:{:.2}/{:?}(copied {:.2} {:?})",
                                m.id, m.score, m.verdict, m.copied_share, m.copied_section
                            )
                        })
                        .collect();
                    println!("  FLAGGED hard negative {id} {}: {top:?}", form.name());
                }
            }
        }
        negatives_by_form.push((form, flagged));
    }

    let mut neg_pair = 0usize;
    let mut neg_any = 0usize;
    let mut neg_similar = 0usize;
    let mut neg_max = 0f32;
    for (id, of, text) in &corpus.hard_negatives {
        let res = ask(&text.title, &text.body(), Some(*id))?;
        let bad = |m: &search_index::Match| m.verdict >= Verdict::PartialCopy;
        if res.matches.iter().any(|m| m.id == *of && bad(m)) {
            neg_pair += 1;
        }
        if res.matches.iter().any(bad) {
            neg_any += 1;
            if args.verbose {
                let top: Vec<String> = res
                    .matches
                    .iter()
                    .take(3)
                    .map(|m| {
                        format!(
                            "{}:{:.2}/{:?}(cq {:.2} cc {:.2})",
                            m.id, m.score, m.verdict, m.query_coverage, m.candidate_coverage
                        )
                    })
                    .collect();
                println!("  FALSE DUP for hard negative {id}: {top:?}");
            }
        }
        neg_max = res.matches.iter().map(|m| m.score).fold(neg_max, f32::max);
        if res
            .matches
            .iter()
            .any(|m| m.id == *of && m.verdict == Verdict::Similar)
        {
            neg_similar += 1;
        }
    }

    println!();
    println!("{}", header());
    for (kind, stats) in &per_kind {
        println!("{}", stats.row(kind.name()));
    }
    println!("{}", para.row("paraphrase"));
    println!(
        "(verdict_prec: share of correct top-1 matches whose verdict is duplicate or near_duplicate; \
         for paraphrases `similar` is the expected verdict)"
    );
    let nn = corpus.hard_negatives.len().max(1) as f64;
    println!();
    println!(
        "hard negatives: {}  false duplicate/near_duplicate vs own original: {:.3}  vs anything: {:.3}  shown as similar: {:.3}  highest score: {:.3} (near_duplicate at {})",
        corpus.hard_negatives.len(),
        neg_pair as f64 / nn,
        neg_any as f64 / nn,
        neg_similar as f64 / nn,
        neg_max,
        search_index::detector::NEAR_DUPLICATE_AT
    );
    println!();
    println!(
        "{:<16} {:>5} {:>7} {:>9} {:>11} {:>13} {:>14}",
        "copy of parts",
        "cases",
        "sources",
        "found@3",
        "flagged@3",
        "every_source",
        "other_flagged"
    );
    for (kind, s) in &partial {
        let r = |x: usize, of: usize| x as f64 / of.max(1) as f64;
        println!(
            "{:<16} {:>5} {:>7} {:>9.3} {:>11.3} {:>13.3} {:>14}",
            kind.name(),
            s.cases,
            s.sources,
            r(s.found, s.sources),
            r(s.flagged, s.sources),
            r(s.every, s.cases),
            s.others
        );
    }
    println!(
        "(found@3: share of sources at rank ≤ 3; flagged@3: … with a flagging verdict; \
         every_source: share of cases with every source flagged at rank ≤ 3; \
         other_flagged: flagged matches that are none of the sources)"
    );
    for (form, flagged) in &negatives_by_form {
        println!(
            "hard negatives {}: {} of {} flagged",
            form.name(),
            flagged,
            corpus.hard_negatives.len()
        );
    }
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    println!(
        "check_similar latency over {} copies: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms",
        latencies.len(),
        pct(0.5),
        pct(0.95),
        pct(0.99)
    );

    let mech_ok = per_kind
        .iter()
        .filter(|(k, _)| k.is_mechanical())
        .all(|(_, s)| {
            s.at1 as f64 / s.n.max(1) as f64 >= 0.99
                && s.verdict_ok as f64 / s.n.max(1) as f64 >= 0.99
        });
    let hard_ok = per_kind
        .iter()
        .filter(|(k, _)| !k.is_mechanical())
        .all(|(_, s)| s.at1 as f64 / s.n.max(1) as f64 >= 0.95);
    let para_ok = para.at5 as f64 / para.n.max(1) as f64 >= 0.9;
    let neg_ok = neg_any as f64 / nn <= 0.02;
    let partial_ok = partial
        .iter()
        .all(|(_, s)| s.flagged as f64 / s.sources.max(1) as f64 >= 0.99);
    let forms_ok = negatives_by_form.iter().all(|(_, f)| *f == 0);
    println!(
        "targets: mechanical recall@1+verdict ≥0.99 {}, edit30/truncated recall@1 ≥0.95 {}, paraphrase recall@5 ≥0.9 {}, hard-negative false dup ≤0.02 {}",
        ok(mech_ok),
        ok(hard_ok),
        ok(para_ok),
        ok(neg_ok)
    );

    println!(
        "targets (issue 25): copies of parts, every source flagged at rank ≤ 3 ≥0.99 {}, hard negatives flagged in no form {}",
        ok(partial_ok),
        ok(forms_ok)
    );

    if let Some(url) = args.pg_trgm {
        pg::run(&url, &corpus, args.seed)?;
    }
    Ok(())
}

fn ok(b: bool) -> &'static str {
    if b { "PASS" } else { "FAIL" }
}

#[cfg(not(feature = "pg-trgm"))]
mod pg {
    pub fn run(_: &str, _: &super::Corpus, _: u64) -> Result<(), Box<dyn std::error::Error>> {
        Err("built without the pg-trgm feature: cargo run --release --features pg-trgm --bin dedup-eval -- --pg-trgm URL".into())
    }
}

#[cfg(feature = "pg-trgm")]
mod pg {
    //! Side-by-side: the same evaluation through PostgreSQL pg_trgm similarity().
    use super::*;
    use postgres::{Client, NoTls};

    const THRESHOLD: f64 = 0.25;

    pub fn run(url: &str, corpus: &Corpus, seed: u64) -> Result<(), Box<dyn std::error::Error>> {
        let mut db = Client::connect(url, NoTls)?;
        db.batch_execute(
            "CREATE EXTENSION IF NOT EXISTS pg_trgm;
             DROP TABLE IF EXISTS dedup_eval_docs;
             CREATE TABLE dedup_eval_docs (id bigint primary key, body text not null);",
        )?;
        let mut tx = db.transaction()?;
        let stmt = tx.prepare("INSERT INTO dedup_eval_docs (id, body) VALUES ($1, $2)")?;
        for d in &corpus.indexed {
            tx.execute(&stmt, &[&(d.id as i64), &d.body_text()])?;
        }
        tx.commit()?;
        db.batch_execute(
            "CREATE INDEX dedup_eval_trgm ON dedup_eval_docs USING gin (body gin_trgm_ops); ANALYZE dedup_eval_docs;",
        )?;
        db.batch_execute(&format!("SET pg_trgm.similarity_threshold = {THRESHOLD}"))?;
        let q = db.prepare(
            "SELECT id, similarity(body, $1)::float8 AS s FROM dedup_eval_docs
             WHERE body % $1 AND id <> $2 ORDER BY s DESC LIMIT 10",
        )?;
        let mut ask = |text: &str, exclude: i64| -> Result<Vec<(u64, Verdict)>, postgres::Error> {
            Ok(db
                .query(&q, &[&text, &exclude])?
                .iter()
                .map(|r| {
                    let s: f64 = r.get(1);
                    let v = if s >= 0.5 {
                        Verdict::Duplicate
                    } else {
                        Verdict::NearDuplicate
                    };
                    (r.get::<_, i64>(0) as u64, v)
                })
                .collect())
        };
        println!(
            "\npg_trgm similarity() (threshold {THRESHOLD}; every hit counts as a duplicate verdict)"
        );
        println!("{}", header());
        let mut latencies = Vec::new();
        for kind in CopyKind::ALL {
            let mut stats = KindStats::default();
            for (id, _, text) in &corpus.originals {
                let mut rng = Rng::new(seed ^ (*id * 7919) ^ (kind as u64 * 104_729));
                let (_, body) = make_copy(kind, text, &mut rng);
                let t = Instant::now();
                let ranked = ask(&body, -1)?;
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                record(&mut stats, *id, &ranked);
            }
            println!("{}", stats.row(kind.name()));
        }
        let mut para = KindStats::default();
        for (of, text) in &corpus.paraphrases {
            let ranked = ask(&text.body(), -1)?;
            record(&mut para, *of, &ranked);
        }
        println!("{}", para.row("paraphrase"));
        let mut neg_any = 0;
        for (id, _, text) in &corpus.hard_negatives {
            if !ask(&text.body(), *id as i64)?.is_empty() {
                neg_any += 1;
            }
        }
        println!(
            "hard negatives flagged: {:.3}",
            neg_any as f64 / corpus.hard_negatives.len().max(1) as f64
        );
        latencies.sort_by(f64::total_cmp);
        println!(
            "pg_trgm latency p50 {:.2} ms p95 {:.2} ms",
            latencies[latencies.len() / 2],
            latencies[latencies.len() * 95 / 100]
        );
        Ok(())
    }
}
