//! The one versioned Vietnamese normaliser used at indexing and at query time: legacy
//! encoding repair, NFC, invisible-character stripping, lower case, tone placement, Telex
//! repair, tokens with folded keys and offsets into the original text.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::ops::Range;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use unicode_normalization::char::is_combining_mark;

use crate::legacy::{Decoding, SrcChar, decode, repair_telex};
use crate::syllable::{canonical_tone, compose_nfc, fold, is_valid_syllable};

/// Version of the normalisation rules; bump it whenever tokens or folded keys can change, and
/// rebuild the index (it is a cache of the database).
pub const NORMALIZER_VERSION: u32 = 2;

/// The encoding the text was detected to be in (the dominant one over its paragraphs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DetectedEncoding {
    /// Unicode (NFC or NFD).
    Unicode,
    /// TCVN3 / ABC (.VnTime fonts) pasted as Latin-1.
    Tcvn3,
    /// VNI-Windows pasted as Latin-1.
    Vni,
    /// Windows-1258 mis-decoded as Windows-1252 / Latin-1.
    Windows1258,
}

/// What the normaliser found and repaired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncodingReport {
    /// Dominant encoding.
    pub encoding: DetectedEncoding,
    /// Decomposed (NFD) sequences were composed.
    pub nfd_repaired: bool,
    /// Raw Telex keystrokes were turned into letters.
    pub telex_repaired: bool,
}

/// One normalised word (usually a syllable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Lower-case NFC text with canonical tone placement (e.g. `hoà`).
    pub text: String,
    /// Folded key: every diacritic removed, đ → d (e.g. `hoa`).
    pub folded: String,
    /// Range of chars (Unicode scalar values) in the original input.
    pub char_range: Range<usize>,
    /// Range of bytes in the original input.
    pub byte_range: Range<usize>,
}

/// The result of normalising a text.
#[derive(Debug, Clone)]
pub struct Normalized {
    /// Tokens in text order.
    pub tokens: Vec<Token>,
    /// What was detected and repaired.
    pub report: EncodingReport,
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}' | '\u{034F}'
    ) || (c.is_control() && !c.is_whitespace())
}

/// Composes (NFC), strips invisible characters and lower-cases a decoded stream in place.
/// Returns whether any combining mark was composed.
fn compose_lower(chars: &[SrcChar], out: &mut Vec<SrcChar>) -> bool {
    let mut composed_any = false;
    for sc in chars {
        if sc.ch.is_ascii() {
            if !sc.ch.is_ascii_control() || sc.ch.is_ascii_whitespace() {
                out.push(SrcChar {
                    ch: sc.ch.to_ascii_lowercase(),
                    ..*sc
                });
            }
            continue;
        }
        if is_invisible(sc.ch) {
            continue;
        }
        if (('\u{0300}'..='\u{036F}').contains(&sc.ch) || is_combining_mark(sc.ch))
            && let Some(prev) = out.last_mut()
        {
            // Lower-cased letters compose with marks just like capitals.
            if let Some(c) = compose_nfc(prev.ch, sc.ch) {
                prev.ch = c;
                prev.char_end = sc.char_end;
                prev.byte_end = sc.byte_end;
                composed_any = true;
                continue;
            }
            // A mark that does not compose stays inside the word (never splits it).
            composed_any = true;
        }
        let mut lower = sc.ch.to_lowercase();
        if let Some(first) = lower.next() {
            out.push(SrcChar { ch: first, ..*sc });
            for more in lower {
                out.push(SrcChar { ch: more, ..*sc });
            }
        }
    }
    composed_any
}

