//! Copies a plagiarist makes from parts of others' initiatives, for the evaluation
//! (`dedup-eval`): one section lifted into an otherwise new initiative, two or three
//! initiatives stitched together, an abridged copy, OCR noise, half the syllables typed without
//! marks; and the hard negatives as they also arrive (wrapped in the official form, typed
//! without marks). Each case names every source it copies from, in the order of the text.

use serde::{Deserialize, Serialize};

use crate::synth::{CLOSING, InitiativeText, LETTERHEAD, Rng, strip_accents};

/// The section of an initiative a transplant lifts: "nội dung giải pháp".
pub const SOLUTION: usize = 1;

/// The kinds of copies made from parts of one or several sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartialKind {
    /// A's solution between a new initiative's situation and benefits, under a new title.
    Transplant,
    /// The first half of A's paragraphs, then the second half of B's.
    Stitched2,
    /// A third of each of A, B and C, in that order.
    Stitched3,
    /// 40–50% of A's sentences, in order.
    Abridged,
    /// A as OCR reads a scan: rn/m, l/1, O/0 confused, some marks dropped, words joined.
    Ocr,
    /// A with half its syllables typed without marks.
    HalfUnaccented,
}

impl PartialKind {
    /// Every kind, in report order.
    pub const ALL: [PartialKind; 6] = [
        PartialKind::Transplant,
        PartialKind::Stitched2,
        PartialKind::Stitched3,
        PartialKind::Abridged,
        PartialKind::Ocr,
        PartialKind::HalfUnaccented,
    ];

    /// Short name.
    pub fn name(self) -> &'static str {
        match self {
            PartialKind::Transplant => "transplant",
            PartialKind::Stitched2 => "stitched2",
            PartialKind::Stitched3 => "stitched3",
            PartialKind::Abridged => "abridged",
            PartialKind::Ocr => "ocr",
            PartialKind::HalfUnaccented => "half_unaccented",
        }
    }

    /// How many sources a case copies from.
    pub fn sources(self) -> usize {
        match self {
            PartialKind::Stitched2 => 2,
            PartialKind::Stitched3 => 3,
            _ => 1,
        }
    }
}

/// The paragraphs of a text (its sections, each split at blank lines and line breaks).
fn paragraphs(t: &InitiativeText) -> Vec<String> {
    t.sections
        .iter()
        .flat_map(|s| s.split('\n'))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The sentences of a text, with their closing punctuation.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = String::new();
    for c in text.chars() {
        at.push(c);
        if matches!(c, '.' | '!' | '?' | ';' | '\n') {
            let s = at.trim();
            if !s.is_empty() {
                out.push(s.to_owned());
            }
            at.clear();
        }
    }
    let s = at.trim();
    if !s.is_empty() {
        out.push(s.to_owned());
    }
    out
}

/// The share `from..to` (in hundredths) of a list, at least one item.
fn share<T: Clone>(items: &[T], from: usize, to: usize) -> Vec<T> {
    let n = items.len();
    let a = (n * from) / 100;
    let b = ((n * to).div_ceil(100)).max(a + 1).min(n);
    items[a.min(n)..b].to_vec()
}

/// New titles a copier gives a stitched or transplanted initiative.
const NEW_TITLES: &[&str] = &[
    "Giải pháp nâng cao hiệu quả công tác tại đơn vị",
    "Đổi mới cách làm trong công tác chuyên môn",
    "Sáng kiến cải tiến quy trình làm việc năm 2026",
    "Một số biện pháp nâng cao chất lượng phục vụ",
];

/// OCR's confusions of one character (or pair) for another.
fn ocr(text: &str, rng: &mut Rng) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let mut out = String::with_capacity(text.len());
    for (i, w) in words.iter().enumerate() {
        let mut w = (*w).to_owned();
        if rng.chance(0.15) {
            w = strip_accents(&w);
        }
        if rng.chance(0.3) {
            w = w
                .replace("rn", "m")
                .replace("m", "rn")
                .replace('l', "1")
                .replace('O', "0");
        }
        out.push_str(&w);
        // Words joined where the scan lost a space.
        if i + 1 < words.len() && !rng.chance(0.1) {
            out.push(' ');
        }
    }
    out
}

