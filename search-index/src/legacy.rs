//! Legacy Vietnamese encodings (TCVN3/ABC, VNI-Windows, Windows-1258) and Telex keystrokes:
//! encoders (used to build test copies) and decoders that keep each character's source range.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::syllable::{Tone, letter_info, with_tone};

/// One decoded character and the range of source characters (and bytes) it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SrcChar {
    /// The decoded character.
    pub ch: char,
    /// First source char index.
    pub char_start: u32,
    /// One past the last source char index.
    pub char_end: u32,
    /// First source byte.
    pub byte_start: u32,
    /// One past the last source byte.
    pub byte_end: u32,
}

/// A way to read pasted text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decoding {
    Unicode,
    Tcvn3,
    Vni,
    Windows1258,
}

/// Decodes `text` (whose first char has index `char_base` and byte `byte_base` in the whole
/// input) into characters with their source ranges.
pub(crate) fn decode(
    kind: Decoding,
    text: &str,
    char_base: u32,
    byte_base: u32,
    out: &mut Vec<SrcChar>,
) {
    let mut src: Vec<(char, u32, u32)> = Vec::with_capacity(text.len());
    for (ci, (b, c)) in (char_base..).zip(text.char_indices()) {
        src.push((c, ci, byte_base + b as u32));
    }
    let end_byte = byte_base + text.len() as u32;
    let byte_after = |i: usize| src.get(i + 1).map_or(end_byte, |s| s.2);
    let mut i = 0;
    while i < src.len() {
        let (c, cs, bs) = src[i];
        let (ch, used) = match kind {
            Decoding::Unicode => (c, 1),
            Decoding::Tcvn3 => (TCVN3.decode.get(&c).copied().unwrap_or(c), 1),
            Decoding::Windows1258 => (cp1258_from_cp1252_char(c), 1),
            Decoding::Vni => {
                let next = src.get(i + 1).map(|s| s.0);
                match next.and_then(|n| VNI.pairs.get(&(c, n))) {
                    Some(&d) => (d, 2),
                    None => (VNI.singles.get(&c).copied().unwrap_or(c), 1),
                }
            }
        };
        out.push(SrcChar {
            ch,
            char_start: cs,
            char_end: cs + used as u32,
            byte_start: bs,
            byte_end: byte_after(i + used - 1),
        });
        i += used;
    }
}

// ---------------------------------------------------------------- TCVN3 (ABC)

/// TCVN3 codes of toned vowels, per base vowel, in the order huyền, hỏi, ngã, sắc, nặng.
const TCVN3_TONED: [(char, [u8; 5]); 12] = [
    ('a', [0xB5, 0xB6, 0xB7, 0xB8, 0xB9]),
    ('ă', [0xBB, 0xBC, 0xBD, 0xBE, 0xC6]),
    ('â', [0xC7, 0xC8, 0xC9, 0xCA, 0xCB]),
    ('e', [0xCC, 0xCE, 0xCF, 0xD0, 0xD1]),
    ('ê', [0xD2, 0xD3, 0xD4, 0xD5, 0xD6]),
    ('i', [0xD7, 0xD8, 0xDC, 0xDD, 0xDE]),
    ('o', [0xDF, 0xE1, 0xE2, 0xE3, 0xE4]),
    ('ô', [0xE5, 0xE6, 0xE7, 0xE8, 0xE9]),
    ('ơ', [0xEA, 0xEB, 0xEC, 0xED, 0xEE]),
    ('u', [0xEF, 0xF1, 0xF2, 0xF3, 0xF4]),
    ('ư', [0xF5, 0xF6, 0xF7, 0xF8, 0xF9]),
    ('y', [0xFA, 0xFB, 0xFC, 0xFD, 0xFE]),
];
const TCVN3_PLAIN: [(char, u8); 14] = [
    ('Ă', 0xA1),
    ('Â', 0xA2),
    ('Ê', 0xA3),
    ('Ô', 0xA4),
    ('Ơ', 0xA5),
    ('Ư', 0xA6),
    ('Đ', 0xA7),
    ('ă', 0xA8),
    ('â', 0xA9),
    ('ê', 0xAA),
    ('ô', 0xAB),
    ('ơ', 0xAC),
    ('ư', 0xAD),
    ('đ', 0xAE),
];
const TONE_ORDER: [Tone; 5] = [Tone::Grave, Tone::Hook, Tone::Tilde, Tone::Acute, Tone::Dot];

