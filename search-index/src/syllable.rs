//! Vietnamese syllable knowledge: letters, tones, diacritic folding, syllable validity and
//! canonical tone placement (âm tiết, dấu thanh).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use unicode_normalization::char::compose;

/// The five marked tones plus the level tone (thanh ngang).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tone {
    /// thanh ngang (no mark)
    Level,
    /// huyền (grave)
    Grave,
    /// sắc (acute)
    Acute,
    /// hỏi (hook above)
    Hook,
    /// ngã (tilde)
    Tilde,
    /// nặng (dot below)
    Dot,
}

impl Tone {
    /// Every marked tone, in the order of `combining_mark`.
    pub const MARKED: [Tone; 5] = [Tone::Grave, Tone::Acute, Tone::Hook, Tone::Tilde, Tone::Dot];

    /// The Unicode combining mark of this tone (None for the level tone).
    pub fn combining_mark(self) -> Option<char> {
        match self {
            Tone::Level => None,
            Tone::Grave => Some('\u{0300}'),
            Tone::Acute => Some('\u{0301}'),
            Tone::Hook => Some('\u{0309}'),
            Tone::Tilde => Some('\u{0303}'),
            Tone::Dot => Some('\u{0323}'),
        }
    }

    /// The tone carried by a combining mark, if the mark is a tone mark.
    pub fn from_combining_mark(c: char) -> Option<Tone> {
        match c {
            '\u{0300}' | '\u{0340}' => Some(Tone::Grave),
            '\u{0301}' | '\u{0341}' => Some(Tone::Acute),
            '\u{0309}' => Some(Tone::Hook),
            '\u{0303}' => Some(Tone::Tilde),
            '\u{0323}' => Some(Tone::Dot),
            _ => None,
        }
    }
}

/// Vowels with their shape marks (mũ, trăng, móc), lower case, without tone.
pub const BASE_VOWELS: [char; 12] = ['a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y'];

/// A Vietnamese letter split into its toneless letter and its tone.
#[derive(Debug, Clone, Copy)]
pub struct LetterInfo {
    /// The letter without tone, same case as the input (e.g. `ệ` → `ê`).
    pub base: char,
    /// The tone carried by the letter.
    pub tone: Tone,
    /// The ASCII folding of the letter (every diacritic removed, đ → d), same case.
    pub folded: char,
}

struct Tables {
    info: HashMap<char, LetterInfo>,
    toned: HashMap<(char, Tone), char>,
}

fn fold_base(c: char) -> char {
    match c {
        'ă' | 'â' => 'a',
        'ê' => 'e',
        'ô' | 'ơ' => 'o',
        'ư' => 'u',
        'đ' => 'd',
        'Ă' | 'Â' => 'A',
        'Ê' => 'E',
        'Ô' | 'Ơ' => 'O',
        'Ư' => 'U',
        'Đ' => 'D',
        other => other,
    }
}

/// Composes a letter and a combining mark as NFC does (also when the marks must be
/// reordered, e.g. `ê` + dot below → `ệ`).
pub fn compose_nfc(base: char, mark: char) -> Option<char> {
    if let Some(c) = compose(base, mark) {
        return Some(c);
    }
    let mut buf = [0u8; 8];
    let s = base.encode_utf8(&mut buf).to_string() + mark.encode_utf8(&mut [0u8; 4]);
    let mut it = unicode_normalization::UnicodeNormalization::nfc(s.as_str());
    match (it.next(), it.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let mut info = HashMap::new();
    let mut toned = HashMap::new();
    let mut bases: Vec<char> = BASE_VOWELS.to_vec();
    bases.extend(BASE_VOWELS.iter().flat_map(|c| c.to_uppercase()));
    for &base in &bases {
        let folded = fold_base(base);
        info.insert(
            base,
            LetterInfo {
                base,
                tone: Tone::Level,
                folded,
            },
        );
        toned.insert((base, Tone::Level), base);
        for tone in Tone::MARKED {
            if let Some(mark) = tone.combining_mark()
                && let Some(c) = compose_nfc(base, mark)
            {
                info.insert(c, LetterInfo { base, tone, folded });
                toned.insert((base, tone), c);
            }
        }
    }
    for (c, f) in [('đ', 'd'), ('Đ', 'D')] {
        info.insert(
            c,
            LetterInfo {
                base: c,
                tone: Tone::Level,
                folded: f,
            },
        );
    }
    Tables { info, toned }
});

/// Splits a Vietnamese letter into base letter and tone; None for other characters.
pub fn letter_info(c: char) -> Option<LetterInfo> {
    if c.is_ascii() {
        return None;
    }
    TABLES.info.get(&c).copied()
}

