//! Diagnoses missed copies on a benchmark index (development aid):
//! cargo run --release --example diagnose_misses -- /tmp/dedup-bench-1m 1000000
use search_index::synth::{CopyKind, Generator, Rng, make_copy};
use search_index::*;
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut a = std::env::args().skip(1);
    let dir = a.next().unwrap_or_else(|| "/tmp/dedup-bench-1m".into());
    let docs: usize = a.next().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let index = SearchIndex::open_in_dir(&dir)?;
    let mut g = Generator::new(2024);
    let stride = docs / 1000;
    let mut rng = Rng::new(5);
    let mut shown = 0;
    for i in 0..docs.min(500 * stride) {
        let t = g.next_initiative();
        if i % stride != 0 {
            continue;
        }
        let k = (i / stride) % CopyKind::ALL.len();
        let kind = CopyKind::ALL[k];
        let (title, text) = make_copy(kind, &t, &mut rng);
        if !matches!(kind, CopyKind::Edit10 | CopyKind::Truncated) {
            continue;
        }
        let r = index.check_similar(&SimilarityQuery {
            title,
            text,
            limit: 50,
            ..Default::default()
        })?;
        if r.matches.first().map(|m| m.id) == Some(i as u64) {
            continue;
        }
        let pos = r.matches.iter().position(|m| m.id == i as u64);
        let top: Vec<String> = r
            .matches
            .iter()
            .take(3)
            .map(|m| {
                format!(
                    "{}:{:.2}(cq {:.2} cc {:.2})",
                    m.id, m.score, m.query_coverage, m.candidate_coverage
                )
            })
            .collect();
        println!(
            "{} orig {i} at {:?} {} top {:?}",
            kind.name(),
            pos,
            pos.map(|p| format!(
                "{:.2} cq {:.2} cc {:.2}",
                r.matches[p].score, r.matches[p].query_coverage, r.matches[p].candidate_coverage
            ))
            .unwrap_or_default(),
            top
        );
        shown += 1;
        if shown > 12 {
            break;
        }
    }
    Ok(())
}