struct Tcvn3 {
    encode: HashMap<char, char>,
    decode: HashMap<char, char>,
}

static TCVN3: LazyLock<Tcvn3> = LazyLock::new(|| {
    let mut encode = HashMap::new();
    let mut decode = HashMap::new();
    for (c, b) in TCVN3_PLAIN {
        encode.insert(c, char::from(b));
        decode.insert(char::from(b), c);
    }
    for (base, codes) in TCVN3_TONED {
        for (tone, b) in TONE_ORDER.iter().zip(codes) {
            let lower = with_tone(base, *tone);
            encode.insert(lower, char::from(b));
            decode.insert(char::from(b), lower);
            // The single-font TCVN3 has no toned capitals: they print as the lower-case code.
            for upper in lower.to_uppercase() {
                encode.insert(upper, char::from(b));
            }
        }
    }
    Tcvn3 { encode, decode }
});

/// Encodes NFC text as TCVN3 bytes read back as Latin-1 (what a paste from an old
/// .VnTime document looks like: `Sáng kiến` → `S¸ng kiÕn`).
pub fn encode_tcvn3(text: &str) -> String {
    text.chars()
        .map(|c| TCVN3.encode.get(&c).copied().unwrap_or(c))
        .collect()
}

// ---------------------------------------------------------------- VNI-Windows

struct Vni {
    pairs: HashMap<(char, char), char>,
    singles: HashMap<char, char>,
}

fn vni_tone_mark(tone: Tone) -> Option<char> {
    match tone {
        Tone::Level => None,
        Tone::Grave => Some('ø'),
        Tone::Acute => Some('ù'),
        Tone::Hook => Some('û'),
        Tone::Tilde => Some('õ'),
        Tone::Dot => Some('ï'),
    }
}

fn vni_circumflex(tone: Tone) -> char {
    match tone {
        Tone::Level => 'â',
        Tone::Grave => 'à',
        Tone::Acute => 'á',
        Tone::Hook => 'å',
        Tone::Tilde => 'ã',
        Tone::Dot => 'ä',
    }
}

fn vni_breve(tone: Tone) -> char {
    match tone {
        Tone::Level => 'ê',
        Tone::Grave => 'è',
        Tone::Acute => 'é',
        Tone::Hook => 'ú',
        Tone::Tilde => 'ü',
        Tone::Dot => 'ë',
    }
}

fn vni_i(tone: Tone) -> Option<char> {
    match tone {
        Tone::Level => None,
        Tone::Grave => Some('ì'),
        Tone::Acute => Some('í'),
        Tone::Hook => Some('æ'),
        Tone::Tilde => Some('ó'),
        Tone::Dot => Some('ò'),
    }
}

fn upper(c: char) -> char {
    c.to_uppercase().next().unwrap_or(c)
}

/// VNI encoding of one lower-case letter as (base, optional mark).
fn vni_lower(c: char) -> Option<(char, Option<char>)> {
    if c == 'đ' {
        return Some(('ñ', None));
    }
    let info = letter_info(c)?;
    let tone = info.tone;
    Some(match info.base {
        'â' | 'ê' | 'ô' => (info.folded, Some(vni_circumflex(tone))),
        'ă' => ('a', Some(vni_breve(tone))),
        'ơ' => ('ô', vni_tone_mark(tone)),
        'ư' => ('ö', vni_tone_mark(tone)),
        'i' => match vni_i(tone) {
            Some(single) => (single, None),
            None => ('i', None),
        },
        'y' if tone == Tone::Dot => ('î', None),
        b => (b, vni_tone_mark(tone)),
    })
}