/// The letter `base` carrying `tone` (e.g. `ê` + Dot → `ệ`).
pub fn with_tone(base: char, tone: Tone) -> char {
    TABLES.toned.get(&(base, tone)).copied().unwrap_or(base)
}

/// Folds one lower-case character: every diacritic removed, đ → d.
pub fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c);
    } else if let Some(info) = letter_info(c) {
        out.push(info.folded);
    } else {
        let mut pushed = false;
        unicode_normalization::char::decompose_canonical(c, |d| {
            if !unicode_normalization::char::is_combining_mark(d) {
                out.push(d);
                pushed = true;
            }
        });
        if !pushed {
            out.push(c);
        }
    }
}

/// Folds a lower-case word: every diacritic removed, đ → d.
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        fold_char(c, &mut out);
    }
    out
}

fn is_vowel(c: char) -> bool {
    BASE_VOWELS.contains(&c)
}

const INITIALS: [&str; 27] = [
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g",
    "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
];

/// Vowel clusters that are complete syllable rhymes without a final consonant.
const OPEN_ONLY: [&str; 28] = [
    "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ua", "ui", "ưa",
    "ưi", "ưu", "oai", "oay", "oao", "oeo", "uây", "uôi", "ươi", "ươu", "uya", "iêu",
];
const OPEN_ONLY_2: [&str; 3] = ["yêu", "uyu", "uơ"];
/// Vowel clusters that may or may not take a final consonant.
const OPEN_OR_CLOSED: [&str; 14] = [
    "a", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "oa", "oe", "uê", "uy",
];
/// Vowel clusters that need a final consonant.
const CLOSED_ONLY: [&str; 10] = ["ă", "â", "iê", "yê", "uâ", "uô", "ươ", "oă", "uyê", "oo"];
const FINALS: [&str; 8] = ["c", "ch", "m", "n", "ng", "nh", "p", "t"];

fn final_allowed(cluster: &str, fin: &str) -> bool {
    if cluster == "oo" {
        return matches!(fin, "ng" | "c");
    }
    if cluster == "y" {
        return false;
    }
    match fin {
        "ch" | "nh" => matches!(cluster, "a" | "ê" | "i" | "oa" | "uê" | "uy"),
        "ng" | "c" => !matches!(cluster, "i" | "ê" | "uy" | "uê" | "ơ" | "uyê"),
        _ => true,
    }
}

struct Rhymes {
    marked: HashSet<String>,
    folded: HashSet<String>,
}

static RHYMES: LazyLock<Rhymes> = LazyLock::new(|| {
    let mut marked = HashSet::new();
    for c in OPEN_ONLY.iter().chain(OPEN_ONLY_2.iter()) {
        marked.insert((*c).to_string());
    }
    for c in OPEN_OR_CLOSED.iter() {
        marked.insert((*c).to_string());
    }
    for c in OPEN_OR_CLOSED.iter().chain(CLOSED_ONLY.iter()) {
        for f in FINALS {
            if final_allowed(c, f) {
                marked.insert(format!("{c}{f}"));
            }
        }
    }
    let folded = marked.iter().map(|r| fold(r)).collect();
    Rhymes { marked, folded }
});

/// A parsed (lower-case, toneless) syllable: initial consonant, vowel cluster, final.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// Byte length of the initial consonant in the toneless syllable.
    pub initial_len: usize,
    /// Char index range of the vowel cluster inside the syllable.
    pub vowels: std::ops::Range<usize>,
    /// Whether a final consonant follows the vowel cluster.
    pub has_final: bool,
}

/// Parses a lower-case toneless syllable (shape marks kept); None if it is not Vietnamese.
pub fn parse_toneless(s: &str) -> Option<Parsed> {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() || chars.len() > 8 {
        return None;
    }
    let has_marks = chars.iter().any(|c| !c.is_ascii());
    let mut splits: Vec<usize> = Vec::with_capacity(2);
    let lead = chars.iter().take_while(|c| !is_vowel(**c)).count();
    let lead_str: String = chars[..lead].iter().collect();
    if lead == 0 {
        splits.push(0);
    } else if INITIALS.contains(&lead_str.as_str()) {
        splits.push(lead);
    } else if !(lead_str == "q" || lead_str == "g") {
        return None;
    }
    // qu / gi: the u / i belongs to the initial when a vowel follows.
    if lead_str == "q" || lead_str == "g" {
        let marker = if lead_str == "q" { 'u' } else { 'i' };
        if chars.get(lead) == Some(&marker) && chars.get(lead + 1).is_some_and(|c| is_vowel(*c)) {
            splits.push(lead + 1);
        }
        if lead_str == "g" {
            splits.push(lead);
        }
    }
    let rhymes = &*RHYMES;
    for split in splits {
        let rhyme: String = chars[split..].iter().collect();
        let ok = if has_marks {
            rhymes.marked.contains(&rhyme)
        } else {
            rhymes.folded.contains(&rhyme)
        };
        if ok {
            let nv = chars[split..].iter().take_while(|c| is_vowel(**c)).count();
            if nv == 0 {
                continue;
            }
            return Some(Parsed {
                initial_len: chars[..split].iter().map(|c| c.len_utf8()).sum(),
                vowels: split..split + nv,
                has_final: split + nv < chars.len(),
            });
        }
    }
    None
}

