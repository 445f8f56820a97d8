//! Benchmark: times the public gallery search (approved initiatives only, first page of 20)
//! on an existing index, one query at a time, as `GET /api/v1/search` runs it.
//!
//! `cargo run --release -p search-index --bin search-bench -- --index DIR --rounds 20`
//!
//! DIR is an index a server built (e.g. `sangkien-load seed`'s data directory + `/index`);
//! the server must not be running on it (the bench opens the index's writer).

use std::path::PathBuf;
use std::time::Instant;

use search_index::synth::GALLERY_QUERIES;
use search_index::{SearchFilters, SearchIndex};

struct Args {
    index: PathBuf,
    rounds: usize,
    per_page: usize,
}

fn parse_args() -> Args {
    let mut a = Args {
        index: PathBuf::new(),
        rounds: 20,
        per_page: 20,
    };
    let mut it = std::env::args().skip(1);
    while let Some(x) = it.next() {
        match x.as_str() {
            "--index" => a.index = it.next().map(PathBuf::from).unwrap_or_default(),
            "--rounds" => a.rounds = it.next().and_then(|v| v.parse().ok()).unwrap_or(a.rounds),
            "--per-page" => {
                a.per_page = it.next().and_then(|v| v.parse().ok()).unwrap_or(a.per_page);
            }
            other => {
                eprintln!(
                    "unknown argument {other}\n\
                     usage: search-bench --index DIR [--rounds N] [--per-page N]"
                );
                std::process::exit(2);
            }
        }
    }
    if a.index.as_os_str().is_empty() {
        eprintln!("usage: search-bench --index DIR [--rounds N] [--per-page N]");
        std::process::exit(2);
    }
    a
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args();
    let index = SearchIndex::open_in_dir(&args.index)?;
    let filters = SearchFilters {
        status: Some("approved".into()),
        ..SearchFilters::default()
    };
    println!(
        "{} initiatives in the index; {} queries × {} rounds, {} per page",
        index.num_docs(),
        GALLERY_QUERIES.len(),
        args.rounds,
        args.per_page
    );
    // One round to warm the page cache.
    for q in GALLERY_QUERIES {
        index.search(q, &filters, args.per_page, 0)?;
    }
    let mut all = Vec::new();
    let mut rows = Vec::new();
    for q in GALLERY_QUERIES {
        let mut times = Vec::with_capacity(args.rounds);
        let mut total = 0;
        for _ in 0..args.rounds {
            let t = Instant::now();
            let r = index.search(q, &filters, args.per_page, 0)?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            total = r.total;
        }
        times.sort_by(f64::total_cmp);
        rows.push((q, total, pct(&times, 0.5), pct(&times, 0.99)));
        all.extend(times);
    }
    println!("| query | matches | p50 | p99 |\n|---|---|---|---|");
    for (q, total, p50, p99) in rows {
        println!("| {q} | {total} | {p50:.1} ms | {p99:.1} ms |");
    }
    all.sort_by(f64::total_cmp);
    println!(
        "all: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        pct(&all, 0.5),
        pct(&all, 0.95),
        pct(&all, 0.99),
        pct(&all, 1.0)
    );
    Ok(())
}