struct Pass {
    tokens: Vec<Token>,
    valid: usize,
    invalid_suspicious: usize,
    nfd: bool,
    telex: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WordClass {
    Valid,
    Telex,
    Invalid,
}

#[derive(Debug)]
struct WordInfo {
    text: String,
    folded: String,
    class: WordClass,
}

/// FxHash: a fast hasher for the per-thread word cache.
#[derive(Default)]
struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 =
                (self.0.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type WordCache = HashMap<String, Rc<WordInfo>, BuildHasherDefault<FxHasher>>;

thread_local! {
    static WORDS: RefCell<WordCache> = RefCell::new(WordCache::default());
}

const WORD_CACHE_LIMIT: usize = 50_000;

fn analyse_word(word: &str) -> WordInfo {
    let (text, class) = if is_valid_syllable(word) {
        let t = if word.is_ascii() {
            word.to_string()
        } else {
            canonical_tone(word)
        };
        (t, WordClass::Valid)
    } else if let Some(fixed) = repair_telex(word) {
        (fixed, WordClass::Telex)
    } else {
        (word.to_string(), WordClass::Invalid)
    };
    let folded = if text.is_ascii() {
        text.clone()
    } else {
        fold(&text)
    };
    WordInfo {
        text,
        folded,
        class,
    }
}

/// Per-word analysis, memoised per thread (words repeat a lot).
fn word_info(word: &str) -> Rc<WordInfo> {
    WORDS.with(|cache| {
        if let Some(hit) = cache.borrow().get(word) {
            return hit.clone();
        }
        let info = Rc::new(analyse_word(word));
        let mut c = cache.borrow_mut();
        if c.len() >= WORD_CACHE_LIMIT {
            c.clear();
        }
        c.insert(word.to_string(), info.clone());
        info
    })
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    c.is_alphanumeric() || is_combining_mark(c)
}

fn run_pass(kind: Decoding, text: &str, char_base: u32, byte_base: u32) -> Pass {
    let mut decoded = Vec::with_capacity(text.len());
    decode(kind, text, char_base, byte_base, &mut decoded);
    let mut chars = Vec::with_capacity(decoded.len());
    let nfd = compose_lower(&decoded, &mut chars);
    let mut pass = Pass {
        tokens: Vec::new(),
        valid: 0,
        invalid_suspicious: 0,
        nfd: nfd && kind == Decoding::Unicode,
        telex: false,
    };
    let mut i = 0;
    let mut word = String::new();
    while i < chars.len() {
        if !is_word_char(chars[i].ch) {
            i += 1;
            continue;
        }
        let start = i;
        word.clear();
        while i < chars.len() && is_word_char(chars[i].ch) {
            let ch = chars[i].ch;
            if ch.is_ascii() || !is_combining_mark(ch) {
                word.push(ch);
            }
            i += 1;
        }
        if word.is_empty() {
            // Stray combining marks with no letter to sit on are not a word.
            continue;
        }
        let (first, last) = (chars[start], chars[i - 1]);
        let info = word_info(&word);
        if info.class != WordClass::Invalid {
            pass.valid += 1;
        } else if word.chars().any(is_suspicious) {
            pass.invalid_suspicious += 1;
        }
        pass.telex |= info.class == WordClass::Telex;
        let (text_out, folded) = (info.text.clone(), info.folded.clone());
        pass.tokens.push(Token {
            text: text_out,
            folded,
            char_range: first.char_start as usize..last.char_end as usize,
            byte_range: first.byte_start as usize..last.byte_end as usize,
        });
    }
    pass
}

/// Characters that legacy encodings put where Vietnamese letters should be.
fn is_suspicious(c: char) -> bool {
    ('\u{0080}'..='\u{00FF}').contains(&c) || "ŒœŠšŽžŸƒˆ˜".contains(c)
}

fn normalize_paragraph(text: &str, char_base: u32, byte_base: u32) -> (Pass, DetectedEncoding) {
    let unicode = run_pass(Decoding::Unicode, text, char_base, byte_base);
    if unicode.tokens.is_empty() || unicode.invalid_suspicious == 0 {
        return (unicode, DetectedEncoding::Unicode);
    }
    let share = |p: &Pass| p.valid as f64 / p.tokens.len().max(1) as f64;
    let mut best = (share(&unicode), unicode, DetectedEncoding::Unicode);
    for (kind, enc) in [
        (Decoding::Tcvn3, DetectedEncoding::Tcvn3),
        (Decoding::Vni, DetectedEncoding::Vni),
        (Decoding::Windows1258, DetectedEncoding::Windows1258),
    ] {
        let pass = run_pass(kind, text, char_base, byte_base);
        let s = share(&pass);
        if s > best.0 + 0.02 {
            best = (s, pass, enc);
        }
    }
    (best.1, best.2)
}

/// Normalises a text: the single entry point used at indexing and at query time.
pub fn normalize(text: &str) -> Normalized {
    let mut tokens = Vec::new();
    let mut votes: [(DetectedEncoding, usize); 4] = [
        (DetectedEncoding::Unicode, 0),
        (DetectedEncoding::Tcvn3, 0),
        (DetectedEncoding::Vni, 0),
        (DetectedEncoding::Windows1258, 0),
    ];
    let (mut nfd, mut telex) = (false, false);
    let mut char_base = 0u32;
    let mut byte_base = 0u32;
    for para in text.split_inclusive('\n') {
        let (pass, enc) = normalize_paragraph(para, char_base, byte_base);
        nfd |= pass.nfd;
        telex |= pass.telex;
        for v in votes.iter_mut() {
            if v.0 == enc {
                v.1 += pass.tokens.len();
            }
        }
        tokens.extend(pass.tokens);
        char_base += para.chars().count() as u32;
        byte_base += para.len() as u32;
    }
    let mut encoding = DetectedEncoding::Unicode;
    let mut most = votes[0].1;
    for v in &votes[1..] {
        if v.1 > most {
            most = v.1;
            encoding = v.0;
        }
    }
    Normalized {
        tokens,
        report: EncodingReport {
            encoding,
            nfd_repaired: nfd,
            telex_repaired: telex,
        },
    }
}

/// Repairs a pasted text for display and storage: each paragraph decoded from the legacy
/// encoding it was detected in, composed to NFC, invisible characters removed; case and
/// punctuation kept (`S¸ng kiÕn` → `Sáng kiến`). Telex keystrokes are left as typed.
pub fn repair_text(text: &str) -> (String, DetectedEncoding) {
    let mut out = String::with_capacity(text.len());
    let mut counts: Vec<(DetectedEncoding, usize)> = Vec::new();
    for para in text.split_inclusive('\n') {
        let (pass, enc) = normalize_paragraph(para, 0, 0);
        match counts.iter_mut().find(|c| c.0 == enc) {
            Some(c) => c.1 += pass.tokens.len(),
            None => counts.push((enc, pass.tokens.len())),
        }
        let kind = match enc {
            DetectedEncoding::Unicode => Decoding::Unicode,
            DetectedEncoding::Tcvn3 => Decoding::Tcvn3,
            DetectedEncoding::Vni => Decoding::Vni,
            DetectedEncoding::Windows1258 => Decoding::Windows1258,
        };
        let mut decoded = Vec::with_capacity(para.len());
        decode(kind, para, 0, 0, &mut decoded);
        let raw: String = decoded
            .iter()
            .map(|c| c.ch)
            .filter(|c| !is_invisible(*c) || c.is_whitespace())
            .collect();
        out.extend(unicode_normalization::UnicodeNormalization::nfc(
            raw.as_str(),
        ));
    }
    let encoding = counts
        .iter()
        .filter(|c| c.1 > 0)
        .max_by_key(|c| c.1)
        .map_or(DetectedEncoding::Unicode, |c| c.0);
    (out, encoding)
}

/// Folded keys of a text, in order (convenience for callers that need no offsets).
pub fn folded_words(text: &str) -> Vec<String> {
    normalize(text)
        .tokens
        .into_iter()
        .map(|t| t.folded)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::legacy::{encode_tcvn3, encode_telex, encode_vni, encode_windows1258_as_cp1252};
    use unicode_normalization::UnicodeNormalization;

    const TEXT: &str = "Sáng kiến: Cải tiến quy trình tiếp nhận hồ sơ điện tử tại Kho bạc \
        Nhà nước huyện Hòa An, giảm 30% thời gian chờ đợi của người dân.\nHiệu quả: tiết kiệm \
        chi phí, nâng cao năng suất lao động.";

    fn folded(text: &str) -> Vec<String> {
        folded_words(text)
    }

    /// Found by the fuzz target `search_normalize`: marks after a control character made a
    /// token with empty text.
    #[test]
    fn stray_marks_are_no_token() {
        let n = normalize("o ph\u{0} \u{0}\u{36D}");
        let texts: Vec<&str> = n.tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["o", "ph"]);
        assert!(normalize("\u{301}\u{300}").tokens.is_empty());
    }

    #[test]
    fn unicode_text_is_tokenised_and_folded() {
        let n = normalize("Sáng kiến cải tiến Đường");
        let f: Vec<&str> = n.tokens.iter().map(|t| t.folded.as_str()).collect();
        assert_eq!(f, ["sang", "kien", "cai", "tien", "duong"]);
        assert_eq!(n.report.encoding, DetectedEncoding::Unicode);
        assert!(!n.report.nfd_repaired);
    }

    #[test]
    fn legacy_encodings_are_detected_and_repaired() {
        let expected = folded(TEXT);
        for (enc, text) in [
            (DetectedEncoding::Tcvn3, encode_tcvn3(TEXT)),
            (DetectedEncoding::Vni, encode_vni(TEXT)),
            (
                DetectedEncoding::Windows1258,
                encode_windows1258_as_cp1252(TEXT),
            ),
        ] {
            let n = normalize(&text);
            assert_eq!(n.report.encoding, enc, "{text}");
            let got: Vec<String> = n.tokens.iter().map(|t| t.folded.clone()).collect();
            assert_eq!(got, expected, "{enc:?}");
        }
        let n = normalize("S¸ng kiÕn");
        assert_eq!(n.tokens[0].text, "sáng");
        assert_eq!(n.tokens[1].text, "kiến");
        let n = normalize("Saùng kieán");
        assert_eq!(n.tokens[1].text, "kiến");
        assert_eq!(n.report.encoding, DetectedEncoding::Vni);
    }

    #[test]
    fn nfd_never_splits_a_syllable() {
        let nfd: String = TEXT.nfd().collect();
        let n = normalize(&nfd);
        assert!(n.report.nfd_repaired);
        let texts: Vec<String> = n.tokens.iter().map(|t| t.text.clone()).collect();
        let nfc: Vec<String> = normalize(TEXT).tokens.into_iter().map(|t| t.text).collect();
        assert_eq!(texts, nfc);
        let n = normalize("Đăng ký");
        assert_eq!(n.tokens.len(), 2);
    }

    #[test]
    fn invisible_characters_are_stripped() {
        let n = normalize("Sáng\u{200B}kiến vi\u{00AD}ệt\u{FEFF}");
        let t: Vec<&str> = n.tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(t, ["sángkiến", "việt"]);
    }

    #[test]
    fn telex_is_repaired() {
        let n = normalize(&encode_telex(TEXT));
        assert!(n.report.telex_repaired);
        assert_eq!(
            n.tokens
                .iter()
                .map(|t| t.folded.clone())
                .collect::<Vec<_>>(),
            folded(TEXT)
        );
        assert_eq!(normalize("vieejt").tokens[0].text, "việt");
    }

    #[test]
    fn tone_placement_is_unified() {
        assert_eq!(
            normalize("Hòa").tokens[0].text,
            normalize("hoà").tokens[0].text
        );
        assert_eq!(normalize("THÚY").tokens[0].text, "thuý");
    }

    #[test]
    fn repair_text_restores_unicode_and_keeps_case() {
        let (fixed, enc) = repair_text(&encode_tcvn3("Sáng kiến: Đổi mới\nKho bạc"));
        assert_eq!(enc, DetectedEncoding::Tcvn3);
        // TCVN3 has no toned capitals: they come back lower case.
        assert_eq!(fixed, "Sáng kiến: Đổi mới\nKho bạc");
        let (fixed, enc) = repair_text(&encode_vni("Việt Nam"));
        assert_eq!((fixed.as_str(), enc), ("Việt Nam", DetectedEncoding::Vni));
        let nfd: String = "Tiếng Việt\u{200B}".nfd().collect();
        assert_eq!(repair_text(&nfd).0, "Tiếng Việt");
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        for text in [
            TEXT.to_string(),
            TEXT.nfd().collect(),
            encode_tcvn3(TEXT),
            encode_vni(TEXT),
            encode_windows1258_as_cp1252(TEXT),
        ] {
            let chars: Vec<char> = text.chars().collect();
            for t in normalize(&text).tokens {
                let by_char: String = chars[t.char_range.clone()].iter().collect();
                assert_eq!(by_char, &text[t.byte_range.clone()]);
            }
        }
        let text = "ABC Saùng kieán";
        let n = normalize(text);
        assert_eq!(&text[n.tokens[2].byte_range.clone()], "kieán");
        assert_eq!(n.tokens[2].char_range, 10..15);
    }
}