fn vni_encode_char(c: char, out: &mut String) {
    let is_upper = c.is_uppercase();
    let lower = c.to_lowercase().next().unwrap_or(c);
    match vni_lower(lower) {
        Some((base, mark)) => {
            out.push(if is_upper { upper(base) } else { base });
            if let Some(m) = mark {
                out.push(if is_upper { upper(m) } else { m });
            }
        }
        None => out.push(c),
    }
}

static VNI: LazyLock<Vni> = LazyLock::new(|| {
    let mut pairs = HashMap::new();
    let mut singles = HashMap::new();
    let mut letters: Vec<char> = vec!['đ'];
    for base in crate::syllable::BASE_VOWELS {
        letters.push(base);
        for tone in Tone::MARKED {
            letters.push(with_tone(base, tone));
        }
    }
    for lower in letters {
        let Some((base, mark)) = vni_lower(lower) else {
            continue;
        };
        let up = upper(lower);
        match mark {
            Some(m) => {
                pairs.insert((base, m), lower);
                pairs.insert((upper(base), upper(m)), up);
                pairs.insert((upper(base), m), up);
            }
            None if base != lower => {
                singles.insert(base, lower);
                singles.insert(upper(base), up);
            }
            None => {}
        }
    }
    Vni { pairs, singles }
});

/// Encodes NFC text as VNI-Windows bytes read back as Latin-1 (`Sáng kiến` → `Saùng kieán`).
pub fn encode_vni(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        vni_encode_char(c, &mut out);
    }
    out
}

// ---------------------------------------------------------------- Windows-1258

fn cp1258_byte_letter(c: char) -> Option<u8> {
    Some(match c {
        'Ă' => 0xC3,
        'ă' => 0xE3,
        'Ơ' => 0xD5,
        'ơ' => 0xF5,
        'Ư' => 0xDD,
        'ư' => 0xFD,
        'Đ' => 0xD0,
        'đ' => 0xF0,
        'Â' => 0xC2,
        'â' => 0xE2,
        'Ê' => 0xCA,
        'ê' => 0xEA,
        'Ô' => 0xD4,
        'ô' => 0xF4,
        _ => return None,
    })
}

fn cp1258_tone_byte(t: Tone) -> Option<u8> {
    match t {
        Tone::Level => None,
        Tone::Grave => Some(0xCC),
        Tone::Acute => Some(0xEC),
        Tone::Hook => Some(0xD2),
        Tone::Tilde => Some(0xDE),
        Tone::Dot => Some(0xF2),
    }
}

/// Encodes NFC text as Windows-1258 bytes (base letter + combining tone byte) and reads the
/// bytes back as Windows-1252 (`Việt` → `Viêòt`).
pub fn encode_windows1258_as_cp1252(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        if c == 'đ' || c == 'Đ' {
            out.push(char::from(cp1258_byte_letter(c).unwrap_or(b'd')));
            continue;
        }
        match letter_info(c) {
            Some(info) => {
                match cp1258_byte_letter(info.base) {
                    Some(b) => out.push(char::from(b)),
                    None => out.push(info.base),
                }
                if let Some(b) = cp1258_tone_byte(info.tone) {
                    out.push(char::from(b));
                }
            }
            None => out.push(c),
        }
    }
    out
}

/// Reads one character of Windows-1258 text that was mis-decoded as Windows-1252/Latin-1.
fn cp1258_from_cp1252_char(c: char) -> char {
    match c {
        '\u{C3}' => 'Ă',
        '\u{E3}' => 'ă',
        '\u{D5}' => 'Ơ',
        '\u{F5}' => 'ơ',
        '\u{DD}' => 'Ư',
        '\u{FD}' => 'ư',
        '\u{D0}' => 'Đ',
        '\u{F0}' => 'đ',
        '\u{CC}' => '\u{0300}',
        '\u{EC}' => '\u{0301}',
        '\u{D2}' => '\u{0309}',
        '\u{DE}' => '\u{0303}',
        '\u{F2}' => '\u{0323}',
        '\u{FE}' => '₫',
        other => other,
    }
}

// ---------------------------------------------------------------- Telex

