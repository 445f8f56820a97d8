//! Side-by-side latency on the same synthetic corpus: our duplicate check against PostgreSQL
//! `pg_trgm`, the tool peers use (Decidim's proposal wizard: `similarity() > 0.25`).
//!
//! `cargo run --release -p search-index --features pg-trgm --bin pgtrgm-bench -- \
//!     --docs 10000 --queries 20 --url postgres://postgres@127.0.0.1:5432/postgres`
//!
//! Two pg_trgm plans are timed: `similarity(body, $1) > 0.25` as Decidim writes it (a
//! sequential scan) and the `%` operator over a GIN trigram index (the best case).

use std::time::Instant;

use postgres::{Client, NoTls};
use search_index::synth::{CopyKind, Generator, Rng, make_copy};
use search_index::{IndexOptions, IndexedInitiative, SearchIndex, SimilarityQuery};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[(((sorted.len() - 1) as f64) * p).round() as usize]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut docs = 10_000usize;
    let mut queries = 20usize;
    let mut url = "postgres://postgres@127.0.0.1:5432/postgres".to_owned();
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--docs" => docs = it.next().and_then(|v| v.parse().ok()).unwrap_or(docs),
            "--queries" => queries = it.next().and_then(|v| v.parse().ok()).unwrap_or(queries),
            "--url" => url = it.next().unwrap_or(url),
            other => {
                eprintln!(
                    "unknown argument {other}\nusage: pgtrgm-bench [--docs N] [--queries Q] [--url URL]"
                );
                std::process::exit(2);
            }
        }
    }
    let mut g = Generator::new(2024);
    let corpus: Vec<IndexedInitiative> = (0..docs)
        .map(|i| {
            let t = g.next_initiative();
            IndexedInitiative {
                id: i as u64,
                program_id: 1,
                field_id: None,
                union_path: "/1/".into(),
                status: "submitted".into(),
                submitted_at: 1_700_000_000,
                title: t.title,
                body_sections: t.sections,
            }
        })
        .collect();
    let index = SearchIndex::open_in_ram_with(IndexOptions {
        writer_memory: 200_000_000,
        writer_threads: 1,
    })?;
    index.upsert_many(&corpus)?;
    index.commit()?;

    let mut db = Client::connect(&url, NoTls)?;
    db.batch_execute(
        "CREATE EXTENSION IF NOT EXISTS pg_trgm;
         DROP TABLE IF EXISTS pgtrgm_bench_docs;
         CREATE TABLE pgtrgm_bench_docs (id bigint PRIMARY KEY, body text NOT NULL);",
    )?;
    {
        let mut tx = db.transaction()?;
        let stmt = tx.prepare("INSERT INTO pgtrgm_bench_docs (id, body) VALUES ($1, $2)")?;
        for d in &corpus {
            tx.execute(
                &stmt,
                &[&(d.id as i64), &format!("{}\n\n{}", d.title, d.body_text())],
            )?;
        }
        tx.commit()?;
    }
    db.batch_execute("ANALYZE pgtrgm_bench_docs; SET pg_trgm.similarity_threshold = 0.25;")?;

    // Queries: half edited copies of indexed initiatives, half new texts.
    let mut rng = Rng::new(11);
    let mut fresh = Generator::new(77_777);
    let qs: Vec<(Option<u64>, String, String)> = (0..queries)
        .map(|i| {
            if i % 2 == 0 {
                let d = &corpus[rng.below(corpus.len())];
                let t = search_index::synth::InitiativeText {
                    sector: String::new(),
                    title: d.title.clone(),
                    sections: d.body_sections.clone(),
                };
                let (title, body) = make_copy(CopyKind::Edit10, &t, &mut rng);
                (Some(d.id), title, body)
            } else {
                let t = fresh.next_initiative();
                (None, t.title.clone(), t.body())
            }
        })
        .collect();

    let mut ours = Vec::new();
    let mut ours_found = 0;
    for (id, title, body) in &qs {
        let t = Instant::now();
        let r = index.check_similar(&SimilarityQuery {
            title: title.clone(),
            text: body.clone(),
            limit: 10,
            ..Default::default()
        })?;
        ours.push(t.elapsed().as_secs_f64() * 1000.0);
        if id.is_some() && r.matches.first().map(|m| m.id) == *id {
            ours_found += 1;
        }
    }
    let seq = db.prepare(
        "SELECT id, similarity(body, $1)::float8 AS s FROM pgtrgm_bench_docs
         WHERE similarity(body, $1) > 0.25 ORDER BY s DESC LIMIT 10",
    )?;
    let mut seq_lat = Vec::new();
    let mut seq_found = 0;
    for (id, title, body) in &qs {
        let text = format!("{title}\n\n{body}");
        let t = Instant::now();
        let rows = db.query(&seq, &[&text])?;
        seq_lat.push(t.elapsed().as_secs_f64() * 1000.0);
        if id.is_some() && rows.first().map(|r| r.get::<_, i64>(0) as u64) == *id {
            seq_found += 1;
        }
    }
    db.batch_execute("CREATE INDEX pgtrgm_bench_gin ON pgtrgm_bench_docs USING gin (body gin_trgm_ops); ANALYZE pgtrgm_bench_docs;")?;
    let gin = db.prepare(
        "SELECT id, similarity(body, $1)::float8 AS s FROM pgtrgm_bench_docs
         WHERE body % $1 ORDER BY s DESC LIMIT 10",
    )?;
    let mut gin_lat = Vec::new();
    for (_, title, body) in &qs {
        let text = format!("{title}\n\n{body}");
        let t = Instant::now();
        db.query(&gin, &[&text])?;
        gin_lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    db.batch_execute("DROP TABLE pgtrgm_bench_docs;")?;
    for v in [&mut ours, &mut seq_lat, &mut gin_lat] {
        v.sort_by(f64::total_cmp);
    }
    let copies = qs.iter().filter(|q| q.0.is_some()).count();
    println!("| corpus | method | p50 | p95 | copies found at top 1 |");
    println!("|---|---|---|---|---|");
    println!(
        "| {docs} | search-index check_similar | {:.1} ms | {:.1} ms | {ours_found}/{copies} |",
        percentile(&ours, 0.5),
        percentile(&ours, 0.95)
    );
    println!(
        "| {docs} | pg_trgm similarity() > 0.25 (seq scan) | {:.0} ms | {:.0} ms | {seq_found}/{copies} |",
        percentile(&seq_lat, 0.5),
        percentile(&seq_lat, 0.95)
    );
    println!(
        "| {docs} | pg_trgm % with GIN index | {:.0} ms | {:.0} ms | |",
        percentile(&gin_lat, 0.5),
        percentile(&gin_lat, 0.95)
    );
    println!(
        "ratio of p50, pg_trgm seq scan / ours: {:.0}×; GIN / ours: {:.0}×",
        percentile(&seq_lat, 0.5) / percentile(&ours, 0.5).max(1e-6),
        percentile(&gin_lat, 0.5) / percentile(&ours, 0.5).max(1e-6)
    );
    Ok(())
}