/// Each syllable without its marks with probability one half.
fn half_unaccented(text: &str, rng: &mut Rng) -> String {
    text.split(' ')
        .map(|w| {
            if rng.chance(0.5) {
                strip_accents(w)
            } else {
                w.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Makes a case of `kind` from `sources` (as many as [`PartialKind::sources`]; a transplant's
/// other parts come from `filler`, a text that is indexed nowhere): (title, body).
pub fn make_partial(
    kind: PartialKind,
    sources: &[&InitiativeText],
    filler: &InitiativeText,
    rng: &mut Rng,
) -> (String, String) {
    let a = sources[0];
    let mut new_title = || -> String { NEW_TITLES[rng.below(NEW_TITLES.len())].to_owned() };
    match kind {
        PartialKind::Transplant => {
            let title = new_title();
            let mut sections = filler.sections.clone();
            sections.resize(4, String::new());
            sections[SOLUTION] = a.sections.get(SOLUTION).cloned().unwrap_or_default();
            (title, crate::index::join_sections(&sections))
        }
        PartialKind::Stitched2 | PartialKind::Stitched3 => {
            let n = sources.len().max(1);
            let mut parts: Vec<String> = Vec::new();
            for (i, s) in sources.iter().enumerate() {
                let p = paragraphs(s);
                parts.extend(share(&p, i * 100 / n, (i + 1) * 100 / n));
            }
            (new_title(), parts.join("\n\n"))
        }
        PartialKind::Abridged => {
            let all = sentences(&a.body());
            let keep = 40 + rng.below(11);
            let mut kept: Vec<String> = Vec::new();
            let mut owed = 0usize;
            for s in &all {
                owed += keep;
                if owed >= 100 {
                    owed -= 100;
                    kept.push(s.clone());
                }
            }
            if kept.is_empty() {
                kept = all;
            }
            (a.title.clone(), kept.join(" "))
        }
        PartialKind::Ocr => (ocr(&a.title, rng), ocr(&a.body(), rng)),
        PartialKind::HalfUnaccented => (
            half_unaccented(&a.title, rng),
            half_unaccented(&a.body(), rng),
        ),
    }
}

/// How a hard negative arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NegativeForm {
    /// As written.
    Plain,
    /// Wrapped in the official request form (Quốc hiệu, "Kính gửi", "cam đoan").
    OfficialForm,
    /// Typed without marks.
    Unaccented,
}

impl NegativeForm {
    /// Every form, in report order.
    pub const ALL: [NegativeForm; 3] = [
        NegativeForm::Plain,
        NegativeForm::OfficialForm,
        NegativeForm::Unaccented,
    ];

    /// Short name.
    pub fn name(self) -> &'static str {
        match self {
            NegativeForm::Plain => "as written",
            NegativeForm::OfficialForm => "in the official form",
            NegativeForm::Unaccented => "without marks",
        }
    }

    /// The hard negative in this form: (title, body).
    pub fn apply(self, t: &InitiativeText) -> (String, String) {
        match self {
            NegativeForm::Plain => (t.title.clone(), t.body()),
            NegativeForm::OfficialForm => (
                t.title.clone(),
                format!("{LETTERHEAD}{}{CLOSING}", t.body()),
            ),
            NegativeForm::Unaccented => (strip_accents(&t.title), strip_accents(&t.body())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::Generator;

    #[test]
    fn cases_copy_from_their_sources() {
        let mut g = Generator::new(3);
        let (a, b, c, f) = (
            g.next_initiative(),
            g.next_initiative(),
            g.next_initiative(),
            g.next_initiative(),
        );
        let mut rng = Rng::new(5);
        let (_, t) = make_partial(PartialKind::Transplant, &[&a], &f, &mut rng);
        assert!(t.contains(a.sections[SOLUTION].as_str()));
        assert!(t.contains(f.sections[0].as_str()) && !t.contains(a.sections[0].as_str()));
        let (_, t) = make_partial(PartialKind::Stitched3, &[&a, &b, &c], &f, &mut rng);
        for s in [&a, &b, &c] {
            assert!(
                paragraphs(s).iter().any(|p| t.contains(p.as_str())),
                "every source contributes"
            );
        }
        let (_, t) = make_partial(PartialKind::Abridged, &[&a], &f, &mut rng);
        let (n, m) = (sentences(&t).len(), sentences(&a.body()).len());
        assert!(n * 100 >= m * 30 && n * 100 <= m * 60, "{n} of {m}");
    }
}
