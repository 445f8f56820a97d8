//! Benchmark: builds an index of N synthetic initiatives, then times the whole duplicate
//! check (single-threaded) and reports build rate, index bytes per initiative and peak RSS.

use std::path::{Path, PathBuf};
use std::time::Instant;

use search_index::synth::{CopyKind, Generator, Rng, make_copy};
use search_index::{IndexOptions, IndexedInitiative, SearchIndex, SimilarityQuery, Verdict};

struct Args {
    docs: usize,
    queries: usize,
    dir: PathBuf,
    ram: bool,
    reuse: bool,
}

fn parse_args() -> Args {
    let mut a = Args {
        docs: 100_000,
        queries: 1000,
        dir: std::env::temp_dir().join("dedup-bench-index"),
        ram: false,
        reuse: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(x) = it.next() {
        match x.as_str() {
            "--docs" => a.docs = it.next().and_then(|v| v.parse().ok()).unwrap_or(a.docs),
            "--queries" => {
                a.queries = it.next().and_then(|v| v.parse().ok()).unwrap_or(a.queries);
            }
            "--dir" => a.dir = it.next().map(PathBuf::from).unwrap_or(a.dir),
            "--ram" => a.ram = true,
            "--reuse" => a.reuse = true,
            other => {
                eprintln!(
                    "unknown argument {other}\nusage: dedup-bench [--docs N] [--queries N] \
                     [--dir PATH | --ram] [--reuse]"
                );
                std::process::exit(2);
            }
        }
    }
    a
}

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn dir_size(p: &Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

fn synthetic(id: u64, g: &mut Generator, rng: &mut Rng) -> IndexedInitiative {
    let t = g.next_initiative();
    IndexedInitiative {
        id,
        program_id: 1 + rng.below(4) as u64,
        field_id: None,
        union_path: format!("/1/{}/{}/{}/", rng.below(83), rng.below(20), rng.below(50)),
        status: "submitted".into(),
        submitted_at: 1_700_000_000 + id as i64,
        title: t.title,
        body_sections: t.sections,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args();
    let options = IndexOptions {
        writer_memory: 600_000_000,
        writer_threads: 2,
    };
    let index = if args.ram {
        SearchIndex::open_in_ram_with(options)?
    } else {
        if !args.reuse {
            let _ = std::fs::remove_dir_all(&args.dir);
        }
        SearchIndex::open_in_dir_with(&args.dir, options)?
    };
    let mut g = Generator::new(2024);
    let mut rng = Rng::new(7);
    let started = Instant::now();
    let mut text_bytes = 0usize;
    if index.num_docs() == 0 {
        let batch = 4000;
        let mut id = 0u64;
        while (id as usize) < args.docs {
            let n = batch.min(args.docs - id as usize);
            let docs: Vec<IndexedInitiative> = (0..n)
                .map(|i| synthetic(id + i as u64, &mut g, &mut rng))
                .collect();
            text_bytes += docs
                .iter()
                .map(|d| d.title.len() + d.body_text().len())
                .sum::<usize>();
            index.upsert_many(&docs)?;
            id += n as u64;
            if id.is_multiple_of(100_000) {
                index.commit()?;
                eprintln!(
                    "  {id} docs, {:.0} s, {:.0} docs/s",
                    started.elapsed().as_secs_f64(),
                    id as f64 / started.elapsed().as_secs_f64()
                );
            }
        }
        index.commit()?;
    }
    let build = started.elapsed().as_secs_f64();
    let n = index.num_docs();
    let bytes = if args.ram {
        index.size_bytes()?
    } else {
        dir_size(&args.dir)
    };
    println!("docs indexed          {n}");
    if text_bytes > 0 {
        println!(
            "build                 {build:.1} s, {:.0} docs/s (2 writer threads, analysis on 2 threads)",
            n as f64 / build.max(1e-9)
        );
        println!(
            "raw text              {:.0} bytes per initiative",
            text_bytes as f64 / n.max(1) as f64
        );
    }
    println!(
        "index size            {:.1} MB, {:.0} bytes per initiative",
        bytes as f64 / 1e6,
        bytes as f64 / n.max(1) as f64
    );

    // Queries: half copies of indexed initiatives (various kinds), half new texts.
    let mut qg = Generator::new(2024);
    let kinds = CopyKind::ALL;
    let mut copies = Vec::new();
    let stride = (args.docs / args.queries.max(1)).max(1);
    for i in 0..args.docs.min(args.queries / 2 * stride) {
        let t = qg.next_initiative();
        if i.is_multiple_of(stride) {
            copies.push((i as u64, t));
        }
    }
    let mut fresh = Generator::new(99_999);
    let mut lat = Vec::with_capacity(args.queries);
    let mut found = 0usize;
    let mut flagged_fresh = 0usize;
    let mut qrng = Rng::new(5);
    let mut missed: std::collections::BTreeMap<&str, usize> = Default::default();
    for (i, (orig_id, t)) in copies.iter().enumerate() {
        let kind = kinds[i % kinds.len()];
        let (title, text) = make_copy(kind, t, &mut qrng);
        let q = SimilarityQuery {
            title,
            text,
            limit: 10,
            ..Default::default()
        };
        let s = Instant::now();
        let r = index.check_similar(&q)?;
        lat.push(s.elapsed().as_secs_f64() * 1000.0);
        if r.matches
            .first()
            .is_some_and(|m| m.id == *orig_id && m.verdict >= Verdict::NearDuplicate)
        {
            found += 1;
        } else {
            *missed.entry(kind.name()).or_insert(0) += 1;
        }
    }
    for _ in 0..args.queries.saturating_sub(copies.len()) {
        let t = fresh.next_initiative();
        let q = SimilarityQuery {
            title: t.title.clone(),
            text: t.body(),
            program_id: Some(1),
            limit: 10,
            ..Default::default()
        };
        let s = Instant::now();
        let r = index.check_similar(&q)?;
        lat.push(s.elapsed().as_secs_f64() * 1000.0);
        if r.matches
            .iter()
            .any(|m| m.verdict >= Verdict::NearDuplicate)
        {
            flagged_fresh += 1;
        }
    }
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| lat[((lat.len() - 1) as f64 * p) as usize];
    println!(
        "check_similar         {} queries single-threaded: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        lat.len(),
        pct(0.5),
        pct(0.95),
        pct(0.99),
        pct(1.0)
    );
    println!(
        "copies found (top-1 is the original, near_duplicate or duplicate): {found}/{}; new texts flagged: {flagged_fresh}/{} (synthetic texts share templates)",
        copies.len(),
        lat.len() - copies.len()
    );
    if !missed.is_empty() {
        println!("copies missed by kind: {missed:?}");
    }
    println!(
        "peak RSS (VmHWM)      {:.0} MB",
        vm_hwm_kib() as f64 / 1024.0
    );
    Ok(())
}