fn telex_tone_key(t: Tone) -> Option<char> {
    match t {
        Tone::Level => None,
        Tone::Grave => Some('f'),
        Tone::Acute => Some('s'),
        Tone::Hook => Some('r'),
        Tone::Tilde => Some('x'),
        Tone::Dot => Some('j'),
    }
}

/// Writes NFC text as the raw keystrokes of a Telex typist whose input method was off
/// (`Việt Nam` → `Vieetj Nam`): shape keys doubled in place, the tone key at the word's end.
pub fn encode_telex(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 3);
    let mut pending_tone: Option<(char, bool)> = None;
    for c in text.chars() {
        if !c.is_alphanumeric()
            && let Some((k, up)) = pending_tone.take()
        {
            out.push(if up { upper(k) } else { k });
        }
        let is_upper = c.is_uppercase();
        let lower = c.to_lowercase().next().unwrap_or(c);
        let keys: Option<&str> = match lower {
            'đ' => Some("dd"),
            _ => None,
        };
        if let Some(k) = keys {
            push_case(&mut out, k, is_upper);
            continue;
        }
        match letter_info(lower) {
            Some(info) => {
                let k = match info.base {
                    'â' => "aa",
                    'ê' => "ee",
                    'ô' => "oo",
                    'ă' => "aw",
                    'ơ' => "ow",
                    'ư' => "uw",
                    _ => "",
                };
                if k.is_empty() {
                    out.push(if is_upper {
                        upper(info.base)
                    } else {
                        info.base
                    });
                } else {
                    push_case(&mut out, k, is_upper);
                }
                if let Some(t) = telex_tone_key(info.tone) {
                    pending_tone = Some((t, is_upper));
                }
            }
            None => out.push(c),
        }
    }
    if let Some((k, up)) = pending_tone {
        out.push(if up { upper(k) } else { k });
    }
    out
}

fn push_case(out: &mut String, keys: &str, is_upper: bool) {
    for (i, k) in keys.chars().enumerate() {
        // A capital typed with Telex: only the first key is shifted ("Ddi" for "Đi"),
        // unless the whole word is in capitals; keep it simple and shift the first key.
        out.push(if is_upper && i == 0 { upper(k) } else { k });
    }
}

/// Applies Telex shape keys (dd, aa, ee, oo, aw, ow, uw, uow) to a lower-case ASCII word.
fn telex_shapes(word: &str) -> Option<String> {
    let b = word.as_bytes();
    let mut out = String::with_capacity(word.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        let (s, used) = if rest.starts_with(b"uow") {
            ("ươ", 3)
        } else if rest.starts_with(b"dd") {
            ("đ", 2)
        } else if rest.starts_with(b"aa") {
            ("â", 2)
        } else if rest.starts_with(b"ee") {
            ("ê", 2)
        } else if rest.starts_with(b"oo") {
            ("ô", 2)
        } else if rest.starts_with(b"aw") {
            ("ă", 2)
        } else if rest.starts_with(b"ow") {
            ("ơ", 2)
        } else if rest.starts_with(b"uw") {
            ("ư", 2)
        } else if rest[0] == b'w' {
            return None;
        } else {
            out.push(char::from(rest[0]));
            i += 1;
            continue;
        };
        out.push_str(s);
        i += used;
    }
    Some(out)
}