/// A lower-case word split into toneless letters and its tone.
pub fn split_tone(word: &str) -> (String, Tone, usize) {
    let mut out = String::with_capacity(word.len());
    let mut tone = Tone::Level;
    let mut tones = 0;
    for c in word.chars() {
        match letter_info(c) {
            Some(info) => {
                out.push(info.base);
                if info.tone != Tone::Level {
                    tone = info.tone;
                    tones += 1;
                }
            }
            None => out.push(c),
        }
    }
    (out, tone, tones)
}

/// Whether a lower-case NFC word is a valid Vietnamese syllable (accented or not).
pub fn is_valid_syllable(word: &str) -> bool {
    let (toneless, tone, tones) = split_tone(word);
    if tones > 1 {
        return false;
    }
    match parse_toneless(&toneless) {
        Some(p) => tone_fits_final(&toneless, &p, tone),
        None => false,
    }
}

fn tone_fits_final(toneless: &str, p: &Parsed, tone: Tone) -> bool {
    if !p.has_final || matches!(tone, Tone::Level | Tone::Acute | Tone::Dot) {
        return true;
    }
    !(toneless.ends_with('c')
        || toneless.ends_with("ch")
        || toneless.ends_with('p')
        || toneless.ends_with('t'))
}

/// Rewrites a lower-case NFC syllable with its tone on the canonical vowel ("new style":
/// hoà, thuý, khoẻ). Words that are not syllables are returned unchanged.
pub fn canonical_tone(word: &str) -> String {
    let (toneless, tone, tones) = split_tone(word);
    if tones != 1 {
        return word.to_string();
    }
    let Some(p) = parse_toneless(&toneless) else {
        return word.to_string();
    };
    let chars: Vec<char> = toneless.chars().collect();
    let v = &chars[p.vowels.clone()];
    let pos_in_cluster = if let Some(i) = v.iter().rposition(|c| "ăâêôơư".contains(*c)) {
        i
    } else if v.len() == 1 || p.has_final {
        v.len() - 1
    } else if v.len() == 3 {
        1
    } else {
        let pair: String = v.iter().collect();
        if matches!(pair.as_str(), "oa" | "oe" | "uy") {
            1
        } else {
            0
        }
    };
    let target = p.vowels.start + pos_in_cluster;
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if i == target { with_tone(c, tone) } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_syllables() {
        for w in [
            "việt", "nam", "sáng", "kiến", "người", "được", "nghiêng", "quyết", "giếng", "gì",
            "hoà", "hòa", "khuỷu", "xoong", "viet", "nguoi", "duoc", "thuế", "quốc", "ạ", "ở",
            "chuyển", "đổi", "số", "khoẻ", "oanh", "huỳnh", "yêu", "giữ", "cải", "tiến",
        ] {
            assert!(is_valid_syllable(w), "{w}");
        }
        for w in [
            "vieejt", "kiõn", "s", "ng", "xyz", "cos", "too", "hòat", "ddi", "excel",
        ] {
            assert!(!is_valid_syllable(w), "{w}");
        }
    }

    #[test]
    fn tone_placement_is_unified() {
        assert_eq!(canonical_tone("hòa"), "hoà");
        assert_eq!(canonical_tone("hoà"), "hoà");
        assert_eq!(canonical_tone("thúy"), "thuý");
        assert_eq!(canonical_tone("khỏe"), "khoẻ");
        assert_eq!(canonical_tone("hoạch"), "hoạch");
        assert_eq!(canonical_tone("người"), "người");
        assert_eq!(canonical_tone("của"), "của");
        assert_eq!(canonical_tone("quý"), "quý");
        assert_eq!(canonical_tone("ngoài"), "ngoài");
        assert_eq!(canonical_tone("giữ"), "giữ");
        assert_eq!(canonical_tone("vìêt"), "viềt");
    }

    #[test]
    fn folding_removes_every_diacritic() {
        assert_eq!(fold("đường"), "duong");
        assert_eq!(fold("nghiệp"), "nghiep");
        assert_eq!(fold("ắ"), "a");
    }
}
