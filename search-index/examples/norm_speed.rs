//! Throughput of the normaliser (development aid).
use search_index::synth::Generator;
fn main() {
    let mut g = Generator::new(1);
    let texts: Vec<String> = (0..2000).map(|_| g.next_initiative().body()).collect();
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    let t = std::time::Instant::now();
    let mut n = 0;
    for x in &texts {
        n += search_index::normalize(x).tokens.len();
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "normalize: {:.1} MB/s, {:.1} µs/doc, {n} tokens",
        bytes as f64 / s / 1e6,
        s * 1e6 / 2000.0
    );
    let t = std::time::Instant::now();
    for x in &texts {
        let a = search_index::shingle::Analyzed::new(x);
        n += a.sketch().len();
    }
    let s = t.elapsed().as_secs_f64();
    println!("analyze+sketch: {:.1} µs/doc ({n})", s * 1e6 / 2000.0);
}