/// Repairs a lower-case ASCII word typed as raw Telex keystrokes (`vieejt` → `việt`), if the
/// result is a valid Vietnamese syllable that differs from the input.
pub fn repair_telex(word: &str) -> Option<String> {
    if !word.is_ascii() || word.len() < 2 || word.len() > 12 {
        return None;
    }
    let bytes = word.as_bytes();
    let first_vowel = bytes.iter().position(|b| b"aeiouy".contains(b))?;
    let mut tone_positions: Vec<Option<usize>> = (first_vowel + 1..bytes.len())
        .rev()
        .filter(|&i| b"sfrxj".contains(&bytes[i]))
        .map(Some)
        .collect();
    tone_positions.push(None);
    for pos in tone_positions {
        let (stem, tone) = match pos {
            Some(p) => {
                let tone = match bytes[p] {
                    b's' => Tone::Acute,
                    b'f' => Tone::Grave,
                    b'r' => Tone::Hook,
                    b'x' => Tone::Tilde,
                    _ => Tone::Dot,
                };
                (format!("{}{}", &word[..p], &word[p + 1..]), tone)
            }
            None => (word.to_string(), Tone::Level),
        };
        let Some(shaped) = telex_shapes(&stem) else {
            continue;
        };
        if shaped == word {
            continue;
        }
        let Some(parsed) = crate::syllable::parse_toneless(&shaped) else {
            continue;
        };
        let mut chars: Vec<char> = shaped.chars().collect();
        if tone != Tone::Level {
            // Put the tone on the first vowel; canonical_tone moves it to its place.
            let v = parsed.vowels.start;
            chars[v] = with_tone(chars[v], tone);
        }
        let candidate = crate::syllable::canonical_tone(&chars.iter().collect::<String>());
        if crate::syllable::is_valid_syllable(&candidate) {
            return Some(candidate);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_str(kind: Decoding, s: &str) -> String {
        let mut v = Vec::new();
        decode(kind, s, 0, 0, &mut v);
        let raw: String = v.iter().map(|c| c.ch).collect();
        unicode_normalization::UnicodeNormalization::nfc(raw.as_str()).collect()
    }

    const SAMPLE: &str = "Sáng kiến cải tiến quy trình tiếp nhận hồ sơ điện tử tại Cục Hải quan \
        tỉnh Cao Bằng, giảm thời gian xử lý; ĐỔI MỚI, Ưu tiên người lao động, quyết định, khuỷu.";

    #[test]
    fn tcvn3_matches_the_issue_example_and_round_trips() {
        assert_eq!(encode_tcvn3("Sáng kiến"), "S¸ng kiÕn");
        let lower = SAMPLE.to_lowercase();
        assert_eq!(decode_str(Decoding::Tcvn3, &encode_tcvn3(&lower)), lower);
    }

    #[test]
    fn vni_matches_the_issue_example_and_round_trips() {
        assert_eq!(encode_vni("Sáng kiến"), "Saùng kieán");
        assert_eq!(decode_str(Decoding::Vni, &encode_vni(SAMPLE)), SAMPLE);
    }

    #[test]
    fn windows1258_round_trips() {
        assert_eq!(encode_windows1258_as_cp1252("Việt"), "Viêòt");
        assert_eq!(
            decode_str(Decoding::Windows1258, &encode_windows1258_as_cp1252(SAMPLE)),
            SAMPLE
        );
    }

    #[test]
    fn decoded_chars_keep_source_ranges() {
        let mut v = Vec::new();
        decode(Decoding::Vni, "Saùng", 10, 20, &mut v);
        let a = v[1];
        assert_eq!((a.ch, a.char_start, a.char_end), ('á', 11, 13));
        assert_eq!((a.byte_start, a.byte_end), (21, 24));
    }

    #[test]
    fn telex_round_trips() {
        assert_eq!(encode_telex("Việt Nam"), "Vieetj Nam");
        assert_eq!(repair_telex("vieejt").as_deref(), Some("việt"));
        assert_eq!(repair_telex("vieetj").as_deref(), Some("việt"));
        assert_eq!(repair_telex("dduwowngf").as_deref(), Some("đường"));
        assert_eq!(repair_telex("hoaf").as_deref(), Some("hoà"));
        assert_eq!(repair_telex("cos").as_deref(), Some("có"));
        assert_eq!(repair_telex("excel"), None);
        for w in SAMPLE.split(|c: char| !c.is_alphanumeric()) {
            if w.is_empty() {
                continue;
            }
            let lower = w.to_lowercase();
            let t = encode_telex(&lower);
            let back = if t == lower {
                lower.clone()
            } else {
                repair_telex(&t).unwrap_or(t)
            };
            assert_eq!(crate::syllable::canonical_tone(&lower), back, "{w}");
        }
    }
}
